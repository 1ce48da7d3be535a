"""Memory and time limits: one huge article, and a million tiny ones (as files and as a shard).

    .venv/bin/python bench/bench_limits.py                       # 1,000,000 tiny, one 9 MB article
    .venv/bin/python bench/bench_limits.py -n 100000 --huge-mb 5
    .venv/bin/python bench/bench_limits.py -n 1000000 --workers 2 --keep /tmp/limits
    .venv/bin/python bench/bench_limits.py -n 200000 --small-n 50000 --row-group-mb 1

Each build runs in its own process; its peak RSS (the whole process tree,
polled) and wall time are printed next to a baseline build of ten tiny
articles, which is mostly interpreter and library start-up. Goals, as ratios:

* tiny corpora: peak RSS flat in N. The run at N is compared with one at N/10;
  the growth per article between them is printed, and should be near zero:
  ids live in the staging SQLite file, rows and texts stream, reports are
  capped. Row-group buffers fill up to ``output.row_group_max_bytes``
  (64 MB) per split, so below that many rows they grow with N too: compare
  small sizes with ``--row-group-mb 1`` (``--small-n`` sets the smaller size).
  Time per article is printed for both.
* shard: the same tiny corpora as one ``articles.jsonl.gz``: peak RSS flat
  in N as well (the shard is read once, a line at a time, into the staging
  store); the growth per article is printed.
* huge article: peak RSS above the baseline as a multiple of the article's
  size (a handful of copies of the text are alive while it is cleaned,
  anchored, checked and encoded; the goal is well under 50x), and time as a
  multiple of the same bytes spread over ordinary articles.

Not run by CI: the million-article run takes tens of minutes and a few GB of disk.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "ministry",
    "officials",
    "said",
    "talks",
    "would",
    "continue",
    "after",
    "the",
    "ceasefire",
    "proposal",
    "was",
    "rejected",
    "by",
    "regional",
    "leaders",
    "who",
    "met",
    "in",
    "the",
    "capital",
    "on",
    "tuesday",
    "while",
    "analysts",
    "warned",
    "that",
    "markets",
    "remained",
    "volatile",
    "as",
    "oil",
    "prices",
    "rose",
    "sharply",
    "amid",
    "reports",
    "of",
    "new",
    "sanctions",
]

CONFIG = {
    "name": "limits-bench",
    "pretty_name": "Limits bench",
    "version": "1.0.0",
    "license": "cc-by-4.0",
    "language": ["en"],
    "labels": {
        "entity": ["ORG"],
        "genre": ["news_report"],
        "text_form": ["cased", "lowercased_tokenized"],
    },
    "splits": {
        "ratios": {"train": 0.9, "test": 0.1},
        "near_duplicates": False,
        "salt": "bench",
    },
    "output": {"batch_size": 256},
    "limits": {"max_article_bytes": 10_000_000},
    "publish": {},
}


def _source(aid: str) -> str:
    return json.dumps(
        {
            "article_id": aid,
            "publisher": "Bench Wire",
            "headline": None,
            "author": None,
            "url": None,
            "published": {"earliest": None, "latest": None, "note": None},
            "captured": {"earliest": None, "latest": None, "note": None},
            "language": "en",
            "rights": {
                "statement": "Generated.",
                "license": None,
                "redistribution": "allowed",
                "publish_full_text": True,
            },
            "obtained": {"method": "donation", "note": None},
        }
    )


def _annotation(aid: str) -> str:
    return json.dumps(
        {
            "article_id": aid,
            "annotator": {"kind": "rule", "name": "bench"},
            "entities": [{"id": "e1", "start": 0, "end": 7, "text": "Reuters", "label": "ORG"}],
            "quotes": [],
            "labels": {"genre": "news_report"},
        }
    )


def make_corpus(
    root: Path,
    texts: dict[str, str] | None = None,
    *,
    tiny: int = 0,
    row_group_bytes: int | None = None,
    shard: bool = False,
) -> Path:
    """A corpus written as a stream (a million records never sit in memory).

    ``shard``: the articles as one ``articles.jsonl.gz`` instead of a folder of files.
    """
    articles = root / "articles"
    articles.mkdir(parents=True)
    config = {**CONFIG, "output": dict(CONFIG["output"])}
    if row_group_bytes is not None:
        config["output"]["row_group_max_bytes"] = row_group_bytes
    if shard:
        config["inputs"] = {**config.get("inputs", {}), "articles": "articles.jsonl.gz"}
    (root / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    with (
        (root / "sources.jsonl").open("w") as sources,
        (root / "annotations.jsonl").open("w") as annotations,
        gzip.open(root / "articles.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as lines,
    ):

        def add(aid: str, text: str) -> None:
            if shard:
                lines.write(json.dumps({"id": aid, "text": text}) + "\n")
            else:
                (articles / f"{aid}.txt").write_text(text, encoding="utf-8")
            sources.write(_source(aid) + "\n")
            annotations.write(_annotation(aid) + "\n")

        for aid, text in (texts or {}).items():
            add(aid, text)
        for i in range(tiny):
            add(
                f"t{i:07d}",
                f"Reuters item {i}: {WORDS[i % len(WORDS)]} {WORDS[i * 7 % len(WORDS)]}.\n",
            )
    return root


def huge_text(megabytes: float) -> str:
    rng = random.Random(1)
    parts = ["Reuters reported.\n\n"]
    size = 0
    while size < megabytes * 1_000_000:
        para = " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".\n\n"
        parts.append(para)
        size += len(para)
    return "".join(parts)


def measure(inputs: Path, out: Path, workers: int) -> dict[str, float]:
    """Wall time and peak RSS of the process tree of one ``builder build``."""
    cmd = [sys.executable, "-m", "builder", "build", "-i", str(inputs), "-o", str(out), "--json"]
    cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"build of {inputs} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="tiny articles (default 1,000,000)")
    parser.add_argument("--huge-mb", type=float, default=9.0, help="size of the huge article")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--small-n", type=int, help="the smaller tiny corpus (default N/10)")
    parser.add_argument(
        "--row-group-mb", type=float, help="output.row_group_max_bytes of the tiny corpora"
    )
    args = parser.parse_args()
    small_n = args.small_n or args.n // 10
    row_group = None if args.row_group_mb is None else int(args.row_group_mb * 2**20)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-limits-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    try:
        runs = {
            "baseline (10 tiny)": make_corpus(work / "base", tiny=10),
            f"huge ({args.huge_mb:g} MB article)": make_corpus(
                work / "huge", {"huge": huge_text(args.huge_mb)}
            ),
            f"tiny small ({small_n:,})": make_corpus(
                work / "tiny10", tiny=small_n, row_group_bytes=row_group
            ),
            f"tiny N ({args.n:,})": make_corpus(
                work / "tiny", tiny=args.n, row_group_bytes=row_group
            ),
            f"shard small ({small_n:,}, .jsonl.gz)": make_corpus(
                work / "shard10", tiny=small_n, row_group_bytes=row_group, shard=True
            ),
            f"shard N ({args.n:,}, .jsonl.gz)": make_corpus(
                work / "shard", tiny=args.n, row_group_bytes=row_group, shard=True
            ),
        }
        for name, inputs in runs.items():
            print(f"building {name} ...", file=sys.stderr, flush=True)
            results[name] = measure(inputs, work / f"out-{inputs.name}", args.workers)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    names = list(results)
    base, huge, small, big, shard_small, shard_big = (results[n] for n in names)
    print(f"{'run':32} {'seconds':>10} {'peak RSS MB':>12}")
    for name in names:
        print(f"{name:32} {results[name]['seconds']:10.1f} {results[name]['peak_rss_mb']:12.1f}")
    n_small, n_big = small_n, args.n
    growth = (big["peak_rss_mb"] - small["peak_rss_mb"]) * 2**20 / (n_big - n_small)
    print(f"\ntiny: RSS growth per article between {n_small:,} and N: {growth:,.0f} bytes")
    print(
        f"tiny: ms per article, {n_small:,} vs N: "
        f"{1000 * (small['seconds'] - base['seconds']) / n_small:.2f} vs "
        f"{1000 * (big['seconds'] - base['seconds']) / n_big:.2f}"
    )
    shard_growth = (
        (shard_big["peak_rss_mb"] - shard_small["peak_rss_mb"]) * 2**20 / (n_big - n_small)
    )
    print(
        f"shard (one .jsonl.gz): RSS growth per article between {n_small:,} and N: "
        f"{shard_growth:,.0f} bytes; ms per article {n_small:,} vs N: "
        f"{1000 * (shard_small['seconds'] - base['seconds']) / n_small:.2f} vs "
        f"{1000 * (shard_big['seconds'] - base['seconds']) / n_big:.2f}"
    )
    huge_bytes = args.huge_mb * 1_000_000
    over = (huge["peak_rss_mb"] - base["peak_rss_mb"]) * 2**20 / huge_bytes
    print(f"huge: RSS above baseline = {over:.1f}x the article's size")
    per_byte_tiny = (big["seconds"] - base["seconds"]) / (n_big * 60)  # ~60 bytes per tiny article
    print(
        f"huge: seconds above baseline {huge['seconds'] - base['seconds']:.1f} "
        f"({(huge['seconds'] - base['seconds']) / (per_byte_tiny * huge_bytes):.2f}x the same bytes as tiny articles)"
    )


if __name__ == "__main__":
    main()
