"""Deterministic, leakage-safe split assignment.

Articles are first joined into components that must not straddle splits:
same grouping key (publisher, story group), identical normalized text, or
near-identical text (LSH over the MinHash signatures of :mod:`builder.signatures`).
Each component then goes to one split: an explicit assignment from the
configuration when one of its members is named there, otherwise a salted hash of
the component's key, so the same inputs always give the same splits and an article
keeps its split when others are added (as in TFDS's hash-based splitting).

Memory stays flat in the number of articles: the facts stream into a
temporary SQLite file, duplicates are found there by SQL, and only grouping
keys that a duplicate joins to another key are held in memory. Everything else
is a singleton component whose split is a pure function of its key, so the
plan answers :meth:`SplitPlan.split_of` for any article without a table of
every id.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import numpy as np

from .staging import ArticleFacts

__all__ = ["SplitPlan", "SplitPlanner", "hash_split", "plan_splits"]


_INSERT_BATCH = 10_000

#: ``datasketch.lsh._optimal_param(threshold, 64, 0.5, 0.5)`` for the usual
#: thresholds: datasketch's banding needs scipy, whose import costs 1.3-3.5 s in
#: the parent, serially, on every build. Other thresholds ask datasketch;
#: ``tests/test_splits.py`` checks the table against it.
KNOWN_BANDS: dict[tuple[float, int], tuple[int, int]] = {
    (0.5, 64): (14, 4),
    (0.55, 64): (12, 5),
    (0.6, 64): (10, 6),
    (0.65, 64): (9, 7),
    (0.7, 64): (8, 8),
    (0.75, 64): (7, 9),
    (0.8, 64): (5, 11),
    (0.85, 64): (4, 15),
    (0.9, 64): (3, 21),
    (0.95, 64): (2, 32),
}


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) as datasketch's ``MinHashLSH`` chooses them."""
    known = KNOWN_BANDS.get((threshold, num_perm))
    if known is not None:
        return known
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, 0.5, 0.5)


class _UnionFind:
    """Union-find whose root is always the smallest member (the component's key)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while (up := self.parent.get(root, root)) != root:
            root = up
        while (up := self.parent.get(x, x)) != root:  # path compression
            self.parent[x], x = root, up
        return root

    def union(self, a: str, b: str) -> bool:
        """Join two components; True when they were apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _clusters_of(pairs: Sequence[Sequence[str]]) -> list[list[str]]:
    """The articles joined by ``pairs``, as clusters of ids, ids sorted, clusters by their
    first id: what the build warns of, once per cluster.

    >>> _clusters_of([["a", "b"], ["c", "d"], ["b", "c"], ["x", "y"]])
    [['a', 'b', 'c', 'd'], ['x', 'y']]
    """
    uf = _UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    members: defaultdict[str, list[str]] = defaultdict(list)
    for article_id in sorted({x for pair in pairs for x in pair}):
        members[uf.find(article_id)].append(article_id)
    return sorted(members.values())


def hash_split(key: str, ratios: Mapping[str, float], salt: str) -> str:
    """The split a key falls in: a salted SHA-256 mapped onto cumulative ratios."""
    digest = hashlib.sha256(f"{salt}\x00{key}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    names = list(ratios)
    for name in names:
        total += ratios[name]
        if point < total:
            return name
    return names[-1]


def _explicit_key(group_key: str) -> str:
    """``publisher:BBC`` -> ``BBC``: the name a configuration assigns a group by."""
    return group_key.split(":", 1)[1]


@dataclass
class SplitPlan:
    """Which split each article goes to, and what the card and report say about it.

    Only components that are pinned by the configuration or joined by a
    duplicate are stored; every other article's split is the hash of its
    grouping key. Use :meth:`split_of` (or :meth:`assign`) to read it.
    """

    ratios: Mapping[str, float]
    salt: str
    exact_duplicates: list[list[str]] = field(default_factory=list)
    #: clusters of near-identical articles (the first of each identical text), each's ids
    #: sorted, by first id; every article of one is in one split
    near_duplicate_clusters: list[list[str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    #: ``splits.assignment`` names that match no article id and no group key (a typo, an
    #: article left out): they pin nothing
    unmatched: list[str] = field(default_factory=list)
    components: int = 0
    #: grouping key -> its component's key, for keys a duplicate joined to others
    _root_of: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    #: component key -> split, for components the configuration pins
    _pinned_split: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def split_of(self, group_key: str) -> str:
        """The split of every article with this grouping key (pins were resolved to keys)."""
        root = self._root_of.get(group_key, group_key)
        if root in self._pinned_split:
            return self._pinned_split[root]
        return hash_split(root, self.ratios, self.salt)

    def assign(self, facts: Iterable[ArticleFacts]) -> Iterator[tuple[str, str]]:
        """``(article id, split)`` for each of ``facts``, streamed."""
        for f in facts:
            yield f.id, self.split_of(f.group_key)


class _FactsIndex:
    """Ids, grouping keys, text hashes and MinHash bands in a temporary SQLite file.

    An in-memory index costs about 3 KB per article for LSH bands alone (a
    million articles: gigabytes); here they cost disk, exact duplicates come
    from ``GROUP BY`` and near-duplicate candidates from the LSH buckets read in
    order. Candidates are confirmed by their estimated Jaccard similarity, so a
    band collision alone never groups two articles.
    """

    def __init__(self, directory: Path, threshold: float | None, num_perm: int) -> None:
        self.threshold = threshold
        #: signatures compared by :meth:`near_duplicates` (about one per member of a
        #: cluster of near-identical articles; a test counts them)
        self.comparisons = 0
        self.bands = self.rows = 0
        if threshold is not None:
            self.bands, self.rows = lsh_bands(threshold, num_perm)
        self.db = sqlite3.connect(directory / "splits.sqlite")
        # Indexed as the facts arrive: a build adds them batch by batch while the
        # workers run, and the plan left after the last batch is the queries.
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE fact (id TEXT PRIMARY KEY, grp TEXT, text_key BLOB, minhash BLOB);"
            "CREATE INDEX fact_text ON fact (text_key, id);"
            # the table is its own index: buckets are read in (band, key, id) order
            "CREATE TABLE band (n INTEGER, key BLOB, id TEXT, PRIMARY KEY (n, key, id))"
            " WITHOUT ROWID;"
        )
        #: the facts up to this rowid have their bands (when they are first of their text)
        self._banded = 0

    def add_all(
        self, facts: Iterable[ArticleFacts], on_fact: Callable[[ArticleFacts], None]
    ) -> None:
        batch: list[ArticleFacts] = []
        for f in facts:
            on_fact(f)
            batch.append(f)
            if len(batch) >= _INSERT_BATCH:
                self._insert(batch)
                batch = []
        self._insert(batch)

    def _insert(self, batch: list[ArticleFacts]) -> None:
        if not batch:
            return
        self.db.executemany(
            "INSERT INTO fact VALUES (?, ?, ?, ?)",
            (
                (f.id, f.group_key, bytes.fromhex(f.text_key)[:16], f.minhash)  # 128 bits
                for f in batch
            ),
        )
        self._band_new()

    def _band_new(self) -> None:
        """The bands of the facts added since the last call that are the first (smallest
        id) of their text so far: only the first article of each identical text takes
        part in the near-duplicate search, its copies being exact duplicates of it.

        Each band is cut by SQLite itself (``substr`` counts bytes in a BLOB): a Python
        statement per article cost 0.1 CPU s per 5,000 articles. A new fact with a
        smaller id than a banded one of the same text takes its place: that one's
        bands are dropped (found by the text index; a build adds its batches in id
        order, so there it finds none and deletes nothing)."""
        if self.threshold is None:
            return
        displaced = (
            "SELECT g.id FROM fact f JOIN fact g ON g.text_key = f.text_key AND g.id > f.id"
            " WHERE f.rowid > ? AND f.minhash IS NOT NULL AND g.rowid <= ?"
        )
        if self.db.execute(displaced + " LIMIT 1", (self._banded,) * 2).fetchone():
            # (band has no index by id: scanned only when something is to be dropped)
            self.db.execute(f"DELETE FROM band WHERE id IN ({displaced})", (self._banded,) * 2)
        width = self.rows * 8
        self.db.execute(
            "INSERT INTO band SELECT n.v, substr(f.minhash, n.v * ? + 1, ?), f.id FROM"
            " (SELECT id, minhash FROM fact f WHERE f.rowid > ? AND f.minhash IS NOT NULL"
            "  AND NOT EXISTS (SELECT 1 FROM fact g WHERE g.text_key = f.text_key"
            "   AND g.id < f.id AND g.minhash IS NOT NULL)) AS f,"
            " (WITH RECURSIVE c(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM c WHERE v + 1 < ?)"
            "  SELECT v FROM c) AS n",
            (width, width, self._banded, self.bands),
        )
        self._banded = self.db.execute("SELECT COALESCE(MAX(rowid), 0) FROM fact").fetchone()[0]

    def group_keys(self) -> int:
        return self.db.execute("SELECT COUNT(DISTINCT grp) FROM fact").fetchone()[0]

    def exact_duplicates(self) -> Iterator[list[tuple[str, str]]]:
        """Groups of ``(id, group key)`` with identical text, each in id order."""
        group: list[tuple[str, str]] = []
        last: bytes | None = None
        for key, article_id, grp in self.db.execute(
            "SELECT text_key, id, grp FROM fact WHERE text_key IN"
            " (SELECT text_key FROM fact GROUP BY text_key HAVING COUNT(*) > 1)"
            " ORDER BY text_key, id"
        ):
            if key != last and group:
                yield group
                group = []
            last = key
            group.append((article_id, grp))
        if group:
            yield group

    def near_duplicates(self) -> Iterator[tuple[str, str, str, str]]:
        """Near-duplicate pairs ``(a, b, group of a, group of b)``, a < b, that join
        clusters: a spanning forest of the graph whose edges are the pairs sharing an
        LSH band with an estimated Jaccard similarity of at least the threshold (its
        connected components are the same; a pair inside one cluster already adds
        nothing to them).

        Only the first article of each identical text takes part: its copies
        are already joined to it as exact duplicates. The band rows of buckets with
        more than one member are streamed in ``(band, key, id)`` order, so work is
        about linear in a cluster of near-identical articles (the thousands of
        copies of one wire story: each is compared with one member of the cluster
        met before it, not with all of them), and memory holds the clustered ids and,
        for the bucket at hand, at most :data:`CACHED_MEMBERS` signatures per cluster.
        """
        if self.threshold is None:
            return
        self._band_new()  # facts written into the table directly (tests) have theirs now
        uf = _UnionFind()
        rows = self.db.execute(
            "SELECT b.n, b.key, b.id, f.grp, f.minhash FROM band b CROSS JOIN fact f ON f.id = b.id"
            " WHERE EXISTS (SELECT 1 FROM band o WHERE o.n = b.n AND o.key = b.key"
            " AND o.id <> b.id) ORDER BY b.n, b.key, b.id"
        )
        for (n, key), members in groupby(rows, key=itemgetter(0, 1)):
            bucket = _Bucket(self, n, key, uf)
            for _, _, article_id, grp, minhash in members:
                yield from bucket.add(_Member(article_id, grp, np.frombuffer(minhash, "<u8")))

    def similar(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Whether two signatures' estimated Jaccard similarity (their share of equal
        minimums) reaches the threshold."""
        self.comparisons += 1
        assert self.threshold is not None
        return np.count_nonzero(a == b) / a.size >= self.threshold

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True, slots=True)
class _Member:
    """An article in an LSH bucket: its id, grouping key and signature."""

    id: str
    grp: str
    minhash: np.ndarray


#: Members of one cluster whose signatures a bucket keeps, the last ones met: a new
#: member is compared with them first, the latest first (any copy of a wire story
#: is similar to the one before it, and so is each version of a text edited a little
#: at a time). Past them the bucket's earlier members are read again from the index
#: (rare: it takes a new member similar to none of them), so a bucket holds at most
#: this many signatures per cluster in it, however large.
CACHED_MEMBERS = 64


class _Bucket:
    """The members of one LSH bucket seen so far, by near-duplicate cluster (``uf``, over
    article ids, shared by every bucket), as :meth:`_FactsIndex.near_duplicates` meets
    them in id order.

    A new member is compared with members of each other cluster in the bucket until one
    is similar enough, which joins the two; members of its own cluster are not compared
    (they would join nothing). That finds the same clusters as comparing every pair in
    the bucket: a similar pair ``(a, b)`` left uncompared is in one cluster when ``b``
    comes, or ``b`` is compared with ``a``'s cluster until a member (``a`` at the
    latest) is similar, which joins them.
    """

    def __init__(self, index: _FactsIndex, n: int, key: bytes, uf: _UnionFind) -> None:
        self.index, self.n, self.key, self.uf = index, n, key, uf
        #: cluster (its root) -> its last :data:`CACHED_MEMBERS` members in the bucket
        self.cached: dict[str, deque[_Member]] = {}
        #: clusters with more members in the bucket than are cached
        self.crowded: set[str] = set()

    def add(self, x: _Member) -> Iterator[tuple[str, str, str, str]]:
        """The pairs that join ``x`` to the clusters in the bucket it is similar to."""
        find = self.uf.find
        for root in list(self.cached):
            if find(root) == find(x.id):
                continue  # x's own cluster, or one x was joined to just now
            match = self._match(x, root)
            if match is not None:
                self.uf.union(match.id, x.id)
                yield match.id, x.id, match.grp, x.grp
        self._keep(x)

    def _match(self, x: _Member, root: str) -> _Member | None:
        """A member of ``root``'s cluster in the bucket similar to ``x``, if any."""
        cached = self.cached[root]
        for member in reversed(cached):
            if self.index.similar(member.minhash, x.minhash):
                return member
        if root not in self.crowded:
            return None
        seen = {member.id for member in cached}
        for article_id, grp, minhash in self.index.db.execute(
            "SELECT b.id, f.grp, f.minhash FROM band b CROSS JOIN fact f ON f.id = b.id"
            " WHERE b.n = ? AND b.key = ? AND b.id < ? ORDER BY b.id DESC",
            (self.n, self.key, x.id),
        ):
            if article_id in seen or self.uf.find(article_id) != root:
                continue
            member = _Member(article_id, grp, np.frombuffer(minhash, "<u8"))
            if self.index.similar(member.minhash, x.minhash):
                return member
        return None

    def _keep(self, x: _Member) -> None:
        """``x`` into its cluster's cache, with the caches of the clusters it joined."""
        root = self.uf.find(x.id)
        members: deque[_Member] = deque(maxlen=CACHED_MEMBERS)
        crowded = False
        for joined in [r for r in self.cached if self.uf.find(r) == root]:
            cached = self.cached.pop(joined)
            crowded |= joined in self.crowded or len(members) + len(cached) > CACHED_MEMBERS
            members.extend(cached)
            self.crowded.discard(joined)
        crowded |= len(members) == CACHED_MEMBERS
        members.append(x)
        if crowded:
            self.crowded.add(root)
        self.cached[root] = members


class SplitPlanner:
    """:func:`plan_splits` in two steps: the facts added as they come (a build adds each
    batch's when its result is taken, while the workers run the next ones), then
    :meth:`plan`. Only the duplicate queries and the components remain after the
    last batch. Use it as a context manager (its temporary index is removed on exit)."""

    def __init__(
        self,
        *,
        assignment: Mapping[str, str],
        near_duplicate_threshold: float | None,
        num_perm: int = 64,
    ) -> None:
        self._assignment = assignment
        self._tmp = tempfile.TemporaryDirectory(prefix="builder-splits-")
        self._index = _FactsIndex(Path(self._tmp.name), near_duplicate_threshold, num_perm)
        #: group key -> {configuration name: split}
        self._pins: defaultdict[str, dict[str, str]] = defaultdict(dict)

    def __enter__(self) -> SplitPlanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._index.close()
        self._tmp.cleanup()

    def _note_pins(self, f: ArticleFacts) -> None:
        assignment = self._assignment
        if f.id in assignment:
            self._pins[f.group_key][f.id] = assignment[f.id]
        name = _explicit_key(f.group_key)
        if name in assignment:
            self._pins[f.group_key][name] = assignment[name]

    def add(self, facts: Iterable[ArticleFacts]) -> None:
        """Index these articles' facts (any order; the plan is the same)."""
        self._index.add_all(facts, self._note_pins)

    def plan(self, *, ratios: Mapping[str, float], salt: str) -> SplitPlan:
        """The plan of every article added (see the module docstring)."""
        plan = SplitPlan(ratios=dict(ratios), salt=salt)
        uf = _UnionFind()
        index = self._index
        merges = 0
        for group in index.exact_duplicates():
            plan.exact_duplicates.append([article_id for article_id, _ in group])
            merges += sum(uf.union(group[0][1], grp) for _, grp in group[1:])
        joins: list[tuple[str, str]] = []  # a spanning forest of each near-duplicate cluster
        for a, b, ga, gb in index.near_duplicates():
            joins.append((a, b))
            merges += uf.union(ga, gb)
        plan.near_duplicate_clusters = _clusters_of(joins)
        plan.components = index.group_keys() - merges
        plan.exact_duplicates.sort()

        matched = {name for named in self._pins.values() for name in named}
        plan.unmatched = sorted(set(self._assignment) - matched)
        plan._root_of = {key: uf.find(key) for key in uf.parent}
        by_component: defaultdict[str, dict[str, str]] = defaultdict(dict)
        for key, named in self._pins.items():
            by_component[plan._root_of.get(key, key)].update(named)
        for root, named in sorted(by_component.items()):
            splits = sorted(set(named.values()))
            if len(splits) > 1:
                said = ", ".join(f"{name!r} -> {split}" for name, split in sorted(named.items()))
                plan.conflicts.append(
                    f"{said}: these name articles that must share a split"
                    f" (joined through {root!r}, by grouping key or duplicate text)"
                )
            plan._pinned_split[root] = splits[0]
        return plan


def plan_splits(
    facts: Iterable[ArticleFacts],
    *,
    ratios: Mapping[str, float],
    salt: str,
    assignment: Mapping[str, str],
    near_duplicate_threshold: float | None,
    num_perm: int = 64,
) -> SplitPlan:
    """Plan the split of every article (see the module docstring).

    ``assignment`` pins articles (by id) or groups (by the grouping key's
    value, e.g. a publisher) to a split, as the configuration's
    ``splits.assignment`` does.
    """
    with SplitPlanner(
        assignment=assignment, near_duplicate_threshold=near_duplicate_threshold, num_perm=num_perm
    ) as planner:
        planner.add(facts)
        return planner.plan(ratios=ratios, salt=salt)
