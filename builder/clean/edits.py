"""Edits and the offset map between a raw text and its cleaned form.

Every cleaning step reports what it changed as :class:`Edit` objects relative to
its own input. :class:`EditMap` composes them into one list of non-overlapping
edits relative to the *raw* text, so that

* the raw text can always be rebuilt from the clean text plus the edits, and
* any raw offset (an annotation made before cleaning) can be mapped onto the
  clean text, and back.

Offsets are Python string indices, i.e. Unicode code points.

Example:
    >>> m = EditMap("a  b")
    >>> m.apply([Edit(1, 3, " ", "whitespace.collapse")])
    >>> m.text
    'a b'
    >>> m.rebuild_raw() == "a  b"
    True
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Edit", "EditMap", "RawEdit", "SpanMapping", "apply_edits", "rebuild_raw"]


@dataclass(frozen=True, slots=True)
class Edit:
    """A replacement of ``text[start:end]`` by ``replacement`` in one step's input."""

    start: int
    end: int
    replacement: str
    reason: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit range [{self.start}, {self.end})")


@dataclass(frozen=True, slots=True)
class RawEdit:
    """One entry of the published edit log, anchored in both texts.

    ``raw[raw_start:raw_end] == original`` and
    ``clean[clean_start:clean_end] == replacement``.
    """

    raw_start: int
    raw_end: int
    clean_start: int
    clean_end: int
    original: str
    replacement: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "raw_start": self.raw_start,
            "raw_end": self.raw_end,
            "clean_start": self.clean_start,
            "clean_end": self.clean_end,
            "original": self.original,
            "replacement": self.replacement,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class SpanMapping:
    """Where a raw span ended up in the clean text.

    ``status`` is ``"anchored"`` when the span's text is untouched,
    ``"moved"`` when its characters were normalised or its edges fell inside an
    edit (the span now covers the whole edited region), and ``"removed"`` when
    every character of it was deleted by cleaning.
    """

    start: int
    end: int
    status: str
    reasons: tuple[str, ...] = ()


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits, sorted by position, to ``text``."""
    out: list[str] = []
    pos = 0
    for edit in edits:
        if edit.start < pos:
            raise ValueError(f"overlapping or unsorted edit at {edit.start} ({edit.reason})")
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    if pos > len(text):
        raise ValueError(f"edit ends at {pos}, past the end of the text ({len(text)})")
    out.append(text[pos:])
    return "".join(out)


def rebuild_raw(clean: str, edits: Iterable[RawEdit | dict]) -> str:
    """Rebuild the raw text from a clean text and its published edit log.

    The log is what a published row carries, so this works on plain dicts too.
    """
    out: list[str] = []
    pos = 0
    for edit in edits:
        e = edit if isinstance(edit, RawEdit) else RawEdit(**edit)
        if clean[e.clean_start : e.clean_end] != e.replacement:
            raise ValueError(f"edit log does not match the clean text at {e.clean_start}")
        out.append(clean[pos : e.clean_start])
        out.append(e.original)
        pos = e.clean_end
    out.append(clean[pos:])
    return "".join(out)


def _touches(s: int, e: int, cs: int, ce: int) -> bool:
    """Whether a new edit [s, e) and an existing clean range [cs, ce) must merge.

    Non-empty ranges merge when they overlap; an empty one (an insertion) merges
    with anything that contains or borders it, so two edits never compete for
    the same position.
    """
    if s == e or cs == ce:
        return max(s, cs) <= min(e, ce)
    return max(s, cs) < min(e, ce)


class EditMap:
    """The composed edits from a raw text to its current (cleaned) text."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = raw
        self._edits: list[RawEdit] = []
        #: the edit list (replaced whole, never changed in place) and its clean ends
        self._ends_of: tuple[list[RawEdit], list[int]] | None = None

    @property
    def edits(self) -> list[RawEdit]:
        return list(self._edits)

    # -- composing -------------------------------------------------------------
    def apply(self, edits: Sequence[Edit]) -> None:
        """Apply one step's edits (relative to the current text) and compose them."""
        if not edits:
            return
        ordered = sorted(edits, key=lambda e: (e.start, e.end))
        new_text = apply_edits(self.text, ordered)
        old = self._edits
        merged: list[RawEdit] = []
        i = 0  # next existing edit not yet emitted
        delta = 0  # len(new text) - len(current text) for everything emitted so far
        k = 0
        while k < len(ordered):
            s, e = ordered[k].start, ordered[k].end
            parts = [ordered[k]]
            k += 1
            # Existing edits wholly before this one keep their raw side; shift clean side.
            while (
                i < len(old)
                and old[i].clean_end <= s
                and not _touches(s, e, old[i].clean_start, old[i].clean_end)
            ):
                merged.append(_shift(old[i], delta))
                i += 1
            # Grow the region over every existing or new edit it touches.
            first_old = i
            while True:
                grown = False
                while i < len(old) and _touches(s, e, old[i].clean_start, old[i].clean_end):
                    s, e = min(s, old[i].clean_start), max(e, old[i].clean_end)
                    i += 1
                    grown = True
                while k < len(ordered) and _touches(s, e, ordered[k].start, ordered[k].end):
                    e = max(e, ordered[k].end)
                    parts.append(ordered[k])
                    k += 1
                    grown = True
                if not grown:
                    break
            absorbed = old[first_old:i]
            raw_s = self._to_raw(s, absorbed)
            raw_e = self._to_raw(e, absorbed, end=True)
            replacement = apply_edits(self.text[s:e], [_rebase(p, s) for p in parts])
            reasons = [r for a in absorbed for r in a.reason.split("+")]
            reasons += [p.reason for p in parts]
            clean_start = s + delta
            delta += len(replacement) - (e - s)
            original = self.raw[raw_s:raw_e]
            if original == replacement:
                continue  # a later step undid an earlier one: no edit left
            merged.append(
                RawEdit(
                    raw_start=raw_s,
                    raw_end=raw_e,
                    clean_start=clean_start,
                    clean_end=clean_start + len(replacement),
                    original=original,
                    replacement=replacement,
                    reason="+".join(dict.fromkeys(reasons)),
                )
            )
        merged.extend(_shift(o, delta) for o in old[i:])
        self._edits = merged
        self.text = new_text

    def _to_raw(self, pos: int, absorbed: Sequence[RawEdit], *, end: bool = False) -> int:
        """Raw offset of a current-text position that lies outside every edit,
        or on the edge of an absorbed one."""
        if end:
            for a in reversed(absorbed):
                if a.clean_end == pos:
                    return a.raw_end
        else:
            for a in absorbed:
                if a.clean_start == pos:
                    return a.raw_start
        return self.clean_to_raw(pos)

    # -- mapping ---------------------------------------------------------------
    def _clean_ends(self) -> list[int]:
        # Built once per edit list, not per lookup: ``apply`` maps every new edit, and
        # a list rebuilt each time made a step after one with 100k edits quadratic
        # (a build over a 7 MB article with zero-width spaces took 275 s).
        cached = self._ends_of
        if cached is None or cached[0] is not self._edits:
            cached = self._ends_of = (self._edits, [e.clean_end for e in self._edits])
        return cached[1]

    def clean_to_raw(self, pos: int) -> int:
        """Map a clean offset to raw; inside an edit it snaps to the edit's raw start."""
        ends = self._clean_ends()
        idx = bisect.bisect_right(ends, pos) - 1
        if idx + 1 < len(self._edits) and self._edits[idx + 1].clean_start < pos:
            return self._edits[idx + 1].raw_start
        if idx < 0:
            return pos
        prev = self._edits[idx]
        return prev.raw_end + (pos - prev.clean_end)

    def map_span(self, start: int, end: int) -> SpanMapping:
        """Map a raw span ``[start, end)`` onto the current text."""
        return map_span(self._edits, start, end)

    def rebuild_raw(self) -> str:
        return rebuild_raw(self.text, self._edits)


def map_span(edits: Sequence[RawEdit], start: int, end: int) -> SpanMapping:
    """Map a raw span through a composed edit log (see :meth:`EditMap.map_span`)."""
    raw_ends = [e.raw_end for e in edits]
    # Edits strictly inside or straddling the span, and those it sits within.
    lo = bisect.bisect_right(raw_ends, start)
    touched: list[RawEdit] = []
    j = lo
    while (j < len(edits) and edits[j].raw_start < end) or (
        j < len(edits) and start == end and edits[j].raw_start <= start < edits[j].raw_end
    ):
        touched.append(edits[j])
        j += 1
    if not touched:
        shift = _clean_shift(edits, lo)
        return SpanMapping(start + shift, end + shift, "anchored")
    reasons = tuple(dict.fromkeys(t.reason for t in touched))
    first, last = touched[0], touched[-1]
    new_start = (
        first.clean_start
        if first.raw_start <= start
        else start + (first.clean_start - first.raw_start)
    )
    new_end = last.clean_end if last.raw_end >= end else end + (last.clean_end - last.raw_end)
    covered = first.raw_start <= start and last.raw_end >= end
    if covered and all(not t.replacement.strip() for t in touched) and len(touched) == 1:
        return SpanMapping(new_start, new_start, "removed", reasons)
    if new_start >= new_end:
        return SpanMapping(new_start, new_start, "removed", reasons)
    return SpanMapping(new_start, new_end, "moved", reasons)


def _clean_shift(edits: Sequence[RawEdit], idx: int) -> int:
    """clean - raw offset in the gap just before ``edits[idx]``."""
    if idx == 0:
        return 0
    prev = edits[idx - 1]
    return prev.clean_end - prev.raw_end


def _shift(edit: RawEdit, delta: int) -> RawEdit:
    if delta == 0:
        return edit
    return RawEdit(
        edit.raw_start,
        edit.raw_end,
        edit.clean_start + delta,
        edit.clean_end + delta,
        edit.original,
        edit.replacement,
        edit.reason,
    )


def _rebase(edit: Edit, offset: int) -> Edit:
    return Edit(edit.start - offset, edit.end - offset, edit.replacement, edit.reason)
