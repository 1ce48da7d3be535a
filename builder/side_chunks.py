"""Side-record lines read and checked: in the parent, or in pieces by the pool's workers.

Parsing a side record (a JSON line; an annotation line holds ~100 spans) and
checking it against its schema is most of the staging's CPU, and it ran in the
parent while the pool's workers waited for their first batch. A plain JSON Lines
file larger than one piece is cut at line ends into pieces of
:data:`PIECE_BYTES`; each worker reads and checks its piece with the same code
(:func:`builder.jsonl.jsonl_records`, :func:`side_issues`) and returns the lines
with every issue located as before (file, line, record, pointer). The parent
takes the pieces in file order and stages them, so the staging, its accounting
and the report are those of a reading in the parent.
"""

from __future__ import annotations

import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .compressed_inputs import GZIP_MAGIC, ZSTD_MAGIC
from .jsonl import MAX_JSON_DEPTH, checked_jsonl_records
from .staging import dump_record, load_record
from .stats import StageTimings
from .validate.checks import check_source_dates
from .validate.report import Issue
from .validate.schemas import SchemaStore, cross_checked
from .validate.specialized import collecting_columns

__all__ = [
    "PIECE_BYTES",
    "CheckedLine",
    "PickledRecord",
    "checked_in_pool",
    "checked_lines",
    "is_plain",
    "side_issues",
]

#: a piece of a side-record file checked by one worker task (~500 annotation lines)
PIECE_BYTES = 4 << 20
#: a piece checked by the parent while the workers start (see :func:`checked_in_pool`)
HERE_PIECE_BYTES = 256 << 10


@dataclass(frozen=True, slots=True)
class PickledRecord:
    """A side record found without error, in the form the staging stores it
    (:func:`builder.staging.dump_record`; :func:`~builder.staging.load_record` reads
    it). The parent stores the bytes as they are, rather than unpickle what the pool
    sends and pickle it again."""

    article_id: str
    blob: bytes
    card: bytes | None

    def load(self) -> dict[str, Any]:
        return load_record(self.blob)


#: (line, record or None, every issue of the line: reading, schema, dates); the record
#: a :class:`PickledRecord` when asked for and the line has no error
CheckedLine = tuple[int | None, dict[str, Any] | PickledRecord | None, list[Issue]]


def _cross_checked(line: int | None) -> bool:
    """:func:`~builder.validate.schemas.cross_checked` by line number (so a file
    checked in pieces picks the same lines as one read whole)."""
    return line is not None and cross_checked(line - 1)


def side_issues(
    store: SchemaStore,
    schema: str,
    file: str,
    line: int | None,
    record: dict[str, Any],
    *,
    accepted: bool = False,
) -> list[Issue]:
    """The schema's errors for one side record (and a source's date-window check).
    ``accepted``: the schema's fast path took the record already (only the
    reference's sample is left to run)."""
    rid = record.get("article_id")
    where = {"file": file, "line": line, "record": None if rid is None else str(rid)}
    found = store.check(schema, record, cross_check=_cross_checked(line), accepted=accepted)
    if not found and schema != "source":
        return []
    issues = [Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message) for e in found]
    if schema == "source":
        issues += [
            Issue(**where, pointer=pointer, rule="date-window", message=message)
            for pointer, message in check_source_dates(record)
        ]
    return issues


def is_plain(path: Path) -> bool:
    """A file :func:`builder.jsonl.read_jsonl` reads as it is: not compressed (by name
    or by its first bytes) and not a zip archive."""
    if path.name.endswith((".gz", ".zst")):
        return False
    with path.open("rb") as handle:
        if handle.read(4).startswith((GZIP_MAGIC, ZSTD_MAGIC)):
            return False
    return not zipfile.is_zipfile(path)


@dataclass(frozen=True)
class _Piece:
    path: str
    start: int
    end: int
    first_line: int
    schema: str
    name: str
    max_line_bytes: int
    pickled: bool = False


class _Slice:
    """``read`` over bytes [start, end) of an open file (as :func:`builder.jsonl._lines`
    reads: a chunk at a time)."""

    def __init__(self, handle: Any, size: int) -> None:
        self._handle = handle
        self._left = size

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size < 0 else min(size, self._left)
        data: bytes = self._handle.read(size)
        self._left -= len(data)
        return data


def checked_lines(
    handle: Any,
    schema: str,
    name: str,
    max_line_bytes: int,
    *,
    first_line: int = 1,
    first_byte: int = 0,
    stored: bool = False,
) -> Iterator[CheckedLine]:
    """The lines of an open JSON Lines stream (``first_line`` its first line's number
    in the file ``name``, at byte ``first_byte`` of it), each read and checked against ``schema`` with every issue
    located. ``stored``: a record with a string ``article_id`` and no error comes as
    a :class:`PickledRecord`, in the form the staging keeps.

    A record the schema's fast path takes as orjson read it (a closed schema:
    :meth:`~builder.validate.schemas.SchemaStore.accepting`) is checked once, not
    parsed again. Every other line goes the full way
    (:func:`builder.jsonl.jsonl_records`, :func:`side_issues`)."""
    store = SchemaStore.default()
    accept = store.accepting(schema, MAX_JSON_DEPTH)
    # the span lists' columns the fast path's check makes, kept for the stored form
    columns: dict[int, Any] = {}
    if accept is not None and stored:
        accept = collecting_columns(accept, columns)
    lines = checked_jsonl_records(handle, name, max_line_bytes, first_line, accept, first_byte)
    for line, record, issues, raw in lines:
        if record is None:
            yield line, record, issues
            continue
        issues = [
            *issues,
            *side_issues(store, schema, name, line, record, accepted=raw is not None),
        ]
        article_id = record.get("article_id")
        if stored and isinstance(article_id, str) and all(i.severity != "error" for i in issues):
            # columns only of the record the fast path took (the last one it checked)
            blob, card = dump_record(schema, record, columns if raw is not None else None)
            yield line, PickledRecord(article_id, blob, card), issues
        else:
            yield line, record, issues


def _check_piece(piece: _Piece) -> tuple[list[CheckedLine], float]:
    """In a worker: the lines of one piece, read and checked, and the CPU seconds spent."""
    began = time.process_time()
    with open(piece.path, "rb") as handle:
        handle.seek(piece.start)
        out = list(
            checked_lines(
                _Slice(handle, piece.end - piece.start),
                piece.schema,
                piece.name,
                piece.max_line_bytes,
                first_line=piece.first_line,
                first_byte=piece.start,
                stored=piece.pickled,
            )
        )
    return out, time.process_time() - began


def _pieces(path: Path, size: int | Callable[[], int]) -> Iterator[tuple[int, int, int]]:
    """(start, end, first line) of pieces of about ``size`` bytes, cut at line ends
    (``size()``: asked before each piece)."""
    start, first_line = 0, 1
    with path.open("rb") as handle:
        while block := handle.read(size() if callable(size) else size):
            newlines = block.count(b"\n")
            if not block.endswith(b"\n"):
                # finish the line the block cut, in bounded reads (a line may be huge)
                while tail := handle.readline(1 << 20):
                    if tail.endswith(b"\n"):
                        newlines += 1
                        break
            end = handle.tell()
            yield start, end, first_line
            first_line += newlines
            start = end


def checked_in_pool(
    pool: Executor,
    workers: int,
    path: Path,
    *,
    schema: str,
    name: str,
    max_line_bytes: int,
    timings: StageTimings,
    piece_bytes: int = PIECE_BYTES,
    pickled: bool = False,
    ready: Callable[[], bool] | None = None,
) -> Iterator[CheckedLine]:
    """The lines of ``path``, checked by the pool's workers, in file order (a few
    pieces in flight, so memory stays flat). The workers' CPU goes to ``timings``
    as the stage ``check-side-records``. ``pickled``: a record with a string
    ``article_id`` and no error comes as a :class:`PickledRecord`. ``ready``: False
    while the workers are still starting (the fork server importing, building the
    cleaner): a piece due meanwhile is checked here, by the same code, rather than
    wait for them with this process idle (its CPU is then the caller's own, as in a
    build without a pool). The lines, issues and order are the same either way."""
    pending: deque[Future[tuple[list[CheckedLine], float | None]]] = deque()

    def take() -> list[CheckedLine]:
        lines, seconds = pending.popleft().result()
        if seconds is not None:  # a worker's
            timings.seconds["check-side-records"] += seconds
            timings.records["check-side-records"] += len(lines)
            timings.where.setdefault("check-side-records", "worker")
        return lines

    def next_size() -> int:
        # small pieces while they are checked here: the workers, once up, do not wait
        # long for the parent to finish one and hand them the next
        return piece_bytes if ready is None or ready() else min(piece_bytes, HERE_PIECE_BYTES)

    for start, end, first_line in _pieces(path, next_size):
        piece = _Piece(str(path), start, end, first_line, schema, name, max_line_bytes, pickled)
        if ready is None or ready():
            pending.append(pool.submit(_check_piece, piece))
        else:
            here: Future[tuple[list[CheckedLine], float | None]] = Future()
            here.set_result((_check_piece(piece)[0], None))
            pending.append(here)
        if len(pending) > 2 * workers:
            yield from take()
    while pending:
        yield from take()
