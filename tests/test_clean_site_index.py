"""A site's index of its own pages at the page's end goes; an article's lists stay.

Pages in the style of a roofing contractor's cost guide and a hiking club's trail notes,
written for these tests, cased and lowercased-tokenized.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

from builder.clean.site_index import index_run

ARTICLE = [
    "A small roof repair, such as replacing a dozen shingles after a storm, usually costs "
    "less than a day of a roofer's time, and most of the bill is labour, not material.",
    "Flashing around chimneys and skylights fails more often than the shingles "
    "themselves, and a leak that shows on the ceiling may start several feet away.",
    "Ask for a written quote that names the materials, the warranty on the work and "
    "whether the old layer is torn off or covered, since that changes the price.",
    "Inspect the attic after heavy rain every spring and autumn: damp insulation or dark "
    "stains on the boards are cheaper to fix early than a sagging deck later.",
]
CITIES = ["Boise", "Spokane", "Tacoma Washington", "Eugene Oregon", "Reno", "Salem", "Yakima"]
INDEX = "\n".join(f"Roof Repair Costs in {city}" for city in CITIES)


def _page(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_index_of_the_sites_pages_closing_the_page_goes(lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form(_page(*ARTICLE, "ROOF REPAIR COSTS IN THE NORTHWEST\n" + INDEX))
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("footer.index" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_short_closing_list_and_an_index_with_prose_after_it_stay(lowercased: bool) -> None:
    form = in_form(lowercased)
    short = "\n".join(f"Roof Repair Costs in {city}" for city in CITIES[:4])
    for raw in (
        form(_page(*ARTICLE, short)),
        form(_page(*ARTICLE[:2], INDEX, *ARTICLE[2:])),
    ):
        result = clean_rebuilt(raw)
        assert result.text.rstrip() == raw.rstrip()
        assert not any("footer.index" in e.reason for e in result.edits)


def test_code_and_an_index_filling_the_page_are_not_an_index() -> None:
    code = "\n".join(f"total = add_cost( total, {part}, rate )" for part in "abcdefg")
    assert index_run([*ARTICLE, *code.split("\n")]) == -1
    # A page that is nothing but the index has no article to close.
    assert index_run(INDEX.split("\n")) == -1
    assert index_run([*ARTICLE, *INDEX.split("\n")]) == len(ARTICLE)
