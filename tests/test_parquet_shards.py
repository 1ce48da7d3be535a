"""Shards planned before they are written, then written each on its own: the plan
cuts every split as one writer going through the rows would, and a split of many
shards is written by every thread, not by one."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from corpus_helpers import make_corpus, tree_digest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder import build_folder
from builder.parquet import ShardTask, plan_shards
from builder.pipeline import build


def _one_writer(
    rows: list[tuple[str, int]], split_bytes: dict[str, int], shard_max_bytes: int
) -> dict[str, list[list[int]]]:
    """Each split's shards as row numbers, cut as one writer per split going through
    the rows cuts them: before the row that would take a shard past its share."""
    shards: dict[str, list[list[int]]] = {split: [] for split in split_bytes}
    held: dict[str, int] = dict.fromkeys(split_bytes, 0)
    for number, (split, nbytes) in enumerate(rows):
        share = math.ceil(
            split_bytes[split] / max(1, math.ceil(split_bytes[split] / shard_max_bytes))
        )
        if not shards[split] or (held[split] and held[split] + nbytes > share):
            shards[split].append([])
            held[split] = 0
        shards[split][-1].append(number)
        held[split] += nbytes
    return shards


def _rows_of(task: ShardTask, rows: list[tuple[str, int]], batch_rows: list[int]) -> list[int]:
    """The row numbers a task writes, found as the writer finds them: the split's rows
    of batch ``first_batch`` on, less the first ``skip``."""
    start = sum(batch_rows[: task.first_batch])
    mine = [n for n in range(start, len(rows)) if rows[n][0] == task.split]
    return mine[task.skip : task.skip + task.rows]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["train", "validation", "test"]), st.integers(1, 50)),
        min_size=1,
        max_size=120,
    ),
    batch=st.integers(1, 17),
    shard_max_bytes=st.integers(1, 400),
)
def test_the_plan_cuts_every_split_where_one_writer_would(
    rows: list[tuple[str, int]], batch: int, shard_max_bytes: int
) -> None:
    batch_rows = [min(batch, len(rows) - i) for i in range(0, len(rows), batch)]
    split_bytes: dict[str, int] = {}
    for split, nbytes in rows:
        split_bytes[split] = split_bytes.get(split, 0) + nbytes
    tasks = plan_shards(rows, batch_rows, split_bytes=split_bytes, shard_max_bytes=shard_max_bytes)
    expected = _one_writer(rows, split_bytes, shard_max_bytes)
    for split, shards in expected.items():
        mine = [t for t in tasks if t.split == split]
        assert [t.index for t in mine] == list(range(len(shards)))
        assert {t.count for t in mine} == {len(shards)}
        assert [_rows_of(t, rows, batch_rows) for t in mine] == shards
        assert [t.row_bytes for t in mine] == [sum(rows[n][1] for n in s) for s in shards]


@pytest.mark.parametrize(("facts", "batch_rows"), [(3, [2]), (2, [2, 1]), (2, [2, 0, 3])])
def test_a_plan_of_rows_the_batches_do_not_hold_is_refused(
    facts: int, batch_rows: list[int]
) -> None:
    with pytest.raises(ValueError, match="staged batches hold"):
        plan_shards(
            [("train", 1)] * facts, batch_rows, split_bytes={"train": facts}, shard_max_bytes=10
        )


def test_a_batch_of_no_rows_is_passed_over() -> None:
    (task,) = plan_shards(
        [("train", 1)] * 3, [0, 2, 0, 1, 0], split_bytes={"train": 3}, shard_max_bytes=10
    )
    assert (task.first_batch, task.skip, task.rows) == (1, 0, 3)


@pytest.fixture(scope="module")
def many_shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus whose splits are several shards of several row groups each."""
    root = tmp_path_factory.mktemp("shards")
    output = {"batch_size": 16, "shard_max_bytes": 40_000, "row_group_max_bytes": 9_000}
    make_corpus(root / "in", 240, config={"output": output})
    return root / "in"


def test_shards_written_in_threads_are_the_bytes_written_one_after_another(
    many_shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = tmp_path / "one"
    build(many_shards, one, workers=1)
    real = build_folder.write_shard
    threads: dict[str, set[str]] = {}
    lock = threading.Lock()

    def recording(task: ShardTask, staged: Iterator[Any], **kw: Any) -> Any:
        with lock:
            threads.setdefault(task.split, set()).add(threading.current_thread().name)
        return real(task, staged, **kw)

    monkeypatch.setattr(build_folder, "write_shard", recording)
    threaded = tmp_path / "threaded"
    build(many_shards, threaded, workers=2)
    assert tree_digest(threaded) == tree_digest(one)
    shards = sorted(p.name for p in (one / "data").glob("train-*.parquet"))
    assert len(shards) >= 3
    assert shards[0] == f"train-00000-of-{len(shards):05d}.parquet"
    # the largest split, in shards, is written by both threads (one writer per split
    # would keep it to one)
    assert len(threads["train"]) == 2
    groups = [pq.ParquetFile(one / "data" / name).metadata.num_row_groups for name in shards]
    assert max(groups) >= 2  # row groups cut within a shard, too
