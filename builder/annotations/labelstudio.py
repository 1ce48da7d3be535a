"""Label Studio exports, read as native records (format ``label-studio``).

One task per article; both export shapes are read:

* **JSON** (Label Studio's own format): ``{"id", "data": {...}, "annotations":
  [{"id", "result": [...], "completed_by", "was_cancelled", "ground_truth"}],
  "predictions": [{"model_version", "result"}]}`` (``completions`` in exports
  older than 1.0);
* **JSON-MIN** (``label_studio_sdk``'s converter): the task's ``data`` keys at
  the top level, one key per control holding its results (span controls: a list
  of ``{start, end, text, labels}``; a choices control with one choice: the bare
  string, else ``{"choices": [...]}``), plus ``id``, ``annotator``,
  ``annotation_id`` and timestamps. JSON-MIN carries no relations, so quotes
  read from it have no speaker.

What is read:

* the article id: ``data.article_id``, else a string ``data.id``; the text the
  annotator saw: ``data[text_key]`` (``text_key`` from the entry, else the
  ``<Text value="$key">`` the span controls label in ``label_config``, else
  ``text``). Offsets are checked against it, and its sha256 recorded;
* the annotation: the non-cancelled one marked ``ground_truth``, else the most
  recently updated (others are skipped with a warning). Predictions only with
  ``predictions: true``, when a task has no annotation; the record is then
  marked ``kind: model`` with the prediction's ``model_version``;
* ``labels`` results (any control name): a span labelled ``QUOTE`` (after the
  entry's ``labels`` mapping) is a quote, any other label an entity type;
* ``choices`` results (any control name): document labels; the set is named by
  the entry's ``choices``, else by a control called ``genre``/``text_form``,
  else by the one declared set that holds the value;
* ``relation`` results whose labels are speaker relations (``speaker_relations``)
  between a quote and an entity make the entity the quote's speaker; other
  relations are reported (warning) and not read;
* the annotator: ``completed_by`` (its id only, never an e-mail address).

Offsets: Label Studio's frontend counted UTF-16 code units in older releases
(HumanSignal/label-studio#1347, fixed by label-studio-frontend#308 to store code
points). Each span's ``value.text`` says which: offsets are taken as code points
when the text matches there, converted from UTF-16 when it matches that way, and
rejected otherwise.

Anything else is reported with the file, the task (its number in the file and
its id) and the result: a result that is not an object, a region type whose
offsets are not text positions, a choice no declared set holds, a label the
mapping does not know. An unknown result type that holds no span is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..validate.report import Issue
from .common import OffsetConverter, OffsetError, build_record, iter_tasks, span_id
from .options import ImportOptions

__all__ = ["read_label_studio", "task_to_record"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]

#: Keys ``label_studio_sdk``'s JSON-MIN converter adds beside the task data.
_MIN_META = {
    "id",
    "annotator",
    "annotation_id",
    "created_at",
    "updated_at",
    "lead_time",
    "agreement",
}
#: Region result types whose positions are not offsets into a plain text.
_UNREADABLE_REGIONS = {"hypertextlabels", "paragraphlabels", "taxonomy"}


class _Task:
    """One task being read: where it is, and the issues found so far."""

    def __init__(self, file: str, number: int, task: Mapping[str, Any]) -> None:
        self.file = file
        self.number = number
        self.tag = f"task {number}" + (f" (id {task['id']})" if "id" in task else "")
        self.record: str | None = None
        self.issues: list[Issue] = []

    def add(
        self,
        message: str,
        *,
        pointer: str = "",
        rule: str = "label-studio",
        severity: str = "error",
    ) -> None:
        self.issues.append(
            Issue(
                file=self.file,
                line=self.number,
                record=self.record,
                pointer=pointer,
                rule=rule,
                severity=severity,
                message=f"{self.tag}{message}",
            )
        )

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def _pick_annotation(
    task: Mapping[str, Any], t: _Task, options: ImportOptions
) -> tuple[str, Mapping[str, Any] | None]:
    """(JSON pointer of the chosen annotation, the annotation) or (``""``, None)."""
    key = "annotations" if "annotations" in task else "completions"
    annotations = task.get(key)
    if annotations is not None and not isinstance(annotations, list):
        t.add(f": {key} is not a list", pointer=f"/{key}")
        return "", None
    usable = [
        (i, a)
        for i, a in enumerate(annotations or [])
        if isinstance(a, Mapping) and not a.get("was_cancelled") and not a.get("skipped")
    ]
    for i, a in enumerate(annotations or []):
        if not isinstance(a, Mapping):
            t.add(f": {key}[{i}] is not an object ({a!r:.40})", pointer=f"/{key}/{i}")
    if usable:
        usable.sort(
            key=lambda ia: (
                bool(ia[1].get("ground_truth")),
                str(ia[1].get("updated_at") or ia[1].get("created_at") or ""),
                ia[0],
            )
        )
        k, chosen = usable[-1]
        if len(usable) > 1:
            t.add(
                f" has {len(usable)} annotations; read annotation {chosen.get('id')}"
                " (ground truth, else the latest) and skipped the others",
                severity="warning",
            )
        return f"/{key}/{k}", chosen
    predictions = task.get("predictions")
    readable = (
        [(i, p) for i, p in enumerate(predictions or []) if isinstance(p, Mapping)]
        if isinstance(predictions, list)
        else []
    )
    if readable and options.predictions:
        readable.sort(key=lambda ip: (str(ip[1].get("created_at") or ""), ip[0]))
        k, chosen = readable[-1]
        return f"/predictions/{k}", {**chosen, "_prediction": True}
    hint = (
        f"; it has {len(readable)} prediction(s), read only with {options.origin}.predictions: true"
        if readable
        else ""
    )
    drafts = task.get("drafts")
    if isinstance(drafts, list) and drafts:
        hint += f"; it has {len(drafts)} draft(s), never read: submit them in Label Studio"
    if annotations is None and not readable:
        t.add(" has no annotations list (nor predictions): not a Label Studio JSON task")
    else:
        t.add(f" has no annotation that was not cancelled{hint}")
    return "", None


def _offsets(value: Mapping[str, Any], text: str | None, key: str) -> tuple[int, int] | str:
    """Code-point offsets of a labels result, or the reason they cannot be used."""
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return f"value.start and value.end must be integers, got {start!r} and {end!r}"
    if start >= end:
        return f"value.start {start} is not before value.end {end}"
    quote = value.get("text")
    if text is None:
        return start, end
    if not isinstance(quote, str) or text[start:end] == quote:
        if end > len(text):
            return f"value.end {end} is past the end of data.{key} ({len(text)} characters)"
        return start, end
    try:
        utf16 = OffsetConverter(text, "utf-16")
        s, e = utf16.to_code_points(start), utf16.to_code_points(end)
    except OffsetError:
        s = e = -1
    if s >= 0 and text[s:e] == quote:
        return s, e
    return (
        f"value.text {quote!r} is not at [{start}, {end}) of data.{key}, counted in code points"
        f" ({text[start:end]!r}) or in UTF-16 units"
    )


def _min_results(
    task: Mapping[str, Any], t: _Task, options: ImportOptions, data_keys: set[str]
) -> list[Any]:
    """A JSON-MIN task's control keys as JSON results (``from_name``, ``type``, ``value``)."""
    results: list[Any] = []
    for key, value in task.items():
        if key in _MIN_META or key in data_keys:
            continue
        kind = options.controls.get(key)
        items = value if isinstance(value, list) else [value]
        if kind is None:
            # Not a control of the labeling config (or none given): known by what it holds.
            if (
                isinstance(value, list)
                and value
                and all(isinstance(v, Mapping) and ("start" in v or "labels" in v) for v in value)
            ):
                kind = "labels"
                if options.controls:
                    t.add(
                        f": key {key!r} holds spans but is not a control of the labeling config;"
                        " read as spans",
                        pointer=f"/{key}",
                        severity="warning",
                    )
            elif options.controls and not (
                isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)
            ):
                continue  # with the config known, anything else is a data field
            elif (
                key in options.choices
                or key.strip().casefold() in ("genre", "text_form")
                or (
                    isinstance(value, str)
                    and any(value in names for names in options.doc_label_sets.values())
                )
                or (isinstance(value, Mapping) and "choices" in value)
            ):
                kind = "choices"
            elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                t.add(
                    f": key {key!r} holds results this importer does not read"
                    " (not spans with start/end/labels, not choices)",
                    pointer=f"/{key}",
                    severity="warning",
                )
                continue
            else:
                continue  # a data field of the task
        for i, item in enumerate(items):
            if kind == "choices":
                choices = item.get("choices") if isinstance(item, Mapping) else item
                results.append(
                    {
                        "id": f"{key}.{i}",
                        "from_name": key,
                        "type": "choices",
                        "value": {"choices": choices},
                    }
                )
            elif kind == "labels":
                results.append(
                    {"id": f"{key}.{i}", "from_name": key, "type": "labels", "value": item}
                )
            else:
                results.append({"id": f"{key}.{i}", "from_name": key, "type": kind, "value": item})
    return results


def _guess_text(
    data: Mapping[str, Any], results: list[Any], options: ImportOptions
) -> tuple[str, str | None]:
    """The one string field of ``data`` at which every span's ``value.text`` is found."""
    quoted = [
        r["value"]
        for r in results
        if isinstance(r, Mapping)
        and isinstance(r.get("value"), Mapping)
        and isinstance(r["value"].get("text"), str)
        and "start" in r["value"]
    ]
    names = {r.get("from_name") for r in results if isinstance(r, Mapping)}
    fits = [
        k
        for k, v in data.items()
        if isinstance(v, str)
        and k not in _MIN_META | {"article_id"} | names
        and quoted
        and all(not isinstance(_offsets(q, v, k), str) for q in quoted)
    ]
    if len(fits) == 1:
        return fits[0], data[fits[0]]
    return "text", None


def task_to_record(
    task: Any, number: int, file: str, options: ImportOptions | None = None
) -> Result:
    """One exported task as a native record (or None and the issues)."""
    options = options or ImportOptions()
    if not isinstance(task, Mapping):
        issue = Issue(
            file=file,
            line=number,
            rule="label-studio",
            message=f"task {number} is not a JSON object ({type(task).__name__})",
        )
        return number, None, [issue]
    t = _Task(file, number, task)
    is_json = any(k in task for k in ("annotations", "completions", "predictions")) or isinstance(
        task.get("data"), Mapping
    )
    data = task.get("data") if is_json else task
    if not isinstance(data, Mapping):
        t.add(": data is not an object", pointer="/data")
        return number, None, t.issues
    article_id = data.get("article_id")
    if article_id is None and is_json and isinstance(data.get("id"), str):
        article_id = data["id"]
    if not isinstance(article_id, str):
        t.add(" has no data.article_id (or string data.id) naming its article")
        return number, None, t.issues
    t.record = article_id
    key = options.text_key or "text"
    text = data.get(key)
    data_pointer = "/data" if is_json else ""
    guess = False
    if key not in data:
        if options.text_key is not None:
            t.add(f": data has no {key!r} (the configured text_key)", pointer=data_pointer)
            return number, None, t.issues
        text, guess = None, True  # found from the spans below, or reported
    elif not isinstance(text, str):
        t.add(
            f": data.{key} is not a string ({type(text).__name__})",
            pointer=f"{data_pointer}/{key}",
        )
        return number, None, t.issues

    if is_json:
        prefix, annotation = _pick_annotation(task, t, options)
        if annotation is None:
            return number, None, t.issues
        results = annotation.get("result")
        if not isinstance(results, list):
            t.add(f": annotation {annotation.get('id')} has no result list", pointer=prefix)
            return number, None, t.issues
        prefix += "/result"
    else:
        data_keys = {key, "article_id"}
        annotation = {"completed_by": task.get("annotator"), "id": task.get("annotation_id")}
        results = _min_results(task, t, options, data_keys)
        prefix = ""

    if guess:
        key, text = _guess_text(data, results, options)
        if text is None:
            t.add(
                ": data has no 'text', so offsets are checked against the raw article as given"
                " and not re-anchored; name the data key of the text with"
                f" {options.origin}.text_key",
                severity="warning",
            )
        else:
            t.add(
                f": data has no 'text'; read the text from data.{key}, the one field that holds"
                f" every span's text (say so with {options.origin}.text_key: {key})",
                severity="warning",
            )

    who_tag = (
        f", prediction {annotation.get('model_version')!r}"
        if annotation.get("_prediction")
        else f", annotation {annotation.get('id')}"
    )
    used: set[str] = set()
    spans: dict[str, dict[str, Any]] = {}  # region id -> native span (with "_kind")
    all_spans: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    relations: list[tuple[int, Mapping[str, Any]]] = []
    failed: set[str] = set()  # regions already reported
    for j, res in enumerate(results):
        pointer = f"{prefix}/{j}" if is_json else f"/{res.get('from_name', '')}"
        if not isinstance(res, Mapping):
            t.add(f"{who_tag}: result {j} is not an object ({res!r:.40})", pointer=pointer)
            continue
        rid = str(res.get("id", j))
        rtag = f"{who_tag}, result {res.get('id', j)}"
        kind = str(res.get("type") or "").lower()
        value = res.get("value")
        if kind == "relation":
            relations.append((j, res))
            continue
        if not isinstance(value, Mapping):
            t.add(f"{rtag}: value is not an object ({value!r:.40})", pointer=pointer)
            failed.add(rid)
            continue
        if kind == "choices":
            choices = value.get("choices")
            if isinstance(choices, str):
                choices = [choices]
            if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
                t.add(
                    f"{rtag}: choices must be a list of strings, got {choices!r:.60}",
                    pointer=pointer,
                )
                continue
            control = res.get("from_name")
            for choice in choices:
                name, why = options.map_label(choice)
                if name is None:
                    t.add(f"{rtag}: {why}", pointer=pointer, rule="label-map")
                    continue
                label_set, why = options.doc_label_set(
                    control if isinstance(control, str) else None, name
                )
                if label_set is None:
                    t.add(f"{rtag}: {why}", pointer=pointer, rule="label-set")
                    continue
                if labels.get(label_set, name) != name:
                    t.add(
                        f"{rtag}: a second {label_set} ({name!r} after {labels[label_set]!r});"
                        " an article has one",
                        pointer=pointer,
                    )
                    continue
                labels[label_set] = name
            continue
        if kind in _UNREADABLE_REGIONS or (kind.endswith("labels") and kind != "labels"):
            t.add(
                f"{rtag}: {kind} regions are not offsets into a plain text; label the text with"
                " <Labels> on a <Text> object",
                pointer=pointer,
            )
            failed.add(rid)
            continue
        if kind != "labels" and not (kind == "" and "labels" in value):
            t.add(
                f"{rtag}: result type {kind or None!r} is not read",
                pointer=pointer,
                severity="warning",
            )
            continue
        failed.add(rid)
        names = value.get("labels")
        if not isinstance(names, list) or len(names) != 1:
            t.add(f"{rtag}: a span needs exactly one label, got {names!r}", pointer=pointer)
            continue
        label, why = options.map_label(names[0])
        if label is None:
            t.add(f"{rtag}: {why}", pointer=pointer, rule="label-map")
            continue
        found = _offsets(value, text, key)
        if isinstance(found, str):
            t.add(f"{rtag}: {found}", pointer=pointer, rule="span-offsets")
            continue
        start, end = found
        is_quote = options.is_quote(label)
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
        # Two controls labelling one region give two results with its id: both are kept,
        # and relations name the first.
        spans.setdefault(rid, span)
        all_spans.append(span)
        failed.discard(rid)

    for j, rel in relations:
        ids = [str(rel.get("from_id")), str(rel.get("to_id"))]
        ends = [spans.get(i) for i in ids]
        rtag = f"{who_tag}, relation {j}"
        pointer = f"{prefix}/{j}"
        rel_labels = rel.get("labels") or []
        if not isinstance(rel_labels, list):
            rel_labels = [rel_labels]
        if not options.is_speaker_relation(rel_labels):
            t.add(
                f"{rtag}: relation {rel_labels} is not a speaker relation and is not read"
                f" ({options.relation_hint()})",
                pointer=pointer,
                rule="relation",
                severity="warning",
            )
            continue
        if any(i in failed for i in ids):
            continue  # its span was reported already
        if any(e is None for e in ends):
            t.add(f"{rtag}: links a region that is not a span of this annotation", pointer=pointer)
            continue
        quote = next((e for e in ends if e and e["_kind"] == "quotes"), None)
        speaker = next((e for e in ends if e and e["_kind"] == "entities"), None)
        if quote is None or speaker is None:
            t.add(
                f"{rtag}: a speaker relation {rel_labels} links two "
                f"{'quotes' if quote else 'entities'}, not a quote and an entity; not read",
                pointer=pointer,
                rule="relation",
                severity="warning" if not rel_labels else "error",
            )
            continue
        if quote["speaker"] not in (None, speaker["id"]):
            t.add(
                f"{rtag}: quote {quote['id']} already has speaker {quote['speaker']}",
                pointer=pointer,
            )
            continue
        quote["speaker"] = speaker["id"]

    if t.failed:
        return number, None, t.issues
    if annotation.get("_prediction"):
        annotator = {
            "kind": "model",
            "name": f"Label Studio prediction, model version {annotation.get('model_version') or 'unknown'}",
            "note": f"Machine pre-annotation read from the predictions of the Label Studio export {file}"
            " (predictions: true); not reviewed by a person.",
        }
    else:
        who = annotation.get("completed_by")
        who_id = who.get("id") if isinstance(who, Mapping) else who
        if isinstance(who_id, str) and "@" in who_id:
            who_id = None  # an e-mail address is personal data: never copied
        annotator = {
            "kind": "human",
            "name": f"Label Studio annotator {who_id}" if who_id is not None else "Label Studio",
            "note": f"Imported from the Label Studio export {file}.",
        }
    record = build_record(
        article_id=article_id,
        text=text,
        annotator=annotator,
        entities=[
            {k2: v for k2, v in s.items() if k2 != "_kind"}
            for s in all_spans
            if s["_kind"] == "entities"
        ],
        quotes=[
            {k2: v for k2, v in s.items() if k2 != "_kind"}
            for s in all_spans
            if s["_kind"] == "quotes"
        ],
        labels=labels,
    )
    return number, record, t.issues


def read_label_studio(path: Path, options: ImportOptions | None = None) -> Iterator[Result]:
    """Read a Label Studio JSON (or JSON-MIN) export; one native record per task."""
    for task in iter_tasks(path):
        if task.issues or task.data is None:
            yield task.number, None, task.issues
            continue
        yield task_to_record(task.data, task.number, path.name, options)
