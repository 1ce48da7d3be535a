"""Lines a publisher prints on many of its pages are furniture, whatever they say.

No rule list knows every site's slogan, app banner or footer. Counted over a
corpus, they give themselves away: the same line, verbatim, in many documents
of one publisher. This works in two passes, so it streams:

1. a pre-scan feeds every document to a :class:`LineCounter` (in memory, or
   :class:`SqliteLineCounter` for a corpus of millions: one row per distinct
   line and publisher, counts updated in place);
2. :meth:`LineCounter.frozen` keeps the lines seen in at least ``min_docs``
   documents of the publisher and in a large enough share of them (``min_share``,
   default ``MIN_SHARE``, for short lines; at least ``MIN_SHARE_RUNNING`` for
   sentences of running text, which a publisher repeats only in its furniture:
   cookie notices, standard footers),
   as a small :class:`RepeatedLines` table that :class:`RepeatedLinesStep` reads.

Lines are compared by their words (case and punctuation ignored) through a
64-bit hash. A document is counted only when it is new to its publisher: an
exact duplicate, or a near-duplicate whose paragraphs of running text were
mostly counted already (the same story filed again, its AMP or print copy, an
update), is skipped, so a story filed three times does not make its own lines
look like furniture. Running text also needs the higher share, and the step
never removes running text when that would take most of the document's.

Example:
    >>> counter = LineCounter()
    >>> for i in range(3):
    ...     counter.add("Site", f"Story {i} is about something else.\\nJoin our club today")
    >>> table = counter.frozen()
    >>> table.is_repeated("Site", "JOIN our club today!"), table.is_repeated("Site", "Story 1 is about something else.")
    (True, False)
    >>> table.is_repeated("Other site", "Join our club today")
    False
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .boilerplate import is_running_text
from .edits import Edit
from .lines import LineView
from .options import MIN_DOCS, MIN_SHARE
from .steps import CleaningStep, DocumentContext, iter_lines

__all__ = [
    "MIN_DOCS",
    "LineCounter",
    "RepeatedLines",
    "RepeatedLinesStep",
    "SqliteLineCounter",
    "line_hash",
    "load_repeated",
    "store_repeated",
]

#: A line in at least ``MIN_DOCS`` documents of one publisher, and in ``MIN_SHARE``
#: of them (running text: this larger share), is furniture.
MIN_SHARE_RUNNING = 0.5
#: Running text is removed only while at least this share of it stays.
KEEP_RUNNING_SHARE = 0.5
#: A document whose running-text lines were counted already, to this share, is a
#: near-duplicate of one counted before.
NEAR_DUPLICATE_SHARE = 0.5


def line_hash(line: str | LineView) -> int:
    """Signed 64-bit hash of a line's words (stable across processes and runs)."""
    key = (line if isinstance(line, LineView) else LineView(line)).key
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


#: Line hashes looked up in one query: SQLite caps a statement's parameters (999 before
#: 3.32, which some platforms' Python still bundles; 250,000 on this one), and one
#: article may hold more distinct lines than that.
IN_CHUNK = 500


def _doc_lines(text: str) -> tuple[int, dict[int, bool]]:
    """The document's own hash and its line hashes, each with whether it is running text."""
    hashes: dict[int, bool] = {}
    for _, _, t in iter_lines(text):
        view = LineView(t)
        if view.words:
            hashes[line_hash(view)] = is_running_text(view)
    doc = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(doc, "big", signed=True), hashes


def _keep(docs: int, total: int, running: bool, min_docs: int, min_share: float) -> bool:
    share = max(min_share, MIN_SHARE_RUNNING) if running else min_share
    return docs >= min_docs and docs >= share * total


@dataclass(frozen=True)
class RepeatedLines:
    """Per publisher, the hashes of lines repeated across its documents."""

    by_publisher: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def lines(self, publisher: str | None) -> frozenset[int]:
        return self.by_publisher.get(publisher or "", frozenset())

    def is_repeated(self, publisher: str | None, line: str | LineView) -> bool:
        return line_hash(line) in self.lines(publisher)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_publisher.values())


class LineCounter:
    """In-memory first pass: in how many documents of each publisher each line occurs."""

    def __init__(self) -> None:
        self.counts: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.running: set[int] = set()
        self.documents: Counter[str] = Counter()
        self._seen: set[int] = set()

    def add(self, publisher: str | None, text: str) -> None:
        doc, hashes = _doc_lines(text)
        if doc in self._seen:
            return
        self._seen.add(doc)
        pub = publisher or ""
        running = [h for h, r in hashes.items() if r]
        seen = sum(1 for h in running if h in self.counts[pub])
        if running and seen >= NEAR_DUPLICATE_SHARE * len(running):
            return
        self.documents[pub] += 1
        self.counts[pub].update(hashes.keys())
        self.running.update(h for h, running in hashes.items() if running)

    def frozen(self, min_docs: int = MIN_DOCS, min_share: float = MIN_SHARE) -> RepeatedLines:
        return RepeatedLines(
            {
                pub: frozenset(
                    h
                    for h, n in counter.items()
                    if _keep(n, self.documents[pub], h in self.running, min_docs, min_share)
                )
                for pub, counter in self.counts.items()
            }
        )


_SCHEMA = """
CREATE TABLE IF NOT EXISTS line_counts (
    publisher TEXT NOT NULL, hash INTEGER NOT NULL, docs INTEGER NOT NULL,
    running INTEGER NOT NULL, PRIMARY KEY (publisher, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS line_docs (hash INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS line_publishers (publisher TEXT PRIMARY KEY, docs INTEGER NOT NULL);
"""


class SqliteLineCounter:
    """The same counts in SQLite, so memory stays flat on a corpus of millions.

    Meant to live in the build's staging database (its own two tables), filled
    while articles are listed and read once, before the batches run.
    """

    def __init__(self, db: sqlite3.Connection | Path | str) -> None:
        self.db = db if isinstance(db, sqlite3.Connection) else sqlite3.connect(str(db))
        self.db.executescript(_SCHEMA)

    def add(self, publisher: str | None, text: str) -> None:
        doc, hashes = _doc_lines(text)
        if self.db.execute("INSERT OR IGNORE INTO line_docs VALUES (?)", (doc,)).rowcount == 0:
            return  # an exact duplicate: counted once
        pub = publisher or ""
        running = [h for h, r in hashes.items() if r]
        if running:
            seen = sum(
                self._seen(pub, running[i : i + IN_CHUNK]) for i in range(0, len(running), IN_CHUNK)
            )
            if seen >= NEAR_DUPLICATE_SHARE * len(running):
                return
        self.db.execute(
            "INSERT INTO line_publishers VALUES (?, 1)"
            " ON CONFLICT (publisher) DO UPDATE SET docs = docs + 1",
            (pub,),
        )
        self.db.executemany(
            "INSERT INTO line_counts VALUES (?, ?, 1, ?)"
            " ON CONFLICT (publisher, hash) DO UPDATE SET docs = docs + 1",
            ((pub, h, int(running)) for h, running in hashes.items()),
        )

    def _seen(self, pub: str, hashes: list[int]) -> int:
        """How many of ``hashes`` the publisher's counted documents hold."""
        marks = ",".join("?" * len(hashes))
        (seen,) = self.db.execute(
            f"SELECT COUNT(*) FROM line_counts WHERE publisher = ? AND hash IN ({marks})",
            (pub, *hashes),
        ).fetchone()
        return int(seen)

    def add_many(self, documents: Iterable[tuple[str | None, str]]) -> None:
        for publisher, text in documents:
            self.add(publisher, text)
        self.db.commit()

    def frozen(self, min_docs: int = MIN_DOCS, min_share: float = MIN_SHARE) -> RepeatedLines:
        table: defaultdict[str, set[int]] = defaultdict(set)
        for pub, h, docs, total, running in self.db.execute(
            "SELECT c.publisher, c.hash, c.docs, p.docs, c.running FROM line_counts c"
            " JOIN line_publishers p ON p.publisher = c.publisher WHERE c.docs >= ?",
            (min_docs,),
        ):
            if _keep(docs, total, bool(running), min_docs, min_share):
                table[pub].add(h)
        return RepeatedLines({p: frozenset(v) for p, v in table.items()})


class RepeatedLinesStep(CleaningStep):
    """Remove lines the document's publisher repeats across many documents."""

    name = "repetition"

    def __init__(self, table: RepeatedLines) -> None:
        self.table = table

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        known = self.table.lines(ctx.publisher)
        if not known:
            return []
        hits: list[tuple[int, int, bool, int]] = []
        running_words = 0
        for start, end, line in iter_lines(text):
            view = LineView(line)
            if not view.words:
                continue
            running = is_running_text(view)
            running_words += len(view.words) if running else 0
            if line_hash(view) in known:
                hits.append((start, end, running, len(view.words)))
        removed_running = sum(n for _, _, running, n in hits if running)
        keep_running = running_words - removed_running >= KEEP_RUNNING_SHARE * running_words
        return [
            self.edit(start, end, "", "publisher_line")
            for start, end, running, _ in hits
            if keep_running or not running
        ]


def iter_repeated(table: RepeatedLines) -> Iterator[tuple[str, int]]:
    """(publisher, hash) pairs, for writing a table elsewhere."""
    for pub, hashes in sorted(table.by_publisher.items()):
        for h in sorted(hashes):
            yield pub, h


_REPEATED_SCHEMA = """
CREATE TABLE IF NOT EXISTS line_repeated (
    publisher TEXT NOT NULL, hash INTEGER NOT NULL, PRIMARY KEY (publisher, hash)
) WITHOUT ROWID;
"""


def store_repeated(db: sqlite3.Connection, table: RepeatedLines) -> None:
    """Write a frozen table beside the counts (replacing any earlier one).

    Frozen once by the process that counted, so each worker reads only this
    small table instead of scanning every count again.
    """
    db.executescript(_REPEATED_SCHEMA)
    db.execute("DELETE FROM line_repeated")
    db.executemany("INSERT INTO line_repeated VALUES (?, ?)", iter_repeated(table))


def load_repeated(db: sqlite3.Connection) -> RepeatedLines:
    """The table :func:`store_repeated` wrote (works on a read-only connection)."""
    table: defaultdict[str, set[int]] = defaultdict(set)
    for pub, h in db.execute("SELECT publisher, hash FROM line_repeated"):
        table[pub].add(h)
    return RepeatedLines({p: frozenset(v) for p, v in table.items()})
