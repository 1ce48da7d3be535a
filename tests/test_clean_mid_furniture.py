"""Page furniture the extractor leaves between an article's paragraphs (issue 11).

The pages are written for these tests in the style of small sites (a removals firm's
guide, a photo course's page, a garden centre's blog), not copied from any development
page. Each furniture line goes with its rule's reason between paragraphs, cased and
lowercased-tokenized, and the article stays byte for byte; a near miss (a real line of the
same shape: a compound word alone on a line, a sentence with a number to call) stays.
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner

P1 = (
    "Moving a whole house in one day is possible, but only if the boxes are packed and "
    "labelled the week before and the van is booked early."
)
P2 = (
    "Most firms quote by the cubic foot, so a walk through every room with a tape measure "
    "saves an argument on the day the lorry arrives."
)
P3 = (
    "Keep the kettle, the mugs and the phone chargers in one box that travels with you, "
    "not in the back of the van."
)

#: reason -> furniture lines of the kind the families take.
FURNITURE: dict[str, list[str]] = {
    # An image's file name left where its alt text would be.
    "boilerplate.photo_credit": [
        "removals-van-loading-2048x1365",
        "Garden-Centre-Spring-Banner-Final",
        "course-timeline-panel-v2",
        "footer-icon-map-pin",
    ],
    # A call button with its number.
    "boilerplate.navigation": [
        "Request a Free Quote (415) 555-0134",
        "Get Quote (877) 555-0190",
        "Call Us Today: 1-888-555-0147",
        "Call now (312) 555-0175",
    ],
}

#: Lines of article text with these shapes, which stay.
NEAR_MISSES = [
    "Step-by-step",  # a compound of the language, not a file name
    "State-of-the-art",
    "Face-to-face",
    "2024-03-18",  # a date: no word in it
    "415-555-0134",  # a bare number: the gold keeps a firm's contact lines
    "Call 311 to report a blocked drain.",  # a sentence, no ten-digit number
    "Get a quote from three firms before you book.",
    "Call (415) 555-0134 and ask for the packing team, who will bring the boxes.",
    "Wi-Fi",  # two parts only
]


def _page(line: str) -> tuple[str, str]:
    return f"{P1}\n\n{line}\n\n{P2}\n\n{P3}", f"{P1}\n\n{P2}\n\n{P3}"


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    ("reason", "line"), [(r, line) for r, lines in FURNITURE.items() for line in lines]
)
def test_furniture_between_paragraphs_goes_and_the_article_stays(
    reason: str, line: str, lowercased: bool
) -> None:
    page, article = _page(line)
    if lowercased:
        page, article = tokenized(page), tokenized(article)
    result = Cleaner.default().clean(page)
    assert result.text == article, line
    assert any(reason in e.reason for e in result.edits), (line, [e.reason for e in result.edits])
    assert rebuild_raw(result.text, result.edits) == page


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("line", NEAR_MISSES)
def test_article_lines_shaped_like_the_furniture_stay(line: str, lowercased: bool) -> None:
    page, _ = _page(line)
    if lowercased:
        page = tokenized(page)
    assert Cleaner.default().clean(page).text == page, line
