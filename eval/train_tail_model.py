"""Train the cleaner's tail model (``builder/clean/tail_model.json``) on real pages, and
report its figures held out by site (issue 11).

    .venv/bin/python -m eval.train_tail_model ../shared/cleaning-dev            # CV report
    .venv/bin/python -m eval.train_tail_model ../shared/cleaning-dev --write    # + the model

The pages (``<flavour>.jsonl.gz`` with ``noisy``, ``gold`` and ``url``) are read where they
are, never copied. Each page is cleaned by every step before the tail model, whose
candidates (lines in the page's last words, :func:`builder.clean.tail_features.tail_candidates`)
are collected with their features: the same code the cleaner runs. Every page is used
twice, as published and lowercased and tokenized like older corpora
(:func:`eval.bank.tokenize_lower`), so the model does not lean on case alone. A candidate is a good
cut when cutting the page there raises its F1 (``score.py``'s tokens) and loses at most
:data:`MAX_GOLD_LOST` of the gold tokens the page still has.

Held out by site: the hosts are split in two halves (``md5(host) % 2``); each half is
scored by the model fitted on the other, at the shipped threshold, and the figures are
per-half F1 changes (x1e4), noise and gold tokens removed and pages passing
``lost5_attr``. The shipped model is fitted on all pages (numpy, Newton steps with an L2
penalty: deterministic), its figures written into the file beside the weights.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from builder.clean.pipeline import Cleaner
from builder.clean.steps import DocumentContext
from builder.clean.tail_features import FEATURES, tail_candidates
from builder.clean.tail_model import MODEL_PATH, TailModel

from .bank import tokenize_lower
from .real import doc_scores

#: A cut may lose this share of the page's remaining gold tokens and still be a good one.
MAX_GOLD_LOST = 0.01
L2 = 100.0
THRESHOLD = 0.85
MIN_POSITION = 0.95
_TOK = re.compile(r"\w+")


def toks(text: str) -> Counter[str]:
    return Counter(_TOK.findall(text.lower()))


@dataclass
class Page:
    flavour: str
    half: int
    gold: Counter[str]
    noisy: Counter[str]
    text: str  # the text the tail model reads
    starts: list[int]  # where each candidate's cut starts
    rows: np.ndarray
    labels: np.ndarray
    in_list: np.ndarray  # per row: a cut there would split a list (never made)


class _Collect(TailModel):
    """The tail model's place in the cleaner, keeping its candidates instead of cutting."""

    def __init__(self) -> None:
        self.model = None  # type: ignore[assignment]
        self.seen: tuple[str, list[int], list[list[float]], list[bool]] | None = None

    def find_edits(self, text: str, ctx: DocumentContext) -> list:  # type: ignore[type-arg]
        found = tail_candidates(text, ctx.removed_words, MIN_POSITION)
        self.seen = (text, [found.lines[k].start for k in found.at], found.rows, found.in_list)
        return []


def half_of(url: str) -> int:
    return int(hashlib.md5(urlsplit(url).netloc.encode()).hexdigest(), 16) % 2


def load_pages(folder: Path) -> list[Page]:
    cleaner = Cleaner.build()
    collect = _Collect()
    cleaner.steps = [collect if isinstance(s, TailModel) else s for s in cleaner.steps]
    pages = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                for form, noisy in (("", rec["noisy"]), ("/lower", tokenize_lower(rec["noisy"]))):
                    cleaner.clean(noisy)
                    assert collect.seen is not None
                    text, starts, rows, in_list = collect.seen
                    gold = toks(rec["gold"])
                    pages.append(
                        Page(
                            path.name.split(".")[0] + form,
                            half_of(rec["url"]),
                            gold,
                            toks(noisy),
                            text,
                            starts,
                            np.array(rows, dtype=float).reshape(len(rows), len(FEATURES)),
                            _labels(gold, text, starts),
                            np.array(in_list, dtype=bool),
                        )
                    )
    return pages


def _labels(gold: Counter[str], text: str, starts: list[int]) -> np.ndarray:
    whole = toks(text)
    f1 = doc_scores(gold, whole, whole)["F1"]
    kept_gold = sum((gold & whole).values())
    out = []
    for start in starts:
        cut = toks(text[:start])
        lost = kept_gold - sum((gold & cut).values())
        good = doc_scores(gold, cut, cut)["F1"] > f1 and lost <= MAX_GOLD_LOST * max(1, kept_gold)
        out.append(float(good))
    return np.array(out)


def fit(pages: list[Page], l2: float = L2, threshold: float = THRESHOLD) -> dict[str, object]:
    """Logistic regression (Newton steps, L2 on the weights, not the bias)."""
    x = np.vstack([p.rows for p in pages])
    y = np.concatenate([p.labels for p in pages])
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = l2 * np.diag(np.r_[np.ones(len(w) - 1), 0.0])
    for _ in range(30):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty
        w -= np.linalg.solve(hess, grad)
    return {
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w[:-1]],
        "bias": round(float(w[-1]), 6),
        "threshold": threshold,
        "min_position": MIN_POSITION,
    }


def cut_at(model: dict[str, object], page: Page) -> int | None:
    """Where the model cuts the page (the best-scoring candidate at the threshold)."""
    if not len(page.rows):
        return None
    z = (page.rows - np.array(model["mean"])) / np.array(model["scale"])
    p = 1 / (1 + np.exp(-(z @ np.array(model["weights"]) + float(model["bias"]))))
    p[page.in_list] = 0.0  # as the step: never inside a list
    best = int(np.argmax(p))
    return page.starts[best] if p[best] >= float(model["threshold"]) else None


def held_out(pages: list[Page], threshold: float = THRESHOLD) -> dict[str, dict[str, float]]:
    """Per flavour and half: F1 change x1e4 (mean over the half's pages), tokens removed,
    pages newly over lost5_attr, cuts; each half cut by the model of the other."""
    models = {h: fit([p for p in pages if p.half != h], threshold=threshold) for h in (0, 1)}
    out: dict[str, dict[str, float]] = {}
    for page in pages:
        key = f"{page.flavour}/half{page.half}"
        row = out.setdefault(key, dict(pages=0, f1_x1e4=0.0, noise=0, gold=0, lost5=0, cuts=0))
        row["pages"] += 1
        start = cut_at(models[page.half], page)
        if start is None:
            continue
        before, after = toks(page.text), toks(page.text[:start])
        a = doc_scores(page.gold, page.noisy, before)
        b = doc_scores(page.gold, page.noisy, after)
        gold_lost = sum(((page.gold & before) - (page.gold & after)).values())
        row["f1_x1e4"] += (b["F1"] - a["F1"]) * 1e4
        row["gold"] += gold_lost
        row["noise"] += sum((before - after).values()) - gold_lost
        row["lost5"] += b["lost5_attr"] - a["lost5_attr"]
        row["cuts"] += 1
    for row in out.values():
        row["f1_x1e4"] = round(row["f1_x1e4"] / row["pages"], 2)
    return dict(sorted(out.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pages", type=Path, help="folder of <flavour>.jsonl.gz development pages")
    ap.add_argument("--write", action="store_true", help=f"write the model to {MODEL_PATH}")
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="p a cut needs")
    args = ap.parse_args()
    pages = load_pages(args.pages)
    figures = held_out(pages, args.threshold)
    for key, row in figures.items():
        print(key, row)
    if args.write:
        model = fit(pages, threshold=args.threshold)
        model["held_out_by_site"] = figures
        model["trained_on"] = f"{len(pages)} pages ({args.pages.name}), labels: cut gains F1"
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print("wrote", MODEL_PATH)


if __name__ == "__main__":
    main()
