"""JSON Lines records read strictly and lazily: a line at a time, every problem an
:class:`~builder.validate.report.Issue` naming the file and line.

Strict means what a lenient parser lets through is refused, each with its place:
duplicate keys, NaN and Infinity, lone surrogates, nesting deeper than
:data:`MAX_JSON_DEPTH`, lines longer than ``limits.max_record_bytes``, invalid
UTF-8 and UTF-16/32 files. The common line is parsed at C speed (orjson) and the
exact Python walks run only where a cheap guard says they may find something.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .compressed_inputs import Openable, decompress_errors, open_input
from .names import setting
from .utf8 import WIDE_BOMS, bad_utf8_of_line
from .validate.report import Issue, json_pointer

__all__ = [
    "DEFAULT_MAX_RECORD_BYTES",
    "MAX_JSON_DEPTH",
    "checked_jsonl_records",
    "jsonl_records",
    "read_jsonl",
]

MAX_JSON_DEPTH = 64
#: Longest JSON Lines line read into memory (``limits.max_record_bytes``).
DEFAULT_MAX_RECORD_BYTES = 16 * 2**20
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Where a broken line names its article, so the report (and quarantine) can say whose it is.
_ARTICLE_ID_IN_LINE = re.compile(rb'"article_id"\s*:\s*"([^"\\]{1,200})"')


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


#: ASCII white space, as ``bytes.strip`` sees it: a line of nothing else is blank. A run
#: of blank lines is skipped by one search for it (up to the run's last newline), so a
#: file of millions of empty lines costs a search per chunk, not a Python step per line.
_WHITE = b" \t\r\n\x0b\x0c"
_WHITE_RUN = re.compile(b"[" + re.escape(_WHITE) + b"]+")
_BLANK_FIRST = frozenset(_WHITE)
_CHUNK = 1 << 20


def _lines(handle: Any, limit: int) -> Iterator[tuple[int, bytes, bool, int]]:
    """Lines of a binary file that hold something, each at most ``limit`` bytes, with
    its index among all the file's lines (from 0), ``True`` for one cut short, and the
    bytes read before it (where it starts, from the handle's start).

    The file is read in chunks and split here: blank lines are counted, not yielded,
    a run of them skipped by one search (:data:`_WHITE_RUN`); the rest of an over-long
    line is skipped as it is read, so memory stays bounded (``limit`` + a chunk).
    """
    buf = b""
    pos = 0  # where the next line starts in ``buf``
    offset = 0  # bytes of the file before ``buf``
    index = 0
    eof = False
    while True:
        if pos < len(buf) and buf[pos] in _BLANK_FIRST:
            white = _WHITE_RUN.match(buf, pos)
            skip = buf.rfind(b"\n", pos, white.end()) + 1 if white else 0
            if skip > pos:  # whole blank lines only: up to the run's last newline
                index += buf.count(b"\n", pos, skip)
                pos = skip
                continue
        end = buf.find(b"\n", pos)
        if end < 0 and not eof and len(buf) - pos <= limit:
            # a long line's read doubles: its bytes are copied a few times, not per chunk
            chunk = handle.read(max(_CHUNK, len(buf) - pos))
            offset += pos
            buf, pos = buf[pos:] + chunk, 0
            eof = not chunk
            continue
        if end < 0 and len(buf) - pos > limit:  # over-long: cut; skip to its newline
            line, start = buf[pos : pos + limit], offset + pos
            while (end := buf.find(b"\n", pos)) < 0 and not eof:
                offset += len(buf)
                buf, pos = handle.read(_CHUNK), 0
                eof = not buf
            if line.strip():  # a blank line is skipped, however long
                yield index, line, True, start
            index += 1
            pos = len(buf) if end < 0 else end + 1
            continue
        if pos >= len(buf):
            return
        stop = len(buf) if end < 0 else end + 1
        if (stop if end < 0 else end) - pos > limit:  # its newline came past the limit
            line = buf[pos : pos + limit]
            if line.strip():
                yield index, line, True, offset + pos
        elif (line := buf[pos:stop]).strip():
            yield index, line, False, offset + pos
        index += 1
        pos = stop


def read_jsonl(
    path: Path | Openable,
    *,
    name: str | None = None,
    max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES,
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
    # The steps of a line are written out here, not called: this loop runs for every
    # line of every input, and a valid line costs no call beyond its reading and the
    # guards. Only a line that fails calls a helper, to make its issue.
    pending: list[Issue] = []  # the file start's warnings, for its first line that holds something
    for index, raw_line, cut, start in _lines(handle, max_line_bytes):
        number = first_line + index
        if number == 1:
            if raw_line.startswith(WIDE_BOMS):
                yield 1, None, [_wide_bom_issue(name)], None
                return
            if raw_line.startswith(codecs.BOM_UTF8):
                raw_line = raw_line[len(codecs.BOM_UTF8) :]
                start += len(codecs.BOM_UTF8)
                pending.append(_bom_skipped_issue(name))
        if not raw_line.strip():
            continue  # a line of a BOM alone: its warning goes to the next line
        if cut:
            yield _failed(name, number, raw_line, pending, "size-limit", _too_long(max_line_bytes))
            pending = []
            continue
        if accept is not None and (fast := _accepted(raw_line, accept)) is not None:
            yield number, fast, pending, raw_line
            pending = []
            continue
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = bad_utf8_of_line(raw_line, exc, number, first_byte + start)
            yield _failed(name, number, raw_line, pending, "encoding", str(bad))
            pending = []
            continue
        try:
            record = _parse_json_line(line, raw_line)
        except (RecursionError, ValueError) as exc:
            yield _failed(name, number, raw_line, pending, *_parse_failure(exc, line))
            pending = []
            continue
        if not isinstance(record, dict):
            yield _failed(name, number, raw_line, pending, "type", _not_an_object(record))
        elif _maybe_deep(_brackets(raw_line)) and _depth(record, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            yield _failed(name, number, raw_line, pending, "json-depth", _TOO_DEEP)
        elif (
            # Valid UTF-8 holds no surrogate: only a \uD8xx-\uDFxx escape makes one.
            _SURROGATE_ESCAPE.search(line) and (where := _surrogate_pointer(record)) is not None
        ):
            yield _failed(name, number, raw_line, pending, "encoding", _UNPAIRED, where)
        else:
            yield number, record, pending, None
        pending = []


_TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
_UNPAIRED = "an unpaired surrogate escape (\\ud800-\\udfff) is not a character"


def _wide_bom_issue(name: str) -> Issue:
    """The one error of a UTF-16/32 file: none of its lines is read."""
    return Issue(
        file=name,
        line=1,
        rule="encoding",
        message="the file is UTF-16/32 (it has a BOM for it); convert it to UTF-8",
    )


def _bom_skipped_issue(name: str) -> Issue:
    return Issue(
        file=name,
        line=1,
        rule="encoding.bom",
        severity="warning",
        message="a UTF-8 byte order mark at the start of the file was skipped",
    )


def _too_long(max_line_bytes: int) -> str:
    return f"line longer than {max_line_bytes} bytes ({setting('limits.max_record_bytes')})"


def _not_an_object(value: Any) -> str:
    return f"expected a JSON object, got {type(value).__name__}"


def _parse_failure(exc: RecursionError | ValueError, line: str) -> tuple[str, str]:
    """The rule and message of what :func:`_parse_json_line` raised reading ``line``."""
    if isinstance(exc, RecursionError):
        return "json-depth", _TOO_DEEP
    if isinstance(exc, _DuplicateKey):
        return "duplicate-key", f"the key {exc.args[0]!r} appears twice in one object"
    if isinstance(exc, json.JSONDecodeError):
        hint = ""
        if "\r" in line.rstrip("\r\n"):
            hint = " (the file has lone CR line ends: use LF or CRLF)"
        return (
            "json-syntax",
            f"malformed JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}{hint}",
        )
    return "json-syntax", f"malformed JSON: {exc}"


def _failed(
    name: str,
    number: int,
    raw_line: bytes,
    before: list[Issue],
    rule: str,
    message: str,
    pointer: str = "",
) -> tuple[int, None, list[Issue], None]:
    """A line read as no record: the issues before it (the file start's) and its own,
    naming the article when the line still shows its ``article_id``."""
    issue = Issue(
        file=name,
        line=number,
        record=_guess_article_id(raw_line),
        pointer=pointer,
        rule=rule,
        message=message,
    )
    return number, None, [*before, issue], None
