"""A saved page's bytes made its HTML text: decompressed by its first bytes (within a
size limit), then decoded by the charset a browser would use.

Crawlers store pages as they came, gzip or zstd bodies included, and many pages name
no charset or a wrong one. Both steps are ours, not the extractor's: trafilatura
gave up past its own 20 MB ("no main text found" for a compressed page over the limit)
and guessed encodings (a windows-1252 page without a charset came out as Baltic
mojibake, no warning). Here every page decodes the same way every time, and a page
whose encoding had to be assumed says so (:attr:`DecodedPage.assumed`).
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass

from .compressed_inputs import decompress_errors, decompressing, read_at_most
from .names import setting

__all__ = [
    "DEFAULT_PAGE_CODEC",
    "CompressedPageError",
    "DecodedPage",
    "decode_page",
    "decompressed_page",
]


class CompressedPageError(ValueError):
    """A compressed page that cannot be read: over the limit once decompressed
    (``rule`` ``size-limit``), corrupt or cut short (``compression``)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def decompressed_page(html: bytes, limit: int) -> bytes:
    """A page saved compressed (``.html.gz``, a gzip or zstd body a crawler stored as it
    came) decompressed, by its first bytes, to at most ``limit`` bytes; any other page
    as it is. Over the limit is a :class:`CompressedPageError` saying so: trafilatura,
    which did this itself, gave up past its own 20 MB and the page was "no main text
    found". Decompressed here, not by trafilatura, which also tries brotli and deflate
    on any page that is not UTF-8 (a windows-1252 page is not compressed). The readers
    are the shards' and exports' (:func:`~builder.compressed_inputs.decompressing`):
    at most ``limit + 1`` bytes are ever made."""
    found = decompressing(io.BytesIO(html))
    if found is None:
        return html
    kind, reader = found
    try:
        with reader:
            out = read_at_most(reader, limit + 1)
    except decompress_errors() as exc:
        why = f"a {kind}-compressed page that cannot be decompressed ({exc})"
        raise CompressedPageError("compression", why) from None
    if len(out) > limit:
        raise CompressedPageError(
            "size-limit",
            f"the {kind}-compressed page decompresses to more than {limit} bytes, "
            f"over the limit of a page ({setting('limits.max_article_bytes')})",
        )
    return out


@dataclass(frozen=True)
class DecodedPage:
    """A page's HTML as text, the codec it was read with, and why that codec was
    assumed (None: the page's bytes, byte order mark, declaration or HTTP header said
    so): then the build warns, naming the page."""

    html: str
    codec: str
    assumed: str | None = None


#: The encoding of a page that is not UTF-8 and names none that decodes it: what
#: browsers use for most locales (the HTML standard's default for all but a few).
DEFAULT_PAGE_CODEC = "windows-1252"

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
#: a charset the page names: ``<meta charset>``, ``<meta http-equiv content="...;
#: charset=...">``, or an XML declaration's ``encoding``
_PAGE_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)"
    rb"|<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml\s[^>]*\?>")
#: how far into a page a charset it names is looked for (where trafilatura's
#: detector, charset_normalizer, looks for one too)
_PAGE_CHARSET_ZONE = 8192
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
#: labels browsers read as another encoding (WHATWG Encoding): pages labelled so use the
#: other one's characters (windows-1252's quotes and dashes under ``iso-8859-1``)
_WHATWG_CODECS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "utf-16": "utf-8",  # a page that names UTF-16 without a BOM is read as UTF-8
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}
#: windows-1252 as browsers decode it: the five bytes cp1252 leaves undefined are the
#: C1 controls of the same number, so that every byte decodes (deterministic, total)
_CP1252_OF_LATIN1 = {
    b: (bytes([b]).decode("cp1252", "ignore") or chr(b)) for b in range(0x80, 0xA0)
}


#: WHATWG labels Python knows by no name, or by another encoding's
_WHATWG_LABELS = {
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "csshiftjis": "cp932",
    "macintosh": "mac-roman",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-user-defined": "cp1252",
    "iso-8859-8-i": "iso8859-8",
    "x-gbk": "gbk",
    "x-euc-jp": "euc_jp",
    "ks_c_5601-1987": "cp949",
    **{f"x-cp125{n}": f"cp125{n}" for n in range(9)},
}
#: the encodings of the WHATWG Encoding standard (Python's names): the only ones a page
#: may name. Python has codecs of other names (unicode_escape turned a page's ``\x41``
#: into ``A``, cp500 made it noise): a page naming one is read as naming none.
_WHATWG_ENCODINGS = frozenset(
    {
        "utf-8", "utf-16-le", "utf-16-be", "cp866", "koi8-r", "koi8-u", "mac-roman",
        "mac-cyrillic", "cp874", "gbk", "gb18030", "big5", "big5hkscs", "euc_jp",
        "iso2022_jp", "cp932", "cp949",
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        *(f"cp125{n}" for n in range(9)),
    }
)  # fmt: skip


def _codec(label: str | None) -> str | None:
    """The Python codec a charset label names, as browsers read it (None: none, or a
    label that names no encoding of the WHATWG Encoding standard)."""
    if not label:
        return None
    name = _WHATWG_LABELS.get(label.strip().lower())
    if name is None:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return None
    name = _WHATWG_CODECS.get(name, name)
    return name if name in _WHATWG_ENCODINGS else None


def _decoded(html: bytes, codec: str) -> str | None:
    """The page decoded by ``codec`` (None: it does not decode)."""
    if codec == "cp1252":
        return html.decode("latin-1").translate(_CP1252_OF_LATIN1)
    try:
        return html.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _page_charset(html: bytes) -> str | None:
    match = _PAGE_CHARSET.search(html[:_PAGE_CHARSET_ZONE])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def decode_page(html: bytes, content_type: str | None = None) -> DecodedPage:
    """A page's HTML as text, decoded deterministically, in this order: a byte order
    mark; UTF-8 when the page decodes as UTF-8; the charset the page names (``<meta
    charset>``, ``http-equiv``, an XML declaration); the charset of the HTTP
    Content-Type it was served with (``content_type``, a WARC record's); else
    windows-1252, as browsers do for most locales, with ``assumed`` saying why.

    UTF-8 goes before the page's and the header's charset, though the HTML standard
    puts them first: servers that add a default charset to every response (Apache's
    AddDefaultCharset iso-8859-1) and templates that kept an old ``<meta>`` are
    common, and a page in another encoding is valid UTF-8 only by accident (no
    accented letter, then both read the same). A named charset that does not decode
    the page is passed over, and said. Labels are read as browsers read them
    (``iso-8859-1`` and ``us-ascii`` are windows-1252)."""
    for bom, codec in _BOMS:
        if html.startswith(bom):
            text = _decoded(html[len(bom) :], codec)
            if text is not None:
                return DecodedPage(_without_xml_declaration(text), codec)
    text = _decoded(html, "utf-8")
    if text is not None:
        return DecodedPage(_without_xml_declaration(text), "utf-8")
    failed = []
    named = [("the page", _page_charset(html))]
    header = _HEADER_CHARSET.search(content_type or "")
    named.append(("the HTTP header", header.group(1) if header else None))
    for who, label in named:
        if label is None:
            continue
        codec = _codec(label)
        text = _decoded(html, codec) if codec else None
        if text is not None:
            return DecodedPage(_without_xml_declaration(text), codec or label)
        failed.append(
            f"{who} names {label!r}, "
            + ("which does not decode it" if codec else "no encoding browsers know")
        )
    said = (
        "; ".join(failed)
        if failed
        else "no byte order mark, no charset in the page or its HTTP header"
    )
    why = (
        f"the page is not UTF-8 and names no encoding that decodes it ({said}): read as "
        f"{DEFAULT_PAGE_CODEC}, as browsers do for most languages (a page in another "
        "encoding comes out wrong: declare its charset in it, <meta charset=...>)"
    )
    text = _decoded(html, "cp1252")
    assert text is not None  # windows-1252 as browsers read it decodes every byte
    return DecodedPage(_without_xml_declaration(text), DEFAULT_PAGE_CODEC, why)


def _without_xml_declaration(html: str) -> str:
    """The page without a leading XML declaration, which names the encoding of bytes
    that are now text: lxml refuses text that has one, and trafilatura then parses the
    text re-encoded as UTF-8 by the declared encoding (mojibake)."""
    return _XML_DECLARATION.sub("", html, count=1) if html.lstrip().startswith("<?") else html
