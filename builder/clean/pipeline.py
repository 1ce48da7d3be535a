"""The cleaner: steps run in order over one text, composing one edit map."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .boilerplate import BoilerplateLines
from .captions import ImageCaptions
from .chars import line_words, word_count
from .duplicates import RepeatedBlock, RepeatedTail
from .edits import EditMap, RawEdit
from .header import RepeatedHeader
from .options import STEP_NAMES
from .repetition import RepeatedLines, RepeatedLinesStep
from .rules import DEFAULT_RULES_PATH, load_rules
from .sections import TrailingSection
from .steps import CleaningStep, DocumentContext
from .tail_model import TailModel
from .teasers import TrailingTeasers
from .text_fixes import ByteOrderMark, FixMojibake, LineEndings, UnicodeNormalize, Whitespace
from .textform import Detokenize, detect_text_form, text_form

__all__ = ["STEP_NAMES", "CleanResult", "Cleaner", "detect_text_form"]


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
    #: With ``clean(..., trace=True)``: every edit as its step made it, before edits
    #: of neighbouring steps were merged (``edits`` joins their reasons with ``+``).
    trace: list[dict[str, object]] = field(default_factory=list)


def _insert_before(names: list[str], name: str, anchor: str) -> None:
    names.insert(names.index(anchor) if anchor in names else len(names), name)


class _RemovedWords:
    """Words the steps so far removed between two offsets of the current text (the
    cleaner's :class:`builder.clean.steps.RemovedWords`, over its edit map)."""

    __slots__ = ("emap",)

    def __init__(self, emap: EditMap) -> None:
        self.emap = emap

    def changed(self, start: int, end: int) -> bool:
        emap = self.emap
        return emap.clean_to_raw(end) - emap.clean_to_raw(start) != end - start

    def __call__(self, start: int, end: int) -> int:
        emap = self.emap
        raw_start, raw_end = emap.clean_to_raw(start), emap.clean_to_raw(end)
        if raw_end - raw_start == end - start:
            return 0  # nothing removed in between (the common case: not counted)
        raw = emap.raw[raw_start:raw_end]
        return max(0, _count_words(raw) - _count_words(emap.text[start:end]))


#: A span longer than this has its words counted in numpy (a removed comment section
#: is thousands of words: listing them to count them cost more than the rest of the step).
_COUNT_IN_NUMPY = 200


def _count_words(span: str) -> int:
    if len(span) > _COUNT_IN_NUMPY:
        n = word_count(span)
        if n is not None:
            return n
    return len(line_words(span))


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
        cls,
        *,
        step_names: Sequence[str] | None = None,
        rule_files: Sequence[Path] = (),
        detokenize: bool = False,
        repeated_lines: RepeatedLines | None = None,
    ) -> Cleaner:
        """Steps by name (default: all, in the standard order) with extra rule files.

        ``detokenize`` adds the detokenizer (before ``whitespace``) when it is not
        named; ``repeated_lines`` (a publisher pre-scan) adds the repetition step
        right after ``footer`` (or before ``whitespace``).
        """
        rules = load_rules(DEFAULT_RULES_PATH, *rule_files)
        factories: dict[str, Callable[[], CleaningStep]] = {
            "encoding": ByteOrderMark,
            "line_endings": LineEndings,
            "mojibake": FixMojibake,
            "unicode": UnicodeNormalize,
            "sections": TrailingSection,
            "boilerplate": lambda: BoilerplateLines(rules),
            "captions": ImageCaptions,
            "header": RepeatedHeader,
            "footer": TrailingTeasers,
            "duplicates": RepeatedBlock,
            "tail_copy": RepeatedTail,
            "tail_model": TailModel,
            "detokenize": Detokenize,
            "whitespace": Whitespace,
        }
        if step_names is None:
            names = [n for n in STEP_NAMES if n != "detokenize" or detokenize]
        else:
            names = list(step_names)
            if detokenize and "detokenize" not in names:
                _insert_before(names, "detokenize", "whitespace")
        unknown = [n for n in names if n not in factories]
        if unknown:
            raise ValueError(f"unknown cleaning steps {unknown}; known: {list(factories)}")
        steps = [factories[n]() for n in names]
        if repeated_lines is not None:
            at = names.index("footer") + 1 if "footer" in names else None
            if at is None:
                at = names.index("whitespace") if "whitespace" in names else len(names)
            steps.insert(at, RepeatedLinesStep(repeated_lines))
        return cls(steps)

    def clean(
        self, raw: str, ctx: DocumentContext | None = None, *, trace: bool = False
    ) -> CleanResult:
        """Run every step; ``trace`` also keeps each step's own edits (for ``builder clean``)."""
        ctx = ctx or DocumentContext()
        form = text_form(raw)
        ctx.attributes.setdefault("text_form", form.label)
        ctx.attributes.setdefault("lowercased", form.lowercased)
        ctx.attributes.setdefault("tokenized", form.tokenized)
        emap = EditMap(raw)
        counts: Counter[str] = Counter()
        removed: Counter[str] = Counter()
        steps: list[dict[str, object]] = []
        ctx.removed_words = _RemovedWords(emap)
        try:
            for step in self.steps:
                edits = step.find_edits(emap.text, ctx)
                for e in edits:
                    counts[e.reason] += 1
                    removed[e.reason] += (e.end - e.start) - len(e.replacement)
                    if trace:
                        steps.append(
                            {
                                "step": step.name,
                                "reason": e.reason,
                                # where it is in the raw text (an edge inside an earlier edit
                                # snaps to that edit's start)
                                "raw_start": emap.clean_to_raw(e.start),
                                "raw_end": emap.clean_to_raw(e.end),
                                "original": emap.text[e.start : e.end],
                                "replacement": e.replacement,
                            }
                        )
                emap.apply(edits)
        finally:
            ctx.removed_words = None  # the map is this text's: not kept past it
        return CleanResult(
            raw=raw,
            text=emap.text,
            edits=emap.edits,
            attributes=dict(ctx.attributes),
            rule_counts=counts,
            removed_chars=removed,
            trace=steps,
        )
