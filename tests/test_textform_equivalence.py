"""The faster text-form counts give exactly the counts of the plain regexes they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.textform import (
    _ATTACHED_PUNCT,
    _SPACED_PUNCT,
    _count_letters_and_capitals,
)

_REF_SPACED = re.compile(r"(?:^|\s)[,.;:!?)\]](?=\s|$)", re.MULTILINE)
_REF_ATTACHED = re.compile(r"[^\s,.;:!?][,.;:!?)\]](?=\s|$)", re.MULTILINE)
_REF_NOT_UPPER = re.compile(r"[^A-Z\u00c0-\u00de\u0391-\u03a9\u0410-\u042f]+")
_REF_LETTER = re.compile(r"[^\W\d_]")

#: Characters where the patterns differ if anywhere: punctuation, spaces, line breaks,
#: letters of several scripts and case.
_ALPHABET = st.sampled_from(list(",.;:!?)]([' \n\taZzÀÉ×õßΩμПя1_’\u00a0"))


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=60) | st.text(max_size=40))
def test_punctuation_counts_match_the_reference_patterns(text: str) -> None:
    assert len(_SPACED_PUNCT.findall(text)) == len(_REF_SPACED.findall(text))
    assert len(_ATTACHED_PUNCT.findall(text)) == len(_REF_ATTACHED.findall(text))


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=60) | st.text(max_size=40))
def test_letter_and_capital_counts_match_the_reference_patterns(text: str) -> None:
    letters, upper = _count_letters_and_capitals(text)
    assert letters == len(_REF_LETTER.findall(text))
    assert upper == len(_REF_NOT_UPPER.sub("", text))
