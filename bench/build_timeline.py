"""A build's wall-clock timeline: when the parent's stages run, when the pool and each
worker start, when each worker runs its batches and idles, and where the CPU that no
stage counts goes (process start-up and imports, pickling, the parent's glue).

Usage::

    .venv/bin/python bench/build_timeline.py --input /tmp/c5k --workers 2 [--tree /tmp/m21]

``--tree``: the source tree to build with (put first on ``PYTHONPATH``; default this
checkout). The hooks (``bench/timeline_hooks/sitecustomize.py``) only record
timestamps; they add a pickling of each batch's result in its worker (its size and
time are reported) and a few file appends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HOOKS = Path(__file__).resolve().parent / "timeline_hooks"
ROOT = Path(__file__).resolve().parent.parent


def run(input_dir: str, workers: int, tree: str, out: str) -> Path:
    events = Path(tempfile.mkdtemp(prefix="timeline-"))
    env = {
        **os.environ,
        "BUILD_TIMELINE_DIR": str(events),
        "PYTHONPATH": os.pathsep.join([str(HOOKS), tree]),
    }
    cmd = [
        sys.executable,
        "-m",
        "builder",
        "build",
        "--input",
        input_dir,
        "--out",
        out,
        "--workers",
        str(workers),
        "--profile",
    ]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd="/tmp")
    return events


def load(events: Path) -> dict[int, list[dict]]:
    by_pid: dict[int, list[dict]] = defaultdict(list)
    for path in events.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            e = json.loads(line)
            by_pid[e["pid"]].append(e)
    for evs in by_pid.values():
        evs.sort(key=lambda e: e["t"])
    return by_pid


def report(by_pid: dict[int, list[dict]]) -> None:
    parent = next(pid for pid, evs in by_pid.items() if any(e["ev"] == "stage-start" for e in evs))
    pevs = by_pid[parent]
    t0 = pevs[0]["boot"]

    def at(t: float) -> str:
        return f"{t - t0:6.2f}"

    print(f"{'phase':44s} {'from':>6s} {'to':>6s} {'wall':>6s} {'cpu':>6s}")

    def row(name: str, a: dict, b: dict) -> None:
        print(
            f"{name:44s} {at(a['t'])} {at(b['t'])} {b['t'] - a['t']:6.2f} {b['cpu'] - a['cpu']:6.2f}"
        )

    start = pevs[0]
    print(
        f"{'parent: exec -> sitecustomize':44s} {0:6.2f} {at(start['t'])} {start['t'] - t0:6.2f} {start['cpu']:6.2f}"
    )
    open_stage: dict[str, dict] = {}
    first_stage = next(e for e in pevs if e["ev"] == "stage-start")
    row("parent: imports, config (before stage-inputs)", start, first_stage)
    collect = {"wall": 0.0, "cpu": 0.0, "n": 0, "first": None, "last": None}
    prev_end = None
    for e in pevs:
        if e["ev"] in ("pool-start", "process-articles", "submit"):
            print(f"{'parent: ' + e['ev'] + ' ' + str(e.get('index', '')):44s} {at(e['t'])}")
        if e["ev"] == "stage-start":
            open_stage[e["stage"]] = e
            if prev_end is not None and e["stage"] != "collect-batches":
                row(f"parent: between stages (-> {e['stage']})", prev_end, e)
        elif e["ev"] == "stage-end":
            s = open_stage.pop(e["stage"])
            if e["stage"] == "collect-batches":
                collect["wall"] += e["t"] - s["t"]
                collect["cpu"] += e["cpu"] - s["cpu"]
                collect["n"] += 1
                collect["first"] = collect["first"] or s
                collect["last"] = e
            else:
                row(f"parent: {e['stage']}", s, e)
            prev_end = e
        elif e["ev"] in ("replace-dir", "process-exit"):
            row(f"parent: -> {e['ev']}", prev_end, e)
            prev_end = e
    if collect["n"]:
        print(
            f"{'parent: collect-batches x' + str(collect['n']):44s} {at(collect['first']['t'])} "
            f"{at(collect['last']['t'])} {collect['wall']:6.2f} {collect['cpu']:6.2f}"
        )
    print(f"parent total CPU {pevs[-1]['cpu']:.2f} s, wall {pevs[-1]['t'] - t0:.2f} s")
    critical_path(by_pid, parent)
    for pid, evs in sorted(by_pid.items()):
        if pid == parent:
            continue
        # a worker forked by the fork server has no start event of its own: its first event
        boot = evs[0].get("boot", evs[0]["t"])
        batches = [
            (s, e)
            for s in evs
            if s["ev"] == "batch-start"
            for e in evs
            if e["ev"] == "batch-end" and e["index"] == s["index"]
        ]
        if not batches:
            print(f"worker {pid}: no batch ({[e['ev'] for e in evs]})")
            continue
        busy = sum(e["t"] - s["t"] for s, e in batches)
        cpu = sum(e["cpu"] - s["cpu"] for s, e in batches)
        stage_cpu = sum(e["stage_cpu"] for _, e in batches)
        pickle_s = sum(e["pickle_s"] for _, e in batches)
        res_mb = sum(e["result_bytes"] for _, e in batches) / 1e6
        spec_mb = sum(s["spec_bytes"] for s, _ in batches) / 1e6
        first, last = batches[0][0], batches[-1][1]
        init = next((e for e in evs if e["ev"] == "init-end"), None)
        exit_ = next((e for e in evs if e["ev"] == "process-exit"), evs[-1])
        print(
            f"worker {pid}: boot {at(boot)}, start-up to first batch {first['t'] - boot:.2f} s wall "
            f"{first['cpu']:.2f} CPU (init done {at(init['t']) if init else '?'}), first batch "
            f"{at(first['t'])}-{at(batches[0][1]['t'])}, last batch ends {at(last['t'])}, exit {at(exit_['t'])}"
        )
        print(
            f"   {len(batches)} batches: busy wall {busy:.2f}, CPU {cpu:.2f} (stages {stage_cpu:.2f}, "
            f"outside stages {cpu - stage_cpu:.2f}); idle between batches "
            f"{last['t'] - first['t'] - busy:.2f}; total CPU {exit_['cpu']:.2f}; "
            f"results {res_mb:.1f} MB pickled ({pickle_s:.2f} s), specs {spec_mb:.2f} MB"
        )


def critical_path(by_pid: dict[int, list[dict]], parent: int) -> None:
    """The build's critical path in CPU seconds, which a shared machine's load stretches
    far less than wall time: before the batches, the longer of the parent's CPU up to
    its first submit and the pool's (fork server, then the busiest worker up to its
    first batch); the batches, the busiest worker's CPU from its first batch to its
    last; after them, the parent's CPU from the last result to its exit (all its
    threads: an upper bound, as the Parquet threads run side by side)."""
    pevs = by_pid[parent]
    workers = {
        pid: evs for pid, evs in by_pid.items() if any(e["ev"] == "batch-start" for e in evs)
    }
    if not workers:  # every batch ran in the parent (--workers 1): it is all serial
        print(f"critical path (CPU s): {pevs[-1]['cpu']:.2f} (one process)")
        return
    submit = next((e for e in pevs if e["ev"] == "submit"), None)
    parent_pre = submit["cpu"] if submit else 0.0
    others = [evs for pid, evs in by_pid.items() if pid != parent and pid not in workers]
    server = max((max(e["cpu"] for e in evs) for evs in others), default=0.0)
    first = {pid: next(e for e in evs if e["ev"] == "batch-start") for pid, evs in workers.items()}
    last = {pid: [e for e in evs if e["ev"] == "batch-end"][-1] for pid, evs in workers.items()}
    pool_pre = server + max(e["cpu"] for e in first.values())
    batches = max(last[pid]["cpu"] - first[pid]["cpu"] for pid in workers)
    ends = [e for e in pevs if e["ev"] == "stage-end" and e["stage"] == "collect-batches"]
    post = pevs[-1]["cpu"] - (ends[-1]["cpu"] if ends else parent_pre)
    pre = max(parent_pre, pool_pre)
    print(
        f"critical path (CPU s): before the batches {pre:.2f} (parent {parent_pre:.2f}, "
        f"pool {pool_pre:.2f}) + batches {batches:.2f} + after {post:.2f} "
        f"= {pre + batches + post:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tree", default=str(ROOT))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="timeline-out-") + "/ds"
    report(load(run(args.input, args.workers, args.tree, out)))


if __name__ == "__main__":
    main()
