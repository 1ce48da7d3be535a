"""The faster text-form counts give exactly the counts of the plain regexes they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.textform import (
    _ATTACHED_PUNCT,
    _QUOTE_CLITIC,
    _SPACED_PUNCT,
    _count_glued_clitics,
    _count_letters_and_capitals,
    _count_punctuation,
    _count_split_clitics,
)

_REF_SPACED = re.compile(r"(?:^|\s)[,.;:!?)\]](?=\s|$)", re.MULTILINE)
_REF_ATTACHED = re.compile(r"[^\s,.;:!?][,.;:!?)\]](?=\s|$)", re.MULTILINE)
_REF_NOT_UPPER = re.compile(r"[^A-Z\u00c0-\u00de\u0391-\u03a9\u0410-\u042f]+")
_REF_LETTER = re.compile(r"[^\W\d_]")
_REF_GLUED_CLITIC = re.compile(r"\w['’](?:s|t|re|ve|ll|d|m)\b")

#: Characters where the patterns differ if anywhere: punctuation, spaces, line breaks,
#: letters of several scripts and case.
_ALPHABET = st.sampled_from(list(",.;:!?)]([' \n\taZzÀÉ×õßΩμПя1_’\u00a0"))
#: Quotes, clitic letters and what may stand between a word and its clitic.
_CLITIC_ALPHABET = st.sampled_from(list("'’ \n\tstrevlldmnxX1_,."))


def _ref_split_clitics(text: str) -> int:
    """The split-clitic count as it was written first: ``finditer`` over the text."""
    count = 0
    for match in _QUOTE_CLITIC.finditer(text):
        start = end = match.start()
        if start and text[start - 1] == "n" and text[start + 1] == "t" and match.end() == start + 2:
            start = end = start - 1
        while start and text[start - 1].isspace():
            start -= 1
        if start < end and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            count += 1
    return count


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=60) | st.text(max_size=40))
def test_punctuation_counts_match_the_reference_patterns(text: str) -> None:
    assert len(_SPACED_PUNCT.findall(text)) == len(_REF_SPACED.findall(text))
    assert len(_ATTACHED_PUNCT.findall(text)) == len(_REF_ATTACHED.findall(text))
    # the one-scan count used by text_form
    assert _count_punctuation(text) == (
        len(_REF_SPACED.findall(text)),
        len(_REF_ATTACHED.findall(text)),
    )


@settings(max_examples=600, deadline=None)
@given(st.text(_CLITIC_ALPHABET, max_size=30) | st.text(_ALPHABET, max_size=40))
def test_clitic_counts_from_quote_positions_match_the_regex_scans(text: str) -> None:
    assert _count_split_clitics(text) == _ref_split_clitics(text)
    assert _count_glued_clitics(text) == len(_REF_GLUED_CLITIC.findall(text))


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=60) | st.text(max_size=40))
def test_letter_and_capital_counts_match_the_reference_patterns(text: str) -> None:
    letters, upper = _count_letters_and_capitals(text)
    assert letters == len(_REF_LETTER.findall(text))
    assert upper == len(_REF_NOT_UPPER.sub("", text))
