"""text_form's shortcuts (cased told by the capitals alone; clitics not looked for when
they could not make the text tokenized) give the form the full counts give."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.textform import (
    MAX_UPPER_SHARE,
    MIN_LETTERS,
    MIN_PUNCT,
    SAMPLE_CHARS,
    TextForm,
    _count_clitics,
    _count_letters_and_capitals,
    _count_punctuation,
    text_form,
)


def _full(text: str) -> TextForm:
    """text_form as it was written before the shortcuts: every count made."""
    text = text[:SAMPLE_CHARS]
    letters, upper = _count_letters_and_capitals(text)
    lowercased = letters >= MIN_LETTERS and upper / letters <= MAX_UPPER_SHARE
    if letters < MIN_LETTERS:
        lowercased = letters > 0 and upper == 0
    spaced, attached = _count_punctuation(text)
    split, glued = _count_clitics(text)
    spaced += 2 * split
    attached += 2 * glued
    return TextForm(lowercased, spaced >= MIN_PUNCT and spaced > 2 * attached)


_ALPHABET = st.sampled_from(list("aaaabcsStT ' ’ , . ; ! ) \n A B É Ω"))


@settings(max_examples=800, deadline=None)
@given(st.text(_ALPHABET, min_size=0, max_size=400) | st.text(max_size=60))
def test_same_form_as_the_full_counts(text: str) -> None:
    assert text_form(text) == _full(text)


def test_cased_by_capitals_at_the_boundary() -> None:
    # 40 capitals among 8,000 letters is exactly the share allowed: lowercased
    for n in (7999, 8000, 8001, 7960, 8040):
        text = "A" * 40 + "b" * (n - 40)
        assert text_form(text) == _full(text), n


DEV = Path("/work/shared/cleaning-dev/residual.jsonl.gz")


@pytest.mark.skipif(not DEV.exists(), reason="the real dev pages are not on this machine")
def test_real_pages_and_their_lowercased_forms() -> None:
    with gzip.open(DEV, "rt", encoding="utf-8") as f:
        pages = [json.loads(line)["noisy"] for line in f][:300]
    for text in pages:
        for form in (text, text.lower()):
            assert text_form(form) == _full(form)
