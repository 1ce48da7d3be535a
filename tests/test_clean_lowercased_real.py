"""Furniture of real pages goes the same whether the page is cased or lowercased-tokenized.

Older corpora come lowercased with every mark split off by spaces (``don ' t``,
``https : / /``, ``5 / 12 / 2024``, ``fact - checked``). Each rule family and section
detector changed to take that form has a page here, in the style of a site of its
own (a model-railway forum, a regional co-op's blog, a bicycle shop's news page ...,
written for these tests), shown cased and tokenized: the furniture goes, with the
family's reason, and the article stays.
"""

from __future__ import annotations

import re

import pytest

from builder.clean.pipeline import Cleaner

_CLEANER = Cleaner.default()

ARTICLE = (
    "The club's new layout runs along three walls of the old signal box, and it took "
    "eleven members most of the winter to lay the track and wire the points.",
    "Every turnout is thrown by a servo under the baseboard, driven from a small panel "
    "that mirrors the lever frame the box had when it still controlled the junction.",
    "Visitors can watch the timetable run on the first Saturday of each month, when the "
    "members take turns as signallers and drivers and explain what each lever did.",
    "The next project is a branch line to a quarry, with a working incline that lowers "
    "wagons of crushed stone to the exchange sidings at the bottom of the hill.",
)
BODY = "\n\n".join(ARTICLE)


def tokenize(text: str) -> str:
    """Lowercased, every mark split off, line by line (as ``eval.bank.tokenize_lower``)."""
    return "\n".join(
        " ".join(re.findall(r"\w+|[^\w\s]", line.casefold())) for line in text.split("\n")
    )


FORMS = {"cased": lambda text: text, "lower": tokenize}

#: (family, page): furniture lines are marked with a leading "!" (removed), the rest stays.
PAGES: dict[str, tuple[str, str]] = {
    # A forum's comment thread whose commenter lines the extractor lost: the moderation
    # titles "(Score: 4, Insightful)" are what show it.
    "score_titles": (
        "sections.comment_cues",
        f"{BODY}\n\n"
        "!• Re: Servos or solenoids? (Score: 4, Insightful)\n"
        "!Solenoids snap the blades over and wear the tie bars; servos move them slowly.\n"
        "!• Wiring the panel (Score: 2, Informative)\n"
        "!Use a separate supply for the servos or the decoders brown out.\n",
    ),
    # A comment thread whose stamps are numeric dates with a time.
    "numeric_stamps": (
        "sections.comment_cues",
        f"{BODY}\n\n"
        "!Gareth Pryce\n"
        "!12/03/2024 at 9:15 am\n"
        "!Lovely work on the lever frame, we tried the same at our club.\n"
        "!Helen W.\n"
        "!2024-03-14 18:40\n"
        "!Is the quarry incline going to be cable-hauled?\n",
    ),
    # A contact form after the article: "E-mail *" spaced as "e - mail *".
    "form_fields": (
        "sections.form",
        f"{BODY}\n\n!Send us a message\n!Name *\n!E-mail *\n",
    ),
    # A WordPress thread headed by a four-digit count.
    "thread_count": (
        "sections.comments",
        f"{BODY}\n\n"
        "!1,204 thoughts on “Our new layout in the signal box”\n"
        "!I visited last month and the children loved pulling the levers.\n"
        "!How long did the wiring take in the end?\n",
    ),
}

#: (rule, line): one furniture line between the article's paragraphs or after it.
LINES: list[tuple[str, str]] = [
    ("boilerplate.byline", "By Ines Marlow · February 2, 2025"),
    ("boilerplate.byline", "ByIness Marlow"),
    ("boilerplate.byline", "ByOwen Tallis Updated on March 9, 2025"),
    ("boilerplate.byline", "Fact-checked by Sunil Varma"),
    (
        "boilerplate.navigation",
        "A lock ( ) or https:// means you’ve safely connected to the .gov website.",
    ),
    ("boilerplate.related_links", "Read our in-depth Bachmann controller review."),
]


def _removed(text: str) -> tuple[str, list[str]]:
    result = _CLEANER.clean(text)
    return result.text, [e.reason for e in result.edits]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", PAGES)
def test_section_block_goes_in_both_forms(name: str, form: str) -> None:
    family, page = PAGES[name]
    furniture = [line[1:] for line in page.splitlines() if line.startswith("!")]
    text = FORMS[form](page.replace("\n!", "\n"))
    cleaned, reasons = _removed(text)
    assert any(family in r for r in reasons), (name, form, reasons)
    for line in furniture:
        shown = FORMS[form](line)
        assert shown not in cleaned, (name, form, shown)
    for paragraph in ARTICLE:
        assert FORMS[form](paragraph) in cleaned, (name, form)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("rule", "line"), LINES)
def test_furniture_line_goes_in_both_forms(rule: str, line: str, form: str) -> None:
    text = FORMS[form](f"{ARTICLE[0]}\n\n{ARTICLE[1]}\n\n{line}\n\n{ARTICLE[2]}\n\n{ARTICLE[3]}")
    cleaned, reasons = _removed(text)
    assert FORMS[form](line) not in cleaned, (form, reasons)
    assert any(rule in r for r in reasons), (form, reasons)
    for paragraph in ARTICLE:
        assert FORMS[form](paragraph) in cleaned


@pytest.mark.parametrize(
    "heading",
    [
        # A shop's name heading its part of a list, and words that open with "by": in
        # lowercased text only a glued first name and surname read as a byline.
        "Byfield Cycle Repairs",
        "Bypass works",
        "Bylaws of the club",
        "Byron Bay",
    ],
)
@pytest.mark.parametrize("form", FORMS)
def test_words_opening_with_by_stay(heading: str, form: str) -> None:
    text = FORMS[form](f"{ARTICLE[0]}\n\n{ARTICLE[1]}\n\n{heading}\n{ARTICLE[2]}\n\n{ARTICLE[3]}")
    cleaned, reasons = _removed(text)
    assert FORMS[form](heading) in cleaned, (form, reasons)


@pytest.mark.parametrize("form", FORMS)
def test_dated_schedule_is_not_a_comment_thread(form: str) -> None:
    # Numeric dates one under another, each over a line of text, are a timetable: a run
    # of stamps counts once, so the article's own schedule stays.
    schedule = "12/04/2025\nOpen day with the quarry branch running.\n"
    text = FORMS[form](f"{BODY}\n\nRunning days\n{schedule}")
    cleaned, _ = _removed(text)
    assert FORMS[form]("Open day with the quarry branch running.") in cleaned
