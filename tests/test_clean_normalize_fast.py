"""normalize's shortcut for lines that are single-spaced already."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.lines import _single_spaced, normalize


def test_every_white_space_but_the_plain_space_is_unprintable() -> None:
    """What ``_single_spaced`` rests on, over every code point of this Python."""
    odd = [
        hex(c)
        for c in range(sys.maxunicode + 1)
        if chr(c).isspace() and chr(c) != " " and chr(c).isprintable()
    ]
    assert odd == []


_ALPHABET = st.sampled_from(list("ab  \t\n\u00a0\u2003\u3000\x1c.,'’:(x"))


@settings(max_examples=1500, deadline=None)
@given(st.text(_ALPHABET, max_size=30) | st.text(max_size=30))
def test_shortcut_is_split_and_join(raw: str) -> None:
    if _single_spaced(raw):
        assert " ".join(raw.split()) == raw
    assert normalize(raw) == normalize(" " + raw + " ")  # the slow path agrees
