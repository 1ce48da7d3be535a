"""doccano JSONL exports, read as native records (format ``doccano``).

One line per article. Both span exports are read:

* sequence labeling: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``
  (older exports call the list ``labels``);
* relation extraction: ``{"text": ..., "entities": [{"id", "start_offset",
  "end_offset", "label"}], "relations": [{"from_id", "to_id", "type"}]}``.

A span labelled ``QUOTE`` (or ``QUOTATION``) is a quote, any other label an
entity type; a relation between a quote and an entity makes the entity the
quote's speaker. Document labels come from ``cats`` (or, in a text
classification export, a ``label`` list of strings): ``genre:analysis`` or
``text_form:cased`` fill that label, a bare label fills ``genre``.

The article id is the line's ``article_id`` (doccano keeps the extra columns of
the file the texts were imported from, so import them with that column), else
``meta.article_id``, else a string ``id``.

Offsets: doccano's frontend counts UTF-16 code units (doccano/doccano#2290), or
grapheme clusters when the project counts grapheme clusters as one character;
:func:`read_doccano` converts them to code points over the line's ``text``
(default ``utf-16``; pass ``offsets="graphemes"`` or ``"code-points"`` otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from ..validate.report import Issue
from .common import (
    DOC_LABELS,
    QUOTE_LABELS,
    OffsetConverter,
    OffsetError,
    build_record,
    iter_tasks,
    span_id,
)

__all__ = ["line_to_record", "read_doccano"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]


def _doc_labels(values: Any) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value in values or []:
        name, sep, label = str(value).partition(":")
        if sep and name.strip() in DOC_LABELS:
            labels[name.strip()] = label.strip()
        else:
            labels["genre"] = str(value)
    return labels


def _spans(line: Mapping[str, Any]) -> tuple[list[tuple[Any, Any, Any, Any, str]], list[Any]] | str:
    """(id, start, end, label, pointer) of every span, and the relations; or what is wrong."""
    if isinstance(line.get("entities"), list):
        spans = []
        for i, e in enumerate(line["entities"]):
            if not isinstance(e, Mapping):
                return f"entities[{i}] is not an object"
            spans.append(
                (
                    e.get("id", i),
                    e.get("start_offset"),
                    e.get("end_offset"),
                    e.get("label"),
                    f"/entities/{i}",
                )
            )
        return spans, list(line.get("relations") or [])
    for key in ("label", "labels"):
        value = line.get(key)
        if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
            spans = []
            for i, v in enumerate(value):
                if len(v) != 3:
                    return f"{key}[{i}] is not [start, end, label]"
                spans.append((i + 1, v[0], v[1], v[2], f"/{key}/{i}"))
            return spans, []
    return [], []


def line_to_record(line: Any, number: int, file: str, *, offsets: str = "utf-16") -> Result:
    """One exported line as a native record (or None and the issues)."""
    base = {"file": file, "line": number}
    if not isinstance(line, Mapping):
        return (
            number,
            None,
            [Issue(**base, rule="doccano", message=f"line {number} is not a JSON object")],
        )
    meta = line.get("meta") if isinstance(line.get("meta"), Mapping) else {}
    article_id = line.get("article_id", meta.get("article_id"))
    if article_id is None and isinstance(line.get("id"), str):
        article_id = line["id"]
    tag = f"line {number}" + (f" (id {line['id']})" if "id" in line else "")
    if not isinstance(article_id, str):
        return (
            number,
            None,
            [
                Issue(
                    **base,
                    rule="doccano",
                    message=f"{tag} has no article_id naming its article (import the texts with an article_id column)",
                )
            ],
        )
    where = {**base, "record": article_id}
    text = line.get("text")
    if not isinstance(text, str):
        return number, None, [Issue(**where, rule="doccano", message=f"{tag} has no text")]
    found = _spans(line)
    if isinstance(found, str):
        return number, None, [Issue(**where, rule="doccano", message=f"{tag}: {found}")]
    raw_spans, relations = found
    convert = OffsetConverter(text, offsets)
    issues: list[Issue] = []
    used: set[str] = set()
    by_id: dict[str, dict[str, Any]] = {}
    for sid, start, end, label, pointer in raw_spans:
        stag = f"{tag}, span {sid}"
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            issues.append(
                Issue(
                    **where,
                    pointer=pointer,
                    rule="span-offsets",
                    message=f"{stag}: offsets must be integers",
                )
            )
            continue
        try:
            s, e = convert.to_code_points(start), convert.to_code_points(end)
        except OffsetError as exc:
            issues.append(
                Issue(**where, pointer=pointer, rule="span-offsets", message=f"{stag}: {exc}")
            )
            continue
        if s >= e:
            issues.append(
                Issue(
                    **where,
                    pointer=pointer,
                    rule="span-offsets",
                    message=f"{stag}: start {start} is not before end {end}",
                )
            )
            continue
        is_quote = str(label).casefold() in QUOTE_LABELS
        span: dict[str, Any] = {
            "_kind": "quotes" if is_quote else "entities",
            "id": span_id(sid, "q" if is_quote else "e", used),
            "start": s,
            "end": e,
            "text": text[s:e],
        }
        if is_quote:
            span["speaker"] = None
        else:
            span["label"] = str(label)
        by_id[str(sid)] = span
    if issues:
        return number, None, issues
    for i, rel in enumerate(relations):
        if not isinstance(rel, Mapping):
            continue
        ends = [by_id.get(str(rel.get("from_id"))), by_id.get(str(rel.get("to_id")))]
        rtag = f"{tag}, relation {rel.get('id', i)}"
        if any(e is None for e in ends):
            issues.append(
                Issue(
                    **where,
                    pointer=f"/relations/{i}",
                    rule="doccano",
                    message=f"{rtag}: links an entity id that is not in this line",
                )
            )
            continue
        quote = next((e for e in ends if e and e["_kind"] == "quotes"), None)
        speaker = next((e for e in ends if e and e["_kind"] == "entities"), None)
        if quote is None or speaker is None:
            continue
        if quote["speaker"] not in (None, speaker["id"]):
            issues.append(
                Issue(
                    **where,
                    pointer=f"/relations/{i}",
                    rule="doccano",
                    message=f"{rtag}: quote {quote['id']} already has speaker {quote['speaker']}",
                )
            )
            continue
        quote["speaker"] = speaker["id"]
    if issues:
        return number, None, issues  # relations to failed spans would only repeat them
    cats = line.get("cats")
    if (
        cats is None
        and isinstance(line.get("label"), list)
        and all(isinstance(v, str) for v in line["label"])
    ):
        cats = line["label"]  # a text classification export
    annotator = line.get("user") or line.get("annotator")
    record = build_record(
        article_id=article_id,
        text=text,
        annotator={
            "kind": "human",
            "name": f"doccano annotator {annotator}" if annotator is not None else "doccano",
            "note": f"Imported from the doccano export {file}.",
        },
        entities=[
            {k: v for k, v in s.items() if k != "_kind"}
            for s in by_id.values()
            if s["_kind"] == "entities"
        ],
        quotes=[
            {k: v for k, v in s.items() if k != "_kind"}
            for s in by_id.values()
            if s["_kind"] == "quotes"
        ],
        labels=_doc_labels(cats),
    )
    return number, record, []


def read_doccano(path: Path, *, offsets: str = "utf-16") -> Iterator[Result]:
    """Read a doccano JSONL export; one native record per line."""
    convert = partial(line_to_record, file=path.name, offsets=offsets)
    for task in iter_tasks(path):
        if task.issues or task.data is None:
            yield task.number, None, task.issues
            continue
        yield convert(task.data, task.number)
