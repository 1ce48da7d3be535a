"""Deterministic, leakage-safe split assignment.

Articles are first joined into components that must not straddle splits:
same grouping key (publisher, story group), identical normalized text, or
near-identical text (MinHash LSH over word 5-grams). Each component then goes
to one split: an explicit assignment from the configuration when one of its
members is named there, otherwise a salted hash of the component's key, so the
same inputs always give the same splits and an article keeps its split when
others are added (as in TFDS's hash-based splitting).
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .staging import ArticleFacts

__all__ = ["MINHASH_SCHEME", "SplitPlan", "hash_split", "plan_splits"]

#: datasketch hashing scheme the stored signatures were made with.
MINHASH_SCHEME = "affine32"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class SplitPlan:
    """The assignment, and what the card and report say about it."""

    assignment: dict[str, str] = field(default_factory=dict)  # article id -> split
    exact_duplicates: list[list[str]] = field(default_factory=list)
    near_duplicates: list[list[str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    components: int = 0


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
    return group_key.split(":", 1)[1]


class _NearDuplicates:
    """MinHash LSH banding kept in a temporary SQLite file, not in memory.

    An in-memory LSH index costs about 3 KB per article (a million articles:
    gigabytes); bands in SQLite cost disk instead, and candidate pairs come
    from one self-join. Candidates are confirmed by their estimated Jaccard
    similarity, so a band collision alone never groups two articles.
    """

    def __init__(self, threshold: float, num_perm: int, directory: Path) -> None:
        from datasketch.lsh import _optimal_param  # same banding as datasketch's MinHashLSH

        self.threshold = threshold
        self.bands, self.rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
        self.db = sqlite3.connect(directory / "near-duplicates.sqlite")
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE band (n INTEGER, key BLOB, id TEXT);"
            "CREATE TABLE sig (id TEXT PRIMARY KEY, hashes BLOB);"
        )

    def add(self, article_id: str, minhash: bytes) -> None:
        width = self.rows * 8
        self.db.executemany(
            "INSERT INTO band VALUES (?, ?, ?)",
            ((n, minhash[n * width : (n + 1) * width], article_id) for n in range(self.bands)),
        )
        self.db.execute("INSERT INTO sig VALUES (?, ?)", (article_id, minhash))

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Confirmed near-duplicate pairs (a < b), in a stable order."""
        self.db.execute("CREATE INDEX band_key ON band (n, key)")
        candidates = self.db.execute(
            "SELECT DISTINCT a.id, b.id FROM band a JOIN band b"
            " ON a.n = b.n AND a.key = b.key AND a.id < b.id ORDER BY a.id, b.id"
        ).fetchall()
        for a, b in candidates:
            ha, hb = (
                np.frombuffer(
                    self.db.execute("SELECT hashes FROM sig WHERE id = ?", (i,)).fetchone()[0],
                    dtype="<u8",
                )
                for i in (a, b)
            )
            if float(np.mean(ha == hb)) >= self.threshold:
                yield a, b

    def close(self) -> None:
        self.db.close()


def plan_splits(
    facts: Iterable[ArticleFacts],
    *,
    ratios: Mapping[str, float],
    salt: str,
    assignment: Mapping[str, str],
    near_duplicate_threshold: float | None,
    num_perm: int = 64,
) -> SplitPlan:
    """Assign every article to one split (see the module docstring)."""
    uf = _UnionFind()
    by_text: dict[bytes, str] = {}
    group_of: dict[str, str] = {}
    first_of_group: dict[str, str] = {}
    exact: defaultdict[str, list[str]] = defaultdict(list)
    near_pairs: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="builder-splits-") as tmp:
        near = (
            _NearDuplicates(near_duplicate_threshold, num_perm, Path(tmp))
            if near_duplicate_threshold is not None
            else None
        )
        for f in facts:
            group_of[f.id] = f.group_key
            uf.find(f.id)
            if f.group_key in first_of_group:
                uf.union(f.id, first_of_group[f.group_key])
            else:
                first_of_group[f.group_key] = f.id
            text_key = bytes.fromhex(f.text_key)[:16]  # 128 bits: no collision in practice
            if text_key in by_text:
                uf.union(f.id, by_text[text_key])
                exact[by_text[text_key]].append(f.id)
            else:
                by_text[text_key] = f.id
                if near is not None and f.minhash is not None:
                    near.add(f.id, f.minhash)
        if near is not None:
            for a, b in near.pairs():
                uf.union(a, b)
                near_pairs.append((a, b))
            near.close()
    plan = SplitPlan()
    plan.exact_duplicates = [[first, *dups] for first, dups in sorted(exact.items())]
    plan.near_duplicates = [list(p) for p in sorted(near_pairs)]
    members: defaultdict[str, list[str]] = defaultdict(list)
    for article_id in group_of:
        members[uf.find(article_id)].append(article_id)
    plan.components = len(members)
    for _root, ids in sorted(members.items()):
        keys = sorted({group_of[i] for i in ids})
        pinned = _pinned(ids, keys, assignment)
        if len(pinned) > 1:
            plan.conflicts.append(
                f"articles {sorted(ids)} must share a split but are assigned to {sorted(pinned)}"
            )
        split = sorted(pinned)[0] if pinned else hash_split(keys[0], ratios, salt)
        for article_id in ids:
            plan.assignment[article_id] = split
    return plan


def _pinned(ids: Sequence[str], keys: Sequence[str], assignment: Mapping[str, str]) -> set[str]:
    found = {assignment[i] for i in ids if i in assignment}
    found |= {assignment[_explicit_key(k)] for k in keys if _explicit_key(k) in assignment}
    return found
