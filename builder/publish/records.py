"""Per-record digests, so a release can say which records were added, removed or changed.

A release carries ``records.jsonl.gz``: one line ``{"id", "split", "sha256"}``
per row, sorted by id, where ``sha256`` hashes the row exactly as a client
reads it (every column, canonical JSON). The next release diffs its own digest
against it with a streaming merge-join, so memory stays flat however many
records there are, and only this small file (not the Parquet data) of the
previous release is downloaded.

The digest is computed from the Parquet shards by streaming a batch of rows at a
time. Publishing always computes it, never trusting one a build folder carries, and
``verify`` compares a listed digest with the shards (:func:`digest_mismatch`): a
folder whose ``data/`` came from another build, or whose digest was edited and the
manifest re-hashed, matches every hash its manifest lists.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import heapq
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataError
from ..validate.report import Issue

__all__ = [
    "RECORDS_NAME",
    "RecordDiff",
    "RecordDigest",
    "diff_digests",
    "digest_difference",
    "digest_mismatch",
    "digest_parquet",
    "digest_problem",
    "read_digest",
    "row_sha256",
    "write_build_digest",
    "write_digest",
]

RECORDS_NAME = "records.jsonl.gz"
_SHARD = re.compile(r"^(?P<split>.+)-\d{5}-of-\d{5}\.parquet$")
_EXAMPLES = 5


class RecordDigest(NamedTuple):
    id: str
    split: str
    sha256: str


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (dt.timedelta,)):
        return value.total_seconds()
    return str(value)


def row_sha256(row: Mapping[str, Any]) -> str:
    """SHA-256 of a row's canonical JSON (keys sorted, dates ISO, bytes hex)."""
    text = json.dumps(
        row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_of(path: Path) -> str:
    match = _SHARD.match(path.name)
    return match.group("split") if match else path.stem


RowDigest = Callable[[Mapping[str, Any]], str]


def _unreadable(path: Path, exc: BaseException) -> DataError:
    """A shard that is cut short, not Parquet or without an ``id`` column, named."""
    why = f"no {exc} column" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
    return DataError.single(
        Issue(file=str(path), rule="parquet", message=f"cannot read the Parquet file: {why}")
    )


#: Rows read at a time: a row group can hold 64 MiB or more (``output.row_group_max_bytes``,
#: or another tool's file), and its rows as Python objects take several times that.
BATCH_ROWS = 256


def _batches(path: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """A shard's rows, :data:`BATCH_ROWS` at a time; a file pyarrow cannot read is a
    :class:`DataError` naming it (``builder diff`` and ``publish`` read shards of a
    folder they did not write: cut short, not Parquet, without an ``id`` column)."""
    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(path, exc) from None
    if "id" not in names:
        raise _unreadable(path, KeyError("id"))
    batches = parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns, use_threads=False)
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(path, exc) from None
        if batch is None:
            return
        yield batch


def _split_records(files: list[Path], split: str, digest: RowDigest) -> Iterator[RecordDigest]:
    for path in files:
        for batch in _batches(path):
            for row in batch.to_pylist():
                yield RecordDigest(str(row["id"]), split, digest(row))


def _ids_sorted(files: list[Path]) -> bool:
    """Whether a split's ids ascend as the digest orders them: as text (reads only the id
    column). Another tool's integer ids ascend as numbers, 9 before 10, not as text."""
    previous: str | None = None
    for path in files:
        for batch in _batches(path, columns=["id"]):
            for value in batch.column(0).to_pylist():
                record_id = str(value)
                if previous is not None and record_id < previous:
                    return False
                previous = record_id
    return True


def digest_parquet(data_dir: Path, digest: RowDigest = row_sha256) -> Iterator[RecordDigest]:
    """Every row's digest, sorted by id, streaming a batch of rows at a time.

    The build writes each split in id order, so the splits are merged lazily;
    a split out of order (written by another tool) is sorted in memory instead.
    ``digest`` hashes one row (``builder diff`` passes one that keeps a hash per part).
    """
    by_split: dict[str, list[Path]] = {}
    for path in sorted(data_dir.rglob("*.parquet")):
        by_split.setdefault(split_of(path), []).append(path)
    streams: list[Iterable[RecordDigest]] = []
    for split, files in sorted(by_split.items()):
        records = _split_records(files, split, digest)
        streams.append(records if _ids_sorted(files) else sorted(records, key=lambda r: r.id))
    yield from _unique(heapq.merge(*streams, key=lambda r: r.id), data_dir)


def _unique(records: Iterable[RecordDigest], data_dir: Path) -> Iterator[RecordDigest]:
    """The id-sorted records, a :class:`DataError` at an id held twice: a record is one id
    (a build never writes two), and the diff joins on it (a folder another tool or a hand
    assembled can hold an id in two splits, or twice in one)."""
    previous: RecordDigest | None = None
    for record in records:
        if previous is not None and record.id == previous.id:
            where = (
                f"twice in split {record.split!r}"
                if record.split == previous.split
                else f"in split {previous.split!r} and in split {record.split!r}"
            )
            raise DataError.single(
                Issue(
                    file=str(data_dir),
                    rule="unique-id",
                    message=f"record id {record.id!r} is {where}: an id names one record",
                )
            )
        previous = record
        yield record


def write_digest(records: Iterable[RecordDigest], path: Path) -> int:
    """Write the gzip JSONL digest (byte-identical for identical records); return the count."""
    count = 0
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as out,
    ):
        for record in records:
            out.write(
                json.dumps(
                    {"id": record.id, "split": record.split, "sha256": record.sha256},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                + "\n"
            )
            count += 1
    return count


def write_build_digest(out_dir: Path) -> Path:
    """Write ``records.jsonl.gz`` for the Parquet files under ``out_dir/data``."""
    path = out_dir / RECORDS_NAME
    write_digest(digest_parquet(out_dir / "data"), path)
    return path


def read_digest(path: Path) -> Iterator[RecordDigest]:
    """Stream a digest file written by :func:`write_digest`."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                data = json.loads(line)
                yield RecordDigest(data["id"], data["split"], data["sha256"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{path.name}:{number}: not a record digest line ({exc})"
                ) from None


def _described(record: RecordDigest | None) -> str:
    return "nothing" if record is None else f"{record.id!r} (split {record.split!r})"


def digest_difference(
    carried: Iterable[RecordDigest], computed: Iterable[RecordDigest]
) -> str | None:
    """Where a digest a folder carries stops describing its shards (``computed`` from
    them by :func:`digest_parquet`): None when it describes them record for record."""
    for mine, real in itertools.zip_longest(carried, computed):
        if mine == real:
            continue
        if mine is None or real is None or mine.id != real.id:
            return f"it lists {_described(mine)} where the shards hold {_described(real)}"
        what = "split" if mine.split != real.split else "content hash"
        return f"record {real.id!r}: its {what} is not the one of the row in the shards"
    return None


def digest_mismatch(digest_file: Path, data_dir: Path) -> str | None:
    """How a digest file fails to describe the shards under ``data_dir`` (computed from
    them now, compared record by record); None when it describes them exactly."""
    try:
        return digest_difference(read_digest(digest_file), digest_parquet(data_dir))
    except (ValueError, OSError, EOFError, zlib.error) as exc:  # not a digest written here
        return f"it cannot be read ({exc})"


def digest_problem(path: Path) -> str | None:
    """Why a digest file cannot be diffed against (not gzip, a line that is no record
    digest, ids not sorted or repeated: another tool's or an older one's); None if it can.

    Reads the whole file once: a previous release's digest is small, and finding the
    problem halfway through the diff would leave the release's change unknown then."""
    try:
        for _record in _ordered(read_digest(path), "the"):
            pass
    except (ValueError, OSError, EOFError, zlib.error) as exc:
        return str(exc) or type(exc).__name__
    return None


@dataclass
class RecordDiff:
    """Counts (and a few example ids) of what happened to records between two releases."""

    added: int = 0
    removed: int = 0
    changed: int = 0  # content or split differs
    moved: int = 0  # of which: split differs
    unchanged: int = 0
    examples: dict[str, list[str]] = field(
        default_factory=lambda: {"added": [], "removed": [], "changed": []}
    )

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def _note(self, kind: str, record_id: str) -> None:
        if len(self.examples[kind]) < _EXAMPLES:
            self.examples[kind].append(record_id)

    def describe(self) -> str:
        """E.g. ``1 record added, 2 changed (1 moved between splits)``."""
        parts = [
            f"{n} {word}"
            for n, word in (
                (self.added, "added"),
                (self.removed, "removed"),
                (self.changed, "changed"),
            )
            if n
        ]
        if not parts:
            return "no record changed"
        first_count = int(parts[0].split()[0])
        parts[0] = parts[0].replace(" ", " record " if first_count == 1 else " records ", 1)
        text = ", ".join(parts)
        if self.moved:
            text += f" ({self.moved} moved between splits)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "examples": self.examples,
        }


def _ordered(records: Iterable[RecordDigest], label: str) -> Iterator[RecordDigest]:
    previous: str | None = None
    for record in records:
        if previous is not None and record.id <= previous:
            raise ValueError(f"{label} digest is not sorted by unique id at {record.id!r}")
        previous = record.id
        yield record


Visit = Callable[[str, RecordDigest | None, RecordDigest | None], None]


def diff_digests(
    old: Iterable[RecordDigest], new: Iterable[RecordDigest], visit: Visit | None = None
) -> RecordDiff:
    """Merge-join two id-sorted digests.

    ``visit(kind, old, new)``, if given, sees every record that was ``added``,
    ``removed`` or ``changed`` (the counts keep only a few example ids).
    """
    see: Visit = visit or (lambda _kind, _old, _new: None)
    diff = RecordDiff()
    a, b = _ordered(old, "previous"), _ordered(new, "new")
    x, y = next(a, None), next(b, None)
    while x is not None or y is not None:
        if y is None or (x is not None and x.id < y.id):
            assert x is not None
            diff.removed += 1
            diff._note("removed", x.id)
            see("removed", x, None)
            x = next(a, None)
        elif x is None or y.id < x.id:
            diff.added += 1
            diff._note("added", y.id)
            see("added", None, y)
            y = next(b, None)
        else:
            if x.sha256 != y.sha256 or x.split != y.split:
                diff.changed += 1
                diff.moved += x.split != y.split
                diff._note("changed", y.id)
                see("changed", x, y)
            else:
                diff.unchanged += 1
            x, y = next(a, None), next(b, None)
    return diff
