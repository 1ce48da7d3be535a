"""The readers' thread under a blogger's sign-off by initials ("— DK").

A film blog and a woodworking diary, written for these tests, cased and
lowercased-tokenized: the comments under the author's sign-off go (the sign-off
stays, it closes the post); a postscript under it, prose that does not read like
readers, and a list item or a full name after a dash stay.
"""

from __future__ import annotations

import pytest
from text_forms import clean_rebuilt, in_form

POST = [
    "I watched the old sci-fi double bill again last night, and the second film holds "
    "up far better than I remembered, mostly because it never explains its jokes.",
    "The effects are dated, of course, but the editing is sharp and the score does a "
    "lot of quiet work that modern remakes tend to shout over.",
    "What struck me most this time was how little the lead actually says in the last "
    "twenty minutes: the camera does the talking, and it trusts you to keep up.",
    "Tomorrow: a comedy from 1987 that nobody asked me to rewatch. You have been warned.",
]
SIGNOFF = "— DK"
THREAD = (
    "I saw this in the cinema as a kid and it terrified me. Still love it!\n"
    "You are far too kind to the sequel, in my humble opinion.\n"
    "My dad took me to see it on a school night and we never told my mum.\n"
    "The score is by the same composer as that detective series, isn't it?\n"
    "Great pick. I have the soundtrack on vinyl somewhere in the loft.\n"
    "We watched it last month with the kids and they loved the robot."
)


def _page(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


@pytest.mark.parametrize("lowercased", [False, True])
def test_the_thread_under_a_sign_off_by_initials_goes(lowercased: bool) -> None:
    form = in_form(lowercased)
    raw = form(_page(*POST, SIGNOFF, THREAD))
    result = clean_rebuilt(raw)
    assert result.text.rstrip() == form(_page(*POST, SIGNOFF)).rstrip()
    assert any("sections.after_signoff" in e.reason for e in result.edits)


@pytest.mark.parametrize("lowercased", [False, True])
def test_a_postscript_or_the_authors_prose_under_a_sign_off_stays(lowercased: bool) -> None:
    form = in_form(lowercased)
    postscript = "P.S. " + THREAD.split("\n", 1)[1]
    for raw in (
        form(_page(*POST, SIGNOFF, postscript)),
        form(_page(*POST[:1], SIGNOFF, *POST[1:], *POST)),
    ):
        result = clean_rebuilt(raw)
        assert not any("sections." in e.reason for e in result.edits), raw


def test_a_list_item_or_a_full_name_after_a_dash_is_no_sign_off() -> None:
    for line in ("- C", "— Seneca", "— Dana Kim"):
        raw = _page(*POST, line, THREAD)
        result = clean_rebuilt(raw)
        assert not any("after_signoff" in e.reason for e in result.edits), line
