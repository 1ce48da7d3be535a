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
from .common import article_id_of, build_record, not_an_article_id
from .export_files import iter_tasks, not_json, of_format, unpacked
from .lsmin import min_task_id, one_per_task
from .lsresults import TaskRead
from .lsstorage import read_target_storage
from .lstasks import (
    MinKeys,
    TaskReport,
    guess_text,
    min_results,
    pick_annotation,
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
    read = TaskRead(t, options, is_json, prefix, who_tag, data, key, text, url)
    read.read(results)
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
        entities=read.native_spans("entities"),
        quotes=read.native_spans("quotes"),
        labels=read.labels,
        origin={
            "/article_id": id_pointer,
            "/text_sha256": data_pointer + json_pointer(key),
            "/annotator": prefix.removesuffix("/result") if is_json else "",
            **read.label_origin,
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
