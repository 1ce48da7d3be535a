"""Build throughput on the Ray engine beside the local process pool.

    .venv/bin/python bench/bench_engine.py                  # 5,000 articles, 2 workers
    .venv/bin/python bench/bench_engine.py -n 20000 --workers 2 --rounds 3

The corpus is bench_build's synthetic one (seed sentences, their entity spans,
web boilerplate on a third). Builds alternate local / ray, ``--rounds`` times
(interleaved, so a change in machine load hits both), in this process: the
local engine starts its process pool per build, as ``builder build`` does; the
Ray engine reuses one local Ray (``--workers`` CPUs) started once before the
rounds, whose start-up time is printed apart (``builder build --engine ray``
pays it once per build; a cluster pays it once). Every Ray build's Parquet is
checked byte-identical to the local one. Printed: median articles/s of each,
and the ratio ray / local.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import make_corpus

from builder.engines import Engine, start_local_ray
from builder.pipeline import build


def _data(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "data").glob("*.parquet"))}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5000, help="articles in the synthetic corpus")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import ray

    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    try:
        corpus = work / "corpus"
        make_corpus(corpus, args.n)
        start = time.perf_counter()
        start_local_ray(args.workers)
        ray_start = time.perf_counter() - start
        rates: dict[str, list[float]] = {"local": [], "ray": []}
        for r in range(args.rounds):
            for name in ("local", "ray"):
                out = work / f"out-{name}"
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                result = build(corpus, out, workers=args.workers, engine=Engine(name))
                seconds = time.perf_counter() - start
                rates[name].append(result.stats.stages["read"] / seconds)
                print(
                    f"round {r + 1} {name:<5} {seconds:7.1f} s  {rates[name][-1]:7.1f} articles/s"
                )
            if _data(work / "out-ray") != _data(work / "out-local"):
                raise SystemExit("the Ray build's Parquet differs from the local build's")
        ray.shutdown()
        local, on_ray = (statistics.median(rates[k]) for k in ("local", "ray"))
        print(f"\n{args.n} articles, --workers {args.workers}, {args.rounds} interleaved rounds")
        print(f"local pool   {local:7.1f} articles/s (median)")
        print(
            f"ray          {on_ray:7.1f} articles/s (median; Ray start-up {ray_start:.1f} s apart)"
        )
        print(f"ray / local  {on_ray / local:7.2f}x   (Parquet byte-identical in every round)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
