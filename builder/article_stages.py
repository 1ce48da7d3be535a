"""One article's stages, up to its row: its side records looked up, its text read and
checked, its annotation checked (re-anchored first when it was made on another version
of the text), the text cleaned, the spans anchored in the clean text, the row built.
The row is validated with its batch's (:mod:`builder.process`), then accepted here.

Each stage's CPU time and records go into the batch's :class:`~builder.stats.BuildStats`;
an article rejected before it has a row returns its issues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .anchor import AnchoredSpans, anchor_annotation
from .annotations.common import ORIGIN_KEY, export_pointer, in_export
from .article_store import ArticleReader
from .batch_context import Context
from .config import DatasetConfig
from .ingest import RawArticle, over_line_limit
from .reanchor import Placed, needs_reanchoring, place_annotation
from .rows import build_row
from .span_columns import plain_row
from .staging import ArticleFacts, BatchSides, SideRecord, Staging
from .stats import UNKNOWN_PUBLISHER, BuildStats, StageTimings
from .validate.checks import CheckedColumns, check_annotation
from .validate.report import Issue
from .validate.schemas import SchemaStore, cross_checked

if TYPE_CHECKING:
    from .clean.pipeline import CleanResult

__all__ = ["Candidate", "accept", "process_article"]


@dataclass
class Candidate:
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


@dataclass(frozen=True)
class _Sides:
    """An article's staged side records, as its stages use them."""

    source: SideRecord | None
    #: ``(file, line, publisher)`` of its rejected source line (None: none, or a source)
    bad_source: tuple[str, int | None, str | None] | None
    annotation: SideRecord | None  # its span lists as columns (staging.load_columns)
    #: an imported annotation's pointers into the export it came from (None: native)
    to_export: Callable[[str], str] | None
    publisher: str


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
) -> Candidate | list[Issue]:
    """All per-article stages up to the row, which is validated with its batch
    (:func:`builder.process.process_batch`); returns the row and what its acceptance
    needs, or the issues of an article rejected before it has a row.

    Counts and CPU time per stage go into ``stats`` (the batch's); ``digests``, when
    given, gets the article's ``(id, sha256, bytes)`` once its raw bytes are read."""
    timings = stats.timings
    stats.stages["read"] += 1
    sides = _look_up_sides(staging, article_id, timings)
    stats.per_source[sides.publisher]["read"] += 1

    with timings.timed("read"):
        article, read_issues = reader.read(article_id, path)
    issues = list(read_issues)
    if article is not None and digests is not None:
        digests.append((article_id, article.sha256, article.bytes))
    # A shard's article that cannot be read is named by its shard (the read issues say).
    rel = article.path if article else (issues[0].file if issues else str(path.name))
    cross = cross_checked(ordinal)
    if article is not None:
        with timings.timed("validate-article"):
            issues += _schema_issues(
                ctx.store,
                "article",
                article.as_record(),
                {"file": rel, "record": article_id},
                cross_check=cross,
            )
    if sides.source is None and sides.bad_source is None:
        # a shard is no article: "article a.jsonl" named the whole shard
        named = rel if reader.store is None else f"{article_id!r} of {rel}"
        issues.append(
            Issue(
                file=ctx.config.sources_path.name,
                record=article_id,
                rule="missing-source",
                message=f"article {named} has no source record",
            )
        )
    #: the spans as check_annotation found them, by pointer (anchor_annotation's input)
    checked: dict[str, CheckedColumns] = {}
    placed = None
    if sides.annotation is not None:
        placed, found = _checked_annotation(ctx, sides, article, checked=checked, timings=timings)
        issues += found
    if article is None or sides.source is None or _has_errors(issues):
        return _reject(stats, sides.publisher, issues)

    too_many = over_line_limit(article.text, ctx.config.max_article_lines)
    if too_many:
        issues.append(Issue(file=rel, record=article_id, rule="size-limit", message=too_many))
        return _reject(stats, sides.publisher, issues)
    result = _cleaned(ctx, article, article_id, sides, stats)

    ann = _annotation_of(article_id, sides, placed)
    with timings.timed("anchor"):
        spans = anchor_annotation(
            ann,
            result.text,
            result.edits,
            on_removed=ctx.config.on_removed_span,
            placed=placed,
            file=sides.annotation.file if sides.annotation else "",
            line=sides.annotation.line if sides.annotation else None,
            entity_columns=checked.get("/entities"),
            quote_columns=checked.get("/quotes"),
        )
    issues += in_export(spans.issues, sides.to_export)
    labels = ann.get("labels", {})
    text_form, form_issues = _text_form(ctx.config, labels, result, rel, article_id)
    issues += form_issues
    # A rejected annotation line has been reported where it is (as a rejected source
    # line is): "no annotation record" would contradict that error.
    if sides.annotation is None and staging.rejected_side("annotation", article_id) is None:
        issues.append(
            Issue(
                file=rel,
                record=article_id,
                rule="no-annotations",
                severity="warning",
                message="article has no annotation record",
            )
        )

    with timings.timed("build-row"):
        row = build_row(
            article,
            sides.source.record,
            result.text,
            result.edits,
            spans,
            genre=labels.get("genre"),
            text_form=text_form,
        )
    return Candidate(
        row, issues, rel, cross, sides.publisher, sides.source.record, spans, text_form, result.text
    )


def _look_up_sides(staging: Staging | BatchSides, article_id: str, timings: StageTimings) -> _Sides:
    with timings.timed("stage-lookup"):
        source = staging.side("source", article_id)
        # A source line that was rejected has been reported where it is: the article
        # goes with it, without a second error saying it has no source.
        bad_source = None if source else staging.rejected_side("source", article_id)
        # its spans as columns (staging.py: load_columns), checked and anchored so
        annotation = staging.side_columns("annotation", article_id)
    # an imported record's issues point into the export it came from (common.ImportedRecord)
    origin = annotation.record.pop(ORIGIN_KEY, None) if annotation is not None else None
    publisher = (
        source.record.get("publisher") if source else bad_source and bad_source[2]
    ) or UNKNOWN_PUBLISHER
    return _Sides(
        source,
        bad_source,
        annotation,
        partial(export_pointer, origin) if origin else None,
        publisher,
    )


def _checked_annotation(
    ctx: Context,
    sides: _Sides,
    article: RawArticle | None,
    *,
    checked: dict[str, CheckedColumns],
    timings: StageTimings,
) -> tuple[Placed | None, list[Issue]]:
    """The article's annotation checked against its raw text (``checked`` gets its span
    columns); a record made on another version of the text is re-anchored first, and
    its spans are checked where they now are. Returns the placing (None: not needed)
    and the issues."""
    ann = sides.annotation
    assert ann is not None
    issues: list[Issue] = []
    placed = None
    if article is not None and needs_reanchoring(ann.record, article.text, ctx.config.reanchor):
        with timings.timed("reanchor"):
            placed = place_annotation(
                plain_row(ann.record),
                article.text,
                on_orphan=ctx.config.on_orphan,
                file=ann.file,
                line=ann.line,
            )
        issues += in_export(placed.issues, sides.to_export)
    with timings.timed("check-annotation"):
        issues += in_export(
            check_annotation(
                placed.record if placed else ann.record,
                article.text if article else None,
                ctx.codec.label_sets,
                file=ann.file,
                line=ann.line,
                columns=checked,
            ),
            sides.to_export,
        )
    return placed, issues


def _cleaned(
    ctx: Context, article: RawArticle, article_id: str, sides: _Sides, stats: BuildStats
) -> CleanResult:
    from .clean.steps import DocumentContext  # imported by the cleaner (see batch_context)

    assert sides.source is not None
    doc = DocumentContext(
        article_id=article_id,
        publisher=sides.source.record.get("publisher"),
        headline=sides.source.record.get("headline"),
    )
    with stats.timings.timed("clean"):
        result = ctx.cleaner.clean(article.text, doc)
    stats.stages["cleaned"] += 1
    stats.rule_edits[sides.publisher].update(result.rule_counts)
    stats.rule_chars[sides.publisher].update(result.removed_chars)
    return result


def _annotation_of(article_id: str, sides: _Sides, placed: Placed | None) -> dict[str, Any]:
    """The annotation whose spans are anchored: as placed, as staged, or none."""
    if placed is not None:
        return placed.record
    if sides.annotation is not None:
        return sides.annotation.record
    return {"article_id": article_id, "entities": [], "quotes": [], "labels": {}}


def _text_form(
    config: DatasetConfig,
    labels: dict[str, Any],
    result: CleanResult,
    rel: str,
    article_id: str,
) -> tuple[str, list[Issue]]:
    """The row's text form: the annotated one, else the one the cleaner detected; a
    warning when the two disagree on a form the configuration labels."""
    detected = str(result.attributes.get("text_form", "cased"))
    annotated = labels.get("text_form")
    if not (annotated and annotated != detected and detected in config.text_form_labels):
        return annotated or detected, []
    warning = Issue(
        file=rel,
        record=article_id,
        rule="text-form",
        severity="warning",
        message=f"annotated text_form {annotated!r} but the text looks {detected!r}",
    )
    return annotated, [warning]


def accept(
    ctx: Context, article_id: str, c: Candidate, stats: BuildStats
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


def _schema_issues(
    store: SchemaStore, name: str, record: Any, where: dict[str, Any], *, cross_check: bool
) -> list[Issue]:
    return [
        Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message)
        for e in store.check(name, record, cross_check=cross_check)
    ]


def _group_key(config: DatasetConfig, article_id: str, source: dict[str, Any]) -> str:
    if config.group_by == "publisher" and source.get("publisher"):
        return f"publisher:{source['publisher']}"
    if config.group_by == "group" and source.get("group"):
        return f"group:{source['group']}"
    return f"id:{article_id}"
