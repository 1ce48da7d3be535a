"""The cleaner on real article pages: a folder of ``<flavour>.jsonl.gz`` with ``noisy`` and ``gold``.

    .venv/bin/python -m eval.real ../shared/cleaning-dev
    .venv/bin/python -m eval.run --real ../shared/cleaning-dev     # beside our own pages

The pages are read where they are and never copied into the repository. Scores
follow the folder's ``score.py`` (bag of lowercased ``\\w+`` tokens, per document,
then averaged): P, R, F1; ``lost5_attr``, the share of documents where the
cleaner itself removed more than 5% of the gold tokens that were in its input;
``noise_rm``, the mean share of non-gold tokens removed; and how many documents
lose more than 5% that way. Each flavour is scored for no cleaning and for the
cleaner as the build runs it, in two forms: ``cased``, the pages as they are, and
``lower``, the same pages lowercased and tokenized line by line as older corpora
come (``don ' t``, ``u . s .``; :func:`eval.bank.tokenize_lower` on the noisy text
and on the gold, line breaks kept), so the cleaner is held to the same standard on
both (the tokens scored are the same words; only the rules' view of them differs).
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

from .bank import tokenize_lower

__all__ = ["FORMS", "doc_scores", "evaluate_real", "real_table"]

_TOK = re.compile(r"\w+")

#: How each page is shown to the cleaner: as it is, and lowercased and tokenized.
FORMS: dict[str, Callable[[str], str]] = {"cased": lambda text: text, "lower": tokenize_lower}


def _counts(text: str) -> Counter[str]:
    return Counter(_TOK.findall(text.lower()))


def _doc(gold: str, noisy: str, cleaned: str) -> dict[str, float | None]:
    return doc_scores(_counts(gold), _counts(noisy), _counts(cleaned))


def doc_scores(g: Counter[str], n: Counter[str], c: Counter[str]) -> dict[str, float | None]:
    """One page's scores from its token bags (gold, noisy, cleaned), as ``score.py``
    gives them (an empty gold is scored 1 when nothing is left, else 0)."""
    tp = sum((g & c).values())
    ng, nc = sum(g.values()), sum(c.values())
    if ng == 0:
        p = r = f1 = 1.0 if nc == 0 else 0.0
    elif nc == 0 or tp == 0:
        p = r = f1 = 0.0
    else:
        p, r = tp / nc, tp / ng
        f1 = 2 * p * r / (p + r)
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


def evaluate_real(
    folder: Path, forms: tuple[str, ...] = tuple(FORMS)
) -> dict[str, dict[str, dict[str, float]]]:
    """Per flavour and form (``residual``, ``residual/lower``), per system (``none``,
    ``builder``): the summary scores. The cased form keeps the flavour's bare name."""
    from builder.clean.pipeline import Cleaner

    cleaner = Cleaner.default()
    systems: dict[str, Callable[[str], str]] = {
        "none": lambda text: text,
        "builder": lambda text: cleaner.clean(text).text,
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    for flavour, pages in _pages(folder):
        for form in forms:
            shown = FORMS[form]
            pairs = [(shown(p["gold"]), shown(p["noisy"])) for p in pages]
            key = flavour if form == "cased" else f"{flavour}/{form}"
            results[key] = {
                name: _summary([_doc(gold, noisy, clean(noisy)) for gold, noisy in pairs])
                for name, clean in systems.items()
            }
    if not results:
        raise SystemExit(f"{folder}: no <flavour>.jsonl.gz files with noisy and gold pages")
    return results


def real_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """The scores as a table, one row per flavour (and form) and system."""
    header = (
        f"{'flavour':<20} {'system':<8} {'docs':>4} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'lost5_attr':>10} {'noise_rm':>8} {'docs>5%':>7}"
    )
    lines = [header, "-" * len(header)]
    for flavour, systems in results.items():
        for name, s in systems.items():
            lines.append(
                f"{flavour:<20} {name:<8} {s['docs']:>4} {s['P']:>6.3f} {s['R']:>6.3f} "
                f"{s['F1']:>6.3f} {s['lost5_attr']:>10.3f} {s['noise_rm']:>8.3f} "
                f"{s['docs_lost5']:>7}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument(
        "--form", action="append", choices=list(FORMS), help="default: cased and lower"
    )
    args = parser.parse_args(argv)
    print(real_table(evaluate_real(args.folder, tuple(args.form or FORMS))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
