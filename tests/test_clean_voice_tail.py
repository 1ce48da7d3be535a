"""A short readers' thread closing the page, opened in the reader's voice.

A sourdough blog, written for these tests, cased and lowercased-tokenized: one
reader-voice opener ("Great read - ...") with a few lines under it to the page's end
goes, whatever the replies open with; the same opener with the article going on under
it, or answering a question, stays.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

ARTICLE = [
    "A sourdough starter needs flour, water and patience: feed it at the same time each "
    "day and it will double in four to six hours within the first week or so.",
    "Keep it somewhere warm but out of the sun; a shelf above the fridge is often the "
    "best spot in a cold kitchen, and the oven with its light on works in winter.",
    "When it smells sour and yeasty rather than like nail varnish, and bubbles right "
    "through the jar, it is ready to raise its first loaf.",
    "Bake the first loaf in a lidded pot so the steam stays in, and take the lid off for "
    "the last fifteen minutes to brown the crust.",
    "Do not worry if the first few loaves are dense: the starter grows stronger with "
    "every feed, and the bread improves with it.",
]
THREAD = (
    "Great read - looking forward to the part on rye flour!\n"
    "The oven-light trick saved my starter this winter, it doubles in five hours now.\n"
    "Rye takes longer to double in a cold kitchen, about eight hours in my experience."
)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_short_thread_opened_in_the_readers_voice_closing_the_page_goes(
    lowercased: bool,
) -> None:
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + THREAD + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("sections.comment_voice" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_the_readers_voice_with_the_article_under_it_or_after_a_question_stays(
    lowercased: bool,
) -> None:
    form = in_form(lowercased)
    opener = THREAD.split("\n", 1)[0]
    for raw in (
        # the article goes on for more lines than a short thread has
        form("\n\n".join(ARTICLE[:3] + [opener] + ARTICLE * 2) + "\n"),
        # an FAQ's answer to a question
        form("\n\n".join(ARTICLE) + "\n\nCan I use rye?\n\n" + THREAD + "\n"),
    ):
        result = clean_rebuilt(raw)
        assert not any("sections." in e.reason for e in result.edits), raw


#: A thread printed as an ordered list, its first comment praising the overview, and
#: a reader praising the site: both open like readers (written for these tests).
NUMBERED_THREAD = (
    "1. Great overview! I had no idea the oven light was enough to keep a starter going.\n"
    "2. Thanks for the breakdown, my rye loaf finally has an open crumb.\n"
    "3. Does this work with spelt flour as well?"
)
SITE_PRAISE = (
    "Great site and a very clear piece, I bake every weekend now\n"
    "my starter died twice before I found this page\n"
    "the pot trick works with a roasting tin too"
)


@pytest.mark.parametrize("lowercased", [False, True])
@pytest.mark.parametrize("thread", [NUMBERED_THREAD, SITE_PRAISE])
def test_a_numbered_thread_or_praise_of_the_site_closing_the_page_goes(
    lowercased: bool, thread: str
) -> None:
    form = in_form(lowercased)
    raw = form("\n\n".join(ARTICLE) + "\n\n" + thread + "\n")
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form("\n\n".join(ARTICLE))
    assert any("sections.comment_voice" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_numbered_tip_that_opens_with_praise_words_in_the_article_stays(
    lowercased: bool,
) -> None:
    form = in_form(lowercased)
    tips = [
        "1. Useful tips for the first week: feed the starter at the same hour.",
        "2. Keep the jar loosely covered so gases can escape.",
    ]
    raw = form("\n\n".join(ARTICLE[:3] + tips + ARTICLE[3:] + ARTICLE[:3]) + "\n")
    result = clean_rebuilt(raw)
    assert not any("sections." in e.reason for e in result.edits), raw
    assert form(tips[0]) in result.text
