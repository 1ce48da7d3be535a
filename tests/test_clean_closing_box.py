"""An author box that closes the page once the line rules have taken what was under it.

A home-brewing blog, written for these tests, cased and lowercased-tokenized: the
author's box (a name line over a bio) sits above a long legal notice. The section
layer runs first and sees prose after the box, so it leaves it; the boilerplate step
then removes the notice, and the footer step finds the box closing the page
(``footer.author_box``). The same box with more than a box's few words of the article under it stays.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

ARTICLE = [
    "Cold crashing a beer means chilling the fermenter to near freezing for two or three "
    "days before bottling, so the yeast and haze settle to the bottom.",
    "Drop the temperature gradually if your fridge allows it: a sudden plunge can pull "
    "air back through the airlock as the gas in the headspace contracts.",
    "A sheet of foil over the airlock or a blow-off tube into a jar of sanitiser keeps "
    "the suck-back from dragging anything nasty into the beer.",
    "Once the beer is clear, rack it off the sediment gently and bottle as usual; the "
    "remaining yeast is enough to carbonate it in two weeks at room temperature.",
    "Hoppy styles lose a little aroma in the cold, so some brewers dry hop after the "
    "crash rather than before it, which keeps the hop character fresh.",
]
BOX = (
    "Priya Raman\n"
    "Priya Raman is a certified beer judge and homebrewer who has been writing about "
    "fermentation for eight years from her garage in Leeds."
)
NOTICE = (
    "The information on this site is provided for informational purposes only and is not "
    "a substitute for professional advice. Brewing involves hot liquids, glass under "
    "pressure and sanitising chemicals; always follow the manufacturer's instructions for "
    "your equipment and chemicals, keep children and pets away from the brewing area, "
    "and check the laws on home brewing and alcohol where you live before you start."
)


def _page(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_author_box_left_closing_the_page_goes(lowercased: bool) -> None:
    form = in_form(lowercased)
    result = clean_rebuilt(form(_page(*ARTICLE, BOX, NOTICE)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("footer.author_box" in e.reason for e in result.edits), [
        e.reason for e in result.edits
    ]


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_author_box_with_the_article_under_it_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    result = clean_rebuilt(form(_page(*ARTICLE[:3], BOX, *ARTICLE[1:], NOTICE)))
    assert form(BOX.split("\n")[1]) in result.text
    assert form(ARTICLE[-1]) in result.text
    assert not any("author_box" in e.reason for e in result.edits)


LONG_BIO = (
    "Tomas Greer is a freelance writer and former brewery hand living near Bristol. Over "
    "the past twelve years he has covered beer, cider and the small producers behind "
    "them for magazines and trade papers, judged at regional competitions, taught "
    "weekend courses on water chemistry and recipe design, and written two books on "
    "farmhouse ales. When he is not writing he keeps bees, grows his own hops along the "
    "garden fence and brews far more beer than his friends can drink, which he insists "
    "is research for the next book."
)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_bio_longer_than_a_box_as_the_pages_last_line_goes(lowercased: bool) -> None:
    form = in_form(lowercased)
    assert len(LONG_BIO.split()) > 80
    result = clean_rebuilt(form(_page(*ARTICLE, LONG_BIO)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_long_bio_shaped_paragraph_with_a_line_under_it_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    closing = "Cheers, and happy brewing this winter to all of you who made it this far down!"
    raw = form(_page(*ARTICLE, LONG_BIO, closing))
    result = clean_rebuilt(raw)
    assert form(LONG_BIO) in result.text


#: Bios in other shapes than "X is a writer", closing a page (each a site's of its own):
#: one that says since when its person does it, one in brackets (a law firm's or a
#: paper's tagline), one under its name line that says what its person covers.
CAREER_BIOS = [
    "Marisol founded Copper Kettle Brewing in 2016 to share her love of sour beers with "
    "her neighbours, and the little taproom has since grown into a regional favourite.",
    "Owen Pritchard has been with the Valley Courier since 2009. He writes about local "
    "food and drink and judges at the county fair every summer.",
    "Jean-Luc started Hopline Supply in 2012 as a weekend hobby, before quitting his job "
    "as a chemist to sell brewing kits full time.",
    "(Hannah Okafor is an associate attorney at Reed & Vale in Bristol. She advises small "
    "breweries and distillers on licensing and trade mark questions.)",
    "Lucas Ferreira\nLucas Ferreira covered craft beer, cider and the hospitality trade "
    "for the Harbour Gazette.",
]


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("bio", CAREER_BIOS)
def test_a_career_or_bracketed_bio_closing_the_page_goes(bio: str, lowercased: bool) -> None:
    form = in_form(lowercased)
    result = clean_rebuilt(form(_page(*ARTICLE, bio)))
    assert result.text.rstrip() == form("\n\n".join(ARTICLE)), bio


#: Article lines of the same shapes: a brewer's story told on after it, a company's
#: history (no person), a bracketed aside of the article.
CAREER_NEAR_MISSES = [
    "Marisol founded Copper Kettle Brewing in 2016 to share her love of sour beers with "
    "her neighbours.",
    "Copper Kettle was founded by two brothers in 1998 and his nephew runs it now.",
    "(The club has been with the same supplier since 2011, and its members swear by it.)",
]


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("line", CAREER_NEAR_MISSES)
def test_a_career_line_with_the_article_after_it_stays(line: str, lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form(_page(*ARTICLE[:2], line, *ARTICLE[2:]))
    assert clean_rebuilt(raw).text == raw.rstrip()


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_companys_history_closing_the_page_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form(_page(*ARTICLE, CAREER_NEAR_MISSES[1]))
    assert form(CAREER_NEAR_MISSES[1]) in clean_rebuilt(raw).text
