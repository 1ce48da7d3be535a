"""CPU time per worker stage of a 1-worker build, the batches run again in-process.

The build's staging is made once (a real ``builder build --workers 1``); then the
first ``--batches`` batches are run ``--repeat`` more times through
``process.process_batch`` in this process, and each stage's CPU ms per article
(``time.process_time``, the build's own stage timings) is printed as the median
over the repetitions, as JSON. Run it with another tree first on ``PYTHONPATH``
to compare two versions of the code on the same input, e.g.::

    PYTHONPATH=/tmp/old .venv/bin/python bench/bench_stages.py --input /tmp/c5k
    .venv/bin/python bench/bench_stages.py --input /tmp/c5k

(alternate the two a few times: the machine is shared, wall time is noise).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any


class _Measured(Exception):
    """Raised once the batches are measured: the build stops there."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from builder import batches, process
    from builder.pipeline import build

    per_stage: dict[str, list[float]] = defaultdict(list)
    seen: list[Any] = []
    real = batches.run_batch

    def run_batch(spec: Any) -> Any:
        result = real(spec)
        if spec.index < args.batches:
            seen.append(spec)
        if spec.index == args.batches - 1:
            for _ in range(args.repeat):
                totals: dict[str, float] = defaultdict(float)
                articles = 0
                for s in seen:
                    gc.collect()
                    again = process.process_batch(s)
                    for stage, seconds in again.stats.timings.seconds.items():
                        totals[stage] += seconds
                    articles += len(s.items)
                for stage, seconds in totals.items():
                    per_stage[stage].append(1000 * seconds / articles)
            raise _Measured
        return result

    batches.run_batch = run_batch  # type: ignore[assignment]
    # the rest of the build is not measured
    with tempfile.TemporaryDirectory() as tmp, contextlib.suppress(_Measured):
        build(input_dir=args.input, out_dir=Path(tmp) / "out", workers=1)
    medians = {k: round(statistics.median(v), 4) for k, v in per_stage.items()}
    medians["total"] = round(sum(medians.values()), 4)
    json.dump({"tree": sys.path[0] or ".", "ms_per_article": medians}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
