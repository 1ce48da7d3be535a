"""A short references list that closes the page, whatever its lines look like.

A pet-care site and a hiking blog, written for these tests, cased and lowercased-tokenized:
a "Sources" or "View Article Sources" header over a few bare titles at the very end goes
with what follows it (the lines need not cite: no year in brackets, no link); the same
header over a reading list with more article under it, and a recipe's "Notes", stay.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

ARTICLE = tuple(
    f"{opening} Most houseplants are safe around cats, but a few common ones cause real "
    "trouble, and the symptoms can take a day to show, so it pays to know the plants on "
    "your shelves before a curious cat finds them first."
    for opening in (
        "Lilies are the worst offenders.",
        "Pothos is another one to watch.",
        "Aloe is often kept in kitchens.",
        "Snake plants are popular for offices.",
        "Peace lilies are not true lilies.",
        "Jade plants are slow growing.",
        "Dieffenbachia has large leaves.",
        "Sago palms are grown indoors too.",
        "Prayer plants are a safe choice.",
        "Spider plants are safe as well.",
    )
)

SOURCES = (
    "Sources\n"
    "Poison Control Centre. Plants and cats.\n"
    '"Prayer Plant." Animal Welfare League.\n'
    "Hartmann, K. Feline toxicology basics.\n"
    "Feline Health Trust"
)


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("header", ["Sources", "View Article Sources", "Footnotes"])
def test_a_short_sources_list_closing_the_page_goes(lowercased: bool, header: str) -> None:
    form = in_form(lowercased)
    block = SOURCES.replace("Sources", header, 1)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + block + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("sections.references" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_reading_list_with_more_article_under_it_stays(lowercased: bool) -> None:
    # The header's block is a fifth of the page: the article goes on under the list.
    form = in_form(lowercased)
    raw = form(
        "\n\n".join(ARTICLE[:8])
        + "\n\nReferences\nThe Cat-Safe Home\nPlants for Pet Owners\nGreen Shelves\n\n"
        + "\n\n".join(ARTICLE[8:])
        + "\n"
    )
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == raw.rstrip()
    assert not any("sections." in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_recipes_notes_at_the_end_stay(lowercased: bool) -> None:
    # "Notes" heads the writer's own last part, however short.
    form = in_form(lowercased)
    raw = form(
        "\n\n".join(ARTICLE) + "\n\nNotes\nUse fresh catnip if you can find it\nKeeps a week\n"
    )
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == raw.rstrip()
    assert not any("sections." in e.reason for e in result.edits)


CITED = (
    "Article Sources:\n"
    "https://www.example.org/cats/toxic-plants-list.html\n"
    "https://vetcare.example.com/articles/lily-poisoning?ref=guide\n"
    "Hartmann, K. et al. Feline toxicology basics. Vet Journal, 2019."
)
SIGN_UP_BOX = (
    "Want more pet care tips like these every week, written by our vets and sent straight "
    "to you with no advertising and a one-click way out whenever you have had enough?\n"
    "Join 40,000 Cat Owners\nFree Weekly Digest\nVet-Reviewed Guides\nNo Spam Ever\n"
    "Printable Plant Checklist\nMember Discounts\nSeasonal Safety Alerts\n"
    "Sign Up Free Today\nAlready A Member? Log In"
)


@pytest.mark.parametrize("lowercased", [False, True])
def test_sources_that_cite_over_a_sign_up_box_go_with_it(lowercased: bool) -> None:
    # The list cites, but the box under it makes the page's end too long for the short
    # list and too little of it cites: the citing run and the furniture after it go.
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + CITED + "\n\n" + SIGN_UP_BOX + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("sections.references" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_sources_that_cite_over_more_article_stay(lowercased: bool) -> None:
    # The article goes on in prose under a short citing list: not the page's end.
    form = in_form(lowercased)
    raw = form(
        "\n\n".join(ARTICLE[:7])
        + "\n\n"
        + CITED.rsplit("\n", 1)[0]
        + "\n\n"
        + "\n\n".join(ARTICLE[7:])
        + "\n"
    )
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == raw.rstrip()
    assert not any("sections." in e.reason for e in result.edits)
