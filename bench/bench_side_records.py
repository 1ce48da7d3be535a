"""Side-record staging costs of two source trees, interleaved (A B A B ...), CPU seconds.

    .venv/bin/python bench/bench_side_records.py /tmp/c5k/annotations.jsonl \\
        --tree base=/tmp/base19 --tree new=. --reps 3

For each tree, in a fresh process: every piece of the file checked as a pool worker
checks it (``check-side-records``), every stored record read back as the batches'
lookup reads it, and the pieces stored in a staging database as the parent stores
them. Medians (min, max) per tree; the machine is shared, so only CPU time counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

_ONE_RUN = """
import pickle, sys, tempfile, time
from pathlib import Path
from builder import side_chunks
from builder.side_chunks import _Piece, _check_piece, _pieces
from builder.staging import Staging
try:
    from builder.staging import load_record
except ImportError:  # a tree that stores pickles only
    load_record = pickle.loads
path = Path(sys.argv[1])
began = time.process_time()
outs = [
    _check_piece(_Piece(str(path), s, e, f, "annotation", path.name, 1 << 26, True))[0]
    for s, e, f in _pieces(path, side_chunks.PIECE_BYTES)
]
check = time.process_time() - began
blobs = [rec.blob for out in outs for _, rec, _ in out if hasattr(rec, "blob")]
began = time.process_time()
for blob in blobs:
    load_record(blob)
lookup = time.process_time() - began
sent = [pickle.dumps(out, pickle.HIGHEST_PROTOCOL) for out in outs]
with tempfile.TemporaryDirectory() as tmp:
    began = time.process_time()
    staging = Staging(Path(tmp) / "staging.db")
    for message in sent:
        for line, rec, _ in pickle.loads(message):
            if hasattr(rec, "blob"):
                staging.add_side_dumped("annotation", rec.article_id, path.name, line, rec.blob, rec.card)
    staging.commit()
    staging.close()
    store = time.process_time() - began
    size = (Path(tmp) / "staging.db").stat().st_size
print(check, lookup, store, size)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="an annotation JSON Lines file")
    parser.add_argument("--tree", action="append", required=True, help="NAME=source tree")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.tree)
    got: dict[str, list[list[float]]] = {name: [] for name in trees}
    for _ in range(args.reps):
        for name, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}
            out = subprocess.run(
                [sys.executable, "-c", _ONE_RUN, str(args.file.resolve())],
                env=env,
                cwd="/",
                capture_output=True,
                text=True,
                check=True,
            )
            got[name].append([float(v) for v in out.stdout.split()])
    print("tree   check-side-records        lookup (all)   parent store   staging MB")
    for name, runs in got.items():
        cols = list(zip(*runs, strict=True))
        check, lookup, store = (statistics.median(c) for c in cols[:3])
        print(
            f"{name:6} {check:6.2f} ({min(cols[0]):.2f}-{max(cols[0]):.2f})"
            f"      {lookup:6.2f}         {store:6.2f}         {cols[3][0] / 2**20:6.1f}"
        )


if __name__ == "__main__":
    main()
