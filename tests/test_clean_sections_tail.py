"""The section layer's newer openers, on pages in the style of other sites.

A small bakery's blog and a cycling club's news page, cased and lowercased-tokenized:
an author box whose bio opens with the name on the line above it, a comment thread
whose first comment praises the post and whose next lines read like readers, and the
cases where the same shapes belong to the article (a listicle's item, an FAQ's answer,
a company's own "About" paragraph) and stay.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

ARTICLE = (
    "Rye sourdough wants a wetter dough than wheat, and it will never feel smooth: wet your "
    "hands and shape it quickly instead of kneading it for long.",
    "Proof it in a floured basket until small holes show on the top, usually three to four "
    "hours in a warm kitchen, then bake it in a hot covered pot.",
    "Let the loaf rest for a full day before cutting it; the crumb keeps setting as it cools "
    "and a warm rye loaf is gummy in the middle.",
    "Wrapped in a cloth it keeps for a week, and the flavour gets deeper every day.",
)


def _section_reasons(result) -> list[str]:
    return [e.reason for e in result.edits if "sections." in e.reason]


AUTHOR_BOXES = {
    "name over a bio with the full name": (
        "Marta Lindqvist\nMarta Lindqvist bakes for a living and has taught weekend bread "
        "classes in Malmö for nine years.\nEmail Marta"
    ),
    "name, role line, bio with the first name": (
        "Jonas Berg\nHead Baker\nJonas has twelve years of experience in Nordic bakeries and "
        "writes our monthly baking column.\nFollow Jonas on Instagram"
    ),
    # The bio names its person after "I'm", after a longer first name, or only by the
    # first name, and says what they do in a career's words, not a job title after "is".
    "a first-person bio": (
        "Priya Nair\nI'm Priya, a home baker turned bread coach, and I test every recipe "
        "here three times before it goes up.\nSay hello on Instagram"
    ),
    "a bio under the short first name": (
        "Tom Wojcik\nTomasz (Tom) Wojcik has spent fifteen years in bakery kitchens from "
        "Krakow to Dublin and still mills his own rye.\nMore from Tom"
    ),
    "a bio in a career's words": (
        "Elif Demir\nElif is a seasoned recipe developer with a passion for whole grains "
        "and slow, cold fermentation."
    ),
}


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("case", sorted(AUTHOR_BOXES))
def test_an_author_box_opened_by_the_name_goes_whole(case: str, lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + AUTHOR_BOXES[case] + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    reasons = _section_reasons(result)
    assert len(reasons) == 1 and "sections.author_name" in reasons[0], reasons


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_author_box_with_an_article_after_it_stays(lowercased: bool) -> None:
    """A bio in the middle of a page (an interview's guest, then the interview) stays."""
    form = in_form(lowercased)
    raw = form(
        ARTICLE[0]
        + "\n\nMarta Lindqvist\nMarta Lindqvist is a baker and food writer based in Malmö, "
        "and teaches weekend bread classes.\n\n" + "\n\n".join(ARTICLE[1:]) + "\n"
    )
    result = clean_rebuilt(raw)
    assert not _section_reasons(result)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_listicle_item_named_like_its_heading_stays(lowercased: bool) -> None:
    """ "Crumbwise" over "Crumbwise has a free plan ..." is an item, not an author."""
    form = in_form(lowercased)
    items = (
        "Crumbwise\nCrumbwise has a free plan for home bakers and tracks starter feeding "
        "times, hydration and oven temperatures in one place.\n"
        "Doughlog\nDoughlog has a cheaper yearly plan and prints recipe cards with the "
        "weights scaled to your tin."
    )
    raw = form("\n\n".join(ARTICLE) + "\n\n" + items + "\n")
    result = clean_rebuilt(raw)
    assert not _section_reasons(result)
    assert result.text.rstrip() == raw.rstrip()


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_company_about_paragraph_stays(lowercased: bool) -> None:
    """A press release's "About Acme" over "Acme is ..." is often the article's own."""
    form = in_form(lowercased)
    about = (
        "About Northfield Mills\nNorthfield Mills is a family-owned flour mill founded in "
        "1921 and run by its fourth generation of millers, with a head of baking on staff."
    )
    raw = form("\n\n".join(ARTICLE) + "\n\n" + about + "\n")
    result = clean_rebuilt(raw)
    assert not _section_reasons(result)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_service_named_by_a_company_is_not_an_author(lowercased: bool) -> None:
    """ "Wholesale Baking" over "Northfield's Wholesale Baking team specializes in ...":
    the heading's words follow the company's name, so it names a service, not a person;
    the bio matcher leaves it (what the rest of the cleaner does with it is its own)."""
    form = in_form(lowercased)
    box = (
        "Wholesale Baking\nNorthfield's Wholesale Baking team specializes in supplying "
        "cafes with par-baked rye and seeded loaves every morning."
    )
    raw = form("\n\n".join(ARTICLE) + "\n\n" + box + "\n")
    result = clean_rebuilt(raw)
    assert not [r for r in _section_reasons(result) if "author" in r]


PAYWALLS = {
    "exclusive": (
        "This article is exclusive to Crumb+ subscribers\n"
        "Get every recipe, the bakers' newsletter and live classes.\n"
        "Monthly\n$8\n$8/month Get Started\nAnnual\n$80\nSave 17%\nView all plans"
    ),
    "unlock": (
        "Unlock the full story\nJoin Crumb+ for $5 a month, cancel any time\n"
        "Subscribe\nAlready a member? Sign in"
    ),
}


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("case", sorted(PAYWALLS))
def test_a_paywall_after_the_article_goes_whole(case: str, lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + PAYWALLS[case] + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    reasons = _section_reasons(result)
    assert len(reasons) == 1 and "sections.appeal" in reasons[0], reasons


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_paywall_line_over_the_rest_of_the_article_stays(lowercased: bool) -> None:
    """A preview's paywall line with the article going on under it (the full text was
    extracted): the prose after it is not a plans table."""
    form = in_form(lowercased)
    more = (
        "For a lighter loaf, swap a third of the rye for strong white flour and cut the "
        "water by a splash; the dough will hold its shape in the basket.",
        "Seeds go in after the first mix: soak them overnight so they do not pull water "
        "from the dough, and press a handful into the top before baking.",
    )
    raw = form(
        "\n\n".join(ARTICLE)
        + "\n\nThis article is exclusive to Crumb+ subscribers\n\n"
        + "\n\n".join(more)
        + "\n"
    )
    result = clean_rebuilt(raw)
    assert not _section_reasons(result)
    assert form(more[1]) in result.text


THREAD = (
    "Such a helpful post, thank you!\n"
    "I tried this on Sunday and my loaf finally rose properly.\n"
    "Do you ever add caraway seeds to the dough?\n"
    "Yes! My grandmother always did, it's lovely with butter.\n"
    "My kitchen is cold in winter, so I proof mine in the oven with the light on."
)


@pytest.mark.parametrize("lowercased", [False, True])
def test_one_reader_opener_over_lines_that_read_like_readers_opens_the_thread(
    lowercased: bool,
) -> None:
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + THREAD + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    reasons = _section_reasons(result)
    assert len(reasons) == 1 and "sections.comment_voice" in reasons[0], reasons


@pytest.mark.parametrize("lowercased", [False, True])
def test_an_faq_answer_that_opens_like_a_reader_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    faq = (
        "Can I bake rye without a pot?\n"
        "Great question! Yes: a tray of boiling water on the oven floor gives the crust "
        "enough steam in the first twenty minutes.\n"
        "I use a cast iron pan for this.\n"
        "You can also mist the oven walls."
    )
    raw = form("\n\n".join(ARTICLE) + "\n\n" + faq + "\n")
    result = clean_rebuilt(raw)
    assert not _section_reasons(result)
