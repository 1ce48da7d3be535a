"""A page printed twice, and a related-stories rail of teasers after the article.

Pages written for these tests in the style of a cycling shop's buying guide and a
regional food magazine, cased and lowercased-tokenized: the second copy of a block goes
as one ``duplicates.repeated_block`` edit and the first copy stays; a "Related stories"
header over headlines that each carry one summary paragraph opens a
``sections.related`` block; the article's own repeated lines and its own subheaded
sections stay. Lines that end the page and repeat lines above (a payroll vendor's promo
card, a travel blog's author card, printed again under the article) go as one
``tail_copy.repeated_lines`` edit, however short; an article's closing checklist naming
its one-word subheadings again stays. A cookery school's class cards, each with the same
button: the button said again within the page's last tenth goes
(``tail_copy.repeated_line``), the article's own refrain stays; the title printed again
in a pin box at the end goes (``tail_copy.title_again``), a closing sentence naming it
stays.
"""

from __future__ import annotations

import pytest

from builder.clean import sections
from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner
from eval.bank import tokenize_lower

GUIDE = [
    "How to pick a commuter bike",
    "A commuter bike has to be boring in the best way: it starts every morning, it keeps "
    "your trousers clean, and it does not ask for a mechanic every other week.",
    "Mudguards",
    "Full-length mudguards keep road spray off your back and your chain; clip-on ones rattle "
    "loose within a month on rough streets.",
    "Gearing",
    "An internal hub with seven or eight gears needs almost no care and shifts while you "
    "stand at the lights, which a derailleur cannot do.",
    "Lights",
    "Dynamo lights never run flat, and a hub dynamo costs less over three winters than the "
    "batteries a pair of clip-on lamps would eat in the same time.",
]


def _page(lines: list[str]) -> str:
    return "\n\n".join(lines) + "\n"


def _forms(text: str) -> list[str]:
    return [text, tokenize_lower(text)]


@pytest.mark.parametrize("form", [0, 1])
def test_a_second_copy_of_the_guide_goes_as_one_edit(form: int) -> None:
    closing = "Prices were checked at three local shops in the first week of March."
    raw = _forms(_page([*GUIDE, *GUIDE[1:], closing]))[form]
    result = Cleaner.default().clean(raw, trace=True)
    # the second copy, from its first repeated line to its last, is one edit
    own = [t for t in result.trace if t["step"] == "duplicates"]
    assert [t["reason"] for t in own] == ["duplicates.repeated_block"]
    assert (
        str(own[0]["original"]).strip()
        == "\n\n".join(_forms(_page(GUIDE[1:]))[form].split("\n\n")).strip()
    )
    assert result.text.endswith(_forms(closing)[form].strip())
    for line in _forms(_page(GUIDE))[form].strip().split("\n\n"):
        assert result.text.split("\n").count(line) == 1
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_a_repeated_refrain_or_short_run_stays(form: int) -> None:
    # a training plan says "Rest day" again and again, and a recipe may repeat a step
    plan = [
        "Week one is about getting used to riding every day, not about speed.",
        "Monday",
        "Rest day",
        "Tuesday",
        "Ride twenty minutes at an easy pace, slow enough to talk the whole way.",
        "Wednesday",
        "Rest day",
        "Thursday",
        "Ride twenty minutes at an easy pace, slow enough to talk the whole way.",
        "Friday",
        "Rest day",
        "Saturday",
        "A longer ride of forty minutes with one short climb, taken seated and slowly.",
    ]
    raw = _forms(_page(plan))[form]
    result = Cleaner.default().clean(raw)
    assert "duplicates.repeated_block" not in {e.reason for e in result.edits}
    assert result.text == raw.strip()


MAGAZINE = [
    "The bakery that taught a market town to queue",
    "At seven on a Saturday the line outside the Corn Street bakery already reaches the "
    "butcher's, and nobody in it seems to mind the wait or the drizzle.",
    "The owners came back from three years in Lyon with a starter in a jam jar and a plan "
    "to sell nothing but four breads, which they still do, every one of them sold out by ten.",
    "Their rye takes two days from mixing to the oven, and they will not sell it warm: "
    "the crumb needs a night to set, they say, and regulars have stopped asking.",
]

TEASERS = [
    "Related stories",
    "Five cheeses worth the drive this winter",
    "Small dairies in the hills are making soft cheeses that rival the famous names, and "
    "most of them sell at the farm gate.",
    "Inside the last working flour mill on the river",
    "The wheel still turns on Tuesdays, when the miller grinds spelt for a dozen bakeries "
    "across the county.",
    "A pub lunch menu that changes with the tide",
    "The cook buys from whichever boat comes in first, and the blackboard is rewritten "
    "twice before noon on a busy day.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_teasers_under_a_related_header_go(form: int) -> None:
    raw = _forms(_page(MAGAZINE + TEASERS))[form]
    result = Cleaner.default().clean(raw, trace=True)
    assert [t["reason"] for t in result.trace if t["step"] == "sections"] == ["sections.related"]
    assert result.text == _forms(_page(MAGAZINE))[form].strip()
    assert rebuild_raw(result.text, result.edits) == raw


def test_the_teaser_shape_is_what_opens_the_rail(monkeypatch: pytest.MonkeyPatch) -> None:
    # the summaries are prose: without the teaser test the header alone opens nothing
    monkeypatch.setattr(sections, "MIN_TEASERS", 99)
    raw = _page(MAGAZINE + TEASERS)
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if "sections." in e.reason]


@pytest.mark.parametrize("form", [0, 1])
def test_an_article_section_under_a_related_header_stays(form: int) -> None:
    # "Related reading" heading the article's own last part: its subheadings carry
    # several paragraphs each, not one summary
    own = [
        "Related reading",
        "Why rye needs time",
        "Rye flour holds water differently from wheat, so the dough stays sticky and the "
        "loaf needs a long rest before the crumb can be cut cleanly.",
        "A slice cut too early tears and smears on the knife, however sharp it is, and the "
        "bakers would rather lose a sale than sell a loaf like that.",
        "Why four breads only",
        "Fewer breads mean every loaf gets the oven at the right moment, and the owners say "
        "a fifth bread would mean a second shift they do not want.",
        "They have tried seasonal loaves twice and dropped both within a month because the "
        "queue slowed and the rye suffered for it.",
    ]
    raw = _forms(_page(MAGAZINE + own))[form]
    result = Cleaner.default().clean(raw)
    assert not [e for e in result.edits if e.reason.startswith("sections")]
    assert result.text == raw.strip()


OWNER_BIO = [
    "Marta Okafor is the owner of Brightside Window Cleaning, a family firm serving the "
    "towns along the north coast since 2009.",
    "Marta holds a diploma in facilities management and trained every one of the "
    "company's twelve cleaners herself.",
    "When she is not on a ladder, she coaches the under-twelves football team at the "
    "local club on Saturday mornings.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_an_owner_bio_running_over_three_lines_goes(form: int) -> None:
    article = [
        "Why streaks come back after you clean your windows",
        "Streaks are almost always soap left behind: too much washing-up liquid in the "
        "bucket, or a squeegee blade worn round at the edge.",
        "Use a few drops in a full bucket, change the water after every third window, and "
        "replace the rubber blade as soon as it leaves a line.",
        "Clean on a dull day: in full sun the water dries before the blade reaches it, "
        "and that is where the marks you see at noon come from.",
        "A final wipe of the edges with a dry microfibre cloth takes the last drips off the "
        "frame before they run down the glass.",
    ]
    raw = _forms(_page(article + OWNER_BIO))[form]
    result = Cleaner.default().clean(raw, trace=True)
    assert [t["reason"] for t in result.trace if t["step"] == "sections"] == ["sections.author_bio"]
    assert result.text == _forms(_page(article))[form].strip()


# A software firm's blog post in the style of a payroll vendor: its promo card sits under
# the title and is printed again, with its button, after the article.
PROMO = [
    "Run payroll in minutes, not days",
    "Ledgerly files your payroll taxes for you and pays your team on time, every time.",
]
PAYROLL = [
    "Five payroll mistakes small firms make in their first year",
    *PROMO,
    "Most first-year payroll errors come from classifying a worker wrongly: a contractor "
    "who works fixed hours at your desk is, to the tax office, an employee.",
    "The second is paying overtime on the wrong basis, which is the regular rate of pay "
    "and not the salary divided by forty hours in every state we looked at.",
    "Third, many owners forget that a bonus counts towards that regular rate, so a "
    "quarterly bonus changes the overtime owed for the whole quarter.",
    "Keep the records for four years: an audit can ask for every timesheet behind a "
    "payslip, and a missing sheet is counted against the employer.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_a_promo_card_printed_again_at_the_end_goes(form: int) -> None:
    raw = _forms(_page([*PAYROLL, *PROMO, "Free trial"]))[form]
    result = Cleaner.default().clean(raw, trace=True)
    own = [t for t in result.trace if t["step"] == "tail_copy"]
    assert [t["reason"] for t in own] == ["tail_copy.repeated_lines"]
    assert result.text == _forms(_page(PAYROLL))[form].strip()
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_an_author_card_printed_again_after_the_article_goes(form: int) -> None:
    # a travel blog's author card under the title (name and role), printed again with a
    # follow button at the end: no bio, so the section layer has nothing to read
    card = ["Tomasz Wren", "Trail writer and guide"]
    article = [
        "A week on the cliff path without a car",
        *card,
        "The buses along the coast run twice a day in winter, so the walk has to be "
        "planned around them, not the other way round.",
        "Every village on the path has a shop that sells bread until noon and a pub that "
        "will fill a water bottle if you ask before the lunch rush.",
        "The hardest day is the third, where the path drops to three coves in a row and "
        "climbs out of each one on steps cut into the rock.",
        "Carry less than you think you need: every kilo on your back is a kilo you lift "
        "up four hundred metres of steps on that third day.",
    ]
    raw = _forms(_page([*article, *card, "Follow"]))[form]
    result = Cleaner.default().clean(raw, trace=True)
    own = [t for t in result.trace if t["step"] == "tail_copy"]
    assert [t["reason"] for t in own] == ["tail_copy.repeated_lines"]
    assert result.text == _forms(_page(article))[form].strip()
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_a_closing_list_naming_one_word_subheadings_again_stays(form: int) -> None:
    # the guide's one-word subheadings ("Mudguards", "Gearing", "Lights") said again as
    # the items of its closing checklist: article, not a copy
    closing = ["Before you buy, check three things:", "Mudguards", "Gearing", "Lights"]
    raw = _forms(_page([*GUIDE, *closing]))[form]
    result = Cleaner.default().clean(raw)
    assert not any("tail_copy." in e.reason for e in result.edits)
    assert result.text == raw.strip()


@pytest.mark.parametrize("form", [0, 1])
def test_a_repeat_above_the_last_line_stays(form: int) -> None:
    # the promo card printed again between paragraphs, the article's own line last
    raw = _forms(_page([*PAYROLL, *PROMO, PAYROLL[-1].replace("four", "five")]))[form]
    result = Cleaner.default().clean(raw)
    assert not any("tail_copy." in e.reason for e in result.edits)


def test_the_tail_run_needs_a_repeat_of_more_than_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.clean import duplicates

    closing = ["Before you buy, check three things:", "Mudguards", "Gearing", "Lights"]
    raw = _page([*GUIDE, *closing])
    monkeypatch.setattr(duplicates, "TAIL_MIN_WORDS", 1)
    result = Cleaner.default().clean(raw)
    # without the guard the checklist's items go as a repeated tail
    assert any("tail_copy." in e.reason for e in result.edits)


# A cookery school's blog post: after the article, a rail of three class cards, each
# with the same button; the button said again within the page's last tenth goes.
BREAD = [
    "Why your sourdough spreads flat in the oven",
    "A loaf that spreads instead of rising has almost always fermented too long: the "
    "gluten has been eaten through by the time the dough reaches the oven, and it can no "
    "longer hold the gas the yeast makes.",
    "Warm kitchens are the usual cause. At twenty-six degrees a dough that needs eight "
    "hours at twenty degrees is ready in five, so the clock on the recipe is the wrong "
    "guide in summer.",
    "Watch the dough instead: it should have grown by half, feel airy at the edges and "
    "spring back slowly when pressed with a floured finger.",
    "Shaping matters too. A tight skin on the outside of the loaf holds its shape in the "
    "basket and in the first minutes of baking, before the crust sets.",
    "Finally, bake hot. A loaf that goes into a lukewarm oven spreads before the crust "
    "forms, however well it was fermented and shaped.",
    "A stone or a heavy tray heated for forty minutes gives the base of the loaf the "
    "burst of heat it needs, and a lid for the first twenty minutes keeps the crust soft "
    "long enough for the loaf to open along its cut.",
    "None of this needs special kit: a bowl, a tea towel in a colander and a cast-iron pot "
    "will bake a better loaf than most bakeries sell, once the timing is learnt.",
]
CARDS = [
    "Bread basics, Saturday mornings",
    "Book this class",
    "Pastry for beginners",
    "Book this class",
    "Knife skills in an afternoon",
    "Book this class",
    "Groups of eight, in our harbour kitchen.",
]


@pytest.mark.parametrize("form", [0, 1])
def test_a_button_said_again_in_the_pages_last_tenth_goes(form: int) -> None:
    raw = _forms(_page([*BREAD, *CARDS]))[form]
    result = Cleaner.default().clean(raw, trace=True)
    own = [t for t in result.trace if t["step"] == "tail_copy"]
    assert [t["reason"] for t in own] == ["tail_copy.repeated_line"] * 2
    # the first card keeps its button; the article is whole
    kept = [c for i, c in enumerate(CARDS) if i not in (3, 5)]
    assert result.text == _forms(_page([*BREAD, *kept]))[form].strip()
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_a_line_said_again_above_the_last_tenth_stays(form: int) -> None:
    # the article's own refrain, said again near the end: its first copy is far above
    refrain = "Watch the dough, not the clock."
    raw = _forms(_page([*BREAD[:3], refrain, *BREAD[3:5], refrain, BREAD[5]]))[form]
    result = Cleaner.default().clean(raw)
    assert not any("tail_copy." in e.reason for e in result.edits)
    assert result.text == raw.strip()


def test_the_zone_is_what_takes_the_button(monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.clean import duplicates

    monkeypatch.setattr(duplicates, "TAIL_ZONE", 0.01)
    result = Cleaner.default().clean(_page([*BREAD, *CARDS]), trace=True)
    assert not [t for t in result.trace if t["step"] == "tail_copy"]


@pytest.mark.parametrize("form", [0, 1])
def test_the_title_printed_again_at_the_end_with_the_site_name_goes(form: int) -> None:
    # a pin box under a travel blog's post: "site | title", the title word for word
    title = BREAD[0]
    tail = ["Groups of eight, in our harbour kitchen.", f"harbourbakes.example | {title}"]
    tail += ["Saved to your board."]
    raw = _forms(_page([*BREAD, *tail]))[form]
    result = Cleaner.default().clean(raw, trace=True)
    own = [t for t in result.trace if t["step"] == "tail_copy"]
    assert [t["reason"] for t in own] == ["tail_copy.title_again"]
    assert _forms(title)[form] in str(own[0]["original"])
    assert result.text.startswith(_forms(_page(BREAD))[form].strip())
    assert rebuild_raw(result.text, result.edits) == raw


@pytest.mark.parametrize("form", [0, 1])
def test_a_closing_line_about_the_title_in_a_sentence_stays(form: int) -> None:
    # the article's last paragraph names its own subject in a longer sentence
    last = (
        "If you still wonder why your sourdough spreads flat in the oven after all this, "
        "bring a loaf to the Saturday class and we will look at it together."
    )
    raw = _forms(_page([*BREAD, last]))[form]
    result = Cleaner.default().clean(raw)
    assert result.text == raw.strip()
