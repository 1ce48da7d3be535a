"""Rule families of issue 11 on whole pages, and the header and whitespace steps.

The pages are written for these tests in the style of small publishers' sites (blogs,
guides, government pages), not copied from any development page. Each furniture line goes
with its family's reason wherever the extractor left it (in the head or between
paragraphs); the article stays byte for byte, cased and lowercased-tokenized.
"""

from __future__ import annotations

import random
import re

import pytest
from text_forms import tokenized

from builder.clean.boilerplate import BYLINE_RULES
from builder.clean.edits import rebuild_raw
from builder.clean.header import RepeatedHeader
from builder.clean.pipeline import Cleaner
from builder.clean.rules import load_rules
from builder.clean.steps import DocumentContext, iter_lines
from builder.clean.text_fixes import Whitespace

P1 = (
    "Most clematis flower on the growth they made last year, so a hard cut in March takes "
    "away this summer's blooms along with the tangle."
)
P2 = (
    "Late-flowering kinds are the exception: they bloom on new stems, and cutting them back "
    "to a pair of buds near the ground keeps them tidy and full."
)
P3 = (
    "If you are unsure which kind you have, wait a season and watch when it flowers before "
    "you reach for the secateurs."
)

#: family -> lines in the head or body of a page (furniture wherever it sits).
BODY_FURNITURE: dict[str, list[str]] = {
    "dateline": ["Last updated: 4 June 2024", "Posted on March 9th, 2023 at 10:15 am"],
    "reading_time": ["Mar 9, 2023 · 6 min read", "Garden care -- 4 minute read"],
    "byline": [
        "by: Priya Raman, Mar 9, 2023",
        "by | Jun 4, 2024 | Pruning, Shrubs",
        "June 4, 2024 By Priya Raman In",
        "04/06/2024 by Priya Raman",
        "On Behalf of Hale & Ortiz LLP | Jun 4, 2024 | Estate Planning",
        "2024-06-04 · Priya Raman",
        "• Edited by: Priya Raman",
    ],
    "photo_credit": [
        "Priya Raman avatar",
        "clematis-trellis-1200x800.jpg",
        "Photos used under license from Unsplash",
        "Byline profile image",
        "Priya Raman's headshot",
    ],
    "feedback_widget": ["Thank you! Your submission has been received!"],
    "navigation": [
        "Learn more",
        "Get a free quote ›",
        "Secure .gov websites use HTTPS",
        "No credit card required. Cancel anytime.",
        "Start your free trial ›",
        "Show 2 more ▼",
    ],
    "rating_widget": [
        "Average rating 4.6 / 5. Vote count: 23",
        "How useful was this post?",
        "4.7 out of 5 stars 1,204 total reviews Free plan available",
    ],
    "share_widget": ["Share the recipe on:", "Found this helpful? Share it with a friend."],
    "social_follow": [
        "Listen on Spotify | Apple Podcasts | Overcast",
        "Subscribe: Apple Podcasts | Pocket Casts | RSS",
    ],
    "gallery": ["hide caption", "Enlarge this image", "Continue to 3 of 9 below."],
    "affiliate_disclosure": [
        "Purchases made through our links may earn us a commission.",
        "Learn about our editorial process",
    ],
}


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize(
    ("family", "line"), [(f, line) for f, lines in BODY_FURNITURE.items() for line in lines]
)
def test_family_furniture_goes_between_paragraphs_and_the_article_stays(
    family: str, line: str, lowercased: bool
) -> None:
    article = f"{P1}\n\n{P2}\n\n{P3}"
    page = f"{P1}\n\n{line}\n\n{P2}\n\n{P3}"
    if lowercased:
        article, page = tokenized(article), tokenized(page)
    result = Cleaner.default().clean(page)
    assert result.text == article
    assert any(f"boilerplate.{family}" in e.reason for e in result.edits), (
        line,
        [e.reason for e in result.edits],
    )
    assert rebuild_raw(result.text, result.edits) == page


def test_a_page_head_of_furniture_goes_and_the_title_stays() -> None:
    page = (
        "Secure .gov websites use HTTPS\n"
        "How to prune clematis without losing the flowers\n\n"
        "by: Priya Raman, Mar 9, 2023\n"
        "Mar 9, 2023 · 6 min read\n"
        "Priya Raman avatar\n\n"
        f"{P1}\n\nLearn more\n\n{P2}\n\nThank you! Your submission has been received!\n\n{P3}"
    )
    cleaned = Cleaner.default().clean(page).text
    assert cleaned == (f"How to prune clematis without losing the flowers\n\n{P1}\n\n{P2}\n\n{P3}")


#: Lines of articles that look like the families' furniture and are not.
NEAR_MISSES = [
    "- Wallet (credit/debit cards, cash, etc.)",
    "- Pro ($9/mo billed yearly): 4K exports, 2,000 AI credits/year, no watermark",
    "Gaggia Classic Pro – Sturdy Espresso Machine for Beginners",
    "Kitchen, Bathroom, or Basement – Choosing What Comes First for You",
    "- Behavioral tracking: use cookies to record which pages a visitor opens and improve the experience",
    "Learn more about the pruning groups",
    "The guide is a 10 min read, and worth it.",
    "Updated guidance was published by the society in 2021.",
    "Nurseries earn a commission of about 5% on each plant they sell for growers.",
    "Our editors chose the gardens by visiting every one of them.",
    "Official figures from the government show the number of allotments rising.",
    "Read the label before you spray anything.",
    "4.5 out of 5 stars",
    "Ratings rose from 3.9 to 4.4 out of 5 after the nursery changed suppliers.",
    "The gardener's photo of the trellis won a prize at the county show in June.",
    "Spotify and Apple Podcasts both carry the society's talks on pruning.",
    "On behalf of the society, thank you to every volunteer who planted a row this year.",
]


@pytest.mark.parametrize("lowercased", [False, True])
def test_near_misses_in_the_body_stay_byte_identical(lowercased: bool) -> None:
    page = "\n\n".join([P1, *NEAR_MISSES, P2])
    if lowercased:
        page = tokenized(page)
    assert Cleaner.default().clean(page).text == page


def test_a_list_of_products_with_dashes_is_not_a_photo_credit() -> None:
    items = (
        "1. Gaggia Classic Pro – Sturdy Espresso Machine for Beginners\n"
        "2. Breville Bambino – Compact Espresso Machine for Small Kitchens"
    )
    page = f"{P1}\n\n{items}\n\n{P2}"
    assert Cleaner.default().clean(page).text == page
    caption = "Volunteers sandbag the high street before the storm — Ana Ruiz for The Courier"
    result = Cleaner.default().clean(f"{P1}\n\n{caption}\n\n{P2}")
    assert result.text == f"{P1}\n\n{P2}"


def test_read_more_is_a_button_not_the_header_of_the_teasers_under_it() -> None:
    # A "Read more" button under each teaser: the teasers are the page's own summaries.
    page = (
        f"{P1}\n\nRead More\n\nWhich clematis group is yours?\n\n"
        f"{P2}\n\nRead More\n\nPruning roses in winter\n\n{P3}"
    )
    result = Cleaner.default().clean(page)
    assert result.text == (
        f"{P1}\n\nWhich clematis group is yours?\n\n{P2}\n\nPruning roses in winter\n\n{P3}"
    )
    assert all("navigation" in e.reason for e in result.edits if "Read" in e.original)


def _header_edits(text: str) -> list[tuple[str, str]]:
    return [
        (text[e.start : e.end].strip(), e.reason)
        for e in RepeatedHeader().find_edits(text, DocumentContext())
    ]


def test_header_keeps_a_title_and_standfirst_printed_once() -> None:
    # The question title is printed twice; the line between is the standfirst and the
    # line above it the real title: neither is printed again, so both stay.
    text = (
        "What is mesh WiFi?\nA guide to whole-home WiFi in 2024\n"
        "Everything you need to know about mesh networks\nWhat is mesh WiFi?\n\n"
        f"{P1}\n"
    )
    assert _header_edits(text) == [("What is mesh WiFi?", "header.repeated_title")]
    text = "Nine common clematis myths debunked\nGet the facts\nGet the facts\n\n" + P1
    assert _header_edits(text) == [("Get the facts", "header.repeated_title")]


def test_header_still_takes_section_labels_and_lines_printed_again() -> None:
    text = (
        "Gardening\nHow to prune clematis in spring\nShrubs\n"
        "How to prune clematis in spring\n\n"
        f"{P1}\n"
    )
    assert _header_edits(text) == [
        ("Gardening", "header.section_label"),
        ("How to prune clematis in spring", "header.repeated_title"),
        ("Shrubs", "header.section_label"),
    ]
    # A longer line that the page prints again further down is a copy too.
    text = (
        "Pruning clematis: the complete guide\nGarden care weekly newsletter edition\n"
        "Pruning clematis: the complete guide\n\n"
        f"{P1}\n\n{P2}\n\n{P3}\n\n{P1[:60]}.\n\n{P2[:60]}.\n\nGarden care weekly newsletter edition\n"
    )
    assert [r for _, r in _header_edits(text)] == [
        "header.repeated_title",
        "header.section_label",
    ]


def _old_whitespace_edits(text: str) -> list[tuple[int, int, str, str]]:
    """The whitespace step as it was written before (regexes with look-arounds)."""
    edits: list[tuple[int, int, str, str]] = []
    lead = len(text) - len(text.lstrip())
    if lead:
        edits.append((0, lead, "", "whitespace.document_edges"))
    trail = len(text.rstrip())
    if trail < len(text) and trail >= lead:
        edits.append((trail, len(text), "", "whitespace.document_edges"))
    for pattern, replacement, rule in (
        (r"[ ]+(?=\n)", "", "trailing"),
        (r"(?<=\S)[ ]{2,}(?=\S)", " ", "collapse"),
        (r"\n[ ]+", "\n", "leading"),
        (r"\n{3,}", "\n\n", "blank_lines"),
    ):
        edits += [
            (m.start(), m.end(), replacement, f"whitespace.{rule}")
            for m in re.finditer(pattern, text)
        ]
    out: list[tuple[int, int, str, str]] = []
    for e in sorted(edits, key=lambda e: (e[0], -e[1])):
        if out and e[0] < out[-1][1]:
            continue
        out.append(e)
    return out


def test_whitespace_step_makes_the_same_edits_as_the_look_around_regexes() -> None:
    rng = random.Random(11)
    alphabet = [" ", " ", " ", "\n", "\n", "a", "b", "\t", "\u00a0", "."]
    texts = ["", " ", "a  b", "a  \nb", "  a  ", "a\n\n\n\nb  ", "a \t  b", "\n  x  \n\n\n"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(3000)]
    step = Whitespace()
    for text in texts:
        got = [
            (e.start, e.end, e.replacement, e.reason)
            for e in step.find_edits(text, DocumentContext())
        ]
        assert got == _old_whitespace_edits(text), repr(text)


def test_iter_lines_gives_every_line_with_its_offsets() -> None:
    rng = random.Random(3)
    texts = ["", "\n", "a", "a\n", "\n\na", "a\n\nb", "ab\ncd\n\n"]
    texts += ["".join(rng.choice("ab\n") for _ in range(rng.randint(0, 12))) for _ in range(2000)]
    for text in texts:
        lines = list(iter_lines(text))
        # The lines cover the text exactly, each ending in its newline (the last one may not).
        assert "".join(text[s:e] for s, e, _ in lines) == text
        assert all(text[s:e].rstrip("\n") == line for s, e, line in lines)
        assert all(
            text[s:e].count("\n") == (e < len(text) or text.endswith("\n")) for s, e, _ in lines
        )


def test_a_byline_run_into_its_name_goes_only_where_case_shows_it() -> None:
    # "By" glued to a capitalised name is a byline the extractor ran together; in
    # lowercased text "bypriya" cannot be told from a word, and stays.
    page = f"{P1}\n\nByPriya Raman Updated on\n\n{P2}"
    result = Cleaner.default().clean(page)
    assert result.text == f"{P1}\n\n{P2}"
    assert any("boilerplate.byline" in e.reason for e in result.edits)
    for kept in ("Bypass surgery", "BYOD Policy"):
        page = f"{P1}\n\n{kept}\n\n{P2}"
        assert Cleaner.default().clean(page).text == page


def _spaced_page(*lines: str) -> str:
    # Every line a paragraph of its own, one blank line apart (as resiliparse prints a page).
    return "\n\n".join(lines) + "\n"


@pytest.mark.parametrize("lowercased", [False, True])
def test_on_a_spaced_page_a_name_a_blank_line_from_the_byline_goes(lowercased: bool) -> None:
    title = "Pruning clematis in a small garden"
    page = _spaced_page(title, "Written By", "Priya Raman", "Senior Garden Writer", P1, P2, P3)
    expected = _spaced_page(title, P1, P2, P3).rstrip("\n")
    if lowercased:
        page, expected = tokenized(page), tokenized(expected)
    result = Cleaner.default().clean(page)
    assert result.text == expected
    assert any("boilerplate.adjacent" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_on_a_spaced_page_the_title_and_a_subheading_over_the_text_stay(lowercased: bool) -> None:
    # The first line that is not furniture is the title ("Clematis" after a skip link);
    # a short line right above the first paragraph is its subheading.
    page = _spaced_page("Skip to main content", "Clematis", "March 9, 2023", "In short", P1, P2)
    expected = _spaced_page("Clematis", "In short", P1, P2).rstrip("\n")
    if lowercased:
        page, expected = tokenized(page), tokenized(expected)
    assert Cleaner.default().clean(page).text == expected


def test_on_a_page_of_touching_lines_a_blank_line_keeps_a_name_from_the_byline() -> None:
    # Most lines touch: a blank line is a break the page chose, and the name after it
    # is not the byline's.
    lead = "Pruning clematis\nA guide for small gardens\nWritten By\n\nPriya Raman"
    page = f"{lead}\n{P1}\n{P2}\n{P3}\n"
    cleaned = Cleaner.default().clean(page).text
    assert "Priya Raman" in cleaned


STANDFIRST = "A guide to cutting back clematis, with the months that suit each kind of plant."


@pytest.mark.parametrize("sep", ["\n", "\n\n"])
@pytest.mark.parametrize("lowercased", [False, True])
def test_the_byline_and_date_under_a_standfirst_go(lowercased: bool, sep: str) -> None:
    # Title, standfirst (a sentence: running text), then the byline's name and the date:
    # the head goes on past the standfirst, to the next paragraph.
    title = "Pruning clematis in a small garden"
    page = sep.join([title, STANDFIRST, "Written By", "Priya Raman", "March 9, 2023", P1, P2])
    expected = sep.join([title, STANDFIRST, P1, P2])
    if lowercased:
        page, expected = tokenized(page), tokenized(expected)
    result = Cleaner.default().clean(page + "\n")
    assert result.text == expected
    assert any("boilerplate.timestamp" in e.reason for e in result.edits)


def test_a_subheading_over_the_paragraph_after_a_standfirst_stays() -> None:
    title = "Pruning clematis in a small garden"
    page = "\n".join([title, STANDFIRST, "March 9, 2023", "Overview", P1, P2])
    expected = "\n".join([title, STANDFIRST, "Overview", P1, P2])
    assert Cleaner.default().clean(page + "\n").text == expected


def test_a_page_opening_on_its_lead_keeps_the_head_before_it() -> None:
    # No title above the first paragraph: it is the article's lead, and a date line
    # under it is a heading of the text.
    page = f"{P1}\n\nMarch 9, 2023\n\n{P2}\n\n{P3}"
    assert Cleaner.default().clean(page).text == page


def test_a_live_blogs_first_headings_under_its_lead_stay() -> None:
    # A lead under the title, then the blog's day and hour: headings with no byline
    # among them (no name, no year), not the page's stamp.
    head = ["Storm floods the valley", STANDFIRST, "Live updates", "Monday 14 April", "10.32 BST"]
    page = "\n".join([*head, P1, P2])
    assert Cleaner.default().clean(page).text == page


def test_the_byline_rules_named_in_the_code_are_rules() -> None:
    assert {r.name for r in load_rules()} >= BYLINE_RULES


def test_a_caption_right_above_its_photo_credit_goes() -> None:
    caption = "A gardener tying young clematis stems to a wooden trellis"
    page = f"{P1}\n{caption}\nCredit: Dana Kim / Acme Gardens\n{P2}"
    result = Cleaner.default().clean(page)
    assert result.text == f"{P1}\n{P2}"
    assert any("boilerplate.credited_caption" in e.reason for e in result.edits)


@pytest.mark.parametrize(
    "above",
    [
        "Best Clematis for Small Trellises",  # a product's subheading, in title case
        "• Tie the stems loosely to the trellis wire",  # a checklist's item
        "Prune late-flowering kinds hard, to a pair of buds near the ground.",  # a sentence
        "Our favourite pruning kit:",  # a label over what follows
        "Saltcombe — a garden rebuilt by hand",  # a headline's two parts
    ],
)
def test_an_articles_line_above_a_photo_credit_stays(above: str) -> None:
    page = f"{P1}\n{above}\nCredit: Dana Kim / Acme Gardens\n{P2}"
    assert Cleaner.default().clean(page).text == f"{P1}\n{above}\n{P2}"


def test_lowercased_a_line_above_a_photo_credit_stays() -> None:
    # Without capitals a caption cannot be told from a subheading over a product's photo.
    page = tokenized(
        f"{P1}\nbest clematis for small trellises\nCredit: Dana Kim / Acme Gardens\n{P2}"
    )
    cleaned = Cleaner.default().clean(page).text
    assert "best clematis for small trellises" in cleaned


def test_a_line_above_a_caption_holding_its_credit_stays() -> None:
    # The credit line is a caption of its own ("... road. Credit: Reuters"): the line
    # above it is the article's (here the last item of a list).
    page = (
        f"{P1}\nThe estuary nature reserve at Wrenmouth\n"
        f"Workers clear debris from the road. Credit: Reuters\n{P2}"
    )
    assert Cleaner.default().clean(page).text == (
        f"{P1}\nThe estuary nature reserve at Wrenmouth\n{P2}"
    )
