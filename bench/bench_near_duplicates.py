"""The split plan's near-duplicate search on one cluster of near-identical articles.

    PYTHONPATH=TREE .venv/bin/python bench/bench_near_duplicates.py -k 2000 --normal 5000

Syndicated wire copies are one long text published again and again with a few
words changed: ``-k`` such articles (a 900-word text, three words replaced in each
copy), beside ``--normal`` unrelated articles, are indexed by a
:class:`builder.splits.SplitPlanner` as a build indexes them; then the plan is
made, and its CPU and wall time are printed with the process's peak RSS (before
and after the plan) as one JSON line. Signatures are computed once per
``(k, normal, seed)`` and kept in ``/tmp`` so that rounds time the plan alone.
``PYTHONPATH`` picks the tree measured (say ``/work/main`` for the previous design).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import resource
import time
from pathlib import Path

from builder.signatures import text_signature
from builder.splits import SplitPlanner
from builder.staging import ArticleFacts

WORDS = 900
CHANGED = 3


def cluster_texts(k: int, rng: random.Random) -> list[str]:
    """``k`` copies of one text, each with :data:`CHANGED` of its words replaced."""
    base = [f"w{rng.randrange(5000)}" for _ in range(WORDS)]
    texts = []
    for i in range(k):
        words = list(base)
        for _ in range(CHANGED):
            words[rng.randrange(WORDS)] = f"edit{i}x{rng.randrange(10**6)}"
        texts.append(" ".join(words))
    return texts


def normal_texts(n: int, rng: random.Random) -> list[str]:
    return [" ".join(f"w{rng.randrange(50000)}" for _ in range(300)) for _ in range(n)]


def corpus(k: int, normal: int, seed: int) -> list[ArticleFacts]:
    cache = Path(f"/tmp/bench-neardup-{k}-{normal}-{seed}.pickle")
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    rng = random.Random(seed)
    texts = cluster_texts(k, rng) + normal_texts(normal, rng)
    order = list(range(len(texts)))
    rng.shuffle(order)  # the cluster's ids spread among the others'
    facts = [
        ArticleFacts(
            id=f"a{order[i]:08d}",
            group_key=f"id:a{order[i]:08d}",
            text_key=hashlib.sha256(text.encode()).hexdigest(),
            row_bytes=100,
            publisher=None,
            minhash=text_signature(text),
        )
        for i, text in enumerate(texts)
    ]
    facts.sort(key=lambda f: f.id)
    cache.write_bytes(pickle.dumps(facts))
    return facts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=2000, help="near-identical articles")
    parser.add_argument("--normal", type=int, default=5000, help="unrelated articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    facts = corpus(args.k, args.normal, args.seed)
    with SplitPlanner(assignment={}, near_duplicate_threshold=0.8) as planner:
        cpu, wall = time.process_time(), time.perf_counter()
        for start in range(0, len(facts), 1000):  # a build adds its batches' facts
            planner.add(facts[start : start + 1000])
        add_cpu = time.process_time() - cpu
        rss_before = peak_rss_mb()
        cpu, wall = time.process_time(), time.perf_counter()
        plan = planner.plan(ratios={"train": 0.8, "test": 0.2}, salt="s")
        plan_cpu, plan_wall = time.process_time() - cpu, time.perf_counter() - wall
        comparisons = getattr(planner._index, "comparisons", None)
    splits = sorted(plan.assign(facts))
    print(
        json.dumps(
            {
                "k": args.k,
                "normal": args.normal,
                "add_cpu_s": round(add_cpu, 3),
                "plan_cpu_s": round(plan_cpu, 3),
                "plan_wall_s": round(plan_wall, 3),
                "peak_rss_before_plan_mb": round(rss_before, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "components": plan.components,
                "comparisons": comparisons,
                "splits_sha256": hashlib.sha256(repr(splits).encode()).hexdigest()[:16],
            }
        )
    )


if __name__ == "__main__":
    main()
