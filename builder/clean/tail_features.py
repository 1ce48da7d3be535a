"""The tail cut's features (:mod:`.tail_model`): the lines a cut may start at, in the page's
last characters, and for each a row of cheap text features of the line, its neighbours,
the rest of the page from it and what the rules removed around it. Read for those last
lines only (and a few above, and the page's opening words when a row could need them).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from .chars import cased_line_words, line_words
from .steps import RemovedWords

__all__ = [
    "FEATURES",
    "LAZY_FEATURES",
    "PAGE_FEATURES",
    "TailCandidates",
    "splits_a_list",
    "tail_candidates",
]

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


class _Line(NamedTuple):  # (a tuple: made for every line read, cheaper than a dataclass)
    start: int
    end: int  # end of the line's text (before its newline)
    count: int  # characters


@dataclass
class TailCandidates:
    """The lines a cut may start at, with their feature rows (``rows[k]`` for ``lines[at[k]]``)."""

    lines: list[_Line]
    at: list[int]
    rows: list[list[float]]
    #: whether the rows' :data:`LAZY_FEATURES` were read (else 0: see :func:`tail_candidates`)
    page_read: bool = False
    #: per row, when read: a cut there would split a list (:func:`splits_a_list`)
    in_list: list[bool] = field(default_factory=list)


#: Whether a page's rows need their :data:`LAZY_FEATURES` (given the rows with them at 0).
PageNeeded = Callable[[TailCandidates], bool]

#: The features that read the whole page (its line count, its opening), with the upper
#: end of their range (each is at least 0): read last, and only when a row could reach
#: the model's threshold with them (:meth:`Model.may_cut`); most pages' rows cannot.
PAGE_FEATURES = {"rest_len_ratio": math.inf, "overlap_head": 1.0}
#: ... and with them the first candidate's line above (a paragraph, mostly: the others'
#: line above is a candidate, read anyway). All are read together, when needed.
LAZY_FEATURES = {**PAGE_FEATURES, "prev_n_log": math.inf, "prev_term": 1.0, "prev_colon": 1.0}
_PREV = FEATURES.index("prev_n_log")
_RATIO = FEATURES.index("rest_len_ratio")
_OVERLAP_HEAD = FEATURES.index("overlap_head")


def tail_candidates(
    text: str,
    removed: RemovedWords | None,
    min_position: float,
    page_needed: PageNeeded | None = None,
) -> TailCandidates:
    """Feature rows for the lines starting in the page's last ``1 - min_position`` of
    characters (only those lines and the few above are read: not the whole page).

    The :data:`LAZY_FEATURES` are read only when ``page_needed`` (given the rows with
    them at 0) says so; always when it is not given (training reads every row whole)."""
    size = len(text)
    floor = min_position * size
    if text.rfind("\n", 0, len(text.rstrip())) + 1 < floor:
        return TailCandidates([], [], [])  # the last line starts above: no candidate
    lines, first, whole = _last_lines(text, floor)
    out = TailCandidates(lines, [], [])
    if first >= len(lines) or (whole and len(lines) < 3):
        return out  # no line starts in the page's end (most short articles), or a note
    counts = [ln.count for ln in lines]
    gaps = _removed_gaps(lines, first, len(text), removed)
    stats = [_line_stats(text, ln) for ln in lines[first:]]
    rest_rows = _rest_rows(stats, counts[first:], gaps[first + 1 :])
    for k in range(first, len(lines)):
        # the line above (the first candidate's: read with the page, 0 until then)
        s, p = stats[k - first], stats[k - first - 1] if k > first else _UNREAD
        r = rest_rows[k - first]
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
                r[0],  # rest_person
                r[1],  # rest_link
                r[2],  # rest_term
                0.0,  # rest_len_ratio: below
                0.0,  # overlap_head: below
                float(gaps[k] > 0),
                math.log1p(sum(gaps[max(0, k - _GAP_WINDOW) : k + 1])),
                r[4],
            ]
        )
    if page_needed is None or page_needed(out):
        rest_chars_per_line = [r[3] for r in rest_rows]
        _read_page_features(text, out, stats, rest_chars_per_line)
        above = _line_end_stats(text, lines[first - 1])
        out.rows[0][_PREV : _PREV + 3] = [math.log1p(above.n), above.term, above.colon]
        out.in_list = [splits_a_list(s, p) for s, p in zip(stats, [above, *stats], strict=False)]
    return out


def _read_page_features(
    text: str, found: TailCandidates, stats: list[_Stats], rest_chars_per_line: list[float]
) -> None:
    """Fill the rows' :data:`PAGE_FEATURES` (``stats[i]``, ``rest_chars_per_line[i]``:
    the ``i``-th candidate's line, the lines from it to the end)."""
    # the page's lines as iter_lines gives them (a last one only if not empty), less the
    # blank ones, near enough
    page_lines = text.count("\n") + int(bool(text) and not text.endswith("\n"))
    page_lines -= text.count("\n\n")
    chars_per_line = len(text) / max(1, page_lines)
    head = _head_words(text)
    long_words = seen = 0
    for i in range(len(stats) - 1, -1, -1):  # the rest's long words, from the end
        long = {w for w in stats[i].words if len(w) >= 4}
        long_words += len(long)
        seen += len(long & head)
        row = found.rows[i]
        row[_RATIO] = rest_chars_per_line[i] / chars_per_line
        row[_OVERLAP_HEAD] = seen / max(1, long_words)
    found.page_read = True


def _last_lines(text: str, floor: float) -> tuple[list[_Line], int, bool]:
    """The page's last non-blank lines, the index of the first candidate among them
    (the first starting at ``floor`` or after, never the page's first line) and whether
    they are the whole page: the candidates and the :data:`_GAP_WINDOW` + 1 lines above
    them (the gaps' window and the line above the first). Found from the end, one
    newline at a time, so a page's other lines are not split; when the last line starts
    above ``floor``, it alone."""
    lines: list[_Line] = []
    above_floor = 0
    stop = len(text)
    while stop >= 0:
        newline = text.rfind("\n", 0, stop)
        start = newline + 1
        end = stop
        stop = newline if newline >= 0 else -1
        # blank (not sliced when its first character shows it is not: a paragraph)
        if start == end or (text[start].isspace() and text[start:end].isspace()):
            continue
        lines.append(_Line(start, end, end - start))
        if start < floor:
            above_floor += 1
            if above_floor == len(lines) or above_floor > _GAP_WINDOW + 1:
                break  # no candidate at all, or the lines above them read
    lines.reverse()
    return lines, max(1, above_floor), stop < 0


class _Stats(NamedTuple):
    n: int
    words: list[str]  # the words of the line's first _LINE_CHARS characters, lowercased
    term: float
    colon: float
    q: float
    title: float
    digit: float
    person: float
    link: float
    bullet: float


#: A line's words are read in its first this many characters (a long line's shares are
#: those of its opening, its word count extrapolated from it by length): a paragraph at
#: the page's end is not read whole.
_LINE_CHARS = 240


def _line_stats(text: str, line: _Line) -> _Stats:
    opening = text[line.start : line.start + _LINE_CHARS].strip()
    cased = cased_line_words(opening)  # one pass: each word's case kept, lowered below
    words = list(map(str.lower, cased))
    firsts = "".join(map(_FIRST, cased))
    share = max(1, len(cased))  # a line of signs only ("* * *"): no word to share
    n, term, colon, q = _line_end(text, line, opening, len(cased))
    # counted with C-level maps, not loops over the words: the step is paid per page
    return _Stats(
        n,
        words,
        term,
        colon,
        q,
        sum(map(str.isupper, firsts)) / share,  # title
        sum(map(str.isdigit, firsts)) / share,  # digit
        sum(map(_PERSON.__contains__, words)) / share,  # person
        float(_has_link(text, line.start, line.end)),
        float(opening[:1] in _BULLETS),
    )


#: The first candidate's line above, before it is read (its features at 0).
_UNREAD = _Stats(0, [], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _line_end_stats(text: str, line: _Line) -> _Stats:
    """The words and end of the line above the first candidate (the rest not read)."""
    opening = text[line.start : line.start + _LINE_CHARS].strip()
    n, term, colon, q = _line_end(text, line, opening, len(cased_line_words(opening)))
    return _Stats(n, [], term, colon, q, 0.0, 0.0, 0.0, 0.0, float(opening[:1] in _BULLETS))


def _line_end(text: str, line: _Line, opening: str, seen: int) -> tuple[int, float, float, float]:
    """The line's words (``seen`` in its ``opening``, extrapolated by length for a long
    line) and how it ends (a sentence's stop, a colon, a question mark), read from its
    last characters."""
    words = seen
    if line.count > _LINE_CHARS:
        words = round(seen * line.count / max(1, len(opening)))
    last = text[max(line.start, line.end - 8) : line.end].rstrip()
    return words, float(last.endswith(_TERMINAL)), float(last[-1:] == ":"), float(last[-1:] == "?")


_FIRST = operator.itemgetter(0)


def _has_link(text: str, start: int, end: int) -> bool:
    """An address, a domain or a handle in the line (searched in place, not copied)."""
    find = text.find
    return (
        find("http", start, end) >= 0
        or find("www.", start, end) >= 0
        or find("@", start, end) >= 0
        or find(".com", start, end) >= 0
    )


def _rest_rows(stats: list[_Stats], counts: list[int], removed: list[int]) -> list[tuple]:
    """Per candidate (``stats[i]``, ``counts[i]``: its line; ``removed[i]``: the words the
    rules removed below it), sums over the lines from it to the page's end: the rest's
    person share, link and sentence-end shares, characters per line (over the page's
    when read) and the share of its words (as \\w+ counts them) the rules removed."""
    rows = []
    words = chars = removed_below = 0
    person = link = term = 0.0
    for i in range(len(stats) - 1, -1, -1):  # from the end
        s = stats[i]
        lines = len(stats) - i
        words += s.n
        chars += counts[i]
        person += s.person * s.n
        link += s.link
        term += s.term
        removed_below += removed[i]
        rows.append(
            (
                person / max(1, words),
                link / lines,
                term / lines,
                chars / lines,
                removed_below / (words + removed_below or 1),
            )
        )
    rows.reverse()
    return rows


def _head_words(text: str) -> frozenset[str]:
    """The words of the page's opening :data:`_HEAD_SHARE` of characters (the article's
    topic), casefolded (all of them: only the rest's long words are looked up)."""
    end = min(int(_HEAD_SHARE * len(text)), _HEAD_CHARS)
    return frozenset(line_words(text[:end]))


def _removed_gaps(
    lines: list[_Line], first: int, text_end: int, removed: RemovedWords | None
) -> list[int]:
    """Words the rules removed above each line (``gaps[k]``, from ``first - _GAP_WINDOW``
    on; 0 above) and, last, below the page's last line; all 0 when the map is not known."""
    gaps = [0] * (len(lines) + 1)
    top = max(1, first - _GAP_WINDOW)
    # one question for the whole window first: at many pages' ends the rules cut nothing
    if removed is None or not removed.changed(lines[top - 1].end, text_end):
        return gaps
    for k in range(top, len(lines)):
        gaps[k] = removed(lines[k - 1].end, lines[k].start)
    gaps[-1] = removed(lines[-1].end, text_end)
    return gaps


def splits_a_list(line: _Stats, above: _Stats) -> bool:
    """Whether a cut at ``line`` would take the last items of a list and leave its first
    ones: the line and the one above both short (at most 5 words), neither ending like a
    sentence or with a colon, both list items or neither (an article's closing checklist,
    "Mudguards / Gearing / Lights"; not a heading under a bulleted list). Furniture lists
    go whole, from their first line: a cut inside one is never the cut."""
    return (
        line.n <= 5
        and 0 < above.n <= 5
        and not line.term
        and not above.term
        and not above.colon
        and line.bullet == above.bullet
    )
