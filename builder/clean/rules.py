"""Boilerplate line rules, kept as data (``builder/rules/boilerplate.yaml``).

A rule decides about one whole line. It matches when the line is short enough
(``max_words``, a run of :data:`CHARS_PER_WORD` characters counting as a word at least:
see :func:`rule_length`), does not hit an ``unless`` pattern, and any of these holds:

* ``phrases``: the line's words, lowercased and joined by single spaces, equal a
  phrase's words (so ``Share.``, ``SHARE`` and ``share`` are the same line);
* ``patterns``: a regular expression matches the whole (normalized) line;
* ``contains``: every one of these expressions is found somewhere in the line;
* ``vocabulary``: every word of the line is in the vocabulary (or is a number,
  with ``numbers: true``), and at least one is in ``require``
  (``Facebook Twitter WhatsApp Email``; ``14 April 2024, 10:32 BST``).

Matching is case-insensitive and works on a normalized line: white space
collapsed, and the spaces that tokenized corpora put around punctuation taken
out again (``read more : ...`` reads as ``read more: ...``), so one rule covers
cased and lowercased-tokenized text.

A rule file may ``define`` named fragments of regular expressions (a name, a
determiner) that its patterns use as ``{{name}}``, so a shape is written once.

``zone`` limits a rule to the edges of the document (``edges``: before the first
or after the last paragraph of running text; ``tail``: after the last only; ``close``: in
the last quarter of the page's text), for
lines that are furniture at the edges but could be text in the middle. ``block: list`` makes a rule a header
of a link list: the headline-like lines after it go with it. ``off_topic: true``
(with ``block: list``) is for headers that could also be subheadings ("Latest on
the strike"): the header and its list go only when the list is about something
other than the article, as a rail of other stories is.

Speed, for rule authors: :class:`~.rule_set.RuleSet` tries an expression only on lines that hold
one of its *required pieces* (a word piece of two letters and more such as ``photo``,
a punctuation mark such as ``|`` or ``©``, or a digit), read off the expression
itself. An expression that requires none (it may match with nothing but ``\\w``,
``\\s``, ``.`` and optional parts, as ``(\\w+ ){2,4}\\w+``) is tried on every line up
to its rule's ``max_words``: still exact, only slower. Starting an expression with a
literal word, or keeping a literal word or mark in every alternative, keeps it fast.
Results never depend on this: a line matches exactly as :meth:`LineRule.matches` says.

An expression that backtracks exponentially (a repeat of a part that itself repeats and
can split one text in several ways: ``(a+)+$``, ``(\\w+\\s?)+:``) is refused when the
file is loaded (:mod:`.regex_safety`): on a line it does not match, it hangs the build.
So is one whose time grows with the cube of a line's length (:mod:`.regex_polynomial`):
repeats in a row that can split one run of characters between them
(``\\w+\\s*\\w+ said$``, ``\\d+\\.?\\d+x``, ``.*a.*b.*c$``) in
``contains`` or ``unless`` (searched for, from every start: 29 s on one line of 4,000
letters without a space, which is one word, so ``max_words`` does not keep it out), or
three such in ``patterns`` (matched from the line's start). Start the repeats at a word
boundary and write a separator they cannot match (``\\b\\w+(?:\\s+\\w+)? said$``,
``\\b\\d+(?:\\.\\d+)?x``: under a millisecond on 8,000 characters), or
``[^a]*a[^b]*b.*c$`` for a chain of ``.*``; anchor at ``^``; or
make a repeat possessive (``\\w++``) or atomic (``(?>\\w+)``) when what follows it
cannot open with its characters. A single repeat searched for (``\\w+ said$``) is
allowed: its time grows with the square of the line's length (0.2 s on 8,000 characters;
``\\b\\w+ said$``: linear), and the length is bounded: a rule of ``max_words`` 40 is
tried on lines of at most 960 characters (:func:`rule_length`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..utf8 import NotUtf8, read_utf8
from ..yamlio import YamlError, load_yaml
from .lines import WORD, LineView, Words
from .regex_facts import _tree, compile_pattern
from .regex_polynomial import slow_search
from .regex_safety import ambiguous_repeat

__all__ = [
    "DEFAULT_RULES_PATH",
    "NUMBER",
    "LineRule",
    "RuleError",
    "load_rules",
    "rule_length",
]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "boilerplate.yaml"
DEFAULT_MAX_WORDS = 40
#: a line counts as at least one word per this many characters (:func:`rule_length`)
CHARS_PER_WORD = 24
ZONES = ("any", "edges", "tail", "close")
BLOCKS = (None, "list")

#: A number as a vocabulary rule takes it (``numbers: true``): "14", "1st", "1990s".
NUMBER = re.compile(r"\d+(st|nd|rd|th|s)?")


class RuleError(ValueError):
    """A rule file that cannot be used (bad YAML, unknown key, bad regex)."""


def rule_length(view: LineView) -> int:
    """The line's length in words as ``max_words`` counts it: its words, or one per
    :data:`CHARS_PER_WORD` characters when that is more.

    A run without a space (a token, a URL, base64, a run of numbers) is one word, and
    an expression searched for on it may take time that grows with the square of its
    length (a rule file's ``\\w+ said$``: 1.6 s on a line of 20,000 letters, 40 s on
    100,000): counted by its characters too, such a line is never tried by a rule of
    a few dozen words. Furniture is well inside it: the longest line a built-in rule
    takes on the development pages is 908 characters of 142 words (a disclaimer)."""
    return max(len(view.words), len(view.raw) // CHARS_PER_WORD)


def _key(phrase: str) -> str:
    return " ".join(WORD.findall(phrase.casefold()))


@dataclass(frozen=True)
class LineRule:
    """One named rule; its name is the edit reason (``boilerplate.<name>``).

    :meth:`matches` is the definition of what a rule matches; :class:`~.rule_set.RuleSet` answers
    the same for a whole list of rules, faster.
    """

    name: str
    phrases: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    contains: tuple[re.Pattern[str], ...] = ()
    vocabulary: frozenset[str] = frozenset()
    require: frozenset[str] = frozenset()
    numbers: bool = False
    unless: re.Pattern[str] | None = None
    max_words: int = DEFAULT_MAX_WORDS
    zone: str = "any"
    block: str | None = None
    off_topic: bool = False
    description: str = ""

    @cached_property
    def _any_pattern(self) -> re.Pattern[str] | None:
        """All patterns as one alternation: one full match per line instead of many."""
        if not self.patterns:
            return None
        return re.compile("|".join(f"(?:{p.pattern})" for p in self.patterns), re.IGNORECASE)

    def matches(self, line: str | LineView) -> bool:
        view = line if isinstance(line, LineView) else LineView(line)
        words = view.words
        if not words or rule_length(view) > self.max_words:
            return False  # a line of punctuation alone is never furniture by rule
        hit = (
            # (a rule with no phrases does not join the line's words into its key)
            (self.phrases and view.key in self.phrases)
            or (self._any_pattern is not None and self._any_pattern.fullmatch(view.norm))
            or self._other_hit(view, words)
        )
        # ``unless`` is checked last: it vetoes a match, and most lines never match.
        return bool(hit) and (self.unless is None or not self.unless.search(view.norm))

    def matches_but_patterns(self, view: LineView) -> bool:
        """:meth:`matches` for a line that fits ``max_words`` and that none of the
        rule's patterns fully matches (as :class:`~.rule_set.RuleSet` knows of the rules it has
        tried the patterns of): their alternation is not run."""
        hit = (self.phrases and view.key in self.phrases) or self._other_hit(view, view.words)
        return bool(hit) and (self.unless is None or not self.unless.search(view.norm))

    def _other_hit(self, view: LineView, words: Words) -> object:
        """Whether ``contains`` or ``vocabulary`` make the line a hit (truthy)."""
        return (self.contains and all(p.search(view.norm) for p in self.contains)) or (
            self.vocabulary
            and all(w in self.vocabulary or (self.numbers and NUMBER.fullmatch(w)) for w in words)
            and (not self.require or any(w in self.require for w in words))
        )


_KEYS = {
    "name",
    "description",
    "phrases",
    "patterns",
    "contains",
    "vocabulary",
    "require",
    "numbers",
    "unless",
    "max_words",
    "zone",
    "block",
    "off_topic",
}


_FRAGMENT = re.compile(r"\{\{(\w+)\}\}")


def _expand(pattern: str, fragments: dict[str, str], where: str) -> str:
    """Replace ``{{name}}`` by the file's ``define``d fragment (one regex, written once)."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in fragments:
            raise RuleError(f"{where}: unknown fragment {{{{{m.group(1)}}}}} in {pattern!r}")
        return f"(?:{fragments[m.group(1)]})"

    return _FRAGMENT.sub(sub, pattern)


def _compile(
    pattern: str,
    where: str,
    fragments: dict[str, str] | None = None,
    *,
    trusted: bool = False,
    anchored: bool | None = None,
) -> re.Pattern[str]:
    """``pattern`` compiled; ``trusted``: the built-in rules' (tested to pass the
    backtracking checks, not checked at each load: 100 ms a process). ``anchored``: the
    expression is matched from the line's start (``patterns``) or searched for
    (``contains``, ``unless``), for the polynomial check; None (a ``define``d fragment,
    checked again where it is used): the exponential check only."""
    written = pattern
    pattern = _expand(pattern, fragments or {}, where)
    try:
        compiled = compile_pattern(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"{where}: bad regular expression {pattern!r}: {exc}") from None
    # refused here, where the file and rule are known: matched, it hangs the build on
    # the first long line it fails on (see regex_safety)
    problem = None
    if not trusted:
        tree = _tree(compiled)  # the parse compile_pattern kept: not parsed again
        problem = ambiguous_repeat(pattern, re.IGNORECASE, tree=tree)
        if not problem and anchored is not None:
            problem = slow_search(pattern, re.IGNORECASE, anchored=anchored, tree=tree)
    if problem:
        raise RuleError(f"{where}: the regular expression '{written}' has {problem}")
    return compiled


def _words(values: Iterable[Any], where: str) -> frozenset[str]:
    out: set[str] = set()
    for v in values:
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            # YAML reads bare on/off/yes/no as booleans: the word is lost unless quoted.
            raise RuleError(f"{where}: {v!r} is not a word; quote words such as 'on', 'no', 'yes'")
        out.update(WORD.findall(str(v).casefold()))
    return frozenset(out)


def _strings(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RuleError(f"{where}: expected a list of quoted strings, got {values!r}")
    return values


_RULE_NAME = re.compile(r"[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*")


def _rule(
    spec: Any, where: str, fragments: dict[str, str] | None = None, *, trusted: bool = False
) -> LineRule:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise RuleError(f"{where}: a rule must be a mapping with a name")
    where = f"{where} (rule {spec['name']!r})"
    if not _RULE_NAME.fullmatch(spec["name"]):
        # the name becomes an edit reason (boilerplate.<name>, merged reasons joined by
        # '+') and a card table cell: word characters, '.' and '-' only
        raise RuleError(f"{where}: a rule name is letters, digits, '_', '.' and '-' only")
    unknown = set(spec) - _KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(_KEYS)}")
    if spec.get("zone", "any") not in ZONES:
        raise RuleError(f"{where}: zone must be one of {ZONES}")
    if spec.get("block") not in BLOCKS:
        raise RuleError(f"{where}: block must be 'list' or absent")
    if spec.get("off_topic") and spec.get("block") != "list":
        raise RuleError(f"{where}: 'off_topic' needs 'block: list'")
    if spec.get("require") and not spec.get("vocabulary"):
        raise RuleError(f"{where}: 'require' needs a 'vocabulary'")
    require = _words(spec.get("require", []), where)
    return LineRule(
        name=spec["name"],
        phrases=frozenset(_key(p) for p in _strings(spec.get("phrases", []), where)),
        patterns=tuple(
            _compile(p, where, fragments, trusted=trusted, anchored=True)
            for p in _strings(spec.get("patterns", []), where)
        ),
        contains=tuple(
            _compile(p, where, fragments, trusted=trusted, anchored=False)
            for p in _strings(spec.get("contains", []), where)
        ),
        vocabulary=_words(spec.get("vocabulary", []), where) | require,
        require=require,
        numbers=bool(spec.get("numbers", False)),
        unless=_compile(spec["unless"], where, fragments, trusted=trusted, anchored=False)
        if spec.get("unless")
        else None,
        max_words=int(spec.get("max_words", DEFAULT_MAX_WORDS)),
        zone=spec.get("zone", "any"),
        block=spec.get("block"),
        off_topic=bool(spec.get("off_topic", False)),
        description=spec.get("description", ""),
    )


def load_rules(*paths: Path) -> list[LineRule]:
    """Load rule files in order; a later rule with the same name replaces the earlier one."""
    rules: dict[str, LineRule] = {}
    fragments: dict[str, str] = {}  # later files may use the fragments of earlier ones
    for path in paths or (DEFAULT_RULES_PATH,):
        trusted = Path(path) == DEFAULT_RULES_PATH
        try:
            data = load_yaml(read_utf8(Path(path))) or {}
        except YamlError as exc:
            at = f" line {exc.line}" if exc.line else ""
            raise RuleError(f"{path}:{at} not valid YAML: {exc}") from None
        except NotUtf8 as exc:
            raise RuleError(f"{path}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
            raise RuleError(f"{path}: expected a mapping with a list under 'rules'")
        defined = data.get("define", {})
        if not isinstance(defined, dict):
            raise RuleError(f"{path}: 'define' must map names to regular expressions")
        for name, fragment in defined.items():
            if not isinstance(fragment, str) or not re.fullmatch(r"\w+", str(name)):
                raise RuleError(f"{path}: define {name!r}: expected a name and a quoted regex")
            fragments[name] = _expand(fragment, fragments, f"{path}: define {name!r}")
            _compile(fragments[name], f"{path}: define {name!r}", trusted=trusted)
        for i, spec in enumerate(data.get("rules", [])):
            rule = _rule(spec, f"{path}: rules[{i}]", fragments, trusted=trusted)
            rules[rule.name] = rule
    return list(rules.values())
