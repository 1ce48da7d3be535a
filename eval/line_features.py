"""What a learned line classifier would see of a line: shape, place on the page, neighbours.

An experiment (issue 11, see ``eval/LINE_MODEL.md``): a per-line classifier run after the
rules, on the lines they keep. It did not earn a place in the cleaner (out of fold, held
out by site, it gains at most +.002 F1 at the loss budget), so it lives here, with its
training script (``eval/train_line_model.py``), not in :mod:`builder.clean`.

One pass over a document's non-blank lines gives one row of numbers per line
(:data:`FEATURES` names the columns) and the line's first word; :class:`LineModelFile`
scores them with a model file written by the training script, with numpy alone (what a
cleaner step would do; it also measures what that would cost).

Every feature reads the same on cased text and on lowercased tokenized text
(``israel ' s war cabinet met .``): words are counted as ``\\w+`` runs, a line's end is
read on its normalized form (spaced punctuation rejoined, :func:`builder.clean.lines.normalize`),
and the one feature about case (``caps``) is 0 on a text without capitals, on which
the model is trained as well (the training pages are fed in both forms).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from builder.clean.boilerplate import is_running_text
from builder.clean.lines import LineView, line_view

__all__ = ["FEATURES", "LineModelFile", "doc_features", "first_word"]

_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$|[\"”’]$")
_FIRST_WORD = re.compile(r"\w+")
_LIST_MARKER = re.compile(r"([-–•*·▪►]|\d{1,2}[.)])\s")

#: The columns of :func:`doc_features`, in order (the model file lists them too, and
#: the step refuses a model whose list differs).
FEATURES: tuple[str, ...] = (
    "bias",
    "log_words",  # log(1 + words)
    "log_chars",
    "words_le3",
    "words_le9",
    "running",  # is_running_text: 25 words, or a sentence of 10
    "sentence_end",  # closes like a sentence
    "colon_end",
    "caps",  # share of tokens opening with a capital (0 in lowercased text)
    "digits",  # share of tokens with a digit
    "punct",  # share of characters that are neither word characters nor spaces
    "list_marker",
    "pipe",  # "|" or "·" separators: menus, bylines
    "pos_lines",  # line index / (lines - 1)
    "words_before",  # share of the page's words above the line
    "words_after",
    "log_from_start",  # lines above
    "log_from_end",  # lines below
    "head",  # above the first running line
    "tail",  # below the last running line
    "log_gap_prev_run",  # lines since the last running line above (page length if none)
    "log_gap_next_run",
    "prev_log_words",
    "next_log_words",
    "prev_running",
    "next_running",
    "prev_sentence_end",
    "next_sentence_end",
    "repeated",  # the same words on an earlier line of the page
    "doc_log_words",
    "doc_running_share",
    "tail_short",  # tail and at most 9 words
    "run_after_share",  # share of the running lines that are below this one
)


def first_word(view: LineView) -> str:
    """The line's first word, casefolded ("" for a line without one)."""
    return view.words[0] if view.words else ""


def doc_features(lines: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Feature rows (``len(lines) x len(FEATURES)``, float64) and first words of ``lines``.

    ``lines`` are the page's non-blank lines, in order, without their newlines.
    """
    n = len(lines)
    views = [line_view(t) for t in lines]
    words = np.array([len(v.words) for v in views], dtype=np.float64)
    chars = np.array([len(t) for t in lines], dtype=np.float64)
    running = np.array([is_running_text(v) for v in views], dtype=np.float64)
    ends = np.array([bool(_SENTENCE_END.search(v.norm)) for v in views], dtype=np.float64)
    colon = np.array([v.norm.endswith(":") for v in views], dtype=np.float64)
    caps = np.zeros(n)
    digits = np.zeros(n)
    punct = np.zeros(n)
    marker = np.zeros(n)
    pipe = np.zeros(n)
    repeated = np.zeros(n)
    seen: set[str] = set()
    for i, (t, v) in enumerate(zip(lines, views, strict=True)):
        toks = t.split()
        nt = len(toks) or 1
        caps[i] = sum(1 for w in toks if w[0].isupper()) / nt
        digits[i] = sum(1 for w in toks if any(c.isdigit() for c in w)) / nt
        letters = sum(len(w) for w in toks)
        punct[i] = (letters - sum(1 for c in t if c.isalnum() or c == "_")) / max(letters, 1)
        marker[i] = bool(_LIST_MARKER.match(t.lstrip()))
        pipe[i] = "|" in t or " · " in t
        key = v.key
        if key in seen:
            repeated[i] = 1.0
        seen.add(key)
    log_words = np.log1p(words)
    total = max(words.sum(), 1.0)
    before = np.cumsum(words) - words
    idx = np.arange(n, dtype=np.float64)
    run_idx = np.flatnonzero(running)
    if run_idx.size:
        first, last = run_idx[0], run_idx[-1]
        # the nearest running line at or above each line, and at or below
        above = np.searchsorted(run_idx, idx, side="right") - 1
        gap_prev = np.where(above >= 0, idx - run_idx[np.maximum(above, 0)], n)
        below = np.searchsorted(run_idx, idx, side="left")
        gap_next = np.where(
            below < run_idx.size, run_idx[np.minimum(below, run_idx.size - 1)] - idx, n
        )
        run_after = (run_idx.size - np.searchsorted(run_idx, idx, side="right")) / run_idx.size
    else:
        first, last = n, -1
        gap_prev = np.full(n, float(n))
        gap_next = np.full(n, float(n))
        run_after = np.zeros(n)
    head = (idx < first).astype(np.float64)
    tail = (idx > last).astype(np.float64)

    def shifted(a: np.ndarray, by: int) -> np.ndarray:
        out = np.zeros(n)
        if by > 0:
            out[by:] = a[:-by]
        else:
            out[:by] = a[-by:]
        return out

    cols = [
        np.ones(n),
        log_words,
        np.log1p(chars),
        (words <= 3).astype(np.float64),
        (words <= 9).astype(np.float64),
        running,
        ends,
        colon,
        caps,
        digits,
        punct,
        marker,
        pipe,
        idx / max(n - 1, 1),
        before / total,
        (total - before - words) / total,
        np.log1p(idx),
        np.log1p(n - 1 - idx),
        head,
        tail,
        np.log1p(gap_prev),
        np.log1p(gap_next),
        shifted(log_words, 1),
        shifted(log_words, -1),
        shifted(running, 1),
        shifted(running, -1),
        shifted(ends, 1),
        shifted(ends, -1),
        repeated,
        np.full(n, np.log1p(total)),
        np.full(n, running.mean() if n else 0.0),
        tail * (words <= 9),
        run_after,
    ]
    x = np.stack(cols, axis=1) if n else np.zeros((0, len(FEATURES)))
    return x, [first_word(v) for v in views]


class LineModelFile:
    """A model file written by ``eval/train_line_model.py --out``: one weight per feature,
    one per known first word, and the removal threshold; scored with numpy alone."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != list(FEATURES):
            raise ValueError(f"{path}: its features are not the ones this version computes")
        self.name = str(data["name"])
        self.weights = np.array([float(data["weights"][f]) for f in FEATURES])
        self.first_word = {str(k): float(v) for k, v in data.get("first_word", {}).items()}
        self.remove_at = float(data["remove_at"])

    def p_remove(self, lines: Sequence[str]) -> np.ndarray:
        """Probability that each line is furniture (the model scores "gold line")."""
        x, first = doc_features(lines)
        z = x @ self.weights
        fw = self.first_word
        z += np.array([fw.get(w, 0.0) for w in first])
        return 1.0 / (1.0 + np.exp(z))
