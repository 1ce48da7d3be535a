"""The published row: one article with its provenance, spans and edit log."""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from .anchor import AnchoredSpans
from .clean.edits import RawEdit
from .ingest import RawArticle
from .span_columns import SpanColumns

__all__ = ["EDIT_KEYS", "build_row", "edit_columns", "source_fields"]


def source_fields(source: Mapping[str, Any]) -> dict[str, Any]:
    """The row's flat ``source`` struct from a source record."""
    published = source.get("published") or {}
    captured = source.get("captured") or {}
    rights = source.get("rights") or {}
    capture = source.get("capture") or {}
    return {
        "publisher": source.get("publisher"),
        "headline": source.get("headline"),
        "author": source.get("author"),
        "url": source.get("url"),
        "published_earliest": published.get("earliest"),
        "published_latest": published.get("latest"),
        "captured_earliest": captured.get("earliest"),
        "captured_latest": captured.get("latest"),
        "language": source.get("language"),
        "redistribution": rights.get("redistribution"),
        "rights": rights.get("statement"),
        "warc_record_id": capture.get("warc_record_id"),
        "html_sha256": capture.get("html_sha256"),
    }


#: The edit log's keys, in the order of :meth:`RawEdit.as_dict`.
EDIT_KEYS = (
    "raw_start",
    "raw_end",
    "clean_start",
    "clean_end",
    "original",
    "replacement",
    "reason",
)


def edit_columns(edits: Sequence[RawEdit]) -> SpanColumns:
    """The edit log as columns (``as_dict`` of each edit, one list per key)."""
    if not edits:  # most articles: cleaning changed nothing
        return SpanColumns.trusted({k: [] for k in EDIT_KEYS}, 0)
    return SpanColumns.trusted(
        {k: list(map(operator.attrgetter(k), edits)) for k in EDIT_KEYS}, len(edits)
    )


def build_row(
    article: RawArticle,
    source: Mapping[str, Any],
    clean_text: str,
    edits: Sequence[RawEdit],
    spans: AnchoredSpans,
    *,
    genre: str | None,
    text_form: str,
) -> dict[str, Any]:
    """Assemble the row (its ``entities``, ``quotes`` and ``edits`` as
    :class:`SpanColumns`; :func:`builder.span_columns.plain_row` gives its JSON
    form). When the source may not be published in full, texts are withheld
    (null) but offsets, hashes and labels stay, so a holder of the raw text can
    rebuild everything."""
    publish_text = bool((source.get("rights") or {}).get("publish_full_text", False))
    # The spans stay columns (span_columns.py): the encoder reads them as such.
    entities = spans.entity_columns
    quotes = spans.quote_columns
    if not publish_text:
        entities = entities.replaced("text", [None] * len(entities))
        quotes = quotes.replaced("text", [None] * len(quotes))
    return {
        "id": article.id,
        "text": clean_text if publish_text else None,
        "text_sha256": hashlib.sha256(clean_text.encode("utf-8")).hexdigest(),
        "raw_sha256": article.sha256,
        "genre": genre,
        "text_form": text_form,
        "source": source_fields(source),
        "entities": entities,
        "quotes": quotes,
        "edits": edit_columns(edits if publish_text else ()),
    }
