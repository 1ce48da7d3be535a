"""The card's word counts per text: the loop of :func:`builder.row_figures.word_counts`
against whole-column ways of finishing it, on one core.

    .venv/bin/python bench/bench_word_counts.py --build /tmp/b   # a build's dataset folder

The texts are a build's (its Parquet shards), in batches of ``--batch`` rows as
the workers count them. Every way starts from the same word-byte mask (one
``translate`` of the batch's bytes, ``mask only``) and must give the loop's
counts; figures are CPU milliseconds for all rows (``time.process_time``),
median, min, max over ``--reps`` interleaved rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.row_figures import _WORD_BYTE, word_counts  # noqa: E402


def _mask(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Word bytes and text bounds of a string chunk without nulls, as word_counts makes them."""
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    first = int(offsets[0])
    ends = (offsets - first).astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8)[first : first + int(ends[-1])]
    return np.frombuffer(data.tobytes().translate(_WORD_BYTE), dtype=np.bool_), ends


def mask_only(chunk: pa.Array) -> None:
    _mask(chunk)


def loop(chunk: pa.Array) -> list[int]:
    """The loop word_counts runs: a count_nonzero per text."""
    word, ends = _mask(chunk)
    follows = word[1:] > word[:-1]
    count = np.count_nonzero
    return [
        int(count(follows[a : b - 1]) + word[a]) if a < b else 0 for a, b in pairwise(ends.tolist())
    ]


def searchsorted(chunk: pa.Array) -> list[int]:
    """Word starts found for the whole batch, counted per text by two binary searches."""
    word, ends = _mask(chunk)
    after = np.ones(len(word), dtype=np.bool_)
    np.logical_not(word[:-1], out=after[1:])
    firsts = ends[:-1]
    after[firsts[firsts < len(word)]] = True
    begins = np.flatnonzero(word & after)
    return np.diff(np.searchsorted(begins, ends)).tolist()


def reduceat(chunk: pa.Array) -> list[int]:
    """Word starts for the whole batch, summed per text by one ``np.add.reduceat``."""
    word, ends = _mask(chunk)
    out = np.zeros(len(ends) - 1, dtype=np.int64)
    if not len(word):
        return out.tolist()
    starts = np.empty(len(word), dtype=np.bool_)
    starts[0] = word[0]
    np.greater(word[1:], word[:-1], out=starts[1:])
    nonempty = ends[:-1] < ends[1:]
    at = ends[:-1][nonempty]
    starts[at] = word[at]
    out[nonempty] = np.add.reduceat(starts.view(np.uint8), at, dtype=np.int64)
    return out.tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="a build's dataset folder")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    shards = sorted((args.build / "data").glob("*.parquet"))
    texts = pa.concat_arrays(
        [c for p in shards for c in pq.read_table(p, columns=["text"]).column("text").chunks]
    )
    assert texts.null_count == 0 and pa.types.is_string(texts.type)
    batches = [texts.slice(s, args.batch) for s in range(0, len(texts), args.batch)]
    ways: dict[str, Callable[[pa.Array], object]] = {
        "mask only": mask_only,
        "loop (word_counts)": loop,
        "searchsorted": searchsorted,
        "reduceat": reduceat,
    }
    for batch in batches:
        assert word_counts(batch) == loop(batch) == searchsorted(batch) == reduceat(batch)
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.reps):
        for name, way in ways.items():
            start = time.process_time()
            for batch in batches:
                way(batch)
            seconds[name].append(time.process_time() - start)
    print(f"{len(texts)} texts, batches of {args.batch}; CPU ms for all")
    print("| way | median | min | max |\n|---|---:|---:|---:|")
    for name, t in seconds.items():
        print(
            f"| {name} | {statistics.median(t) * 1e3:.1f} | {min(t) * 1e3:.1f} | {max(t) * 1e3:.1f} |"
        )


if __name__ == "__main__":
    main()
