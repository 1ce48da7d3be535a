"""What the annotation-tool readers share: offsets, streaming JSON, native records.

Offsets. The native format counts Unicode code points (Python string indices).
Annotation tools running in a browser may count UTF-16 code units instead (a
character outside the Basic Multilingual Plane, such as most emoji, is two
units), or grapheme clusters (doccano's "count grapheme clusters as one
character" option). :class:`OffsetConverter` turns either into code points over
the text the annotator saw, and refuses an offset that falls inside a character.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import regex

from ..names import setting
from ..reanchor import quote_selector, text_digest
from ..validate.report import Issue, json_pointer
from .options import DOC_LABEL_SETS, QUOTE_LABELS

__all__ = [
    "OFFSET_UNITS",
    "ORIGIN_KEY",
    "QUOTE_LABELS",
    "CrLfAsOne",
    "ImportedRecord",
    "OffsetConverter",
    "OffsetError",
    "SpanOrigin",
    "article_id_of",
    "build_record",
    "export_pointer",
    "in_export",
    "not_an_article_id",
    "span_id",
]

#: How a tool counts offsets: ``code-points`` (Python), ``utf-16`` (JavaScript
#: string indices), ``graphemes`` (user-perceived characters).
OFFSET_UNITS = ("code-points", "utf-16", "graphemes")
#: Document-label names a tool's classification may fill.
DOC_LABELS = DOC_LABEL_SETS

_ID_OK = re.compile(r"[^A-Za-z0-9_.:-]")


class RecordReport:
    """One exported record being read (a doccano line, a Label Studio task): where it
    is, and the issues found so far, each located by file, line and record."""

    #: the rule of an issue that names none (the importer's format)
    rule = "import"

    def __init__(
        self,
        file: str,
        number: int,
        record: Mapping[str, Any],
        *,
        kind: str,
        tag: str | None = None,
    ) -> None:
        self.file = file
        self.number = number
        # ``tag``: how messages name a record that has no number in its file (a file of
        # a Label Studio target-storage folder holds one task: "task 3" says it).
        self.tag = tag or f"{kind} {number}" + (f" (id {record['id']})" if "id" in record else "")
        self.record: str | None = None
        self.issues: list[Issue] = []

    def add(
        self, message: str, *, pointer: str = "", rule: str | None = None, severity: str = "error"
    ) -> None:
        self.issues.append(
            Issue(
                file=self.file,
                line=self.number,
                record=self.record,
                pointer=pointer,
                rule=rule or self.rule,
                severity=severity,
                message=f"{self.tag}{message}",
            )
        )

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


class SpanChars:
    """The characters of its text a record's spans quote, counted against the record
    limit (``limits.max_record_bytes``): each span keeps its text, so spans given by
    offsets alone (doccano's triples, a Label Studio region without ``value.text``) can
    make far more text than their export holds. 500 spans nested over a 200 kB article
    (a 244 kB doccano line) made 100 M characters of span text, and the build ran out
    of memory (a 781 MiB array in the row check; exit 3 under a 3 GB limit). A native
    record, whose spans' texts are on its line, is held to the limit by the line's length.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def over(self, start: int, end: int) -> bool:
        """Count the span ``[start, end)``; True once the record is past the limit."""
        self.used += max(0, end - start)
        return self.used > self.limit

    def message(self) -> str:
        return (
            f": the record's spans quote more than {self.limit} characters of its text in all"
            f" (each span keeps its text; {setting('limits.max_record_bytes')}); this span"
            " and the ones after it are not read"
        )


class OffsetError(ValueError):
    """An offset that is out of range or splits a character."""


class OffsetConverter:
    """Convert offsets counted in ``unit`` over ``text`` into code points.

    Example:
        >>> text = "🙂 Iran"                     # the emoji is 2 UTF-16 units
        >>> OffsetConverter(text, "utf-16").to_code_points(3)
        2
        >>> text[2:6]
        'Iran'
    """

    def __init__(self, text: str, unit: str) -> None:
        if unit not in OFFSET_UNITS:
            raise ValueError(f"unknown offset unit {unit!r}; known: {OFFSET_UNITS}")
        self.text = text
        self.unit = unit
        self._table: dict[int, int] | None = None

    def _build(self) -> dict[int, int]:
        table = {0: 0}
        pos = 0
        if self.unit == "utf-16":
            for i, ch in enumerate(self.text, start=1):
                pos += 2 if ord(ch) > 0xFFFF else 1
                table[pos] = i
        else:  # graphemes
            cp = 0
            for cluster in regex.findall(r"\X", self.text):
                pos += 1
                cp += len(cluster)
                table[pos] = cp
        return table

    def to_code_points(self, offset: int) -> int:
        if self.unit == "code-points" or (self.unit == "utf-16" and self.text.isascii()):
            if not 0 <= offset <= len(self.text):
                raise OffsetError(
                    f"offset {offset} is outside the text ({len(self.text)} characters)"
                )
            return offset
        if self._table is None:
            self._table = self._build()
        if offset not in self._table:
            last = max(self._table)
            if not 0 <= offset <= last:
                raise OffsetError(f"offset {offset} is outside the text ({last} {self.unit} units)")
            raise OffsetError(f"offset {offset} falls inside a character ({self.unit} units)")
        return self._table[offset]


def article_id_of(value: Any) -> str | None:
    """An exported article id as the dataset's string id (None when it cannot be one).

    The tools write back the columns a text was imported with, with their JSON types:
    an ``article_id`` imported as a number comes back a number (doccano's
    ``ExportedExample.to_dict`` spreads the example's meta; Label Studio keeps
    ``data`` as imported). doccano writes through pandas (``data_export/pipeline/
    writers.py``: ``DataFrame.to_json``), which turns an integer column with a missing
    value into floats: ``12345.0``. Both are the article ``"12345"``; a fraction, a float
    too large to hold its integer exactly, a boolean or a container is no id.
    """
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # (past 2**53 the float may be another integer)
    return None


def not_an_article_id(value: Any) -> str:
    """The message for an exported id :func:`article_id_of` refuses."""
    return f"article_id {value!r:.40} is not an article id (a string or a whole number)"


def span_id(raw: Any, prefix: str, used: set[str]) -> str:
    """A native span id from a tool's region id: safe characters, unique in the record."""
    base = _ID_OK.sub("_", f"{prefix}{raw}")[:60] or prefix
    sid, n = base, 1
    while sid in used:
        n += 1
        sid = f"{base}.{n}"
    used.add(sid)
    return sid


class ImportedRecord(dict):  # type: ignore[type-arg]
    """A native record made from a tool's export, with where each of its values is in
    the file the user has (``origin``: native JSON pointer -> pointer in the export):
    an error the build finds in the record (the schema's, on an article id of the
    wrong shape) must point at ``/data/article_id`` in a Label Studio task, not at
    ``/article_id`` of a record the user never saw."""

    origin: dict[str, Any]  # native pointer -> pointer, or SpanOrigin
    #: the record is a value of the user's record as it is, at this pointer (a shard's
    #: source column, ``/provenance``): every pointer into it is under that one
    nested: str | None = None

    def file_pointer(self, pointer: str) -> str:
        if self.nested is not None:
            return self.nested + pointer
        return export_pointer(getattr(self, "origin", {}), pointer)


#: the key under which a staged record keeps its :attr:`ImportedRecord.origin` (taken
#: out again by the worker before the record is read)
ORIGIN_KEY = "_origin"


#: where a span's values are in the export: the span's pointer, where each of its
#: fields is under it (``{"label": "/value/labels/0"}``; shared, one per export shape),
#: and its speaker relation's pointer (a quote's, or None)
SpanOrigin = tuple[str, Mapping[str, str], str | None]


def export_pointer(origin: Mapping[str, Any], pointer: str) -> str:
    """``pointer`` (into a native record) as a pointer into the export it was made from
    (``origin``: :attr:`ImportedRecord.origin`, a pointer or a :data:`SpanOrigin` by
    native pointer): that of the nearest value the export holds (``/entities/2/label``
    is the span's label in its result; ``/entities/2/prefix``, which the tool has no
    field for, the result itself)."""
    here = pointer
    while True:
        found = origin.get(here)
        if isinstance(found, str):
            return found
        if found is not None:
            base, fields, speaker = found
            field = pointer[len(here) :].split("/")[1:2]
            if field == ["speaker"] and speaker is not None:
                return speaker
            return base + fields.get(field[0], "") if field else base
        if not here:
            return pointer
        here = here.rsplit("/", 1)[0]


def in_export(issues: list[Issue], to_export: Callable[[str], str] | None) -> list[Issue]:
    """Issues of a record an importer made from a tool's export, their pointers mapped
    by ``to_export`` (:meth:`ImportedRecord.file_pointer`, or :func:`export_pointer` of a
    staged record's origin) into the file the user has (``/data/article_id``,
    ``/annotations/0/result/3/value/text``), not into the native record made of it;
    a native record's (``to_export`` None) as they are."""
    if to_export is None or not issues:
        return issues
    return [replace(i, pointer=to_export(i.pointer)) for i in issues]


def build_record(
    *,
    article_id: str,
    text: str | None,
    annotator: dict[str, Any],
    entities: list[dict[str, Any]],
    quotes: list[dict[str, Any]],
    labels: dict[str, Any],
    origin: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A native annotation record; spans get their quote selector from ``text``.

    ``text`` is the text the annotator saw; its digest (``text_sha256``) tells the
    build whether the offsets hold for the current raw text or must be re-anchored.
    ``origin``: where the record's values are in the export (an :class:`ImportedRecord`
    is made): the top-level ones given here (``/article_id``: ``/data/article_id``),
    each span's by its ``_origin`` (a :data:`SpanOrigin`), which is not kept in the span.
    """

    def selector(span: dict[str, Any]) -> dict[str, Any]:
        if text is None:
            return span
        quote = quote_selector(text, span["start"], span["end"])
        return {**span, "prefix": quote["prefix"], "suffix": quote["suffix"]}

    order = lambda s: (s["start"], s["end"], s["id"])  # noqa: E731
    made_on = {} if text is None else {"text_sha256": text_digest(text)}
    entities = sorted(entities, key=order)
    quotes = sorted(quotes, key=order)
    # taken out of the spans (their records are the importer's own, made for this)
    span_origins = [[s.pop("_origin", None) for s in spans] for spans in (entities, quotes)]
    fields = {
        "article_id": article_id,
        "annotator": annotator,
        **made_on,
        "entities": [selector(e) for e in entities],
        "quotes": [selector(q) for q in quotes],
        "labels": labels,
    }
    if origin is None:
        return fields
    record = ImportedRecord(fields)
    record.origin = dict(origin)
    for kind, found in zip(("entities", "quotes"), span_origins, strict=True):
        for i, span_origin in enumerate(found):
            if span_origin is not None:
                record.origin[json_pointer(kind, i)] = span_origin
    return record


class CrLfAsOne:
    """Offsets counted on a text whose CR LF pairs count as one character, mapped to the
    text as it is (built on first use: most texts never need it). Browsers drop the CR
    of a CR LF in rendered text, so tools running in one count the pair as one: brat's
    client (nlplab/brat#853), Label Studio's."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._raw: list[int] | None = None

    def to_raw(self, offset: int) -> int | None:
        if self._raw is None:
            text = self.text  # a CR LF is its CR: an offset before the pair stays before it
            self._raw = [
                i for i, ch in enumerate(text) if not (ch == "\n" and text[i - 1 : i] == "\r")
            ]
            self._raw.append(len(self.text))
        return self._raw[offset] if 0 <= offset < len(self._raw) else None
