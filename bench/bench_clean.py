"""The cleaner on its own: CPU speed per step, and an equivalence check between two codes.

Speed (CPU time, ``time.process_time``; the machine is shared):

    .venv/bin/python bench/bench_clean.py speed [--limit N] [--texts DIR]

Speed against another code, in one process, interleaved (old new, new old, ...; on a
shared machine CPU time drifts between runs, so only runs side by side compare): the
other tree's ``builder/clean`` is loaded under another package name.

    .venv/bin/python bench/bench_clean.py ab /tmp/base19 --texts /tmp/c5k/articles --limit 1000

(At least 1,000 texts: the lines of fewer fit the line caches, and from the second run on
every view would be a cache hit, which a build, reading each article once, never sees.)

Equivalence: record every output (clean text, composed edit log, attributes, rule
counts) of one code, then compare another code's outputs with it. Run the old code by
putting its checkout first on the path:

    PYTHONPATH=/work/main .venv/bin/python bench/bench_clean.py record /tmp/old.pkl
    .venv/bin/python bench/bench_clean.py compare /tmp/old.pkl

(The eval corpus is imported from the tree on ``PYTHONPATH``, else from this checkout.)

CPU seconds per MB against another tree, a fresh cleaner per run, interleaved, on a
build input's articles and the real dev pages (cased and lowercased):

    .venv/bin/python bench/bench_clean.py permb /tmp/base --texts /tmp/c5k/articles --reps 5

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
from types import ModuleType

# After PYTHONPATH: ``record`` with an old tree first on the path reads that tree's code.
sys.path.append(str(Path(__file__).resolve().parent.parent))

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


def _load_tree(tree: Path, name: str) -> ModuleType:
    """``tree``'s ``builder.clean`` package, imported as ``<name>.clean`` from a copy (with
    the rule files and the modules it imports from ``builder``)."""
    import importlib
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="bench_clean_"))
    pkg = root / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    shutil.copytree(tree / "builder" / "clean", pkg / "clean")
    shutil.copytree(tree / "builder" / "rules", pkg / "rules")
    for module in ("yamlio.py", "utf8.py"):  # what builder.clean imports from builder
        if (tree / "builder" / module).exists():
            shutil.copy(tree / "builder" / module, pkg / module)
    sys.path.insert(0, str(root))
    return importlib.import_module(f"{name}.clean.pipeline")


def _step_times(pipeline: ModuleType, texts: list[str]) -> Counter[str]:
    """CPU seconds per step (and ``text_form``, ``apply``) over ``texts``, then
    ``Cleaner.clean`` as a whole."""
    steps_mod = sys.modules[pipeline.__name__.rsplit(".", 1)[0] + ".steps"]
    cleaner = pipeline.Cleaner.default()
    per: Counter[str] = Counter()
    for raw in texts:
        ctx = steps_mod.DocumentContext()
        t0 = time.process_time()
        form = pipeline.text_form(raw)
        ctx.attributes.update(
            text_form=form.label, lowercased=form.lowercased, tokenized=form.tokenized
        )
        per["text_form"] += time.process_time() - t0
        emap = pipeline.EditMap(raw)
        for step in cleaner.steps:
            t0 = time.process_time()
            edits = step.find_edits(emap.text, ctx)
            t1 = time.process_time()
            emap.apply(edits)
            per[step.name] += t1 - t0
            per["apply"] += time.process_time() - t1
    t0 = time.process_time()
    for raw in texts:
        cleaner.clean(raw, steps_mod.DocumentContext())
    per["Cleaner.clean"] = time.process_time() - t0
    return per


def ab(old_tree: Path, limit: int | None, folder: Path | None, reps: int) -> None:
    """Median microseconds per text, per step, of ``old_tree``'s cleaner and this one."""
    import statistics

    if folder is not None:
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    else:
        texts = [p["noisy"] for p in dev_pages()]
    texts = texts[:limit] if limit else texts
    old = _load_tree(old_tree, "bench_clean_old")
    from builder.clean import pipeline as new

    for side in (old, new):  # warm caches and tables
        _step_times(side, texts[:100])
    runs: dict[str, list[Counter[str]]] = {"old": [], "new": []}
    for rep in range(reps):  # which goes first alternates too (old new new old ...)
        order = [("old", old), ("new", new)]
        for side, pipeline in order if rep % 2 == 0 else order[::-1]:
            runs[side].append(_step_times(pipeline, texts))

    def median_us(side: str, key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in runs[side]) / len(texts) * 1e6

    keys = sorted(runs["old"][0], key=lambda k: -median_us("old", k))
    print(f"{len(texts)} texts, {reps} interleaved runs each; median CPU us per text")
    print(f"{'step':<16}{'old':>9}{'new':>9}{'old/new':>9}")
    for k in keys:
        o, n = median_us("old", k), median_us("new", k)
        print(f"{k:<16}{o:9.1f}{n:9.1f}{o / max(n, 1e-9):8.2f}x")


def per_mb(old_tree: Path, folder: Path, limit: int | None, reps: int) -> None:
    """CPU seconds per MB of ``Cleaner.clean`` (a fresh cleaner per run: every line
    cache cold, as a build reading each article once), ``old_tree``'s against this
    one's, interleaved (old new, new old, ...), on three corpora: a build input's
    articles, the real dev pages, and the dev pages lowercased."""
    import statistics

    articles = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))][:limit]
    dev = [p["noisy"] for p in dev_pages()]
    corpora = {folder.name: articles, "dev": dev, "dev-lower": [t.lower() for t in dev]}
    old = _load_tree(old_tree, "bench_clean_old")
    from builder.clean import pipeline as new

    sides = {"old": old, "new": new}
    print(f"{reps} interleaved runs each; CPU s per MB of Cleaner.clean, median [min, max]")
    print(f"{'corpus':<12}{'MB':>7}{'old':>22}{'new':>22}{'old/new':>9}")
    for label, texts in corpora.items():
        mb = sum(len(t.encode()) for t in texts) / 1e6
        runs: dict[str, list[float]] = {"old": [], "new": []}
        for rep in range(reps):
            order = ["old", "new"] if rep % 2 == 0 else ["new", "old"]
            for side in order:
                pipeline = sides[side]
                steps_mod = sys.modules[pipeline.__name__.rsplit(".", 1)[0] + ".steps"]
                cleaner = pipeline.Cleaner.default()
                t0 = time.process_time()
                for raw in texts:
                    cleaner.clean(raw, steps_mod.DocumentContext())
                runs[side].append((time.process_time() - t0) / mb)

        cells = {
            side: f"{statistics.median(x):.3f} [{min(x):.3f}, {max(x):.3f}]"
            for side, x in runs.items()
        }
        ratio = statistics.median(runs["old"]) / statistics.median(runs["new"])
        print(f"{label:<12}{mb:7.2f}{cells['old']:>22}{cells['new']:>22}{ratio:8.2f}x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("record").add_argument("path", type=Path)
    sub.add_parser("compare").add_argument("path", type=Path)
    sp = sub.add_parser("speed")
    sp.add_argument("--limit", type=int, default=None)
    sp.add_argument("--texts", type=Path, default=None, help="a folder of .txt articles")
    ap_ab = sub.add_parser("ab")
    ap_ab.add_argument("old_tree", type=Path, help="a checkout whose builder/clean to compare")
    ap_ab.add_argument("--limit", type=int, default=None)
    ap_ab.add_argument("--texts", type=Path, default=None, help="a folder of .txt articles")
    ap_ab.add_argument("--reps", type=int, default=5)
    ap_mb = sub.add_parser("permb")
    ap_mb.add_argument("old_tree", type=Path, help="a checkout whose builder/clean to compare")
    ap_mb.add_argument("--texts", type=Path, required=True, help="a folder of .txt articles")
    ap_mb.add_argument("--limit", type=int, default=None)
    ap_mb.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    if args.cmd == "permb":
        per_mb(args.old_tree, args.texts, args.limit, args.reps)
        return 0
    if args.cmd == "ab":
        ab(args.old_tree, args.limit, args.texts, args.reps)
        return 0
    if args.cmd == "record":
        record(args.path)
        return 0
    if args.cmd == "compare":
        return compare(args.path)
    speed(args.limit, args.texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
