"""Inputs that may be compressed: gzip or zstd, recognised by their first bytes.

A shard, the sources file or an annotation export may be saved compressed under any
name (``.jsonl.gz``, or a gzip file named ``.jsonl``): :func:`open_input` reads
through the decompressor as the bytes stream, never a whole file into memory.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Protocol

__all__ = [
    "GZIP_MAGIC",
    "ZSTD_MAGIC",
    "Openable",
    "decompress_errors",
    "decompressing",
    "open_input",
    "read_at_most",
]

#: Bytes asked of a stream at a time by :func:`read_at_most`.
READ_CHUNK = 1 << 20


def read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``, a chunk at a time. ``stream.read(limit)``
    allocates the whole ``limit`` first (a buffered reader does, a gzip reader too): a
    configured limit of a terabyte was a MemoryError on a page of 50 bytes. A caller
    that must tell a stream over its limit asks for one byte more."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = stream.read(min(left, READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class Openable(Protocol):
    """An input that is no file of its own but opens as one (a member of a zip archive)."""

    name: str

    def open(self, mode: str = "rb") -> BinaryIO: ...


#: first bytes of a gzip and of a zstd stream (neither can begin a UTF-8 text)
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def open_input(path: Path | Openable) -> BinaryIO:
    """An input file for reading bytes, decompressed by its suffix (``.gz``, ``.zst``)
    or, under another name, by its first bytes: a gzip file named ``.jsonl`` was read
    as text, "not valid UTF-8 at line 1, column 2" of a file that is whole.

    Streams: a compressed shard is never held in memory as a whole. ``path`` may be an
    :class:`Openable` (a zip member), read as it streams out of its archive, never
    copied out first.
    """
    if not isinstance(path, Path):
        return _decompressed(path.open("rb"))
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


def _decompressed(stream: BinaryIO) -> BinaryIO:
    """``stream`` (not seekable, maybe) decompressed by its first bytes."""
    handle = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[arg-type]
    magic = handle.peek(4)[:4]  # type: ignore[attr-defined]
    if magic.startswith(GZIP_MAGIC):
        return _OwningGzip(handle)  # type: ignore[return-value]
    if magic.startswith(ZSTD_MAGIC):
        return io.BufferedReader(_ZstdFrames(handle), 1 << 20)
    return handle


class _OwningGzip(gzip.GzipFile):
    """A gzip reader that closes the stream it reads (a GzipFile leaves a given one open)."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def decompressing(raw: BinaryIO) -> tuple[str, BinaryIO] | None:
    """``("gzip" | "zstd", a reader of the decompressed bytes)`` of a stream that begins
    as gzip or zstd (read from its start), else None. Members or frames one after
    another are read on; a stream cut short raises one of :func:`decompress_errors`."""
    magic = raw.read(4)
    raw.seek(0)
    if magic.startswith(GZIP_MAGIC):
        return "gzip", gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if magic.startswith(ZSTD_MAGIC):
        return "zstd", io.BufferedReader(_ZstdFrames(raw), 1 << 20)
    return None


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

    # (a zip member whose bytes are damaged: a bad CRC, a broken header)
    return (gzip.BadGzipFile, EOFError, zlib.error, zstandard.ZstdError, zipfile.BadZipFile)
