"""An on-disk index of side records (sources, annotations) and per-article facts.

Articles stream through the build one batch at a time; what they must be joined
with, and what the split stage needs to know about every article afterwards,
lives in SQLite so memory stays flat with a million articles. Workers open it
read-only, so batches can run in other processes.
"""

from __future__ import annotations

import io
import operator
import pickle
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .span_columns import SpanColumns

__all__ = [
    "ArticleFacts",
    "BatchSides",
    "SideRecord",
    "Staging",
    "dump_record",
    "load_columns",
    "load_record",
]

#: Ids read from the staging database per query.
ARTICLE_CHUNK = 2_000


#: The field of a side record the card lists (by kind), stored beside the record: the
#: card reads these few bytes instead of every record (an annotation's is ~5 KB).
CARD_FIELDS = {"annotation": "annotator"}


def dump_record(
    kind: str, record: dict[str, Any], columns: Mapping[int, Any] | None = None
) -> tuple[bytes, bytes | None]:
    """A side record as stored, and its card field (:data:`CARD_FIELDS`) if its kind has
    one. The one stored form: a pickle (the file is this build's own temporary data,
    read back only by this build) of the record with each list of objects of one key
    set (an annotation's ~100 spans) as columns, one list per key (:func:`packed`):
    no key stored once per span, and a worker reads the spans back as the columns it
    checks, anchors and encodes (:func:`load_columns`), not as dicts. Pool workers
    that check side records store them so (:mod:`builder.side_chunks`); ``columns``:
    as :func:`packed` takes them."""
    pickler, buffer = _thread_pickler()
    buffer.seek(0)
    buffer.truncate()
    pickler.dump(packed(record, columns))
    return buffer.getvalue(), card_field(kind, record)


_PICKLERS = threading.local()


def _thread_pickler() -> tuple[pickle.Pickler, io.BytesIO]:
    """This thread's pickler and its buffer, reused (making one per record was a sixth
    of the dump; one per thread, as a library caller may stage from several). No memo:
    a packed record holds no object twice that matters (orjson makes each value its
    own object), and the memo's bookkeeping per string was half the time."""
    made: tuple[pickle.Pickler, io.BytesIO] | None = getattr(_PICKLERS, "made", None)
    if made is None:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
        pickler.fast = True
        made = _PICKLERS.made = (pickler, buffer)
    return made


def card_field(kind: str, record: dict[str, Any]) -> bytes | None:
    """The card field of a record (:data:`CARD_FIELDS`), pickled as :func:`dump_record` has it."""
    field = CARD_FIELDS.get(kind)
    return None if field is None else pickle.dumps(record.get(field), pickle.HIGHEST_PROTOCOL)


#: (the record, each packed list's value None; (key, its objects' keys, columns) of each)
Packed = tuple[dict[str, Any], tuple[tuple[str, tuple[str, ...], list[list[Any]]], ...]]


def packed(record: dict[str, Any], columns: Mapping[int, Any] | None = None) -> Packed:
    """``record`` with each top-level list of dicts with one key set (of two or
    more keys) as columns, keys in the first dict's order (JSON objects are
    unordered: only the keys and values are kept); any other value as it is.

    ``columns``: the columns of some of those lists, made already (``id(list)`` ->
    (keys, one sequence of values per key): what the schema's check collected,
    :func:`builder.validate.specialized.collect_columns`), taken as they are.

    Example:
        >>> packed({"id": "a", "spans": [{"s": 0, "e": 2}, {"e": 9, "s": 5}], "n": []})
        ({'id': 'a', 'spans': None, 'n': []}, (('spans', ('s', 'e'), [[0, 5], [2, 9]]),))
    """
    head = record
    lists = []
    for key, value in record.items():
        if type(value) is not list or not value or type(value[0]) is not dict:
            continue
        made = columns.get(id(value)) if columns else None
        if made is not None:
            if head is record:
                head = dict(record)
            head[key] = None
            lists.append((key, made[0], list(map(list, made[1]))))
            continue
        keys = tuple(value[0])
        # every item a dict with as many keys, each of which has all of ``keys``
        if len(keys) < 2 or set(map(type, value)) != {dict} or set(map(len, value)) != {len(keys)}:
            continue
        try:
            rows = list(map(operator.itemgetter(*keys), value))
        except KeyError:
            continue
        if head is record:
            head = dict(record)
        head[key] = None
        lists.append((key, keys, list(map(list, zip(*rows, strict=True)))))
    return head, tuple(lists)


def load_record(blob: bytes) -> dict[str, Any]:
    """A stored side record (:func:`dump_record`) as it was read: its packed lists
    as dicts again, keys in their order."""
    record, lists = pickle.loads(blob)
    for key, keys, columns in lists:
        record[key] = [
            dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)
        ]
    return record  # type: ignore[no-any-return]


def load_columns(blob: bytes) -> dict[str, Any]:
    """A stored side record (:func:`dump_record`) with its packed lists as
    :class:`~builder.span_columns.SpanColumns` (no dict made per span); the
    readers of such a record take either form (:func:`builder.span_columns.span_list`)."""
    record, lists = pickle.loads(blob)
    for key, keys, columns in lists:
        record[key] = SpanColumns.trusted(dict(zip(keys, columns, strict=True)), len(columns[0]))
    return record  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class SideRecord:
    """A source or annotation record and where it came from."""

    article_id: str
    file: str
    line: int | None
    record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What the split and write stages need to know of one built article."""

    id: str
    group_key: str
    text_key: str  # hash of the normalized clean text, for exact duplicates
    row_bytes: int
    publisher: str | None
    minhash: bytes | None = None
    # The card's figures (see :func:`builder.row_figures.card_figures`).
    chars: int | None = None
    words: int | None = None
    day: int | None = None
    labels: bytes | None = None


_FACT_COLUMNS = (
    *("id", "group_key", "text_key", "row_bytes", "publisher", "minhash"),
    *("chars", "words", "day", "labels"),
)
_fact_values = operator.attrgetter(*_FACT_COLUMNS)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS side (
    kind TEXT NOT NULL, article_id TEXT NOT NULL, file TEXT NOT NULL, line INTEGER,
    record BLOB NOT NULL, card BLOB, PRIMARY KEY (kind, article_id)
);
CREATE TABLE IF NOT EXISTS rejected_side (
    kind TEXT NOT NULL, article_id TEXT NOT NULL, file TEXT NOT NULL, line INTEGER,
    publisher TEXT
);
CREATE INDEX IF NOT EXISTS rejected_side_id ON rejected_side (article_id);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, folded TEXT NOT NULL, sha256 TEXT, bytes INTEGER
);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY, group_key TEXT NOT NULL, text_key TEXT NOT NULL,
    row_bytes INTEGER NOT NULL, publisher TEXT, minhash BLOB, split TEXT,
    chars INTEGER, words INTEGER, day INTEGER, labels BLOB
);
"""


class Staging:
    """SQLite file under the build's temporary folder."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            self.db = sqlite3.connect(path)
            self.db.executescript(_SCHEMA)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=OFF")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- side records --------------------------------------------------------------
    def add_side(self, kind: str, rec: SideRecord) -> SideRecord | None:
        """Store a record; return the earlier one if the article already has one."""
        blob, card = dump_record(kind, rec.record)
        return self.add_side_dumped(kind, rec.article_id, rec.file, rec.line, blob, card)

    def add_side_dumped(
        self,
        kind: str,
        article_id: str,
        file: str,
        line: int | None,
        blob: bytes,
        card: bytes | None,
    ) -> SideRecord | None:
        """:meth:`add_side` of a record pickled already (``blob``, ``card``: what
        :func:`dump_record` gives)."""
        try:
            self.db.execute(
                "INSERT INTO side (kind, article_id, file, line, record, card)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, article_id, file, line, blob, card),
            )
        except sqlite3.IntegrityError:
            return self.side(kind, article_id)
        return None

    def side(self, kind: str, article_id: str) -> SideRecord | None:
        return self._side(kind, article_id, load_record)

    def side_columns(self, kind: str, article_id: str) -> SideRecord | None:
        """:meth:`side`, the record's span lists as columns (:func:`load_columns`)."""
        return self._side(kind, article_id, load_columns)

    def _side(
        self, kind: str, article_id: str, load: Callable[[bytes], dict[str, Any]]
    ) -> SideRecord | None:
        row = self.db.execute(
            "SELECT file, line, record FROM side WHERE kind = ? AND article_id = ?",
            (kind, article_id),
        ).fetchone()
        if row is None:
            return None
        return SideRecord(article_id, row[0], row[1], load(row[2]))

    def add_rejected_side(
        self, kind: str, article_id: str, file: str, line: int | None, publisher: str | None
    ) -> None:
        """Note a record that names an article but could not be used (it was reported)."""
        self.db.execute(
            "INSERT INTO rejected_side VALUES (?, ?, ?, ?, ?)",
            (kind, article_id, file, line, publisher),
        )

    def rejected_side(
        self, kind: str, article_id: str
    ) -> tuple[str, int | None, str | None] | None:
        """``(file, line, publisher)`` of the first rejected ``kind`` record of an article."""
        return self.db.execute(
            "SELECT file, line, publisher FROM rejected_side WHERE kind = ? AND article_id = ?"
            " ORDER BY rowid LIMIT 1",
            (kind, article_id),
        ).fetchone()

    def batch_sides(
        self, first_id: str, last_id: str, kinds: tuple[str, ...] = ("source", "annotation")
    ) -> BatchSides:
        """The ``kinds`` side records of the ids from ``first_id`` to ``last_id`` (a batch's
        sorted range), read in two queries instead of two or three per article. Each
        is a range search of an index (naming the kinds lets the primary key serve):
        a batch reads its own rows, not the whole table."""
        marks = ", ".join("?" * len(kinds))
        sides: dict[tuple[str, str], tuple[str, int | None, bytes]] = {
            (kind, article_id): (file, line, record)
            for kind, article_id, file, line, record in self.db.execute(
                "SELECT kind, article_id, file, line, record FROM side"
                f" WHERE kind IN ({marks}) AND article_id BETWEEN ? AND ?",
                (*kinds, first_id, last_id),
            )
        }
        rejected: dict[tuple[str, str], tuple[str, int | None, str | None]] = {}
        for kind, article_id, file, line, publisher in self.db.execute(
            "SELECT kind, article_id, file, line, publisher FROM rejected_side"
            " WHERE article_id BETWEEN ? AND ? ORDER BY rowid",
            (first_id, last_id),
        ):
            rejected.setdefault((kind, article_id), (file, line, publisher))
        return BatchSides(sides, rejected)

    def published_sides(self, kind: str) -> Iterator[SideRecord]:
        """The ``kind`` records of the articles with facts (the published ones), in
        id order, streamed by one query."""
        for article_id, file, line, record in self.db.execute(
            "SELECT s.article_id, s.file, s.line, s.record FROM side s"
            " JOIN facts f ON f.id = s.article_id WHERE s.kind = ? ORDER BY s.article_id",
            (kind,),
        ):
            yield SideRecord(article_id, file, line, load_record(record))

    def published_card_fields(self, kind: str) -> Iterator[Any]:
        """The distinct card fields (:data:`CARD_FIELDS`) of the published articles'
        ``kind`` records, each once, in the id order of its first record."""
        for card, _ in self.db.execute(
            "SELECT s.card, MIN(s.article_id) AS first FROM side s"
            " JOIN facts f ON f.id = s.article_id WHERE s.kind = ?"
            " GROUP BY s.card ORDER BY first",
            (kind,),
        ).fetchall():  # one row per distinct field: few
            yield None if card is None else pickle.loads(card)

    def side_ids(self, kind: str) -> Iterator[tuple[str, str, int | None]]:
        yield from self.db.execute(
            "SELECT article_id, file, line FROM side WHERE kind = ? ORDER BY article_id", (kind,)
        )

    def side_count(self, kind: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM side WHERE kind = ?", (kind,)).fetchone()[0]

    # -- article ids -----------------------------------------------------------------
    def add_article_ids(self, ids: Iterable[str]) -> None:
        """Stage ids as they are listed (a stream: no list of a million ids is built).

        Each id is stored with its ``str.casefold()``, which SQLite's ``lower()``
        does not match (``Straße`` and ``STRASSE``), for :meth:`case_collisions`.
        """
        self.db.executemany(
            "INSERT OR IGNORE INTO articles (id, folded) VALUES (?, ?)",
            ((i, i.casefold()) for i in ids),
        )

    def add_digests(self, digests: Iterable[tuple[str, str, int]]) -> None:
        """``(id, sha256, bytes)`` of articles' raw files as a worker read them, so the
        manifest need not read every input file a second time."""
        self.db.executemany(
            "UPDATE articles SET sha256 = ?, bytes = ? WHERE id = ?",
            ((digest, size, i) for i, digest, size in digests),
        )

    def article_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def article_ids(self, *, chunk: int = ARTICLE_CHUNK) -> Iterator[str]:
        """Every staged id in sorted order (code point order, as ``sorted()``), ``chunk`` at a time.

        Each chunk is a fresh query after the last id seen, so no statement stays
        open while the caller writes to or commits this database meanwhile.
        """
        return (row[0] for row in self._article_rows("id", chunk))

    def article_digests(
        self, *, chunk: int = ARTICLE_CHUNK
    ) -> Iterator[tuple[str, str | None, int | None]]:
        """``(id, sha256, bytes)`` of every staged id in sorted order; ``None`` where
        no worker read the file (see :meth:`add_digests`)."""
        return self._article_rows("id, sha256, bytes", chunk)

    def _article_rows(self, columns: str, chunk: int) -> Iterator[Any]:
        query = f"SELECT {columns} FROM articles ORDER BY id LIMIT ?"
        args: tuple[Any, ...] = (chunk,)
        while True:
            rows = self.db.execute(query, args).fetchall()
            yield from rows
            if len(rows) < chunk:
                return
            query = f"SELECT {columns} FROM articles WHERE id > ? ORDER BY id LIMIT ?"
            args = (rows[-1][0], chunk)

    def case_collisions(self) -> Iterator[list[str]]:
        """Groups of staged ids equal but for letter case (one file on Windows and
        macOS checkouts), ordered by folded id, then id."""
        group: list[str] = []
        last: str | None = None
        for folded, article_id in self.db.execute(
            "SELECT folded, id FROM articles WHERE folded IN"
            " (SELECT folded FROM articles GROUP BY folded HAVING COUNT(*) > 1)"
            " ORDER BY folded, id"
        ).fetchall():  # only the colliding ids: few
            if folded != last and group:
                yield group
                group = []
            last = folded
            group.append(article_id)
        if group:
            yield group

    def side_without_article(self, kind: str) -> Iterator[tuple[str, str, int | None]]:
        """Side records whose article does not exist."""
        yield from self.db.execute(
            "SELECT s.article_id, s.file, s.line FROM side s LEFT JOIN articles a"
            " ON a.id = s.article_id WHERE s.kind = ? AND a.id IS NULL ORDER BY s.article_id",
            (kind,),
        )

    # -- per-article facts ---------------------------------------------------------
    def add_facts(self, facts: list[ArticleFacts]) -> None:
        self.db.executemany(
            f"INSERT INTO facts ({', '.join(_FACT_COLUMNS)})"
            f" VALUES ({', '.join('?' * len(_FACT_COLUMNS))})",
            map(_fact_values, facts),
        )

    def iter_facts(self) -> Iterator[ArticleFacts]:
        for row in self.db.execute(
            "SELECT id, group_key, text_key, row_bytes, publisher, minhash FROM facts ORDER BY id"
        ):
            yield ArticleFacts(*row)

    def assign_splits(self, split_of: Callable[[str], str]) -> None:
        """Set every article's split to ``split_of(group_key)``, in one UPDATE."""
        self.db.create_function("split_of", 1, split_of, deterministic=True)
        self.db.execute("UPDATE facts SET split = split_of(group_key)")

    def split_sizes(self) -> dict[str, tuple[int, int]]:
        """split -> (rows, uncompressed row bytes)."""
        return {
            split: (rows, nbytes)
            for split, rows, nbytes in self.db.execute(
                "SELECT split, COUNT(*), SUM(row_bytes) FROM facts GROUP BY split ORDER BY split"
            )
        }

    def iter_splits(self, first_id: str = "") -> Iterator[tuple[str, str, int]]:
        """(id, split, row_bytes) in id order: the order rows were staged in (from
        ``first_id`` on; every id sorts after "")."""
        yield from self.db.execute(
            "SELECT id, split, row_bytes FROM facts WHERE id >= ? ORDER BY id", (first_id,)
        )

    def card_figures(self, split: str) -> Iterator[tuple[int | None, int | None, int | None, Any]]:
        """(chars, words, day, pickled labels) of every row of ``split``."""
        yield from self.db.execute(
            "SELECT chars, words, day, labels FROM facts WHERE split = ? ORDER BY id", (split,)
        )

    def commit(self) -> None:
        self.db.commit()


@dataclass(frozen=True)
class BatchSides:
    """Side records of one batch's articles, answering as :class:`Staging` does.

    Each record stays pickled until its article asks for it, so its values are read
    by that article's checks and anchoring while still in the CPU's caches."""

    #: (kind, id) -> (file, line, pickled record)
    sides: dict[tuple[str, str], tuple[str, int | None, bytes]]
    rejected: dict[tuple[str, str], tuple[str, int | None, str | None]]

    def side(self, kind: str, article_id: str) -> SideRecord | None:
        return self._side(kind, article_id, load_record)

    def side_columns(self, kind: str, article_id: str) -> SideRecord | None:
        """:meth:`side`, the record's span lists as columns (:func:`load_columns`)."""
        return self._side(kind, article_id, load_columns)

    def _side(
        self, kind: str, article_id: str, load: Callable[[bytes], dict[str, Any]]
    ) -> SideRecord | None:
        found = self.sides.get((kind, article_id))
        if found is None:
            return None
        file, line, record = found
        return SideRecord(article_id, file, line, load(record))

    def rejected_side(
        self, kind: str, article_id: str
    ) -> tuple[str, int | None, str | None] | None:
        """``(file, line, publisher)`` of the first rejected ``kind`` record of an article."""
        return self.rejected.get((kind, article_id))
