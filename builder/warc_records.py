"""The records of a WARC file as warcio reads them, with what warcio lets pass named.

warcio (1.8, pinned in pyproject: this module subclasses its reader) reads a gzip
member cut short, or an uncompressed record shorter than its Content-Length, as if it
were whole; a gzip member corrupt after its start
ends with a line on stderr, and a record longer than its Content-Length with a
warning there, the rest of the file read from a wrong place. Here each is a
:class:`WarcBroken` that says which record (its number, WARC-Record-ID and byte
offset) and why, found in the one stream warcio reads: the file is read once, and
decompressed once.

Use::

    records = WarcRecords(handle)
    for record in records:
        for block in records.content():  # what is needed of the payload, in blocks
            ...
        offset = records.finish()  # raises WarcBroken when the record is not whole
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException
from warcio.utils import BUFF_SIZE

__all__ = ["WarcBroken", "WarcRecords", "page_at"]


class WarcBroken(Exception):
    """The file cannot be read on from record ``number`` (1-based): ``message`` says why."""

    def __init__(self, number: int, message: str, *, rest: bool = True) -> None:
        #: what is wrong, without what it means for the rest of the file
        self.why = message
        if rest:
            message += "; the rest of the file is not read"
        super().__init__(message)
        self.number = number


class _Corrupt(Exception):
    """A gzip member that stops being gzip data after it began."""


class _Overrun(Exception):
    """A record followed by data where the blank lines that end it belong."""


class _Raw:
    """The file as warcio reads it, telling whether it was read to its end."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.ended = False
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if not data and size != 0:
            self.ended = True
        self.size += len(data)
        return data

    def tell(self) -> int:
        return self.handle.tell()


class _StrictReader(DecompressingBufferedReader):  # type: ignore[misc]
    """warcio's reader, but a member that is corrupt after the file's first raises
    (warcio writes the error to stderr and reads on as if the member had ended), and
    a block inflates to at most :data:`_MAX_OUT` bytes at a time (warcio inflates a
    16 KB block whole: a member of repeated bytes took hundreds of MB at once)."""

    fed = False
    #: a member was read as gzip: the file is gzip, and data that is not is corrupt
    #: (warcio would read a member that fails at once as uncompressed)
    is_gzip = False

    def _init_decomp(self, decomp_type: str | None) -> None:
        super()._init_decomp(decomp_type)
        self.fed = False

    def _decompress(self, data: bytes) -> bytes:
        if self.decompressor is None or not data:
            return data
        self.fed = True
        try:
            out = bytes(self.decompressor.decompress(data, _MAX_OUT))
        except zlib.error as exc:
            if self.num_block_read or self.is_gzip:
                raise _Corrupt(str(exc)) from None
            self.decompressor = None  # not gzip at all: warcio reads the file as it is
            return data
        self.is_gzip = True
        # the rest of the block is inflated at the next fill, as warcio does with the
        # start of the next member
        self.starting_data = self.decompressor.unconsumed_tail or None
        return out

    def unfinished(self) -> bool:
        """Whether a gzip member was begun and the file ended before its trailer."""
        return self.decompressor is not None and self.fed and not self.decompressor.eof


class _Archive(ArchiveIterator):  # type: ignore[misc]
    def __init__(self, raw: _Raw) -> None:
        super().__init__(raw)
        self.reader = _StrictReader(self.fh, block_size=BUFF_SIZE)
        self.ended_unfinished = False

    def close(self) -> None:
        # the generator closes the reader as it ends: what it ended on is seen here
        reader = self.reader
        self.ended_unfinished = reader is not None and reader.unfinished()
        super().close()

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        """warcio's, but data where the blank lines after a record belong raises: warcio
        warns on stderr and reads the next record from a wrong place."""
        empty_size = 0
        first = True
        while True:
            line = self.reader.readline()
            if not line:
                return None, empty_size
            if line.rstrip():
                if first:
                    raise _Overrun(line[:40])
                return line, empty_size
            empty_size += len(line)
            first = False


def _one_line(exc: BaseException) -> str:
    # warcio quotes the first line of what it could not read: binary, of any length
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def _why(exc: BaseException) -> str:
    if "non-chunked gzip" in str(exc):
        # warcio's advice runs to a dozen lines
        return (
            "one gzip member holds several records, where a WARC.gz has one per record; "
            "`warcio recompress` rewrites it so"
        )
    return _one_line(exc)


#: the most one block of gzip data is inflated to at a time
_MAX_OUT = 1 << 20

_UNREADABLE = (ArchiveLoadFailed, StatusAndHeadersParserException, OSError, EOFError, ValueError)


class WarcRecords:
    """The records of an open WARC file (plain or gzip per record), checked whole."""

    def __init__(self, handle: IO[bytes], *, number: int = 0, at: int = 0) -> None:
        """``handle`` read from where it is: past ``number`` records, at byte ``at`` of
        the file (what the messages name)."""
        self._raw = _Raw(handle)
        self._raw.size = at
        self._archive = _Archive(self._raw)
        self.number = number
        self._record: Any = None
        self._offset = 0
        self._finished = True

    def __iter__(self) -> Iterator[Any]:
        archive = self._archive
        records = iter(archive)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except _Corrupt as exc:
                raise WarcBroken(
                    self.number + 1, f"not gzip data in {self._next()} ({_one_line(exc)})"
                ) from None
            except _Overrun as exc:
                raise self._overrun(exc) from None
            except _UNREADABLE as exc:
                raise WarcBroken(
                    self.number + 1, f"{self._next()} cannot be read ({_why(exc)})"
                ) from None
            self.number += 1
            self._record, self._offset, self._finished = record, archive.offset, False
            yield record
            self.finish()
        if archive.ended_unfinished:
            raise WarcBroken(
                self.number + 1,
                f"the gzip stream is cut short at byte {self._raw.size}: a record is "
                f"incomplete (what follows record {self.number}, from byte {archive.offset})",
            )
        if self.number == 0:
            raise WarcBroken(1, "the WARC file is empty: no record in it", rest=False)

    def _where(self) -> str:
        record_id = self._record.rec_headers.get_header("WARC-Record-ID")
        named = f"{record_id}, " if record_id else ""
        return f"record {self.number} ({named}at byte {self._offset})"

    def _next(self) -> str:
        """The record after the current one, not parsed (its offset is unknown when
        one gzip member holds several records)."""
        offset = self._archive.offset
        return f"record {self.number + 1}" + (f" (at byte {offset})" if offset >= 0 else "")

    def _overrun(self, exc: _Overrun) -> WarcBroken:
        return WarcBroken(
            self.number,
            f"{self._where()} is longer than its Content-Length: {exc.args[0]!r} follows "
            "where the blank lines that end it belong",
        )

    def content(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The current record's payload (HTTP body, de-chunked and decoded as warcio
        does), ``size`` bytes at a time; raises :class:`WarcBroken` when its gzip data is
        corrupt or it cannot be read."""
        stream = self._record.content_stream()
        try:
            while block := stream.read(size):
                yield block
        except _Corrupt as exc:
            raise WarcBroken(
                self.number, f"not gzip data in {self._where()} ({_one_line(exc)})"
            ) from None
        except _UNREADABLE as exc:
            raise WarcBroken(self.number, f"{self._where()} cannot be read ({_why(exc)})") from None

    def finish(self) -> int:
        """The current record's byte offset, once it is read to its end (its gzip member
        too); raises :class:`WarcBroken` when the record or its member is not whole."""
        if self._finished:
            return self._offset
        self._finished = True
        record, archive = self._record, self._archive
        try:
            archive.read_to_end()
        except _Corrupt as exc:
            raise WarcBroken(
                self.number, f"not gzip data in {self._where()} ({_one_line(exc)})"
            ) from None
        except _Overrun as exc:
            raise self._overrun(exc) from None
        except _UNREADABLE as exc:
            raise WarcBroken(self.number, f"{self._where()} cannot be read ({_why(exc)})") from None
        length = record.rec_headers.get_header("Content-Length")
        if record.format == "warc" and length is None:
            raise WarcBroken(
                self.number,
                f"{self._where()} has no Content-Length (cut short, or not a WARC record)",
            )
        missing = getattr(record.raw_stream, "limit", 0)
        reader = archive.reader
        # a member that goes on after its record (``next_line``) is warcio's to refuse
        cut = reader.unfinished() and self._raw.ended and archive.next_line is None
        if missing or cut:
            detail = f"{missing} of its {length} bytes (Content-Length) are missing"
            if cut:
                raise WarcBroken(
                    self.number,
                    f"the gzip stream is cut short at byte {self._raw.size}: {self._where()} "
                    f"is incomplete{', ' + detail if missing else ''}",
                )
            raise WarcBroken(self.number, f"{self._where()} is cut short: {detail}")
        return self._offset


def page_at(
    handle: IO[bytes], *, number: int, limit: int | None
) -> tuple[str | None, bytes, str | None]:
    """The WARC-Record-ID, payload (at most ``limit`` bytes; None: all) and HTTP
    Content-Type (None: none) of the record that starts where ``handle`` is (an offset
    :meth:`WarcRecords.finish` gave to record ``number``), read with the same bounded
    inflating as the staging pass; a payload read to its end is checked whole. Raises
    :class:`WarcBroken` naming record ``number`` when there is no whole record there
    (the file changed since)."""
    start = handle.tell()
    nothing = WarcBroken(number, f"no record {number} at byte {start}: the file ends before")
    if not handle.read(1):
        raise nothing
    handle.seek(start)
    # its messages name the record and the bytes as the staging did
    records = WarcRecords(handle, number=number - 1, at=start)
    for record in records:
        parts, size = [], 0
        # blocks of at most what is wanted: a page's first bytes cost no more than that
        for block in records.content(min(limit, 1 << 20) if limit else 1 << 20):
            parts.append(block)
            size += len(block)
            if limit and size >= limit:
                break
        else:
            records.finish()
        page = b"".join(parts)
        http = record.http_headers
        content_type = http.get_header("Content-Type") if http is not None else None
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        return record_id, page[:limit] if limit else page, content_type
    raise nothing  # pragma: no cover (a record, or WarcBroken, comes first)
