"""A learned cut at the page's end (issue 11): where the article stops and the page's
furniture (comments, promos, bios, link rails) takes over, in the last lines of a page.

The rules before this step remove furniture they recognise line by line; what they leave
under the article is often a residue no single rule names. This step scores every line
starting in the page's last characters (past :data:`Model.min_position` of them) as "the
rest of the page, from here on, is not the article", with a logistic regression over
cheap text features of the line, its neighbours, the rest of the page from it and what
the rules removed around it, and cuts at the best-scoring line when the score reaches the model's threshold. The
model (``tail_model.json`` beside this module: weights, feature scaling, threshold, and
the held-out figures it was kept on) is trained by ``eval/train_tail_model.py`` on the
development pages, cross-validated by site. Each cut's reason names the model and its
score (``tail_model.cut(p=0.87)``).

The cut never reaches above :data:`Model.min_position` of the page's characters, so a
wrong cut costs a bounded share of a page. The features are read for those last lines
only (and a few above, and the page's opening words): the step costs little per page.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .edits import Edit
from .steps import CleaningStep, DocumentContext

__all__ = ["FEATURES", "MODEL_PATH", "Model", "TailCandidates", "TailModel", "tail_candidates"]

MODEL_PATH = Path(__file__).with_name("tail_model.json")

_WORD = re.compile(r"\w+")
_LONG_WORD = re.compile(r"\w{4,}")
_WORD_START = re.compile(r"\b\w")
#: Words of a voice speaking to or for the reader (comments, promos, sign-offs).
_PERSON = frozenset({"i", "my", "me", "you", "your", "we", "our", "us"})
#: How a line of running text ends (also a closing quote or bracket after the stop).
_TERMINAL = tuple('.!?"”’)')
_BULLETS = frozenset("-*•|")
#: The page's opening share (of characters) whose words the rest is compared with.
_HEAD_SHARE = 0.3
#: ... at most this many characters (a long page's opening says what it is about).
_HEAD_CHARS = 4000
#: Lines before a candidate whose removed words count as "the rules removed furniture here".
_GAP_WINDOW = 3

#: The model's inputs, in order (the JSON file names them too: a mismatch is refused).
FEATURES = (
    "pos",  # share of the page's characters above the line
    "rest_lines_log",  # log(1 + lines from the line to the end)
    "n_log",  # log(1 + the line's words)
    "term",  # the line ends like a sentence
    "colon",  # ... with a colon
    "q",  # ... with a question mark
    "short",  # at most 5 words
    "prev_n_log",  # the line above: its words
    "prev_term",
    "prev_colon",
    "title",  # share of the line's words capitalised (0 on lowercased text)
    "digit",  # share of words starting with a digit
    "person",  # share of first / second person words
    "link",  # an address, a domain or a handle
    "bullet",  # a list item
    "rest_person",  # first / second person share in the rest of the page
    "rest_link",  # share of the rest's lines with an address
    "rest_term",  # share of the rest's lines ending like a sentence
    "rest_len_ratio",  # the rest's characters per line over the page's
    "overlap_head",  # share of the rest's long words seen in the page's opening
    "gap_any",  # the rules removed words just above the line
    "gap_prev_window",  # log(1 + words the rules removed in the lines around it)
    "gap_rest_share",  # share of the rest's words (as written) that the rules removed
)


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

    def score(self, row: Sequence[float]) -> float:
        z = self._bias + sum(map(operator.mul, self._folded, row))  # type: ignore[attr-defined]
        return 1.0 / (1.0 + math.exp(-z))


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


@dataclass
class _Line:
    start: int
    end: int  # end of the line's text (before its newline)
    count: int  # characters


@dataclass
class TailCandidates:
    """The lines a cut may start at, with their feature rows (``rows[k]`` for ``lines[at[k]]``)."""

    lines: list[_Line]
    at: list[int]
    rows: list[list[float]]


#: Words the rules removed between two places of the current text (the cleaner's map).
RemovedWords = Callable[[int, int], int]


def tail_candidates(text: str, removed: RemovedWords | None, min_position: float) -> TailCandidates:
    """Feature rows for the lines starting in the page's last ``1 - min_position`` of
    characters (only those lines and the few above are read: not the whole page)."""
    size = len(text)
    floor = min_position * size
    lines: list[_Line] = []  # the page's last non-blank lines, read from the end
    above_floor = 0
    # (found from the end, one newline at a time: a page's other lines are not split)
    stop = size
    while stop >= 0:
        newline = text.rfind("\n", 0, stop)
        start = newline + 1
        line = text[start:stop]
        stop = newline if newline >= 0 else -1
        if not line or line.isspace():
            continue
        lines.append(_Line(start, start + len(line), len(line)))
        if start < floor:
            above_floor += 1
            if above_floor > _GAP_WINDOW + 1:  # the gaps' window and the line above
                break
    lines.reverse()
    out = TailCandidates(lines, [], [])
    # the page's lines as iter_lines gives them (a last one only if not empty), less the
    # blank ones, near enough
    page_lines = text.count("\n") + int(bool(text) and not text.endswith("\n"))
    page_lines -= text.count("\n\n")
    first = max(1, above_floor)  # the page's first line is never a cut
    if page_lines < 3 or first >= len(lines):
        return out
    counts = [ln.count for ln in lines]
    head = _head_words(text)
    gaps = _removed_gaps(lines, first, len(text), removed)
    stats = [_line_stats(text, ln) for ln in lines[first - 1 :]]  # the line above the first too
    rest = _RestSums()
    rest_rows: list[tuple[float, ...]] = []
    removed_below = 0
    for k in range(len(lines) - 1, first - 1, -1):  # the rest's sums, from the end
        rest.add(stats[k - first + 1], counts[k], head)
        removed_below += gaps[k + 1]
        rest_rows.append(
            (*rest.row(size / page_lines), removed_below / (rest.words + removed_below or 1))
        )
    rest_rows.reverse()
    for k in range(first, len(lines)):
        s, p = stats[k - first + 1], stats[k - first]
        out.at.append(k)
        out.rows.append(
            [
                lines[k].start / size,
                math.log1p(len(lines) - k),
                math.log1p(s.n),
                s.term,
                s.colon,
                s.q,
                float(s.n <= 5),
                math.log1p(p.n),
                p.term,
                p.colon,
                s.title,
                s.digit,
                s.person,
                s.link,
                s.bullet,
                *rest_rows[k - first][:-1],
                float(gaps[k] > 0),
                math.log1p(sum(gaps[max(0, k - _GAP_WINDOW) : k + 1])),
                rest_rows[k - first][-1],
            ]
        )
    return out


@dataclass
class _Stats:
    n: int
    long: frozenset[str]  # the line's words of 4 letters and more, lowercased
    term: float
    colon: float
    q: float
    title: float
    digit: float
    person: float
    link: float
    bullet: float


def _line_stats(text: str, line: _Line) -> _Stats:
    s = text[line.start : line.end].strip()
    low = s.lower()
    words = _WORD.findall(low)
    firsts = _WORD_START.findall(s)  # each word's first character, case kept
    n = max(1, len(words))  # a line of signs only ("* * *"): no word to share
    # counted with C-level maps, not loops over the words: the step is paid per page
    return _Stats(
        n=len(words),
        long=frozenset(_LONG_WORD.findall(low)),
        term=float(s.endswith(_TERMINAL)),
        colon=float(s.endswith(":")),
        q=float(s.endswith("?")),
        title=sum(map(str.isupper, firsts)) / n,
        digit=sum(map(str.isdigit, firsts)) / n,
        person=sum(map(_PERSON.__contains__, words)) / n,
        link=float("http" in s or "www." in s or "@" in s or ".com" in s),
        bullet=float(s[0] in _BULLETS),
    )


class _RestSums:
    """Running sums over the lines from a candidate to the page's end."""

    def __init__(self) -> None:
        self.lines = 0
        self.words = 0  # as \w+ counts them (as the removed words are counted)
        self.counted = 0  # characters
        self.person = 0.0
        self.link = 0.0
        self.term = 0.0
        self.long_words = 0
        self.seen_in_head = 0

    def add(self, s: _Stats, count: int, head: frozenset[str]) -> None:
        self.lines += 1
        self.words += s.n
        self.counted += count
        self.person += s.person * s.n
        self.link += s.link
        self.term += s.term
        self.long_words += len(s.long)
        self.seen_in_head += len(s.long & head)

    def row(self, words_per_line: float) -> tuple[float, ...]:
        return (
            self.person / max(1, self.words),
            self.link / self.lines,
            self.term / self.lines,
            (self.counted / self.lines) / words_per_line,
            self.seen_in_head / max(1, self.long_words),
        )


def _head_words(text: str) -> frozenset[str]:
    """The long words of the page's opening :data:`_HEAD_SHARE` of characters (the
    article's topic), lowercased."""
    end = min(int(_HEAD_SHARE * len(text)), _HEAD_CHARS)
    return frozenset(_LONG_WORD.findall(text[:end].lower()))


def _removed_gaps(
    lines: list[_Line], first: int, text_end: int, removed: RemovedWords | None
) -> list[int]:
    """Words the rules removed above each line (``gaps[k]``, from ``first - _GAP_WINDOW``
    on; 0 above) and, last, below the page's last line; all 0 when the map is not known."""
    gaps = [0] * (len(lines) + 1)
    if removed is None:
        return gaps
    for k in range(max(1, first - _GAP_WINDOW), len(lines)):
        gaps[k] = removed(lines[k - 1].end, lines[k].start)
    gaps[-1] = removed(lines[-1].end, text_end)
    return gaps


class TailModel(CleaningStep):
    """Cuts the page's end where the model finds the article over (see the module)."""

    name = "tail_model"

    def __init__(self, model: Model | None = None) -> None:
        self.model = model  # the shipped one, read at the first page

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        model = self.model or load_model()
        found = tail_candidates(text, ctx.removed_words, model.min_position)
        best_k, best_p = -1, model.threshold
        for k, row in zip(found.at, found.rows, strict=True):
            p = model.score(row)
            if p >= best_p:
                best_k, best_p = k, p
        if best_k < 0:
            return []
        start = found.lines[best_k].start
        return [self.edit(start, len(text), "", f"cut(p={best_p:.2f})")]
