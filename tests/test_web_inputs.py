"""Articles from a crawl: a WARC of news pages, and plain ``.html`` files.

The pages are written here as a news site serves them (navigation, cookie
banner, share bar, related stories, comments, footer); the WARC is written with
warcio as a crawler would, with a request record and a 404 beside the pages.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from corpus_helpers import BASE_CONFIG, source_record
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from builder.config import load_config
from builder.errors import DataError
from builder.manifest import load_manifest, sha256_file
from builder.pipeline import build
from builder.web_inputs import extractor_entry, warc_article_id

STORIES = [
    (
        "https://news.example.org/world/2024/04/15/ceasefire-talks",
        "2024-04-15T08:12:44Z",
        "Ceasefire talks resume in Cairo as mediators press for deal",
        [
            "Negotiators from both sides returned to Cairo on Monday for a fresh round of talks, "
            "officials said, as mediators pressed for an agreement before the end of the week.",
            "The talks, hosted by Egyptian intelligence officials, are expected to last at least "
            "three days. A senior diplomat familiar with the discussions said the sides remained "
            "divided over the sequencing of a prisoner exchange.",
            "Washington has urged both parties to accept the framework proposal, which was first "
            "put forward in February and revised twice since.",
        ],
    ),
    (
        "https://www.dailyledger.example.com/business/oil-prices-rise",
        "2024-04-16T17:03:10Z",
        "Oil prices climb to five-month high on supply fears",
        [
            "Brent crude rose more than two percent on Tuesday to its highest level since "
            "November, as traders weighed the risk of disruption to shipping in the Gulf.",
            "Analysts at several banks raised their forecasts for the second quarter, citing "
            "lower inventories and steady demand from Asian refiners.",
            "The energy ministry said it was monitoring the market closely and had no plans to "
            "release strategic reserves.",
        ],
    ),
    (
        "https://regional-times.example.net/politics/minister-resigns.html",
        "2024-04-17T06:45:00Z",
        "Transport minister resigns after procurement inquiry",
        [
            "The transport minister stepped down on Wednesday, hours after a parliamentary "
            "committee published a report criticising the award of a rail signalling contract.",
            "In a letter to the prime minister, she said she had acted properly throughout but "
            "did not want the inquiry to become a distraction for the government.",
            "Opposition parties called for the contract to be suspended pending a full audit.",
        ],
    ),
]

FURNITURE = [
    "Subscribe from $1 a week",
    "We use cookies to improve your experience",
    "Share this article",
    "Sign up for the Morning Briefing",
    "Markets rally as central bank signals pause",
    "All rights reserved",
]


def news_page(title: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Daily Ledger</title>
<meta property="og:site_name" content="The Daily Ledger"></head>
<body>
<header><a class="logo" href="/">The Daily Ledger</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<a class="subscribe" href="/subscribe">Subscribe from $1 a week</a></header>
<div class="cookie-banner">We use cookies to improve your experience.
<button>Accept all</button></div>
<main><article>
<h1>{title}</h1>
<p class="byline">By Ana Ruiz, Correspondent</p>
<div class="share"><span>Share this article</span> <a href="#">Facebook</a> <a href="#">Email</a></div>
<div class="article-body">
{body}
</div>
</article>
<aside class="newsletter"><h3>Sign up for the Morning Briefing</h3>
<p>Get the day's top stories in your inbox.</p></aside>
<section class="related"><h2>More stories</h2><ul>
<li><a href="/a1">Markets rally as central bank signals pause in rate rises</a></li>
<li><a href="/a2">Storm leaves thousands without power</a></li></ul></section>
</main>
<footer><p>&copy; 2024 The Daily Ledger Media Group. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></footer>
</body></html>""".encode()


def write_responses(path: Path, pages: list[tuple[str, bytes]]) -> list[str]:
    """Each (Content-Type, html) as an HTTP 200 response record; their article ids."""
    ids = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n, (content_type, html) in enumerate(pages):
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
            record = writer.create_warc_record(
                f"https://www.dailyledger.example.com/{n}",
                "response",
                payload=io.BytesIO(html),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-04-16T17:03:10Z"},
            )
            writer.write_record(record)
            ids.append(warc_article_id(record.rec_headers.get_header("WARC-Record-ID")))
    return ids


def write_warc(path: Path) -> list[tuple[str, str, str, bytes]]:
    """The stories as HTTP 200 responses (with a request and a 404 between): their
    (record id, target URI, date, html)."""
    written = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for i, (url, date, title, paragraphs) in enumerate(STORIES):
            html = news_page(title, paragraphs)
            request = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(
                    "GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True
                ),
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(request)
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(html),
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)
            written.append((record.rec_headers.get_header("WARC-Record-ID"), url, date, html))
            if i == 0:
                missing = writer.create_warc_record(
                    url + "/gone",
                    "response",
                    payload=io.BytesIO(b"not found"),
                    http_headers=StatusAndHeaders(
                        "404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1"
                    ),
                    warc_headers_dict={"WARC-Date": date},
                )
                writer.write_record(missing)
    return written


def _config(tmp_path: Path, articles: dict) -> Path:
    config = json.loads(json.dumps(BASE_CONFIG))
    defaults = source_record("x")
    config["inputs"] = {
        "articles": {
            **articles,
            "source_defaults": {
                "publisher": "The Daily Ledger",
                "language": "en",
                "rights": defaults["rights"],
            },
        },
        "annotations": [],
    }
    config["splits"]["ratios"] = {"train": 1.0}
    root = tmp_path / "in"
    root.mkdir()
    (root / "dataset.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


def _rows(out: Path) -> dict[str, dict]:
    return {
        r["id"]: r
        for path in sorted((out / "data").glob("*.parquet"))
        for r in pq.read_table(path).to_pylist()
    }


def test_a_warc_of_news_pages_builds_with_the_capture_provenance(tmp_path: Path) -> None:
    root = _config(tmp_path, {"files": "crawl/*.warc.gz"})
    (root / "crawl").mkdir()
    warc = root / "crawl" / "crawl-00000.warc.gz"
    written = write_warc(warc)

    result = build(root, tmp_path / "out")
    rows = _rows(tmp_path / "out")
    assert len(rows) == len(STORIES)
    for (record_id, url, date, html), (*_, paragraphs) in zip(written, STORIES, strict=True):
        row = rows[warc_article_id(record_id)]
        source = row["source"]
        assert source["url"] == url
        assert source["warc_record_id"] == record_id
        assert source["html_sha256"] == hashlib.sha256(html).hexdigest()
        assert str(source["captured_earliest"]) == str(source["captured_latest"]) == date[:10]
        assert source["publisher"] == "The Daily Ledger"
        for paragraph in paragraphs:
            assert paragraph in row["text"]
        for furniture in FURNITURE:
            assert furniture not in row["text"], furniture
    skipped = [i for i in result.report.warnings if i.rule == "warc-skipped"]
    assert len(skipped) == 1 and "HTTP 404" in skipped[0].message
    assert "request record" in skipped[0].message
    manifest = load_manifest(tmp_path / "out")
    assert manifest["extraction"] == extractor_entry()
    inputs = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    assert inputs["crawl/crawl-00000.warc.gz"] == sha256_file(warc)


def test_html_files_build_and_a_page_without_text_is_rejected(tmp_path: Path) -> None:
    root = _config(tmp_path, {"files": "pages/*.html"})
    pages = root / "pages"
    pages.mkdir()
    _, _, title, paragraphs = STORIES[1]
    html = news_page(title, paragraphs)
    (pages / "oil-prices.html").write_bytes(html)
    (pages / "empty-page.html").write_bytes(
        b"<html><head><title>Gone</title></head><body><script>var a = 1;</script></body></html>"
    )

    result = build(root, tmp_path / "out", quarantine=True)
    rows = _rows(tmp_path / "out")
    assert list(rows) == ["oil-prices"]
    assert rows["oil-prices"]["source"]["html_sha256"] == hashlib.sha256(html).hexdigest()
    assert rows["oil-prices"]["source"]["warc_record_id"] is None
    assert paragraphs[0] in rows["oil-prices"]["text"]
    problems = [i for i in result.report.issues if i.record == "empty-page"]
    assert problems and problems[0].file == "pages/empty-page.html"
    assert "no main text" in problems[0].message


@pytest.mark.parametrize("kind", ["html", "warc"])
def test_a_page_over_the_size_limit_is_rejected_before_extraction(
    tmp_path: Path, kind: str
) -> None:
    """limits.max_article_bytes holds for the page as read, not only for its text:
    extracting a page of megabytes of paragraphs takes minutes."""
    files = "pages/*.html" if kind == "html" else "crawl/*.warc.gz"
    root = _config(tmp_path, {"files": files})
    config = yaml.safe_load((root / "dataset.yaml").read_text())
    config["limits"] = {**config.get("limits", {}), "max_article_bytes": 6_000}
    (root / "dataset.yaml").write_text(yaml.safe_dump(config))
    _, _, title, paragraphs = STORIES[1]
    small = news_page(title, paragraphs)
    # its text is that of the small page: only the page is over the limit
    big = small.replace(b"</body>", b"<script>" + b"var x = 1;" * 1_000 + b"</script></body>")
    assert len(small) < 6_000 < len(big)
    if kind == "html":
        (root / "pages").mkdir()
        (root / "pages" / "small.html").write_bytes(small)
        (root / "pages" / "big.html").write_bytes(big)
        big_id, big_file = "big", "pages/big.html"
    else:
        (root / "crawl").mkdir()
        pages = [("text/html", small), ("text/html", big)]
        ids = write_responses(root / "crawl" / "crawl-00000.warc.gz", pages)
        big_id, big_file = ids[1], "crawl/crawl-00000.warc.gz"

    result = build(root, tmp_path / "out", quarantine=True)
    assert len(_rows(tmp_path / "out")) == 1
    (problem,) = [i for i in result.report.issues if i.record == big_id]
    assert (problem.file, problem.rule) == (big_file, "size-limit")
    assert "limits.max_article_bytes" in problem.message


@pytest.mark.parametrize("record_id", ["<urn:uuid:2b1f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d>"])
def test_warc_article_ids_are_stable_and_valid_ids(record_id: str) -> None:
    assert warc_article_id(record_id) == "warc-2b1f3c4d5e6f4a7b8c9d0e1f2a3b4c5d"


def test_a_warc_page_whose_charset_only_the_http_header_names_is_decoded_by_it(
    tmp_path: Path,
) -> None:
    """Many servers name the charset only in the HTTP Content-Type header (Apache's
    AddDefaultCharset), not in the page: a windows-1252 page was decoded by guess, as
    Baltic (``déją``, ``naļve``), without a word. A page that declares its own charset,
    or is valid UTF-8 under a header that says otherwise, is read as before."""
    root = _config(tmp_path, {"files": "crawl/*.warc.gz"})
    (root / "crawl").mkdir()
    _, _, title, paragraphs = STORIES[1]
    accented = [p + " Café déjà vu “quoted” – naïve." for p in paragraphs]
    legacy = news_page(title, accented).decode().replace('<meta charset="utf-8">', "")
    pages = [
        ("windows-1252", legacy.encode("cp1252")),
        ("iso-8859-1", legacy.encode("cp1252")),  # what browsers read as windows-1252
        ("iso-8859-1", news_page(title, accented)),  # the header is wrong: the page is UTF-8
    ]
    served = [(f"text/html; charset={charset}", html) for charset, html in pages]
    ids = write_responses(root / "crawl" / "crawl-00000.warc.gz", served)

    build(root, tmp_path / "out")
    rows = _rows(tmp_path / "out")
    for article_id in ids:
        assert accented[0] in rows[article_id]["text"], article_id


@pytest.mark.parametrize(
    ("line", "pointer", "hint"),
    [
        ("language: no", "/inputs/articles/source_defaults/language", "boolean"),
        (
            "published: {earliest: 2024-04-15, latest: 2024-04-15, note: null}",
            "/inputs/articles/source_defaults/published/earliest",
            "date",
        ),
    ],
)
def test_source_defaults_no_page_can_use_are_a_configuration_error(
    tmp_path: Path, line: str, pointer: str, hint: str
) -> None:
    """``language: no`` (Norwegian; YAML 1.1 reads false) or an unquoted date in
    ``source_defaults`` made every page's source record invalid: each page was rejected
    with a message naming the page (``pages/a.html:1 ... False is not of type
    'string'``), none the setting. Now ``dataset.yaml`` names the setting, and why."""
    root = _config(tmp_path, {"files": "pages/*.html"})
    config = root / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    # source_defaults' "language: en", written as a user would write the setting instead
    at = text.index("language: en")
    indent = text[text.rindex("\n", 0, at) + 1 : at]
    kept = "" if line.startswith("language") else f"language: en\n{indent}"
    config.write_text(text[:at] + kept + line + text[at + len("language: en") :], encoding="utf-8")
    (root / "pages").mkdir()
    _, _, title, paragraphs = STORIES[1]
    (root / "pages" / "a.html").write_bytes(news_page(title, paragraphs))

    with pytest.raises(DataError) as caught:
        load_config(root)
    errors = caught.value.report.errors
    assert {i.file for i in errors} == {"dataset.yaml"}
    issue = next(i for i in errors if i.pointer == pointer)
    assert hint in issue.message and "quote" in issue.message


ACCENTED = " Café déjà vu “quoted” – naïve. Straße, Ærø, señor."


@pytest.mark.parametrize("kind", ["html", "warc"])
def test_a_page_that_is_not_utf8_and_names_no_charset_is_windows_1252_with_a_warning(
    tmp_path: Path, kind: str
) -> None:
    """A windows-1252 page with no charset anywhere (no BOM, no <meta>, no HTTP header
    charset) was decoded by trafilatura's guess, as Baltic (``déją vu``, ``Ærø`` as
    ``Ęrų``), without a word. Now it is read as browsers read it (windows-1252, the
    HTML standard's default for most locales), and a warning names the page."""
    files = "pages/*.html" if kind == "html" else "crawl/*.warc.gz"
    root = _config(tmp_path, {"files": files})
    _, _, title, paragraphs = STORIES[1]
    accented = [p + ACCENTED for p in paragraphs]
    legacy = news_page(title, accented).decode().replace('<meta charset="utf-8">', "")
    if kind == "html":
        (root / "pages").mkdir()
        (root / "pages" / "legacy.html").write_bytes(legacy.encode("cp1252"))
        (root / "pages" / "utf8.html").write_bytes(legacy.encode())
        legacy_id, file = "legacy", "pages/legacy.html"
    else:
        (root / "crawl").mkdir()
        pages = [("text/html", legacy.encode("cp1252")), ("text/html", legacy.encode())]
        legacy_id, _ = write_responses(root / "crawl" / "crawl-00000.warc.gz", pages)
        file = "crawl/crawl-00000.warc.gz"

    result = build(root, tmp_path / "out")
    rows = _rows(tmp_path / "out")
    for row in rows.values():
        assert accented[0] in row["text"], row["id"]
    (warning,) = [w for w in result.report.warnings if w.rule == "encoding"]
    assert (warning.file, warning.record) == (file, legacy_id)
    assert "windows-1252" in warning.message and "not UTF-8" in warning.message


@pytest.mark.parametrize(
    ("page", "codec", "assumed"),
    [
        # the page's own charset, an XML declaration's, and a BOM are followed
        (b'<meta charset="iso-8859-7"><p>\xe1\xe2\xe3</p>', "iso8859-7", False),
        (b'<?xml version="1.0" encoding="koi8-r"?><html><p>\xc1\xc2</p>', "koi8-r", False),
        (b"\xff\xfe<\x00p\x00>\x00\xe9\x00", "utf-16-le", False),
        # iso-8859-1 is read as browsers read it: windows-1252 (its curly quotes)
        (b'<meta charset="iso-8859-1"><p>\x93q\x94</p>', "cp1252", False),
        # a charset that does not decode the page is passed over, and said
        (b'<meta charset="shift_jis"><p>caf\xe9 \x81\x81\xff</p>', "windows-1252", True),
        # windows-1252 bytes Python leaves undefined decode as browsers decode them
        (b"<p>\x81\x8d\x8f\x90\x9d caf\xe9</p>", "windows-1252", True),
        # a label no browser knows, though Python has a codec of that name, is passed
        # over: unicode_escape turned the text's \\x41 into A and \\n into a line break,
        # cp500 (EBCDIC) made the page noise, without a word
        (b'<meta charset="unicode_escape"><p>caf\xe9 C:\\new \\x41</p>', "windows-1252", True),
        (b'<meta charset="cp500"><p>caf\xe9</p>', "windows-1252", True),
        # labels browsers know, by their other names
        (b'<meta charset="latin2"><p>\xb1</p>', "iso8859-2", False),
        (b'<meta charset="x-sjis"><p>\x82\xa0</p>', "cp932", False),
    ],
)
def test_page_decoding_is_deterministic_and_says_when_it_assumed(
    page: bytes, codec: str, assumed: bool
) -> None:
    from builder.page_bytes import decode_page

    decoded = decode_page(page)
    assert decoded.codec == codec
    assert (decoded.assumed is not None) == assumed
    if b"unicode_escape" in page:
        assert "\\x41" in decoded.html and "C:\\new" in decoded.html
    assert "<?xml" not in decoded.html  # lxml refuses text with an encoding declaration


def test_a_compressed_page_over_the_limit_says_so(tmp_path: Path) -> None:
    """A gzip bomb as ``.html.gz`` (or a gzip body saved as ``.html``) was decompressed by
    trafilatura, which gave up past its own 20 MB: "no main text found". Now the page
    decompresses here, bounded by limits.max_article_bytes, and an error says so.
    ``.html.gz`` and ``.html.zst`` are HTML shards, their id the name without both
    suffixes (``small.html.gz`` was ``small.html`` with ``format: html``)."""
    import gzip

    import zstandard

    root = _config(tmp_path, {"files": "pages/*"})
    pages = root / "pages"
    pages.mkdir()
    _, _, title, paragraphs = STORIES[1]
    small = news_page(title, paragraphs)
    big = small.replace(b"</body>", b"<!--" + b" " * 2_000_000 + b"--></body>")
    config = yaml.safe_load((root / "dataset.yaml").read_text())
    config["limits"] = {**config.get("limits", {}), "max_article_bytes": 1_000_000}
    config["inputs"]["articles"]["format"] = "html"
    (root / "dataset.yaml").write_text(yaml.safe_dump(config))
    (pages / "small.html.gz").write_bytes(gzip.compress(small))
    (pages / "small-zst.html.zst").write_bytes(zstandard.ZstdCompressor().compress(small))
    (pages / "bomb.html.gz").write_bytes(gzip.compress(big))
    (pages / "bomb-body.html").write_bytes(gzip.compress(big))
    (pages / "bomb-zst.html.zst").write_bytes(zstandard.ZstdCompressor().compress(big))
    (pages / "cut.html.gz").write_bytes(gzip.compress(small)[:-20])

    result = build(root, tmp_path / "out", quarantine=True)
    rows = _rows(tmp_path / "out")
    assert sorted(rows) == ["small", "small-zst"]
    assert paragraphs[0] in rows["small"]["text"]
    problems = {i.record: i for i in result.report.issues if "quarantined" in i.message}
    assert sorted(problems) == ["bomb", "bomb-body", "bomb-zst", "cut"]
    for bomb in ("bomb", "bomb-body", "bomb-zst"):
        problem = problems[bomb]
        assert problem.rule == "size-limit", problem
        assert "decompresses to more than 1000000 bytes" in problem.message
        assert "limits.max_article_bytes" in problem.message
    assert problems["cut"].rule == "compression"
    assert problems["cut"].file == "pages/cut.html.gz"


@pytest.mark.parametrize(
    "body",
    [
        # a frameset page: its only text is for browsers without frames
        '<frameset cols="20%,80%"><frame src="nav.html"><noframes><body>{}</body></noframes>'
        "</frameset>",
        "<body><noframes>{}</noframes></body>",
        "<body><noembed>{}</noembed></body>",
    ],
)
def test_noframes_content_is_text_without_its_tags(tmp_path: Path, body: str) -> None:
    """HTML parsers keep ``<noframes>`` (and ``<noembed>``) content as raw text: its
    tags and entities reached the article (``<p>Brent crude...</p>``, ``&amp;``), and a
    frameset page gave no text at all."""
    _, _, _, paragraphs = STORIES[1]
    markup = "".join(f"<p>{p} Fish &amp; chips.</p>" for p in paragraphs)
    page = f"<html><head><title>Ledger</title></head>{body.format(markup)}</html>"
    root = _config(tmp_path, {"files": "pages/*.html"})
    (root / "pages").mkdir()
    (root / "pages" / "framed.html").write_text(page, encoding="utf-8")

    build(root, tmp_path / "out")
    text = _rows(tmp_path / "out")["framed"]["text"]
    assert paragraphs[0] + " Fish & chips." in text
    assert "<p>" not in text and "&amp;" not in text


def test_a_warc_date_that_is_no_date_is_one_error_naming_the_header(tmp_path: Path) -> None:
    """A WARC-Date that is no date (``2024-13-45T00:00:00Z``) gave two errors at
    ``/captured/earliest`` and ``/captured/latest`` of the source record the build makes
    from the capture, a record the user has nowhere; now one, naming the header."""
    from warcio.statusandheaders import StatusAndHeaders

    root = _config(tmp_path, {"files": "crawl/*.warc.gz"})
    (root / "crawl").mkdir()
    _, _, title, paragraphs = STORIES[1]
    with (root / "crawl" / "c.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for date in ("2024-04-16T17:03:10Z", "2024-13-45T00:00:00Z"):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            record = writer.create_warc_record(
                "https://www.dailyledger.example.com/oil",
                "response",
                payload=io.BytesIO(news_page(title, paragraphs)),
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)

    with pytest.raises(DataError) as caught:
        build(root, tmp_path / "out")
    (error,) = caught.value.report.errors
    assert (error.file, error.line, error.pointer) == ("crawl/c.warc.gz", 2, "")
    assert "WARC-Date '2024-13-45T00:00:00Z'" in error.message


def test_a_warc_target_uri_that_is_no_uri_is_one_error_naming_the_header(tmp_path: Path) -> None:
    """A WARC-Target-URI that is no URI gave an error at ``/url`` of the source record the
    build makes from the capture, a record the user has nowhere; now it names the header."""
    from warcio.statusandheaders import StatusAndHeaders

    root = _config(tmp_path, {"files": "crawl/*.warc.gz"})
    (root / "crawl").mkdir()
    _, _, title, paragraphs = STORIES[1]
    with (root / "crawl" / "c.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url in ("https://www.dailyledger.example.com/oil", "https://[bad/a<b>"):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(news_page(title, [*paragraphs, url])),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-04-16T17:03:10Z"},
            )
            writer.write_record(record)

    with pytest.raises(DataError) as caught:
        build(root, tmp_path / "out")
    (error,) = caught.value.report.errors
    assert (error.file, error.line, error.pointer) == ("crawl/c.warc.gz", 2, "")
    assert "WARC-Target-URI 'https://[bad/a<b>'" in error.message


def test_a_page_of_more_tags_than_the_limit_is_an_error_not_extracted(tmp_path: Path) -> None:
    """Extraction holds a page's whole tree (~2 KB a tag): 13 KB of gzip holding a million
    "<br>" took 1.6 GB and ended in a MemoryError. limits.max_page_tags bounds it."""
    root = _config(tmp_path, {"files": "pages/*"})
    config = yaml.safe_load((root / "dataset.yaml").read_text())
    config["limits"] = {**config.get("limits", {}), "max_page_tags": 400}
    (root / "dataset.yaml").write_text(yaml.safe_dump(config))
    _, _, title, paragraphs = STORIES[1]
    small = news_page(title, paragraphs)
    tags = small.count(b"<")
    assert tags < 400
    many = small.replace(b"</body>", b"<br>" * (400 - tags + 1) + b"</body>")
    (root / "pages").mkdir()
    (root / "pages" / "small.html").write_bytes(small)
    (root / "pages" / "many.html.gz").write_bytes(gzip.compress(many))

    result = build(root, tmp_path / "out", quarantine=True)
    assert list(_rows(tmp_path / "out")) == ["small"]
    (problem,) = [i for i in result.report.issues if i.record == "many"]
    assert (problem.file, problem.rule) == ("pages/many.html.gz", "size-limit")
    assert "has 401 tags, over the limit of 400 (limits.max_page_tags" in problem.message
