"""Token-level scores of a cleaned text against its gold body.

Texts are compared as bags of lowercased word tokens (``\\w+``): precision is the
share of the output's tokens that belong to the gold body, recall the share of
the gold body's tokens that survived. Scores are computed per document and then
averaged, so long documents do not drown short ones.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["LOSS_THRESHOLD", "Score", "score", "tokens"]

_WORD = re.compile(r"\w+")
#: A document "loses" its body when more than this share of gold tokens is gone.
LOSS_THRESHOLD = 0.05


def tokens(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float

    @property
    def lost(self) -> bool:
        return 1.0 - self.recall > LOSS_THRESHOLD


def score(cleaned: str, gold: str) -> Score:
    out, ref = tokens(cleaned), tokens(gold)
    overlap = sum((out & ref).values())
    n_out, n_ref = sum(out.values()), sum(ref.values())
    precision = overlap / n_out if n_out else float(n_ref == 0)
    recall = overlap / n_ref if n_ref else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)
