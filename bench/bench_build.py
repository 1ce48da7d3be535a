"""Build throughput and peak memory against what a user would otherwise run, interleaved.

    .venv/bin/python bench/bench_build.py -n 5000                  # 3 rounds, all sides
    .venv/bin/python bench/bench_build.py -n 5000 --reps 5 --tree /work/main

One synthetic corpus of N articles is made from the seeds (see
:func:`make_corpus`: about 5.3 KB and 109 entity spans per article), plus the
same articles as one JSON Lines file (``id``, ``text``, ``publisher``) for the
sides that start from JSON. Then, in one invocation, every side runs once per
round, rounds repeated (A B C A B C ...), each run in its own subprocess so its
peak RSS (the largest of the process and its pool workers) is its own:

* ``floor``: ``pyarrow.json.read_json`` -> ``pyarrow.parquet.write_table``;
* ``datasets``: ``Dataset.from_json`` -> ``map(whitespace clean, batched=True)``
  -> ``to_parquet`` (the script a maintainer would write instead);
* ``datatrove``: ``JsonlReader`` -> ``C4QualityFilter`` -> ``ParquetWriter``
  (only when datatrove is installed: the ``bench`` extra). With its defaults
  (datatrove 0.10) the filter counts the sentences of every kept line with
  spaCy, some 40 ms per line here: by far the slowest side, so
  ``--only`` can leave it to a round of its own;
* ``builder-w1``, ``builder-w2``: ``builder build --workers 1 / 2`` with every
  default stage on (read, clean, anchor, validate, near-duplicates, privacy
  scan, split, Parquet, card, manifest), starting from the article files;
* with ``--tree PATH``, the same two builds from another checkout (say the
  previous design), imported from there (``PYTHONPATH`` and cwd), for a
  before/after on the same corpus in the same rounds.

Each side's figure is the median over the rounds (min and max beside it), in
articles per second of wall time; ``load`` is the 1-minute load average when
each run started (the machine is shared: read ratios within a round).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
BOILERPLATE = [
    "Share.",
    "Exit mobile version",
    "View all comments",
    "Share Tweet Submit Pin",
    "Advertisement",
]


def _sentence_pool() -> dict[str, list[tuple[str, list[dict]]]]:
    """Sentences of the seeds with their entity spans (relative offsets), by text form."""
    annotations = {}
    for line in (SEEDS / "annotations.jsonl").read_text().splitlines():
        record = json.loads(line)
        annotations[record["article_id"]] = record
    pool: dict[str, list[tuple[str, list[dict]]]] = {"cased": [], "lowercased_tokenized": []}
    for path in sorted((SEEDS / "articles").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        ann = annotations.get(path.stem, {"entities": [], "labels": {}})
        form = ann.get("labels", {}).get("text_form", "cased")
        for match in re.finditer(r"[^.!?\n]+[.!?]+", raw):
            start, end = match.span()
            start += len(match.group()) - len(match.group().lstrip(" "))
            spans = [
                {
                    "start": e["start"] - start,
                    "end": e["end"] - start,
                    "label": e["label"],
                    "text": e["text"],
                }
                for e in ann["entities"]
                if start <= e["start"] and e["end"] <= end
            ]
            pool[form].append((raw[start:end], spans))
    return pool


def make_corpus(directory: Path, n: int, *, seed: int = 0) -> None:
    """Write a corpus of ``n`` synthetic articles in the seeds' layout.

    Sentences are drawn from the five seed articles (cased, or lowercased
    tokenized, kept apart), 25 to 55 per article, with the seeds' entity spans
    carried along, and web boilerplate appended to a third of them. Measured on
    2,000 articles: 5.3 KB and 108.9 entity spans per article on average (the
    seed sentences are dense in names), no quotes. The configuration is the
    seeds' with near-duplicate detection on and grouping by id.
    """
    rng = random.Random(seed)
    pool = _sentence_pool()
    articles = directory / "articles"
    articles.mkdir(parents=True)
    config = yaml.safe_load((SEEDS / "dataset.yaml").read_text())
    config["splits"].update(
        {
            "group_by": "id",
            "assignment": {},
            "near_duplicates": True,
            "near_duplicate_threshold": 0.8,
        }
    )
    config["name"] = "bench-corpus"
    (directory / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    template = json.loads((SEEDS / "sources.jsonl").read_text().splitlines()[0])
    genres = config["labels"]["genre"]
    with (
        (directory / "sources.jsonl").open("w") as sources,
        (directory / "annotations.jsonl").open("w") as anns,
    ):
        for i in range(n):
            form = "lowercased_tokenized" if rng.random() < 0.4 else "cased"
            parts: list[str] = []
            entities: list[dict] = []
            length = 0
            for k in range(rng.randint(25, 55)):
                sentence, spans = rng.choice(pool[form])
                sep = "" if k == 0 else ("\n\n" if form == "cased" and k % 4 == 0 else " ")
                length += len(sep)
                for s in spans:
                    entities.append(
                        {
                            "id": f"e{len(entities) + 1}",
                            "start": length + s["start"],
                            "end": length + s["end"],
                            "label": s["label"],
                            "text": s["text"],
                        }
                    )
                parts += [sep, sentence]
                length += len(sentence)
            text = "".join(parts)
            if rng.random() < 0.33:
                text += "\n\n" + "\n".join(rng.sample(BOILERPLATE, 2))
            article_id = f"bench-{i:07d}"
            (articles / f"{article_id}.txt").write_text(text, encoding="utf-8")
            source = {
                **template,
                "article_id": article_id,
                "publisher": f"Outlet {i % 50}",
                "headline": f"Synthetic article {i}",
            }
            sources.write(json.dumps(source) + "\n")
            ann = {
                "article_id": article_id,
                "annotator": {"kind": "rule", "name": "bench-generator", "note": None},
                "entities": entities,
                "quotes": [],
                "labels": {"genre": rng.choice(genres), "text_form": form},
            }
            anns.write(json.dumps(ann, ensure_ascii=False) + "\n")


def write_jsonl(corpus: Path, path: Path) -> None:
    """The corpus as one JSON Lines file, the input of the sides that start from JSON."""
    publishers = {}
    with (corpus / "sources.jsonl").open() as handle:
        for line in handle:
            record = json.loads(line)
            publishers[record["article_id"]] = record["publisher"]
    with path.open("w", encoding="utf-8") as sink:
        for article in sorted((corpus / "articles").glob("*.txt")):
            text = article.read_text(encoding="utf-8")
            record = {"id": article.stem, "text": text, "publisher": publishers[article.stem]}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_floor(corpus: Path, out: Path, workers: int) -> int:
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    table = pj.read_json(corpus.parent / "articles.jsonl")
    pq.write_table(table, out / "train.parquet")
    return table.num_rows


def run_datasets(corpus: Path, out: Path, workers: int) -> int:
    """What a user's script does: load, a trivial batched whitespace clean, write."""
    import datasets

    datasets.disable_progress_bars()
    space = re.compile(r"[ \t]+")
    blank = re.compile(r"\n{3,}")

    def clean(batch: dict) -> dict:
        return {"text": [blank.sub("\n\n", space.sub(" ", t)).strip() for t in batch["text"]]}

    ds = datasets.Dataset.from_json(
        str(corpus.parent / "articles.jsonl"), cache_dir=str(out / "hf-cache")
    )
    ds = ds.map(clean, batched=True, num_proc=workers if workers > 1 else None)
    ds.to_parquet(str(out / "train.parquet"))
    return ds.num_rows


def run_datatrove(corpus: Path, out: Path, workers: int) -> int:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import C4QualityFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    inputs = out / "input"
    inputs.mkdir()
    os.link(corpus.parent / "articles.jsonl", inputs / "articles.jsonl")
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(inputs), id_key="id", text_key="text"),
            C4QualityFilter(),
            ParquetWriter(str(out / "data")),
        ],
        tasks=1,
        workers=1,
        logging_dir=str(out / "logs"),
    ).run()
    return sum(1 for _ in (corpus / "articles").iterdir())  # documents read


def run_builder(corpus: Path, out: Path, workers: int) -> int:
    from builder.pipeline import build

    result = build(corpus, out / "dataset", workers=workers)
    return result.stats.stages["written"]


RUNNERS = {
    "floor": run_floor,
    "datasets": run_datasets,
    "datatrove": run_datatrove,
    "builder": run_builder,
}


def _stop_fork_server() -> None:
    """The build's pool workers are forked by multiprocessing's fork server, whose
    children they are (not this process's): the server, which has reaped them, is
    stopped and waited for, so that ``RUSAGE_CHILDREN`` counts their CPU and peak RSS
    as it counted spawned workers'. (``_stop`` is the method CPython's tests use.)"""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def _run_child(kind: str, corpus: str, out: str, workers: str) -> None:
    """Inside the child: run, then report its peak RSS (the largest of it and its pool workers)."""
    import resource

    Path(out).mkdir(parents=True)
    start = time.perf_counter()
    articles = RUNNERS[kind](Path(corpus), Path(out), int(workers))
    seconds = time.perf_counter() - start
    _stop_fork_server()
    usage = [resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    peak = max(u.ru_maxrss for u in usage)
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,
                "articles": articles,
                "peak_rss_mb": peak / 1024,
            }
        )
    )


def _child(side: dict, corpus: Path, out: Path) -> dict:
    """Run one side in a fresh process (this script with ``--child``) and read its figures."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", side["kind"], str(corpus), str(out)]
    cmd.append(str(side["workers"]))
    env = dict(os.environ)
    cwd = None
    if side.get("tree"):
        env["PYTHONPATH"] = side["tree"]
        cwd = side["tree"]
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"{side['name']} run failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["rate"] = result["articles"] / result["seconds"]
    # CPU time is less at the mercy of the machine's load than wall time (not free of it).
    result["cpu_rate"] = result["articles"] / result["cpu_seconds"]
    result["load"] = load
    return result


def _sides(tree: Path | None, *, datatrove: bool) -> list[dict]:
    sides = [
        {"name": "floor (pyarrow)", "kind": "floor", "workers": 1},
        {"name": "datasets map", "kind": "datasets", "workers": 1},
    ]
    if datatrove:
        sides.append({"name": "datatrove", "kind": "datatrove", "workers": 1})
    for w in (1, 2):  # this checkout's builder, whatever the venv has installed
        sides.append({"name": f"builder -w{w}", "kind": "builder", "workers": w, "tree": str(ROOT)})
    if tree is not None:
        for w in (1, 2):
            sides.append(
                {
                    "name": f"builder@{tree.name} -w{w}",
                    "kind": "builder",
                    "workers": w,
                    "tree": str(tree),
                }
            )
    return sides


def _has_datatrove() -> bool:
    try:
        import datatrove  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        _run_child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5_000, help="articles in the synthetic corpus")
    parser.add_argument("--reps", type=int, default=3, help="rounds (each side once per round)")
    parser.add_argument("--tree", type=Path, help="also build with the builder of this checkout")
    parser.add_argument(
        "--only", nargs="*", help="run only the sides whose name contains one of these"
    )
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "build")
    parser.add_argument("--keep", action="store_true", help="keep the corpus")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "corpus"
    t = time.perf_counter()
    make_corpus(corpus, args.n)
    write_jsonl(corpus, args.work / "articles.jsonl")
    print(f"corpus: {args.n} articles in {time.perf_counter() - t:.1f}s", flush=True)
    sides = _sides(args.tree.resolve() if args.tree else None, datatrove=_has_datatrove())
    if args.only:
        sides = [s for s in sides if any(o in s["name"] for o in args.only)]
    runs: dict[str, list[dict]] = {s["name"]: [] for s in sides}
    for rep in range(args.reps):
        for side in sides:
            r = _child(side, corpus, args.work / "out")
            runs[side["name"]].append(r)
            print(
                f"round {rep + 1} {side['name']:<24}{r['rate']:>9.1f}/s  {r['seconds']:>7.1f}s"
                f"  {r['cpu_rate']:>8.1f}/CPU s  {r['peak_rss_mb']:>6.0f} MB  load {r['load']:.2f}",
                flush=True,
            )
    summary = _summary(runs)
    _print_table(args.n, summary)
    (args.work.parent / f"build-{args.n}.json").write_text(
        json.dumps({"n": args.n, "reps": args.reps, "runs": runs, "summary": summary}, indent=2)
    )
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


def _summary(runs: dict[str, list[dict]]) -> dict[str, dict]:
    out = {}
    for name, rs in runs.items():
        rates = [r["rate"] for r in rs]
        out[name] = {
            "median": statistics.median(rates),
            "min": min(rates),
            "max": max(rates),
            "cpu_median": statistics.median(r["cpu_rate"] for r in rs),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs),
            "load": statistics.median(r["load"] for r in rs),
        }
    return out


def _print_table(n: int, summary: dict[str, dict]) -> None:
    base = summary.get("datasets map", {}).get("median")
    print(f"\n{n} articles; articles/s of wall time, median (min-max) over rounds")
    print("| run | articles/s | min | max | vs datasets | articles/CPU s | peak RSS MB | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, s in summary.items():
        ratio = f"{s['median'] / base:.2f}x" if base else "-"
        print(
            f"| {name} | {s['median']:.0f} | {s['min']:.0f} | {s['max']:.0f} | {ratio}"
            f" | {s['cpu_median']:.0f} | {s['peak_rss_mb']:.0f} | {s['load']:.2f} |"
        )
    w1, w2 = summary.get("builder -w1"), summary.get("builder -w2")
    if w1 and w2:
        print(f"builder w2/w1: {w2['median'] / w1['median']:.2f}")


if __name__ == "__main__":
    main()
