"""Which count a doccano line's offsets are in, for :mod:`.doccano`.

doccano's browser counts UTF-16 units; a project may count grapheme clusters; a tool
that pre-annotated in Python kept code points; over CR LF line ends the editor may
count each pair as one character (doccano/doccano#2114). doccano writes no span text
to check against, so the words decide: a reading whose spans cut words, where another
cuts none, is the wrong one.
"""

from __future__ import annotations

from typing import Any

import regex

from .common import CrLfAsOne, OffsetConverter, OffsetError

__all__ = [
    "RawSpan",
    "code_points_read_as_utf16",
    "crlf_reading",
    "graphemes_read_as_utf16",
]

#: span: (id, start, end, label, JSON pointer)
RawSpan = tuple[Any, Any, Any, Any, str]


def _splits_word(text: str, start: int, end: int) -> bool:
    return any(
        0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum() for i in (start, end)
    )


def code_points_read_as_utf16(
    text: str, spans: list[RawSpan], utf16: OffsetConverter
) -> str | None:
    """Why offsets of a text with characters past the BMP (most emoji) look counted in
    code points, not the UTF-16 units doccano's browser counts (None when they do not).

    A tool that pre-annotated in Python and imported into doccano keeps its code-point
    offsets; read as UTF-16 units every span after such a character moves left, silently
    unless an offset lands inside a character. Here read both ways: when the UTF-16 reading
    cuts words and the code-point reading cuts none, the offsets are code points.
    """
    if text.isascii() or not any(ord(ch) > 0xFFFF for ch in text):
        return None
    as_units = as_points = 0
    for _, start, end, _, _ in spans:
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            continue
        try:
            s, e = utf16.to_code_points(start), utf16.to_code_points(end)
        except OffsetError:
            return None  # reported span by span already
        as_units += _splits_word(text, s, e)
        as_points += 0 <= start <= end <= len(text) and _splits_word(text, start, end)
    if as_units and not as_points:
        return (
            f"read as UTF-16 units (doccano's count), {as_units} span(s) cut a word; read as"
            " code points none does: the offsets look counted in code points"
        )
    return None


#: What can make one grapheme cluster more than one UTF-16 unit: a mark (accents, vowel
#: signs, variation selectors), a zero-width joiner, a character past the BMP, a jamo.
_MULTI_UNIT = regex.compile(r"[\p{M}\u200d\U00010000-\U0010ffff\u1100-\u11ff]")


def graphemes_read_as_utf16(text: str, spans: list[RawSpan], utf16: OffsetConverter) -> str | None:
    """Why offsets look counted in grapheme clusters (None when they do not).

    A project set to "Count grapheme clusters as one character" (a doccano project
    option) exports grapheme counts, with nothing in the file to say so. Over a text where a
    user-perceived character is more than one UTF-16 unit (an emoji, a flag, a letter
    with a combining accent, a ZWJ sequence) the two counts part, and every span after
    it moves. Read both ways: when the UTF-16 reading cuts words (or cannot be read)
    and the grapheme reading cuts none, ask which.
    """
    if text.isascii() or not _MULTI_UNIT.search(text):
        return None  # (most lines: the count cannot differ, so nothing is read twice)
    as_graphemes = _cuts(text, spans, OffsetConverter(text, "graphemes"))
    if as_graphemes != 0:
        return None
    as_units = _cuts(text, spans, utf16)
    if as_units == 0:
        return None
    how = (
        "offsets fall inside characters or past the end"
        if as_units is None
        else f"{as_units} span(s) cut a word"
    )
    return (
        f"read as UTF-16 units (doccano's default count), {how}; read as grapheme clusters"
        " no span cuts a word: the project looks set to count grapheme clusters as one"
        " character"
    )


class _CrLfCounted:
    """Offsets counted in ``unit`` over ``text`` with each CR LF as one character, as code
    points of ``text`` (the :class:`OffsetConverter` interface)."""

    def __init__(self, text: str, unit: str) -> None:
        self._units = OffsetConverter(text.replace("\r\n", "\n"), unit)
        self._raw = CrLfAsOne(text)

    def to_code_points(self, offset: int) -> int:
        raw = self._raw.to_raw(self._units.to_code_points(offset))
        if raw is None:
            raise OffsetError(f"offset {offset} is outside the text")
        return raw


def _cuts(text: str, spans: list[RawSpan], convert: Any) -> int | None:
    """How many spans, read with ``convert``, cut a word or split a CR LF (None when an
    offset cannot be read so at all)."""
    cuts = 0
    for _, start, end, _, _ in spans:
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            continue
        try:
            s, e = convert.to_code_points(start), convert.to_code_points(end)
        except OffsetError:
            return None
        cuts += _splits_word(text, s, e) or any(text[i - 1 : i + 1] == "\r\n" for i in (s, e))
    return cuts


def crlf_reading(text: str, spans: list[RawSpan], convert: OffsetConverter) -> Any:
    """The converter a text with CR LF line ends is read with: as given, or counting each
    CR LF as one character when that alone cuts no word (doccano's editor may count the
    pair as one: doccano/doccano#2114 shows spans two or three characters early after as
    many CR LFs; brat's and Label Studio's browsers do the same). doccano writes no span
    text to check against, so the words decide, for the whole line at once."""
    if "\r\n" not in text or convert.unit == "graphemes":  # a CR LF is one grapheme already
        return convert
    as_given = _cuts(text, spans, convert)
    if as_given == 0:
        return convert
    as_one = _CrLfCounted(text, convert.unit)
    return as_one if _cuts(text, spans, as_one) == 0 else convert
