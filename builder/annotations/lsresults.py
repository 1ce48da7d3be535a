"""One Label Studio annotation's results read into spans and document labels, for
:mod:`.labelstudio`.

:class:`TaskRead` holds what a task's results have made so far (its spans, its document
labels, the regions already reported) and reads each kind of result with a method of its
own: ``choices`` are document labels (a per-region choice is passed over), ``labels``
are spans, region kinds whose positions are not text offsets are refused, and
``relation`` results link a quote to its speaker once every span is known, as a relation
may come before the regions it links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..validate.report import json_pointer
from .common import SpanChars, span_id
from .lsregions import JSON_FIELDS, MIN_FIELDS, fields_of_label, region_labels
from .lstasks import TaskReport, is_region_kind, other_field, span_offsets
from .options import ImportOptions

__all__ = ["TaskRead"]


class _Result(NamedTuple):
    """One result being read, and how messages name and locate it."""

    #: its place in the result list (its id when it has none)
    j: int
    res: Mapping[str, Any]
    value: Mapping[str, Any]
    #: the region id relations name
    rid: str
    rtag: str
    pointer: str


@dataclass
class TaskRead:
    """The results of one annotation (or prediction) of a task, read in order.

    A span is kept as a native span with ``_kind`` (``quotes`` or ``entities``) until the
    record is made; a region whose result was reported is in ``failed``, so a relation
    naming it is not reported a second time.
    """

    t: TaskReport
    options: ImportOptions
    #: a JSON task (else JSON-MIN, whose items are the values and hold no relations)
    is_json: bool
    #: the JSON pointer of the result list (``""`` in JSON-MIN)
    prefix: str
    #: how messages name the annotation (``, annotation 7`` or the prediction's model)
    who_tag: str
    data: Mapping[str, Any]
    #: the data key of the text, and the text (None: not in the export)
    key: str
    text: str | None
    #: the file reference given in the text's place, if any
    url: str | None
    used: set[str] = field(default_factory=set)
    chars: SpanChars = field(init=False)
    #: region id -> its first native span (with ``_kind``): what relations link
    spans: dict[str, dict[str, Any]] = field(default_factory=dict)
    all_spans: list[dict[str, Any]] = field(default_factory=list)
    #: document label set -> label
    labels: dict[str, str] = field(default_factory=dict)
    #: document label set (a JSON pointer into the record) -> its choices result
    label_origin: dict[str, str] = field(default_factory=dict)
    relations: list[tuple[int, Mapping[str, Any]]] = field(default_factory=list)
    #: regions already reported
    failed: set[str] = field(default_factory=set)
    #: regions of several labels read as one span each (multi_label: split)
    split: int = 0

    def __post_init__(self) -> None:
        self.chars = SpanChars(self.options.max_span_chars)

    def read(self, results: list[Any]) -> None:
        """Read every result, then the speaker relations between the spans they made."""
        for j, res in enumerate(results):
            if not self._read_result(j, res):
                break  # the record's spans quote too much of its text: no more are read
        if self.split:
            self.t.add(
                f"{self.who_tag}: {self.split} region(s) with several labels read as one span"
                f" per label, at the same offsets ({self.options.origin}.multi_label: split)",
                pointer=self.prefix,
                severity="warning",
            )
        for j, rel in self.relations:
            self._link_speaker(j, rel)

    def native_spans(self, kind: str) -> list[dict[str, Any]]:
        """The record's spans of ``kind`` (``entities`` or ``quotes``), in result order."""
        return [
            {k2: v for k2, v in s.items() if k2 != "_kind"}
            for s in self.all_spans
            if s["_kind"] == kind
        ]

    def _pointer(self, j: int, res: Any) -> str:
        """Where result ``j`` is: in the result list, or (JSON-MIN) at its control's key."""
        if self.is_json:
            return self.prefix + json_pointer(j)
        return res.get("_pointer", json_pointer(str(res.get("from_name", ""))))

    def _read_result(self, j: int, res: Any) -> bool:
        """Read result ``j`` by its type; False when the record's spans went over the
        size limit, so that no later result is read."""
        pointer = self._pointer(j, res)
        if not isinstance(res, Mapping):
            self.t.add(
                f"{self.who_tag}: result {j} is not an object ({res!r:.40})", pointer=pointer
            )
            return True
        rid = str(res.get("id", j))
        rtag = f"{self.who_tag}, result {res.get('id', j)}"
        raw_kind = res.get("type")
        if raw_kind is not None and not isinstance(raw_kind, str):
            # A type Label Studio did not write: the region may be a span, so it is not
            # passed over as an unread kind of result.
            self.t.add(
                f"{rtag}: result type must be a string, got {raw_kind!r:.40}", pointer=pointer
            )
            self.failed.add(rid)
            return True
        kind = (raw_kind or "").lower()
        value = res.get("value")
        if kind == "relation":
            self.relations.append((j, res))  # linked once every span is read
            return True
        if not isinstance(value, Mapping):
            self.t.add(f"{rtag}: value is not an object ({value!r:.40})", pointer=pointer)
            self.failed.add(rid)
            return True
        r = _Result(j, res, value, rid, rtag, pointer)
        if kind == "choices":
            self._read_choices(r)
        elif is_region_kind(kind, value):
            self.t.add(
                f"{rtag}: {kind} regions are not offsets into a plain text; label the text"
                " with <Labels> on a <Text> object",
                pointer=pointer,
            )
            self.failed.add(rid)
        elif kind == "labels" or (kind == "" and "labels" in value):
            return self._read_span(r)
        else:
            self.t.add(
                f"{rtag}: result type {kind or None!r} is not read",
                pointer=pointer,
                severity="warning",
            )
        return True

    def _read_choices(self, r: _Result) -> None:
        """A choices result on the whole text: its choices are document labels."""
        if any(k in r.value for k in ("start", "end")):
            # A perRegion choice (``<Choices perRegion="true">``): Label Studio writes it
            # with the region's id and offsets; it says something of that span, not of
            # the document, so it fills no document label.
            self.t.add(
                f"{r.rtag}: a per-region choice of control {r.res.get('from_name')!r} (an"
                " attribute of the span at its offsets) is not read; document labels come"
                " from choices on the whole text",
                pointer=r.pointer,
                severity="warning",
            )
            return
        choices = r.value.get("choices")
        if isinstance(choices, str):
            choices = [choices]
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            self.t.add(
                f"{r.rtag}: choices must be a list of strings, got {choices!r:.60}",
                pointer=r.pointer,
            )
            return
        control = r.res.get("from_name")
        for choice in choices:
            self._read_choice(r, choice, control if isinstance(control, str) else None)

    def _read_choice(self, r: _Result, choice: str, control: str | None) -> None:
        """One choice as the document label of the set it belongs to; an article has
        one label of each set, so a second, different one is an error."""
        name, why = self.options.map_label(choice)
        if name is None:
            self.t.add(f"{r.rtag}: {why}", pointer=r.pointer, rule="label-map")
            return
        label_set, why = self.options.doc_label_set(control, name)
        if label_set is None:
            self.t.add(f"{r.rtag}: {why}", pointer=r.pointer, rule="label-set")
            return
        if self.labels.get(label_set, name) != name:
            self.t.add(
                f"{r.rtag}: a second {label_set} ({name!r} after {self.labels[label_set]!r});"
                " an article has one",
                pointer=r.pointer,
            )
            return
        self.labels[label_set] = name
        value_at = "/value" if self.is_json else ""  # JSON-MIN's items are the values
        self.label_origin[json_pointer("labels", label_set)] = f"{r.pointer}{value_at}/choices"

    def _read_span(self, r: _Result) -> bool:
        """A labels result: one span per label of the region (one unless split); False
        when it takes the record's spans over the size limit."""
        self.failed.add(r.rid)  # until it is read
        names = region_labels(r.value.get("labels"), r.rtag, r.pointer, self.t, self.options)
        if names is None:
            return True
        found = self._offsets(r)
        if found is None:
            return True
        start, end = found
        if self.text is not None and any(self.chars.over(start, end) for _ in names):
            self.t.add(f"{r.rtag}{self.chars.message()}", pointer=r.pointer, rule="size-limit")
            return False
        if len(names) > 1:
            self.split += 1
        for place, label in names:
            span = self._span(r, start, end, place, label)
            # Two controls labelling one region give two results with its id (and a
            # region of several labels, split, one span per label): all are kept, and
            # relations name the first.
            self.spans.setdefault(r.rid, span)
            self.all_spans.append(span)
        self.failed.discard(r.rid)
        return True

    def _offsets(self, r: _Result) -> tuple[int, int] | None:
        """A span's code-point offsets, or None when they cannot be read (reported)."""
        found = span_offsets(r.value, self.text, self.key)
        if isinstance(found, str):
            self.t.add(
                f"{r.rtag}: {found}{other_field(r.res, r.value, self.data, self.key)}",
                pointer=r.pointer,
                rule="span-offsets",
            )
            return None
        if self.text is None and not isinstance(r.value.get("text"), str):
            # Neither the text nor the span's text is in the export (``<Text
            # valueType="url">`` saves no value.text unless saveTextResult="yes"): the
            # offsets could not be checked, nor re-anchored, nor their unit known.
            self.t.add(
                f"{r.rtag}: the span has no value.text and the task no text to read it from"
                f" (data.{self.key} {'is a file reference' if self.url else 'is missing'}):"
                ' export with the text inline, or set saveTextResult="yes" on the <Text> and'
                " re-export",
                pointer=r.pointer,
                rule="span-offsets",
            )
            return None
        return found

    def _span(self, r: _Result, start: int, end: int, place: int, label: str) -> dict[str, Any]:
        """The native span a region's label at ``place`` makes: a quote (its speaker
        linked later) or an entity; ``_origin`` says where its fields are in the export."""
        is_quote = self.options.is_quote(label)
        span: dict[str, Any] = {
            "_kind": "quotes" if is_quote else "entities",
            "id": span_id(r.res.get("id", r.j), "", self.used),
            "start": start,
            "end": end,
            "text": self.text[start:end] if self.text is not None else r.value.get("text"),
            "_origin": (
                r.pointer,
                (JSON_FIELDS if self.is_json else MIN_FIELDS)
                if place == 0
                else fields_of_label(self.is_json, place),
                None,
            ),
        }
        if is_quote:
            span["speaker"] = None
        else:
            span["label"] = label
        return span

    def _link_speaker(self, j: int, rel: Mapping[str, Any]) -> None:
        """A speaker relation between a quote and an entity makes the entity the quote's
        speaker; any other relation is reported and not read."""
        ids = [str(rel.get("from_id")), str(rel.get("to_id"))]
        rtag = f"{self.who_tag}, relation {j}"
        pointer = self.prefix + json_pointer(j)
        rel_labels = rel.get("labels") or []
        if not isinstance(rel_labels, list):
            rel_labels = [rel_labels]
        if not self.options.is_speaker_relation(rel_labels):
            self.t.add(
                f"{rtag}: relation {rel_labels} is not a speaker relation and is not read"
                f" ({self.options.relation_hint()})",
                pointer=pointer,
                rule="relation",
                severity="warning",
            )
            return
        if any(i in self.failed for i in ids):
            return  # its span was reported already
        ends = [self.spans.get(i) for i in ids]
        if any(e is None for e in ends):
            self.t.add(
                f"{rtag}: links a region that is not a span of this annotation", pointer=pointer
            )
            return
        quote = next((e for e in ends if e and e["_kind"] == "quotes"), None)
        speaker = next((e for e in ends if e and e["_kind"] == "entities"), None)
        if quote is None or speaker is None:
            self.t.add(
                f"{rtag}: a speaker relation {rel_labels} links two "
                f"{'quotes' if quote else 'entities'}, not a quote and an entity; not read",
                pointer=pointer,
                rule="relation",
                severity="warning" if not rel_labels else "error",
            )
            return
        if quote["speaker"] not in (None, speaker["id"]):
            self.t.add(
                f"{rtag}: quote {quote['id']} already has speaker {quote['speaker']}",
                pointer=pointer,
            )
            return
        quote["speaker"] = speaker["id"]
        quote["_origin"] = (*quote["_origin"][:2], pointer)
