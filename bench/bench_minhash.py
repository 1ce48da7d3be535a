"""The near-duplicate stages on their own: CPU per article of the exact-duplicate key
(``text-key``) and the MinHash signature (``minhash``), this code against an older one.

    .venv/bin/python bench/bench_minhash.py [--old-rev 9fa214d] [--reps 5] [--articles DIR]

The old code is ``builder/splits.py`` as git has it at ``--old-rev`` (default: the
last commit before the batch path, when splits.py also held the signatures), run as the build
ran it then (casefold and ``_text_key`` per text, ``text_signatures(texts, folded=)``);
the new one is :class:`builder.signatures.FoldedTexts`, as the build runs it now. Both
take the texts in batches of 256, as a worker does, and both word caches start empty
in each repetition. Repetitions are interleaved (old, new, old, new, ...); the table
gives medians with min and max of CPU time (``time.process_time``: the machine is
shared). Before timing, every key and signature of both codes is checked equal.

Corpora: ``c5k``, the raw texts of a generated corpus (``--articles``, default
``/tmp/c5k/articles``: few distinct words, like the seeds it is made from), and
``dev``, the gold texts of the real pages in ``/work/shared/cleaning-dev`` (a real
vocabulary: more word-cache misses).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder import signatures  # noqa: E402

BATCH = 256
OLD_REV = "9fa214d"
DEV = ROOT.parent / "shared" / "cleaning-dev"


def old_splits(rev: str) -> types.ModuleType:
    """``builder/splits.py`` at ``rev``, imported as ``builder._old_splits``."""
    source = subprocess.run(
        ["git", "show", f"{rev}:builder/splits.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("builder._old_splits")
    module.__package__ = "builder"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:builder/splits.py", "exec"), module.__dict__)
    return module


def corpora(articles: Path) -> dict[str, list[str]]:
    found = {}
    if articles.is_dir():
        found["c5k"] = [p.read_text() for p in sorted(articles.glob("*.txt"))]
    if DEV.is_dir():
        found["dev"] = []
        for name in ("residual.jsonl.gz", "residual_rp.jsonl.gz"):
            with gzip.open(DEV / name, "rt", encoding="utf-8") as lines:
                found["dev"] += [json.loads(line)["gold"] for line in lines]
    return found


def run_old(old: types.ModuleType, texts: Sequence[str]) -> tuple[list, list, float, float]:
    """(keys, signatures, CPU s of text-key, CPU s of minhash), the old way."""
    old._word_hash_cache.clear()
    keys: list[str] = []
    sigs: list[bytes] = []
    key_s = sig_s = 0.0
    for first in range(0, len(texts), BATCH):
        batch = texts[first : first + BATCH]
        t0 = time.process_time()
        folded = [t.casefold() for t in batch]
        keys += [hashlib.sha256(" ".join(f.split()).encode()).hexdigest() for f in folded]
        t1 = time.process_time()
        sigs += old.text_signatures(batch, folded=folded)
        t2 = time.process_time()
        key_s, sig_s = key_s + t1 - t0, sig_s + t2 - t1
    return keys, sigs, key_s, sig_s


def run_new(texts: Sequence[str]) -> tuple[list, list, float, float]:
    """(keys, signatures, CPU s of text-key, CPU s of minhash), as the build runs now."""
    signatures._token_cache.clear()
    keys: list[str] = []
    sigs: list[bytes] = []
    key_s = sig_s = 0.0
    for first in range(0, len(texts), BATCH):
        batch = texts[first : first + BATCH]
        t0 = time.process_time()
        folded = signatures.FoldedTexts(batch)
        keys += folded.text_keys()
        t1 = time.process_time()
        sigs += folded.signatures()
        t2 = time.process_time()
        key_s, sig_s = key_s + t1 - t0, sig_s + t2 - t1
    return keys, sigs, key_s, sig_s


def figure(values: list[float], n: int) -> str:
    ms = [v / n * 1000 for v in values]
    return f"{statistics.median(ms):.4f} ({min(ms):.4f}-{max(ms):.4f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old-rev", default=OLD_REV)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--articles", type=Path, default=Path("/tmp/c5k/articles"))
    args = parser.parse_args()
    old = old_splits(args.old_rev)
    signatures._char_flags()  # once per process, as in a worker
    print(f"old: builder/splits.py at {args.old_rev}; CPU ms per article, median (min-max)")
    print("| corpus | code | text-key | minhash | both |")
    print("|---|---|---:|---:|---:|")
    for name, texts in corpora(args.articles).items():
        sides: dict[str, Callable[[], tuple[list, list, float, float]]] = {
            "old": lambda texts=texts: run_old(old, texts),
            "new": lambda texts=texts: run_new(texts),
        }
        outputs = {side: run()[:2] for side, run in sides.items()}
        assert outputs["old"] == outputs["new"], f"{name}: keys or signatures differ"
        times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
        for _ in range(args.reps):
            for side, run in sides.items():
                times[side].append(run()[2:])
        for side, got in times.items():
            keys, sigs = [k for k, _ in got], [s for _, s in got]
            both = [k + s for k, s in got]
            n = len(texts)
            print(
                f"| {name} ({n}) | {side} | {figure(keys, n)} | {figure(sigs, n)} | {figure(both, n)} |"
            )


if __name__ == "__main__":
    main()
