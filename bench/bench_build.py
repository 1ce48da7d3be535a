"""Build throughput and peak memory, against a plain ``datasets`` baseline.

    .venv/bin/python bench/bench_build.py              # 100k articles (default)
    .venv/bin/python bench/bench_build.py -n 10000 --workers 2

A synthetic corpus of N articles is made from the seeds: sentences drawn from
the five seed articles (cased or lowercased tokenized, kept apart), about 40
per article, with their entity spans carried along (so annotation density is
the seeds', about 50 spans per article) and web boilerplate appended to a
third of them. Each run happens in its own process so its peak RSS is its own:

* ``builder``: ``builder.pipeline.build`` (stream, clean, anchor, validate,
  split, write Parquet, card, manifest);
* ``baseline``: the same per-article work done the usual way with plain
  ``datasets``: ``Dataset.from_json`` -> ``map`` (clean + anchor with the same
  cleaner) -> ``to_parquet``; no validation, no splits, no card.

The goal is stated as ratios (builder / baseline): throughput >= 0.5x while
validating every row, and peak RSS flat in N (compare -n 10000 with -n 100000).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
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
    """Write a corpus of ``n`` synthetic articles in the seeds' layout."""
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


def run_builder(corpus: Path, out: Path, workers: int) -> dict:
    from builder.pipeline import build

    start = time.perf_counter()
    result = build(corpus, out, workers=workers)
    return {"seconds": time.perf_counter() - start, "articles": result.stats.stages["written"]}


def run_baseline(corpus: Path, out: Path, workers: int) -> dict:
    """The same cleaning and anchoring, done with plain datasets."""
    import datasets

    from builder.anchor import anchor_annotation
    from builder.clean.pipeline import Cleaner

    start = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    records = out.parent / "baseline-input.jsonl"
    anns = {}
    with (corpus / "annotations.jsonl").open() as handle:
        for line in handle:  # the usual hand-rolled script joins in memory
            a = json.loads(line)
            anns[a["article_id"]] = a
    with records.open("w") as sink:
        for path in sorted((corpus / "articles").glob("*.txt")):
            a = anns[path.stem]
            sink.write(
                json.dumps(
                    {
                        "id": path.stem,
                        "raw": path.read_text(encoding="utf-8"),
                        "entities": a["entities"],
                        "genre": a["labels"]["genre"],
                    }
                )
                + "\n"
            )
    cleaner = Cleaner.default()

    def clean_and_anchor(row: dict) -> dict:
        result = cleaner.clean(row["raw"])
        spans = anchor_annotation(
            {"article_id": row["id"], "entities": row["entities"], "quotes": []},
            result.text,
            result.edits,
        )
        return {
            "text": result.text,
            "entities": spans.entities,
            "edits": [e.as_dict() for e in result.edits],
        }

    ds = datasets.Dataset.from_json(str(records), cache_dir=str(out.parent / "hf-cache"))
    ds = ds.map(clean_and_anchor, remove_columns=["raw"], num_proc=workers if workers > 1 else None)
    out.mkdir(parents=True, exist_ok=True)
    ds.to_parquet(str(out / "train.parquet"))
    return {"seconds": time.perf_counter() - start, "articles": ds.num_rows}


def _child(kind: str, corpus: Path, out: Path, workers: int) -> dict:
    """Run one kind in a fresh process (this script with ``--child``) and read its figures."""
    cmd = [sys.executable, __file__, "--child", kind, str(corpus), str(out), str(workers)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["rate"] = result["articles"] / result["seconds"]
    return result


def _run_child(kind: str, corpus: str, out: str, workers: str) -> None:
    """Inside the child: run, then report its peak RSS (the largest of it and its pool workers)."""
    import resource

    run = {"builder": run_builder, "baseline": run_baseline}[kind]
    result = run(Path(corpus), Path(out), int(workers))
    peak = max(
        resource.getrusage(r).ru_maxrss for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    result["peak_rss_mb"] = peak / 1024
    print(json.dumps(result))


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        _run_child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="articles in the synthetic corpus")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "build")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and outputs")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "corpus"
    t = time.perf_counter()
    make_corpus(corpus, args.n)
    print(f"corpus: {args.n} articles in {time.perf_counter() - t:.1f}s", flush=True)
    results = {
        kind: _child(kind, corpus, args.work / kind / "dataset", args.workers)
        for kind in ("builder", "baseline")
    }
    b, base = results["builder"], results["baseline"]
    print(f"{'run':<10}{'articles':>10}{'seconds':>10}{'articles/s':>12}{'peak RSS MB':>13}")
    for kind, r in results.items():
        print(
            f"{kind:<10}{r['articles']:>10}{r['seconds']:>10.1f}{r['rate']:>12.1f}{r['peak_rss_mb']:>13.0f}"
        )
    print(
        f"ratio builder/baseline: throughput {b['rate'] / base['rate']:.2f}x, peak RSS {b['peak_rss_mb'] / base['peak_rss_mb']:.2f}x"
    )
    (args.work.parent / f"build-{args.n}.json").write_text(
        json.dumps({"n": args.n, "workers": args.workers, **results}, indent=2)
    )
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
