"""What a Label Studio task holds, for :mod:`.labelstudio`: its annotation, offsets, JSON-MIN keys.

``pick_annotation`` chooses the annotation (or, when asked, the prediction) a
record is made from; ``span_offsets`` finds a span's code-point offsets (Label
Studio once counted UTF-16 units); ``min_results`` turns a JSON-MIN task's
control keys back into results; ``guess_text`` finds the text of a task that has
no ``text`` field. Every problem goes to the task's :class:`TaskReport`, which
names the file, the task and the record.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..validate.report import Issue, json_pointer
from .common import CrLfAsOne, OffsetConverter, OffsetError, RecordReport
from .lsconfig import PER_REGION
from .options import ImportOptions

__all__ = [
    "MIN_META",
    "UNREADABLE_REGIONS",
    "MinKeys",
    "TaskReport",
    "guess_text",
    "is_region_kind",
    "min_results",
    "other_field",
    "pick_annotation",
    "span_offsets",
    "text_url",
    "txt_article_id",
    "url_article_id",
]

#: Keys ``label_studio_sdk``'s JSON-MIN converter adds beside the task data.
MIN_META = {
    "id",
    "annotator",
    "annotation_id",
    "created_at",
    "updated_at",
    "lead_time",
    "agreement",
}
#: Region result types whose positions are not offsets into a plain text.
UNREADABLE_REGIONS = {"hypertextlabels", "paragraphlabels", "taxonomy"}
#: Of those, the controls that classify the whole text unless they hold a region's offsets
#: (``<Taxonomy>``: a document's topic path; with ``labeling="true"`` or ``perRegion`` a
#: span's). A whole-text one is no region: passed over with a warning, as a TextArea is.
_REGION_WHEN_PLACED = {"taxonomy"}


def is_region_kind(kind: str, value: Mapping[str, Any]) -> bool:
    """Whether a result of type ``kind`` is a region the importer cannot place on the text
    (an image's, a hypertext's, a paragraph's, a taxonomy path on a span): an error, as
    its span would otherwise be lost."""
    if kind in _REGION_WHEN_PLACED:
        return "start" in value or "end" in value
    return kind in UNREADABLE_REGIONS or (kind.endswith("labels") and kind != "labels")


#: A task's text given as a file reference: a cloud storage URI (Label Studio's source
#: storages: ``s3://``, ``gs://``, ``azure-blob://``), a web URL, or a path Label Studio
#: serves (``/data/upload/PROJECT/NAME``, ``/data/local-files/?d=PATH``) - what a task
#: holds when its objects were imported as files (``io_storages``: "treat every bucket
#: object as a source file"; ``<Text valueType="url">``). One token, no white space.
_FILE_REF = re.compile(r"(?:(?:s3|gs|azure-blob|https?)://|/data/(?:upload|local-files)/)\S*")
#: An uploaded file's stored name: Label Studio prefixes 8 hex digits and a dash.
_UPLOAD_PREFIX = re.compile(r"[0-9a-f]{8}-")


def text_url(value: Any) -> str | None:
    """``value`` when it is a file reference instead of a text (None otherwise)."""
    if isinstance(value, str) and _FILE_REF.fullmatch(value.strip()):
        return value.strip()
    return None


def url_article_id(url: str) -> str | None:
    """The article a referenced ``.txt`` file names (``s3://b/news/a77.txt`` -> ``a77``;
    ``/data/local-files/?d=news/a77.txt`` too; an upload's hex prefix dropped)."""
    parts = urlsplit(url)
    path = parse_qs(parts.query).get("d", [parts.path])[0]
    return txt_article_id(PurePosixPath(unquote(path)).name)


def txt_article_id(name: str) -> str | None:
    """The article a ``.txt`` file's name names: its stem, without the 8 hex digits and
    dash Label Studio prefixes to an uploaded file (``1a2b3c4d-a77.txt`` -> ``a77``)."""
    if not name.endswith(".txt") or name == ".txt":
        return None
    stem = name[: -len(".txt")]
    if _UPLOAD_PREFIX.match(stem) and len(stem) > 9:
        stem = stem[9:]
    return stem


class TaskReport(RecordReport):
    """One task being read: where it is, and the issues found so far."""

    rule = "label-studio"

    def __init__(
        self, file: str, number: int, task: Mapping[str, Any], tag: str | None = None
    ) -> None:
        super().__init__(file, number, task, kind="task", tag=tag)


def pick_annotation(
    task: Mapping[str, Any], t: TaskReport, options: ImportOptions
) -> tuple[str, Mapping[str, Any] | None]:
    """(JSON pointer of the chosen annotation, the annotation) or (``""``, None)."""
    key = "annotations" if "annotations" in task else "completions"
    annotations = task.get(key)
    if annotations is not None and not isinstance(annotations, list):
        t.add(f": {key} is not a list", pointer=json_pointer(key))
        return "", None
    usable = [
        (i, a)
        for i, a in enumerate(annotations or [])
        if isinstance(a, Mapping) and not a.get("was_cancelled") and not a.get("skipped")
    ]
    for i, a in enumerate(annotations or []):
        if not isinstance(a, Mapping):
            t.add(f": {key}[{i}] is not an object ({a!r:.40})", pointer=json_pointer(key, i))
    if usable:
        # An annotation submitted with nothing in it (a second pass that labelled nothing)
        # must not silently replace one with spans: it comes last unless it is the ground truth.
        usable.sort(
            key=lambda ia: (
                bool(ia[1].get("ground_truth")),
                bool(ia[1].get("result")),
                str(ia[1].get("updated_at") or ia[1].get("created_at") or ""),
                ia[0],
            )
        )
        k, chosen = usable[-1]
        if len(usable) > 1:
            empty = [str(a.get("id")) for _, a in usable[:-1] if not a.get("result")]
            t.add(
                f" has {len(usable)} annotations; read annotation {chosen.get('id')}"
                " (the ground truth, else the latest with results) and skipped the others"
                + (f" (empty: {', '.join(empty)})" if empty else ""),
                severity="warning",
            )
        return json_pointer(key, k), chosen
    predictions = task.get("predictions")
    readable = (
        [(i, p) for i, p in enumerate(predictions or []) if isinstance(p, Mapping)]
        if isinstance(predictions, list)
        else []
    )
    if readable and options.predictions:
        readable.sort(key=lambda ip: (str(ip[1].get("created_at") or ""), ip[0]))
        k, chosen = readable[-1]
        return json_pointer("predictions", k), {**chosen, "_prediction": True}
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


@functools.lru_cache(maxsize=2)
def _crlf_as_one(text: str) -> CrLfAsOne:
    """One map per text (a task's spans are read one after another)."""
    return CrLfAsOne(text)


def _same_text(found: str, quote: str) -> bool:
    """Whether ``value.text`` is the text at the offsets. Label Studio copies it from the
    browser's selection, which folds runs of white space into one space and may drop it
    at the ends while the offsets keep it (HumanSignal/label-studio#3078): white space is
    compared as runs, everything else exactly."""
    return found == quote or found.split() == quote.split()


def span_offsets(value: Mapping[str, Any], text: str | None, key: str) -> tuple[int, int] | str:
    """Code-point offsets of a labels result, or the reason they cannot be used."""
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return f"value.start and value.end must be integers, got {start!r} and {end!r}"
    if start >= end:
        return f"value.start {start} is not before value.end {end}"
    quote = value.get("text")
    if text is None:
        return start, end
    if not isinstance(quote, str) or _same_text(text[start:end], quote):
        if end > len(text):
            return f"value.end {end} is past the end of data.{key} ({len(text)} characters)"
        return start, end
    try:
        utf16 = OffsetConverter(text, "utf-16")
        s, e = utf16.to_code_points(start), utf16.to_code_points(end)
    except OffsetError:
        s = e = -1
    if s >= 0 and _same_text(text[s:e], quote):
        return s, e
    if "\r\n" in text:  # counted in the browser, which shows a CR LF as one line break
        lf = _crlf_as_one(text)
        s2, e2 = lf.to_raw(start), lf.to_raw(end)
        if s2 is not None and e2 is not None and _same_text(text[s2:e2], quote):
            return s2, e2
    return (
        f"value.text {quote!r} is not at [{start}, {end}) of data.{key}, counted in code points"
        f" ({text[start:end]!r}) or in UTF-16 units"
    )


def other_field(
    result: Mapping[str, Any], value: Mapping[str, Any], data: Mapping[str, Any], key: str
) -> str:
    """Why a span not found in ``data[key]`` is found elsewhere ("" when it is not):
    a config with several text objects (``<Text name="title" value="$title"/>``) gives
    results whose ``to_name`` points at another one, offsets into that field. Such a
    span cannot be placed on the article text, so it stays an error, one that says why."""
    fits = [
        k
        for k, v in data.items()
        if k != key
        and isinstance(v, str)
        and isinstance(value.get("text"), str)
        and not isinstance(span_offsets(value, v, k), str)
    ]
    if not fits:
        return ""
    to_name = result.get("to_name")
    return (
        f"; it is at those offsets of data.{fits[0]} (to_name {to_name!r}): a span of another"
        f" text object, not of the article text data.{key}; label the article's <Text>, or"
        " name its data key with text_key"
    )


#: The per-region controls whose value key is their result type. Label Studio saves a
#: ``perRegion`` control's result with the region's offsets (and text) and that value
#: (``RegionsMixin``); a TextArea's ``text`` list replaces the region's text.
_REGION_VALUE_TYPES = ("choices", "rating", "number", "datetime", "taxonomy")


def _per_region_type(item: Any) -> str | None:
    """The result type of a JSON-MIN item that is a per-region control's result: offsets,
    no ``labels``, and a control's value (None for anything else). JSON-MIN drops the
    results' types, so only the value tells a TextArea note on a span from the span."""
    if not isinstance(item, Mapping) or "labels" in item:
        return None
    if "start" not in item and "end" not in item:
        return None
    if isinstance(item.get("text"), list):
        return "textarea"
    return next((t for t in _REGION_VALUE_TYPES if t in item), None)


def _per_region_types(value: Any) -> list[str] | None:
    """The result types of a JSON-MIN key's value when every item of it is a per-region
    control's result (one region: the bare object, as ``prettify_result`` writes a single
    TextArea); None otherwise."""
    items = value if isinstance(value, list) else [value]
    types = [_per_region_type(v) for v in items]
    if not items or any(t is None for t in types):
        return None
    return [t for t in types if t is not None]


def _holds_spans(value: Any) -> bool:
    """A list with a span in it: an object with ``start`` or ``labels`` that is no
    per-region control's result (its other items, whatever they are, are then malformed
    spans, reported, not a reason to skip the list)."""
    return isinstance(value, list) and any(
        isinstance(v, Mapping) and ("start" in v or "labels" in v) and _per_region_type(v) is None
        for v in value
    )


def _shape(value: Any) -> str:
    """How a message names what a JSON value is."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value!r:.20})"
    if isinstance(value, str):
        return f"a string ({value!r:.30})"
    if _holds_spans(value):
        return "a list of spans"
    if isinstance(value, list):
        return "a list of no spans (no object with start or labels)"
    if isinstance(value, Mapping) and "choices" in value:
        return "an object of choices"
    return f"{'an object' if isinstance(value, Mapping) else type(value).__name__}"


#: What a JSON-MIN key can be known to hold: (plural noun, what a task lacking it has,
#: what would be lost) for messages.
_KINDS = {
    "labels": ("spans", "regions", "these spans"),
    "choices": ("choices", "a choice", "this document label"),
}


class MinKeys:
    """What each key of one JSON-MIN file held in the tasks read so far.

    Without a labeling config a key is known as a control only by what it holds, task
    by task: spans (a list with an object with ``start`` or ``labels``) or choices (a
    label name, ``{"choices": [...]}``, or a key named as a choices control).
    ``convert_to_json_min`` leaves a control out of a task without results, so a key
    that holds spans or choices in one task holds that kind or nothing in every task:
    null, a number, a string that is no label, the other kind, is a broken export (or
    a data field that only looked like a control), never a value to be dropped. One
    rule for both kinds: a task read before the key was known is reported when it
    becomes known (``late``); at most ``KEEP`` such tasks are remembered per key, so
    memory stays small.
    """

    KEEP = 20

    def __init__(self, file: str) -> None:
        self.file = file
        #: key -> (kind: "labels" or "choices", tag of the task where it was first seen)
        self.kinds: dict[str, tuple[str, str]] = {}
        #: key -> (task number, article id, tag, shape) of tasks where it held no control
        self.other: dict[str, list[tuple[int, str | None, str, str]]] = {}
        self.more: dict[str, int] = {}
        #: issues about tasks read before, to be reported by the reader
        self.late: list[Issue] = []

    def saw_other(self, key: str, value: Any, t: TaskReport) -> None:
        """``key`` held no control's results in this task (a data field so far)."""
        seen = self.other.setdefault(key, [])
        if len(seen) < self.KEEP:
            seen.append((t.number, t.record, t.tag, _shape(value)))
        else:
            self.more[key] = self.more.get(key, 0) + 1

    def saw(self, key: str, kind: str, t: TaskReport) -> None:
        """``key`` holds ``kind`` in this task: earlier tasks where it did not are errors."""
        if key in self.kinds:
            return
        self.kinds[key] = (kind, t.tag)
        for number, record, tag, shape in self.other.pop(key, []):
            self.late.append(
                Issue(
                    file=self.file,
                    line=number,
                    record=record,
                    pointer=json_pointer(key),
                    rule=TaskReport.rule,
                    message=f"{tag}: {_why(key, shape, kind, t.tag)}",
                )
            )
        more = self.more.pop(key, 0)
        if more:
            self.late.append(
                Issue(
                    file=self.file,
                    line=t.number,
                    record=t.record,
                    pointer=json_pointer(key),
                    rule=TaskReport.rule,
                    message=f"{t.tag}: and {more} more earlier task(s) where key {key!r}"
                    f" holds no {_KINDS[kind][0]}",
                )
            )

    def take_late(self) -> list[Issue]:
        late, self.late = self.late, []
        return late


def _why(key: str, shape: str, kind: str, first_tag: str) -> str:
    noun, lacking, lost = _KINDS[kind]
    empty = " (or holds an empty list)" if kind == "labels" else ""
    return (
        f"key {key!r} is {shape} here but holds {noun} in {first_tag}; a JSON-MIN task"
        f" without {lacking} leaves the key out{empty}, so {lost} would be lost"
    )


def _is_choice(value: Any) -> bool:
    """One result of a choices control as ``prettify_result`` writes it: the bare
    choice, or ``{"choices": [...]}`` when several were chosen."""
    return isinstance(value, str) or (isinstance(value, Mapping) and "choices" in value)


def _fits(kind: str, value: Any) -> bool:
    """Whether a key known to hold ``kind`` holds that kind here (its items, malformed
    or not, are then read and reported one by one)."""
    if kind == "labels":
        return isinstance(value, list)
    # an empty list holds no choice, as a key left out does
    return all(_is_choice(v) for v in (value if isinstance(value, list) else [value]))


def _looks_like(key: str, value: Any, options: ImportOptions) -> str | None:
    """What a key that is no control of a labeling config holds in this task, by its
    name and value: ``labels``, ``choices`` or None (a data field, as far as it shows)."""
    if _holds_spans(value):
        return "labels"
    if options.controls:
        return None  # with the config known, a key that is no control holds no choices
    if key in options.choices or key.strip().casefold() in ("genre", "text_form"):
        return "choices"
    items = value if isinstance(value, list) else [value]
    names = {n for names in options.doc_label_sets.values() for n in names}
    if items and all(
        (isinstance(v, str) and (v in names or options.label_map.get(v) in names))
        or (isinstance(v, Mapping) and "choices" in v)
        for v in items
    ):
        return "choices"
    return None


def min_results(
    task: Mapping[str, Any],
    t: TaskReport,
    options: ImportOptions,
    data_keys: set[str],
    keys: MinKeys | None = None,
) -> list[Any]:
    """A JSON-MIN task's control keys as JSON results (``from_name``, ``type``, ``value``).

    ``keys`` remembers what each key held in the file's earlier tasks (see
    :class:`MinKeys`); a key that held spans or choices there holds the same here.
    """
    results: list[Any] = []
    for key, value in task.items():
        if key in MIN_META or key in data_keys:
            continue
        kind = options.controls.get(key)
        if kind is not None and kind.startswith(PER_REGION):
            t.add(
                f": key {key!r} is a per-region control (perRegion in the labeling config):"
                " attributes of spans, not document labels; not read",
                pointer=json_pointer(key),
                severity="warning",
            )
            continue
        items = value if isinstance(value, list) else [value]
        region_types = _per_region_types(value) if kind is None else None
        if region_types is not None:
            # Notes, ratings, choices on spans (``perRegion`` controls the config, when
            # given, would have named): results of their type, read or reported as in JSON.
            for i, (item, region_type) in enumerate(zip(items, region_types, strict=True)):
                pointer = json_pointer(key, i) if isinstance(value, list) else json_pointer(key)
                results.append(
                    {
                        "id": f"{key}.{i}",
                        "from_name": key,
                        "type": region_type,
                        "value": item,
                        "_pointer": pointer,
                    }
                )
            continue
        if kind is None:
            # Not a control of the labeling config (or none given): known by what it holds.
            known = keys.kinds.get(key) if keys is not None else None
            if known is not None and not _fits(known[0], value):
                t.add(f": {_why(key, _shape(value), *known)}", pointer=json_pointer(key))
                continue
            kind = known[0] if known is not None else _looks_like(key, value, options)
            if kind is None:
                if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                    t.add(
                        f": key {key!r} holds results this importer does not read"
                        " (not spans with start/end/labels, not choices)",
                        pointer=json_pointer(key),
                        severity="warning",
                    )
                if keys is not None:
                    keys.saw_other(key, value, t)
                continue  # a data field of the task
            if keys is not None:
                keys.saw(key, kind, t)
            if kind == "labels" and options.controls:
                t.add(
                    f": key {key!r} holds spans but is not a control of the labeling config;"
                    " read as spans",
                    pointer=json_pointer(key),
                    severity="warning",
                )
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
                    {
                        "id": f"{key}.{i}",
                        "from_name": key,
                        "type": "labels",
                        "value": item,
                        "_pointer": json_pointer(key, i)
                        if isinstance(value, list)
                        else json_pointer(key),
                    }
                )
            else:
                results.append({"id": f"{key}.{i}", "from_name": key, "type": kind, "value": item})
    return results


def guess_text(
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
        and k not in MIN_META | {"article_id"} | names
        and quoted
        and all(not isinstance(span_offsets(q, v, k), str) for q in quoted)
    ]
    if len(fits) == 1:
        return fits[0], data[fits[0]]
    return "text", None
