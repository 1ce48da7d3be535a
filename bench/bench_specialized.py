"""The specialised schema predicate alone, on one core: records per CPU second.

    PYTHONPATH=. .venv/bin/python bench/bench_specialized.py
    PYTHONPATH=/tmp/other-tree .venv/bin/python bench/bench_specialized.py  # the same, before

The records are the seeds' annotations, repeated (``-n``), each span list made
of its required keys only (as most inputs' are, so the check makes their
columns). Each round runs, interleaved, the bare predicate (a row, a source) and
the predicate with a column sink (:func:`collecting_columns`, as the side-record
reader stores annotations). Figures: median, min, max over ``--reps`` rounds of
``time.process_time``. The tree measured is the one ``builder`` imports from
(``PYTHONPATH``), so two trees compare with one script.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.jsonl import MAX_JSON_DEPTH
from builder.validate.schemas import SchemaStore
from builder.validate.specialized import collecting_columns

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _annotations(n: int) -> list[dict[str, Any]]:
    lines = (SEEDS / "annotations.jsonl").read_text(encoding="utf-8").splitlines()
    seeds = [json.loads(line) for line in lines]
    out = []
    for i in range(n):
        record = copy.deepcopy(seeds[i % len(seeds)])
        for kind in ("entities", "quotes"):
            record[kind] = [
                {k: v for k, v in s.items() if k not in ("prefix", "suffix")} for s in record[kind]
            ]
        out.append(record)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    records = _annotations(args.n)
    accept = SchemaStore.default().accepting("annotation", MAX_JSON_DEPTH)
    assert accept is not None
    sink: dict[int, Any] = {}
    collect = collecting_columns(accept, sink)
    spans = sum(len(r["entities"]) + len(r["quotes"]) for r in records) / len(records)
    print(f"{len(records)} annotation records, {spans:.0f} spans each")

    def bare() -> None:
        assert all(map(accept, records))

    def sunk() -> None:
        assert all(map(collect, records))

    sides: dict[str, Callable[[], None]] = {"bare predicate": bare, "with column sink": sunk}
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.reps):
        for name, run in sides.items():
            start = time.process_time()
            run()
            seconds[name].append(time.process_time() - start)
    print("| path | records/s (CPU) median | min | max |\n|---|---:|---:|---:|")
    for name, t in seconds.items():
        r = [len(records) / x for x in t]
        print(f"| {name} | {statistics.median(r):,.0f} | {min(r):,.0f} | {max(r):,.0f} |")


if __name__ == "__main__":
    main()
