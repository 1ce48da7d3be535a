"""Boilerplate line rules, kept as data (``builder/rules/boilerplate.yaml``).

A rule decides about one whole line. It matches when the line is short enough
(``max_words``), does not hit an ``unless`` pattern, and any of these holds:

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

``zone`` limits a rule to the edges of the document (``edges``: before the first
or after the last paragraph of running text), for lines that are furniture at
the edges but could be text in the middle. ``block: list`` makes a rule a header
of a link list: the headline-like lines after it go with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_RULES_PATH", "LineRule", "LineView", "RuleError", "first_match", "load_rules"]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "boilerplate.yaml"
DEFAULT_MAX_WORDS = 40
ZONES = ("any", "edges")
BLOCKS = (None, "list")

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(st|nd|rd|th|s)?")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?)\]}%’”]|'(?!\w))")
_SPACE_AFTER = re.compile(r"([(\[{$£€#@‘“])\s+")
_APOSTROPHE = re.compile(r"(\w) ?['’] ?(s|t|re|ve|ll|d|m)\b")


class RuleError(ValueError):
    """A rule file that cannot be used (bad YAML, unknown key, bad regex)."""


@dataclass(frozen=True)
class LineView:
    """One line as rules see it: normalized text, its words, and their key."""

    raw: str

    @cached_property
    def norm(self) -> str:
        text = " ".join(self.raw.split())
        text = _APOSTROPHE.sub(r"\1'\2", text)
        text = _SPACE_BEFORE.sub(r"\1", text)
        return _SPACE_AFTER.sub(r"\1", text)

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.raw.casefold())

    @cached_property
    def key(self) -> str:
        return " ".join(self.words)


def _key(phrase: str) -> str:
    return " ".join(_WORD.findall(phrase.casefold()))


@dataclass(frozen=True)
class LineRule:
    """One named rule; its name is the edit reason (``boilerplate.<name>``)."""

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
        if not words or len(words) > self.max_words:
            return False  # a line of punctuation alone is never furniture by rule
        hit = (
            view.key in self.phrases
            or (self._any_pattern is not None and self._any_pattern.fullmatch(view.norm))
            or (self.contains and all(p.search(view.norm) for p in self.contains))
            or (
                self.vocabulary
                and all(
                    w in self.vocabulary or (self.numbers and _NUMBER.fullmatch(w)) for w in words
                )
                and (not self.require or any(w in self.require for w in words))
            )
        )
        # ``unless`` is checked last: it vetoes a match, and most lines never match.
        return bool(hit) and (self.unless is None or not self.unless.search(view.norm))


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
}


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


def _words(values: Iterable[Any], where: str) -> frozenset[str]:
    out: set[str] = set()
    for v in values:
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            # YAML reads bare on/off/yes/no as booleans: the word is lost unless quoted.
            raise RuleError(f"{where}: {v!r} is not a word; quote words such as 'on', 'no', 'yes'")
        out.update(_WORD.findall(str(v).casefold()))
    return frozenset(out)


def _strings(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RuleError(f"{where}: expected a list of quoted strings, got {values!r}")
    return values


def _rule(spec: Any, where: str) -> LineRule:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise RuleError(f"{where}: a rule must be a mapping with a name")
    where = f"{where} (rule {spec['name']!r})"
    unknown = set(spec) - _KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(_KEYS)}")
    if spec.get("zone", "any") not in ZONES:
        raise RuleError(f"{where}: zone must be one of {ZONES}")
    if spec.get("block") not in BLOCKS:
        raise RuleError(f"{where}: block must be 'list' or absent")
    if spec.get("require") and not spec.get("vocabulary"):
        raise RuleError(f"{where}: 'require' needs a 'vocabulary'")
    require = _words(spec.get("require", []), where)
    return LineRule(
        name=spec["name"],
        phrases=frozenset(_key(p) for p in _strings(spec.get("phrases", []), where)),
        patterns=tuple(_compile(p, where) for p in _strings(spec.get("patterns", []), where)),
        contains=tuple(_compile(p, where) for p in _strings(spec.get("contains", []), where)),
        vocabulary=_words(spec.get("vocabulary", []), where) | require,
        require=require,
        numbers=bool(spec.get("numbers", False)),
        unless=_compile(spec["unless"], where) if spec.get("unless") else None,
        max_words=int(spec.get("max_words", DEFAULT_MAX_WORDS)),
        zone=spec.get("zone", "any"),
        block=spec.get("block"),
        description=spec.get("description", ""),
    )


def load_rules(*paths: Path) -> list[LineRule]:
    """Load rule files in order; a later rule with the same name replaces the earlier one."""
    rules: dict[str, LineRule] = {}
    for path in paths or (DEFAULT_RULES_PATH,):
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise RuleError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
            raise RuleError(f"{path}: expected a mapping with a list under 'rules'")
        for i, spec in enumerate(data.get("rules", [])):
            rule = _rule(spec, f"{path}: rules[{i}]")
            rules[rule.name] = rule
    return list(rules.values())


def first_match(rules: Sequence[LineRule], line: LineView) -> LineRule | None:
    """The first rule that matches ``line`` (rules are tried in file order)."""
    for rule in rules:
        if rule.matches(line):
            return rule
    return None
