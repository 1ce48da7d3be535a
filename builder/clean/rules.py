"""Boilerplate line rules, kept as data (``builder/rules/boilerplate.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["DEFAULT_RULES_PATH", "LineRule", "load_rules"]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "boilerplate.yaml"


@dataclass(frozen=True)
class LineRule:
    """Whole lines matching any phrase (exact, case-insensitive) or pattern (full match)."""

    name: str
    phrases: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    description: str = ""

    def matches(self, line: str) -> bool:
        stripped = " ".join(line.split()).strip()
        if not stripped:
            return False
        if stripped.casefold() in self.phrases:
            return True
        return any(p.fullmatch(stripped) for p in self.patterns)


def load_rules(*paths: Path) -> list[LineRule]:
    """Load rule files in order; a later rule with the same name replaces the earlier one."""
    rules: dict[str, LineRule] = {}
    for path in paths or (DEFAULT_RULES_PATH,):
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for spec in data.get("rules", []):
            rules[spec["name"]] = LineRule(
                name=spec["name"],
                phrases=frozenset(p.casefold() for p in spec.get("phrases", [])),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("patterns", [])),
                description=spec.get("description", ""),
            )
    return list(rules.values())
