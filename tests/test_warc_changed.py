"""A WARC file that changes between the staging pass and the worker's read of a page.

The staging pass keeps each page's record number and byte offset; the worker reads
the record again there. A file cut short, rewritten or replaced since gave an
internal error (exit 3: warcio's exceptions, or StopIteration past the file's end)
or a page cut short read as whole. Each is now the article's error naming the
record, as any page that cannot be read.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from test_warc_records import _members, _read, _starts
from test_web_inputs import write_warc

from builder.article_inputs import ArticleInput
from builder.article_store import ArticleReader, ArticleStore

Change = Callable[[bytes, Path], bytes]


def _rewritten(data: bytes, path: Path) -> bytes:
    """The same crawl written again, plain: the same offsets, other record ids."""
    made = path.with_name("again.warc.gz")
    write_warc(made)
    return gzip.decompress(made.read_bytes())


def _page_edited(data: bytes, path: Path) -> bytes:
    """One letter of record 5's page changed in place: the same lengths, offsets and id."""
    at = data.index(b"<p>", _starts(data)[4]) + 3
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]


# (name, .warc or .warc.gz, the change, words of the message about the page of record 5)
CHANGES: list[tuple[str, str, Change, str]] = [
    ("gz cut in the page", ".warc.gz", lambda d, p: b"".join(_members(d)[:4]) + _members(d)[4][:-90], "record 5 "),
    ("gz cut before it", ".warc.gz", lambda d, p: b"".join(_members(d)[:3]), "no record 5 at byte"),
    ("plain cut in the page", ".warc", lambda d, p: d[: _starts(d)[4] + 900], "record 5 "),
    ("plain cut before it", ".warc", lambda d, p: d[:100], "no record 5 at byte"),
    ("emptied", ".warc", lambda d, p: b"", "no record 5 at byte"),
    ("garbage", ".warc", lambda d, p: b"\x00junk\n" * (len(d) // 6), "record 5 "),
    ("rewritten", ".warc", _rewritten, "not the record staged as"),
    ("page edited in place", ".warc", _page_edited, "its sha256 is not capture.html_sha256"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("suffix", "change", "words"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_a_page_whose_warc_changed_since_staging_is_a_located_error(
    tmp_path: Path, suffix: str, change: Change, words: str
) -> None:
    made = tmp_path / "made.warc.gz"
    write_warc(made)
    path = tmp_path / f"crawl{suffix}"
    data = made.read_bytes() if suffix == ".warc.gz" else gzip.decompress(made.read_bytes())
    path.write_bytes(data)
    store = ArticleStore(tmp_path / "store.db")
    staged = [r for r in _read(path) if r.article_id]
    for record in staged:
        store.add(path.name, record)
    store.commit()
    store.close()
    spec = ArticleInput(root=tmp_path, patterns=("*.warc*",))
    reader = ArticleReader(spec, str(tmp_path / "store.db"), max_bytes=1 << 20)
    before = [reader.read(r.article_id)[0] for r in staged]  # type: ignore[arg-type]
    assert all(article is not None for article in before)

    path.write_bytes(change(data, path))

    page = next(r for r in staged if r.line == 5)
    article, issues = reader.read(page.article_id)  # type: ignore[arg-type]
    reader.close()
    assert article is None
    ((issue,),) = [issues]
    assert (issue.file, issue.line, issue.record) == (path.name, 5, page.article_id), issue
    assert issue.message.startswith("cannot read the page again: "), issue.message
    assert words in issue.message, issue.message


def test_an_html_page_changed_since_staging_is_not_published_with_the_old_digest(
    tmp_path: Path,
) -> None:
    """The source record's ``capture.html_sha256`` is the staged page's: a page edited
    before the worker reads it is the article's error, not text under another digest."""
    from builder.web_inputs import iter_html

    page = tmp_path / "story.html"
    body = "<p>The council approved the budget on Tuesday after a long debate.</p>" * 8
    page.write_text(f"<html><body><article>{body}</article></body></html>")
    spec = ArticleInput(root=tmp_path, patterns=("*.html",))
    (record,) = iter_html(spec, page, page.name)
    assert record.digest == record.source["capture"]["html_sha256"]  # type: ignore[index]
    store = ArticleStore(tmp_path / "store.db")
    store.add(page.name, record)
    store.commit()
    store.close()
    reader = ArticleReader(spec, str(tmp_path / "store.db"), max_bytes=1 << 20)
    assert reader.read("story")[0] is not None
    page.write_text(page.read_text().replace("Tuesday", "Monday"))
    article, issues = reader.read("story")
    reader.close()
    assert article is None
    assert [(i.file, i.record) for i in issues] == [("story.html", "story")]
    assert "changed since it was staged" in issues[0].message
