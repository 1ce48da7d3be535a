"""``builder diff`` (and ``verify``) with a Parquet shard that cannot be read: cut short,
not Parquet at all, or without an ``id`` column. It was an internal error (exit 3,
``ArrowInvalid``, no file named; found by bench/fuzz_inputs.py); it is a data error
naming the file, exit 1, whichever side of the diff holds it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from builder.errors import DataError
from builder.publish.records import digest_parquet


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _not_parquet(path: Path) -> None:
    path.write_text("id,text\n1,hello\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _no_id(path: Path) -> None:
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["id"]), path)


BREAKS = {"truncated": _truncate, "not parquet": _not_parquet, "empty": _empty, "no id": _no_id}


@pytest.fixture
def broken_copy(seed_build: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "broken"
    shutil.copytree(seed_build, dest)
    return dest


def _shard(folder: Path) -> Path:
    return next((folder / "data").glob("train-*.parquet"))


@pytest.mark.parametrize("how", sorted(BREAKS))
@pytest.mark.parametrize("side", ["new", "old"])
def test_diff_names_the_unreadable_file_and_exits_1(
    how: str, side: str, seed_build: Path, broken_copy: Path, run_cli: Callable
) -> None:
    shard = _shard(broken_copy)
    BREAKS[how](shard)
    pair = [seed_build, broken_copy] if side == "new" else [broken_copy, seed_build]
    result = run_cli("diff", *map(str, pair))
    assert result.code == 1, result.stderr
    assert str(shard) in result.stderr
    assert "cannot read the Parquet file" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_the_digest_raises_a_located_data_error(broken_copy: Path) -> None:
    shard = _shard(broken_copy)
    _truncate(shard)
    with pytest.raises(DataError) as caught:
        list(digest_parquet(broken_copy / "data"))
    [issue] = caught.value.report.issues
    assert (issue.file, issue.rule) == (str(shard), "parquet")


def test_a_readable_folder_digests_as_before(seed_build: Path) -> None:
    """The guard reads the footer once more: rows and their order are untouched."""
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in (seed_build / "data").glob("*.parquet"))
    found = list(digest_parquet(seed_build / "data"))
    assert len(found) == rows
    assert [r.id for r in found] == sorted(r.id for r in found)


@pytest.mark.parametrize("how", sorted(set(BREAKS) - {"no id"}))
def test_verify_names_the_unreadable_file_and_exits_1(
    how: str, broken_copy: Path, run_cli: Callable
) -> None:
    shard = _shard(broken_copy)
    BREAKS[how](shard)
    result = run_cli("verify", str(broken_copy))
    assert result.code == 1, result.stderr
    output = result.stdout + result.stderr
    rel = shard.relative_to(broken_copy).as_posix()
    assert f"{rel}: parquet: cannot read the Parquet footer" in output
    assert "Traceback" not in output
    # reported once: not also as an empty split, nor as a card pattern matching no file
    assert "hold 0" not in output and "no data file matches" not in output
