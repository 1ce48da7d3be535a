"""The per-article stages, run one batch at a time: read, clean, anchor, check, encode.

A batch is self-contained: it needs only its list of files, the configuration
and the read-only staging index, and it writes its rows to its own Arrow IPC
file. So batches run inline, in a process pool today, or on Ray tomorrow, and
the result is the same.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .anchor import AnchoredSpans, anchor_annotation
from .annotations.common import ORIGIN_KEY, export_pointer, in_export
from .article_store import ArticleReader
from .config import DatasetConfig, config_as_read, load_config
from .features import RowCodec
from .ingest import over_line_limit
from .publisher_lines import repeated_lines
from .reanchor import needs_reanchoring, place_annotation
from .row_figures import card_figures
from .rows import build_row
from .signatures import FoldedTexts
from .span_columns import plain_row
from .staging import ArticleFacts, BatchSides, Staging
from .stats import UNKNOWN_PUBLISHER, BuildStats, StageTimings
from .validate.checks import CheckedColumns, check_annotation
from .validate.report import Issue
from .validate.rows import table_row_issues
from .validate.schemas import SchemaStore, cross_checked
from .validate.table import TableCheck

if TYPE_CHECKING:
    from .clean.pipeline import Cleaner

__all__ = [
    "BatchResult",
    "BatchSpec",
    "Context",
    "process_batch",
    "row_schema_bytes",
]

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


@dataclass
class Context:
    """What every batch in one process shares (built once per process).

    The cleaner is built on first use: its rules compile in about half a CPU
    second, which the parent of a pooled build, whose card only names the cleaning
    steps, does not spend (the workers report the names: :class:`BatchResult`)."""

    config: DatasetConfig
    store: SchemaStore
    codec: RowCodec
    make_cleaner: Callable[[], Cleaner]

    @cached_property
    def cleaner(self) -> Cleaner:
        return self.make_cleaner()

    @property
    def step_names(self) -> list[str]:
        """The cleaning steps, in order (the cleaner's: built now if it was not)."""
        return [s.name for s in self.cleaner.steps]

    @staticmethod
    @cache
    def load(
        config_path: str, staging_path: str | None = None, row_schema: bytes | None = None
    ) -> Context:
        """``staging_path``: the build's staging database, which holds the publisher
        pre-pass table when ``cleaning.publisher_repetition`` is on; ``row_schema``:
        :attr:`RowCodec.arrow_schema` serialized (see :attr:`BatchSpec.row_schema`)."""
        config = config_as_read(Path(config_path))
        ready = _PREBUILT.get(row_schema) if row_schema is not None else None
        if ready is not None and ready[0].config == config and ready[1] == _rule_bytes(config):
            return ready[0]  # built by the fork server this worker was forked from
        return _context(config, SchemaStore.default(), staging_path, row_schema)


def _context(
    config: DatasetConfig, store: SchemaStore, staging_path: str | None, row_schema: bytes | None
) -> Context:
    arrow_schema = None if row_schema is None else pa.ipc.read_schema(pa.py_buffer(row_schema))
    codec = RowCodec(store.schemas["row"], _label_sets(config), arrow_schema)
    return Context(config, store, codec, partial(_build_cleaner, config, staging_path))


#: Contexts built ahead by the pool's fork server (:func:`prebuild`), by their row
#: schema, with the bytes of their configuration's rule files.
_PREBUILT: dict[bytes, tuple[Context, tuple[bytes, ...]]] = {}


def _rule_bytes(config: DatasetConfig) -> tuple[bytes, ...] | None:
    """The configuration's own rule files as they are now (None: one is unreadable)."""
    try:
        return tuple(path.read_bytes() for path in config.rule_files)
    except OSError:
        return None


def prebuild(input_dir: str) -> Context | None:
    """Build, once, what every batch process builds before its first batch: the
    cleaner (its rules compile in about a quarter of a CPU second), the row check and
    the schemas' validators. The pool's fork server calls this before it forks the
    workers, which then share it rather than each build its own (two workers built
    theirs at the same time, on the build's critical path). A worker uses it only
    when its own reading of the configuration (and of the rule files) is equal to
    this one, so a file edited meanwhile is read afresh; a cleaner that depends on
    the staging (``cleaning.publisher_repetition``) is not built ahead. Returns the
    context built (None: nothing was)."""
    config = load_config(Path(input_dir))
    rules = _rule_bytes(config)
    if config.publisher_repetition or rules is None:
        return None
    store = SchemaStore.default()
    row_schema = row_schema_bytes(config, store)
    ctx = _context(config, store, None, row_schema)
    ctx.cleaner  # noqa: B018 - built now, for every worker
    _table_check(ctx.codec)
    for name in store.schemas:
        try:
            store.specialized(name), store.compiled(name), store.reference(name)
        except Exception:  # a warm-up: a worker that needs it meets the error itself
            continue
    _PREBUILT[row_schema] = (ctx, rules)
    return ctx


def _build_cleaner(config: DatasetConfig, staging_path: str | None) -> Cleaner:
    # imported here: a parent whose batches run in the pool never builds a cleaner,
    # and the cleaner's modules (ftfy, regex, the rules) cost it some 0.3 CPU s
    from .clean.pipeline import Cleaner

    repeated = (
        repeated_lines(staging_path)
        if config.publisher_repetition and staging_path is not None
        else None
    )
    return Cleaner.build(
        step_names=config.cleaning_steps,
        rule_files=config.rule_files,
        detokenize=config.detokenize,
        repeated_lines=repeated,
    )


def _label_sets(config: DatasetConfig) -> dict[str, list[str]]:
    return {n: config.label_set(n) for n in ("entity", "genre", "text_form")}


def row_schema_bytes(config: DatasetConfig, store: SchemaStore) -> bytes:
    """The rows' Arrow schema, serialized for :attr:`BatchSpec.row_schema`."""
    codec = RowCodec(store.schemas["row"], _label_sets(config))
    return codec.arrow_schema.serialize().to_pybytes()


def _group_key(config: DatasetConfig, article_id: str, source: dict[str, Any]) -> str:
    if config.group_by == "publisher" and source.get("publisher"):
        return f"publisher:{source['publisher']}"
    if config.group_by == "group" and source.get("group"):
        return f"group:{source['group']}"
    return f"id:{article_id}"


def _schema_issues(
    store: SchemaStore, name: str, record: Any, where: dict[str, Any], *, cross_check: bool
) -> list[Issue]:
    return [
        Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message)
        for e in store.check(name, record, cross_check=cross_check)
    ]


@cache
def _table_check(codec: RowCodec) -> TableCheck:
    return TableCheck(codec)


@dataclass
class _Candidate:
    """An article's row before its validation, which is done for the whole batch
    on the batch's Arrow table, with what its acceptance needs."""

    row: dict[str, Any]
    issues: list[Issue]
    file: str  # where the row's issues are located
    cross_check: bool
    publisher: str
    source: dict[str, Any]
    spans: AnchoredSpans
    text_form: str
    clean_text: str


def process_article(
    ctx: Context,
    staging: Staging | BatchSides,
    article_id: str,
    path: Path,
    *,
    ordinal: int,
    reader: ArticleReader,
    stats: BuildStats,
    digests: list[tuple[str, str, int]] | None = None,
) -> _Candidate | list[Issue]:
    """All per-article stages up to the row, which is validated with its batch
    (:func:`process_batch`); returns the row and what its acceptance needs, or the
    issues of an article rejected before it has a row.

    Counts and CPU time per stage go into ``stats`` (the batch's); ``digests``, when
    given, gets the article's ``(id, sha256, bytes)`` once its raw bytes are read."""
    config = ctx.config
    timed = stats.timings.timed
    stats.stages["read"] += 1
    with timed("stage-lookup"):
        source_rec = staging.side("source", article_id)
        # A source line that was rejected has been reported where it is: the article
        # goes with it, without a second error saying it has no source.
        bad_source = None if source_rec else staging.rejected_side("source", article_id)
        # its spans as columns (staging.py: load_columns), checked and anchored so
        ann_rec = staging.side_columns("annotation", article_id)
    # an imported record's issues point into the export it came from (common.ImportedRecord)
    origin = ann_rec.record.pop(ORIGIN_KEY, None) if ann_rec is not None else None
    to_export = partial(export_pointer, origin) if origin else None
    publisher = (
        source_rec.record.get("publisher") if source_rec else bad_source and bad_source[2]
    ) or UNKNOWN_PUBLISHER
    stats.per_source[publisher]["read"] += 1
    issues: list[Issue] = []

    with timed("read"):
        article, read_issues = reader.read(article_id, path)
    issues += read_issues
    if article is not None and digests is not None:
        digests.append((article_id, article.sha256, article.bytes))
    # A shard's article that cannot be read is named by its shard (the read issues say).
    rel = article.path if article else (read_issues[0].file if read_issues else str(path.name))
    cross = cross_checked(ordinal)
    if article is not None:
        with timed("validate-article"):
            issues += _schema_issues(
                ctx.store,
                "article",
                article.as_record(),
                {"file": rel, "record": article_id},
                cross_check=cross,
            )
    if source_rec is None and bad_source is None:
        issues.append(
            Issue(
                file=config.sources_path.name,
                record=article_id,
                rule="missing-source",
                # a shard is no article: "article a.jsonl" named the whole shard
                message=f"article {rel if reader.store is None else f'{article_id!r} of {rel}'}"
                " has no source record",
            )
        )
    placed = None
    #: the spans as check_annotation found them, by pointer (anchor_annotation's input)
    checked: dict[str, CheckedColumns] = {}
    if ann_rec is not None:
        # A record made on another version of the raw text is re-anchored first;
        # then the spans are checked where they now are.
        if article is not None and needs_reanchoring(ann_rec.record, article.text, config.reanchor):
            with timed("reanchor"):
                placed = place_annotation(
                    plain_row(ann_rec.record),
                    article.text,
                    on_orphan=config.on_orphan,
                    file=ann_rec.file,
                    line=ann_rec.line,
                )
            issues += in_export(placed.issues, to_export)
        with timed("check-annotation"):
            issues += in_export(
                check_annotation(
                    placed.record if placed else ann_rec.record,
                    article.text if article else None,
                    ctx.codec.label_sets,
                    file=ann_rec.file,
                    line=ann_rec.line,
                    columns=checked,
                ),
                to_export,
            )
    if article is None or source_rec is None or _has_errors(issues):
        return _reject(stats, publisher, issues)

    assert article is not None
    too_many = over_line_limit(article.text, config.max_article_lines)
    if too_many:
        issues.append(Issue(file=rel, record=article_id, rule="size-limit", message=too_many))
        return _reject(stats, publisher, issues)
    from .clean.steps import DocumentContext  # imported by the cleaner (see _build_cleaner)

    doc = DocumentContext(
        article_id=article_id,
        publisher=source_rec.record.get("publisher"),
        headline=source_rec.record.get("headline"),
    )
    with timed("clean"):
        result = ctx.cleaner.clean(article.text, doc)
    stats.stages["cleaned"] += 1
    stats.rule_edits[publisher].update(result.rule_counts)
    stats.rule_chars[publisher].update(result.removed_chars)

    if placed is not None:
        ann = placed.record
    elif ann_rec is not None:
        ann = ann_rec.record
    else:
        ann = {"article_id": article_id, "entities": [], "quotes": [], "labels": {}}
    with timed("anchor"):
        spans = anchor_annotation(
            ann,
            result.text,
            result.edits,
            on_removed=config.on_removed_span,
            placed=placed,
            file=ann_rec.file if ann_rec else "",
            line=ann_rec.line if ann_rec else None,
            entity_columns=checked.get("/entities"),
            quote_columns=checked.get("/quotes"),
        )
    issues += in_export(spans.issues, to_export)
    detected = str(result.attributes.get("text_form", "cased"))
    labels = ann.get("labels", {})
    text_form = labels.get("text_form") or detected
    if (
        labels.get("text_form")
        and labels["text_form"] != detected
        and detected in config.text_form_labels
    ):
        issues.append(
            Issue(
                file=rel,
                record=article_id,
                rule="text-form",
                severity="warning",
                message=f"annotated text_form {labels['text_form']!r} but the text looks {detected!r}",
            )
        )
    # A rejected annotation line has been reported where it is (as a rejected source
    # line is): "no annotation record" would contradict that error.
    if ann_rec is None and staging.rejected_side("annotation", article_id) is None:
        issues.append(
            Issue(
                file=rel,
                record=article_id,
                rule="no-annotations",
                severity="warning",
                message="article has no annotation record",
            )
        )

    with timed("build-row"):
        row = build_row(
            article,
            source_rec.record,
            result.text,
            result.edits,
            spans,
            genre=labels.get("genre"),
            text_form=text_form,
        )
    return _Candidate(
        row, issues, rel, cross, publisher, source_rec.record, spans, text_form, result.text
    )


def _accept(
    ctx: Context, article_id: str, c: _Candidate, stats: BuildStats
) -> tuple[dict[str, Any] | None, ArticleFacts | None, list[Issue], str | None]:
    """A validated row: counted and kept, or rejected when it has an error; the row
    (or None), its facts (without the text key and MinHash signature, which the
    batch makes) and its clean text."""
    issues, publisher, spans, row, text_form = c.issues, c.publisher, c.spans, c.row, c.text_form
    if _has_errors(issues):
        return None, None, _reject(stats, publisher, issues), None
    stats.spans.update(spans.status)
    stats.dropped_reasons.update(spans.dropped_reasons)
    stats.anchor_methods.update(spans.methods)
    stats.orphan_reasons.update(spans.orphan_reasons)
    stats.text_forms[text_form] += 1
    if row["genre"] is not None:
        stats.labels["genre"][row["genre"]] += 1
    else:  # counted apart, so the card can say how many rows have no genre
        stats.labels["unlabelled"]["genre"] += 1
    # the row's spans are columns (span_columns.py)
    stats.labels["entity"].update(row["entities"].column("label"))  # counted in C
    for speaker in row["quotes"].column("speaker_id"):
        stats.labels["quotes"]["with_speaker" if speaker else "without_speaker"] += 1
    # The text key and MinHash signature are made for the whole batch (process_batch).
    facts = ArticleFacts(
        id=article_id,
        group_key=_group_key(ctx.config, article_id, c.source),
        text_key="",
        row_bytes=_row_bytes(row),
        publisher=c.source.get("publisher"),
    )
    stats.stages["accepted"] += 1
    stats.per_source[publisher]["accepted"] += 1
    return row, facts, issues, c.clean_text


def _row_bytes(row: dict[str, Any]) -> int:
    """Rough uncompressed size, for shard and row-group sizing."""
    text = row["text"] or ""
    log = row["edits"]  # columns (span_columns.py)
    edits = sum(map(len, log.column("original"))) + sum(map(len, log.column("replacement")))
    edits += 40 * len(log)
    spans = 48 * (len(row["entities"]) + len(row["quotes"]))
    return len(text.encode("utf-8")) + edits + spans + 512


def _has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


def _reject(stats: BuildStats, publisher: str, issues: list[Issue]) -> list[Issue]:
    stats.stages["rejected"] += 1
    stats.per_source[publisher]["rejected"] += 1
    return issues


def _check_rows(ctx: Context, group: list[_Candidate], timings: StageTimings) -> pa.Table | None:
    """A group's rows encoded once and checked on that table; the rows it flags (and
    the cross-check sample) one at a time, located as before. Each row's issues
    are added to its candidate; returns the table (None: the encoder refused a row)."""
    check = _table_check(ctx.codec)
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
    rows: list[dict[str, Any]] = []
    clean_texts: list[str] = []
    timings = result.stats.timings
    assert ctx.config.article_input is not None
    with (
        Staging(Path(spec.staging_path), readonly=True) as staging,
        timings.timed("stage-lookup", 0),
    ):
        sides = staging.batch_sides(spec.items[0][0], spec.items[-1][0]) if spec.items else None
    reader = ArticleReader(
        ctx.config.article_input,
        spec.article_store,
        max_bytes=ctx.config.max_article_bytes,
        max_tags=ctx.config.max_page_tags,
    )
    done: list[_Candidate | list[Issue]] = []
    # Rows are encoded and checked a group at a time, as their articles are done:
    # their ~7,000 span dicts are then still in the CPU's caches (the same work on
    # the whole batch at its end read each of them cold). A row's issues are its
    # own whatever its group, and the groups' tables make the batch's table.
    group: list[_Candidate] = []
    tables: list[pa.Table | None] = []
    shard_of: dict[str, str] = {}  # a rejected article of a shard: its shard
    with reader:
        for offset, (article_id, path) in enumerate(spec.items if sides is not None else ()):
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
            done.append(outcome)
            if not isinstance(outcome, _Candidate) and reader.store is not None:
                # its shard, for the rejects list: an article whose source record was
                # rejected (reported there) is rejected with no issue of its own to say
                place = reader.store.place(article_id)
                shard_of[article_id] = place[0] if place else str(path)
            if isinstance(outcome, _Candidate):
                group.append(outcome)
                if len(group) == ENCODE_GROUP:
                    tables.append(_check_rows(ctx, group, timings))
                    group = []
        if group:
            tables.append(_check_rows(ctx, group, timings))
    candidates = [c for c in done if isinstance(c, _Candidate)]
    # The groups' tables are the batch's (None: the encoder refused a row of one).
    table = None if not tables or any(t is None for t in tables) else tables[0]
    if table is not None and len(tables) > 1:
        with timings.timed("encode-rows", 0):
            table = pa.concat_tables(tables).combine_chunks()
    del tables
    for (article_id, path), outcome in zip(spec.items, done, strict=False):
        if isinstance(outcome, _Candidate):
            row, facts, issues, clean_text = _accept(ctx, article_id, outcome, result.stats)
        else:
            row, facts, issues, clean_text = None, None, outcome, None
        result.issues.extend(issues)
        if row is None:
            errors = [i for i in issues if i.severity == "error"]
            where = shard_of.get(article_id, str(path))
            result.rejected.append(
                {"id": article_id, "path": where, "reasons": [str(i) for i in errors]}
            )
            continue
        assert facts is not None and clean_text is not None
        rows.append(row)
        result.facts.append(facts)
        clean_texts.append(clean_text)
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
    del clean_texts, folded
    with timings.timed("encode-rows", 0):
        if table is None or len(rows) != len(candidates):  # not the batch's table
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
