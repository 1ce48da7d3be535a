"""The rule matcher's fast path (:class:`RuleSet`) answers exactly as the plain one
(every rule tried in file order with :meth:`LineRule.matches`), on cased and
lowercased-tokenized lines, short and long, by both of its ways of finding a line's
required pieces; and a rule's expression compiles to what ``re.compile`` makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.clean import rule_set as rule_set_mod
from builder.clean.lines import LineView
from builder.clean.regex_facts import compile_pattern, first_chars, required_pieces
from builder.clean.rule_set import RuleSet
from builder.clean.rules import DEFAULT_RULES_PATH, LineRule, RuleError, load_rules
from builder.clean.sections import SECTIONS_PATH
from builder.clean.steps import iter_lines
from eval.corpus import generate

RULE_FILES = [DEFAULT_RULES_PATH, SECTIONS_PATH]


def _reference(rules: list[LineRule], line: str) -> LineRule | None:
    """The definition: the first rule, in file order, whose ``matches`` holds."""
    view = LineView(line)
    return next((r for r in rules if r.matches(view)), None)


def _tokenized(line: str) -> str:
    """A line as a lowercased, tokenized corpus writes it (``share : facebook , x``)."""
    return " ".join(re.sub(r"([^\w\s'’])", r" \1 ", line).split()).lower()


def _lines() -> list[str]:
    """Lines of the eval corpus in three forms, plus furniture run on into long lines
    (over 120 characters: their words are counted first and listed only when read)."""
    out: set[str] = set()
    for doc in generate():
        for _, _, t in iter_lines(doc.raw):
            if t.strip():
                out.update({t, t.lower(), _tokenized(t)})
    short = sorted(line for line in out if len(line) < 60)
    for i in range(0, len(short) - 3, 3):  # furniture followed by text, at any length
        joined = " ".join(short[i : i + 4])
        out.update({joined, joined + " " + joined, _tokenized(joined)})
    out |= {
        "Photo: Getty Images " + "and a long caption of the scene " * 4,
        "By signing up you agree to our Terms of Use and Privacy Policy " * 2,
        "We use cookies to improve your experience on our site " * 3,
        "F\u0131nd us on Facebook and follow our stories on every network we have " * 2,
        "\u212aeep reading our newsletter for the stories of the week and more " * 2,
        "© 2024 The Herald. All rights reserved. " * 3,
    }
    return sorted(out)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return _lines()


@pytest.mark.parametrize("path", RULE_FILES, ids=["boilerplate", "sections"])
@pytest.mark.parametrize("by_search", [0, 6, 10_000], ids=["words", "default", "search"])
def test_fast_path_gives_the_reference_answer(
    path: Path, by_search: int, lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line, by each way of finding its pieces: the same rule as the plain path."""
    monkeypatch.setattr(rule_set_mod, "TESTS_BY_SEARCH", by_search)
    rules = load_rules(path)
    ruleset = RuleSet(rules)
    wrong = [
        line for line in lines if ruleset.first_match(LineView(line)) is not _reference(rules, line)
    ]
    assert wrong == []
    # the lines are varied: many rules match some, most lines match none
    hits = {r.name for line in lines if (r := _reference(rules, line)) is not None}
    assert len(hits) >= (10 if path == DEFAULT_RULES_PATH else 2)


_VOCABULARY = (
    "by the photo getty images reuters share facebook twitter follow us on "
    "published updated 12 2024 march am pm min read comments newsletter sign up "
    "cookies privacy policy terms agree subscribe advertisement related more from "
    "all rights reserved copyright © | : , . — and a story of the city council"
)
_WORDS = st.sampled_from(_VOCABULARY.split(" "))


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(_WORDS, min_size=1, max_size=70),
    case=st.sampled_from(["as is", "title", "upper", "tokenized"]),
)
def test_fast_path_on_lines_made_of_rule_words(words: list[str], case: str) -> None:
    line = " ".join(words)
    line = {
        "as is": line,
        "title": line.title(),
        "upper": line.upper(),
        "tokenized": _tokenized(line),
    }[case]
    for rules, ruleset in _RULESETS:
        assert ruleset.first_match(LineView(line)) is _reference(rules, line), line


_RULESETS = [(rules, RuleSet(rules)) for rules in map(load_rules, RULE_FILES)]


def test_every_rule_expression_compiles_as_re_compile_does() -> None:
    """Same source, flags, groups and code as ``re.compile`` (a Pattern compares its code)."""
    count = 0
    for rules in map(load_rules, RULE_FILES):
        for rule in rules:
            for p in [*rule.patterns, *rule.contains, *([rule.unless] if rule.unless else [])]:
                plain = re.compile(p.pattern, re.IGNORECASE)
                assert p == plain
                assert (p.pattern, p.flags, p.groups, p.groupindex) == (
                    plain.pattern,
                    plain.flags,
                    plain.groups,
                    plain.groupindex,
                )
                count += 1
    assert count > 200


def test_facts_read_off_the_kept_tree_equal_those_of_a_fresh_parse() -> None:
    for source in [r".{3,250}\b(photo|picture)s?:", r"(?x) by \s+ \w+", r"[©|] \d{4}", "x"]:
        kept = compile_pattern(source, re.IGNORECASE)
        fresh = re.compile(source, re.IGNORECASE)
        assert kept == fresh
        assert required_pieces(kept) == required_pieces(fresh)
        assert first_chars(kept) == first_chars(fresh)


def test_a_bad_expression_still_reports_re_compiles_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  - name: bad\n    patterns: ['(share']\n", encoding="utf-8")
    with pytest.raises(RuleError, match="missing \\), unterminated subpattern"):
        load_rules(path)
