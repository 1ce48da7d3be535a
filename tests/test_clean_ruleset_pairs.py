"""The rule set's per-word table of tests (``_tests_entry``, found from the word's
triples of characters and its short pieces) is what trying every piece at every
position of the word gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.rule_set import RuleSet
from builder.clean.rules import DEFAULT_RULES_PATH, load_rules

_RULES = RuleSet(load_rules(DEFAULT_RULES_PATH))


def _by_positions(word: str) -> int:
    tests = 0
    for k in range(len(word)):
        for piece, t in _RULES._by_piece.items():
            if word.startswith(piece, k):
                tests |= t
    return tests


_LETTERS = st.sampled_from(list("photosharemincommentadvertisingby1_éß"))


@settings(max_examples=1500, deadline=None)
@given(st.text(_LETTERS, max_size=90))
def test_pairs_find_every_piece(word: str) -> None:
    assert _RULES._tests_entry(word) == _by_positions(word)


def test_known_words() -> None:
    for word in [
        "photograph",
        "comments",
        "advertisement",
        "x" * 70 + "photo",
        "",
        "a",
        "ad",
        "by",
    ]:
        assert _RULES._tests_entry(word) == _by_positions(word)
