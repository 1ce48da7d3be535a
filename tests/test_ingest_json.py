"""The cheap JSON guards in ``builder.jsonl`` agree with the exact walks they skip."""

from __future__ import annotations

import itertools
import json

from hypothesis import example, given
from hypothesis import strategies as st

from builder.jsonl import _SURROGATE_ESCAPE, _brackets, _depth, _surrogate_pointer

# Plain text, plus text that may hold lone surrogates (JSON lets "\ud800" through).
strings = st.text() | st.text(
    st.sampled_from(["a", "\\", '"', "\ud800", "\udbff", "\udfff", "é", "😀"])
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | strings,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(strings, inner, max_size=4),
    max_leaves=30,
)


def bracket_depth(line: str | bytes) -> int:
    """Deepest nesting of the brackets :func:`_brackets` keeps (the reference the
    build's cheap depth pre-test, ``_maybe_deep``, is held to)."""
    steps = (1 if b in b"[{" else -1 for b in _brackets(line))
    return max(itertools.accumulate(steps), default=0)


@given(json_values, st.booleans())
def test_bracket_depth_bounds_the_value_depth(value: object, ascii_only: bool) -> None:
    line = json.dumps(value, ensure_ascii=ascii_only)
    bound = bracket_depth(line)
    assert bound <= _depth(value, 10_000) <= bound + 1


@given(json_values)
@example({"k": ["ok", "x\udc00"]})
def test_a_surrogate_is_never_missed_by_the_escape_precheck(value: object) -> None:
    line = json.dumps(value)  # ensure_ascii: every non-ASCII character becomes an escape
    if _surrogate_pointer(value) is not None:
        assert _SURROGATE_ESCAPE.search(line)
