"""What a doccano line holds, for :mod:`.doccano`: its spans, relations and categories
from every export shape (``label``/``labels`` triples or categories, ``entities``
objects or triples, doccano 1.0's ``annotations`` with label ids, ``cats``), and
where each value is in the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..validate.report import json_pointer
from .common import RecordReport, SpanOrigin
from .doccano_offsets import RawSpan
from .options import DOC_LABEL_SETS, ImportOptions

__all__ = ["LineReport", "collect", "doc_labels", "span_origin", "table_label"]


def _is_triple_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, list) for v in value)


def _looks_like_spans(value: Any) -> bool:
    """A column whose value holds spans (triples, or objects with offsets)."""
    if not isinstance(value, list) or not value:
        return False
    return all(
        (isinstance(v, list) and len(v) == 3 and all(isinstance(x, int) for x in v[:2]))
        or (isinstance(v, Mapping) and ("start_offset" in v or "start" in v))
        for v in value
    )


class LineReport(RecordReport):
    """One doccano line being read: where it is, and the issues found so far."""

    rule = "doccano"

    def __init__(self, file: str, number: int, line: Mapping[str, Any]) -> None:
        super().__init__(file, number, line, kind="line")


def table_label(value: Any, options: ImportOptions, ln: LineReport, pointer: str) -> Any:
    """A doccano 1.0 label id as its label text (None when it cannot be)."""
    if isinstance(value, str) and not value.isdigit():
        return value  # already a name
    if not options.label_table:
        if not any(i.rule == "label-table" for i in ln.issues):  # once per line, not per span
            ln.add(
                f": label {value!r} is a doccano label id (doccano 1.0 export); give the"
                f" project's label table as {options.origin}.label_table (a mapping of ids to"
                " names, or the labels JSON exported from the project)",
                pointer=pointer,
                rule="label-table",
            )
        return None
    name = options.label_table.get(str(value))
    if name is None:
        ln.add(
            f": label id {value!r} is not in {options.origin}.label_table",
            pointer=pointer,
            rule="label-table",
        )
    return name


def collect(
    line: Mapping[str, Any], ln: LineReport, options: ImportOptions
) -> tuple[list[RawSpan], list[Any], list[tuple[Any, str]]]:
    """Spans, relations and categories (value, pointer) of a line, from every shape."""
    spans: list[RawSpan] = []
    cats: list[tuple[Any, str]] = []
    relations: list[Any] = []
    read: set[str] = set()
    entities = line.get("entities")
    if isinstance(entities, list):
        read.add("entities")
        for i, e in enumerate(entities):
            p = json_pointer("entities", i)
            if isinstance(e, Mapping):
                spans.append(
                    (
                        e.get("id", f"x{i}"),
                        e.get("start_offset"),
                        e.get("end_offset"),
                        e.get("label"),
                        p,
                    )
                )
            elif isinstance(e, list) and len(e) == 3:  # intent detection: [start, end, label]
                spans.append((i + 1, e[0], e[1], e[2], p))
            else:
                ln.add(
                    f": entities[{i}] is neither {{id, start_offset, end_offset, label}} nor [start, end, label]",
                    pointer=p,
                )
    for key in ("label", "labels"):
        value = line.get(key)
        if not isinstance(value, list):
            continue
        read.add(key)
        for i, v in enumerate(value):
            p = json_pointer(key, i)
            if isinstance(v, list):
                if len(v) != 3:
                    ln.add(f": {key}[{i}] is not [start, end, label]", pointer=p)
                    continue
                spans.append((len(spans) + 1, v[0], v[1], v[2], p))
            elif isinstance(v, str):
                cats.append((v, p))  # text classification
            else:
                ln.add(
                    f": {key}[{i}] is neither [start, end, label] nor a category name", pointer=p
                )
    annotations = line.get("annotations")
    if isinstance(annotations, list):
        read.add("annotations")
        users = [a.get("user") for a in annotations if isinstance(a, Mapping)]
        first = users[0] if users else None
        if len(set(map(str, users))) > 1:
            ln.add(
                f": annotations by {len(set(map(str, users)))} users; read user {first}'s and"
                " skipped the others (export one file per user to read theirs)",
                severity="warning",
            )
        for i, a in enumerate(annotations):
            p = json_pointer("annotations", i)
            if not isinstance(a, Mapping):
                ln.add(f": annotations[{i}] is not an object", pointer=p)
                continue
            if str(a.get("user")) != str(first):
                continue
            label = table_label(a.get("label"), options, ln, p + json_pointer("label"))
            if label is None:
                continue
            if "start_offset" in a or "end_offset" in a:
                spans.append(
                    (a.get("id", i + 1), a.get("start_offset"), a.get("end_offset"), label, p)
                )
            else:
                cats.append((label, p))
    for key in ("cats",):
        if key not in line:
            continue
        read.add(key)
        value = line[key]
        if value is None:
            ln.add(f": {key} is null ([] for none)", pointer=json_pointer(key))
            continue
        if not isinstance(value, list):
            value = [value]
        cats.extend((v, json_pointer(key, i)) for i, v in enumerate(value))
    if "relations" in line:
        read.add("relations")
        rels = line["relations"]
        if isinstance(rels, list):
            relations = rels
        else:
            what = "null; [] for none" if rels is None else type(rels).__name__
            ln.add(f": relations is not a list ({what})", pointer="/relations")
    for key in ("entities", "label", "labels", "annotations"):
        value = line.get(key)
        if key in line and not isinstance(value, list):
            # null too: doccano writes [] for a line without spans, so a null is an
            # edit gone wrong, and reading it as "no spans" would drop them unsaid
            what = "null; [] for none" if value is None else type(value).__name__
            ln.add(f": {key} is not a list ({what})", pointer=json_pointer(key))
    for key, value in line.items():
        if (
            key not in read
            and key not in ("meta", "Comments", "comments")
            and _looks_like_spans(value)
        ):
            ln.add(
                f": column {key!r} holds spans this importer does not read"
                " (spans are read from label, labels, entities and annotations)",
                pointer=json_pointer(key),
            )
    return spans, relations, cats


#: a category name of this many words is more likely a written text than a label
_TEXT_WORDS = 6


def _text_not_category(value: str) -> str:
    """A hint when a refused category reads as a text: a sequence-to-sequence project
    (summaries, translations) exports its texts in the same ``label`` list as a text
    classification project exports its categories, so only the words tell them apart."""
    if len(value.split()) < _TEXT_WORDS:
        return ""
    return (
        " (it reads as a text, not a category: a doccano sequence-to-sequence export"
        " holds written texts in label, which are no spans or document labels)"
    )


def doc_labels(
    cats: list[tuple[Any, str]],
    ln: LineReport,
    options: ImportOptions,
    origin: dict[str, str] | None = None,
) -> dict[str, str]:
    """The line's document labels; ``origin`` gets where each is in the line."""
    labels: dict[str, str] = {}
    origin = {} if origin is None else origin
    for value, pointer in cats:
        if not isinstance(value, str):
            ln.add(f": category {value!r} is not a string", pointer=pointer)
            continue
        prefix, sep, rest = value.partition(":")
        control: str | None = None
        if sep and (prefix.strip() in options.choices or prefix.strip() in DOC_LABEL_SETS):
            control, value = prefix.strip(), rest.strip()
        name, why = options.map_label(value)
        if name is None:
            ln.add(f": {why}", pointer=pointer, rule="label-map")
            continue
        label_set, why = options.doc_label_set(control, name)
        if label_set is None:
            ln.add(f": {why}{_text_not_category(value)}", pointer=pointer, rule="label-set")
            continue
        if labels.get(label_set, name) != name:
            ln.add(
                f": a second {label_set} ({name!r} after {labels[label_set]!r}); an article has"
                f" one{_text_not_category(value)}",
                pointer=pointer,
            )
            continue
        labels[label_set] = name
        origin[json_pointer("labels", label_set)] = pointer
    return labels


#: where a span's fields are in a ``[start, end, label]`` triple, or an object
_TRIPLE_FIELDS = {"start": "/0", "end": "/1", "label": "/2"}
_OBJECT_FIELDS = {"id": "/id", "start": "/start_offset", "end": "/end_offset", "label": "/label"}


def span_origin(line: Mapping[str, Any], pointer: str) -> SpanOrigin:
    """Where a span's values are in the line (a :data:`.common.SpanOrigin`)."""
    if pointer.startswith("/annotations/"):
        return pointer, _OBJECT_FIELDS, None
    if pointer.startswith("/entities/"):
        entity = line["entities"][int(pointer.rsplit("/", 1)[1])]
        return pointer, _TRIPLE_FIELDS if isinstance(entity, list) else _OBJECT_FIELDS, None
    return pointer, _TRIPLE_FIELDS, None
