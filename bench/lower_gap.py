"""Which rule families remove noise from real pages cased but not lowercased-tokenized.

    .venv/bin/python bench/lower_gap.py /work/shared/cleaning-dev [--sites even|odd|all]

For each page (both flavours), the cleaner runs on the page as it is and on its
``tokenize_lower`` form; every edit's removed ``\\w+`` tokens are counted against the
page's noise (tokens not in the gold) and gold, per rule (the first reason of the
edit). Prints per rule: noise and gold tokens removed, cased vs lowercased. Pages are
read where they are, nothing is written. ``--sites`` keeps half of the sites (by a
hash of the URL's host), for a site-grouped split; ``--diff N`` prints the N lines
removed cased but kept lowercased (to read, not to fit).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

TOK = re.compile(r"\w+")


def bag(text: str) -> Counter[str]:
    return Counter(TOK.findall(text.lower()))


def site_half(url: str) -> str:
    host = urlparse(url).netloc.lower().removeprefix("www.")
    return "even" if hashlib.sha1(host.encode()).digest()[0] % 2 == 0 else "odd"


def attribute(cleaner: Any, noisy: str, gold: str) -> tuple[Counter[str], Counter[str], str]:
    res = cleaner.clean(noisy)
    noise = bag(noisy) - bag(gold)
    goldleft = bag(gold)
    nrm: Counter[str] = Counter()
    grm: Counter[str] = Counter()
    for e in res.edits:
        removed = bag(e.original) - bag(e.replacement)
        if not removed:
            continue
        reason = next((r for r in e.reason.split("+") if not r.startswith("whitespace")), e.reason)
        for tok, k in removed.items():
            a = min(k, noise[tok])
            noise[tok] -= a
            nrm[reason] += a
            b = min(k - a, goldleft[tok])
            goldleft[tok] -= b
            grm[reason] += b
    return nrm, grm, res.text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--sites", choices=["even", "odd", "all"], default="all")
    ap.add_argument("--diff", type=int, default=0)
    ap.add_argument(
        "--repo",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the tree whose cleaner runs (another checkout, to compare)",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(args.repo))
    from builder.clean.pipeline import Cleaner
    from eval.bank import tokenize_lower

    cleaner = Cleaner.default()
    tot = {f: (Counter(), Counter()) for f in ("cased", "lower")}
    diffs: list[tuple[str, str]] = []
    for path in sorted(args.folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                p = json.loads(line)
                if args.sites != "all" and site_half(p["url"]) != args.sites:
                    continue
                n1, g1, t1 = attribute(cleaner, p["noisy"], p["gold"])
                low_noisy, low_gold = tokenize_lower(p["noisy"]), tokenize_lower(p["gold"])
                n2, g2, t2 = attribute(cleaner, low_noisy, low_gold)
                tot["cased"][0].update(n1)
                tot["cased"][1].update(g1)
                tot["lower"][0].update(n2)
                tot["lower"][1].update(g2)
                if args.diff:
                    kept_lower = set(t2.split("\n"))
                    kept_cased = {tokenize_lower(x) for x in t1.split("\n")}
                    for x in low_noisy.split("\n"):
                        if x.strip() and x not in kept_cased and x in kept_lower:
                            diffs.append((p["url"], x))
    rules = sorted(
        set(tot["cased"][0]) | set(tot["lower"][0]) | set(tot["cased"][1]) | set(tot["lower"][1])
    )
    rules.sort(key=lambda r: -(tot["cased"][0][r] + tot["lower"][0][r]))
    print(
        f"{'rule':<40} {'noise cased':>11} {'noise lower':>11} {'gap':>7} {'gold cased':>10} {'gold lower':>10}"
    )
    for r in rules:
        nc, nl = tot["cased"][0][r], tot["lower"][0][r]
        gc, gl = tot["cased"][1][r], tot["lower"][1][r]
        print(f"{r:<40} {nc:>11} {nl:>11} {nc - nl:>7} {gc:>10} {gl:>10}")
    nc, nl = sum(tot["cased"][0].values()), sum(tot["lower"][0].values())
    gc, gl = sum(tot["cased"][1].values()), sum(tot["lower"][1].values())
    print(f"{'TOTAL':<40} {nc:>11} {nl:>11} {nc - nl:>7} {gc:>10} {gl:>10}")
    for url, x in diffs[: args.diff]:
        print(f"{urlparse(url).netloc:<30} {x[:150]}")


if __name__ == "__main__":
    main()
