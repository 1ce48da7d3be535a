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
  read from it have no speaker. It writes one record per annotation, a task's
  records one after another with the task's ``id``: the latest with results is
  read, as from JSON.

What is read:

* the article id: ``data.article_id``, else ``data.meta.article_id``, else
  the task's ``meta.article_id``, else a string ``data.id``, else the uploaded
  file's name (``file_upload: 1a2b3c4d-ARTICLE.txt``), else the ``.txt`` a
  file reference in the text's place names (below); an id imported as a number is
  read as its digits; the text the
  annotator saw: ``data[text_key]`` (``text_key`` from the entry, else the
  ``<Text value="$key">`` the span controls label in ``label_config``, else
  ``text``). Offsets are checked against it, and its sha256 recorded;
* the annotation: the non-cancelled one marked ``ground_truth``, else the most
  recently updated one with results (an empty one only when all are empty;
  others are skipped with a warning). Predictions only with
  ``predictions: true``, when a task has no annotation; the record is then
  marked ``kind: model`` with the prediction's ``model_version``;
* ``labels`` results (any control name): a span labelled ``QUOTE`` (after the
  entry's ``labels`` mapping) is a quote, any other label an entity type; a span whose
  offsets fit another text field of ``data`` (its ``to_name`` another ``<Text>``) is
  an error that names the field;
* a text given as a file reference (``s3://``, ``gs://``, ``azure-blob://``,
  ``http(s)://``, ``/data/upload/...``, ``/data/local-files/?d=...``: tasks imported
  from storage as files; or under ``$undefined$``, an uploaded file's key until a config
  names it): the text is not in the export, so spans are read from
  their ``value.text`` and checked against the raw article at the build (a warning);
  a span without ``value.text`` (``<Text valueType="url">`` saves none unless
  ``saveTextResult="yes"``) is an error;
* ``choices`` results with offsets in ``value`` (a ``perRegion`` control; in JSON-MIN
  known only from the labeling config) say something of a span: reported, not read;
  so do other per-region results (a TextArea's note, a Rating: offsets and the control's
  value, no ``labels``), which JSON-MIN, having dropped the types, shows by their value;
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
rejected otherwise. White space is compared as runs: Label Studio's ``value.text``
folds them and may drop the selection's end spaces (HumanSignal/label-studio#3078).
Over a text with CR LF line ends, offsets counting each pair as one character (as
the browser shows it) are recognised the same way.

Anything else is reported with the file, the task (its number in the file and
its id) and the result: a result that is not an object, a region type whose
offsets are not text positions, a choice no declared set holds, a label the
mapping does not know. An unknown result type that holds no span is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..jsonl import DEFAULT_MAX_RECORD_BYTES
from ..validate.report import Issue, json_pointer
from .common import SpanChars, article_id_of, build_record, not_an_article_id, span_id
from .export_files import iter_tasks, not_json, of_format, unpacked
from .lsmin import min_task_id, one_per_task
from .lsregions import JSON_FIELDS, MIN_FIELDS, fields_of_label, region_labels
from .lsstorage import read_target_storage
from .lstasks import (
    MinKeys,
    TaskReport,
    guess_text,
    is_region_kind,
    min_results,
    other_field,
    pick_annotation,
    span_offsets,
    text_url,
    txt_article_id,
    url_article_id,
)
from .options import ImportOptions

__all__ = ["read_label_studio", "task_to_record"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]


def _article_id(task: Mapping[str, Any], data: Mapping[str, Any], is_json: bool) -> tuple[Any, str]:
    """The article a task annotates, and where it is in the task (a JSON pointer):
    ``data.article_id``, else ``data.meta.article_id``, else the task's own
    ``meta.article_id`` (Label Studio keeps imported task meta beside ``data``), else a
    string ``data.id``, else the name of the ``.txt`` the task was uploaded as
    (``file_upload``: Label Studio prefixes 8 hex digits and a dash). An id imported as
    a number is that number's digits (:func:`.common.article_id_of`); a value that
    cannot be an id is returned as it is, for the message."""
    at = "/data" if is_json else ""
    if data.get("article_id") is not None:
        return article_id_of(data["article_id"]) or data["article_id"], f"{at}/article_id"
    places = [(data.get("meta"), f"{at}/meta"), (task.get("meta") if is_json else None, "/meta")]
    for meta, where in places:
        if isinstance(meta, Mapping) and meta.get("article_id") is not None:
            found = article_id_of(meta["article_id"]) or meta["article_id"]
            return found, f"{where}/article_id"
    if is_json and isinstance(data.get("id"), str):
        return data["id"], f"{at}/id"
    upload = task.get("file_upload") if is_json else None
    if isinstance(upload, str):
        # one file uploaded as one task
        return txt_article_id(upload.rsplit("/", 1)[-1]), "/file_upload"
    return None, f"{at}/article_id"


def task_to_record(
    task: Any,
    number: int,
    file: str,
    options: ImportOptions | None = None,
    *,
    tag: str | None = None,
    min_keys: MinKeys | None = None,
) -> Result:
    """One exported task as a native record (or None and the issues); ``tag`` names
    the task in messages (default: its number in the file and its id); ``min_keys``
    is what the file's earlier JSON-MIN tasks held (see :class:`.lstasks.MinKeys`)."""
    options = options or ImportOptions()
    if not isinstance(task, Mapping):
        issue = Issue(
            file=file,
            line=number,
            rule="label-studio",
            message=f"task {number} is not a JSON object ({type(task).__name__})",
        )
        return number, None, [issue]
    t = TaskReport(file, number, task, tag)
    is_json = any(k in task for k in ("annotations", "completions", "predictions")) or isinstance(
        task.get("data"), Mapping
    )
    data = task.get("data") if is_json else task
    if not isinstance(data, Mapping):
        t.add(": data is not an object", pointer="/data")
        return number, None, t.issues
    key = options.text_key or "text"
    text = data.get(key)
    data_pointer = "/data" if is_json else ""
    # A task imported from a storage or an upload as a file reference: the annotator saw
    # the file's content, which the export does not hold (see :func:`.lstasks.text_url`).
    url = text_url(text)
    if url is None and key not in data and options.text_key is None:
        # A file uploaded as one task is stored under ``$undefined$`` (label-studio
        # ``settings.DATA_UNDEFINED_NAME``) until a config names the key.
        refs = [k for k, v in data.items() if text_url(v) is not None and k != "article_id"]
        if len(refs) == 1:
            key, url = refs[0], text_url(data[refs[0]])
    article_id, id_pointer = _article_id(task, data, is_json)
    if article_id is None and url is not None:
        article_id, id_pointer = url_article_id(url), data_pointer + json_pointer(key)
    if not isinstance(article_id, str):
        t.add(
            f": {not_an_article_id(article_id)}"
            if article_id is not None
            else " has no data.article_id (nor data.meta.article_id, the task's meta.article_id,"
            " a string data.id or an uploaded ARTICLE.txt as file_upload or data URL)"
            " naming its article",
            pointer=id_pointer,
        )
        return number, None, t.issues
    t.record = article_id
    guess = False
    if url is not None:
        t.add(
            f": data.{key} is a file reference ({url:.80}), not the text: offsets are checked"
            " against the raw article as given and not re-anchored",
            pointer=data_pointer + json_pointer(key),
            severity="warning",
        )
        text = None
    elif key not in data:
        if options.text_key is not None:
            t.add(f": data has no {key!r} (the configured text_key)", pointer=data_pointer)
            return number, None, t.issues
        text, guess = None, True  # found from the spans below, or reported
    elif not isinstance(text, str):
        t.add(
            f": data.{key} is not a string ({type(text).__name__})",
            pointer=data_pointer + json_pointer(key),
        )
        return number, None, t.issues

    if is_json:
        prefix, annotation = pick_annotation(task, t, options)
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
        results = min_results(task, t, options, data_keys, min_keys)
        prefix = ""

    if guess:
        key, text = guess_text(data, results, options)
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
    chars = SpanChars(options.max_span_chars)
    spans: dict[str, dict[str, Any]] = {}  # region id -> native span (with "_kind")
    all_spans: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    label_origin: dict[str, str] = {}  # document label set -> its choices result
    relations: list[tuple[int, Mapping[str, Any]]] = []
    failed: set[str] = set()  # regions already reported
    split = 0  # regions of several labels read as one span each (multi_label: split)
    for j, res in enumerate(results):
        pointer = (
            prefix + json_pointer(j)
            if is_json
            else res.get("_pointer", json_pointer(str(res.get("from_name", ""))))
        )
        value_at = "/value" if is_json else ""  # JSON-MIN's items are the values
        if not isinstance(res, Mapping):
            t.add(f"{who_tag}: result {j} is not an object ({res!r:.40})", pointer=pointer)
            continue
        rid = str(res.get("id", j))
        rtag = f"{who_tag}, result {res.get('id', j)}"
        raw_kind = res.get("type")
        if raw_kind is not None and not isinstance(raw_kind, str):
            # A type Label Studio did not write: the region may be a span, so it is not
            # passed over as an unread kind of result.
            t.add(f"{rtag}: result type must be a string, got {raw_kind!r:.40}", pointer=pointer)
            failed.add(rid)
            continue
        kind = (raw_kind or "").lower()
        value = res.get("value")
        if kind == "relation":
            relations.append((j, res))
            continue
        if not isinstance(value, Mapping):
            t.add(f"{rtag}: value is not an object ({value!r:.40})", pointer=pointer)
            failed.add(rid)
            continue
        if kind == "choices" and any(k in value for k in ("start", "end")):
            # A perRegion choice (``<Choices perRegion="true">``): Label Studio writes it
            # with the region's id and offsets; it says something of that span, not of
            # the document, so it fills no document label.
            t.add(
                f"{rtag}: a per-region choice of control {res.get('from_name')!r} (an"
                " attribute of the span at its offsets) is not read; document labels come"
                " from choices on the whole text",
                pointer=pointer,
                severity="warning",
            )
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
                label_origin[json_pointer("labels", label_set)] = f"{pointer}{value_at}/choices"
            continue
        if is_region_kind(kind, value):
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
        names = region_labels(value.get("labels"), rtag, pointer, t, options)
        if names is None:
            continue
        found = span_offsets(value, text, key)
        if isinstance(found, str):
            t.add(
                f"{rtag}: {found}{other_field(res, value, data, key)}",
                pointer=pointer,
                rule="span-offsets",
            )
            continue
        start, end = found
        if text is None and not isinstance(value.get("text"), str):
            # Neither the text nor the span's text is in the export (``<Text
            # valueType="url">`` saves no value.text unless saveTextResult="yes"): the
            # offsets could not be checked, nor re-anchored, nor their unit known.
            t.add(
                f"{rtag}: the span has no value.text and the task no text to read it from"
                f" (data.{key} {'is a file reference' if url else 'is missing'}): export"
                ' with the text inline, or set saveTextResult="yes" on the <Text> and'
                " re-export",
                pointer=pointer,
                rule="span-offsets",
            )
            continue
        if text is not None and any(chars.over(start, end) for _ in names):
            t.add(f"{rtag}{chars.message()}", pointer=pointer, rule="size-limit")
            break
        if len(names) > 1:
            split += 1
        for place, label in names:
            is_quote = options.is_quote(label)
            span: dict[str, Any] = {
                "_kind": "quotes" if is_quote else "entities",
                "id": span_id(res.get("id", j), "", used),
                "start": start,
                "end": end,
                "text": text[start:end] if text is not None else value.get("text"),
                "_origin": (
                    pointer,
                    (JSON_FIELDS if is_json else MIN_FIELDS)
                    if place == 0
                    else fields_of_label(is_json, place),
                    None,
                ),
            }
            if is_quote:
                span["speaker"] = None
            else:
                span["label"] = label
            # Two controls labelling one region give two results with its id (and a
            # region of several labels, split, one span per label): all are kept, and
            # relations name the first.
            spans.setdefault(rid, span)
            all_spans.append(span)
        failed.discard(rid)
    if split:
        t.add(
            f"{who_tag}: {split} region(s) with several labels read as one span per label,"
            f" at the same offsets ({options.origin}.multi_label: split)",
            pointer=prefix,
            severity="warning",
        )

    for j, rel in relations:
        ids = [str(rel.get("from_id")), str(rel.get("to_id"))]
        ends = [spans.get(i) for i in ids]
        rtag = f"{who_tag}, relation {j}"
        pointer = prefix + json_pointer(j)
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
        quote["_origin"] = (*quote["_origin"][:2], pointer)

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
        origin={
            "/article_id": id_pointer,
            "/text_sha256": data_pointer + json_pointer(key),
            "/annotator": prefix.removesuffix("/result") if is_json else "",
            **label_origin,
        },
    )
    return number, record, t.issues


def read_label_studio(
    path: Path,
    options: ImportOptions | None = None,
    *,
    root: Path | None = None,
    max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Result]:
    """Read a Label Studio JSON (or JSON-MIN) export, gzip-compressed or not, or a
    target-storage folder (one file per annotation, see :mod:`.lsstorage`, its files
    read only inside ``root``); one native record per task."""
    if path.is_dir():
        yield from read_target_storage(path, options, root=root)
        return
    with unpacked(path) as (source, name, problems):
        if problems:
            yield None, None, problems
            return
        group: list[tuple[Any, Result]] = []
        min_keys = MinKeys(name)
        wrong = not_json(source, name, "export the project as JSON (or JSON-MIN) from Label Studio")
        if wrong is not None:
            yield 1, None, [wrong]
            return
        entry = (options or ImportOptions()).origin
        tasks = iter_tasks(source, name=name, max_line_bytes=max_line_bytes)
        for task in of_format(tasks, "label-studio", name, entry):
            # A warning (a skipped byte order mark) keeps the record; only an error loses it.
            if task.data is None or any(i.severity == "error" for i in task.issues):
                result: Result = (task.number, None, task.issues)
            else:
                number, record, issues = task_to_record(
                    task.data, task.number, name, options, min_keys=min_keys
                )
                result = (number, record, [*task.issues, *issues])
                if late := min_keys.take_late():
                    yield None, None, late  # tasks read before a key was known to hold spans
            task_id = min_task_id(task.data)
            if group and (task_id is None or task_id != min_task_id(group[0][0])):
                yield from one_per_task(group, name)
                group = []
            group.append((task.data, result))
        if group:
            yield from one_per_task(group, name)
