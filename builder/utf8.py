"""Where a file stops being UTF-8, as an editor shows it: the line, and the column and
byte offset in it.

A ``UnicodeDecodeError``'s ``start`` is an offset in what was decoded at once: for
a file read whole that is the file's byte offset, but a text-mode reader decodes in
chunks of its own (8 KB), so its offset says nothing of where the byte is. Every
reader of text inputs names the place through here.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import IO

__all__ = [
    "WIDE_BOMS",
    "BadUtf8",
    "NotUtf8",
    "bad_utf8_in",
    "bad_utf8_of_file",
    "bad_utf8_of_line",
    "bad_utf8_of_stream",
    "byte_place",
    "decode_utf8",
    "read_utf8",
]

#: Byte order marks of UTF-32 and UTF-16: a file that opens with one is refused as not
#: UTF-8, named for what it is.
WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class BadUtf8:
    """The first invalid byte of a file: its line (1-based) and the ``where`` text."""

    __slots__ = ("byte", "column", "line", "reason")

    def __init__(self, line: int, column: int, byte: int, reason: str) -> None:
        self.line, self.column, self.byte, self.reason = line, column, byte, reason

    @property
    def where(self) -> str:
        """``line L, column C (byte B: reason)``, the column counted in characters."""
        return f"line {self.line}, column {self.column} (byte {self.byte}: {self.reason})"

    def __str__(self) -> str:
        return f"not valid UTF-8 at {self.where}"


def byte_place(data: bytes, index: int, reason: str) -> BadUtf8:
    """The line and column of byte ``index`` of ``data`` (a NUL byte, say: valid
    UTF-8, but named the same way)."""
    start = data.rfind(b"\n", 0, index) + 1
    head = data[start:index].decode("utf-8", "replace")
    return BadUtf8(data.count(b"\n", 0, index) + 1, len(head) + 1, index, reason)


def bad_utf8_in(data: bytes, exc: UnicodeDecodeError) -> BadUtf8:
    """The place of ``exc``, raised decoding all of ``data`` at once (as UTF-8, or as
    UTF-8 with a BOM, which the decoder dropped before it)."""
    decoded: bytes = exc.object
    found = byte_place(decoded, exc.start, exc.reason)
    found.byte += len(data) - len(decoded)
    return found


def bad_utf8_of_line(line: bytes, exc: UnicodeDecodeError, number: int, start: int) -> BadUtf8:
    """The place of ``exc``, raised decoding ``line`` alone: line ``number`` of its
    file, which begins at byte ``start`` of the file (of what a compressed file holds)."""
    found = bad_utf8_in(line, exc)
    return BadUtf8(number, found.column, start + found.byte, exc.reason)


def bad_utf8_of_stream(handle: IO[bytes]) -> BadUtf8 | None:
    """The first invalid byte of what ``handle`` reads (a BOM at its start is allowed),
    or None; read by lines, for a reader whose decoding error had no file offset."""
    offset = 0
    for number, line in enumerate(handle, 1):
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line, offset = line[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return bad_utf8_of_line(line, exc, number, offset)
        offset += len(line)
    return None


def bad_utf8_of_file(path: Path) -> BadUtf8 | None:
    """:func:`bad_utf8_of_stream` of a file."""
    with path.open("rb") as handle:
        return bad_utf8_of_stream(handle)


class NotUtf8(ValueError):
    """Bytes decoded whole that are not UTF-8; its message is :class:`BadUtf8`'s place,
    ``place`` the place itself (a ``ValueError``, as ``UnicodeDecodeError`` is, for the
    callers that catch that)."""

    def __init__(self, place: BadUtf8) -> None:
        super().__init__(str(place))
        self.place = place


def decode_utf8(data: bytes, *, bom: bool = False) -> str:
    """``data.decode("utf-8")`` (``"utf-8-sig"`` with ``bom``), but invalid UTF-8 raises
    :class:`NotUtf8` naming the line and column (``UnicodeDecodeError`` says 'position
    N')."""
    try:
        return data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8(bad_utf8_in(data, exc)) from None


def read_utf8(path: Path) -> str:
    """``path.read_text(encoding="utf-8")``, with :func:`decode_utf8`'s error."""
    return decode_utf8(path.read_bytes())
