"""A learned cut at the page's end (issue 11): where the article stops and the page's
furniture (comments, promos, bios, link rails) takes over, in the last lines of a page.

The rules before this step remove furniture they recognise line by line; what they leave
under the article is often a residue no single rule names. This step scores every line
starting in the page's last characters (past :data:`Model.min_position` of them) as "the
rest of the page, from here on, is not the article", with a logistic regression over the
features :mod:`.tail_features` reads, and cuts at the best-scoring line when the score
reaches the model's threshold. The model (``tail_model.json`` beside this module:
weights, feature scaling, threshold, and the held-out figures it was kept on) is trained
by ``eval/train_tail_model.py`` on the development pages, cross-validated by site. Each
cut's reason names the model and its score (``tail_model.cut(p=0.87)``).

The cut never reaches above :data:`Model.min_position` of the page's characters, so a
wrong cut costs a bounded share of a page.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .edits import Edit
from .steps import CleaningStep, DocumentContext
from .tail_features import FEATURES, LAZY_FEATURES, TailCandidates, tail_candidates

__all__ = ["MODEL_PATH", "Model", "TailModel", "load_model"]

MODEL_PATH = Path(__file__).with_name("tail_model.json")


@dataclass(frozen=True)
class Model:
    """Logistic regression over standardised :data:`FEATURES`."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    min_position: float

    def __post_init__(self) -> None:
        # the scaling folded into the weights once: a score is then one dot product
        folded = tuple(w / s for w, s in zip(self.weights, self.scale, strict=True))
        object.__setattr__(self, "_folded", folded)
        shift = sum(f * m for f, m in zip(folded, self.mean, strict=True))
        object.__setattr__(self, "_bias", self.bias - shift)
        # the logit a cut needs, and the most the page features can add to a row's
        # (inf when one of positive weight has no upper end: every page read for it)
        object.__setattr__(self, "_need", math.log(self.threshold / (1.0 - self.threshold)))
        most = sum(
            folded[FEATURES.index(name)] * top
            for name, top in LAZY_FEATURES.items()
            if folded[FEATURES.index(name)] > 0
        )
        object.__setattr__(self, "_page_most", most)

    def score(self, row: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self._logit(row)))

    def _logit(self, row: Sequence[float]) -> float:
        return self._bias + sum(map(operator.mul, self._folded, row))  # type: ignore[attr-defined]

    def may_cut(self, found: TailCandidates) -> bool:
        """Whether a row (its :data:`LAZY_FEATURES` not read yet: 0) could reach the
        threshold at some value of them: if none can, the page is not read for them."""
        if not found.rows:
            return False
        best = max(map(self._logit, found.rows))
        return best + self._page_most >= self._need  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path}: features {data['features']} are not this code's {FEATURES}")
    return Model(
        mean=tuple(data["mean"]),
        scale=tuple(data["scale"]),
        weights=tuple(data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        min_position=float(data["min_position"]),
    )


class TailModel(CleaningStep):
    """Cuts the page's end where the model finds the article over (see the module)."""

    name = "tail_model"

    def __init__(self, model: Model | None = None) -> None:
        self.model = model  # the shipped one, read at the first page

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        model = self.model or load_model()
        found = tail_candidates(text, ctx.removed_words, model.min_position, model.may_cut)
        if not found.page_read:
            return []  # no line could reach the threshold (the page not read for it)
        best_k, best_p = -1, model.threshold
        for k, row in zip(found.at, found.rows, strict=True):
            if found.in_list[k - found.at[0]]:
                continue
            p = model.score(row)
            if p >= best_p:
                best_k, best_p = k, p
        if best_k < 0:
            return []
        start = found.lines[best_k].start
        return [self.edit(start, len(text), "", f"cut(p={best_p:.2f})")]
