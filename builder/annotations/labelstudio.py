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
  read, as from JSON. A record with ``annotation_id`` null is a task nobody annotated
  (the converter writes those of an all-tasks export so): an error, as in JSON.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

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


@dataclass
class _TaskText:
    """Where a task's text is, and what the export holds there. The text may not be
    there (a file reference in its place, or no text key): the record is still made, its
    offsets checked against the raw article at the build instead."""

    data: Mapping[str, Any]
    #: where ``data`` is in the task (``""`` in JSON-MIN, whose data keys are its own)
    data_pointer: str
    key: str
    #: what ``data[key]`` holds; once checked, the text (None: not in the export)
    text: Any
    #: the file reference given in the text's place (see :func:`.lstasks.text_url`)
    url: str | None
    #: no text key: the text is found from the spans' texts once the results are known
    guess: bool = False

    @property
    def pointer(self) -> str:
        """Where the text is in the task (the record's ``text_sha256`` comes from it)."""
        return self.data_pointer + json_pointer(self.key)


class _Picked(NamedTuple):
    """The annotation (or prediction) a record is made from, and where it is."""

    #: its JSON pointer (``""`` in JSON-MIN, where the task is the annotation)
    pointer: str
    #: its result list's (``""`` in JSON-MIN, whose results are at their control keys)
    results_pointer: str
    annotation: Mapping[str, Any]
    results: list[Any]


def _is_json(task: Mapping[str, Any]) -> bool:
    """Whether a task has Label Studio's JSON shape; else it is a JSON-MIN record, whose
    data keys are at the top level."""
    return any(k in task for k in ("annotations", "completions", "predictions")) or isinstance(
        task.get("data"), Mapping
    )


def _find_text(data: Mapping[str, Any], data_pointer: str, options: ImportOptions) -> _TaskText:
    """The data key of the task's text (``text_key``, else ``text``) and what it holds."""
    key = options.text_key or "text"
    text = data.get(key)
    # A task imported from a storage or an upload as a file reference: the annotator saw
    # the file's content, which the export does not hold (see :func:`.lstasks.text_url`).
    url = text_url(text)
    if url is None and key not in data and options.text_key is None:
        # A file uploaded as one task is stored under ``$undefined$`` (label-studio
        # ``settings.DATA_UNDEFINED_NAME``) until a config names the key.
        refs = [k for k, v in data.items() if text_url(v) is not None and k != "article_id"]
        if len(refs) == 1:
            key, url = refs[0], text_url(data[refs[0]])
    return _TaskText(data, data_pointer, key, text, url)


def _task_article(
    task: Mapping[str, Any], is_json: bool, text: _TaskText, t: TaskReport
) -> tuple[str, str] | None:
    """The task's article id and where it is (its JSON pointer), else the name of the
    ``.txt`` file referenced in the text's place; None when it has none (reported). Later
    messages name the record by it."""
    article_id, id_pointer = _article_id(task, text.data, is_json)
    if article_id is None and text.url is not None:
        article_id, id_pointer = url_article_id(text.url), text.pointer
    if not isinstance(article_id, str):
        t.add(
            f": {not_an_article_id(article_id)}"
            if article_id is not None
            else " has no data.article_id (nor data.meta.article_id, the task's meta.article_id,"
            " a string data.id or an uploaded ARTICLE.txt as file_upload or data URL)"
            " naming its article",
            pointer=id_pointer,
        )
        return None
    t.record = article_id
    return article_id, id_pointer


def _check_text(text: _TaskText, options: ImportOptions, t: TaskReport) -> bool:
    """Whether the task can be read with the text it has: a file reference or a missing
    ``text`` leave its offsets unchecked (read from the spans, reported); a configured
    key the task lacks, or a text that is not a string, lose the record (reported)."""
    if text.url is not None:
        t.add(
            f": data.{text.key} is a file reference ({text.url:.80}), not the text: offsets are"
            " checked against the raw article as given and not re-anchored",
            pointer=text.pointer,
            severity="warning",
        )
        text.text = None
    elif text.key not in text.data:
        if options.text_key is not None:
            t.add(
                f": data has no {text.key!r} (the configured text_key)", pointer=text.data_pointer
            )
            return False
        text.text, text.guess = None, True  # found from the spans, or reported
    elif not isinstance(text.text, str):
        t.add(
            f": data.{text.key} is not a string ({type(text.text).__name__})",
            pointer=text.pointer,
        )
        return False
    return True


def _pick_results(
    task: Mapping[str, Any],
    is_json: bool,
    key: str,
    options: ImportOptions,
    t: TaskReport,
    min_keys: MinKeys | None,
) -> _Picked | None:
    """The annotation the record is made from and its results; None when it has none
    (reported). A JSON-MIN record is one annotation, its results under its controls'
    keys beside the data keys (``key`` and ``article_id``, never results)."""
    if not is_json:
        annotation = {"completed_by": task.get("annotator"), "id": task.get("annotation_id")}
        results = min_results(task, t, options, {key, "article_id"}, min_keys)
        if not results and _never_annotated(task):
            t.add(
                " has no annotation: JSON-MIN holds a task nobody annotated with"
                " annotation_id null; not read as an article annotated with nothing",
                pointer="/annotation_id",
            )
            return None
        return _Picked("", "", annotation, results)
    pointer, chosen = pick_annotation(task, t, options)
    if chosen is None:
        return None
    results = chosen.get("result")
    if not isinstance(results, list):
        t.add(f": annotation {chosen.get('id')} has no result list", pointer=pointer)
        return None
    return _Picked(pointer, pointer + "/result", chosen, results)


def _never_annotated(task: Mapping[str, Any]) -> bool:
    """Whether a JSON-MIN record is a task without annotations. label_studio_sdk's
    converter writes one as its data with ``annotation_id`` (and ``annotator``) null
    (``converter.py``, ``annotation_result_from_task``: ``Converter.get_data(task, {},
    {})``); every annotation Label Studio stores has an id. Its JSON twin (a task with
    ``annotations: []``) is an error, so this is one too, never an empty annotation."""
    return "annotation_id" in task and task["annotation_id"] is None


def _text_from_spans(
    text: _TaskText, results: list[Any], options: ImportOptions, t: TaskReport
) -> None:
    """A task without a ``text`` key: its text is the one data field at which every
    span's ``value.text`` is found (else none, the offsets left unchecked); both said,
    as a warning that names the key to configure."""
    text.key, text.text = guess_text(text.data, results, options)
    if text.text is None:
        t.add(
            ": data has no 'text', so offsets are checked against the raw article as given"
            " and not re-anchored; name the data key of the text with"
            f" {options.origin}.text_key",
            severity="warning",
        )
    else:
        t.add(
            f": data has no 'text'; read the text from data.{text.key}, the one field that holds"
            f" every span's text (say so with {options.origin}.text_key: {text.key})",
            severity="warning",
        )


def _who_tag(annotation: Mapping[str, Any]) -> str:
    """How messages name the annotation read (or the prediction, by its model)."""
    if annotation.get("_prediction"):
        return f", prediction {annotation.get('model_version')!r}"
    return f", annotation {annotation.get('id')}"


def _annotator(annotation: Mapping[str, Any], file: str) -> dict[str, str]:
    """The record's annotator: the prediction's model, else the annotator's id."""
    if annotation.get("_prediction"):
        return {
            "kind": "model",
            "name": f"Label Studio prediction, model version {annotation.get('model_version') or 'unknown'}",
            "note": f"Machine pre-annotation read from the predictions of the Label Studio export {file}"
            " (predictions: true); not reviewed by a person.",
        }
    who = annotation.get("completed_by")
    who_id = who.get("id") if isinstance(who, Mapping) else who
    if isinstance(who_id, str) and "@" in who_id:
        who_id = None  # an e-mail address is personal data: never copied
    return {
        "kind": "human",
        "name": f"Label Studio annotator {who_id}" if who_id is not None else "Label Studio",
        "note": f"Imported from the Label Studio export {file}.",
    }


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
    is_json = _is_json(task)
    data = task.get("data") if is_json else task
    if not isinstance(data, Mapping):
        t.add(": data is not an object", pointer="/data")
        return number, None, t.issues
    text = _find_text(data, "/data" if is_json else "", options)
    article = _task_article(task, is_json, text, t)
    if article is None or not _check_text(text, options, t):
        return number, None, t.issues
    picked = _pick_results(task, is_json, text.key, options, t, min_keys)
    if picked is None:
        return number, None, t.issues
    if text.guess:
        _text_from_spans(text, picked.results, options, t)
    who_tag = _who_tag(picked.annotation)
    read = TaskRead(
        t, options, is_json, picked.results_pointer, who_tag, data, text.key, text.text, text.url
    )
    read.read(picked.results)
    if t.failed:
        return number, None, t.issues
    article_id, id_pointer = article
    record = build_record(
        article_id=article_id,
        text=text.text,
        annotator=_annotator(picked.annotation, file),
        entities=read.native_spans("entities"),
        quotes=read.native_spans("quotes"),
        labels=read.labels,
        origin={
            "/article_id": id_pointer,
            "/text_sha256": text.pointer,
            "/annotator": picked.pointer,
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
