"""A rail of story cards closing the page: a label, a headline, an excerpt.

A travel magazine's page, written for these tests, cased and lowercased-tokenized:
the "latest stories" cards under the article go (``footer.cards``); an itinerary whose
days are the same shape, and cards about the article's own subject, stay.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

ARTICLE = [
    "Renting a car at a regional airport is usually quicker than at a hub, and the "
    "counters there rarely have the queues that greet passengers at the big terminals.",
    "Book the smallest car that fits your luggage: upgrades are common when the lot runs "
    "short, and a compact is cheaper to fuel on long drives between towns.",
    "Photograph the car before you leave the lot, including the wheels and the "
    "windscreen, so a scratch that was already there is not added to your bill.",
    "Return it with a full tank unless the contract says otherwise, and keep the "
    "receipt from the last filling station until the deposit is back on your card.",
]
CARDS = [
    (
        "Cruises",
        "Three River Voyages for Families This Summer",
        "Slow days on the water, short walks ashore and cabins big enough for children make "
        "these sailings an easy first cruise for the whole family.",
    ),
    (
        "Hotels",
        "A Quiet Seaside Inn an Hour From the Capital",
        "Whitewashed rooms, a small pool and a fish market across the square: the inn is "
        "the kind of place that empties your head in a weekend.",
    ),
    (
        "News",
        "New Lounge Opens at the Northern Terminal",
        "The lounge seats two hundred, serves breakfast until noon and has showers that "
        "travellers on overnight connections can book by the hour.",
    ),
    (
        "Dining",
        "Where Chefs Eat on Their Night Off in the Old Port",
        "Small plates, late kitchens and a bar that pours wine from the hills behind the "
        "town are what the cooks we asked keep going back for.",
    ),
]


def _page(cards: list[tuple[str, str, str]]) -> str:
    return "\n\n".join(ARTICLE) + "\n\n" + "\n".join("\n".join(c) for c in cards) + "\n"


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_rail_of_labelled_story_cards_closing_the_page_goes(lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form(_page(CARDS))
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("footer.cards" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_itinerarys_days_and_cards_on_the_articles_subject_stay(lowercased: bool) -> None:
    form = in_form(lowercased)
    days = [(f"Day {n}", headline, excerpt) for n, (_, headline, excerpt) in enumerate(CARDS, 1)]
    own = [
        (label, f"Renting a Car at the Airport: {label} Tips", ARTICLE[n])
        for n, (label, _, _) in enumerate(CARDS)
    ]
    for cards in (days, own):
        raw = form(_page(cards))
        result = clean_rebuilt(raw)
        assert not any("footer.cards" in e.reason for e in result.edits)
