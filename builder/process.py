"""A batch of articles, run as one task: each article's stages up to its row
(:mod:`builder.article_stages`), the rows encoded and validated a group at a time, the
batch's text keys and MinHash signatures, its rows written to an Arrow IPC file.

A batch is self-contained: it needs only its list of files, the configuration
and the read-only staging index, and it writes its rows to its own Arrow IPC
file. So batches run inline, in a process pool today, or on Ray tomorrow, and
the result is the same.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from .article_stages import Candidate, accept, process_article
from .article_store import ArticleReader
from .batch_context import Context, table_check
from .row_figures import card_figures
from .signatures import FoldedTexts
from .staging import ArticleFacts, BatchSides, Staging
from .stats import BuildStats, StageTimings
from .validate.report import Issue
from .validate.rows import table_row_issues

__all__ = ["BatchResult", "BatchSpec", "process_batch"]

#: Rows encoded and checked together (a table per group: the per-table cost is
#: spread as well at 64 rows as at 256).
ENCODE_GROUP = 64


@dataclass(frozen=True)
class BatchSpec:
    index: int
    items: list[tuple[str, str]]  # (article id, path)
    config_path: str
    staging_path: str
    rows_path: str
    first_ordinal: int  # position of the batch's first article in the corpus
    #: the shard store the articles are read from (None: ``path`` is each article's file)
    article_store: str | None = None
    #: the row Arrow schema, serialized by the parent (a worker need not import ``datasets``)
    row_schema: bytes | None = None


@dataclass
class BatchResult:
    index: int
    issues: list[Issue] = field(default_factory=list)
    facts: list[ArticleFacts] = field(default_factory=list)
    stats: BuildStats = field(default_factory=BuildStats)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # quarantine entries
    #: (id, sha256, bytes) of every article file read (for the manifest's inputs)
    digests: list[tuple[str, str, int]] = field(default_factory=list)
    #: the cleaning steps' names, in order (for the card: see :attr:`BuildResult.cleaning_steps`)
    cleaning_steps: tuple[str, ...] = ()


def _check_rows(ctx: Context, group: list[Candidate], timings: StageTimings) -> pa.Table | None:
    """A group's rows encoded once and checked on that table; the rows it flags (and
    the cross-check sample) one at a time, located as before. Each row's issues
    are added to its candidate; returns the table (None: the encoder refused a row)."""
    check = table_check(ctx.codec)
    rows = [c.row for c in group]
    with timings.timed("encode-rows", len(group)):
        encoded = check.encode(rows)
    with timings.timed("validate-row", len(group)):
        found, table = table_row_issues(
            check,
            ctx.store,
            rows,
            [c.file for c in group],
            cross_check=[c.cross_check for c in group],
            encoded=encoded,
        )
    for c, row_found in zip(group, found, strict=True):
        c.issues += row_found
    return table


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while a batch runs.

    A batch allocates some 30,000 span dicts and strings that live until its table
    is written; each allocation counts toward the collector's thresholds, so it
    ran every few hundred spans, again and again over the same live objects (a
    third of the anchoring's CPU, more of the side-record lookup's). Those objects
    hold no reference cycles, and what a batch might leave in one is bounded by
    the batch: collected as usual once the collector resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def process_batch(spec: BatchSpec) -> BatchResult:
    """Run one batch and write its accepted rows to ``spec.rows_path`` (Arrow IPC)."""
    with _no_cycle_collection():
        return _process_batch(spec)


def _process_batch(spec: BatchSpec) -> BatchResult:
    ctx = Context.load(spec.config_path, spec.staging_path, spec.row_schema)
    # built here (once per process), not within the first article's cleaning time
    result = BatchResult(spec.index, cleaning_steps=tuple(s.name for s in ctx.cleaner.steps))
    timings = result.stats.timings
    assert ctx.config.article_input is not None
    with (
        Staging(Path(spec.staging_path), readonly=True) as staging,
        timings.timed("stage-lookup", 0),
    ):
        sides = staging.batch_sides(spec.items[0][0], spec.items[-1][0]) if spec.items else None
    ran = _run_articles(ctx, spec, sides, result) if sides is not None else _Ran()
    rows, clean_texts = _accepted(ctx, spec, ran, result)
    _add_text_keys(ctx, clean_texts, result)
    del clean_texts  # the batch's texts, kept only for their keys
    with timings.timed("encode-rows", 0):
        table = ran.table
        if table is None or len(rows) != ran.candidates:  # not the batch's table
            table = ctx.codec.to_table(rows)
        with (
            pa.OSFile(spec.rows_path, "wb") as sink,
            pa.ipc.new_file(sink, ctx.codec.arrow_schema) as writer,
        ):
            writer.write_table(table)
    with timings.timed("card-figures", len(rows)):
        result.facts = [
            replace(f, chars=c, words=w, day=d, labels=n)
            for f, (c, w, d, n) in zip(result.facts, card_figures(table), strict=True)
        ]
    return result


@dataclass
class _Ran:
    """A batch's articles run through their stages, their rows encoded and checked."""

    #: each article's outcome, in the batch's order: its row, or the issues that rejected it
    done: list[Candidate | list[Issue]] = field(default_factory=list)
    #: the rows' table, the groups' tables joined (None: none, or the encoder refused a row)
    table: pa.Table | None = None
    candidates: int = 0  # the articles that got a row
    shard_of: dict[str, str] = field(default_factory=dict)  # a rejected article's shard


def _run_articles(ctx: Context, spec: BatchSpec, sides: BatchSides, result: BatchResult) -> _Ran:
    """Every article of the batch through its stages (:func:`process_article`).

    Rows are encoded and checked a group at a time, as their articles are done:
    their ~7,000 span dicts are then still in the CPU's caches (the same work on
    the whole batch at its end read each of them cold). A row's issues are its
    own whatever its group, and the groups' tables make the batch's table."""
    assert ctx.config.article_input is not None
    timings = result.stats.timings
    reader = ArticleReader(
        ctx.config.article_input,
        spec.article_store,
        max_bytes=ctx.config.max_article_bytes,
        max_tags=ctx.config.max_page_tags,
    )
    ran = _Ran()
    group: list[Candidate] = []
    tables: list[pa.Table | None] = []
    with reader:
        for offset, (article_id, path) in enumerate(spec.items):
            outcome = process_article(
                ctx,
                sides,
                article_id,
                Path(path),
                ordinal=spec.first_ordinal + offset,
                reader=reader,
                stats=result.stats,
                # a folder's files are the manifest's inputs (a shard store's are its shards)
                digests=result.digests if spec.article_store is None else None,
            )
            ran.done.append(outcome)
            if not isinstance(outcome, Candidate):
                if reader.store is not None:
                    # its shard, for the rejects list: an article whose source record was
                    # rejected (reported there) is rejected with no issue of its own to say
                    place = reader.store.place(article_id)
                    ran.shard_of[article_id] = place[0] if place else str(path)
                continue
            ran.candidates += 1
            group.append(outcome)
            if len(group) == ENCODE_GROUP:
                tables.append(_check_rows(ctx, group, timings))
                group = []
        if group:
            tables.append(_check_rows(ctx, group, timings))
    # The groups' tables are the batch's (None: the encoder refused a row of one).
    ran.table = None if not tables or any(t is None for t in tables) else tables[0]
    if ran.table is not None and len(tables) > 1:
        with timings.timed("encode-rows", 0):
            ran.table = pa.concat_tables(tables).combine_chunks()
    return ran


def _accepted(
    ctx: Context, spec: BatchSpec, ran: _Ran, result: BatchResult
) -> tuple[list[dict[str, Any]], list[str]]:
    """The batch's rows that have no error, and their clean texts; each article's
    issues, facts and (when rejected) its entry in the rejects list go into ``result``."""
    rows: list[dict[str, Any]] = []
    clean_texts: list[str] = []
    for (article_id, path), outcome in zip(spec.items, ran.done, strict=False):
        if isinstance(outcome, Candidate):
            row, facts, issues, clean_text = accept(ctx, article_id, outcome, result.stats)
        else:
            row, facts, issues, clean_text = None, None, outcome, None
        result.issues.extend(issues)
        if row is None:
            errors = [i for i in issues if i.severity == "error"]
            where = ran.shard_of.get(article_id, str(path))
            result.rejected.append(
                {"id": article_id, "path": where, "reasons": [str(i) for i in errors]}
            )
            continue
        assert facts is not None and clean_text is not None
        rows.append(row)
        result.facts.append(facts)
        clean_texts.append(clean_text)
    return rows, clean_texts


def _add_text_keys(ctx: Context, clean_texts: list[str], result: BatchResult) -> None:
    """Each accepted row's facts get its text key and (near-duplicate search on) its
    MinHash signature, made for the whole batch at once."""
    timings = result.stats.timings
    with timings.timed("text-key", len(clean_texts)):
        folded = FoldedTexts(clean_texts)  # casefolded and encoded once, for both
        keys = folded.text_keys()
    signatures: list[bytes | None] = [None] * len(clean_texts)
    if ctx.config.near_duplicates:
        with timings.timed("minhash", len(clean_texts)):
            signatures = list(folded.signatures())
    result.facts = [
        replace(f, text_key=key, minhash=sig)
        for f, key, sig in zip(result.facts, keys, signatures, strict=True)
    ]
