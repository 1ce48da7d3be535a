"""Cleaning steps: each finds edits in a text and never rewrites it directly.

A step has one job and a name; every edit it returns carries a reason
(``<step>.<rule>``) that ends up in the published edit log and in the card's
counts. Steps are pure: the same text and context give the same edits. This
module holds what every step stands on: the step itself, the document's context,
the text's lines (split once, shared) and edits from a local repair
(:func:`diff_edits`). The steps are in modules of their own (:mod:`.text_fixes`,
:mod:`.header`, :mod:`.teasers`, :mod:`.boilerplate`, :mod:`.sections`, ...).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from .edits import Edit
from .lines import count_words_of

__all__ = ["CleaningStep", "DocumentContext", "diff_edits", "first_lines", "iter_lines"]


class RemovedWords(Protocol):
    """Words the earlier steps removed between two offsets of the current text."""

    def __call__(self, start: int, end: int) -> int: ...

    def changed(self, start: int, end: int) -> bool:
        """Whether the earlier steps changed anything there (cheaper than counting)."""
        ...


@dataclass
class DocumentContext:
    """What a step may know besides the text: ids and attributes found so far."""

    article_id: str = ""
    publisher: str | None = None
    headline: str | None = None
    attributes: dict[str, object] = field(default_factory=dict)
    #: Words the earlier steps removed between two offsets of the text a step reads
    #: (set by the cleaner while it runs; the tail model reads where the rules cut).
    removed_words: RemovedWords | None = field(default=None, repr=False, compare=False)


class CleaningStep:
    """Base class. Subclasses set ``name`` and implement :meth:`find_edits`."""

    name: str = "step"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        raise NotImplementedError

    def edit(self, start: int, end: int, replacement: str, rule: str) -> Edit:
        return Edit(start, end, replacement, f"{self.name}.{rule}")


def iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end_including_newline, line_without_newline) for every line."""
    # Most steps leave the text as they found it, so the next step reads the same
    # string: its lines are kept (for the last text only: flat memory) and not split
    # again. The pair is read and replaced as one object, so threads see a whole pair.
    last = _last_lines
    if last is not None and last[0] is text:
        return iter(last[1])
    rows = list(_split_lines(text))
    _keep_lines(text, rows)
    return iter(rows)


_last_lines: tuple[str, list[tuple[int, int, str]]] | None = None


def _keep_lines(text: str, rows: list[tuple[int, int, str]]) -> None:
    global _last_lines
    _last_lines = (text, rows)


def _split_lines(text: str) -> Iterator[tuple[int, int, str]]:
    # One split in C, then offsets by addition: a third faster than finding each newline.
    pos = 0
    lines = text.split("\n")
    # the steps reading these lines ask how many words each has: all counted at once
    # (when the first long line is read), from this split
    count_words_of(text, lines)
    last = lines[-1]  # what follows the last newline: "" when the text ends with one
    for line in itertools.islice(lines, len(lines) - 1):
        end = pos + len(line) + 1
        yield pos, end, line
        pos = end
    if last:
        yield pos, pos + len(last), last


def first_lines(text: str, count: int) -> list[tuple[int, int, str]]:
    """``[ln for ln in iter_lines(text) if ln[2].strip()][:count]``, without testing
    the lines past the ``count``-th (a long text's many lines are not stripped)."""
    out: list[tuple[int, int, str]] = []
    if count <= 0:
        return [ln for ln in iter_lines(text) if ln[2] and not ln[2].isspace()][:count]
    for line in iter_lines(text):
        if line[2] and not line[2].isspace():
            out.append(line)
            if len(out) == count:
                break
    return out


def diff_edits(step: CleaningStep, old: str, new: str, offset: int, rule: str) -> list[Edit]:
    """Fine-grained edits turning ``old`` into ``new`` (so offsets stay tight).

    ``new`` is ``old`` after a local repair (NFC, ftfy) of one line, which may be the
    whole article on one line. difflib's matcher is quadratic and worse on repetitive
    text (a run of combining marks: 4,000 characters took 50 s), so it only sees small
    parts: see :func:`_changes`.
    """
    return [step.edit(offset + i, offset + j, rep, rule) for i, j, rep in _changes(old, new)]


#: The most characters (on either side) handed to difflib's matcher at once: a changed
#: word of normal text is shorter (NFC changes 1-3 characters, ftfy a word or two),
#: and difflib's worst case at this size is ~20 µs a character.
_MATCHER_MAX = 64
#: How far (in words, on either side) a changed stretch is followed to where the two
#: texts agree again on a word (ftfy may take a space into a repaired character).
_RESYNC_WORDS = 4


def _changes(old: str, new: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) in ``old`` turning it into ``new``, in linear time.

    The common start and end are cut off; what is left goes to difflib when small,
    else is split at spaces (which NFC never changes, creates nor removes) and the
    words are walked side by side: each changed stretch of words is diffed alone.
    """
    start, old_end, new_end = _changed_span(old, new)
    a, b = old[start:old_end], new[start:new_end]
    if len(a) <= _MATCHER_MAX and len(b) <= _MATCHER_MAX:
        return _matcher_changes(a, b, start)
    old_words, new_words = a.split(" "), b.split(" ")
    if len(old_words) == 1 or len(new_words) == 1:
        return [(start, old_end, b)]
    out: list[tuple[int, int, str]] = []
    i = j = 0
    pos = start  # where old_words[i] starts
    while i < len(old_words) and j < len(new_words):
        if old_words[i] == new_words[j]:
            pos += len(old_words[i]) + 1
            i, j = i + 1, j + 1
            continue
        di, dj = _resync(old_words, new_words, i, j)
        x, y = " ".join(old_words[i : i + di]), " ".join(new_words[j : j + dj])
        if len(x) == len(a) and len(y) == len(b):  # no word agrees again: one replacement
            return [(start, old_end, b)]
        out.extend((pos + s, pos + e, rep) for s, e, rep in _changes(x, y))
        pos += len(x) + 1
        i, j = i + di, j + dj
    if i < len(old_words) or j < len(new_words):
        # one side ran out (a resync on its last word): the other's words are left
        rest = " " + " ".join(new_words[j:]) if j < len(new_words) else ""
        out.append((pos - 1, old_end, rest))
    return out


def _resync(old_words: list[str], new_words: list[str], i: int, j: int) -> tuple[int, int]:
    """How many words on each side until the two agree again (all that is left if not
    within :data:`_RESYNC_WORDS`): the fewest words first, the same count on both preferred."""
    for total in range(2, 2 * _RESYNC_WORDS + 1):
        for di in sorted(range(1, total), key=lambda d: abs(2 * d - total)):
            dj = total - di
            if i + di >= len(old_words) or j + dj >= len(new_words):
                continue
            if old_words[i + di] == new_words[j + dj]:
                return di, dj
    return len(old_words) - i, len(new_words) - j


def _matcher_changes(old: str, new: str, offset: int) -> list[tuple[int, int, str]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (offset + i1, offset + i2, new[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _changed_span(old: str, new: str) -> tuple[int, int, int]:
    """(start, end in old, end in new) of what lies between the common start and end."""
    start = _common_prefix_length(old, new)
    # the common end may not reach into the common start
    end = _common_prefix_length(old[start:][::-1], new[start:][::-1])
    return start, len(old) - end, len(new) - end


def _common_prefix_length(a: str, b: str) -> int:
    # slices compared in C, halving the candidate length: O(n log n) at memcmp speed
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low
