"""The readers' thread under the author's call for comments ("Let me know what you think").

An allotment diary and a code-review guide, written for these tests, cased and
lowercased-tokenized: the comments the extractor kept under the post's closing call for
them, with no header and no commenter lines, go (the call stays, it closes the post).
A bare "let me know" (asking to be written to), a bot that will "leave a comment like"
something, a call with the article's own prose under it, and a call over two lines stay.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

POST = [
    "The broad beans went in on the last weekend of October this year, two weeks later "
    "than usual, because the ground stayed wet after the September storms.",
    "I sowed them in double rows a foot apart, with a board laid between the rows so I "
    "can weed without packing the soil down around the young plants.",
    "The heavy clay on this plot holds water all winter, so the beds are raised by about "
    "a hand's width and topped with a thick layer of leaf mould from the council depot.",
    "Last year's crop was hit by blackfly in May; pinching out the tips as soon as the "
    "first pods set kept them at bay, and the tips are good to eat as well.",
    "Next month the garlic goes in, and the onion sets after that if the frost holds off "
    "long enough for the beds to drain.",
]
CALL = "Do you sow broad beans in autumn or wait for spring? Let me know what you think!"
THREAD = (
    "We always wait for March here, the mice take every autumn sowing.\n"
    "Which variety do you grow? Aquadulce has never let me down.\n"
    "My plot is on clay too and the raised beds made all the difference.\n"
    "Leaf mould from the council is a great tip, our site gets a load every year.\n"
    "Pinching out the tips worked for us as well, no blackfly at all this summer."
)


def _page(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


@pytest.mark.parametrize("lowercased", [False, True])
def test_the_thread_under_a_call_for_comments_goes(lowercased: bool) -> None:
    form = in_form(lowercased)
    for call in (
        CALL,
        "That's all for this month. Drop yours in the comments below!",
        "Tell me how your beans did. Leave a comment below.",
    ):
        raw = form(_page(*POST, call, THREAD))
        result = clean_rebuilt(raw)
        assert result.text.rstrip() == form(_page(*POST, call)).rstrip(), call
        assert any("sections.after_invite" in e.reason for e in result.edits), call


GUIDE = [
    "A review bot is only as useful as the noise it leaves out: tune it so that every "
    "note it writes is one a colleague would have written too.",
    "Start with the linter's default rules and turn off the ones your formatter already "
    "enforces, or every pull request fills up with notes about spacing.",
    "Run the bot on the changed lines only, not on the whole file, so that old code does "
    "not drown the new findings in warnings nobody will fix this week.",
    "When it finds an unused import, the bot will leave a comment like this on the line:",
]
GUIDE_TAIL = (
    "You can silence it for one file with a marker at the top.\n"
    "Your team may prefer a stricter setting for new modules?\n"
    "I keep mine at the default and revisit it every quarter.\n"
    "We found that most teams never change it after the first month."
)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_call_with_the_articles_own_lines_under_it_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    prose = (
        "Until then, the shed gets a new roof: the felt split in the October gales and the "
        "tools have been sitting in a puddle since.\n"
        "The committee has promised new water troughs for the top path by spring, which "
        "will save a long walk with two full cans.\n"
        "The seed swap is on the first Saturday of February, in the hut by the gate."
    )
    for raw in (
        # a bot leaving a code comment: no call for the readers' comments
        form(_page(*GUIDE, GUIDE_TAIL)),
        # a bare "let me know" asks to be written to; the diary goes on in the first person
        form(_page(*POST, "If you would like some of my spare seed, let me know.", GUIDE_TAIL)),
        # the call over the article's own prose, which does not read like readers'
        form(_page(*POST, CALL, prose)),
        # a question to the reader with the article's advice to "you" under it
        form(_page(*POST, "What do you think?", GUIDE_TAIL)),
        # over two lines only: the author's sign-off and a link
        form(_page(*POST, CALL, "See you next month!\nMore diary entries: the plot index")),
    ):
        result = clean_rebuilt(raw)
        assert not any("sections." in e.reason for e in result.edits), raw
