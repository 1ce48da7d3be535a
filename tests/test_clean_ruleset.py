"""The compiled rule set answers exactly as trying every rule in order does; the faster
text-form count gives the plain pattern's."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean.lines import LineView, normalize
from builder.clean.regex_facts import (
    DIGIT,
    MARK,
    alternatives_sets,
    first_chars,
    required_pieces,
)
from builder.clean.rule_set import RuleSet, first_match
from builder.clean.rules import DEFAULT_RULES_PATH, LineRule, load_rules
from builder.clean.sections import SECTIONS_PATH
from builder.clean.steps import iter_lines
from builder.clean.textform import (
    _CLITIC_TAIL,
    _GLUED_CLITIC,
    _count_glued_clitics,
    _count_split_clitics,
)
from eval.corpus import generate


def _reference(rules: list[LineRule], line: str) -> LineRule | None:
    view = LineView(line)
    return next((r for r in rules if r.matches(view)), None)


def _corpus_lines() -> list[str]:
    lines: set[str] = set()
    for doc in generate():
        for text in (doc.raw, doc.raw.lower(), doc.raw.upper()):
            lines.update(t for _, _, t in iter_lines(text) if t.strip())
    # letters whose case folding differs from re's case-insensitive matching
    lines |= {
        "Follow us on Facebook",
        "FOLLOW US ON FACEBOOK",
        "Fo\u0142low us on Facebook",
        "F\u0131nd us on Facebook",  # dotless i matches "i" in re
        "L\u0130ke us on Facebook",  # dotted capital I
        "\u212aeep reading",  # Kelvin sign matches "k"
        "\u017fhare this article",  # long s matches "s"
        "Share this article",
        "12 Comments",
        "Published 14 April 2024, 10:32 BST",
    }
    return sorted(lines)


@pytest.mark.parametrize(
    "path", [DEFAULT_RULES_PATH, SECTIONS_PATH], ids=["boilerplate", "sections"]
)
def test_rule_set_matches_the_rules_tried_in_order(path: Path) -> None:
    rules = load_rules(path)
    ruleset = RuleSet(rules)
    wrong = [
        line
        for line in _corpus_lines()
        if ruleset.first_match(LineView(line)) is not _reference(rules, line)
    ]
    assert wrong == []


def test_rules_a_combined_pattern_could_not_hold(tmp_path: Path) -> None:
    """Back references, group names and no required word stay exact."""
    path = tmp_path / "odd.yaml"
    path.write_text(
        "rules:\n"
        "  - name: echo\n"
        "    patterns: ['(\\w+) \\1']\n"
        "  - name: read\n"
        "    patterns: ['(?P<w>read) more']\n"
        "  - name: see\n"
        "    patterns: ['(?P<w>see) more']\n"
        "  - name: digits\n"
        "    max_words: 3\n"
        "    patterns: ['\\d+ \\w+']\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    for line in ["bye bye", "bye now", "see more", "read more", "12 items", "12 more items"]:
        assert first_match(rules, LineView(line)) is _reference(rules, line), line


def test_rules_whose_patterns_the_set_has_ruled_out(tmp_path: Path) -> None:
    """A rule reached by a phrase, its vocabulary or a contains hint after its own
    patterns failed (or before a later rule's pattern matched) is matched without them;
    one whose pattern matched only asks ``unless``; named groups, group references and
    global flags keep the whole rule tried."""
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "rules:\n"
        "  - name: phrase_or_pattern\n"
        "    phrases: ['share this']\n"
        "    patterns: ['share (this|it) (story|post)']\n"
        "    unless: 'email'\n"
        "  - name: contains_or_pattern\n"
        "    patterns: ['subscribe now']\n"
        "    contains: ['newsletter', 'inbox']\n"
        "    unless: 'weekly'\n"
        "  - name: vocab_or_pattern\n"
        "    patterns: ['photo by \\w+']\n"
        "    vocabulary: [facebook, twitter, email]\n"
        "  - name: named\n"
        "    patterns: ['(?P<w>read) more', 'keep (?P<x>reading)']\n"
        "    phrases: ['read on']\n"
        "  - name: later_pattern\n"
        "    patterns: ['.*more']\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    ruleset = RuleSet(rules)
    assert ruleset._pattern_decides == (True, True, True, False, True)
    lines = [
        "Share this",
        "share this story",
        "share this story by email",
        "Subscribe now",
        "The newsletter lands in your inbox",
        "The weekly newsletter lands in your inbox",
        "subscribe now weekly",
        "Facebook Twitter Email",
        "Photo by Dana",
        "Facebook and more",
        "read more",
        "keep reading",
        "read on",
        "nothing here",
        "the inbox has more",
    ]
    for line in lines:
        assert ruleset.first_match(LineView(line)) is _reference(rules, line), line


def test_required_pieces_read_off_the_expression() -> None:
    (rule,) = [r for r in load_rules() if r.name == "agency_credit"]
    assert required_pieces(rule.patterns[-1]) == {"principles"}
    import re

    assert required_pieces(re.compile(r".{3,250}\b(photo|picture)s?:", re.I)) == {
        "photo",
        "photos",
        "picture",
        "pictures",
    }
    assert required_pieces(re.compile(r"\w+ \w+", re.I)) is None  # nothing of its own
    assert required_pieces(re.compile(r"\d+ (of|/) \d+", re.I)) == {DIGIT}
    assert required_pieces(re.compile(r".{3,250}\s[—|]\s*\w+", re.I)) == {MARK + "—", MARK + "|"}


def test_alternatives_sets_read_off_an_alternation() -> None:
    """Each alternative's own sets, lookbehind text included; none when not one alternation."""
    pattern = re.compile(r"\b((?<=not )affiliated with|trademarks? of|\d+ fees?)\b", re.I)
    assert alternatives_sets(pattern) == (
        (frozenset({"affiliated"}), frozenset({"not"}), frozenset({"with"})),
        (frozenset({"trademark", "trademarks"}), frozenset({"of"})),
        (frozenset({"fee", "fees"}), frozenset({DIGIT})),
    )
    assert alternatives_sets(re.compile(r"photo: (a|b)", re.I)) == ()
    assert alternatives_sets(re.compile(r"(photo|\w+) credit", re.I)) == ()
    assert alternatives_sets(re.compile(r"photo|\w+", re.I)) == ()  # one requires nothing


def test_contains_alternations_gate_the_search(tmp_path: Path) -> None:
    """A line holding a piece of the alternation but not all of one alternative's is
    not searched; the answers stay those of the rules tried in order."""
    path = tmp_path / "gated.yaml"
    path.write_text(
        "rules:\n"
        "  - name: disclaimer\n"
        "    contains: ['\\b((?<=not )affiliated with|(?<=no )responsibility for|©\\s*\\d{4})']\n"
        "  - name: fees\n"
        "    contains: ['fee|commission',"
        " '\\b(we|i) (may )?earn (a )?(commissions?|fees?)|\\bour links earn']\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    ruleset = RuleSet(rules)
    # one clause per alternation; fees also needs 'fee' or 'commission' for its second
    assert [len(r) for r in ruleset._requirements] == [1, 3]
    lines = [
        "We are not affiliated with the brand.",
        "We are affiliated with the brand, not owned.",
        "Not affiliated WITH anyone",
        "We take no responsibility for links.",
        "responsibility for the no-show",
        "© 2024 Example",
        "©2024",
        "We may earn a commission.",
        "I earn fees",
        "We feel we may earn praise for the coffee.",
        "earn commission we",
        "Our links earn us a commission",
        "our links earn us a fee",
        "n\u0131ne: not affiliated with",  # dotless i: the pieces are not read
    ]
    for line in lines:
        assert ruleset.first_match(LineView(line)) is _reference(rules, line), line


_TOKENS = [
    *[
        "by",
        "the",
        "of",
        "for",
        "on",
        "to",
        "in",
        "share",
        "follow",
        "us",
        "facebook",
        "twitter",
        "photo",
        "getty",
        "images",
        "reuters",
    ],
    *[
        "published",
        "updated",
        "12",
        "2024",
        "march",
        "am",
        "pm",
        "min",
        "read",
        "comments",
        "advertisement",
        "copyright",
    ],
    *[
        "all",
        "rights",
        "reserved",
        "newsletter",
        "sign",
        "up",
        "cookies",
        "related",
        "stories",
        "more",
        "from",
    ],
    *["|", "—", "©", "/", ":", "(", ")", ",", ".", "’s", "' s", "İ", "ı", "K", "ſ", "  "],
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=14), st.booleans())
def test_rule_set_on_lines_made_of_rule_words(tokens: list[str], upper: bool) -> None:
    line = " ".join(tokens)
    line = line.title() if upper else line
    rules = _rules()
    assert _ruleset().first_match(LineView(line)) is _reference(rules, line)


@lru_cache(maxsize=1)
def _rules() -> list[LineRule]:
    return load_rules()


@lru_cache(maxsize=1)
def _ruleset() -> RuleSet:
    return RuleSet(_rules())


@settings(max_examples=400, deadline=None)
@given(
    st.text(st.sampled_from(list("ab_1 \n's’tdrevlm\u00e9")), max_size=40) | st.text(max_size=30)
)
def test_glued_clitic_count_matches_the_plain_pattern(text: str) -> None:
    assert _count_glued_clitics(text) == len(_GLUED_CLITIC.findall(text))


def _reference_split_clitics(text: str) -> int:
    count = 0
    for match in _CLITIC_TAIL.finditer(text):
        start = end = match.start()
        while start and text[start - 1].isspace():
            start -= 1
        if start < end and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            count += 1
    return count


@settings(max_examples=400, deadline=None)
@given(
    st.text(st.sampled_from(list("ab_n1 \n\t's’tdrevlm\u00e9")), max_size=40) | st.text(max_size=30)
)
def test_split_clitic_count_matches_the_two_branch_pattern(text: str) -> None:
    assert _count_split_clitics(text) == _reference_split_clitics(text)


# -- first characters: a pattern is tried only on lines opening with one of them ------


def test_first_chars_read_off_the_expression() -> None:
    import re

    def chars(pattern: str) -> frozenset[str] | None:
        return first_chars(re.compile(pattern, re.IGNORECASE))

    assert chars(r"(by|posted by)\s+\w+") == set("bBpP")
    # case folding is the engine's: "k" also matches the Kelvin sign, which is not ASCII
    assert chars(r"k\w+") == {"k", "K"}
    # optional openings add what follows them; look-arounds and anchors consume nothing
    assert chars(r"((published|updated)\s*:?\s*)?\d{1,4}") == set("pPuU0123456789")
    assert chars(r"(?=[^/]*/)\bx") == {"x", "X"}
    assert chars(r"[^a-z]x") == frozenset(chr(c) for c in range(128)) - set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    )
    assert len(chars(r".{3,250}photo") or ()) == 128  # any character opens it
    assert chars(r"(\w+) \1") == set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
    )
    assert chars(r"(?P<w>a)(?P=w)") == {"a", "A"}


@pytest.mark.parametrize(
    "path", [DEFAULT_RULES_PATH, SECTIONS_PATH], ids=["boilerplate", "sections"]
)
def test_first_chars_hold_every_full_match(path: Path) -> None:
    """No line a pattern fully matches opens with an ASCII character outside its set."""
    views = [LineView(line) for line in _corpus_lines()]
    wrong = []
    for rule in load_rules(path):
        for pattern in rule.patterns:
            first = first_chars(pattern)
            if first is None:
                continue
            wrong += [
                (rule.name, v.norm)
                for v in views
                if v.norm[:1].isascii() and v.norm[:1] not in first and pattern.fullmatch(v.norm)
            ]
    assert wrong == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=10), st.booleans())
def test_first_chars_hold_on_lines_made_of_rule_words(tokens: list[str], upper: bool) -> None:
    line = " ".join(tokens)
    view = LineView(line.title() if upper else line)
    for rule in _rules():
        for pattern in rule.patterns:
            first = first_chars(pattern)
            if first is not None and view.norm[:1].isascii() and pattern.fullmatch(view.norm):
                assert view.norm[:1] in first, (rule.name, view.norm)


def test_rule_set_keeps_each_lines_answer() -> None:
    """A line asked about again gets the answer it got first, from the kept answers."""
    ruleset = RuleSet(_rules())
    lines = _corpus_lines()[:400]
    first = [ruleset.first_match(LineView(line)) for line in lines]
    again = [ruleset.first_match(LineView(line)) for line in lines]
    assert first == again
    assert first == [_reference(_rules(), line) for line in lines]


# -- normalizing: the hints skip a substitution only where it would change nothing -------

_REF_SPACE_BEFORE = re.compile(r"\s+([,.;:!?)\]}%’”]|'(?!\w))")
_REF_SPACE_AFTER = re.compile(r"([(\[{$£€#@‘“])\s+")
_REF_APOSTROPHE = re.compile(r"(\w) ?['’] ?(s|t|re|ve|ll|d|m)\b")


def _reference_normalize(raw: str) -> str:
    text = " ".join(raw.split())
    text = _REF_APOSTROPHE.sub(r"\1'\2", text)
    text = _REF_SPACE_BEFORE.sub(r"\1", text)
    return _REF_SPACE_AFTER.sub(r"\1", text)


@settings(max_examples=1000, deadline=None)
@given(
    st.text(st.sampled_from(list(" \t\u00a0'’sStrevlldmx_1,.;:!?)]}%”([{$£€#@‘“")), max_size=24)
    | st.text(max_size=30)
)
def test_normalize_matches_the_three_substitutions(raw: str) -> None:
    assert normalize(raw) == _reference_normalize(raw)
