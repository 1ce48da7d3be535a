"""Articles from the web as a crawler saved it: ``.html`` files and WARC files.

The staging pass only reads the capture: each page's raw HTML goes into the
shard store as it is, with its provenance (the HTML's sha256; from a WARC also
the record id, target URI and capture date) in the article's source record,
so provenance comes from the capture itself. The main text is extracted later,
by the worker that processes the article (extraction is the costly part, so it
runs in parallel): :func:`extract_main_text`, with trafilatura, whose name and
version the manifest records. The extracted text is the article's raw text:
annotation offsets refer to it, and the cleaner cleans it as any other text.

Why trafilatura (``bench/bench_html_extract.py``, 40 news pages made from the
cleaning-dev gold): token F1 against the gold .999 (precision .997), where
resiliparse's main-content mode gives .984 (precision .969: bylines, share bars
and captions kept) at about a twentieth of the time. The cleaner starts from
less boilerplate with trafilatura, and extraction runs in the workers, where
its cost spreads over every CPU of the pool or the Ray cluster.

WARC files are read with warcio (plain or gzip per record): ``response``
records of HTML pages with HTTP status 200; other records are counted and
reported, never silently dropped; a record that is not whole is an error naming
it (:mod:`builder.warc_records` checks what warcio lets pass). warcio rather than fastwarc: pure Python,
and it also writes WARCs (the tests make theirs with it); fastwarc reads about
3x faster (0.04 vs 0.12 ms a 10 KB record, read and hashed), but either is
small beside extraction (about 20 ms a page), and only the staging pass reads
the whole file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .compressed_inputs import read_at_most
from .validate.report import Issue

if TYPE_CHECKING:
    from .article_inputs import ArticleInput
    from .shard_readers import ShardRecord

__all__ = [
    "EXTRACTOR",
    "PageUnreadable",
    "default_source",
    "extract_main_text",
    "extractor_entry",
    "iter_html",
    "iter_warc",
    "missing_web_extra",
    "read_page",
]

EXTRACTOR = "trafilatura"
_UUID = re.compile(r"[0-9a-fA-F-]{32,36}")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")


def missing_web_extra() -> str | None:
    """What to install when the ``web`` extra is missing (None when it is there)."""
    from importlib.util import find_spec

    missing = [name for name in ("warcio", EXTRACTOR) if find_spec(name) is None]
    if not missing:
        return None
    return (
        f"HTML and WARC inputs need {' and '.join(missing)}: "
        "pip install 'news-dataset-builder[web]'"
    )


def extractor_entry() -> dict[str, str]:
    """What the manifest says of the extraction (the raw text depends on it)."""
    return {"name": EXTRACTOR, "version": version(EXTRACTOR)}


def extract_main_text(html: str) -> str | None:
    """The main text of a decoded page (None when trafilatura finds none); same input,
    same text. The page is decoded by :func:`decode_page`, never by trafilatura, whose
    guess (charset detection) made a windows-1252 page Baltic without a word."""
    import trafilatura

    text = trafilatura.extract(
        _alternative_content_as_markup(html),
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        with_metadata=False,
    )
    return text or None


#: Elements whose content HTML parsers keep as raw text (libxml2, and the HTML standard's
#: RAWTEXT state) though it is markup: the page's content for browsers without frames or
#: plug-ins. Their text reached the article with its tags (``<p>Brent crude...</p>``), and
#: a frameset page, whose only text is there, gave none.
_ALTERNATIVE_OPEN = re.compile(r"<(?:noframes|noembed)\b[^>]*>", re.IGNORECASE)
_ALTERNATIVE_CLOSE = re.compile(r"</(?:noframes|noembed)\s*>", re.IGNORECASE)


def _alternative_content_as_markup(html: str) -> str:
    """``<noframes>``/``<noembed>`` made ``<div>``s, so that their content is parsed as
    the markup it is, and its text extracted without tags, like any other block's."""
    if "<nofr" not in html.lower() and "<noem" not in html.lower():
        return html
    return _ALTERNATIVE_CLOSE.sub("</div>", _ALTERNATIVE_OPEN.sub("<div>", html))


def _source(
    spec: ArticleInput,
    article_id: str,
    html_sha256: str,
    *,
    url: str | None = None,
    date: str | None = None,
    record_id: str | None = None,
    file: str,
) -> dict[str, Any]:
    """The source record: ``source_defaults`` for what the capture cannot say, the rest
    from the capture."""
    defaults = spec.source_defaults
    day = date[:10] if date else None
    capture = {
        "html_sha256": html_sha256,
        "warc_record_id": record_id,
        "target_uri": url,
        "date": date,
    }
    where = f"WARC record {record_id} of {file}" if record_id else f"HTML file {file}"
    return {
        "publisher": None,
        "headline": None,
        "author": None,
        "published": {"earliest": None, "latest": None, "note": None},
        **defaults,
        "article_id": article_id,
        "url": url if url is not None else defaults.get("url"),
        "captured": {"earliest": day, "latest": day, "note": f"WARC-Date {date}"}
        if date
        else defaults.get("captured", {"earliest": None, "latest": None, "note": None}),
        "obtained": defaults.get("obtained", {"method": "web_capture", "note": where}),
        "capture": capture,
    }


def default_source(spec: ArticleInput) -> dict[str, Any]:
    """The source record of a page whose capture says nothing (an HTML file): what
    ``source_defaults`` give every page, for the configuration to check once."""
    return _source(spec, "page", "0" * 64, file="page.html")


def iter_html(spec: ArticleInput, path: Path, file: str) -> Iterator[ShardRecord]:
    """One ``.html`` file: one article, its id the file's stem."""
    from .shard_readers import ShardRecord

    # hashed as it is read: a page of any size takes no more memory than a buffer
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    digest = sha.hexdigest()
    article_id = page_id(path)
    # The page is not copied: the worker reads it again from its file.
    yield ShardRecord(
        1,
        article_id,
        None,
        source=_source(spec, article_id, digest, file=file),
        kind="html",
        digest=digest,
    )


def page_id(path: Path) -> str:
    """An HTML file's article id: its name without its suffix, nor the compression's
    (``story.html.gz`` is ``story``, not ``story.html``)."""
    name = path.name
    for compressed in (".gz", ".zst"):
        name = name.removesuffix(compressed)
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def warc_article_id(record_id: str) -> str:
    """An article id from a WARC-Record-ID (``<urn:uuid:...>``): stable, and safe as a name."""
    match = _UUID.search(record_id)
    core = match.group(0).replace("-", "").lower() if match else _UNSAFE_ID.sub("-", record_id)
    return f"warc-{core}"[:128]


def iter_warc(spec: ArticleInput, path: Path, file: str) -> Iterator[ShardRecord]:
    """The HTML responses of a WARC file, in file order. A record that is not whole (cut
    short, corrupt, or not a WARC record) is an error naming it; the file is not read
    past it."""
    from .shard_readers import ShardRecord
    from .warc_records import WarcBroken, WarcRecords

    skipped: dict[str, int] = {}
    with path.open("rb") as handle:
        records = WarcRecords(handle)
        try:
            for record in records:
                why = _skip_reason(record)
                if why:
                    records.finish()
                    skipped[why] = skipped.get(why, 0) + 1
                    continue
                # hashed as it is read: a record of any size takes no more memory than a block
                sha = hashlib.sha256()
                for block in records.content():
                    sha.update(block)
                # checked whole before it is staged: a cut record is not an article
                offset = records.finish()
                headers = record.rec_headers
                record_id = headers.get_header("WARC-Record-ID") or f"record-{records.number}"
                article_id = warc_article_id(record_id)
                date = headers.get_header("WARC-Date")
                issues = []

                # A bad header is said of the header, once: not of the fields of the source
                # record the build makes from it (two dates, /url), which the user has nowhere.
                if date is not None and not _is_warc_date(date):
                    why = f"its WARC-Date {date!r} is not a date (YYYY-MM-DDThh:mm:ssZ)"
                    issues.append(_header_issue(file, records.number, article_id, why))
                    date = None
                url = headers.get_header("WARC-Target-URI")
                if url is not None and not _is_uri(url):
                    why = f"its WARC-Target-URI {url!r:.200} is not a URI"
                    issues.append(_header_issue(file, records.number, article_id, why))
                    url = None
                source = _source(
                    spec,
                    article_id,
                    sha.hexdigest(),
                    url=url,
                    date=date,
                    record_id=record_id,
                    file=file,
                )
                # Not copied: the worker reads the record again at its offset.
                yield ShardRecord(
                    records.number,
                    article_id,
                    None,
                    source=source,
                    kind="warc",
                    offset=offset,
                    digest=source["capture"]["html_sha256"],
                    issues=issues,
                )
        except WarcBroken as exc:
            issue = Issue(file=file, line=exc.number, rule="warc", message=str(exc))
            yield ShardRecord(exc.number, None, None, issues=[issue])
    if skipped:
        counts = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
        issue = Issue(
            file=file,
            rule="warc-skipped",
            severity="warning",
            message=f"records not read as articles: {counts}",
        )
        yield ShardRecord(0, None, None, issues=[issue])


_WARC_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?")


def _is_warc_date(value: str) -> bool:
    """A WARC-Date (W3C ISO 8601: ``2024-04-15T08:12:44Z``) whose day is a day."""
    import datetime

    if not _WARC_DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return True


def _header_issue(file: str, number: int, article_id: str, why: str) -> Issue:
    """The issue for a WARC record's header that cannot be used (its record, its number)."""
    return Issue(file=file, line=number, record=article_id, rule="warc", message=why)


def _is_uri(value: str) -> bool:
    """Whether ``value`` is a ``uri`` as the source schema's ``url`` checks it."""
    from .validate.schemas import FORMAT_CHECKER

    return bool(FORMAT_CHECKER.conforms(value, "uri"))


class PageUnreadable(ValueError):
    """A staged page that cannot be read again as it was staged: its message says where
    and why."""


def read_page(
    root: Path,
    file: str,
    kind: str,
    offset: int | None,
    *,
    limit: int | None = None,
    number: int = 1,
    article_id: str | None = None,
) -> tuple[bytes, str | None]:
    """The raw HTML of an article staged from an HTML file or a WARC record, and the HTTP
    Content-Type it was served with (a WARC record's; None for an HTML file, or a response
    without one): at most ``limit`` bytes of it (None: all; warcio reads nothing for -1).
    A WARC record (``number`` in its file, staged as ``article_id``) must still be there,
    whole and the same record, else :class:`PageUnreadable`: the file changed since
    staging."""
    path = root / file
    if kind == "html":
        with path.open("rb") as handle:
            return (handle.read() if limit is None else read_at_most(handle, limit)), None
    from .warc_records import WarcBroken, page_at

    with path.open("rb") as handle:
        handle.seek(offset or 0)
        try:
            record_id, page, content_type = page_at(handle, number=number, limit=limit)
        except WarcBroken as exc:
            raise PageUnreadable(f"{exc.why} (the file changed since it was staged?)") from None
    if article_id is not None and warc_article_id(record_id or f"record-{number}") != article_id:
        raise PageUnreadable(
            f"record {number} (at byte {offset}) is now {record_id or 'a record without an id'}, "
            f"not the record staged as {article_id}: the file changed since it was staged"
        )
    return page, content_type


def _skip_reason(record: Any) -> str | None:
    if record.rec_type != "response":
        return f"{record.rec_type} record(s)"
    http = record.http_headers
    if http is None:
        return "response(s) without HTTP headers"
    status = http.get_statuscode()
    if status != "200":
        return f"HTTP {status} response(s)"
    kind = (http.get_header("Content-Type") or "").lower()
    if "html" not in kind:
        return "non-HTML response(s)"
    return None
