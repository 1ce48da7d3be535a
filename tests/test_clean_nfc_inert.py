"""The unicode step's NFC shortcut: texts it calls NFC are NFC, by Unicode's own data."""

from __future__ import annotations

import sys
import unicodedata

from builder.clean.pipeline import Cleaner
from builder.clean.text_fixes import _NFC_INERT, _surely_nfc


def _composing_second() -> set[str]:
    """The characters NFC may compose with the character before them (NFC's quick check
    says "maybe" to them): the second of every two-character canonical decomposition,
    and the Hangul vowel and trailing consonant jamo (syllables compose by rule)."""
    found = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            found.add(chr(int(parts[1], 16)))
    return found


def test_no_inert_character_composes_with_the_one_before() -> None:
    inert = {c for c in _composing_second() if _NFC_INERT[c]}
    assert not inert


def test_a_text_of_inert_characters_is_nfc() -> None:
    # every inert character, each between ASCII letters and after each other
    inert = [chr(c) for c in range(0x80, sys.maxunicode + 1) if _NFC_INERT[chr(c)]]
    assert "’" in inert and "\u00a0" in inert and "é" not in inert and "\u0301" not in inert
    text = "a".join(inert) + "".join(inert)
    assert _surely_nfc("".join(inert))  # (the characters outside ASCII alone)
    assert unicodedata.is_normalized("NFC", "e" + text + "e")


def test_a_mark_after_an_ascii_letter_is_still_composed() -> None:
    # the shortcut does not vouch for a combining mark: the text is checked and composed
    raw = "Caf\u0301e, the “caf\u0301e” – na\u0308ive.\n"
    assert not _surely_nfc("\u0301“”–\u0308")
    result = Cleaner.build(step_names=["unicode"]).clean(raw)
    assert result.text == unicodedata.normalize("NFC", raw)
