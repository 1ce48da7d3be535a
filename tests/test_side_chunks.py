"""Side-record files checked in pieces by pool workers give what a reading here gives."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from builder.jsonl import read_jsonl
from builder.side_chunks import PickledRecord, checked_in_pool, is_plain, side_issues
from builder.stats import StageTimings
from builder.validate.schemas import SchemaStore

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _lines() -> list[bytes]:
    good = [
        json.dumps(json.loads(line), ensure_ascii=False).encode()
        for line in (SEEDS / "sources.jsonl").read_bytes().splitlines()
        if line.strip()
    ]
    broken = dict(json.loads(good[0]), publisher=7)  # a schema error
    return [
        codecs.BOM_UTF8 + good[0],  # a BOM: a warning on line 1 only
        b"",
        good[1],
        b'{"article_id": "x", oops}',  # malformed JSON
        json.dumps(broken).encode(),
        b"[1, 2]",  # not an object
        b'{"article_id": "big", "pad": "' + b"y" * 3000 + b'"}',  # over the line limit
        *good[2:],
        b'{"a": 1, "a": 2}',  # a key twice
        good[0],  # last line without a newline
    ]


def _inline(path: Path, limit: int) -> list[tuple]:
    store = SchemaStore.default()
    out = []
    for line, record, issues in read_jsonl(path, max_line_bytes=limit):
        if record is not None:
            issues = [*issues, *side_issues(store, "source", path.name, line, record)]
        out.append((line, record, issues))
    return out


def _checked_in_two_workers(
    path: Path,
    *,
    timings: StageTimings,
    pickled: bool = False,
    ready: Callable[[], bool] | None = None,
) -> list:
    """``path`` checked by two spawned workers in pieces of a few hundred bytes (most
    lines a piece of their own); ``ready``: see :func:`checked_in_pool`."""
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        return list(
            checked_in_pool(
                pool,
                2,
                path,
                schema="source",
                name=path.name,
                max_line_bytes=2000,
                timings=timings,
                piece_bytes=300,
                pickled=pickled,
                ready=ready,
            )
        )


def test_pieces_read_and_check_every_line_as_one_reading_does(tmp_path: Path) -> None:
    path = tmp_path / "sources.jsonl"
    path.write_bytes(b"\n".join(_lines()))
    assert is_plain(path)
    expected = _inline(path, 2000)
    assert any(issues for _, _, issues in expected)  # the file has every kind of problem
    timings = StageTimings()
    got = _checked_in_two_workers(path, timings=timings)
    assert got == expected
    assert timings.records["check-side-records"] == len(expected)


def test_pickled_lines_are_the_records_a_reading_here_stores(tmp_path: Path) -> None:
    """Asked for pickled records, the workers pickle exactly the lines without error
    (and with a string id): each loads back to the record read here, as stored."""
    path = tmp_path / "sources.jsonl"
    path.write_bytes(b"\n".join(_lines()))
    expected = _inline(path, 2000)
    got = _checked_in_two_workers(path, timings=StageTimings(), pickled=True)
    pickled = 0
    for (line, record, issues), (want_line, want, want_issues) in zip(got, expected, strict=True):
        assert (line, issues) == (want_line, want_issues)
        clean = want is not None and all(i.severity != "error" for i in want_issues)
        assert isinstance(record, PickledRecord) == clean
        if isinstance(record, PickledRecord):
            pickled += 1
            assert record.article_id == want["article_id"]
            assert record.load() == want
        else:
            assert record == want
    assert 0 < pickled < len(expected)


def test_a_compressed_or_zipped_file_is_not_plain(tmp_path: Path) -> None:
    import gzip
    import zipfile

    gz = tmp_path / "sources.jsonl"
    gz.write_bytes(gzip.compress(b'{"a": 1}\n'))  # gzip by its bytes, whatever its name
    zipped = tmp_path / "a.jsonl"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.jsonl", '{"a": 1}\n')
    named = tmp_path / "b.jsonl.gz"
    named.write_bytes(b'{"a": 1}\n')
    assert not any(is_plain(p) for p in (gz, zipped, named))


def test_pieces_due_while_the_workers_start_are_checked_here_alike(tmp_path: Path) -> None:
    """Until the pool says it is ready, a piece is checked by the caller: the lines,
    records and issues are those of the workers' checking, in the same order; only
    the workers' pieces count as the workers' stage."""
    path = tmp_path / "sources.jsonl"
    path.write_bytes(b"\n".join(_lines()))
    expected = _checked_in_two_workers(path, timings=StageTimings(), pickled=True)
    asked = []

    def ready() -> bool:  # the workers are up from the fourth piece on
        asked.append(True)
        return len(asked) > 3

    timings = StageTimings()
    got = _checked_in_two_workers(path, timings=timings, pickled=True, ready=ready)
    assert got == expected
    assert len(asked) > 4  # some pieces checked here, some by the workers
    assert 0 < timings.records["check-side-records"] < len(expected)
    timings = StageTimings()
    never = _checked_in_two_workers(path, timings=timings, pickled=True, ready=lambda: False)
    assert never == expected
    assert timings.records["check-side-records"] == 0
