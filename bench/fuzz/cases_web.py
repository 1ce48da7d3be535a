"""Cases over web captures as article inputs (the ``web`` extra): ``.html`` pages and a
``.warc.gz`` crawl, each with one hostile page or a broken archive."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import yaml
from corpus_helpers import source_record
from test_web_inputs import STORIES, news_page, write_warc

from .cases_folders import fifo, link_out
from .model import Apply, Case
from .mutations import edit_bytes, link_loop, replace_with_dir, then, unreadable

__all__ = ["web_cases"]

PAGE = "pages/page-0.html"
#: some 20 MB of paragraphs, put before a page's </body>
_WORDS = b"<p>a word</p>" * 1_600_000 + b"</body>"
WARC = "crawl/crawl-00000.warc.gz"
PLAIN = "crawl/crawl-00000.warc"


def _use_articles(d: Path, files: str) -> None:
    """The seeds' configuration with the web captures as its only articles, no
    annotations (their ids are the seeds') and one split."""
    config = yaml.safe_load((d / "dataset.yaml").read_text(encoding="utf-8"))
    config["inputs"] = {
        "articles": {
            "files": files,
            "source_defaults": {
                "publisher": "The Daily Ledger",
                "language": "en",
                "rights": source_record("x")["rights"],
            },
        },
        "annotations": [],
    }
    config["splits"] = {"ratios": {"train": 1.0}}
    (d / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def html_pages(d: Path) -> None:
    (d / "pages").mkdir()
    for n, (_url, _date, title, paragraphs) in enumerate(STORIES):
        (d / "pages" / f"page-{n}.html").write_bytes(news_page(title, paragraphs))
    _use_articles(d, "pages/*.html")


def warc(d: Path) -> None:
    (d / "crawl").mkdir()
    write_warc(d / WARC)
    _use_articles(d, "crawl/*.warc.gz")


def plain_warc(d: Path) -> None:
    """The crawl uncompressed, as ``crawl/crawl-00000.warc``."""
    (d / "crawl").mkdir()
    write_warc(d / WARC)
    (d / PLAIN).write_bytes(gzip.decompress((d / WARC).read_bytes()))
    (d / WARC).unlink()
    _use_articles(d, "crawl/*.warc")


def _corrupt_member(b: bytes) -> bytes:
    """Bytes in the middle of the file's gzip data overwritten."""
    middle = len(b) // 2
    return b[:middle] + b"\xff" * 16 + b[middle + 16 :]


def _gzip_junk(d: Path) -> None:
    """A .warc.gz whose bytes are not gzip at all."""
    (d / WARC).write_bytes(b"WARC/1.0\r\nnot really\r\n" * 20)


def _plain_in_gz(d: Path) -> None:
    """The archive decompressed but still named .warc.gz."""
    (d / WARC).write_bytes(gzip.decompress((d / WARC).read_bytes()))


def web_cases() -> Iterator[Case]:
    yield Case("web-ok:html", html_pages, PAGE, expect="any", keeps_spans=False)
    yield Case("web-ok:warc", warc, WARC, expect="any", keeps_spans=False)
    page_changes: list[tuple[str, Apply, str]] = [
        ("junk", edit_bytes(PAGE, lambda b: b"\x00\xff\xfe\x80" * 4000), "any"),
        ("empty", edit_bytes(PAGE, lambda b: b""), "any"),
        ("nul", edit_bytes(PAGE, lambda b: b[:200] + b"\x00" * 50 + b[200:]), "any"),
        ("nested-100k", edit_bytes(PAGE, lambda b: b"<div>" * 100_000 + b"x"), "any"),
        ("charset-bogus", edit_bytes(PAGE, lambda b: b.replace(b"utf-8", b"x-nope", 1)), "any"),
        ("utf16", edit_bytes(PAGE, lambda b: b.decode("utf-8").encode("utf-16")), "any"),
        ("20mb", edit_bytes(PAGE, lambda b: b.replace(b"</body>", _WORDS)), "any"),
        ("dir", replace_with_dir(PAGE), "any"),
        ("loop", link_loop(PAGE), "fail"),
        ("link-out", link_out(PAGE), "fail"),
        ("fifo", fifo(PAGE), "fail"),
    ]
    for name, change, expect in page_changes:
        yield Case(
            f"web-{name}:html", then(html_pages, change), PAGE, expect=expect, keeps_spans=False
        )
    yield Case(
        "web-chmod000:html",
        then(html_pages, unreadable(PAGE)),
        PAGE,
        unprivileged=True,
        keeps_spans=False,
    )
    archive_changes: list[tuple[str, Apply, str]] = [
        ("cut", edit_bytes(WARC, lambda b: b[: len(b) * 2 // 3]), "fail"),
        ("cut-trailer", edit_bytes(WARC, lambda b: b[:-3]), "fail"),
        ("corrupt-member", edit_bytes(WARC, _corrupt_member), "fail"),
        ("junk-tail", edit_bytes(WARC, lambda b: b + b"junk" * 10), "fail"),
        ("empty", edit_bytes(WARC, lambda b: b""), "fail"),
        ("not-gzip", _gzip_junk, "fail"),
        ("plain-named-gz", _plain_in_gz, "any"),
        ("loop", link_loop(WARC), "fail"),
        ("fifo", fifo(WARC), "fail"),
    ]
    for name, change, expect in archive_changes:
        yield Case(f"web-{name}:warc", then(warc, change), WARC, expect=expect, keeps_spans=False)
    # uncompressed: a record shorter than its Content-Length was read without a word
    plain_changes: list[tuple[str, Apply, int | None]] = [
        ("cut", edit_bytes(PLAIN, lambda b: b[: len(b) * 2 // 3]), None),
        ("cut-last", edit_bytes(PLAIN, lambda b: b[:-10]), 7),  # the 7th record, a page
        ("empty", edit_bytes(PLAIN, lambda b: b""), 1),
    ]
    yield Case("web-ok:plain-warc", plain_warc, PLAIN, expect="any", keeps_spans=False)
    for name, change, line in plain_changes:
        yield Case(
            f"web-{name}:plain-warc", then(plain_warc, change), PLAIN, line, keeps_spans=False
        )
