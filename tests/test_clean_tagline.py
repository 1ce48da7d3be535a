"""A newspaper's tagline under the article: a bio with no article before its role.

Opinion pieces and reports on news sites end on one line saying who wrote them ("Dana
Kim is adjunct faculty at X", "Dana Kim is Deputy Editor for X"). The section layer
takes it as an author's bio (``sections.author_bio``) when hardly any prose follows;
the same sentence shape inside the article, with the article going on, stays. Pages
written here in the style of a regional daily's opinion page and a TV network's
lifestyle site, cased and lowercased-tokenized as the eval's lower form makes them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner
from eval.bank import tokenize_lower

OPINION = (
    "Every winter the river floods the low fields east of town, and every spring the "
    "county promises a levee study that never seems to arrive.",
    "Farmers along Mill Road have lost three plantings in five years. They do not want a "
    "wall; they want the drainage ditches dredged and the culverts widened.",
    "The council meets again in March. It should put the ditch money in this year's "
    "budget and stop waiting for a study to tell it what every farmer already knows.",
    "Until then, the water will keep coming, and so will the bills.",
)

TAGLINES = (
    "Harriet Osei is adjunct faculty at Westbrook College and a soil scientist based in "
    "Clarksville.",
    "Leo Brandt is Deputy Lifestyle Editor for NBN.com and is based in Chicago.",
    "Marisol Vega is senior correspondent at the Valley Ledger, covering farms and water.",
)

_FORMS: dict[str, Callable[[str], str]] = {"cased": lambda text: text, "lower": tokenize_lower}


def _page(*tail: str) -> str:
    return "\n\n".join((*OPINION, *tail)) + "\n"


@pytest.mark.parametrize("form", sorted(_FORMS))
@pytest.mark.parametrize("tagline", TAGLINES)
def test_a_tagline_ending_the_page_goes_and_the_article_stays(tagline: str, form: str) -> None:
    to_form = _FORMS[form]
    raw = to_form(_page(tagline))
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == to_form("\n\n".join(OPINION))
    reasons = [e.reason for e in result.edits if "sections." in e.reason]
    assert len(reasons) == 1 and "sections.author_bio" in reasons[0], reasons
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_a_tagline_goes_with_share_buttons_under_it(form: str) -> None:
    to_form = _FORMS[form]
    raw = to_form(_page(TAGLINES[0], "Share\nFacebook\nEmail"))
    assert Cleaner.default().clean(raw).text.rstrip() == to_form("\n\n".join(OPINION))


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_co_authors_taglines_go_together(form: str) -> None:
    to_form = _FORMS[form]
    second = "Ravi Menon is an associate professor of hydrology at Lakeshore University."
    raw = to_form(_page(TAGLINES[0], second))
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == to_form("\n\n".join(OPINION))
    reasons = [e.reason for e in result.edits if "sections." in e.reason]
    assert len(reasons) == 1 and "sections.author_bio" in reasons[0], reasons


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_the_same_shape_with_the_article_going_on_stays(form: str) -> None:
    # A person the article introduces, followed by more of the article, is not a tagline.
    to_form = _FORMS[form]
    middle = (
        "Ana Ruiz is director of the county's soil office and has walked those fields "
        "after every flood since 2015.",
        "She says the culverts under Mill Road were sized for a smaller river, and that "
        "widening two of them would drain the low fields in days instead of weeks.",
        "The county engineer agrees, but the money has gone to road resurfacing three "
        "years running, and the farmers have been told to wait for the study.",
    )
    raw = to_form(_page(*middle))
    assert Cleaner.default().clean(raw).text.rstrip() == raw.rstrip()


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_a_role_with_an_article_is_not_needed_but_a_place_after_it_is(form: str) -> None:
    # "is editor" with no "at/for/of ..." after the role is a sentence of the article
    # ("Maya is editor now, and ..."), not a tagline: it stays.
    to_form = _FORMS[form]
    raw = to_form(_page("Maya Chen is editor now, and the paper will keep asking."))
    assert Cleaner.default().clean(raw).text.rstrip() == raw.rstrip()


#: Author boxes whose bio opens with the role, not the name, under the name line.
ROLE_BOXES = (
    "Priya Natarajan\nSenior Editor at Farm Weekly. Agriculture reporter since 2011, with "
    "stints at two regional dailies. Keen cyclist, reluctant gardener.",
    "Tomas Lindqvist\nAward-winning photographer and co-founder of Riverbank Studio. He "
    "shoots floods, harvests and county fairs.",
    "Grace Adeyemi\nI'm the founder of Drainage Matters. I've advised farm co-ops on "
    "water rights for twelve years.",
)


@pytest.mark.parametrize("form", sorted(_FORMS))
@pytest.mark.parametrize("box", ROLE_BOXES)
def test_a_name_over_a_role_first_bio_ending_the_page_goes(box: str, form: str) -> None:
    to_form = _FORMS[form]
    raw = to_form(_page(box, "Share\nEmail"))
    result = Cleaner.default().clean(raw)
    assert result.text.rstrip() == to_form("\n\n".join(OPINION))
    reasons = [e.reason for e in result.edits if "sections." in e.reason]
    assert len(reasons) == 1 and "sections.author_name" in reasons[0], reasons
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_a_last_section_about_a_trade_stays(form: str) -> None:
    # A subheading over a paragraph about people of a trade (plural: "developers", or a
    # role far into the sentence) is the article's last part, not an author box.
    to_form = _FORMS[form]
    tail = (
        "Software Developers\n"
        "Software developers at the county office say a flood map could be online within "
        "a month if the money were approved, since the culverts are already surveyed.",
        "Farm Managers\n"
        "Farm managers of the larger holdings would rather pay a levy now than lose "
        "another crop.",
    )
    raw = to_form(_page(*tail))
    assert Cleaner.default().clean(raw).text.rstrip() == raw.rstrip()
