"""What one annotation input is configured with, and the decisions that depend on it.

Each entry of ``inputs.annotations`` in ``dataset.yaml`` may say how its tool's
names become the dataset's: ``labels`` maps a tool's span or choice labels to
the dataset's (``Person: PERSON``), ``speaker_relations`` names the relation
labels that mean "this quote was said by this entity", ``choices`` names the
document label set a classification control (or a doccano category prefix)
fills. The importers ask :class:`ImportOptions` rather than guess, and every
name it cannot place becomes a located error, never a silently dropped span.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_SPEAKER_RELATIONS",
    "DOC_LABEL_SETS",
    "QUOTE_LABELS",
    "ImportOptions",
]

#: Span labels that make a span a quotation (compared case-insensitively); every
#: other span label is an entity type.
QUOTE_LABELS = frozenset({"quote", "quotation"})
#: Document label sets an annotation may fill (each single-valued per article).
DOC_LABEL_SETS = ("genre", "text_form")
#: Relation labels taken as "quote said by entity" when ``speaker_relations`` is
#: not configured (compared case-insensitively). An unlabelled relation between a
#: quote and an entity is a speaker too, unless ``speaker_relations`` is set.
DEFAULT_SPEAKER_RELATIONS = frozenset(
    {
        "speaker",
        "said_by",
        "said-by",
        "said by",
        "saidby",
        "said",
        "says",
        "spoken_by",
        "quoted_by",
        "attributed_to",
        "attribution",
    }
)


def _norm(name: str) -> str:
    return name.strip().casefold().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True)
class ImportOptions:
    """The configuration of one annotation input (see ``annotation_input`` in the config schema)."""

    #: how a doccano file counts offsets (None: the reader's default)
    offsets: str | None = None
    #: tool label -> dataset label, for span labels and document-label choices
    label_map: Mapping[str, str] = field(default_factory=dict)
    #: relation labels meaning "quote said by entity"; None: the defaults
    speaker_relations: frozenset[str] | None = None
    #: classification control name (or doccano category prefix) -> document label set
    choices: Mapping[str, str] = field(default_factory=dict)
    #: Label Studio: the task ``data`` key holding the text (None: from the
    #: labeling config, else ``text``)
    text_key: str | None = None
    #: Label Studio: control name -> tag type (``labels``, ``choices``, ``relations``)
    #: and the text object's data key, read from the labeling config XML
    controls: Mapping[str, str] = field(default_factory=dict)
    #: doccano 1.0-era exports: the project's label id -> label text
    label_table: Mapping[str, str] = field(default_factory=dict)
    #: Label Studio: read a task's predictions when it has no annotation
    predictions: bool = False
    #: Label Studio: a region of several labels is one span per label (``multi_label:
    #: split``), not an error
    split_multi_label: bool = False
    #: the dataset's entity labels (a label the mapping does not name passes when it is one)
    entity_labels: frozenset[str] = frozenset()
    #: the document label sets the dataset declares, with their labels
    doc_label_sets: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: where these options come from, for messages (``inputs.annotations[0]``)
    origin: str = "inputs.annotations[]"
    #: the most characters of its text a record's spans may quote in all
    #: (``limits.max_record_bytes``: see :class:`~.common.SpanChars`)
    max_span_chars: int = 16 * 2**20

    # -- labels ---------------------------------------------------------------------
    def map_label(self, label: Any) -> tuple[str | None, str | None]:
        """The dataset label for a tool's label, or None and why it has none.

        Without a mapping every label passes as it is (the label-set check names
        any that are not in the dataset's sets). With one, a label must be a key
        of the mapping, or already a dataset label (one of its values, an entity
        label, a document label, a quote label).
        """
        if not isinstance(label, str) or not label.strip():
            return None, f"label {label!r} is not a non-empty string"
        if not self.label_map:
            return label, None
        if label in self.label_map:
            return self.label_map[label], None
        if (
            label in self.label_map.values()
            or label in self.entity_labels
            or label.casefold() in QUOTE_LABELS
            or any(label in names for names in self.doc_label_sets.values())
        ):
            return label, None
        return None, (
            f"label {label!r} is not mapped by {self.origin}.labels"
            f" (mapped: {sorted(self.label_map)})"
        )

    @staticmethod
    def is_quote(label: str) -> bool:
        return label.casefold() in QUOTE_LABELS

    # -- document labels ------------------------------------------------------------
    def doc_label_set(self, control: str | None, value: str) -> tuple[str | None, str | None]:
        """Which document label set a choice fills: by the configured ``choices``,
        by the control's own name, else by the one declared set holding the value."""
        if control is not None:
            if control in self.choices:
                return self.choices[control], None
            if _norm(control) in DOC_LABEL_SETS:
                return _norm(control), None
        if not self.doc_label_sets:
            return "genre", None  # read without a configuration: the historical default
        holders = [n for n, names in self.doc_label_sets.items() if value in names]
        if len(holders) == 1:
            return holders[0], None
        where = f"control {control!r}" if control is not None else "a category without a prefix"
        if not holders:
            return None, (
                f"{where} chose {value!r}, which is in no declared document label set"
                f" ({', '.join(f'{n}: {list(v)}' for n, v in self.doc_label_sets.items()) or 'none declared'});"
                f" map it with {self.origin}.labels or name its set with {self.origin}.choices"
            )
        return None, (
            f"{where} chose {value!r}, which is in several label sets {holders};"
            f" name the set with {self.origin}.choices"
        )

    # -- relations ------------------------------------------------------------------
    def is_speaker_relation(self, labels: Sequence[Any]) -> bool:
        """Whether a relation with these labels says who spoke a quote."""
        names = {str(x).strip().casefold() for x in labels if x is not None}
        if self.speaker_relations is None:
            return not names or bool(names & DEFAULT_SPEAKER_RELATIONS)
        wanted = {x.casefold() for x in self.speaker_relations}
        return bool(names & wanted)

    def relation_hint(self) -> str:
        if self.speaker_relations is None:
            return (
                f"speaker relations are {sorted(DEFAULT_SPEAKER_RELATIONS)} or unlabelled"
                f" unless {self.origin}.speaker_relations says otherwise"
            )
        return f"speaker relations are {sorted(self.speaker_relations)} ({self.origin}.speaker_relations)"
