"""Memory stays bounded: one huge article, and many tiny ones (reduced scale).

Each build runs in its own process, which reports its peak RSS. The bounds are
generous ratios against a baseline build of two tiny articles (mostly the
interpreter and libraries), so they catch a build that holds what it should
stream (every text, every row), not noise. Full scale, with timings, is
``bench/bench_limits.py``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from corpus_helpers import WORDS, article_id, make_corpus

HUGE_BYTES = 5_000_000
TINY_FEW, TINY_MANY = 2_000, 20_000
#: Peak RSS above the baseline, as a multiple of the huge article's size.
HUGE_FACTOR = 40
#: Peak RSS growth per additional tiny article, in bytes.
PER_ARTICLE_BYTES = 5_000

MEASURE = """
import json, resource, sys
from builder.pipeline import build
result = build(sys.argv[1], sys.argv[2])
print(json.dumps({
    "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "written": result.stats.stages["written"],
}))
"""


def _huge_text(i: int) -> str:
    if i != 0:
        return f"Reuters item {i}.\n"
    rng = random.Random(5)
    parts, size = ["Reuters reported.\n\n"], 0
    while size < HUGE_BYTES:
        para = " ".join(rng.choice(WORDS) for _ in range(70)).capitalize() + ".\n\n"
        parts.append(para)
        size += len(para)
    return "".join(parts)


def _tiny_text(i: int) -> str:
    return f"Reuters item {i}: {WORDS[i % len(WORDS)]} {WORDS[(7 * i) % len(WORDS)]}.\n"


def _measure(inputs: Path, out: Path) -> dict[str, int]:
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(inputs), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("limits")
    small_groups = {"output": {"row_group_max_bytes": 1 << 20}}
    return {
        "baseline": make_corpus(root / "baseline", 2, text=_tiny_text).root,
        "huge": make_corpus(root / "huge", 2, text=_huge_text).root,
        "few": make_corpus(root / "few", TINY_FEW, text=_tiny_text, config=small_groups).root,
        "many": make_corpus(root / "many", TINY_MANY, text=_tiny_text, config=small_groups).root,
    }


@pytest.fixture(scope="module")
def peaks(
    corpora: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, int]]:
    out = tmp_path_factory.mktemp("limits-out")
    with ThreadPoolExecutor(max_workers=2) as pool:  # two builds at a time: 2 cores
        futures = {name: pool.submit(_measure, path, out / name) for name, path in corpora.items()}
        results = {name: f.result() for name, f in futures.items()}
    results["out"] = {"path": str(out)}  # type: ignore[dict-item]
    return results


def test_one_huge_article_is_built_whole_within_a_bounded_multiple_of_its_size(
    peaks: dict[str, dict[str, int]], corpora: dict[str, Path]
) -> None:
    assert peaks["huge"]["written"] == 2
    rows = {
        r["id"]: r
        for p in (Path(peaks["out"]["path"]) / "huge" / "data").glob("*.parquet")  # type: ignore[arg-type]
        for r in pq.read_table(p, columns=["id", "text"]).to_pylist()
    }
    assert len(rows[article_id(0)]["text"]) > HUGE_BYTES * 0.99
    over = peaks["huge"]["peak_rss"] - peaks["baseline"]["peak_rss"]
    assert over < HUGE_FACTOR * HUGE_BYTES, f"{over / HUGE_BYTES:.1f}x the article's size"


def test_many_tiny_articles_keep_memory_nearly_flat(peaks: dict[str, dict[str, int]]) -> None:
    assert peaks["few"]["written"] == TINY_FEW and peaks["many"]["written"] == TINY_MANY
    growth = peaks["many"]["peak_rss"] - peaks["few"]["peak_rss"]
    per_article = growth / (TINY_MANY - TINY_FEW)
    assert per_article < PER_ARTICLE_BYTES, f"{per_article:,.0f} bytes per article"


def test_an_article_over_the_size_cap_is_rejected_without_being_read(tmp_path: Path) -> None:
    """The cap is checked on the file's size, before a byte is read."""
    from builder.ingest import read_article

    path = tmp_path / "big.txt"
    with path.open("wb") as handle:  # a sparse 2 GB file: reading it would be the failure
        handle.truncate(2 * 10**9)
    article, issues = read_article("big", path, root=tmp_path, max_bytes=10_000_000)
    assert article is None
    assert [i.rule for i in issues] == ["size-limit"]
    assert (
        "2000000000 bytes" in issues[0].message and "limits.max_article_bytes" in issues[0].message
    )


def test_an_over_long_jsonl_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    from builder.jsonl import read_jsonl

    path = tmp_path / "sources.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"article_id": "a", "notes": "' + b"x" * 50_000_000 + b'"}\n')
        handle.write(b'{"article_id": "b"}\n')
    tracemalloc.start()
    records = list(read_jsonl(path, max_line_bytes=1 << 20))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [(n, r is None, [i.rule for i in issues]) for n, r, issues in records] == [
        (1, True, ["size-limit"]),
        (2, False, []),
    ]
    assert records[0][2][0].record == "a"
    assert peak < 8 << 20, f"{peak:,} bytes traced while skipping a 50 MB line"


#: Traced Python memory allowed while staging and reading back many ids (about
#: 10 bytes an id at this scale; a list of them alone is over 60).
IDS_MANY = 20_000
IDS_PEAK_BYTES = 1 << 20


def test_article_ids_are_staged_sorted_and_checked_without_a_list_of_them(
    tmp_path: Path,
) -> None:
    """The listing streams into SQLite, which sorts it and finds case collisions."""
    import tracemalloc

    from builder.ingest import iter_article_ids
    from builder.staging import Staging

    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(IDS_MANY):
        (folder / f"t{i:07d}.txt").touch()
    with Staging(tmp_path / "staging.sqlite") as staging:
        tracemalloc.start()
        staging.add_article_ids(iter_article_ids(folder))
        groups = list(staging.case_collisions())
        count = staging.article_count()
        last, ordered = "", True
        for article_id in staging.article_ids():
            ordered &= last < article_id
            last = article_id
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert (count, groups, ordered, last) == (IDS_MANY, [], True, f"t{IDS_MANY - 1:07d}")
    assert peak < IDS_PEAK_BYTES, f"{peak:,} bytes traced for {IDS_MANY:,} ids"


def test_staged_ids_keep_python_order_and_case_collisions(tmp_path: Path) -> None:
    """SQLite's order is code point order, as sorted(); folding is str.casefold()."""
    from builder.staging import Staging

    ids = ["b", "B", "Straße", "STRASSE", "émile", "Émile", "ÉMILE", "z", "日本", "a-1", "a_1"]
    ids += [f"x{i}" for i in range(5)]
    with Staging(tmp_path / "staging.sqlite") as staging:
        staging.add_article_ids(iter(ids))
        assert list(staging.article_ids(chunk=3)) == sorted(ids)
        assert list(staging.case_collisions()) == [
            ["B", "b"],
            ["STRASSE", "Straße"],
            ["ÉMILE", "Émile", "émile"],
        ]
