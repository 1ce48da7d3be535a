"""Article prose that names furniture's words stays; the furniture itself still goes.

Cookie, newsletter and photo-credit rules key on words ("cookies", "newsletter",
"image") that articles use too: a definition listing "signing up for a newsletter" as an
example, advice in a bulleted list, a sentence about apps that use cookies, a technical
sentence with two bracketed asides. A heading that ends in a colon over the article's
opening summary ("Key takeaways:") is the article's, even when a stamp sits above it.
Blog templates' comment counters ("No comments:", "Loading Comments...") go. The pages are
written for these tests in the style of small publishers' sites; each is
checked cased and lowercased-tokenized.
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.pipeline import Cleaner

CLEANER = Cleaner.build()

OPEN = (
    "Most small shops judge a campaign by how many people walk through the door, but the "
    "numbers that matter most are usually the ones a dashboard never shows."
)
MIDDLE = (
    "A bakery that doubled its followers last spring saw no change in weekday sales, "
    "while a bookshop with a tenth of the audience filled every reading it held."
)
CLOSE = (
    "Start with one number you trust, watch it for a season, and only then decide whether "
    "the next campaign deserves a bigger budget."
)

#: Lines of article prose that share words with banners, prompts and credits.
PROSE = [
    # a definition whose examples include a sign-up
    "Conversion rate: the share of visitors who take a step you care about, such as "
    "booking a table, signing up for a newsletter, or calling the shop. It ties the "
    "feed to the till.",
    # advice in a bulleted list
    "- Watch your trade: read the journals of your field, subscribe to a few trade "
    "newsletters, and note what rivals change before your customers do.",
    # a sentence about cookies in passing, long and not addressed to the reader
    "Rules differ by country: in the UK the electronic marketing regulations cover apps "
    "that use cookies or send offers by text, and a shop selling abroad must follow the "
    "rules of every market it ships to, which few owners check before they launch.",
    "When the team tried the same booking on three laptops, each browser cleaned of "
    "cookies and using a different network, the quoted fare still came up lower at first "
    "and then rose at the last step of the form.",
    # two bracketed asides, one naming an image: a sentence, not a caption's credit
    "Each block of the layout is either a still image (IMAGE) or a control the reader "
    "can move (SLIDER, TOGGLE, and the like).",
]

#: Furniture of the same families, which still goes between paragraphs.
FURNITURE = {
    "boilerplate.cookie_consent": [
        "We use cookies on this website to remember your settings and improve your "
        "experience. By clicking Accept, you consent to the use of all cookies as set out "
        "in our cookie policy.",
        "This site uses cookies.",
    ],
    "boilerplate.newsletter": [
        "Sign up for our weekly newsletter and get new guides in your inbox.",
    ],
    "boilerplate.photo_credit": [
        "Volunteers stack chairs after the market closes. (Photo: Dana Kim)",
    ],
}


def _page(lines: list[str]) -> str:
    return "\n\n".join([OPEN, MIDDLE, *lines, CLOSE])


@pytest.mark.parametrize("form", ["cased", "lower"])
@pytest.mark.parametrize("line", PROSE)
def test_prose_with_a_furniture_word_stays(line: str, form: str) -> None:
    text = _page([line])
    if form == "lower":
        text = tokenized(text)
    assert CLEANER.clean(text).text == text


@pytest.mark.parametrize("form", ["cased", "lower"])
@pytest.mark.parametrize(
    ("reason", "line"), [(r, line) for r, lines in FURNITURE.items() for line in lines]
)
def test_the_furniture_of_those_families_still_goes(reason: str, line: str, form: str) -> None:
    text = _page([line])
    if form == "lower":
        text = tokenized(text)
        line = tokenized(line)
    result = CLEANER.clean(text)
    assert line not in result.text
    assert any(line in e.original and reason in e.reason for e in result.edits), reason


HEAD = "How we priced our first year of events\nLast updated: 4 June 2024\n"


@pytest.mark.parametrize("form", ["cased", "lower"])
@pytest.mark.parametrize(
    "body",
    [
        "Key takeaways:\n- Price the first event to fill the room, not to profit.\n"
        "- Raise prices only once two events in a row have sold out.\n\n" + OPEN + "\n",
        "In short:\n" + OPEN + "\n\n" + MIDDLE + "\n",
    ],
)
def test_a_label_with_a_colon_over_the_opening_stays(body: str, form: str) -> None:
    text = HEAD + body
    if form == "lower":
        text = tokenized(text)
    result = CLEANER.clean(text)
    label = text.split("\n")[2]
    assert label in result.text.split("\n"), result.text
    # the stamp above it still goes
    assert "2024" not in result.text


def test_a_furniture_label_over_a_name_still_goes() -> None:
    text = HEAD + "Written by:\nDana Kim\n\n" + OPEN + "\n\n" + MIDDLE + "\n"
    assert "Written by:" not in CLEANER.clean(text).text


@pytest.mark.parametrize("form", ["cased", "lower"])
@pytest.mark.parametrize("line", ["No comments:", "Loading Comments...", "3 comments:"])
def test_blog_template_comment_counters_go(line: str, form: str) -> None:
    text = _page([]) + "\n\nPosted by Dana Kim at 9:14 AM\n\n" + line
    if form == "lower":
        text = tokenized(text)
        line = tokenized(line)
    result = CLEANER.clean(text)
    assert line not in result.text
    assert any(line in e.original for e in result.edits)
