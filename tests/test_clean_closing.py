"""What closes a page: legal notices after the article, and lone glued lines that are not teasers.

Pages written for these tests in the style of small publishers' sites (a wealth manager's
blog, a health clinic's advice page, a hobby blog), not copied from any development page.
The notices go with their reason, cased and lowercased-tokenized; an article that explains
such notices above its end, and an article's last line that names a brand written in camel
case, stay byte for byte.
"""

from __future__ import annotations

import pytest
from text_forms import tokenized

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner

_CLEANER = Cleaner.default()

ARTICLE = "\n\n".join(
    [
        "How to choose a pension drawdown rate",
        "Most savers reach retirement with one question on their mind: how much can they take "
        "out each year without running the pot dry before they do?",
        "The old rule of thumb was four per cent a year, adjusted for inflation. It came from "
        "studies of past markets, and it was meant as a floor, not a target.",
        "A more flexible approach raises withdrawals after good years and trims them after bad "
        "ones, which lets the pot last longer while keeping most of the income steady.",
        "Fees matter as much as returns. A fund that charges one per cent more each year can "
        "cut the income it supports by a tenth over a long retirement.",
        "Whatever rate you choose, review it every year alongside your other income, your "
        "spending and any changes to your health or plans.",
    ]
)

NOTICES = [
    "Harbour Lane Wealth LLC does not provide tax, legal or accounting advice. This material "
    "is for informational purposes only and should not be relied on as such.",
    "Disclaimer: This article is intended for educational and informational purposes only and "
    "is not a substitute for professional financial advice.",
    "The views expressed on this blog are those of the author and do not necessarily reflect "
    "the views of Harbour Lane Wealth.",
    "QuietPlan® is a registered trademark of Harbour Lane Wealth LLC. We are not affiliated "
    "with any of the funds named above.",
    "Past performance is not a reliable guide to future returns.",
]


def _reasons(raw: str) -> tuple[str, list[str]]:
    result = _CLEANER.clean(raw)
    assert rebuild_raw(result.text, result.edits) == raw
    return result.text, [e.reason for e in result.edits]


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("notice", NOTICES)
def test_a_legal_notice_after_the_article_goes(notice: str, lower: bool) -> None:
    form = tokenized if lower else (lambda t: t)
    cleaned, reasons = _reasons(form(ARTICLE + "\n\n" + notice + "\n"))
    assert cleaned == form(ARTICLE)
    assert any("boilerplate.disclaimer" in r for r in reasons)


@pytest.mark.parametrize("lower", [False, True])
def test_notices_stacked_at_the_end_all_go(lower: bool) -> None:
    form = tokenized if lower else (lambda t: t)
    cleaned, _ = _reasons(form(ARTICLE + "\n\n" + "\n".join(NOTICES[:3]) + "\n"))
    assert cleaned == form(ARTICLE)


@pytest.mark.parametrize("lower", [False, True])
def test_an_article_about_such_notices_keeps_them_above_its_end(lower: bool) -> None:
    # The same words in the first part of the page are the article's own.
    form = tokenized if lower else (lambda t: t)
    paragraphs = ARTICLE.split("\n\n")
    explained = (
        "Every fund's factsheet says that past performance is not a reliable guide to future "
        "returns, and most readers skip the line."
    )
    text = "\n\n".join([paragraphs[0], paragraphs[1], explained, *paragraphs[2:]])
    cleaned, reasons = _reasons(form(text))
    assert cleaned == form(text)
    assert not any("disclaimer" in r for r in reasons)


@pytest.mark.parametrize("lower", [False, True])
def test_a_notice_in_reported_speech_stays(lower: bool) -> None:
    form = tokenized if lower else (lambda t: t)
    reported = (
        "The regulator said the leaflet's claim that past performance is a guide to future "
        "returns was misleading."
    )
    text = ARTICLE + "\n\n" + reported
    cleaned, _ = _reasons(form(text))
    assert cleaned == form(text)


def test_a_last_line_naming_a_camel_case_brand_is_not_a_teaser() -> None:
    # "WhatsApp", "MacBook" start with their capital: not a headline run into its standfirst.
    for last in (
        "Booking questions can be sent by WhatsApp on 0161 555 0192, or by email to the club",
        "Her notes on setting it up with a MacBook and a spreadsheet are in the appendix below",
    ):
        text = ARTICLE + "\n\n" + last
        cleaned, reasons = _reasons(text)
        assert cleaned == text, last
        assert not any("teaser" in r for r in reasons)


def test_a_long_closing_paragraph_with_glued_words_is_not_a_teaser() -> None:
    # A paragraph the extractor ran together ("2019 10:02 amGuest post") is no rail entry.
    last = (
        "Spring meeting notes are up Mar 4, 2019 10:02 amGuest post by the club secretary. "
        + "The committee thanked everyone who brought seedlings to the swap table this year " * 4
    ).strip()
    text = ARTICLE + "\n\n" + last
    cleaned, _ = _reasons(text)
    assert cleaned == text


def test_a_lone_teaser_glued_to_its_standfirst_still_goes() -> None:
    teaser = "Council votes on new bus lanesAfter years of complaints from drivers and cyclists"
    cleaned, reasons = _reasons(ARTICLE + "\n" + teaser)
    assert cleaned == ARTICLE
    assert any("footer.teaser" in r for r in reasons)
