"""The cleaner on its own: CPU speed per step, and an equivalence check between two codes.

Speed (CPU time, ``time.process_time``; the machine is shared):

    .venv/bin/python bench/bench_clean.py speed [--limit N] [--texts DIR]

Equivalence: record every output (clean text, composed edit log, attributes, rule
counts) of one code, then compare another code's outputs with it. Run the old code by
putting its checkout first on the path:

    PYTHONPATH=/work/main .venv/bin/python bench/bench_clean.py record /tmp/old.pkl
    .venv/bin/python bench/bench_clean.py compare /tmp/old.pkl

The cases: every page of both real dev files (``noisy``, with and without the page
title as headline, lowercased, and lowercased through the detokenizer), the eval
corpus (default cleaner, with the publisher pre-scan, with the detokenizer) and the
seed files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

DEV = Path("/work/shared/cleaning-dev")
SEEDS = Path("/work/shared/seeds")
DEV_FILES = ("residual.jsonl.gz", "residual_rp.jsonl.gz")


def dev_pages() -> list[dict]:
    """Every page of both dev files; ``case`` names it uniquely (the files share ids)."""
    pages = []
    for name in DEV_FILES:
        with gzip.open(DEV / name, "rt", encoding="utf-8") as f:
            for line in f:
                page = json.loads(line)
                page["case"] = f"{name.split('.')[0]}/{page['id']}"
                pages.append(page)
    return pages


def cases() -> Iterator[tuple[str, str, str, dict]]:
    """(case id, cleaner kind, raw text, context fields)."""
    for p in dev_pages():
        yield f"dev:{p['case']}", "default", p["noisy"], {}
        yield f"dev-title:{p['case']}", "default", p["noisy"], {"headline": p.get("title")}
        yield f"dev-lower:{p['case']}", "default", p["noisy"].lower(), {}
        yield f"dev-lower-detok:{p['case']}", "detok", p["noisy"].lower(), {}
    from eval.corpus import generate

    for d in generate():
        ctx = {"article_id": d.id, "publisher": d.site}
        yield f"eval:{d.id}", "default", d.raw, ctx
        yield f"eval-pub:{d.id}", "publisher", d.raw, ctx
        yield f"eval-detok:{d.id}", "detok", d.raw, ctx
    for path in sorted(SEEDS.glob("*.txt")):
        yield f"seed:{path.name}", "default", path.read_text(encoding="utf-8"), {}


def _cleaners() -> dict:
    from builder.clean.pipeline import Cleaner
    from builder.clean.repetition import LineCounter
    from eval.corpus import generate

    counter = LineCounter()
    for d in generate():
        counter.add(d.site, d.raw)
    return {
        "default": Cleaner.default(),
        "detok": Cleaner.build(detokenize=True),
        "publisher": Cleaner.build(repeated_lines=counter.frozen()),
    }


def outputs() -> dict[str, tuple]:
    from builder.clean.steps import DocumentContext

    cleaners = _cleaners()
    out = {}
    for cid, kind, raw, ctx in cases():
        r = cleaners[kind].clean(raw, DocumentContext(**ctx))
        out[cid] = (
            r.text,
            [
                (
                    e.raw_start,
                    e.raw_end,
                    e.clean_start,
                    e.clean_end,
                    e.original,
                    e.replacement,
                    e.reason,
                )
                for e in r.edits
            ],
            sorted(r.attributes.items()),
            sorted(r.rule_counts.items()),
            sorted(r.removed_chars.items()),
        )
    return out


def record(path: Path) -> None:
    out = outputs()
    path.write_bytes(pickle.dumps(out))
    print(f"recorded {len(out)} cases to {path}")


def compare(path: Path) -> int:
    old = pickle.loads(path.read_bytes())
    new = outputs()
    bad = [k for k in old if new.get(k) != old[k]]
    missing = set(old) ^ set(new)
    if len(new) != sum(1 for _ in cases()):
        raise SystemExit("case ids are not unique")
    print(f"compared {len(old)} cases: {len(bad)} mismatches, {len(missing)} missing")
    for k in bad[:10]:
        o, n = old[k], new[k]
        fields = ["text", "edits", "attributes", "rule_counts", "removed_chars"]
        print(" ", k, [f for f, a, b in zip(fields, o, n, strict=True) if a != b])
    return 1 if bad or missing else 0


def speed(limit: int | None, folder: Path | None = None) -> None:
    from builder.clean.edits import EditMap
    from builder.clean.pipeline import Cleaner
    from builder.clean.steps import DocumentContext
    from builder.clean.textform import text_form

    if folder is not None:  # a build input's articles/*.txt
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    else:
        texts = [p["noisy"] for p in dev_pages()]
    texts = texts[:limit] if limit else texts
    mb = sum(len(t.encode()) for t in texts) / 1e6
    cleaner = Cleaner.default()
    per: Counter[str] = Counter()
    for _ in range(2):  # the first round warms caches; the second is measured
        per.clear()
        for raw in texts:
            ctx = DocumentContext()
            t0 = time.process_time()
            form = text_form(raw)
            ctx.attributes.update(
                text_form=form.label, lowercased=form.lowercased, tokenized=form.tokenized
            )
            per["text_form"] += time.process_time() - t0
            emap = EditMap(raw)
            for step in cleaner.steps:
                t0 = time.process_time()
                edits = step.find_edits(emap.text, ctx)
                t1 = time.process_time()
                emap.apply(edits)
                t2 = time.process_time()
                per[step.name] += t1 - t0
                per["apply"] += t2 - t1
    total = sum(per.values())
    t0 = time.process_time()
    for raw in texts:
        cleaner.clean(raw)
    whole = time.process_time() - t0
    print(
        f"{len(texts)} docs, {mb:.2f} MB; Cleaner.clean: {whole:.2f} s CPU = {mb / whole:.2f} MB/s"
    )
    print(f"{'step':<14}{'CPU s':>8}{'share':>8}{'MB/s':>9}")
    for name, sec in per.most_common():
        print(f"{name:<14}{sec:8.3f}{sec / total:8.1%}{mb / max(sec, 1e-9):9.1f}")
    print(f"{'sum':<14}{total:8.3f}{'':>8}{mb / total:9.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("record").add_argument("path", type=Path)
    sub.add_parser("compare").add_argument("path", type=Path)
    sp = sub.add_parser("speed")
    sp.add_argument("--limit", type=int, default=None)
    sp.add_argument("--texts", type=Path, default=None, help="a folder of .txt articles")
    args = ap.parse_args(argv)
    if args.cmd == "record":
        record(args.path)
        return 0
    if args.cmd == "compare":
        return compare(args.path)
    speed(args.limit, args.texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
