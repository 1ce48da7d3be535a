"""The real-page scores follow the shared scorer's definitions (score.py's prf and doc_metrics)."""

from __future__ import annotations

from collections import Counter

import pytest

from eval.real import doc_scores


def bag(text: str) -> Counter[str]:
    return Counter(text.lower().split())


def test_a_page_cleaned_of_its_noise_only() -> None:
    s = doc_scores(bag("a b c d"), bag("a b c d menu ads"), bag("a b c d"))
    assert (s["P"], s["R"], s["F1"], s["lost5_attr"], s["noise_rm"]) == (1.0, 1.0, 1.0, 0.0, 1.0)


def test_a_page_that_lost_article_text() -> None:
    s = doc_scores(bag("a b c d"), bag("a b c d menu"), bag("a b menu"))
    assert s["P"] == pytest.approx(2 / 3)
    assert s["R"] == pytest.approx(0.5)
    assert s["F1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert s["lost5_attr"] == 1.0  # the cleaner removed gold that was in its input
    assert s["noise_rm"] == 0.0


def test_an_empty_gold_scores_one_only_when_nothing_is_left() -> None:
    assert doc_scores(Counter(), bag("menu"), Counter())["F1"] == 1.0
    assert doc_scores(Counter(), bag("menu"), bag("menu"))["F1"] == 0.0
    assert doc_scores(bag("a"), bag("a"), Counter())["F1"] == 0.0
