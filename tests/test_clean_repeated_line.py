"""A line printed twice in a row (``duplicates.repeated_line``).

Pages written for these tests in the style of a travel blog with photo captions, a
gadget site's buying guide with product cards and a council's guidance page, cased and
lowercased-tokenized: a line that says again the line right above it (alt text and
caption, a card title printed by its link and its heading) goes once, the first copy
stays; figures repeated in a table, a line repeated further down, and the article's
own lines stay.
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner


def _page(lines: list[str]) -> str:
    return "\n\n".join(lines) + "\n"


def _forms(text: str) -> list[str]:
    return [text, tokenized(text)]


TRAVEL = [
    "Three days on the Lisbon coast without a car",
    "The train from Cais do Sodré runs along the river every twenty minutes, and a day "
    "ticket covers every stop as far as Cascais.",
    "Tram 28 climbing towards the cathedral",
    "Tram 28 climbing towards the cathedral",
    "Go before nine: by mid-morning the queue at the first stop is longer than the tram, "
    "and the windows are full of phones.",
    "The fish market at Cascais",
    "The fish market at Cascais",
    "The boats come in around four, and the restaurants on the square buy straight from "
    "the quay, which is why the grilled sardines taste of the sea.",
]

GUIDE = [
    "The best desk lamps for working from home",
    "We tested fourteen lamps over two months, on desks by windows and in a basement "
    "office, measuring glare, colour and how far each arm reaches.",
    "Lumen Arc 2 – Best desk lamp overall",
    "Lumen Arc 2 - Best desk lamp overall",
    "Its head turns on two axes and the light stays even across a wide desk, with no hot "
    "spot under the bulb.",
    "Brightway Mini – Best budget desk lamp",
    "• Brightway Mini – Best budget desk lamp",
    "It costs a third of our top pick and lacks only the dimmer memory, which most people "
    "will never miss.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_a_caption_under_its_own_alt_text_goes_once(form: int) -> None:
    raw = _forms(_page(TRAVEL))[form]
    result = Cleaner.default().clean(raw, trace=True)
    own = [t for t in result.trace if t["step"] == "duplicates"]
    assert [t["reason"] for t in own] == ["duplicates.repeated_line"] * 2
    lines = result.text.split("\n")
    for line in _forms("\n".join(TRAVEL))[form].split("\n"):
        assert lines.count(line) == 1
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_a_card_title_printed_twice_with_other_marks_goes_once(form: int) -> None:
    # a dash for a hyphen, a bullet before the second copy: the same words
    raw = _forms(_page(GUIDE))[form]
    result = Cleaner.default().clean(raw)
    # each edit's reason names every step that took part of it (the blank line under
    # the copy goes with it)
    assert sum("duplicates.repeated_line" in e.reason for e in result.edits) == 2
    kept = _forms(_page([GUIDE[i] for i in (0, 1, 2, 4, 5, 7)]))[form].strip()
    assert result.text == kept
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_three_copies_in_a_row_leave_one(form: int) -> None:
    lines = [*TRAVEL[:3], TRAVEL[2], *TRAVEL[2:5]]
    raw = _forms(_page(lines))[form]
    result = Cleaner.default().clean(raw)
    assert result.text.split("\n").count(_forms(TRAVEL[2])[form]) == 1
    assert rebuild_raw(result.text, result.edits) == raw


COUNCIL = [
    "Garden waste collections: what changes in April",
    "From the first week of April, brown bins are emptied every two weeks instead of "
    "every week, on the same day as your recycling.",
    "Share of households with a brown bin",
    "North ward",
    "82%",
    "82%",
    "South ward",
    "64%",
    "Put the bin out by seven in the morning.",
    "Crews start early in summer, and a bin put out after they pass is not collected until "
    "the next round.",
    "Put the bin out by seven in the morning.",
    "If your bin was missed, report it within two working days and it will be emptied "
    "the same week.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_table_figures_and_a_line_repeated_further_down_stay(form: int) -> None:
    # "82%" twice is two cells of a table; the reminder is said again two lines later
    raw = _forms(_page(COUNCIL))[form]
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "duplicates." in e.reason]
    assert result.text == raw.strip()


SHOP = [
    "The best rain jackets for city cycling",
    "A cycling jacket has to breathe on the climb and keep the spray off on the descent, "
    "and most jackets sold for walking do only one of the two.",
    "Product photo of the Northway Commuter Rain Shell",
    "Northway Commuter Rain Shell",
    "Vents under the arms open with one hand, and the hem drops low enough at the back to "
    "cover a belt on a drop handlebar.",
    "Harbour Lightweight Packable Rain Jacket",
    "Harbour Lightweight Packable Rain Jacket (2024 edition)",
    "It folds into its own chest pocket and weighs less than a banana, though the seams "
    "let water in after an hour of steady rain.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_a_line_said_again_with_a_few_words_added_goes(form: int) -> None:
    # the shorter of the two goes: the name under its picture's alt text, the model over
    # the same model with its year
    raw = _forms(_page(SHOP))[form]
    result = Cleaner.default().clean(raw, trace=True)
    own = [t for t in result.trace if t["step"] == "duplicates"]
    assert [t["reason"] for t in own] == ["duplicates.echoed_line"] * 2
    kept = _forms(_page([SHOP[i] for i in (0, 1, 2, 4, 6, 7)]))[form].strip()
    assert result.text == kept
    assert rebuild_raw(result.text, result.edits) == raw


HEADINGS = [
    "Choosing a school bag that does not hurt",
    "Full Service Repair Plans",
    "Full Service Repair Plans cover the frame, the zips and the straps for two years.",
    "Small children carry bags too heavy for them, and a bag hung from one shoulder pulls "
    "the spine sideways every day of the school year.",
    "Lean Startup Week Call for Proposals",
    "Lean Startup Week Call for Proposals by Dana Kim",
    "Weigh the bag when it is packed: it should stay under a tenth of the child's weight.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_a_heading_over_its_sentence_and_a_title_over_its_byline_stay(form: int) -> None:
    # the sentence adds more than a few words; the byline is not a copy of the title
    raw = _forms(_page(HEADINGS))[form]
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "duplicates." in e.reason]
