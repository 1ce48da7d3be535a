"""Annotation exports as files: how their tasks are laid out, read as a stream.

A tool's export is a JSON array (Label Studio's JSON, doccano's JSON), indented
objects one after another, or JSON Lines (doccano's JSONL, the native format),
maybe gzip- or zstd-compressed under any name, maybe inside a zip (doccano's
download). :func:`iter_tasks` yields its tasks one at a time whatever the layout,
each with its place in the file, without holding the file (or a task past
``limits.max_record_bytes``) in memory; :func:`not_json` names the tools' other
export formats (CSV, CoNLL, fastText) given by mistake.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..compressed_inputs import Openable, decompress_errors, open_input
from ..jsonl import DEFAULT_MAX_RECORD_BYTES, read_jsonl
from ..names import setting
from ..utf8 import bad_utf8_of_stream
from ..validate.report import Issue

__all__ = [
    "Task",
    "ZipMember",
    "file_layout",
    "first_tool",
    "iter_tasks",
    "not_json",
    "of_format",
    "tool_of",
    "unpacked",
]


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


def _read_size(left: int, chunk: int, max_bytes: int) -> int:
    """How much to read after the ``left`` characters of an undecoded task: as much again
    (up to the record limit), so that a task longer than a chunk is decoded from its start
    a few times, not once a chunk (a 12 MB task of 200,000 results took 2.4 s, each
    megabyte read having it parsed again from its start)."""
    return max(chunk, min(left, max_bytes + 1 - left))


def _read_on(
    handle: BinaryIO, decoder: codecs.IncrementalDecoder, left: str, chunk: int, max_bytes: int
) -> tuple[str, bool]:
    """``left`` (the text not read yet) with the next piece of the export decoded after it
    (:func:`_read_size`), and whether the export ended."""
    data = handle.read(_read_size(len(left), chunk, max_bytes))
    return left + decoder.decode(data, final=not data), not data


#: runs of the characters skipped between the tasks of a JSON array
_RUNS = {chars: re.compile(f"[{re.escape(chars)}]*") for chars in (" \t\r\n", " \t\r\n,")}


def _iter_json_array(
    path: Path | Openable,
    name: str,
    max_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    chunk: int = 1 << 20,
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
            buf, eof = _read_on(handle, incremental, buf[pos:], chunk, max_bytes)
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


def _bad_utf8(path: Path | Openable, exc: UnicodeDecodeError) -> str:
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


def _head(path: Path | Openable) -> bytes:
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


def file_layout(path: Path | Openable) -> str:
    """How an export holds its tasks, by its first bytes: ``"array"`` (a JSON array),
    ``"objects"`` (indented objects one after another) or ``"lines"`` (JSON Lines)."""
    head = _head(path)
    if head.startswith(b"["):
        return "array"
    if head.split(b"\n", 1)[0].strip() == b"{":
        return "objects"
    return "lines"


def not_json(path: Path | Openable, name: str, wanted: str) -> Issue | None:
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
        or head[:2] in (b"\xff\xfe", b"\xfe\xff")
        or head.lstrip(b"\x00")[:1] in (b"{", b"[")
    ):
        return None  # JSON, or a UTF-16/32 file whose encoding the JSON readers report
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if b"\x00" in head:
        # (read as lines, each stretch between two newline bytes was an error of its own)
        looks, first = "a binary file", first.encode("ascii", "backslashreplace").decode()
    elif first.startswith("-DOCSTART-") or re.fullmatch(r"\S+( \S+)* [BIOES]-?\S*", first):
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
    path: Path | Openable,
    *,
    name: str | None = None,
    max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES,
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


def _iter_tasks(path: Path | Openable, name: str, max_line_bytes: int) -> Iterator[Task]:
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


#: white space between objects (str.lstrip's, as before: not only JSON's four characters)
_WHITE = re.compile(r"\s*")


def _iter_json_objects(
    path: Path | Openable,
    name: str,
    max_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    chunk: int = 1 << 20,
) -> Iterator[Task]:
    """JSON values one after another, each over several lines, decoded one at a time.

    A task's number is its place in the file; an issue also gives the line it starts at.
    The buffer is read by position, never copied per task: cutting each decoded task off
    its front (and stripping the white space after it) copied the rest of the megabyte
    read, 38 µs a task, 7.7 s for 200,000 tiny objects (2.2 MB) that a JSON array of the
    same tasks reads in 0.2 s.
    """
    decoder = json.JSONDecoder()
    incremental = codecs.getincrementaldecoder("utf-8-sig")()
    buf, pos, number, line = "", 0, 0, 1
    with open_input(path) as handle:
        eof = False

        def fill() -> None:
            nonlocal buf, pos, eof
            buf, eof = _read_on(handle, incremental, buf[pos:], chunk, max_bytes)
            pos = 0

        while True:
            start = _WHITE.match(buf, pos).end()  # type: ignore[union-attr]
            line += buf.count("\n", pos, start)
            pos = start
            if pos == len(buf):
                if eof:
                    return
                try:
                    fill()
                except UnicodeDecodeError as exc:
                    yield _broken(name, number + 1, "encoding", _bad_utf8(path, exc))
                    return
                continue
            try:
                value, end = decoder.raw_decode(buf, pos)
            except RecursionError:
                yield _broken(name, number + 1, "json-depth", "nested too deeply to read")
                return
            except json.JSONDecodeError as exc:
                if not eof and len(buf) - pos > max_bytes:  # characters: at least as many bytes
                    yield _named(_too_long(number + 1, max_bytes), name)
                    return
                if not eof:
                    try:
                        fill()
                    except UnicodeDecodeError as err:
                        yield _broken(name, number + 1, "encoding", _bad_utf8(path, err))
                        return
                    continue
                at = line + buf.count("\n", pos, exc.pos)
                why = f"invalid JSON at line {at} ({exc.msg})"
                yield _broken(name, number + 1, "json", why)
                return
            number += 1
            yield Task(number, value, [])
            line += buf.count("\n", pos, end)
            pos = end


def _doccano_spans(value: Any) -> bool:
    """Spans as only doccano writes them: ``[start, end, label]`` triples, or objects
    with ``start_offset`` (Label Studio's and the native format's have ``start``)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            (isinstance(v, list) and len(v) == 3 and all(isinstance(x, int) for x in v[:2]))
            or (isinstance(v, Mapping) and "start_offset" in v)
            for v in value
        )
    )


def tool_of(task: Any) -> tuple[str, str] | None:
    """``(format, what it is)`` of the export ``task`` comes from, by what only that
    tool writes; None when nothing in it tells."""
    if not isinstance(task, Mapping):
        return None
    if isinstance(task.get("data"), Mapping) and any(
        k in task for k in ("annotations", "completions", "predictions")
    ):
        return "label-studio", "a Label Studio JSON task (data and annotations)"
    if "annotation_id" in task and "data" not in task:
        return "label-studio", "a Label Studio JSON-MIN task (annotation_id)"
    if isinstance(task.get("annotator"), Mapping) and all(
        isinstance(task.get(k), list) for k in ("entities", "quotes")
    ):
        return "native", "a native annotation record (annotator, entities and quotes)"
    if isinstance(task.get("text", task.get("data")), str) and any(
        _doccano_spans(task.get(k)) for k in ("label", "labels", "entities")
    ):
        return "doccano", "a doccano line (text, and spans as [start, end, label] or start_offset)"
    return None


def first_tool(path: Path) -> str | None:
    """The format :func:`tool_of` finds in the first task of the export at ``path``."""
    tasks = iter_tasks(path)
    try:
        task = next(tasks, None)
    finally:
        tasks.close()
    found = tool_of(task.data) if task is not None else None
    return found[0] if found is not None else None


def of_format(tasks: Iterator[Task], fmt: str, name: str, entry: str) -> Iterator[Task]:
    """``tasks`` of an export read as format ``fmt`` (``entry``: the configuration entry,
    for messages), ending at the first that shows another tool's export: one error there.
    Read as ``fmt``, each of its tasks was an error of its own (a Label Studio task as a
    doccano line has "no article_id"), or none at all: a doccano export read as
    JSON-MIN built with no span and exit 0."""
    known = False
    for task in tasks:
        found = None if known or task.data is None else tool_of(task.data)
        if found is not None:
            known = True
            tool, what = found
            if tool != fmt:
                rest = "nothing in it is read" if task.number == 1 else "not read on"
                message = (
                    f"task {task.number} is {what}, but the entry's format is {fmt}; {rest}:"
                    f" name its format with {entry}.format: {tool}"
                )
                issue = Issue(file=name, line=task.number, rule="export-format", message=message)
                yield Task(task.number, None, [issue])
                return
        yield task


#: Members of an export archive that can hold the export itself.
_EXPORT_SUFFIXES = (".jsonl", ".json")


class ZipMember:
    """An export inside a zip archive, opened as it streams out of the archive
    (:func:`builder.compressed_inputs.open_input` reads it as it reads a file)."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self._archive = archive
        self._info = info
        self.name = PurePosixPath(info.filename).name

    def open(self, mode: str = "rb") -> BinaryIO:
        return self._archive.open(self._info)  # type: ignore[return-value]


#: What opening a zip archive, or one of its members, raises when it cannot be read:
#: a damaged archive, an encrypted member (no password), a compression zipfile lacks.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError)


def _unreadable_zip(name: str, exc: BaseException) -> list[Issue]:
    why = str(exc) or type(exc).__name__
    message = f"cannot read the zip archive ({why}); nothing in it is read"
    return [Issue(file=name, rule="zip", message=message)]


@contextmanager
def unpacked(path: Path) -> Iterator[tuple[Path | ZipMember, str, list[Issue]]]:
    """The export inside ``path`` when it is a zip archive, else ``path``: ``(file, name,
    issues)``. A gzip- or zstd-compressed export (whatever its name) is ``path``: the
    readers read it through the decompressor (:func:`builder.compressed_inputs.open_input`, by its
    first bytes), never decompressed whole to a temporary file first (a gzip bomb filled
    the disk before a task was read).

    doccano's download is a zip (one ``USER.jsonl`` per project member, or ``all.jsonl``
    with collaborative annotation). An archive with one export in it is read as that
    export, named ``ARCHIVE:MEMBER`` in messages; with several, which one to read is the
    user's choice, so the issue lists them. The member is read as it streams out of the
    archive (a :class:`ZipMember`), never copied to disk: copied, a zip bomb filled the
    disk before a task was read. An archive or member that cannot be read (damaged,
    encrypted) is an issue naming it, not a traceback.
    """
    if not zipfile.is_zipfile(path):
        yield path, path.name, []
        return
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        yield path, path.name, _unreadable_zip(path.name, exc)
        return
    with archive:
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
        member = ZipMember(archive, members[0])
        name = f"{path.name}:{members[0].filename}"
        if members[0].flag_bits & 0x1:
            why = "the member is encrypted; unzip it with its password and give the export itself"
            yield path, name, [Issue(file=name, rule="zip", message=why)]
            return
        try:
            with member.open() as probe:  # an encrypted member fails here, not mid-read
                probe.read(1)
        except _ZIP_ERRORS as exc:
            yield path, name, _unreadable_zip(name, exc)
            return
        yield member, name, []
