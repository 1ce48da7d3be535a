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
    # The same notices in other words: certification marks, "used as a substitute for",
    # "is not legal advice", "for informational purposes and should not", a link-out.
    "The Fiduciary Standards Council owns the certification marks RFA® and Registered "
    "Fiduciary Adviser™, which it awards to advisers who meet its requirements.",
    "Nothing on this site, however recent, should be used as a substitute for a "
    "conversation with your own planner.",
    "This post is for informational purposes. It is not financial advice, and your "
    "circumstances may differ.",
    "Our guides are for general informational purposes and should not be read as a "
    "recommendation to buy or sell any fund.",
    "You are now leaving Harbour Lane Wealth. The linked site is not operated or "
    "monitored by us, and its privacy policy may differ from ours.",
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
    # ... and in the other words the rule takes: a fund platform that is not operated by
    # the adviser, a pension guide used as a substitute for advice.
    platform = (
        "The platform your adviser uses is not operated by your adviser, and some savers "
        "use its free guides as a substitute for a review, which they are not."
    )
    text = "\n\n".join([paragraphs[0], paragraphs[1], explained, platform, *paragraphs[2:]])
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


def _long_bio(name: str, role: str) -> str:
    return (
        f"{name} is {role} at Harbour Lane, where she writes the quarterly outlook on "
        "pensions, savings and household budgets for clients and the press. Before joining "
        "the firm she spent eight years at a building society, first in its branches and "
        "then on its research desk, and she still answers readers' questions every month. "
        "She holds a degree in economics and a diploma in financial planning, and she "
        "lives in Leeds with her partner, two children and a very old allotment that "
        "produces more courgettes than anyone could possibly eat in a single summer."
    )


@pytest.mark.parametrize("lower", [False, True])
def test_stacked_author_boxes_after_the_article_go_together(lower: bool) -> None:
    # Two authors, each a name line (printed twice), a long bio and a contact link:
    # the second box is furniture like the first, not prose after it.
    form = tokenized if lower else (lambda t: t)
    boxes = "\n".join(
        [
            "Dana Whitfield",
            "Dana Whitfield",
            _long_bio("Dana Whitfield", "the head of retirement research"),
            "Email Dana",
            "Leonie Park",
            "Leonie Park",
            _long_bio("Leonie Park", "a senior analyst"),
            "Email Leonie",
        ]
    )
    cleaned, reasons = _reasons(form(ARTICLE + "\n\n" + boxes + "\n"))
    assert cleaned == form(ARTICLE)
    assert any(r.startswith("sections.author") for r in reasons)


def test_prose_after_a_bio_is_not_taken_for_a_second_box() -> None:
    # A bio, then the article going on (an FAQ): the FAQ is no author box.
    faq = "\n".join(
        [
            "Frequently asked questions",
            "Can I change my drawdown rate later? Yes. Most providers let you change it once "
            "a year at no cost, and some allow it at any time, so review it each spring with "
            "your statement and your other income in front of you.",
            "Is four per cent still safe? It depends on fees, on how the pot is invested and "
            "on how long you expect to draw from it; a lower rate leaves room for bad years "
            "early in retirement, when a fall in markets does the most harm.",
        ]
    )
    text = ARTICLE + "\n\n" + "Dana Whitfield\n" + _long_bio("Dana Whitfield", "an analyst")
    text += "\n\n" + faq
    cleaned, _ = _reasons(text)
    assert faq in cleaned


@pytest.mark.parametrize("rule", ["***", "* * *", "—", "• • •"])
@pytest.mark.parametrize("lower", [False, True])
def test_a_bio_over_a_wordless_rule_line_is_cleaned(rule: str, lower: bool) -> None:
    # A rule line with no words under a bio ends the author boxes (it once raised
    # IndexError looking for a second author's name in it).
    form = tokenized if lower else (lambda t: t)
    bio = _long_bio("Dana Whitfield", "a staff writer")
    text = form(ARTICLE + "\n\n" + "Dana Whitfield\n" + bio + "\n" + rule + "\n")
    cleaned, reasons = _reasons(text)
    assert cleaned.startswith(form(ARTICLE))
    assert bio not in cleaned and form(bio) not in cleaned
    assert any(r.startswith("sections.author") for r in reasons)


#: A vendor's box closing the page: a hook question to the reader over a line or two in
#: the site's voice or calling to act (a planner's, a plumber's, a tutor's, a software
#: vendor's).
HOOK_BOXES = [
    "Not sure which plan is right for you?\nBook a free call with one of our planners.",
    "Planning a bathroom refit?\nOur fitters quote within a day. Find a fitter near you.",
    "Need more help with revision?\nWe run small online classes every weekend during term.",
    "Looking for a simpler way to track expenses?\nTry Ledgerly free for 14 days\nStart now",
]


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("box", HOOK_BOXES)
def test_a_vendors_box_under_a_hook_question_closing_the_page_goes(box: str, lower: bool) -> None:
    form = tokenized if lower else (lambda t: t)
    cleaned, reasons = _reasons(form(ARTICLE + "\n\n" + box + "\n"))
    assert cleaned == form(ARTICLE)
    assert any("footer.hook_box" in r for r in reasons), reasons


#: Near misses: an FAQ's question answered in the site's voice, advice under a question,
#: a hook question with the article going on after it.
HOOK_NEAR_MISSES = [
    "How often should I review my drawdown rate?\nWe suggest once a year, with your accounts.",
    "Need a break from the numbers?\nTake a walk, then come back to the plan with fresh eyes.",
]


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("box", HOOK_NEAR_MISSES)
def test_a_question_closing_the_article_with_its_answer_stays(box: str, lower: bool) -> None:
    form = tokenized if lower else (lambda t: t)
    raw = form(ARTICLE + "\n\n" + box + "\n")
    cleaned, _ = _reasons(raw)
    assert cleaned == raw.rstrip()


@pytest.mark.parametrize("lower", [False, True])
def test_a_hook_question_with_the_article_after_it_stays(lower: bool) -> None:
    form = tokenized if lower else (lambda t: t)
    parts = ARTICLE.split("\n\n")
    raw = form("\n\n".join([*parts[:3], HOOK_BOXES[0], *parts[3:]]) + "\n")
    cleaned, _ = _reasons(raw)
    assert cleaned == raw.rstrip()
