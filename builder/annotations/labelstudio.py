"""Label Studio JSON exports, read as native records (format ``label-studio``).

One task per article. What is read:

* the article id: ``data.article_id``, else ``data.id`` (a string); the text the
  annotator saw: ``data.text`` (used to convert offsets and to record each span's
  quote selector);
* the annotation: the task's non-cancelled annotation marked ``ground_truth``,
  else its most recently updated one (others are skipped with a warning);
  predictions are not read;
* ``labels`` results (``value.start``, ``value.end``, ``value.text``,
  ``value.labels``): a span labelled ``QUOTE`` (or ``QUOTATION``) is a quote,
  any other label is an entity type;
* ``relation`` results between a quote and an entity: the entity is the quote's
  speaker (either direction);
* ``choices`` results: document labels; a control named ``genre`` or
  ``text_form`` fills that label, any other fills ``genre``;
* the annotator: ``completed_by`` (its id only, never an e-mail address).

Offsets: Label Studio's frontend counted UTF-16 code units in older releases
(HumanSignal/label-studio#1347, fixed by label-studio-frontend#308 to store code
points). Each span's ``value.text`` says which: offsets are taken as code points
when the text matches there, converted from UTF-16 when it matches that way, and
rejected otherwise. Without ``value.text`` they are taken as code points.
The JSON-MIN export (flat tasks with a ``label`` list of spans) is read too.

Every problem names the file, the task (its number in the file and its id) and
the annotation result.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..validate.report import Issue
from .common import (
    QUOTE_LABELS,
    OffsetConverter,
    OffsetError,
    build_record,
    iter_tasks,
    span_id,
)

__all__ = ["read_label_studio", "task_to_record"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]


def _pick_annotation(
    task: Mapping[str, Any], where: dict[str, Any], tag: str
) -> tuple[int | None, Mapping[str, Any] | None, list[Issue]]:
    annotations = task.get("annotations")
    if annotations is None and isinstance(task.get("label"), list):  # JSON-MIN export
        spans = [
            {"id": f"m{i}", "type": "labels", "value": v}
            for i, v in enumerate(task["label"])
            if isinstance(v, Mapping)
        ]
        return None, {"result": spans, "completed_by": task.get("annotator")}, []
    if not isinstance(annotations, list):
        return (
            None,
            None,
            [Issue(**where, rule="label-studio", message=f"{tag} has no annotations list")],
        )
    usable = [
        (i, a)
        for i, a in enumerate(annotations)
        if isinstance(a, Mapping) and not a.get("was_cancelled")
    ]
    if not usable:
        return (
            None,
            None,
            [
                Issue(
                    **where,
                    rule="label-studio",
                    message=f"{tag} has no annotation that was not cancelled",
                )
            ],
        )
    usable.sort(
        key=lambda ia: (
            bool(ia[1].get("ground_truth")),
            str(ia[1].get("updated_at") or ia[1].get("created_at") or ""),
            ia[0],
        )
    )
    k, chosen = usable[-1]
    issues = []
    if len(usable) > 1:
        issues.append(
            Issue(
                **where,
                rule="label-studio",
                severity="warning",
                message=f"{tag} has {len(usable)} annotations; read annotation {chosen.get('id')}"
                " (ground truth, else the latest) and skipped the others",
            )
        )
    return k, chosen, issues


def _offsets(value: Mapping[str, Any], text: str | None) -> tuple[int, int] | str:
    """Code-point offsets of a labels result, or the reason they cannot be used."""
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return "value.start and value.end must be integers"
    if start >= end:
        return f"value.start {start} is not before value.end {end}"
    quote = value.get("text")
    if text is None:
        return start, end
    if not isinstance(quote, str) or text[start:end] == quote:
        if end > len(text):
            return f"value.end {end} is past the end of data.text ({len(text)} characters)"
        return start, end
    try:
        utf16 = OffsetConverter(text, "utf-16")
        s, e = utf16.to_code_points(start), utf16.to_code_points(end)
    except OffsetError:
        s = e = -1
    if s >= 0 and text[s:e] == quote:
        return s, e
    return (
        f"value.text {quote!r} is not at [{start}, {end}) of data.text, counted in code points"
        f" ({text[start:end]!r}) or in UTF-16 units"
    )


def task_to_record(task: Any, number: int, file: str) -> Result:
    """One exported task as a native record (or None and the issues)."""
    base = {"file": file, "line": number}
    if not isinstance(task, Mapping):
        return (
            number,
            None,
            [Issue(**base, rule="label-studio", message=f"task {number} is not a JSON object")],
        )
    data = task.get("data") if isinstance(task.get("data"), Mapping) else task
    tag = f"task {number}" + (f" (id {task['id']})" if "id" in task else "")
    article_id = data.get("article_id")
    if article_id is None and isinstance(data.get("id"), str):
        article_id = data["id"]
    if not isinstance(article_id, str):
        return (
            number,
            None,
            [
                Issue(
                    **base,
                    rule="label-studio",
                    message=f"{tag} has no data.article_id (or string data.id) naming its article",
                )
            ],
        )
    where = {**base, "record": article_id}
    text = data.get("text") if isinstance(data.get("text"), str) else None
    k, annotation, issues = _pick_annotation(task, where, tag)
    if annotation is None:
        return number, None, issues
    results = annotation.get("result")
    if not isinstance(results, list):
        return (
            number,
            None,
            [
                *issues,
                Issue(
                    **where,
                    rule="label-studio",
                    message=f"{tag}: annotation {annotation.get('id')} has no result list",
                ),
            ],
        )
    prefix = f"/annotations/{k}/result" if k is not None else "/label"

    used: set[str] = set()
    spans: dict[str, dict[str, Any]] = {}  # region id -> native span (with "_kind")
    labels: dict[str, str] = {}
    relations: list[tuple[int, Mapping[str, Any]]] = []
    failed: set[str] = set()  # regions already reported
    for j, res in enumerate(results):
        if not isinstance(res, Mapping):
            continue
        kind = res.get("type")
        value = res.get("value") if isinstance(res.get("value"), Mapping) else {}
        rtag = f"{tag}, annotation {annotation.get('id')}, result {res.get('id', j)}"
        pointer = f"{prefix}/{j}"
        if kind == "relation":
            relations.append((j, res))
        elif kind == "choices":
            name = str(res.get("from_name", "")).lower().replace("-", "_")
            for choice in value.get("choices") or []:
                labels["text_form" if name in ("text_form", "textform") else "genre"] = str(choice)
        elif kind == "labels" or (kind is None and "labels" in value):
            names = value.get("labels") or []
            failed.add(str(res.get("id", j)))
            if len(names) != 1:
                issues.append(
                    Issue(
                        **where,
                        pointer=pointer,
                        rule="label-studio",
                        message=f"{rtag}: a span needs exactly one label, got {names!r}",
                    )
                )
                continue
            found = _offsets(value, text)
            if isinstance(found, str):
                issues.append(
                    Issue(**where, pointer=pointer, rule="span-offsets", message=f"{rtag}: {found}")
                )
                continue
            start, end = found
            label = str(names[0])
            is_quote = label.casefold() in QUOTE_LABELS
            span: dict[str, Any] = {
                "_kind": "quotes" if is_quote else "entities",
                "id": span_id(res.get("id", j), "", used),
                "start": start,
                "end": end,
                "text": text[start:end] if text is not None else value.get("text"),
            }
            if is_quote:
                span["speaker"] = None
            else:
                span["label"] = label
            spans[str(res.get("id", j))] = span
            failed.discard(str(res.get("id", j)))
        else:
            issues.append(
                Issue(
                    **where,
                    pointer=pointer,
                    rule="label-studio",
                    severity="warning",
                    message=f"{rtag}: result type {kind!r} is not read",
                )
            )

    for j, rel in relations:
        ids = [str(rel.get("from_id")), str(rel.get("to_id"))]
        ends = [spans.get(i) for i in ids]
        rtag = f"{tag}, annotation {annotation.get('id')}, relation {j}"
        if any(i in failed for i in ids):
            continue  # its span was reported already
        if any(e is None for e in ends):
            issues.append(
                Issue(
                    **where,
                    pointer=f"{prefix}/{j}",
                    rule="label-studio",
                    message=f"{rtag}: links a region that is not a span of this annotation",
                )
            )
            continue
        quote = next((e for e in ends if e and e["_kind"] == "quotes"), None)
        speaker = next((e for e in ends if e and e["_kind"] == "entities"), None)
        if quote is None or speaker is None:
            continue  # a relation between two entities or two quotes: not a speaker
        if quote["speaker"] not in (None, speaker["id"]):
            issues.append(
                Issue(
                    **where,
                    pointer=f"{prefix}/{j}",
                    rule="label-studio",
                    message=f"{rtag}: quote {quote['id']} already has speaker {quote['speaker']}",
                )
            )
            continue
        quote["speaker"] = speaker["id"]

    if any(i.severity == "error" for i in issues):
        return number, None, issues
    who = annotation.get("completed_by")
    who_id = who.get("id") if isinstance(who, Mapping) else who
    record = build_record(
        article_id=article_id,
        text=text,
        annotator={
            "kind": "human",
            "name": f"Label Studio annotator {who_id}" if who_id is not None else "Label Studio",
            "note": f"Imported from the Label Studio export {file}.",
        },
        entities=[
            {k2: v for k2, v in s.items() if k2 != "_kind"}
            for s in spans.values()
            if s["_kind"] == "entities"
        ],
        quotes=[
            {k2: v for k2, v in s.items() if k2 != "_kind"}
            for s in spans.values()
            if s["_kind"] == "quotes"
        ],
        labels=labels,
    )
    return number, record, issues


def read_label_studio(path: Path) -> Iterator[Result]:
    """Read a Label Studio JSON (or JSON-MIN) export; one native record per task."""
    for task in iter_tasks(path):
        if task.issues or task.data is None:
            yield task.number, None, task.issues
            continue
        yield task_to_record(task.data, task.number, path.name)
