"""The build's pre-pass for ``cleaning.publisher_repetition``.

A line is furniture when its publisher prints it on many of its pages, which no
single page shows: so, before the batches run, every article is read once more
and its lines are counted per publisher into the staging database
(:class:`~builder.clean.repetition.SqliteLineCounter`: memory stays flat). The
table of repeated lines is frozen once, here, and stored beside the counts;
every process that cleans reads that small table (:func:`repeated_lines`), so
the same inputs give the same cleaning whatever the number of workers.

Articles are counted in id order (the counter skips copies of a story already
counted, so the order must be fixed). An article without a publisher is not
counted: an unknown publisher is not one site with one footer. An article that
cannot be read, or has more lines than ``limits.max_article_lines``, is skipped; the
main pass reports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .article_store import ArticleReader
from .config import DatasetConfig
from .ingest import over_line_limit
from .staging import Staging

if TYPE_CHECKING:
    # imported where they run: a pooled build's parent imports this module (through
    # builder.process) but cleans nothing, and the cleaner's modules cost it some
    # 0.3 CPU s (see builder.clean.options)
    from .clean.repetition import RepeatedLines

__all__ = ["count_publisher_lines", "repeated_lines"]

#: Articles counted between two commits of the staging database.
COMMIT_EVERY = 1000


def count_publisher_lines(
    staging: Staging, config: DatasetConfig, ids: Iterable[str], *, store_path: str | None = None
) -> int:
    """Count the lines of ``ids`` per publisher and store the repeated ones.

    Needs the source records staged. ``store_path``: the shard store, when the
    articles came as shards. Returns how many (publisher, line) pairs were
    found repeated.
    """
    from .clean.repetition import SqliteLineCounter, store_repeated

    counter = SqliteLineCounter(staging.db)
    assert config.article_input is not None
    with ArticleReader(
        config.article_input,
        store_path,
        max_bytes=config.max_article_bytes,
        max_tags=config.max_page_tags,
    ) as reader:
        for n, article_id in enumerate(ids, start=1):
            source = staging.side("source", article_id)
            publisher = source.record.get("publisher") if source else None
            if not publisher:
                continue
            article, _ = reader.read(article_id)
            # an article over the line limit is refused by the main pass: not counted
            # (nor its lines held here)
            if article is not None and not over_line_limit(article.text, config.max_article_lines):
                counter.add(publisher, article.text)
            if n % COMMIT_EVERY == 0:
                staging.commit()
    table = counter.frozen(config.repetition_min_documents, config.repetition_min_share)
    store_repeated(staging.db, table)
    staging.commit()
    return len(table)


def repeated_lines(staging_path: str | Path) -> RepeatedLines:
    """The frozen table of a build, read from its staging database (read-only)."""
    from .clean.repetition import load_repeated

    with Staging(Path(staging_path), readonly=True) as staging:
        return load_repeated(staging.db)
