"""The cleaner: steps run in order over one text, composing one edit map."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .edits import EditMap, RawEdit
from .rules import DEFAULT_RULES_PATH, load_rules
from .steps import (
    BoilerplateLines,
    ByteOrderMark,
    CleaningStep,
    DocumentContext,
    FixMojibake,
    LineEndings,
    RepeatedHeader,
    TrailingTeasers,
    UnicodeNormalize,
    Whitespace,
)

__all__ = ["STEP_NAMES", "CleanResult", "Cleaner", "detect_text_form"]

STEP_NAMES = (
    "encoding",
    "line_endings",
    "mojibake",
    "unicode",
    "boilerplate",
    "header",
    "footer",
    "whitespace",
)


@dataclass
class CleanResult:
    """The clean text, the edit log back to the raw text, and what was found."""

    raw: str
    text: str
    edits: list[RawEdit]
    attributes: dict[str, object] = field(default_factory=dict)
    #: Edits made per rule, counted as each step made them (before composition).
    rule_counts: Counter[str] = field(default_factory=Counter)
    #: Characters removed (net) per rule.
    removed_chars: Counter[str] = field(default_factory=Counter)


_TOKENIZED = re.compile(r"\w ' (?:s|t|re|ve|ll|d|m)\b| [,.;:?!] | \w+ - \w+")


def detect_text_form(text: str) -> str:
    """``lowercased_tokenized`` for text like ``israel ' s war`` from older corpora, else ``cased``."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "cased"
    upper = sum(c.isupper() for c in letters) / len(letters)
    tokens = len(_TOKENIZED.findall(text)) / max(1, len(text.split()))
    return "lowercased_tokenized" if upper < 0.002 and tokens > 0.01 else "cased"


class Cleaner:
    """Runs cleaning steps over raw texts.

    Example:
        >>> result = Cleaner.default().clean("Headline\\n\\nBody text here.\\nShare.\\n")
        >>> result.text
        'Headline\\n\\nBody text here.'
        >>> [e.reason for e in result.edits]
        ['boilerplate.share_widget+whitespace.document_edges']
    """

    def __init__(self, steps: Sequence[CleaningStep]) -> None:
        self.steps = list(steps)

    @classmethod
    def default(cls) -> Cleaner:
        return cls.build()

    @classmethod
    def build(
        cls, *, step_names: Sequence[str] | None = None, rule_files: Sequence[Path] = ()
    ) -> Cleaner:
        """Steps by name (default: all, in the standard order) with extra rule files."""
        rules = load_rules(DEFAULT_RULES_PATH, *rule_files)
        factories = {
            "encoding": ByteOrderMark,
            "line_endings": LineEndings,
            "mojibake": FixMojibake,
            "unicode": UnicodeNormalize,
            "boilerplate": lambda: BoilerplateLines(rules),
            "header": RepeatedHeader,
            "footer": TrailingTeasers,
            "whitespace": Whitespace,
        }
        names = list(step_names) if step_names is not None else list(STEP_NAMES)
        unknown = [n for n in names if n not in factories]
        if unknown:
            raise ValueError(f"unknown cleaning steps {unknown}; known: {list(factories)}")
        return cls([factories[n]() for n in names])

    def clean(self, raw: str, ctx: DocumentContext | None = None) -> CleanResult:
        ctx = ctx or DocumentContext()
        ctx.attributes.setdefault("text_form", detect_text_form(raw))
        emap = EditMap(raw)
        counts: Counter[str] = Counter()
        removed: Counter[str] = Counter()
        for step in self.steps:
            edits = step.find_edits(emap.text, ctx)
            for e in edits:
                counts[e.reason] += 1
                removed[e.reason] += (e.end - e.start) - len(e.replacement)
            emap.apply(edits)
        return CleanResult(
            raw=raw,
            text=emap.text,
            edits=emap.edits,
            attributes=dict(ctx.attributes),
            rule_counts=counts,
            removed_chars=removed,
        )
