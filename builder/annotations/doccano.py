"""doccano JSONL exports, read as native records (format ``doccano``).

doccano's download is a zip of them; one holding a single export is read as it.

One line per article. doccano's exporter (``backend/data_export``) writes the
example's ``id``, ``text`` and the extra columns of the imported file (so an
``article_id`` column comes back at the top level), then the project's labels:

* sequence labeling: ``"label": [[start, end, "LABEL"], ...]``;
* sequence labeling with relations: ``"entities": [{"id", "start_offset",
  "end_offset", "label"}]`` and ``"relations": [{"id", "from_id", "to_id", "type"}]``;
* intent detection and slot filling: ``"cats": ["LABEL", ...]`` and
  ``"entities": [[start, end, "LABEL"], ...]``;
* text classification: ``"label": ["LABEL", ...]``;
* doccano 1.6 wrote the text as ``"data"``, not ``"text"``; it is read from either;
* older exports: ``"labels": [[start, end, "LABEL"], ...]`` (doccano 1.x "JSONL
  (text label)"), and doccano 1.0's ``"annotations": [{"label": 12,
  "start_offset", "end_offset", "user"}]`` (or ``[{"label": 3, "user"}]`` for
  categories), whose labels are ids of the project's label table: give it as the
  entry's ``label_table`` (a mapping, or the project's exported label JSON).

A span labelled ``QUOTE`` (or ``QUOTATION``, after the entry's ``labels``
mapping) is a quote, any other label an entity type. A relation whose type is a
speaker relation (``speaker_relations``) between a quote and an entity makes the
entity the quote's speaker; other relations are reported and not read.
Categories are document labels: ``genre:analysis`` names its set, the entry's
``choices`` maps a prefix to a set, and a bare label fills the one declared set
that holds it.

The article id is the line's ``article_id`` (import the texts with that column),
else ``meta.article_id`` (``meta`` an object, or
the JSON string doccano 1.0 stored), else a string ``id``. A column imported as a
number comes back a number, or a float when pandas met a line without it
(``12345.0``): either is read as its digits; any other value is an error. A line with none of
them (texts imported without the column; its integer ``id`` is doccano's own
example number) is an error saying how to bring the id in. It is not matched
to an article by its text: that needs every article's text at hand while the
export is read (an index of 10M texts), doccano may have changed the text on
import, and the same wire story under two ids would match either. Comments (``Comments``) and any
other column are kept out; a column that holds spans this reader does not know
is an error, never skipped.

Offsets: doccano's frontend counts UTF-16 code units (doccano/doccano#2290), or
grapheme clusters when the project counts grapheme clusters as one character;
:func:`read_doccano` converts them to code points over the line's ``text``
(default ``utf-16``; the entry's ``offsets: graphemes`` or ``code-points`` otherwise).
Over a text with CR LF line ends, the offsets may count each pair as one
character (doccano/doccano#2114: spans early by as many characters as CR LFs
before them); doccano writes no span text to check, so a line is read that way
when its spans cut words as given and cut none so (grapheme counts already take
a CR LF as one). Without ``offsets`` on the entry, a text with characters past the BMP whose spans cut
words when read as UTF-16 units and none when read as code points (offsets a Python
tool wrote and doccano kept) is an error asking which, never a silent shift; so is a
text where a user-perceived character is several UTF-16 units and the spans cut words
as UTF-16 units but none as grapheme clusters (a project counting grapheme clusters).

A collaborative project's ``all.jsonl`` lists every member's spans together, without
the user: a span two annotators marked alike is read once (a warning); different spans
by different annotators cannot be told apart, and are all read.
CSV, fastText and CoNLL files are not read: one error says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..jsonl import DEFAULT_MAX_RECORD_BYTES
from ..validate.report import Issue, json_pointer
from .common import (
    OffsetConverter,
    OffsetError,
    SpanChars,
    article_id_of,
    build_record,
    not_an_article_id,
    span_id,
)
from .doccano_lines import LineReport, collect, doc_labels, span_origin, table_label
from .doccano_offsets import (
    RawSpan,
    code_points_read_as_utf16,
    crlf_reading,
    graphemes_read_as_utf16,
)
from .export_files import iter_tasks, not_json, of_format, unpacked
from .options import ImportOptions

__all__ = ["line_to_record", "read_doccano"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]


def line_to_record(
    line: Any,
    number: int,
    file: str,
    *,
    offsets: str = "utf-16",
    options: ImportOptions | None = None,
) -> Result:
    """One exported line as a native record (or None and the issues)."""
    options = options or ImportOptions()
    if not isinstance(line, Mapping):
        issue = Issue(
            file=file, line=number, rule="doccano", message=f"line {number} is not a JSON object"
        )
        return number, None, [issue]
    ln = LineReport(file, number, line)
    named = _article_id(line, ln)
    if named is None:
        return number, None, ln.issues
    article_id, id_pointer = named
    ln.record = article_id
    # doccano 1.6 exported the text as "data" (PaddleNLP's converter reads either)
    text_key = "data" if "text" not in line and isinstance(line.get("data"), str) else "text"
    text = line.get(text_key)
    if not isinstance(text, str):
        ln.add(
            " has no text" if text is None else f": text is not a string ({type(text).__name__})",
            pointer="/text",
        )
        return number, None, ln.issues
    raw_spans, relations, cats = collect(line, ln, options)
    convert = _offset_reading(text, raw_spans, offsets, options, ln)
    if convert is None:
        return number, None, ln.issues
    spans, by_id = _read_spans(line, text, raw_spans, convert, options, ln)
    if ln.failed:
        return number, None, ln.issues
    _link_speakers(relations, by_id, options, ln)
    label_origin: dict[str, str] = {}
    labels = doc_labels(cats, ln, options, label_origin)
    if ln.failed:
        return number, None, ln.issues  # relations to failed spans would only repeat them
    annotator = line.get("user") or line.get("annotator")
    record = build_record(
        article_id=article_id,
        text=text,
        annotator={
            "kind": "human",
            "name": f"doccano annotator {annotator}" if annotator is not None else "doccano",
            "note": f"Imported from the doccano export {file}.",
        },
        origin={
            "/article_id": id_pointer,
            "/text_sha256": json_pointer(text_key),
            "/annotator": "/user" if "user" in line else "/annotator",
            **label_origin,
        },
        entities=[_without_kind(s) for s in spans if s["_kind"] == "entities"],
        quotes=[_without_kind(s) for s in spans if s["_kind"] == "quotes"],
        labels=labels,
    )
    return number, record, ln.issues


def _article_id(line: Mapping[str, Any], ln: LineReport) -> tuple[str, str] | None:
    """The line's article id and the pointer it was read at (None: an error said why):
    ``article_id``, else ``meta.article_id``, else a string ``id``."""
    meta = line.get("meta")
    if isinstance(meta, str):  # doccano 1.0 kept meta as a JSON string
        try:
            meta = json.loads(meta)
        except ValueError:
            meta = None
    meta = meta if isinstance(meta, Mapping) else {}
    # (a null top-level article_id is pandas' NaN for a line imported without the column)
    where, given_id = next(
        (
            (p, v)
            for p, v in (
                ("/article_id", line.get("article_id")),
                ("/meta/article_id", meta.get("article_id")),
            )
            if v is not None
        ),
        ("/article_id", None),
    )
    if given_id is not None:
        article_id = article_id_of(given_id)
        if article_id is None:
            ln.add(f": {not_an_article_id(given_id)}", pointer=where)
            return None
        return article_id, where
    if isinstance(line.get("id"), str):
        return line["id"], "/id"
    own = line.get("id")
    ln.add(
        " has no article_id naming its article"
        + (
            f" (its id {own} is doccano's own example number, not an article id)"
            if isinstance(own, int) and not isinstance(own, bool)
            else ""
        )
        + ": doccano exports the columns a text was imported with, so import the texts"
        ' with an article_id column (a JSONL line {"text": ..., "article_id": ...}, or a'
        " CSV column), or add article_id to each line of this export",
        pointer="/article_id",
    )
    return None


def _offset_reading(
    text: str,
    raw_spans: list[RawSpan],
    offsets: str,
    options: ImportOptions,
    ln: LineReport,
) -> Any:
    """How the line's offsets are read: as the entry says (``offsets``), or with each
    CR LF as one character when only that reading cuts no word (a warning). None: the
    offsets look like code points or grapheme clusters read as UTF-16 units, and the
    entry does not say which (an error)."""
    given = OffsetConverter(text, options.offsets or offsets)
    convert = crlf_reading(text, raw_spans, given)
    if options.offsets is None and offsets == "utf-16" and convert is given:
        # (UTF-16 units with each CR LF as one is doccano's count after all)
        for misread, unit in (
            (code_points_read_as_utf16, "code-points"),
            (graphemes_read_as_utf16, "graphemes"),
        ):
            why = misread(text, raw_spans, given)
            if why is not None:
                ln.add(
                    f": {why}; say which with {options.origin}.offsets: {unit} (or utf-16)",
                    pointer=raw_spans[0][4],
                    rule="span-offsets",
                )
                return None
    if convert is not given:
        ln.add(
            ": offsets read with each CR LF as one character (doccano's editor counts the"
            " pair as one; as given, spans would cut words)",
            pointer=raw_spans[0][4],
            rule="span-offsets",
            severity="warning",
        )
    return convert


def _read_spans(
    line: Mapping[str, Any],
    text: str,
    raw_spans: list[RawSpan],
    convert: Any,
    options: ImportOptions,
    ln: LineReport,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The line's spans as native entities and quotes (each with its ``_kind``), in
    order, and by their doccano id (for the relations); a span that cannot be read is
    an issue in ``ln``."""
    used: set[str] = set()
    by_id: dict[str, dict[str, Any]] = {}
    spans: list[dict[str, Any]] = []
    repeated = 0
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    chars = SpanChars(options.max_span_chars)
    for raw in raw_spans:
        span = _native_span(raw, line, convert, options, ln, used)
        if span is None:
            continue
        sid, s, e, pointer = raw[0], span["start"], span["end"], raw[4]
        # A collaborative project's export (``all.jsonl``) holds every member's spans in
        # one list, without the user (``ExportedSpan.to_tuple``): two annotators marking
        # the same span write it twice. One copy is kept; relations to either reach it.
        same = seen.setdefault((s, e, span.get("label"), span["_kind"]), span)
        if same is not span:
            repeated += 1
            by_id.setdefault(str(sid), same)
            continue
        if chars.over(s, e):
            ln.add(f", span {sid}{chars.message()}", pointer=pointer, rule="size-limit")
            break
        span["text"] = text[s:e]
        # A repeated id (two labels on one region) keeps both spans; relations name the first.
        by_id.setdefault(str(sid), span)
        spans.append(span)
    if repeated:
        ln.add(
            f": {repeated} span(s) repeat another with the same offsets and label (a"
            " collaborative export lists each annotator's); read once",
            pointer=raw_spans[0][4],
            severity="warning",
        )
    return spans, by_id


def _native_span(
    raw: RawSpan,
    line: Mapping[str, Any],
    convert: Any,
    options: ImportOptions,
    ln: LineReport,
    used: set[str],
) -> dict[str, Any] | None:
    """One exported span as a native entity or quote (with its ``_kind``; its text not
    yet sliced), its offsets in code points (None: an issue in ``ln`` says why not)."""
    sid, start, end, raw_label, pointer = raw
    stag = f", span {sid}"
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        ln.add(
            f"{stag}: offsets must be integers, got {start!r} and {end!r}",
            pointer=pointer,
            rule="span-offsets",
        )
        return None
    try:
        s, e = convert.to_code_points(start), convert.to_code_points(end)
    except OffsetError as exc:
        ln.add(f"{stag}: {exc}", pointer=pointer, rule="span-offsets")
        return None
    if s >= e:
        ln.add(
            f"{stag}: start {start} is not before end {end}", pointer=pointer, rule="span-offsets"
        )
        return None
    if isinstance(raw_label, int) and not isinstance(raw_label, bool):
        raw_label = table_label(raw_label, options, ln, pointer)
        if raw_label is None:
            return None
    label, why = options.map_label(raw_label)
    if label is None:
        ln.add(f"{stag}: {why}", pointer=pointer, rule="label-map")
        return None
    is_quote = options.is_quote(label)
    span: dict[str, Any] = {
        "_kind": "quotes" if is_quote else "entities",
        "id": span_id(sid, "q" if is_quote else "e", used),
        "start": s,
        "end": e,
        "text": None,  # sliced once the span is known to be kept and within the limit
        "_origin": span_origin(line, pointer),
    }
    if is_quote:
        span["speaker"] = None
    else:
        span["label"] = label
    return span


def _link_speakers(
    relations: list[Any],
    by_id: dict[str, dict[str, Any]],
    options: ImportOptions,
    ln: LineReport,
) -> None:
    """Each speaker relation between a quote and an entity makes the entity the
    quote's speaker; any other relation is an issue in ``ln`` (a warning for a
    relation of another type, which is not read)."""
    for i, rel in enumerate(relations):
        pointer = json_pointer("relations", i)
        if not isinstance(rel, Mapping):
            ln.add(f", relation {i}: not an object ({rel!r:.40})", pointer=pointer)
            continue
        rtag = f", relation {rel.get('id', i)}"
        # doccano names a relation's label "type"; a "label" key (other exporters, hand
        # edits) is read too, never taken as "unlabelled" and so as a speaker.
        rtype = rel.get("type", rel.get("label"))
        if not options.is_speaker_relation([rtype] if rtype is not None else []):
            ln.add(
                f"{rtag}: relation type {rtype!r} is not a speaker relation and is not read"
                f" ({options.relation_hint()})",
                pointer=pointer,
                rule="relation",
                severity="warning",
            )
            continue
        ends = [by_id.get(str(rel.get("from_id"))), by_id.get(str(rel.get("to_id")))]
        if any(e is None for e in ends):
            ln.add(f"{rtag}: links an entity id that is not in this line", pointer=pointer)
            continue
        quote = next((e for e in ends if e and e["_kind"] == "quotes"), None)
        speaker = next((e for e in ends if e and e["_kind"] == "entities"), None)
        if quote is None or speaker is None:
            ln.add(
                f"{rtag}: speaker relation {rtype!r} links two {'quotes' if quote else 'entities'},"
                " not a quote and an entity",
                pointer=pointer,
                rule="relation",
            )
            continue
        if quote["speaker"] not in (None, speaker["id"]):
            ln.add(
                f"{rtag}: quote {quote['id']} already has speaker {quote['speaker']}",
                pointer=pointer,
            )
            continue
        quote["speaker"] = speaker["id"]
        quote["_origin"] = (*quote["_origin"][:2], pointer)


def _without_kind(span: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in span.items() if k != "_kind"}


def read_doccano(
    path: Path,
    *,
    offsets: str = "utf-16",
    options: ImportOptions | None = None,
    max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Result]:
    """Read a doccano JSONL export (or doccano's zip download holding one); one native
    record per line."""
    with unpacked(path) as (source, name, problems):
        if problems:
            yield None, None, problems
            return
        wrong = not_json(
            source, name, "export the project as JSONL (or JSON) from doccano's Export dataset"
        )
        if wrong is not None:
            yield 1, None, [wrong]
            return
        entry = (options or ImportOptions()).origin
        tasks = iter_tasks(source, name=name, max_line_bytes=max_line_bytes)
        for task in of_format(tasks, "doccano", name, entry):
            # A warning (a skipped byte order mark) keeps the record; only an error loses it.
            if task.data is None or any(i.severity == "error" for i in task.issues):
                yield task.number, None, task.issues
                continue
            number, record, issues = line_to_record(
                task.data, task.number, name, offsets=offsets, options=options
            )
            yield number, record, [*task.issues, *issues]
