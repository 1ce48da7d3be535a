"""The near-duplicate search of the split plan: the clusters of comparing every pair that
shares an LSH band, found with work about linear in a cluster of near-identical articles."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from builder import splits
from builder.splits import _FactsIndex, _UnionFind, lsh_bands

#: an article: (id, text key, signature or None)
Fact = tuple[str, bytes, "np.ndarray | None"]


def _signature(rng: random.Random) -> np.ndarray:
    return np.array([rng.randrange(2**32) for _ in range(64)], dtype="<u8")


def _mutated(signature: np.ndarray, positions: int, rng: random.Random) -> np.ndarray:
    """``signature`` with ``positions`` of its minimums drawn again (from a few values,
    so that some fall back on ones other signatures hold)."""
    out = signature.copy()
    for _ in range(positions):
        out[rng.randrange(64)] = rng.randrange(3)
    return out


def _index_of(directory: Path, facts: list[Fact], threshold: float) -> _FactsIndex:
    index = _FactsIndex(directory, threshold, 64)
    rows = [
        (i, f"g{i}", key, None if sig is None else sig.astype("<u8").tobytes())
        for i, key, sig in facts
    ]
    index.db.executemany("INSERT INTO fact VALUES (?, ?, ?, ?)", rows)
    return index


def _searched(facts: list[Fact], threshold: float) -> tuple[list[tuple[str, str]], int]:
    """The pairs :meth:`_FactsIndex.near_duplicates` gives, and its comparisons."""
    with tempfile.TemporaryDirectory() as tmp:
        index = _index_of(Path(tmp), facts, threshold)
        pairs = []
        for a, b, ga, gb in index.near_duplicates():
            assert (ga, gb) == (f"g{a}", f"g{b}") and a < b
            pairs.append((a, b))
        index.close()
        return pairs, index.comparisons


def _firsts(facts: list[Fact]) -> dict[str, np.ndarray]:
    """The articles that take part: the first (smallest id) of each text, if signed."""
    first: dict[bytes, tuple[str, np.ndarray | None]] = {}
    for article_id, key, sig in sorted(facts, key=lambda f: f[0]):
        if sig is not None and key not in first:
            first[key] = (article_id, sig)
    return {article_id: sig for article_id, sig in first.values() if sig is not None}


def _all_pairs(facts: list[Fact], threshold: float) -> set[tuple[str, str]]:
    """Brute force: every pair of taking-part articles that share a band and whose share
    of equal minimums reaches the threshold."""
    bands, rows = lsh_bands(threshold, 64)
    firsts = sorted(_firsts(facts).items())
    edges = set()
    for i, (a, sa) in enumerate(firsts):
        for b, sb in firsts[i + 1 :]:
            equal = sa == sb
            banded = any(equal[n * rows : (n + 1) * rows].all() for n in range(bands))
            if banded and float(np.mean(equal)) >= threshold:
                edges.add((a, b))
    return edges


def _partition(ids: list[str], pairs: set[tuple[str, str]] | list[tuple[str, str]]) -> set:
    uf = _UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    clusters: dict[str, set[str]] = {}
    for article_id in ids:
        clusters.setdefault(uf.find(article_id), set()).add(article_id)
    return {frozenset(c) for c in clusters.values()}


#: how each article is made, derived ones the most often (chains)
_HOW = ["new", "derived", "derived", "derived", "derived", "copy", "none"]


@st.composite
def _corpora(draw: st.DrawFn) -> tuple[list[Fact], float]:
    """Articles each new, or derived from an earlier one with a few minimums changed (so
    chains of them: each similar to the one before, not to the ones further back), or an
    exact copy of one (same text key), or unsigned; ids shuffled against that order."""
    threshold = draw(st.sampled_from([0.5, 0.7, 0.8, 0.9]))
    steps = draw(
        st.lists(
            st.tuples(st.integers(0, 10**6), st.sampled_from(_HOW)),
            min_size=2,
            max_size=40,
        )
    )
    rng = random.Random(draw(st.integers(0, 2**32)))
    ids = [f"a{i:03d}" for i in rng.sample(range(1000), len(steps))]
    facts: list[Fact] = []
    for i, (pick, how) in enumerate(steps):
        parent = facts[pick % i] if i else None
        if parent is None or parent[2] is None or how == "new":
            facts.append((ids[i], bytes([i]) * 16, _signature(rng)))
        elif how == "copy":
            facts.append((ids[i], parent[1], parent[2]))
        elif how == "derived":
            changed = rng.choice([1, 2, 3, 4, 6, 8, 10, 12, 16, 24, 40])
            facts.append((ids[i], bytes([i]) * 16, _mutated(parent[2], changed, rng)))
        else:
            facts.append((ids[i], bytes([i]) * 16, None))
    return facts, threshold


@pytest.mark.parametrize("cached", [1, 2, splits.CACHED_MEMBERS])
@settings(max_examples=150, deadline=None)
@given(corpus=_corpora())
def test_the_clusters_are_those_of_comparing_every_pair(
    corpus: tuple[list[Fact], float], cached: int
) -> None:
    """Same connected components as the brute force over every pair, whatever the number
    of signatures a bucket caches per cluster (1: most comparisons read the bucket again);
    each pair given is one of the brute force's, and they are a spanning forest."""
    facts, threshold = corpus
    saved, splits.CACHED_MEMBERS = splits.CACHED_MEMBERS, cached
    try:
        pairs, _ = _searched(facts, threshold)
    finally:
        splits.CACHED_MEMBERS = saved
    edges = _all_pairs(facts, threshold)
    ids = sorted(_firsts(facts))
    assert set(pairs) <= edges
    assert _partition(ids, pairs) == _partition(ids, edges)
    assert len(pairs) == len(ids) - len(_partition(ids, edges))  # no pair joins nothing


def _near_identical(k: int, *, drift: bool) -> list[Fact]:
    """``k`` copies of one signature, two minimums changed in each (every pair similar
    at 0.8); with ``drift``, each changed from the one before instead, by one minimum
    (similar to the last few only)."""
    rng = random.Random(k)
    base = _signature(rng)
    facts: list[Fact] = []
    for i in range(k):
        if drift:
            base = base.copy()
            base[rng.randrange(64)] = rng.randrange(2**32)
            sig = base
        else:
            sig = base.copy()
            for position in rng.sample(range(64), 2):
                sig[position] = rng.randrange(2**32)
        facts.append((f"a{i:05d}", i.to_bytes(16, "big"), sig))
    return facts


@pytest.mark.parametrize("drift", [False, True])
def test_a_cluster_of_near_identical_articles_costs_about_one_comparison_each(
    drift: bool,
) -> None:
    """Syndicated copies of one story: k near-identical articles were k(k-1)/2 candidate
    pairs, each confirmed (2,000 pages: 37.5 s, 930 MB); now each article is compared
    with about one member of the cluster met before it."""
    for k in (150, 300):
        pairs, comparisons = _searched(_near_identical(k, drift=drift), 0.8)
        assert len(pairs) == k - 1  # one cluster
        assert comparisons <= 2 * k, (k, comparisons)  # all pairs: 44,850 at k = 300


@pytest.mark.parametrize("cached", [1, splits.CACHED_MEMBERS])
def test_a_member_similar_only_to_one_no_longer_cached_is_joined(cached: int) -> None:
    """At 0.8 (5 bands of 11 minimums): ``a``, 64 articles similar to ``a`` and not to
    ``x``, then ``x``, similar to ``a`` only and sharing only band 0 with it. ``x`` is
    compared with the cached members of ``a``'s cluster in that bucket (none similar), then
    with the bucket's earlier members read again, ``a`` among them: one cluster."""
    rng = random.Random(5)
    a = _signature(rng)
    x = a.copy()
    apart = [11 + 11 * band for band in range(4)]  # one minimum in each of bands 1 to 4
    x[apart] = [rng.randrange(2**32) for _ in apart]
    elsewhere = [p for p in range(11, 64) if p not in apart]
    facts: list[Fact] = [("a000", b"a" * 16, a), ("x", b"x" * 16, x)]
    for i in range(64):
        c = a.copy()
        for position in rng.sample(elsewhere, 10):  # 54 of 64 like a, 50 like x
            c[position] = rng.randrange(2**32)
        facts.append((f"c{i:03d}", i.to_bytes(16, "big"), c))
    saved, splits.CACHED_MEMBERS = splits.CACHED_MEMBERS, cached
    try:
        pairs, _ = _searched(facts, 0.8)
    finally:
        splits.CACHED_MEMBERS = saved
    assert ("a000", "x") in pairs and ("a000", "x") in _all_pairs(facts, 0.8)
    ids = sorted(_firsts(facts))
    assert _partition(ids, pairs) == _partition(ids, _all_pairs(facts, 0.8)) == {frozenset(ids)}
