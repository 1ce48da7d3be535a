"""The cleaner on real article pages: a folder of ``<flavour>.jsonl.gz`` with ``noisy`` and ``gold``.

    .venv/bin/python -m eval.real ../shared/cleaning-dev
    .venv/bin/python -m eval.run --real ../shared/cleaning-dev     # beside our own pages

The pages are read where they are and never copied into the repository. Scores
follow the folder's ``score.py`` (bag of lowercased ``\\w+`` tokens, per document,
then averaged): P, R, F1; ``lost5_attr``, the share of documents where the
cleaner itself removed more than 5% of the gold tokens that were in its input;
``noise_rm``, the mean share of non-gold tokens removed; and how many documents
lose more than 5% that way. Each flavour is scored for no cleaning and for the
cleaner as the build runs it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["evaluate_real", "real_table"]

_TOK = re.compile(r"\w+")


def _counts(text: str) -> Counter[str]:
    return Counter(_TOK.findall(text.lower()))


def _doc(gold: str, noisy: str, cleaned: str) -> dict[str, float | None]:
    g, n, c = _counts(gold), _counts(noisy), _counts(cleaned)
    tp = sum((g & c).values())
    ng, nc = sum(g.values()), sum(c.values())
    p = tp / nc if nc else 0.0
    r = tp / ng if ng else 0.0
    f1 = 2 * p * r / (p + r) if tp else 0.0
    in_noisy = sum((g & n).values())
    noise = n - g
    nn = sum(noise.values())
    return {
        "P": p,
        "R": r,
        "F1": f1,
        "lost5_attr": float(in_noisy > 0 and tp < 0.95 * in_noisy),
        "noise_rm": 1 - min(1.0, sum(((c - g) & noise).values()) / nn) if nn else None,
    }


def _pages(folder: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            yield path.name.removesuffix(".jsonl.gz"), [json.loads(line) for line in fh]


def _summary(rows: list[dict[str, float | None]]) -> dict[str, float]:
    out: dict[str, float] = {"docs": len(rows)}
    for key in ("P", "R", "F1", "lost5_attr", "noise_rm"):
        values = [r[key] for r in rows if r[key] is not None]
        out[key] = round(statistics.mean(values), 4) if values else float("nan")
    out["docs_lost5"] = sum(bool(r["lost5_attr"]) for r in rows)
    return out


def evaluate_real(folder: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Per flavour, per system (``none``, ``builder``): the summary scores."""
    from builder.clean.pipeline import Cleaner

    cleaner = Cleaner.default()
    systems: dict[str, Callable[[str], str]] = {
        "none": lambda text: text,
        "builder": lambda text: cleaner.clean(text).text,
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    for flavour, pages in _pages(folder):
        results[flavour] = {
            name: _summary([_doc(p["gold"], p["noisy"], clean(p["noisy"])) for p in pages])
            for name, clean in systems.items()
        }
    if not results:
        raise SystemExit(f"{folder}: no <flavour>.jsonl.gz files with noisy and gold pages")
    return results


def real_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    header = (
        f"{'flavour':<14} {'system':<8} {'docs':>4} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'lost5_attr':>10} {'noise_rm':>8} {'docs>5%':>7}"
    )
    lines = [header, "-" * len(header)]
    for flavour, systems in results.items():
        for name, s in systems.items():
            lines.append(
                f"{flavour:<14} {name:<8} {s['docs']:>4} {s['P']:>6.3f} {s['R']:>6.3f} "
                f"{s['F1']:>6.3f} {s['lost5_attr']:>10.3f} {s['noise_rm']:>8.3f} "
                f"{s['docs_lost5']:>7}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    print(real_table(evaluate_real(args.folder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
