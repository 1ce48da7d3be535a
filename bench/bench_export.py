"""``builder export label-studio``: time and peak memory against a load-everything baseline.

    .venv/bin/python bench/bench_export.py -n 1000 -n 4000 --repeats 3

For each N a synthetic corpus is made and built (as ``bench_build.py`` makes it,
not timed); then, interleaved, each in a fresh process:

* ``export``: :func:`builder.export.export_label_studio` (batch by batch);
* ``baseline``: every Parquet file read whole (``pq.read_table().to_pylist()``),
  the same tasks made in a list and dumped with one ``json.dump``.

Reported: median seconds and peak RSS of each, and the ratios. Peak RSS of the
export should not grow with N; the baseline's does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def run_export(build: Path, out: Path) -> dict:
    from builder.export import export_label_studio

    start = time.perf_counter()
    summary = export_label_studio(build, out)
    return {"seconds": time.perf_counter() - start, "tasks": summary.tasks}


def run_baseline(build: Path, out: Path) -> dict:
    import pyarrow.parquet as pq

    from builder.export.label_studio import _layout, row_to_task

    start = time.perf_counter()
    layout = _layout(build)
    tasks = []
    for path in layout.files:
        for row in pq.read_table(path).to_pylist():
            doc = {c: row[c] for c in layout.document_labels}
            tasks.append(row_to_task(row, layout, "baseline", doc))
    with out.open("w", encoding="utf-8") as handle:
        json.dump(tasks, handle, ensure_ascii=False)
    return {"seconds": time.perf_counter() - start, "tasks": len(tasks)}


def _child(kind: str, build: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, str(build), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_child(kind: str, build: str, out: str) -> None:
    import resource

    run = {"export": run_export, "baseline": run_baseline}[kind]
    result = run(Path(build), Path(out))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _run_child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, action="append", help="articles (repeatable)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "export")
    args = parser.parse_args()
    from bench_build import make_corpus

    from builder.pipeline import build

    for n in args.n or [1000]:
        work = args.work / str(n)
        shutil.rmtree(work, ignore_errors=True)
        make_corpus(work / "corpus", n)
        build(work / "corpus", work / "build")
        runs: dict[str, list[dict]] = {"export": [], "baseline": []}
        for _ in range(args.repeats):
            for kind in runs:  # interleaved, so a change in machine load hits both
                runs[kind].append(_child(kind, work / "build", work / f"{kind}.json"))
        med = {
            k: {
                "seconds": statistics.median(r["seconds"] for r in v),
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in v),
                "tasks": v[0]["tasks"],
            }
            for k, v in runs.items()
        }
        e, b = med["export"], med["baseline"]
        print(
            json.dumps(
                {
                    "n": n,
                    **med,
                    "time_ratio_export_over_baseline": round(e["seconds"] / b["seconds"], 3),
                    "rss_ratio_export_over_baseline": round(e["peak_rss_mb"] / b["peak_rss_mb"], 3),
                }
            )
        )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
