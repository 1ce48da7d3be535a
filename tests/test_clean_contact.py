"""A contact block at the page's end goes; an article's own addresses and lists stay.

Pages in the style of a dental practice's blog, a bakery school's news page and a
city guide, cased and lowercased-tokenized.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from text_forms import tokenized

from builder.clean.contact import contact_block
from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner

ARTICLE = [
    "Flossing once a day does more for your gums than any rinse on the shelf, and it "
    "takes less than two minutes once the habit sets in.",
    "Start with about forty centimetres of floss, wind most of it around one finger, and "
    "guide it gently between each pair of teeth without snapping it against the gum.",
    "Curve the floss into a C shape against the side of each tooth and slide it up and "
    "down a few times before you move on to the next gap.",
    "If your gums bleed for more than a week or two, book a check-up: bleeding that "
    "does not stop is worth a closer look by a hygienist.",
]

BLOCKS = {
    "office": "Our Tacoma Office\nHarbor Smile Dental\n2140 Pacific Ave, Suite 310\n"
    "Tacoma, WA 98402\n(253) 555-0147",
    "newsdesk": "Questions?\nWrite to our front desk.\nfrontdesk@harborsmile.example",
    "phone": "Book your visit\nPhone: 253 555 0147\nOpen Monday to Saturday",
}

Form = Callable[[str], str]


def _forms() -> list[Form]:
    return [lambda text: text, tokenized]


def _page(block: str) -> str:
    return "\n\n".join(ARTICLE) + "\n\n" + block + "\n"


@pytest.mark.parametrize("form", _forms(), ids=["cased", "lower"])
@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_the_contact_block_after_the_article_goes_as_one_edit(name: str, form: Form) -> None:
    raw = form(_page(BLOCKS[name]))
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    [edit] = [e for e in result.edits if "footer.contact" in e.reason]
    assert edit.original.strip() == form(BLOCKS[name]).strip()
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", _forms(), ids=["cased", "lower"])
def test_an_address_list_above_the_last_paragraph_stays(form: Form) -> None:
    # A city guide lists its bakeries with their addresses, then closes in prose:
    # the short lines are not the page's end.
    listing = "Rise Bakehouse\n418 Elm Street\nCrumb & Co\n77 Harbor Road"
    closing = (
        "Both open at seven, and the sourdough sells out before ten on most weekends, "
        "so come early if you want a loaf."
    )
    raw = form("\n\n".join([*ARTICLE, listing, closing]) + "\n")
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "footer.contact" in e.reason]
    assert form("418 Elm Street") in result.text
    assert form(closing) in result.text


@pytest.mark.parametrize("form", _forms(), ids=["cased", "lower"])
def test_a_short_closing_list_with_no_contact_stays(form: Form) -> None:
    # A tip list that ends the article: short lines, but nobody's address or number.
    tips = "What to keep by the sink:\nWaxed floss\nA soft brush\nA timer"
    raw = form(_page(tips))
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "footer.contact" in e.reason]
    assert form("A soft brush") in result.text


@pytest.mark.parametrize("form", _forms(), ids=["cased", "lower"])
def test_a_directory_page_is_not_an_article_closing_on_its_address(form: Form) -> None:
    # Most of the page is short address lines: no article above them to end.
    page = [
        "Bakeries downtown",
        *ARTICLE[:1],
        "Rise Bakehouse",
        "418 Elm Street, Tacoma, WA 98402",
        "(253) 555-0180",
        "Crumb & Co",
        "77 Harbor Road, Tacoma, WA 98403",
        "(253) 555-0191",
        "Flour Tower",
        "9 Market Way",
        "hello@flourtower.example",
        "Pan Dulce Corner",
        "1200 Yakima Ave",
        "(253) 555-0102",
    ]
    lines = [form(line) for line in page]
    assert contact_block(lines) == -1


def test_a_hard_wrapped_paragraph_with_a_phone_number_is_not_a_block() -> None:
    # Wrapped prose is lines of a dozen words: longer than a contact block's lines.
    wrapped = [
        "If you would like a hands-on visit or a free first cleaning session",
        "to get comfortable with the chair, the team at Harbor Smile is here",
        "for you. Visit harborsmile.example or call 253-555-0147 to book a time.",
    ]
    assert contact_block([*ARTICLE, *wrapped]) == -1
