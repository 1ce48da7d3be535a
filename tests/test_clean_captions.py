"""Image alt text and captions with no credit (``builder.clean.captions``).

The pages are written for these tests in the style of small sites (a bakery's blog, a
cycling shop's guide, a council's news page, a software vendor's how-to), not copied from
any development page. Each caption goes with its family's reason wherever the extractor
left it; the article stays byte for byte, cased and lowercased-tokenized. The near misses
(subheadings, list items, sentences that describe a scene, a paragraph wrapped across lines)
stay.
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.captions import ImageCaptions, depiction, media_label, scene
from builder.clean.edits import rebuild_raw
from builder.clean.lines import line_view
from builder.clean.pipeline import Cleaner
from builder.clean.steps import DocumentContext

P1 = (
    "Our rye loaf takes two days from start to finish, and almost all of that time the dough "
    "is left alone in a cool corner of the bakery."
)
P2 = (
    "On the first evening we mix the starter with warm water and a little of the flour, then "
    "cover the bowl and let it bubble overnight."
)
P3 = (
    "The next morning the rest of the flour goes in with the salt, and the dough is shaped "
    "by hand before its last slow rise in the tins."
)

#: reason -> lines of alt text or caption between paragraphs.
CAPTIONS: dict[str, list[str]] = {
    "media_label": [
        "Millbrook Bakery logo",
        "white arrow icon",
        "rye loaf on a board stock image",
        "Trailhead Cycles Logo",
        "sourdough starter jar hero image",
        "Council News Feature Image",
        "Export settings dialog screenshot",
        "Marta Kowalski head shot",
    ],
    "scene": [
        "A baker pressing the dough into a long tin",
        "Two cyclists riding along a gravel path at dusk",
        "Woman holding a loaf of rye bread in front of the oven.",
        "Close-up of hands kneading the dough on a floured table",
        "Group of volunteers planting a row of trees beside the river",
        "An older man sitting on a bench with a newspaper",
        "Children running through a sprinkler, summer 2023",
    ],
    "depiction": [
        "A screenshot of the export settings in the mapping app.",
        "Illustration of a cyclist checking tyre pressure with a floor pump",
        "close-up of a cracked chain link on a workbench",
        "An aerial view of the new cycle lane along the canal",
        "Diagram of a sourdough starter's rise over twelve hours",
        "photo of the council chamber before the vote",
    ],
}

#: Lines of article text with these shapes, which stay.
NEAR_MISSES = [
    "A Beginner's Guide to Baking With Rye",  # a subheading in title case
    "A guide to setting up your first starter",  # a gerund after a preposition
    "A baker is pressing the dough into a long tin.",  # a finite verb: a sentence
    "A woman holding a loaf? Not quite: it was a brick.",  # a question
    "- Designing a new logo",  # a list item
    "• Your new logo",  # a list item ending in "logo"
    "What is a favicon? icon",  # a sentence end before the last word
    "Images",  # one word
    "The image",  # a subheading: only a determiner before the name
    "Our logo",
    "Hands-on baking classes",  # no participle followed by a place or object
    "We tried pressing the dough into a tin with wet hands",  # the author speaking
    "Examples of good cycle lanes",  # a figure heading the gold keeps as often as not
    "The picture of health",  # a determiner other than "a"/"an"
    "Illustration of the Three Pillars of Good Bread",  # a figure heading in title case
    "A photo of the bridge was shared by the council.",  # a finite verb: a sentence
    "An image of a loaf. It shows the crumb.",  # two sentences
    "Photo of",  # nothing depicted
    "Picture of the day",  # a column's title: two words depicted
]


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    ("reason", "line"), [(r, line) for r, lines in CAPTIONS.items() for line in lines]
)
def test_a_caption_between_paragraphs_goes_and_the_article_stays(
    reason: str, line: str, lowercased: bool
) -> None:
    article = f"{P1}\n\n{P2}\n\n{P3}"
    page = f"{P1}\n\n{line}\n\n{P2}\n\n{P3}"
    if lowercased:
        article, page = tokenized(article), tokenized(page)
    result = Cleaner.default().clean(page)
    assert result.text == article
    assert any(f"captions.{reason}" in e.reason for e in result.edits), (
        line,
        [e.reason for e in result.edits],
    )
    assert rebuild_raw(result.text, result.edits) == page


@pytest.mark.parametrize("lowercased", [False, True])
def test_captions_under_the_title_go_and_the_title_stays(lowercased: bool) -> None:
    page = (
        "How we bake our two-day rye\n\n"
        "Millbrook Bakery logo\n"
        "A baker pressing the dough into a long tin\n\n"
        f"{P1}\n\n{P2}\n\n"
        "Rye loaves on a wire rack stock image\n\n"
        f"{P3}\n"
    )
    article = f"How we bake our two-day rye\n\n{P1}\n\n{P2}\n\n{P3}"
    if lowercased:
        page, article = tokenized(page), tokenized(article)
    result = Cleaner.default().clean(page)
    assert result.text == article
    reasons = [e.reason for e in result.edits]
    assert sum("captions." in r for r in reasons) >= 2, reasons


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("line", NEAR_MISSES)
def test_article_lines_shaped_like_captions_stay(line: str, lowercased: bool) -> None:
    page = f"{P1}\n\n{line}\n\n{P2}\n\n{P3}"
    if lowercased:
        if line.startswith(("A Beginner", "Illustration of the Three")):
            pytest.skip("title case is what tells this subheading; lowercased text has none")
        page = tokenized(page)
    edits = ImageCaptions().find_edits(page, DocumentContext())
    assert edits == [], (line, edits)


def test_a_paragraph_wrapped_across_lines_is_not_a_scene() -> None:
    page = (
        "The volunteers met at the old mill before eight, and the morning was spent with\n"
        "a group of volunteers planting a row of trees by the river, which the council had\n"
        "promised for years.\n"
    )
    assert ImageCaptions().find_edits(page, DocumentContext()) == []


def test_the_shapes_read_one_line() -> None:
    assert media_label(line_view("Acme Analytics logo"))
    assert not media_label(line_view("logo"))
    assert not media_label(line_view("Our logo, our colours, and our voice: a brand image"))
    assert scene(
        line_view("a man lays in a blue hammock from a low angle".replace("lays", "lying"))
    )
    assert not scene(line_view("A man lying in a hammock is the best way to spend Sunday."))
    assert depiction(line_view("a close - up of a peace lily bloom"))
    assert not depiction(line_view("A close-up of the plan is what the council needs."))
