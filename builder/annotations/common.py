"""What the annotation-tool readers share: offsets, streaming JSON, native records.

Offsets. The native format counts Unicode code points (Python string indices).
Annotation tools running in a browser may count UTF-16 code units instead (a
character outside the Basic Multilingual Plane, such as most emoji, is two
units), or grapheme clusters (doccano's "count grapheme clusters as one
character" option). :class:`OffsetConverter` turns either into code points over
the text the annotator saw, and refuses an offset that falls inside a character.
"""

from __future__ import annotations

import codecs
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import regex

from ..compressed_inputs import decompress_errors, open_input
from ..jsonl import DEFAULT_MAX_RECORD_BYTES, read_jsonl
from ..names import setting
from ..reanchor import quote_selector, text_digest
from ..utf8 import bad_utf8_of_stream
from ..validate.report import Issue
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
    "Task",
    "article_id_of",
    "build_record",
    "export_pointer",
    "iter_tasks",
    "not_an_article_id",
    "not_json",
    "span_id",
    "unpacked",
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


@dataclass
class Task:
    """One task of an export: its place in the file and its JSON object."""

    number: int  # 1-based position in the file (the task index of a JSON array, or the line)
    data: Any
    issues: list[Issue]


def _too_long(number: int, max_bytes: int) -> Task:
    """A task longer than the record limit: as a JSON Lines line is, it is an error, not
    read into memory (a gzip bomb of one long string filled it, and each megabyte read
    had the task parsed again from its start)."""
    why = f"longer than {max_bytes} bytes ({setting('limits.max_record_bytes')})"
    return _broken_task(number, why)


#: runs of the characters skipped between the tasks of a JSON array
_RUNS = {chars: re.compile(f"[{re.escape(chars)}]*") for chars in (" \t\r\n", " \t\r\n,")}


def _iter_json_array(
    path: Path, name: str, max_bytes: int = DEFAULT_MAX_RECORD_BYTES, chunk: int = 1 << 20
) -> Iterator[Task]:
    """Objects of a top-level JSON array, decoded one at a time (memory stays flat: a
    task longer than ``max_bytes`` is an error, and the file is not read past it)."""
    decoder = json.JSONDecoder()
    space = " \t\r\n"
    with open_input(path) as handle:
        incremental = codecs.getincrementaldecoder("utf-8-sig")()
        buf, pos, eof = "", 0, False

        def fill() -> None:
            nonlocal buf, pos, eof
            data = handle.read(chunk)
            eof = not data
            buf = buf[pos:] + incremental.decode(data, final=eof)
            pos = 0

        def skip(chars: str) -> bool:
            """Move past ``chars``; False at the end of the file."""
            nonlocal pos
            run = _RUNS[chars]
            while True:
                # a pattern, not a loop a character at a time (a megabyte of white space,
                # a gzip bomb's, took 50 ms that way), nor a copy of the rest of the buffer
                pos = run.match(buf, pos).end()  # type: ignore[union-attr]
                if pos < len(buf):
                    return True
                if eof:
                    return False
                fill()

        def fail(number: int, message: str) -> Task:
            return Task(number, None, [Issue(file=name, line=number, rule="json", message=message)])

        if not skip(space) or buf[pos] != "[":
            yield fail(1, "expected a JSON array of tasks")
            return
        pos += 1
        number = 0
        while True:
            if not skip(space + ","):
                yield fail(number + 1, "the JSON array of tasks is not closed")
                return
            if buf[pos] == "]":
                return
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError as exc:
                    if eof:
                        yield fail(number + 1, f"task {number + 1}: invalid JSON ({exc.msg})")
                        return
                    if len(buf) - pos > max_bytes:  # characters: at least as many bytes
                        yield _named(_too_long(number + 1, max_bytes), name)
                        return
                    fill()
                    continue
                if end == len(buf) and not eof:
                    fill()  # the value may go on in the next chunk
                    continue
                break
            number += 1
            yield Task(number, value, [])
            pos = end


def _bad_utf8(path: Path, exc: UnicodeDecodeError) -> str:
    """Where the export stops being UTF-8: the decoder's offset is in its last chunk."""
    with open_input(path) as handle:
        bad = bad_utf8_of_stream(handle)
    return str(bad) if bad else f"not valid UTF-8 ({exc.reason})"


def _broken_task(number: int, why: str) -> Task:
    return _broken("", number, "size-limit", why)


def _named(task: Task, name: str) -> Task:
    return Task(task.number, task.data, [replace(i, file=name) for i in task.issues])


def _broken(name: str, number: int, rule: str, why: str) -> Task:
    """The task at which an export stops being readable (nothing after it is read)."""
    message = f"task {number}: {why}; the rest of the file is not read"
    return Task(number, None, [Issue(file=name, line=number, rule=rule, message=message)])


def _head(path: Path) -> bytes:
    """The first bytes of an export (decompressed), without BOM and leading white space;
    as many as can be had from a compressed file cut short: the reading of its tasks
    says where it stops (an error here was a traceback)."""
    out = b""
    try:
        with open_input(path) as handle:
            while len(out) < 4096 and (block := handle.read(4096 - len(out))):
                out += block
    except decompress_errors():
        pass
    return out.lstrip(codecs.BOM_UTF8).lstrip()


def file_layout(path: Path) -> str:
    """How an export holds its tasks, by its first bytes: ``"array"`` (a JSON array),
    ``"objects"`` (indented objects one after another) or ``"lines"`` (JSON Lines)."""
    head = _head(path)
    if head.startswith(b"["):
        return "array"
    if head.split(b"\n", 1)[0].strip() == b"{":
        return "objects"
    return "lines"


def not_json(path: Path, name: str, wanted: str) -> Issue | None:
    """One issue for an export that is no JSON at all (None when it starts like JSON).

    The tools' other export formats end up here by mistake: doccano's CSV and fastText
    (``data_export/pipeline/catalog.py``), Label Studio's CSV, TSV and CoNLL 2003
    (``label_studio_converter``). Read as JSON Lines each of their lines would be its
    own "malformed JSON" error - millions for a CoNLL file, none saying why; one issue at
    line 1 says what the file looks like and which export to make instead.
    """
    head = _head(path)
    if (
        not head
        or head[:1] in (b"{", b"[")
        or b"\x00" in head
        or head[:2] in (b"\xff\xfe", b"\xfe\xff")
    ):
        return None  # JSON, or a UTF-16/32 file whose encoding the JSON readers report
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if first.startswith("-DOCSTART-") or re.fullmatch(r"\S+( \S+)* [BIOES]-?\S*", first):
        looks = "a CoNLL file"
    elif first.startswith("__label__") or " __label__" in first:
        looks = "a fastText file"
    elif "," in first or "\t" in first:
        looks = "a CSV/TSV file"
    else:
        looks = "not JSON"
    return Issue(
        file=name,
        line=1,
        rule="json",
        message=f"{looks} ({first[:60]!r}), not a JSON export; nothing in it is read: {wanted}",
    )


def iter_tasks(
    path: Path, *, name: str | None = None, max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[Task]:
    """Tasks of an export that is a JSON array (Label Studio) or JSON Lines (doccano).

    A JSON Lines line longer than ``max_line_bytes`` (``limits.max_record_bytes``) is an
    error at its line, not read into memory.

    A file compressed by its name (``.gz``, ``.zst``) that is not, or is cut short, is
    an issue at the task where reading stopped: the layout is sniffed, and the tasks
    read, through the decompressor, which raises its own errors.
    """
    name = name or path.name
    last = 0
    try:
        for task in _iter_tasks(path, name, max_line_bytes):
            last = task.number or last
            yield task
    except decompress_errors() as exc:
        why = f"cannot decompress the file ({exc or type(exc).__name__})"
        yield _broken(name, last + 1, "compression", why)


def _iter_tasks(path: Path, name: str, max_line_bytes: int) -> Iterator[Task]:
    layout = file_layout(path)
    if layout == "array":
        last = 0
        try:
            for task in _iter_json_array(path, name, max_line_bytes):
                last = task.number or last
                yield task
        except UnicodeDecodeError as exc:
            yield _broken(name, last + 1, "encoding", _bad_utf8(path, exc))
        except RecursionError:
            yield _broken(name, last + 1, "json-depth", "nested too deeply to read")
        return
    if layout == "objects":
        # Objects written with indentation, one after another (doccano's own import
        # examples look so; so does a hand-joined set of single-task files).
        yield from _iter_json_objects(path, name, max_line_bytes)
        return
    for line, record, issues in read_jsonl(path, name=name, max_line_bytes=max_line_bytes):
        yield Task(line, record, issues)


def _iter_json_objects(
    path: Path, name: str, max_bytes: int = DEFAULT_MAX_RECORD_BYTES, chunk: int = 1 << 20
) -> Iterator[Task]:
    """JSON values one after another, each over several lines, decoded one at a time.

    A task's number is its place in the file; an issue also gives the line it starts at.
    """
    decoder = json.JSONDecoder()
    incremental = codecs.getincrementaldecoder("utf-8-sig")()
    buf, number, line = "", 0, 1
    with open_input(path) as handle:
        eof = False
        while True:
            start = len(buf) - len(buf.lstrip())
            line += buf.count("\n", 0, start)
            buf = buf[start:]
            if not buf:
                if eof:
                    return
                data = handle.read(chunk)
                eof = not data
                try:
                    buf = incremental.decode(data, final=eof)
                except UnicodeDecodeError as exc:
                    yield _broken(name, number + 1, "encoding", _bad_utf8(path, exc))
                    return
                continue
            try:
                value, end = decoder.raw_decode(buf)
            except RecursionError:
                yield _broken(name, number + 1, "json-depth", "nested too deeply to read")
                return
            except json.JSONDecodeError as exc:
                if not eof and len(buf) > max_bytes:  # characters: at least as many bytes
                    yield _named(_too_long(number + 1, max_bytes), name)
                    return
                if not eof:
                    try:
                        more = handle.read(chunk)
                        eof = not more
                        buf += incremental.decode(more, final=eof)
                    except UnicodeDecodeError as err:
                        yield _broken(name, number + 1, "encoding", _bad_utf8(path, err))
                        return
                    continue
                why = f"invalid JSON at line {line + exc.lineno - 1} ({exc.msg})"
                yield _broken(name, number + 1, "json", why)
                return
            number += 1
            yield Task(number, value, [])
            line += buf.count("\n", 0, end)
            buf = buf[end:]


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
                record.origin[f"/{kind}/{i}"] = span_origin
    return record


#: Members of an export archive that can hold the export itself.
_EXPORT_SUFFIXES = (".jsonl", ".json")


@contextmanager
def unpacked(path: Path) -> Iterator[tuple[Path, str, list[Issue]]]:
    """The export inside ``path`` when it is a zip archive, else ``path``: ``(file, name,
    issues)``. A gzip- or zstd-compressed export (whatever its name) is ``path``: the
    readers read it through the decompressor (:func:`builder.compressed_inputs.open_input`, by its
    first bytes), never decompressed whole to a temporary file first (a gzip bomb filled
    the disk before a task was read).

    doccano's download is a zip (one ``USER.jsonl`` per project member, or ``all.jsonl``
    with collaborative annotation). An archive with one export in it is read as that
    export, named ``ARCHIVE:MEMBER`` in messages; with several, which one to read is the
    user's choice, so the issue lists them. The member is copied to a temporary file
    (streamed, so memory stays flat) and removed after reading.
    """
    if not zipfile.is_zipfile(path):
        yield path, path.name, []
        return
    with zipfile.ZipFile(path) as archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and not m.filename.startswith("__MACOSX/")
            and m.filename.lower().endswith(_EXPORT_SUFFIXES)
        ]
        if len(members) != 1:
            names = ", ".join(m.filename for m in members[:20]) or "none"
            message = (
                f"a zip archive holding {len(members)} JSON/JSONL exports ({names}); unzip it"
                " and give each file to read as its own entry (one per annotator: an article"
                " annotated in two files is a second record)"
            )
            yield path, path.name, [Issue(file=path.name, rule="zip", message=message)]
            return
        member = members[0]
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            target = Path(tmp) / Path(member.filename).name
            with archive.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            yield target, f"{path.name}:{member.filename}", []


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
