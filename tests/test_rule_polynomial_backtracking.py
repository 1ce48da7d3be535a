"""User rule files with expressions whose time grows with the cube of a line's length
(``\\w+\\s*\\w+ said$`` searched for: 29 s on one line of 4,000 letters) are refused
when loaded, naming the file and the rule; a single repeat searched for, or two
matched from the line's start, pass (see :mod:`builder.clean.regex_polynomial`)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_hardening import assert_clean_failure

from builder.clean.regex_polynomial import LONG_CHAIN_PROBLEM, POLYNOMIAL_PROBLEM, slow_search
from builder.clean.rules import DEFAULT_RULES_PATH, RuleError, _expand, load_rules
from builder.yamlio import load_yaml

#: searched for (``contains``, ``unless``), each took over 1 s on a line of 1,000 to
#: 2,000 characters it does not match (a word run, a digit run, a URL; CPU time, see
#: the report of branch s37-redos) and 8 times that at twice the length
SEARCHED_SLOW = [
    r"\w+\s*\w+ said$",  # "a" * 1000 + " said x": 1.1 s (4,000: 29 s)
    r"\d+\.?\d+x",  # "1" * 1000 + ".": 1.4 s
    r"[a-z]+\s?[a-z]+$",  # "a" * 1000 + " said x": 2.0 s
    r"\S+\s*\S+:",  # "a" * 2000: 2.7 s
    r"\w*\w*x",  # "a" * 1000: 2.0 s
    r".*.*=",  # "a" * 2000: 1.0 s
    r"(\w+)\s*(\w+)\s*said",  # "a" * 1000: over 3 s
    r"\w+,?\w+x",  # "a" * 1000: 2.0 s
    r"[^ ]+[^,]+,x",  # "a" * 2000: 1.0 s
    r"(?:\w+\s*\w+)?:",  # an optional group holding the chain
    r"(foo|\w+\s*\w+)x",  # one branch of an alternation holding it
    r"(?:\w+\s*\w+ )+x",  # a repeat's body holding it
    r"said\w+\s*\w+x",  # a word the run can hold does not fix the start
    r"\w+\w++x",  # "a" * 1000: 0.35 s (a possessive repeat reads the run per split)
    r"a*[^ ]++ $",
    r"[\w.-]+\b[^ ]+?\.?x",  # "a." * 1000: \b between every two characters
    r"\w+(?=\w+ said$)",  # "a" * 1000 + " saidx": 0.5 s (the look-ahead splits the rest)
    r"(?:\w+\s*){2}said$",  # "a" * 1000 + " saidx": 4.8 s (its body twice)
    r"(\w+)\s*\1 said$",  # "a" * 1000 + " saidx": 0.05 to 0.2 s, 8 times that at 2,000
    r"(?P<w>\w+)(?P=w)x",  # a named one
]
#: slow from the line's start too: refused in ``patterns`` as well
CHAINS = [
    r".*a.*b.*c$",  # "abc1" * 250 + "!": over 3 s
    r"\w+\w+\w+x",  # "a" * 1000: over 3 s
    r"\w+\s?\w+\s?\w+:",
    r"\d+[.,]?\d+[.,]?\d+%",
]
#: searched for, each is n**2 at most (0.2 to 1.1 s on 8,000 characters)
PASSING = [
    r"\w+ said$",
    r"\w+x",
    r"(\w+ )+",
    r"sign up.*newsletter",
    r"\w++\s*\w+ said$",  # possessive: gives nothing back
    r"(?>\w+)\s*\w+ said$",  # atomic
    r"\w+\s\w+ said$",  # a required separator the repeats cannot match
    r"\w+(?:\s+\w+)? said$",
    r"\b\w+(?:\s+\w+)? said$",  # linear: each run tried from its start only
    r"\b\d+(?:\.\d+)?x",
    r"\w+(?= said$)",  # one repeat, the look-ahead a separator and a word
    r"\b\w+(?=\w+ said$)",
    r"(?:\w+\s){2}said$",  # a required separator between the copies
    r"(\w+) \1 said$",  # a back reference after a separator its group cannot match
    r"\b(\w+)\s*\1x",
    r"\d+(?:\.\d+)?x",
    r"[a-z]+(?:\s[a-z]+)?$",
    r"\S+(?:\s+\S+)?:",
    r"[^a]*a[^b]*b.*c$",
    r"^\w+\s*\w+ said$",  # one start
    r"\b\w+\s*\w+ said$",  # one start in a run of word characters
    r"\bsaid \w+\s*\w+x",  # starts only after "said "
    r"https?://\S+\.\w+x",  # starts only after "://"
    r"\w+\s*\w+",  # nothing after it can fail: the first try matches
    r"\s*:?\s*[|,]?\s*x",  # white space only: a rule's line has no run of it
    r"\w{1,30}\s*\w{1,30}x",  # short bounds: at most 31 ways each
    r"\w++\w++x",  # neither gives back
    r"\S+?,[\w.-]*::",  # the comma ends the second repeat's run
]


@pytest.mark.parametrize("pattern", SEARCHED_SLOW)
def test_a_chain_searched_for_is_found(pattern: str) -> None:
    assert slow_search(pattern, re.IGNORECASE) == POLYNOMIAL_PROBLEM
    assert slow_search(pattern, re.IGNORECASE, anchored=True) is None


@pytest.mark.parametrize("pattern", CHAINS)
def test_a_chain_of_three_is_found_searched_or_not(pattern: str) -> None:
    assert slow_search(pattern, re.IGNORECASE) == LONG_CHAIN_PROBLEM
    assert slow_search(pattern, re.IGNORECASE, anchored=True) == LONG_CHAIN_PROBLEM


@pytest.mark.parametrize("pattern", PASSING)
def test_a_repeat_that_cannot_split_a_run_from_every_start_passes(pattern: str) -> None:
    assert slow_search(pattern, re.IGNORECASE) is None


def test_two_repeats_matched_from_the_lines_start_pass() -> None:
    assert slow_search(r"\w+\s*\w+ said", re.IGNORECASE, anchored=True) is None
    assert slow_search(r".*a.*b", re.IGNORECASE, anchored=True) is None


def _rule_file(tmp_path: Path, key: str, pattern: str) -> Path:
    quoted = pattern.replace("'", "''")
    value = f"'{quoted}'" if key == "unless" else f"['{quoted}']"
    extra = "    phrases: [share]\n" if key == "unless" else ""
    path = tmp_path / "site.yaml"
    path.write_text(f"rules:\n  - name: quote_tail\n{extra}    {key}: {value}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern", SEARCHED_SLOW + CHAINS)
def test_each_is_refused_by_the_cli_naming_file_rule_and_fix(
    tmp_path: Path, run_cli, pattern: str
) -> None:
    path = _rule_file(tmp_path, "contains", pattern)
    result = run_cli("clean", "--rules", str(path), stdin="Share this\n", timeout=60)
    assert_clean_failure(
        result, 1, "site.yaml: rules[0] (rule 'quote_tail')", f"'{pattern}'", "possessive"
    )


@pytest.mark.parametrize("key", ["patterns", "contains", "unless"])
def test_the_check_follows_how_the_rule_is_matched(tmp_path: Path, key: str) -> None:
    """``patterns`` are matched from the line's start: two repeats pass there."""
    two = _rule_file(tmp_path, key, r"\w+\s*\w+ said")
    if key == "patterns":
        assert load_rules(two)[0].name == "quote_tail"
    else:
        with pytest.raises(RuleError, match="every start"):
            load_rules(two)
    with pytest.raises(RuleError, match="three repeats"):
        load_rules(_rule_file(tmp_path, key, r"\w+\w+\w+ said"))


@pytest.mark.parametrize("pattern", PASSING)
def test_near_misses_load(tmp_path: Path, pattern: str) -> None:
    assert [r.name for r in load_rules(_rule_file(tmp_path, "contains", pattern))] == ["quote_tail"]


def test_a_rule_file_that_hung_on_a_long_line_fails_at_once(tmp_path: Path, run_cli) -> None:
    """It took 29 s of CPU on this one line of 4,000 letters (one word: ``max_words``
    let it through), and a page can hold many."""
    path = _rule_file(tmp_path, "contains", r"\w+\s*\w+ said$")
    started = time.monotonic()
    result = run_cli("clean", "--rules", str(path), stdin="a" * 4000 + " said so\n", timeout=60)
    assert_clean_failure(
        result, 1, "site.yaml: rules[0] (rule 'quote_tail')", "every start", r"(?:\s+\w+)?"
    )
    assert time.monotonic() - started < 20


def test_its_rewrite_runs_on_the_line_and_matches_as_meant(tmp_path: Path, run_cli) -> None:
    """The rewrite the message names (from a word boundary, an optional second word
    after a required space) loads, leaves the long line alone (under a millisecond on
    8,000 characters) and removes its line."""
    import json

    path = _rule_file(tmp_path, "contains", r"\b\w+(?:\s+\w+)? said$")
    line = "a" * 4000 + " said so"
    stdin = f"{line}\nThey said\n"
    result = run_cli("clean", "--trace", "--rules", str(path), stdin=stdin, timeout=60)
    assert result.code == 0, result.stderr
    edits = [json.loads(row) for row in result.stdout.splitlines()]
    assert [e["original"] for e in edits if e["reason"] == "boilerplate.quote_tail"] == [
        "They said\n"
    ]


def test_a_rule_is_tried_on_a_run_of_characters_as_on_the_words_it_is_long(
    tmp_path: Path,
) -> None:
    """``\\w+ said$`` passes the check (one repeat: its time grows with the square of
    the line's length, 40 s on 100,000 letters that do not match); a line counts as one
    word per CHARS_PER_WORD characters at least, so a rule of 40 words is tried on 960
    characters at most, by the rule set as by the rule's own definition."""
    from builder.clean.lines import LineView
    from builder.clean.rule_set import first_match
    from builder.clean.rules import CHARS_PER_WORD, DEFAULT_MAX_WORDS, rule_length

    rules = load_rules(_rule_file(tmp_path, "contains", r"\w+ said$"))
    longest = CHARS_PER_WORD * (DEFAULT_MAX_WORDS + 1) - 1  # 40 "words" of characters
    tried = LineView("a" * (longest - 5) + " said")
    too_long = LineView("a" * (longest - 4) + " said")
    assert (rule_length(tried), rule_length(too_long)) == (40, 41)
    assert rules[0].matches(tried) and first_match(rules, tried) is rules[0]
    assert not rules[0].matches(too_long) and first_match(rules, too_long) is None
    # words count as words: a sentence of 40 short words is 40 however short
    assert rule_length(LineView("a " * 40)) == 40


def test_a_long_run_is_not_tried_by_a_rule_of_a_few_words(tmp_path: Path, run_cli) -> None:
    """400,000 letters and " said so": the rule's search fails from each of 400,000
    starts after trying each end (3.5 minutes); the line is kept at once, and the rule still
    removes its own line."""
    import json

    path = _rule_file(tmp_path, "contains", r"\w+ said$")
    stdin = "a" * 400_000 + " said so\nThey said\n"
    result = run_cli("clean", "--trace", "--rules", str(path), stdin=stdin, timeout=60)
    assert result.code == 0, result.stderr
    edits = [json.loads(row) for row in result.stdout.splitlines()]
    assert [e["original"] for e in edits if e["reason"] == "boilerplate.quote_tail"] == [
        "They said\n"
    ]


def test_no_built_in_rule_is_a_slow_chain() -> None:
    """The built-in rules are not checked at each load (trusted): this checks them, each
    as it is matched (``patterns`` from the line's start, the others searched for)."""
    data = load_yaml(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    fragments: dict[str, str] = {}
    for name, fragment in data["define"].items():
        fragments[name] = _expand(fragment, fragments, name)
    written = [
        (pattern, key == "patterns")
        for rule in data["rules"]
        for key in ("patterns", "contains", "unless")
        for pattern in ([rule[key]] if key == "unless" and key in rule else rule.get(key, []))
    ]
    assert len(written) > 200
    found = [
        p
        for p, anchored in written
        if slow_search(_expand(p, fragments, ""), re.IGNORECASE, anchored=anchored)
    ]
    assert found == []
