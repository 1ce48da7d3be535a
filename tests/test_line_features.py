"""The line-classifier experiment's features (eval/line_features.py, issue 11).

The classifier is not in the cleaner (it did not earn its place: eval/LINE_MODEL.md), but
its features must stay what the training script measured: per line, in one pass, the same
on cased and on lowercased tokenized text except for the one case feature.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.bank import tokenize_lower
from eval.line_features import FEATURES, LineModelFile, doc_features

PAGE = [
    "Home | World | Business",
    "Harbour authority approves the new ferry terminal after two years of talks",
    "By Ines Calloway, Transport Correspondent",
    "The harbour authority voted on Tuesday to approve a new ferry terminal on the east "
    "quay, ending two years of argument over its cost, its size and the noise it will bring.",
    "Construction is due to begin in the spring and the first sailings are planned for 2028.",
    "Residents' groups said they would keep pressing for limits on night-time crossings, "
    "which they say would wake the whole of the old town.",
    "Share this article",
    "Related: Ferry fares to rise again in April",
]


def col(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, FEATURES.index(name)]


def test_one_row_per_line_with_place_and_shape() -> None:
    x, first = doc_features(PAGE)
    assert x.shape == (len(PAGE), len(FEATURES))
    assert first[0] == "home" and first[-1] == "related"
    assert col(x, "running").tolist() == [0, 0, 0, 1, 1, 1, 0, 0]
    # the share rail and the teaser sit below the last paragraph, the menu above the first
    assert col(x, "tail").tolist() == [0, 0, 0, 0, 0, 0, 1, 1]
    assert col(x, "head").tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert col(x, "pipe")[0] == 1 and col(x, "pipe")[1:].sum() == 0
    assert col(x, "log_gap_prev_run")[-1] == np.log1p(2)


def test_lowercased_tokenized_text_reads_the_same_but_for_case() -> None:
    cased, first_cased = doc_features(PAGE)
    lower, first_lower = doc_features(tokenize_lower("\n".join(PAGE)).split("\n"))
    assert first_cased == first_lower
    assert col(lower, "caps").sum() == 0 and col(cased, "caps").sum() > 0
    # shares over white-space tokens and characters move when punctuation is split off
    same = [f for f in FEATURES if f not in ("caps", "log_chars", "punct", "digits")]
    for f in same:
        np.testing.assert_allclose(col(lower, f), col(cased, f), err_msg=f)


def test_a_model_file_scores_lines_with_numpy(tmp_path: Path) -> None:
    weights = dict.fromkeys(FEATURES, 0.0)
    weights.update(bias=-2.0, running=6.0, tail=-3.0)
    path = tmp_path / "line.json"
    path.write_text(
        json.dumps(
            {
                "name": "line_test",
                "features": list(FEATURES),
                "weights": weights,
                "first_word": {"share": -2.0},
                "remove_at": 0.9,
            }
        )
    )
    p = LineModelFile(path).p_remove(PAGE)
    assert p.shape == (len(PAGE),)
    assert p[3] < 0.1 and p[6] > 0.99  # a paragraph kept, the share line not
