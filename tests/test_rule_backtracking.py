"""User rule files with expressions that backtrack exponentially (``(a+)+$``,
``(\\w+\\s?)+:``) are refused when loaded, naming the file and the rule: matched, they
hang the build on the first long line they fail on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_hardening import assert_clean_failure

from builder.clean.regex_safety import OVERLAP_PROBLEM, ambiguous_repeat
from builder.clean.rules import DEFAULT_RULES_PATH, RuleError, _expand, load_rules
from builder.yamlio import load_yaml

#: each splits some text in exponentially many ways (re takes about 0.05 s on 20
#: characters it does not match, twice that with each character more)
AMBIGUOUS = [
    r"(a+)+$",
    r"(\w+\s?)+:",
    r"(.*,)+$",
    r"(a+|b)+$",
    r"(\w+[-']?\w+)+$",
    r"( ?\w+)+$",
    r"(\s*\w+)+$",
    r"((a+|b)c?)+$",
    r"(a*)*$",
    r"(\d+[.,]?\d*)+x",
    r"(?:(?:\w+)\s?){1,50}:",
    r"(\w+\s?)*x",
    r"by (?:\w+\s?)+$",
]
#: repeats of alternatives that spell one text in two ways, with no unbounded repeat
#: inside (re's CPU time on the line in brackets; each doubles, or grows by 1.6, with
#: each unit more; see the report of branch s35-robust)
OVERLAPPING = [
    r"(a|aa)+$",  # "a" * 40 + "!": over 20 s
    r"(.|\s)*x",  # " " * 28: over 20 s
    r"(?:.|\s)+:",  # " " * 28 + "!": over 20 s
    r"(ab?|a)+$",  # "a" * 28 + "!": over 20 s
    r"(ab|a|ba)+$",  # "aba" * 22 + "!": 1 s
    r"(a|b|ab)+$",  # "ab" * 25 + "!": 6 s
    r"(x\w|\wy)+$",  # "xy" * 25 + "!": 4 s
    r"(\d\d|\d)+$",  # "1" * 40 + "!": over 20 s
    r"((a|aa)b?)+$",  # "a" * 40 + "!": over 20 s
    r"(?:a{1,2})+$",  # "a" * 40 + "!": 10 s
    r"(?:\d{1,3}[,.]?)+$",  # "1" * 28 + "!": 1.5 s
    r"(\w{1,30}\s?)+:",  # "a" * 28 + "!": over 20 s
    r"(?:\w|\s|.)+:",  # " " * 28 + "!": over 20 s
    # an unbounded repeat inside, whose runs two passes share (each run two ways or more)
    r"(?:a{1,3}\s*)+$",  # "a" * 26 + "!": 0.7 s
    r"(\d+\.\d+)+$",  # "1" + ".111" * 18 + ".x": 0.2 s
    r"(\d+\.\d+)+",  # fullmatched, as a rule's patterns are: as slow
]
#: each matches a text one way (or a few: a small bound)
UNAMBIGUOUS = [
    r"(\w+ )+",
    r"(\w+\s+)+$",
    r"(a+b)+$",
    r"(\w+ ){2,4}\w+",
    r"[a-z]+$",
    r"(\w++\s?)+:",
    r"((?>\w+)\s?)+:",
    r"(mr|ms)+",
    r"\d+(\.\d+)+",
    r"(?:\w+,)+$",
    r"(a|b)+$",
    r"(\w+\s?){1,3}:",
    r"share (this|on) \w+",
    # alternatives that never spell one text two ways
    r"(a|ab)+$",  # "b" opens no alternative
    r"(\w|\d)+$",  # re's parser makes it [\w\d]
    r"(?:\s|-)+",
    r"(Mr|Mrs|Ms)\.",
    r"(https?|ftp)://",
    r"(?:mr|mrs|ms)+$",
    r"(.|\n)*x",  # "." is not a line end
    r"(?:\d{1,3},)*\d{1,3}$",
    r"(?:a|aa){1,3}$",  # a small bound: few ways
    r"(?:a|aa)++$",  # possessive: gives nothing back
    r"(?>a|aa)+$",  # atomic: one way a pass
    r"(?-i:a|A)+$",  # a group's own flags: not written out
]


@pytest.mark.parametrize("pattern", AMBIGUOUS)
def test_a_repeat_of_an_ambiguous_repeat_is_found(pattern: str) -> None:
    assert ambiguous_repeat(pattern, re.IGNORECASE)


@pytest.mark.parametrize("pattern", OVERLAPPING)
def test_a_repeat_of_overlapping_alternatives_is_found(pattern: str) -> None:
    problem = ambiguous_repeat(pattern, re.IGNORECASE)
    assert problem == OVERLAP_PROBLEM


@pytest.mark.parametrize("pattern", UNAMBIGUOUS)
def test_a_repeat_that_splits_text_one_way_passes(pattern: str) -> None:
    assert ambiguous_repeat(pattern, re.IGNORECASE) is None


def test_no_built_in_rule_is_ambiguous() -> None:
    """The built-in rules are not checked at each load (trusted): this checks them."""
    data = load_yaml(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    fragments: dict[str, str] = {}
    for name, fragment in data["define"].items():
        fragments[name] = _expand(fragment, fragments, name)
    written = [
        pattern
        for rule in data["rules"]
        for key in ("patterns", "contains", "unless")
        for pattern in ([rule[key]] if key == "unless" and key in rule else rule.get(key, []))
    ]
    assert len(written) > 40
    found = [p for p in written if ambiguous_repeat(_expand(p, fragments, ""), re.IGNORECASE)]
    assert found == []


@pytest.mark.parametrize("key", ["patterns", "contains", "unless"])
def test_a_rule_file_with_one_is_refused_naming_the_file_and_rule(tmp_path: Path, key: str) -> None:
    path = tmp_path / "site.yaml"
    value = "'(\\w+\\s?)+:'" if key == "unless" else "['(\\w+\\s?)+:']"
    extra = "    phrases: [share]\n" if key == "unless" else ""
    path.write_text(f"rules:\n  - name: label\n{extra}    {key}: {value}\n", encoding="utf-8")
    with pytest.raises(RuleError) as refused:
        load_rules(DEFAULT_RULES_PATH, path)
    message = str(refused.value)
    assert "site.yaml: rules[0] (rule 'label')" in message
    assert r"'(\w+\s?)+:'" in message and "possessive" in message


def test_a_rule_of_overlapping_alternatives_is_refused_naming_file_rule_and_fix(
    tmp_path: Path, run_cli
) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(
        "rules:\n  - name: spaced\n    patterns: ['(?:.|\\s)+: share']\n", encoding="utf-8"
    )
    with pytest.raises(RuleError) as refused:
        load_rules(DEFAULT_RULES_PATH, path)
    message = str(refused.value)
    assert "site.yaml: rules[0] (rule 'spaced')" in message
    assert r"'(?:.|\s)+: share'" in message and "exclusive" in message
    result = run_cli("clean", "--rules", str(path), stdin="Share this\n", timeout=60)
    assert_clean_failure(result, 1, "site.yaml", "spaced", "the same text in more than one way")


def test_a_fragment_that_is_one_is_refused_where_defined(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(
        "define:\n  words: '(\\w+\\s?)+'\nrules:\n  - name: x\n    patterns: ['{{words}}:']\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="define 'words'"):
        load_rules(path)


def test_a_build_with_one_fails_at_once_naming_the_setting(seeds_copy: Path, run_cli) -> None:
    """It hung: a sentence of 20 words and a colon took the careless rule hours."""
    (seeds_copy / "site_rules.yaml").write_text(
        "rules:\n  - name: careless_label\n    patterns: ['(\\w+\\s?)+:']\n", encoding="utf-8"
    )
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  detokenize: false\n" in text
    config.write_text(
        text.replace("  detokenize: false\n", "  detokenize: false\n  rules: [site_rules.yaml]\n"),
        encoding="utf-8",
    )
    article = next((seeds_copy / "articles").glob("001_*.txt"))
    lines = article.read_text(encoding="utf-8").split("\n")
    lines.insert(
        3, "The army said the drones launched overnight were intercepted near the border: a"
    )
    article.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli(
        "build", "-i", str(seeds_copy), "-o", str(seeds_copy.parent / "out"), timeout=60
    )
    assert_clean_failure(
        result, 1, "dataset.yaml", "/cleaning/rules/0", "site_rules.yaml", "careless_label"
    )


# -- the built-in rules' own repeats of a separator and a run ---------------------------

#: lines that took a built-in rule over 100 s (a line of the tags, tagged and dateline
#: shapes, whose each pass split its space two ways: between ``\s*`` and ``[\w ...]+``)
SLOW_LINES = [
    "tagged " + ", ".join(["-"] * 30) + " (x)",
    "tags: a" + ", -" * 40 + " (x)",
    "video 12 April 2024" + " | -" * 40 + " (x)",
]


@pytest.mark.parametrize("line", SLOW_LINES, ids=["tagged", "tags", "dateline"])
def test_a_built_in_rules_separated_list_fails_at_once(run_cli, line: str) -> None:
    result = run_cli("clean", stdin=line + "\n", timeout=60)
    assert result.code == 0, result.stderr
    assert result.stdout == line + "\n"


def _atomic_built_in_patterns() -> list[str]:
    data = load_yaml(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    fragments: dict[str, str] = {}
    for name, fragment in data["define"].items():
        fragments[name] = _expand(fragment, fragments, name)
    return [
        _expand(pattern, fragments, "")
        for rule in data["rules"]
        for pattern in rule.get("patterns", [])
        if "(?>" in pattern
    ]


def test_the_atomic_passes_match_the_lines_the_plain_groups_matched() -> None:
    """``(?>,\\s*[\\w ]+)+`` for ``(,\\s*[\\w ]+)+``: each pass must end where its run of
    characters does (a separator or the line's end follows), so committing to the
    first way a pass matches loses no line; checked on random short lines."""
    import random

    patterns = _atomic_built_in_patterns()
    assert len(patterns) == 3
    words = ["a", "b-c", "-", ".", " ", "’", "&", "12", "april"]
    separators = [",", ", ", " ,", "|", " | ", "•", ";", "/", ":"]
    heads = ["tagged ", "tags: ", "topics:", "video 12 april 2024", "news april 3, 2024 "]
    rng = random.Random(35)
    lines = [
        rng.choice(heads)
        + "".join(
            rng.choice(separators if rng.random() < 0.4 else words)
            for _ in range(rng.randint(0, 9))
        )
        for _ in range(6000)
    ]
    for pattern in patterns:
        atomic = re.compile(pattern, re.IGNORECASE)
        plain = re.compile(pattern.replace("(?>", "("), re.IGNORECASE)
        matched = [line for line in lines if atomic.fullmatch(line)]
        assert len(matched) > 20, pattern  # the random lines do reach the passes
        assert matched == [line for line in lines if plain.fullmatch(line)], pattern
