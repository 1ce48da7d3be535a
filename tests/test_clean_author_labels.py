"""An author's bio behind a label on its own line: "About the author: ...", "By ...".

A bird-watching blog and a lender's guide, written for these tests, cased and
lowercased-tokenized: the bio that closes the page goes with what is under it (a
reader question, a button), whether the box's label and the byline's name were run
into the bio's line or not; the same words with the article going on under them stay.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

ARTICLE = [
    "Early mornings in late April are the best time to hear warblers in the hedgerows, "
    "before the leaves fill out and hide the singers from view.",
    "Bring binoculars with a close focus of two metres or less: most warblers feed low "
    "in the bushes, and a pair that cannot focus near leaves you with a blur.",
    "Learn three songs before you go rather than trying to memorise twenty, and listen "
    "for them while you walk slowly along the edge of the wood.",
    "Note the date, the weather and where you heard each bird; a simple notebook kept "
    "for a few seasons shows you when each species arrives.",
]
BOXES = {
    "about": (
        "About the author: Mina Osei is a freelance photographer and guide based in Kent. "
        "You can find more of her work on her website.\n"
        "Which warbler did you hear first this spring? Tell us in the comments below!"
    ),
    "by": (
        "By Tomasz Wolny Tomasz Wolny is an experienced wildlife photographer with twenty "
        "years of fieldwork in the marshes of the east coast.\nSee Tomasz's Gallery"
    ),
}


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("box", sorted(BOXES))
def test_a_labelled_bio_closing_the_page_goes(box: str, lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + BOXES[box] + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("sections.author_bio" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_labelled_bio_with_the_article_under_it_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form(
        "\n\n".join(ARTICLE[:3])
        + "\n\n"
        + BOXES["by"].split("\n")[0]
        + "\n\n"
        + "\n\n".join(ARTICLE * 2)
        + "\n"
    )
    result = clean_rebuilt(raw)
    assert not any("sections." in e.reason for e in result.edits)
