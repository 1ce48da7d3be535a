"""Reading inputs: raw article files and JSON Lines records, strictly and lazily.

Nothing here holds the corpus in memory: articles are listed by name and read
one at a time; JSON Lines files are read a line at a time. Every problem becomes
an :class:`~builder.validate.report.Issue` naming the file and line.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .article_inputs import NOT_A_REGULAR_FILE
from .names import setting
from .utf8 import bad_utf8_in, bad_utf8_of_line, byte_place
from .validate.report import Issue, json_pointer

__all__ = [
    "ARTICLE_SUFFIX",
    "DEFAULT_MAX_RECORD_BYTES",
    "RawArticle",
    "article_from_bytes",
    "article_path",
    "folder_files",
    "ignored_entries",
    "iter_article_ids",
    "open_input",
    "over_article_limit",
    "read_article",
    "read_jsonl",
]

ARTICLE_SUFFIX = ".txt"
MAX_JSON_DEPTH = 64
#: Longest JSON Lines line read into memory (``limits.max_record_bytes``).
DEFAULT_MAX_RECORD_BYTES = 16 * 2**20
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Where a broken line names its article, so the report (and quarantine) can say whose it is.
_SURROGATE = re.compile("[\ud800-\udfff]")
_ARTICLE_ID_IN_LINE = re.compile(rb'"article_id"\s*:\s*"([^"\\]{1,200})"')


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One raw article as read, with the checksum of its exact bytes."""

    id: str
    path: str
    text: str
    sha256: str
    bytes: int

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "text": self.text,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }


#: first bytes of a gzip and of a zstd stream (neither can begin a UTF-8 text)
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def open_input(path: Path) -> BinaryIO:
    """An input file for reading bytes, decompressed by its suffix (``.gz``, ``.zst``)
    or, under another name, by its first bytes: a gzip file named ``.jsonl`` was read
    as text, "not valid UTF-8 at line 1, column 2" of a file that is whole.

    Streams: a compressed shard is never held in memory as a whole.
    """
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if path.name.endswith(".zst"):
        return io.BufferedReader(_ZstdFrames(path.open("rb")), 1 << 20)
    handle = path.open("rb")
    magic = handle.peek(4)[:4]
    if magic.startswith(GZIP_MAGIC):
        handle.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if magic.startswith(ZSTD_MAGIC):
        return io.BufferedReader(_ZstdFrames(handle), 1 << 20)
    return handle


#: Compressed bytes per decoder step: at most some 32 MiB out (256 blocks of 128 KiB).
_ZSTD_STEP = 1024


class _ZstdFrames(io.RawIOBase):
    """The decompressed bytes of every zstd frame of a file, one after another, and an
    error when the file ends inside a frame.

    ``ZstdDecompressor.stream_reader`` reads a file cut short as having ended: the
    records of the unfinished frame (often all of them) were dropped without a word,
    where a cut gzip file is an error. Frames one after another (``cat a.zst b.zst``)
    are read on, as ``zstd -d`` does.
    Compressed bytes go to the decoder :data:`_ZSTD_STEP` at a time, so that what one
    step yields stays bounded (a zstd block of repeated bytes is a few bytes for 128 KiB).
    """

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._zstd = zstandard
        self._raw = raw
        self._decoder = zstandard.ZstdDecompressor().decompressobj()
        self._input = memoryview(b"")
        # a view: what one step yields (up to 32 MiB) is handed out a buffer at a time,
        # and slicing a view copies nothing
        self._pending = memoryview(b"")
        self._in_frame = False  # a frame has begun and not ended

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if not self._input:
                self._input = memoryview(self._raw.read(1 << 20))
                if not self._input:
                    if self._in_frame:
                        raise self._zstd.ZstdError("the file ends inside a frame (cut short)")
                    return 0
            step, self._input = self._input[:_ZSTD_STEP], self._input[_ZSTD_STEP:]
            self._pending = memoryview(self._feed(bytes(step)))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _feed(self, data: bytes) -> bytes:
        out = []
        while data:
            self._in_frame = True
            out.append(self._decoder.decompress(data))
            if not self._decoder.eof:
                break
            data = self._decoder.unused_data  # the next frame begins here
            self._decoder = self._zstd.ZstdDecompressor().decompressobj()
            self._in_frame = False
        return b"".join(out)

    def close(self) -> None:
        self._raw.close()
        super().close()


def decompress_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean a compressed input is corrupt or cut short."""
    import zstandard

    return (gzip.BadGzipFile, EOFError, zlib.error, zstandard.ZstdError)


def iter_article_ids(directory: Path) -> Iterator[str]:
    """Id of every ``*.txt`` in ``directory`` (not hidden), in directory order.

    Streamed, so a million ids need not sit in a list: the build stages them in
    SQLite (:meth:`~builder.staging.Staging.add_article_ids`) and reads them
    back sorted from there.
    """
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.endswith(ARTICLE_SUFFIX) and not entry.name.startswith("."):
                yield entry.name[: -len(ARTICLE_SUFFIX)]


def folder_files(
    folder: Path, *, root: Path | None = None, refused: list[Issue] | None = None
) -> Iterator[str]:
    """Every file under ``folder`` (an annotation tool's export folder) as a
    ``/``-separated relative path, as the system lists them: hidden names left out
    (``.DS_Store``, a sync tool's ``.part`` files), linked sub-folders not entered
    (a link back up would loop), links leading outside ``root`` (default: the folder
    itself) not read: inputs are read only inside the input folder.

    What is not read for those two reasons is appended to ``refused`` as located
    issues (``file`` is ``FOLDER/NAME``): the readers report them, while the
    manifest's listing of the same folder just leaves them out.
    """
    boundary = folder if root is None else root
    stack = [folder]
    while stack:
        here = stack.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                name = Path(entry.path).relative_to(folder).as_posix()
                link = entry.is_symlink()
                outside = real_outside(Path(entry.path), boundary) if link else None
                if outside is not None:
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "outside-input",
                        f"a symbolic link to {outside}, outside the input folder: not read",
                    )
                elif link and entry.is_dir():
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "linked-folder",
                        "a symbolic link to a folder: not entered (a link may loop back);"
                        " put the files in the export folder, or name that folder as an input",
                        severity="warning",
                    )
                elif entry.is_file():
                    yield name
                elif link:
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "unreadable",
                        f"a symbolic link to {os.readlink(entry.path)}, which does not exist",
                    )
                else:
                    # a named pipe would block the read for ever; it was skipped without
                    # a word, the annotations the export meant to hold there lost
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "not-a-file",
                        NOT_A_REGULAR_FILE,
                    )


def _refuse(
    refused: list[Issue] | None, file: str, rule: str, message: str, severity: str = "error"
) -> None:
    if refused is not None:
        refused.append(Issue(file=file, rule=rule, message=message, severity=severity))


def article_path(directory: Path, article_id: str) -> Path:
    return directory / f"{article_id}{ARTICLE_SUFFIX}"


def ignored_entries(
    directory: Path, *, inputs: Collection[Path] = (), brat_folders: Collection[Path] = ()
) -> list[str]:
    """Names in the articles folder that are not read as articles (reported, never silent).

    Entries read as other inputs are not ignored: ``inputs`` (a sources or annotation
    file, a brat folder, or a folder holding one), and the ``.ann`` files of the
    ``brat_folders`` when the articles folder is (or is inside) one of them.
    """
    named = {os.path.abspath(p) for p in inputs}
    folders = [os.path.abspath(p) for p in brat_folders]

    def read_elsewhere(entry: os.DirEntry[str]) -> bool:
        path = os.path.abspath(entry.path)
        if path in named or any(n.startswith(path + os.sep) for n in named):
            return True
        return (
            entry.name.endswith(".ann")
            and not entry.name.startswith(".")
            and any(path.startswith(f + os.sep) for f in folders)
        )

    with os.scandir(directory) as entries:
        return sorted(
            entry.name + ("/" if entry.is_dir() else "")
            for entry in entries
            if (not entry.name.endswith(ARTICLE_SUFFIX) or entry.name.startswith("."))
            and not read_elsewhere(entry)
        )


def real_outside(path: Path, root: Path) -> Path | None:
    """Where ``path`` really leads when that is outside ``root`` (a symbolic link, a
    ``..``); else None. The one check of "inputs are read only inside the input
    folder", for the configuration's paths and for every file read.

    Never raises: ``realpath``, not ``resolve()``, so a link loop is reported by the
    read that follows, not here.
    """
    real = Path(os.path.realpath(path))
    return None if real.is_relative_to(os.path.realpath(root)) else real


def leads_outside(path: Path, root: Path) -> Path | None:
    """:func:`real_outside` for a file found inside ``root`` (an article, an input to
    hash), whose own name holds no ``..``: only a link can take it out.

    Inputs are read only inside the input folder: a link to ``~/.cache/.../token``
    dropped among the articles must not be published as one.
    """
    if not path.is_symlink() and not path.parent.is_symlink():
        return None  # the common case costs one lstat
    return real_outside(path, root)


def _looks_binary(data: bytes) -> bool:
    """Control bytes other than tab/newline/CR/FF in the first 8 KiB mean binary."""
    head = data[:8192]
    control = len(head.translate(None, _NOT_CONTROL))  # in C: a Python loop cost 0.3 ms
    return control > max(1, len(head) // 100)


#: Every byte but the control bytes :func:`_looks_binary` counts (deleted to count them).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def _relative(path: Path, root: Path) -> str:
    """``path`` as named inside ``root`` (as ``Path.relative_to``), else whole.

    A string prefix first: pathlib's own test costs more than the rest of
    reading a small article."""
    whole, prefix = str(path), str(root) + os.sep
    if whole.startswith(prefix) and prefix != os.sep + os.sep:
        return whole[len(prefix) :]
    return str(path.relative_to(root)) if path.is_relative_to(root) else whole


def over_article_limit(what: str, max_bytes: int) -> str:
    """The message for an article larger than the limit (``what``: "12 bytes", "the page")."""
    return f"{what} is over the limit of {max_bytes} bytes ({setting('limits.max_article_bytes')})"


def read_article(
    article_id: str, path: Path, *, root: Path, max_bytes: int
) -> tuple[RawArticle | None, list[Issue]]:
    """Read and decode one article (strict UTF-8; a UTF-8 BOM is kept for cleaning to log).

    Returns the article, or ``None`` with the issues that make it unusable.
    """
    rel = _relative(path, root)

    def fail(rule: str, message: str) -> tuple[None, list[Issue]]:
        return None, [Issue(file=rel, record=article_id, rule=rule, message=message)]

    if not article_id.isprintable() or any(c.isspace() for c in article_id):
        return fail("id", f"the file name {article_id!r} holds white space or control characters")
    try:
        outside = leads_outside(path, root)
        if outside is not None:
            return fail(
                "outside-input",
                f"a symbolic link to {outside}, outside the input folder: not read",
            )
        try:  # one stat where is_file() and stat() were two; a failure asks them again
            status = path.stat()
            regular, size = stat.S_ISREG(status.st_mode), status.st_size
        except OSError:
            regular = path.is_file()
            size = path.stat().st_size if regular else 0
        if not regular:
            return fail("not-a-file", "not a regular file (a folder or a special file)")
        if size > max_bytes:
            return fail(
                "size-limit",
                over_article_limit(f"{size} bytes", max_bytes),
            )
        data = path.read_bytes()
    except OSError as exc:
        return fail("unreadable", f"cannot read the file: {exc.strerror or exc}")
    return article_from_bytes(article_id, data, file=rel)


def _place(where: str, record_line: int | None) -> str:
    """``where`` (a line and column) in an article's file, or for a record of a shard
    (``record_line``, the issue's line) in its text."""
    return where if record_line is None else f"{where} of its text"


def article_from_bytes(
    article_id: str, data: bytes, *, file: str, line: int | None = None
) -> tuple[RawArticle | None, list[Issue]]:
    """Decode and check an article's raw bytes, wherever they were read from.

    ``file`` (and ``line``, for a record of a shard) say where, in every issue.
    """

    def fail(rule: str, message: str) -> tuple[None, list[Issue]]:
        return None, [Issue(file=file, line=line, record=article_id, rule=rule, message=message)]

    if not data:
        return fail("empty", "the file is empty")
    if data.startswith(_WIDE_BOMS):
        return fail("encoding", "the file is UTF-16/32 (it has a BOM for it); convert it to UTF-8")
    if b"\x00" in data:
        what = "binary content" if _looks_binary(data) else "a NUL byte"
        nul = byte_place(data, data.index(b"\x00"), "")
        where = f"line {nul.line}, column {nul.column} (byte {nul.byte})"
        return fail("nul-byte", f"{what} at {_place(where, line)}: not a text file")
    if _looks_binary(data):
        return fail("binary", "control bytes throughout: not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = bad_utf8_in(data, exc)
        return None, [
            Issue(
                file=file,
                line=line if line is not None else bad.line,
                record=article_id,
                rule="encoding",
                message=f"not valid UTF-8 at {_place(bad.where, line)}",
            )
        ]
    if not text.strip("\ufeff \t\r\n\u00a0"):
        return fail("empty", "the file holds only white space")
    article = RawArticle(article_id, file, text, hashlib.sha256(data).hexdigest(), len(data))
    return article, []


_NOT_BRACKET_OR_QUOTE = bytes(b for b in range(256) if b not in b'[]{}"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _brackets(line: str | bytes) -> bytes:
    """The brackets of a valid JSON text (str, or its UTF-8 bytes) that are not
    inside a string, in order, at C speed."""
    data = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
    # Escapes first (an escaped backslash, then an escaped quote, end no string),
    # then only brackets and quotes are kept; what lies between two quotes is text.
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = data.translate(None, _NOT_BRACKET_OR_QUOTE)
    # Two quotes side by side open and close an empty text, or close one text and
    # open the next with no bracket between: dropping them moves no bracket in or
    # out of a text. Most lines then hold no quote (no text holds a bracket).
    marks = marks.replace(b'""', b"")
    return b"".join(marks.split(b'"')[::2]) if b'"' in marks else marks


def _maybe_deep(brackets: bytes, depth: int = MAX_JSON_DEPTH) -> bool:
    """False when :func:`_brackets` ``brackets`` surely nest less than ``depth`` deep.

    Each round drops every innermost pair, at least one level and at most two
    (``[{}]`` goes at once): a few C passes where the exact depth is a Python step
    per bracket.
    """
    for _ in range((depth - 1) // 2):
        if not brackets:
            return False
        brackets = brackets.replace(b"{}", b"").replace(b"[]", b"")
    return bool(brackets)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, without recursion, stopping past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _surrogate_pointer(value: Any) -> str | None:
    """JSON pointer of the first string (or key) holding an unpaired surrogate.

    JSON lets ``"\\ud800"`` through, but it is not a character: it cannot be
    written as UTF-8 (Parquet, the card), so it is an encoding error here.
    """
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, pointer = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return pointer
        elif isinstance(item, dict):
            for key, v in item.items():
                at = pointer + json_pointer(key)
                if _SURROGATE.search(key):
                    return at
                stack.append((v, at))
        elif isinstance(item, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(item))
    return None


def _guess_article_id(raw_line: bytes) -> str | None:
    match = _ARTICLE_ID_IN_LINE.search(raw_line)
    return match.group(1).decode("utf-8", "replace") if match else None


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects with a key twice are ambiguous (which value wins?): reject them."""
    obj = dict(pairs)
    if len(obj) < len(pairs):  # rare: find the first key seen twice, to name it
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: The plain C parser (one decoder, not one per line as ``json.loads`` with arguments).
_PLAIN_JSON = json.JSONDecoder(parse_constant=_reject_constant)
_CONTAINERS = frozenset((dict, list))


def _keys_seen(value: Any) -> int:
    """Keys of the objects met in a walk of a parsed JSON value: at most all its
    keys, as the walk takes a list of objects (the spans) whole, in C, counting
    their keys without looking into their values."""
    keys = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            keys += len(item)
            item = item.values()
        kinds = set(map(type, item))
        if kinds == {dict}:
            keys += sum(map(len, item))
        elif not kinds.isdisjoint(_CONTAINERS):
            stack.extend(v for v in item if type(v) in _CONTAINERS)
    return keys


#: A digit run as long as the largest 64-bit integers': orjson reads an integer past
#: 64 bits as a float (``json`` keeps it exact), so a line with one goes to ``json``.
#: (Found by a translate to zeros and a substring search: a regex tries every position.)
_LONG_DIGITS = b"0" * 19
_DIGITS_AS_ZEROS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))


def _parse_json_line(line: str, raw_line: bytes) -> Any:
    """The line parsed as :func:`json.loads` with :func:`_object_without_duplicates`
    would (raising what it raises), mostly at C speed.

    orjson parses first (about twice as fast as ``json``: the objects of a
    ~100-span annotation are most of the cost); it refuses what ``json`` would
    read otherwise or not at all (a lone surrogate escape, 1e400, deep nesting),
    and such a line, or one with an integer that may pass 64 bits (orjson reads
    it as a float), goes to the plain ``json`` parser. Either value is taken
    only when it surely holds no duplicate key: every key of the line is
    followed by its own colon, so the line holds at most as many keys as
    colons; a key seen twice in one object is one key fewer in the parsed
    value, and a walk may see fewer still. So when the walk sees as many keys
    as the line holds colons, no key was merged. Anything else (a colon inside
    a text, an error, not an object) is parsed again with the hook, which names
    the duplicate or fails as it always did.
    """
    value: Any = None
    fast = False
    if _LONG_DIGITS not in raw_line.translate(_DIGITS_AS_ZEROS):
        try:
            value = orjson.loads(raw_line)
            fast = True
        except orjson.JSONDecodeError:
            pass
    if not fast:
        try:
            value = _PLAIN_JSON.decode(line)
        except (ValueError, RecursionError):
            value = None
    if type(value) is dict and _keys_seen(value) == raw_line.count(b":"):
        return value
    return json.loads(
        line, object_pairs_hook=_object_without_duplicates, parse_constant=_reject_constant
    )


def _lines(handle: Any, limit: int) -> Iterator[tuple[bytes, bool, int]]:
    """Lines of a binary file, each at most ``limit`` bytes; ``True`` marks one cut
    short; with each, the bytes read before it (where it starts, from the handle's start).

    The rest of an over-long line is skipped in chunks, so memory stays bounded.
    """
    start = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while (chunk := handle.readline(1 << 20)) and not chunk.endswith(b"\n"):
                size += len(chunk)
            yield line[:limit], True, start
            start += size + len(chunk)
        else:
            yield line, False, start
            start += len(line)


def read_jsonl(
    path: Path, *, name: str | None = None, max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[tuple[int, dict | None, list[Issue]]]:
    """Yield ``(line_number, record, issues)`` for every non-blank line.

    A line that is not a JSON object yields ``None`` and the issue; reading goes
    on, so every bad line of a file is reported at once. The issue names the
    article when the broken line still shows its ``article_id``. A UTF-8 BOM is
    skipped with a warning; a UTF-16/32 file is one error for the whole file.
    """
    name = name or path.name
    read = [0]  # lines yielded so far, for where a corrupt stream stops
    try:
        with open_input(path) as handle:
            for item in jsonl_records(handle, name, max_line_bytes):
                read[0] = item[0]
                yield item
    except decompress_errors() as exc:
        yield (
            read[0] + 1,
            None,
            [
                Issue(
                    file=name,
                    line=read[0] + 1,
                    rule="compression",
                    message=f"cannot decompress the file ({exc or type(exc).__name__}); "
                    "the rest of the file is not read",
                )
            ],
        )


def jsonl_records(
    handle: BinaryIO, name: str, max_line_bytes: int, first_line: int = 1
) -> Iterator[tuple[int, dict | None, list[Issue]]]:
    """:func:`read_jsonl` over an open (uncompressed) stream whose first line is line
    ``first_line`` of the file (a piece of it: :mod:`builder.side_chunks`)."""
    for number, record, issues, _ in checked_jsonl_records(
        handle, name, max_line_bytes, first_line
    ):
        yield number, record, issues


def _accepted(raw_line: bytes, accept: Callable[[Any], bool]) -> dict[str, Any] | None:
    """The line's object when orjson reads it, ``accept`` takes it and it holds no
    duplicate key (:func:`_parse_json_line`), else None (the full reading decides).

    orjson refuses invalid UTF-8, lone surrogate escapes, NaN and the like, so such a
    line is never taken here; what ``accept`` takes (a closed schema's predicate:
    :meth:`~builder.validate.schemas.SchemaStore.accepting`) is shallow and holds no
    float, so orjson read it as ``json`` does. The depth, long-integer and surrogate
    tests of the full reading would all pass: they are skipped."""
    try:
        value = orjson.loads(raw_line)
    except orjson.JSONDecodeError:
        return None
    if type(value) is not dict or not accept(value):
        return None
    if _keys_seen(value) != raw_line.count(b":"):
        # A colon inside a text (a URL, a note) or a key twice: the hook tells which,
        # and the record is checked once all the same (json reads what orjson read).
        try:
            json.loads(
                raw_line.decode("utf-8"),
                object_pairs_hook=_object_without_duplicates,
                parse_constant=_reject_constant,
            )
        except (ValueError, RecursionError):
            return None
    return value


def checked_jsonl_records(
    handle: BinaryIO,
    name: str,
    max_line_bytes: int,
    first_line: int = 1,
    accept: Callable[[Any], bool] | None = None,
    first_byte: int = 0,
) -> Iterator[tuple[int, dict | None, list[Issue], bytes | None]]:
    """:func:`jsonl_records`, each line with the bytes it was read from when ``accept``
    (a closed schema's specialised predicate) took the record as read (see
    :func:`_accepted`): valid, it needs no schema check but the reference's sample,
    and orjson reads those bytes back to the same record. None for every other line,
    read and reported exactly as :func:`jsonl_records` does. ``first_byte``: where
    the handle's first line is in the file (a piece of it), for the byte that
    invalid UTF-8 is named by."""
    pending: list[Issue] = []
    lines = _lines(handle, max_line_bytes)
    for number, (raw_line, cut, start) in enumerate(lines, start=first_line):
        start += first_byte
        if number == 1:
            if raw_line.startswith(_WIDE_BOMS):
                yield (
                    1,
                    None,
                    [
                        Issue(
                            file=name,
                            line=1,
                            rule="encoding",
                            message="the file is UTF-16/32 (it has a BOM for it); convert it to UTF-8",
                        )
                    ],
                    None,
                )
                return
            if raw_line.startswith(codecs.BOM_UTF8):
                raw_line = raw_line[len(codecs.BOM_UTF8) :]
                start += len(codecs.BOM_UTF8)
                pending.append(
                    Issue(
                        file=name,
                        line=1,
                        rule="encoding.bom",
                        severity="warning",
                        message="a UTF-8 byte order mark at the start of the file was skipped",
                    )
                )
        if not raw_line.strip():
            continue

        def fail(
            rule: str,
            message: str,
            n: int = number,
            raw: bytes = raw_line,
            before: list[Issue] = pending,
        ) -> tuple[int, None, list[Issue], None]:
            issue = Issue(
                file=name, line=n, record=_guess_article_id(raw), rule=rule, message=message
            )
            return n, None, [*before, issue], None

        if cut:
            yield fail(
                "size-limit",
                f"line longer than {max_line_bytes} bytes ({setting('limits.max_record_bytes')})",
            )
            pending = []
            continue
        if accept is not None and (fast := _accepted(raw_line, accept)) is not None:
            yield number, fast, pending, raw_line
            pending = []
            continue
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = bad_utf8_of_line(raw_line, exc, number, start)
            yield fail("encoding", str(bad))
            pending = []
            continue
        try:
            record = _parse_json_line(line, raw_line)
        except RecursionError:
            yield fail("json-depth", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        except _DuplicateKey as exc:
            yield fail("duplicate-key", f"the key {exc.args[0]!r} appears twice in one object")
        except json.JSONDecodeError as exc:
            hint = ""
            if "\r" in line.rstrip("\r\n"):
                hint = " (the file has lone CR line ends: use LF or CRLF)"
            yield fail(
                "json-syntax",
                f"malformed JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}{hint}",
            )
        except ValueError as exc:
            yield fail("json-syntax", f"malformed JSON: {exc}")
        else:
            if not isinstance(record, dict):
                yield fail("type", f"expected a JSON object, got {type(record).__name__}")
            elif (
                _maybe_deep(_brackets(raw_line)) and _depth(record, MAX_JSON_DEPTH) > MAX_JSON_DEPTH
            ):
                yield fail("json-depth", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            elif (
                # Valid UTF-8 holds no surrogate: only a \uD8xx-\uDFxx escape makes one.
                _SURROGATE_ESCAPE.search(line) and (where := _surrogate_pointer(record)) is not None
            ):
                issue = Issue(
                    file=name,
                    line=number,
                    record=_guess_article_id(raw_line),
                    pointer=where,
                    rule="encoding",
                    message="an unpaired surrogate escape (\\ud800-\\udfff) is not a character",
                )
                yield number, None, [*pending, issue], None
            else:
                yield number, record, pending, None
        pending = []
