"""The cleaner's shortcuts answer exactly as the plain code they stand for."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.author_boxes import (
    _BIO_WORDS,
    _verb_at,
)
from builder.clean.lines import WORD, _first_word
from builder.clean.sections import _CUE, _CUE_WORDS, _may_cue

#: The plain form of the bio hint: on the line's words joined by spaces.
_BIO_WORDS_ON_WORDS = re.compile(r"(?:^| )(?:is|was|has) (?:a|an|the|our|been) ")

#: Words the bio hint looks for, their look-alikes, case, and what may stand between.
_BIO_PIECES = st.sampled_from(
    [
        "is",
        "was",
        "has",
        "a",
        "an",
        "the",
        "our",
        "been",
        "IS",
        "Has",
        "İs",
        "ſ",
        "his",
        "ian",
        "_is",
        "x",
        " ",
        "  ",
        ",",
        "-",
        "’",
        "1",
        "ß",
        "é",
        "\u0301",
        "Theo",
        "anx",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_BIO_PIECES, max_size=10).map("".join) | st.text(max_size=40))
def test_bio_hint_on_the_line_is_the_hint_on_its_words(line: str) -> None:
    key = " ".join(WORD.findall(line.casefold()))
    assert bool(_BIO_WORDS.search(line.casefold())) == bool(_BIO_WORDS_ON_WORDS.search(key))


#: Characters whose case folding is longer than one, or no word character after it.
_FOLD_PIECES = st.sampled_from(["a", "İ", "ß", "ﬃ", " ", ".", "x" * 10, "\u0301", "_", "ŉ", "é"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(_FOLD_PIECES, min_size=1, max_size=40).map("".join) | st.text(min_size=1))
def test_first_word_from_the_head_is_the_first_word_of_the_line(line: str) -> None:
    found = WORD.search(line.casefold())
    if found is not None:
        assert _first_word(line) == found.group()


#: Comment cues, their words with look-alike letters (``ſ``, ``ı``, ``İ``, ``K``), noise.
_CUE_PIECES = st.sampled_from(
    [
        "Maria",
        "dave",
        " ",
        "says",
        "SAYS",
        "ſays",
        "wrote",
        "commented",
        "replıed",
        "REPLİED",
        "replied",
        "Reply",
        "reply to Kim",
        "(score: 3)",
        "(ſcore: -1, funny)",
        ":",
        "on March 3, 2021",
        "log in to ",
        "x",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_CUE_PIECES, max_size=8).map("".join) | st.text(max_size=40))
def test_cue_hint_passes_every_cue(line: str) -> None:
    if _CUE.match(line):
        assert _may_cue(line)


def test_cue_words_are_read_off_the_cue_expression() -> None:
    # the prefilter is on (not "always try") and holds one word per branch of ``_CUE``
    assert set(_CUE_WORDS) == {"says", "wrote", "commented", "replied", "reply", "score"}


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("Dana Kim is a senior writer at Acme.", True),
        ("About the author: Dana Kim was the paper's first editor.", True),
        ("Dana Kim Lee has been a reporter since 2009.", True),
        ("Dana Kim serves as senior writer at The Daily Acme.", True),
        ("Dana Kim is senior writer at The Daily Acme.", True),
        # a verb too far from the line's start, or not a bio's
        ("The council said on Tuesday that the road is a priority.", False),
        ("Dana Kim said on Tuesday that the new road is a priority.", False),
        ("Dana Kim has a dog.", False),
        ("The road is closed.", False),
    ],
)
def test_verb_test_finds_a_bios_verb_after_a_name(line: str, found: bool) -> None:
    assert _verb_at(line, line.casefold().split()) is found
