"""CPU seconds per MB of ``Cleaner.clean``, this tree against another, interleaved.

    .venv/bin/python bench/bench_clean_mb.py /tmp/m23 --texts /tmp/c5k/articles --reps 5
    .venv/bin/python bench/bench_clean_mb.py /tmp/m23 --reps 5        # the real dev pages

Each repetition builds a fresh cleaner on each side and empties the line-view cache, so
every text is cleaned as a build cleans it: once, with only the furniture of the texts
before it in the caches. The order alternates (old new, new old, ...) because on a
shared machine CPU time drifts between runs; medians, min and max are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent))

from bench_clean import _load_tree, dev_pages


def _run(pipeline: ModuleType, texts: list[str]) -> float:
    pkg = pipeline.__name__.rsplit(".", 1)[0]
    sys.modules[pkg + ".lines"].line_view.cache_clear()
    steps_mod = sys.modules[pkg + ".steps"]
    cleaner = pipeline.Cleaner.default()
    t0 = time.process_time()
    for raw in texts:
        cleaner.clean(raw, steps_mod.DocumentContext())
    return time.process_time() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old_tree", type=Path)
    ap.add_argument("--texts", type=Path, default=None, help="a folder of .txt articles")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    if args.texts is not None:
        texts = [p.read_text(encoding="utf-8") for p in sorted(args.texts.glob("*.txt"))]
    else:
        texts = [p["noisy"] for p in dev_pages()]
    texts = texts[: args.limit] if args.limit else texts
    mb = sum(len(t.encode()) for t in texts) / 1e6
    old = _load_tree(args.old_tree, "bench_clean_mb_old")
    from builder.clean import pipeline as new

    _run(old, texts[:50])
    _run(new, texts[:50])
    runs: dict[str, list[float]] = {"old": [], "new": []}
    for rep in range(args.reps):
        order = [("old", old), ("new", new)]
        for side, pipeline in order if rep % 2 == 0 else order[::-1]:
            runs[side].append(_run(pipeline, texts) / mb)
    print(f"{len(texts)} texts, {mb:.2f} MB, {args.reps} interleaved runs; CPU s per MB")
    for side in ("old", "new"):
        r = runs[side]
        print(f"{side:>4}: median {statistics.median(r):.3f}  min {min(r):.3f}  max {max(r):.3f}")
    ratio = statistics.median(runs["old"]) / statistics.median(runs["new"])
    print(f"old/new (medians): {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
