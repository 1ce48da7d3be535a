"""The record digest of folders this tool did not write: it streams a shard in small
batches of rows, not a row group at a time (a row group may hold 64 MiB or more, and its
rows as Python objects several times that), and orders ids as text whatever their type."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from builder.publish.records import digest_parquet

ROWS = 4000


def _one_big_row_group(data: Path) -> None:
    """Rows like an article's: text and nested spans (many small Python objects each)."""
    span = {"start": 1, "end": 2, "label": "PERSON", "text": "someone"}
    table = pa.table(
        {
            "id": [f"{i:06d}" for i in range(ROWS)],
            "text": ["words " * 300 + str(i) for i in range(ROWS)],
            "entities": [[span] * 30 for _ in range(ROWS)],
        }
    )
    data.mkdir(parents=True)
    pq.write_table(table, data / "train-00000-of-00001.parquet", row_group_size=ROWS)


def test_digesting_a_big_row_group_holds_a_batch_of_rows_not_the_group(tmp_path: Path) -> None:
    _one_big_row_group(tmp_path / "data")
    tracemalloc.start()
    try:
        count = sum(1 for _ in digest_parquet(tmp_path / "data"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == ROWS
    # the whole group as Python objects is about 60 MB here; a batch is a few MB
    assert peak < 15 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_integer_ids_of_another_tool_are_digested_in_text_order(tmp_path: Path) -> None:
    """Ids 9, 10 ascend as numbers but not as text, the digest's order: the split was merged
    as if sorted, and the diff stopped on an internal error ('not sorted by unique id')."""
    from builder.publish.records import diff_digests

    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({"id": [1, 2, 9, 10, 11]}), data / "train-00000-of-00001.parquet")
    pq.write_table(pa.table({"id": [3, 12]}), data / "test-00000-of-00001.parquet")
    ids = [record.id for record in digest_parquet(data)]
    assert ids == sorted(ids) == ["1", "10", "11", "12", "2", "3", "9"]
    assert diff_digests(digest_parquet(data), digest_parquet(data)).unchanged == 7
