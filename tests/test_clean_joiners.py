"""Zero-width joiners and non-joiners: kept where they join, removed at word edges."""

from __future__ import annotations

import pytest

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner

ZWJ, ZWNJ = "\u200d", "\u200c"


@pytest.mark.parametrize(
    "text",
    [
        f"من می{ZWNJ}خواهم به خانه بروم.",  # Persian: the non-joiner is part of the spelling
        f"क्{ZWJ}ष and क्{ZWNJ}ष are spelt differently.",  # Devanagari: half forms
        f"The team lead {chr(0x1F469)}{ZWJ}{chr(0x1F4BB)} reviewed it.",  # woman technologist
        f"Hot take {chr(0x2764)}{chr(0xFE0F)}{ZWJ}{chr(0x1F525)} today.",  # after a variation selector
        f"Coder {chr(0x1F469)}{chr(0x1F3FD)}{ZWJ}{chr(0x1F4BB)} here.",  # after a skin tone
        f"Family {chr(0x1F468)}{ZWJ}{chr(0x1F469)}{ZWJ}{chr(0x1F467)} photo.",
    ],
)
def test_joiners_that_join_letters_or_emoji_stay(text: str) -> None:
    result = Cleaner.default().clean(text)
    assert result.text == text
    assert not result.edits


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        (f"The council{ZWJ} met on Monday.", "The council met on Monday."),
        (f"{ZWNJ}Flooding closed the road.", "Flooding closed the road."),
        (f"Prices rose 4%{ZWNJ}{ZWJ}, the office said.", "Prices rose 4%, the office said."),
        (f"the council {ZWJ}met on monday .", "the council met on monday ."),
    ],
)
def test_joiners_at_word_edges_go_as_logged_edits(text: str, clean: str) -> None:
    result = Cleaner.default().clean(text)
    assert result.text == clean
    assert {e.reason for e in result.edits} == {"unicode.joiner_edge"}
    assert rebuild_raw(result.text, result.edits) == text
