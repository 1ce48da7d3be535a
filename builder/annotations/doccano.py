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

import regex

from ..jsonl import DEFAULT_MAX_RECORD_BYTES
from ..validate.report import Issue, json_pointer
from .common import (
    CrLfAsOne,
    OffsetConverter,
    OffsetError,
    RecordReport,
    SpanOrigin,
    article_id_of,
    build_record,
    not_an_article_id,
    span_id,
)
from .export_files import iter_tasks, not_json, of_format, unpacked
from .options import DOC_LABEL_SETS, ImportOptions

__all__ = ["line_to_record", "read_doccano"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]

#: span: (id, start, end, label, JSON pointer)
RawSpan = tuple[Any, Any, Any, Any, str]


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


class _Line(RecordReport):
    rule = "doccano"

    def __init__(self, file: str, number: int, line: Mapping[str, Any]) -> None:
        super().__init__(file, number, line, kind="line")


def _table_label(value: Any, options: ImportOptions, ln: _Line, pointer: str) -> Any:
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


def _collect(
    line: Mapping[str, Any], ln: _Line, options: ImportOptions
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
            label = _table_label(a.get("label"), options, ln, p + json_pointer("label"))
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


def _doc_labels(
    cats: list[tuple[Any, str]],
    ln: _Line,
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


def _span_origin(line: Mapping[str, Any], pointer: str) -> SpanOrigin:
    """Where a span's values are in the line (a :data:`.common.SpanOrigin`)."""
    if pointer.startswith("/annotations/"):
        return pointer, _OBJECT_FIELDS, None
    if pointer.startswith("/entities/"):
        entity = line["entities"][int(pointer.rsplit("/", 1)[1])]
        return pointer, _TRIPLE_FIELDS if isinstance(entity, list) else _OBJECT_FIELDS, None
    return pointer, _TRIPLE_FIELDS, None


def _splits_word(text: str, start: int, end: int) -> bool:
    return any(
        0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum() for i in (start, end)
    )


def _code_points_read_as_utf16(
    text: str, spans: list[RawSpan], utf16: OffsetConverter
) -> str | None:
    """Why offsets of a text with characters past the BMP (most emoji) look counted in
    code points, not the UTF-16 units doccano's browser counts (None when they do not).

    A tool that pre-annotated in Python and imported into doccano keeps its code-point
    offsets; read as UTF-16 units every span after such a character moves left, silently
    unless an offset lands inside a character. Here read both ways: when the UTF-16 reading
    cuts words and the code-point reading cuts none, the offsets are code points.
    """
    if text.isascii() or not any(ord(ch) > 0xFFFF for ch in text):
        return None
    as_units = as_points = 0
    for _, start, end, _, _ in spans:
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            continue
        try:
            s, e = utf16.to_code_points(start), utf16.to_code_points(end)
        except OffsetError:
            return None  # reported span by span already
        as_units += _splits_word(text, s, e)
        as_points += 0 <= start <= end <= len(text) and _splits_word(text, start, end)
    if as_units and not as_points:
        return (
            f"read as UTF-16 units (doccano's count), {as_units} span(s) cut a word; read as"
            " code points none does: the offsets look counted in code points"
        )
    return None


#: What can make one grapheme cluster more than one UTF-16 unit: a mark (accents, vowel
#: signs, variation selectors), a zero-width joiner, a character past the BMP, a jamo.
_MULTI_UNIT = regex.compile(r"[\p{M}\u200d\U00010000-\U0010ffff\u1100-\u11ff]")


def _graphemes_read_as_utf16(text: str, spans: list[RawSpan], utf16: OffsetConverter) -> str | None:
    """Why offsets look counted in grapheme clusters (None when they do not).

    A project set to "Count grapheme clusters as one character" (a doccano project
    option) exports grapheme counts, with nothing in the file to say so. Over a text where a
    user-perceived character is more than one UTF-16 unit (an emoji, a flag, a letter
    with a combining accent, a ZWJ sequence) the two counts part, and every span after
    it moves. Read both ways: when the UTF-16 reading cuts words (or cannot be read)
    and the grapheme reading cuts none, ask which.
    """
    if text.isascii() or not _MULTI_UNIT.search(text):
        return None  # (most lines: the count cannot differ, so nothing is read twice)
    as_graphemes = _cuts(text, spans, OffsetConverter(text, "graphemes"))
    if as_graphemes != 0:
        return None
    as_units = _cuts(text, spans, utf16)
    if as_units == 0:
        return None
    how = (
        "offsets fall inside characters or past the end"
        if as_units is None
        else f"{as_units} span(s) cut a word"
    )
    return (
        f"read as UTF-16 units (doccano's default count), {how}; read as grapheme clusters"
        " no span cuts a word: the project looks set to count grapheme clusters as one"
        " character"
    )


class _CrLfCounted:
    """Offsets counted in ``unit`` over ``text`` with each CR LF as one character, as code
    points of ``text`` (the :class:`OffsetConverter` interface)."""

    def __init__(self, text: str, unit: str) -> None:
        self._units = OffsetConverter(text.replace("\r\n", "\n"), unit)
        self._raw = CrLfAsOne(text)

    def to_code_points(self, offset: int) -> int:
        raw = self._raw.to_raw(self._units.to_code_points(offset))
        if raw is None:
            raise OffsetError(f"offset {offset} is outside the text")
        return raw


def _cuts(text: str, spans: list[RawSpan], convert: Any) -> int | None:
    """How many spans, read with ``convert``, cut a word or split a CR LF (None when an
    offset cannot be read so at all)."""
    cuts = 0
    for _, start, end, _, _ in spans:
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            continue
        try:
            s, e = convert.to_code_points(start), convert.to_code_points(end)
        except OffsetError:
            return None
        cuts += _splits_word(text, s, e) or any(text[i - 1 : i + 1] == "\r\n" for i in (s, e))
    return cuts


def _crlf_reading(text: str, spans: list[RawSpan], convert: OffsetConverter) -> Any:
    """The converter a text with CR LF line ends is read with: as given, or counting each
    CR LF as one character when that alone cuts no word (doccano's editor may count the
    pair as one: doccano/doccano#2114 shows spans two or three characters early after as
    many CR LFs; brat's and Label Studio's browsers do the same). doccano writes no span
    text to check against, so the words decide, for the whole line at once."""
    if "\r\n" not in text or convert.unit == "graphemes":  # a CR LF is one grapheme already
        return convert
    as_given = _cuts(text, spans, convert)
    if as_given == 0:
        return convert
    as_one = _CrLfCounted(text, convert.unit)
    return as_one if _cuts(text, spans, as_one) == 0 else convert


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
    ln = _Line(file, number, line)
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
    article_id = article_id_of(given_id)
    if given_id is not None and article_id is None:
        ln.add(
            f": {not_an_article_id(given_id)}",
            pointer=where,
        )
        return number, None, ln.issues
    if article_id is None and isinstance(line.get("id"), str):
        article_id = line["id"]
    if article_id is None:
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
        return number, None, ln.issues
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
    raw_spans, relations, cats = _collect(line, ln, options)
    given = OffsetConverter(text, options.offsets or offsets)
    convert = _crlf_reading(text, raw_spans, given)
    if options.offsets is None and offsets == "utf-16" and convert is given:
        # (UTF-16 units with each CR LF as one is doccano's count after all)
        for misread, unit in (
            (_code_points_read_as_utf16, "code-points"),
            (_graphemes_read_as_utf16, "graphemes"),
        ):
            why = misread(text, raw_spans, given)
            if why is not None:
                ln.add(
                    f": {why}; say which with {options.origin}.offsets: {unit} (or utf-16)",
                    pointer=raw_spans[0][4],
                    rule="span-offsets",
                )
                return number, None, ln.issues
    if convert is not given:
        ln.add(
            ": offsets read with each CR LF as one character (doccano's editor counts the"
            " pair as one; as given, spans would cut words)",
            pointer=raw_spans[0][4],
            rule="span-offsets",
            severity="warning",
        )
    used: set[str] = set()
    by_id: dict[str, dict[str, Any]] = {}
    all_spans: list[dict[str, Any]] = []
    repeated = 0
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sid, start, end, raw_label, pointer in raw_spans:
        stag = f", span {sid}"
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            ln.add(
                f"{stag}: offsets must be integers, got {start!r} and {end!r}",
                pointer=pointer,
                rule="span-offsets",
            )
            continue
        try:
            s, e = convert.to_code_points(start), convert.to_code_points(end)
        except OffsetError as exc:
            ln.add(f"{stag}: {exc}", pointer=pointer, rule="span-offsets")
            continue
        if s >= e:
            ln.add(
                f"{stag}: start {start} is not before end {end}",
                pointer=pointer,
                rule="span-offsets",
            )
            continue
        if isinstance(raw_label, int) and not isinstance(raw_label, bool):
            raw_label = _table_label(raw_label, options, ln, pointer)
            if raw_label is None:
                continue
        label, why = options.map_label(raw_label)
        if label is None:
            ln.add(f"{stag}: {why}", pointer=pointer, rule="label-map")
            continue
        is_quote = options.is_quote(label)
        span: dict[str, Any] = {
            "_kind": "quotes" if is_quote else "entities",
            "id": span_id(sid, "q" if is_quote else "e", used),
            "start": s,
            "end": e,
            "text": text[s:e],
            "_origin": _span_origin(line, pointer),
        }
        if is_quote:
            span["speaker"] = None
        else:
            span["label"] = label
        # A collaborative project's export (``all.jsonl``) holds every member's spans in
        # one list, without the user (``ExportedSpan.to_tuple``): two annotators marking
        # the same span write it twice. One copy is kept; relations to either reach it.
        same = seen.setdefault((s, e, span.get("label"), span["_kind"]), span)
        if same is not span:
            repeated += 1
            by_id.setdefault(str(sid), same)
            continue
        # A repeated id (two labels on one region) keeps both spans; relations name the first.
        by_id.setdefault(str(sid), span)
        all_spans.append(span)
    if repeated:
        ln.add(
            f": {repeated} span(s) repeat another with the same offsets and label (a"
            " collaborative export lists each annotator's); read once",
            pointer=raw_spans[0][4],
            severity="warning",
        )
    if ln.failed:
        return number, None, ln.issues
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
    label_origin: dict[str, str] = {}
    labels = _doc_labels(cats, ln, options, label_origin)
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
            "/article_id": where if given_id is not None else "/id",
            "/text_sha256": json_pointer(text_key),
            "/annotator": "/user" if "user" in line else "/annotator",
            **label_origin,
        },
        entities=[
            {k: v for k, v in s.items() if k != "_kind"}
            for s in all_spans
            if s["_kind"] == "entities"
        ],
        quotes=[
            {k: v for k, v in s.items() if k != "_kind"}
            for s in all_spans
            if s["_kind"] == "quotes"
        ],
        labels=labels,
    )
    return number, record, ln.issues


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
