"""A WARC file that is not whole is an error naming the record, found as it is read.

warcio reads a gzip member cut short, or a plain record shorter than its
Content-Length, as if it were whole: the pages from there were lost (plain) or the
file decompressed a second time to find it (gzip). The crawl of ``test_web_inputs``
has 7 records: a request, a page (2), a 404, a request, a page (5), a request and
a page (7).
"""

from __future__ import annotations

import gzip
import re
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from test_web_inputs import write_warc
from warcio.archiveiterator import ArchiveIterator

from builder.article_inputs import ArticleInput
from builder.shard_readers import ShardRecord
from builder.web_inputs import iter_warc, read_page, warc_article_id


def _spec(root: Path) -> ArticleInput:
    return ArticleInput(root=root, patterns=("*.warc*",))


def _read(path: Path) -> list[ShardRecord]:
    return list(iter_warc(_spec(path.parent), path, path.name))


def _members(data: bytes) -> list[bytes]:
    """The gzip members of a WARC.gz: one a record."""
    members, pos = [], 0
    while pos < len(data):
        inflate = zlib.decompressobj(31)
        inflate.decompress(data[pos:])
        end = len(data) - len(inflate.unused_data)
        members.append(data[pos:end])
        pos = end
    return members


def _starts(plain: bytes) -> list[int]:
    """Where each record of an uncompressed WARC begins."""
    return [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", plain)]


def _shorter_length(plain: bytes, number: int) -> bytes:
    """Record ``number``'s Content-Length 30 bytes short of its block."""
    start, end = _starts(plain)[number - 1], _starts(plain)[number]
    head = re.sub(
        rb"Content-Length: (\d+)",
        lambda m: b"Content-Length: %d" % (int(m[1]) - 30),
        plain[start:end],
        count=1,
    )
    return plain[:start] + head + plain[end:]


def _corrupt(member: bytes) -> bytes:
    middle = len(member) // 2
    return member[:middle] + b"\xff" * 8 + member[middle + 8 :]


Damage = Callable[[bytes, bytes], bytes]
# (name, .warc or .warc.gz, damage of (gzip file, plain file), record, words of the message)
DAMAGES: list[tuple[str, str, Damage, int, str]] = [
    ("gz cut in a page", ".warc.gz", lambda z, p: b"".join(_members(z)[:4]) + _members(z)[4][:-90], 5, "cut short"),
    ("gz cut in its trailer", ".warc.gz", lambda z, p: z[:-3], 7, "cut short"),
    ("gz cut in a member's header", ".warc.gz", lambda z, p: b"".join(_members(z)[:5]) + _members(z)[5][:6], 6, "cut short"),
    ("gz corrupt member", ".warc.gz", lambda z, p: b"".join(_members(z)[:4]) + _corrupt(_members(z)[4]), 5, "not gzip data"),
    ("gz junk after", ".warc.gz", lambda z, p: z + b"junk after the last member", 8, "not gzip data"),
    ("plain cut in a page", ".warc", lambda z, p: p[: _starts(p)[4] + 900], 5, "cut short: "),
    ("plain cut at its end", ".warc", lambda z, p: p[:-10], 7, "6 of its"),
    ("plain cut in a header", ".warc", lambda z, p: p[: _starts(p)[6] + 40], 7, "no Content-Length"),
    ("plain longer than its length", ".warc", lambda z, p: _shorter_length(p, 2), 2, "longer than its Content-Length"),
    ("empty", ".warc.gz", lambda z, p: b"", 1, "the WARC file is empty"),
    ("empty plain", ".warc", lambda z, p: b"", 1, "the WARC file is empty"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("suffix", "damage", "number", "words"),
    [d[1:] for d in DAMAGES],
    ids=[d[0] for d in DAMAGES],
)
def test_a_warc_not_whole_is_an_error_naming_its_record(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    suffix: str,
    damage: Damage,
    number: int,
    words: str,
) -> None:
    whole = tmp_path / "whole.warc.gz"
    written = write_warc(whole)
    with whole.open("rb") as handle:
        ids = [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(handle)]
    compressed = whole.read_bytes()
    broken = tmp_path / f"crawl{suffix}"
    broken.write_bytes(damage(compressed, gzip.decompress(compressed)))

    records = _read(broken)

    errors = [i for r in records for i in r.issues if i.severity == "error"]
    assert len(errors) == 1, errors
    (error,) = errors
    assert (error.file, error.rule, error.line) == (broken.name, "warc", number), error
    assert words in error.message, error.message
    if number in (2, 5, 7) and words not in ("not gzip data", "no Content-Length"):
        assert ids[number - 1] in error.message, error.message
    pages = [r.article_id for r in records if r.article_id]
    # the pages before the record are read; it and what follows are not
    assert pages == [warc_article_id(w[0]) for w in written][: sum(n < number for n in (2, 5, 7))]
    # warcio's own complaints (a corrupt member, a record overrun) went to stderr
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("suffix", [".warc.gz", ".warc"])
def test_a_whole_warc_reads_without_an_error(tmp_path: Path, suffix: str) -> None:
    whole = tmp_path / "whole.warc.gz"
    written = write_warc(whole)
    path = tmp_path / f"crawl{suffix}"
    data = whole.read_bytes()
    path.write_bytes(data if suffix == ".warc.gz" else gzip.decompress(data))
    records = _read(path)
    assert [i.rule for r in records for i in r.issues] == ["warc-skipped"]
    assert [r.article_id for r in records if r.article_id] == [
        warc_article_id(w[0]) for w in written
    ]


def test_a_large_record_is_staged_and_read_in_blocks(tmp_path: Path) -> None:
    """Staging hashes a page as it reads it: a 24 MB page took 24 MB (and more) at once;
    and a 16 KB block of a member of repeated bytes inflated whole took 16 MB, also
    when the worker read only the first ``max_article_bytes`` of the page."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = b"<html><body>" + b"<p>A paragraph of a long page.</p>\n" * 700_000 + b"</body></html>"
    assert len(page) > 24_000_000
    path = tmp_path / "big.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/long", "response", payload=io.BytesIO(page), http_headers=http
            )
        )
    del page
    tracemalloc.start()
    try:
        records = _read(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        start, _ = read_page(tmp_path, path.name, "warc", records[0].offset, limit=10_001)
        read_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.article_id is not None for r in records] == [True]
    assert peak < 8_000_000, peak
    assert start.startswith(b"<html><body><p>") and len(start) == 10_001
    assert read_peak < 4_000_000, read_peak


def test_a_record_corrupt_past_its_first_block_is_named(tmp_path: Path) -> None:
    """A member of some 150 KB, corrupt two thirds in: the error came up while the page
    was hashed, past the reader's checks (an internal error)."""
    import io
    import random

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    noise = random.Random(7).randbytes(150_000).hex().encode()  # does not compress
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
    record = writer.create_warc_record(
        "https://example.org/x", "response", payload=io.BytesIO(noise), http_headers=http
    )
    writer.write_record(record)
    data = buffer.getvalue()
    middle = len(data) * 2 // 3
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[:middle] + b"\xff" * 16 + data[middle + 16 :])
    (only,) = _read(path)
    (error,) = only.issues
    assert (error.rule, error.line, only.article_id) == ("warc", 1, None)
    assert "not gzip data in record 1" in error.message
    assert record.rec_headers.get_header("WARC-Record-ID") in error.message
