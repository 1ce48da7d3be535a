"""The build: ingest, clean, anchor, validate, split, write, card, manifest.

:func:`build` writes a complete dataset folder or nothing: all work happens in
a temporary folder beside the output, which replaces the output by rename only
when everything succeeded, so a previous good build is never half-overwritten.
An interrupted build (Ctrl-C, SIGTERM, or a kill) leaves only its hidden
temporary folder, which the next build removes; the swap itself holds signals
until it is done, and a swap cut short by a kill is rolled back by the next build.
:func:`validate` runs the same stages up to the split and writes nothing.

Every record read is accounted for: articles read = published + rejected, per
source and in total; side-record lines read = used + rejected, per file. In the
default strict mode any rejection fails the build. In quarantine mode
(``quarantine.enabled`` or ``builder build --quarantine``) rejected records go
to ``rejects.jsonl`` in the output with their reasons, and the build goes on;
configuration errors, missing input files and an empty result still fail it.
A side-record line that cannot be used (malformed JSON, schema errors, a
duplicate, an unknown article) is listed in ``rejects.jsonl`` itself; the
article it names, when it names one, is rejected as well (an article must not
be published without its source, or with annotations silently missing).

Example:
    >>> from pathlib import Path
    >>> result = validate(Path("seeds"))   # doctest: +SKIP
    >>> result.ok                          # doctest: +SKIP
    True
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import jinja2

from .annotations import read_annotations
from .article_store import ArticleStore
from .batch_worker import ignore_sigint, run_batch, warm_up
from .build_folder import REJECTS_NAME, write_data, write_metadata
from .card import CardError, template_path
from .config import DatasetConfig, load_config
from .engines import Engine, ray_map
from .errors import DataError
from .ingest import ignored_entries, iter_article_ids, read_jsonl
from .output import (
    check_out_dir,
    disk_full_located,
    in_main_thread,
    replace_dir,
    signals_held,
    terminate_as_interrupt,
    workspace,
)
from .pii import PrivacySummary
from .process import BatchResult, BatchSpec, Context, row_schema_bytes
from .publisher_lines import count_publisher_lines
from .shard_readers import iter_shard
from .splits import SplitPlan, plan_splits
from .staging import SideRecord, Staging
from .stats import UNKNOWN_PUBLISHER, BuildStats
from .validate.checks import check_source_dates
from .validate.report import Issue, ValidationReport
from .validate.schemas import SchemaStore

__all__ = ["BuildResult", "build", "validate"]

Progress = Callable[[int, int], None]
LOCAL = Engine()


@dataclass
class BuildResult:
    """What a build or validation found and produced."""

    config: DatasetConfig | None
    report: ValidationReport
    stats: BuildStats = field(default_factory=BuildStats)
    plan: SplitPlan | None = None
    out: Path | None = None
    manifest: dict[str, Any] | None = None
    quarantine: bool = False
    #: side-record file -> {"read", "accepted", "rejected"} line counts
    side_lines: dict[str, Counter[str]] = field(default_factory=dict)
    privacy: PrivacySummary | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok

    def accounting(self) -> dict[str, Any]:
        """Every record read and what became of it: read = published + rejected."""
        stages = self.stats.stages
        return {
            "mode": "quarantine" if self.quarantine else "strict",
            "articles": {
                "read": stages["read"],
                "published": stages["accepted"],
                "rejected": stages["rejected"],
                "per_source": {
                    pub: {
                        "read": c["read"],
                        "published": c["accepted"],
                        "rejected": c["rejected"],
                    }
                    for pub, c in sorted(self.stats.per_source.items())
                },
            },
            "side_records": {
                name: {k: c[k] for k in ("read", "accepted", "rejected")}
                for name, c in sorted(self.side_lines.items())
            },
        }

    def privacy_entry(self) -> dict[str, Any]:
        """What ``manifest.json`` says under ``privacy`` (the publish step reads it)."""
        config = self.config
        summary = self.privacy or PrivacySummary()
        scan = bool(config and config.privacy_scan)
        block = bool(config and config.block_publish_on_findings)
        return {
            "scan": scan,
            "kinds": list(config.privacy_kinds) if scan and config else [],
            **summary.to_dict(),
            "block_publish_on_findings": block,
            "publish_blocked": block and summary.total > 0,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "out": str(self.out) if self.out else None,
            "counts": dict(self.stats.stages),
            "accounting": self.accounting(),
            "privacy": self.privacy_entry(),
            "splits": self.manifest["splits"] if self.manifest else None,
            "report": self.report.to_dict(),
        }


# -- quarantine --------------------------------------------------------------------------
class _Rejects:
    """``rejects.jsonl``, streamed to the workspace as records are rejected (flat memory)."""

    def __init__(self, path: Path, *, enabled: bool) -> None:
        self.path = path
        self.enabled = enabled
        self.count = 0
        self._handle = path.open("w", encoding="utf-8") if enabled else None

    def add(self, entry: dict[str, Any], issues: Iterable[Issue]) -> None:
        self.count += 1
        if self._handle is not None:
            reasons = [asdict(i) for i in issues if i.severity == "error"]
            self._handle.write(json.dumps({**entry, "reasons": reasons}, ensure_ascii=False))
            self._handle.write("\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _quarantined(issue: Issue) -> Issue:
    """An error that rejected its record instead of the build: kept, as a warning."""
    if issue.severity != "error":
        return issue
    return replace(issue, severity="warning", message=f"quarantined: {issue.message}")


@dataclass
class _Run:
    """State of one build or validation while inputs are staged and batches run."""

    config: DatasetConfig
    store: SchemaStore
    report: ValidationReport
    staging: Staging
    rejects: _Rejects
    quarantine: bool
    stats: BuildStats = field(default_factory=BuildStats)
    side_lines: dict[str, Counter[str]] = field(default_factory=dict)
    #: article id -> why it is rejected before it is read (quarantine only)
    tainted: dict[str, list[Issue]] = field(default_factory=dict)
    privacy: PrivacySummary = field(default_factory=PrivacySummary)
    pool: _LazyPool = field(default_factory=lambda: _LazyPool(1))

    def reject_line(
        self, kind: str, file: str, line: int | None, article_id: str | None, issues: list[Issue]
    ) -> None:
        """A side-record line that cannot be used."""
        self.side_lines.setdefault(file, Counter())["rejected"] += 1
        if not self.quarantine:
            self.report.extend(issues)
            return
        self.report.extend(_quarantined(i) for i in issues)
        self.rejects.add(
            {"kind": f"{kind}-line", "file": file, "line": line, "id": article_id}, issues
        )
        if article_id is not None:
            rules = sorted({i.rule for i in issues if i.severity == "error"})
            self.tainted.setdefault(article_id, []).append(
                Issue(
                    file=file,
                    line=line,
                    record=article_id,
                    rule=f"rejected-{kind}",
                    message=f"its {kind} record at {file}:{line} was rejected ({', '.join(rules)})",
                )
            )


# -- staging side records --------------------------------------------------------------
def _record_id(record: dict[str, Any] | None, issues: list[Issue]) -> str | None:
    value = record.get("article_id") if isinstance(record, dict) else None
    if isinstance(value, str):
        return value
    return next((i.record for i in issues if i.record), None)


def _stage_side(
    run: _Run,
    *,
    kind: str,
    schema: str,
    records: Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]],
    file: str,
) -> None:
    counts = run.side_lines.setdefault(file, Counter())
    for line, record, read_issues in records:
        counts["read"] += 1
        if counts["read"] > run.config.batch_size:
            run.pool.start()  # more than a batch: the workers may start meanwhile
        issues = list(read_issues)
        if record is not None:
            rid = record.get("article_id")
            where = {"file": file, "line": line, "record": None if rid is None else str(rid)}
            issues += [
                Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message)
                for e in run.store.check(schema, record)
            ]
            if schema == "source":
                issues += [
                    Issue(**where, pointer=pointer, rule="date-window", message=message)
                    for pointer, message in check_source_dates(record)
                ]
        article_id = _record_id(record, issues)
        errors = [i for i in issues if i.severity == "error"]
        if not errors and record is not None and article_id is not None:
            earlier = run.staging.add_side(kind, SideRecord(article_id, file, line, record))
            if earlier is None:
                counts["accepted"] += 1
                run.report.extend(issues)
                continue
            issues.append(
                Issue(
                    file=file,
                    line=line,
                    record=article_id,
                    rule="unique-id",
                    message=f"a second {kind} record for {article_id!r} (the first is at {earlier.file}:{earlier.line})",
                )
            )
        if article_id is not None:
            publisher = record.get("publisher") if isinstance(record, dict) else None
            run.staging.add_rejected_side(
                kind, article_id, file, line, publisher if isinstance(publisher, str) else None
            )
        run.reject_line(kind, file, line, article_id, issues)


def _stage_articles(run: _Run) -> int:
    """Stage the ids of the articles folder; returns how many there are.

    The listing streams into the staging database, which sorts it and finds
    case collisions, so no list of every id is held (a million: about 60 MB,
    and more while it was sorted and folded).
    """
    config = run.config
    folder = config.articles_dir.name
    run.staging.add_article_ids(iter_article_ids(config.articles_dir))
    anns = config.annotation_inputs
    for name in ignored_entries(
        config.articles_dir,
        inputs=[config.sources_path, *(a.path for a in anns)],
        brat_folders=[a.path for a in anns if a.format == "brat"],
    ):
        run.report.add(
            Issue(
                file=f"{folder}/{name}",
                rule="ignored-file",
                severity="warning",
                message="not read: articles are the *.txt files (not hidden) in the articles folder",
            )
        )
    return _check_case_collisions(run)


def _check_case_collisions(run: _Run) -> int:
    """Ids equal but for case are one file on some systems: an error. The article count."""
    groups = list(run.staging.case_collisions())
    places = _article_places(run, itertools.chain.from_iterable(groups))
    for group in groups:
        for article_id in group:
            issue = Issue(
                **places[article_id],
                record=article_id,
                rule="unique-id",
                message=f"ids {group} differ only in letter case: one file on case-insensitive file systems",
            )
            if run.quarantine:
                run.tainted.setdefault(article_id, []).append(issue)
            else:
                run.report.add(issue)
    return run.staging.article_count()


def _article_places(run: _Run, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Where each article came from: ``{"file": "<id>.txt"}``, or its shard and line
    (JSON Lines), row (Parquet) or record (WARC)."""
    if not run.config.reads_shards:
        return {i: {"file": f"{i}.txt"} for i in ids}
    store = ArticleStore(_store_path(run), readonly=True)
    try:
        places = {i: store.place(i) for i in ids}
    finally:
        store.close()
    # Every staged id of a shard build is in the store.
    return {
        i: {"file": p[0], "line": p[1]} if p else {"file": f"{i}.txt"} for i, p in places.items()
    }


def _reject_article_line(
    run: _Run, file: str, line: int | None, article_id: str | None, issues: list[Issue]
) -> None:
    """A shard record that is unusable as it stands (no id, a second copy of an id, a
    broken source column): an error, or in quarantine a reject (and its article with it)."""
    if not run.quarantine:
        run.report.extend(issues)
        return
    run.report.extend(_quarantined(i) for i in issues)
    run.rejects.add({"kind": "article-line", "file": file, "line": line, "id": article_id}, issues)
    if article_id is not None:
        rules = sorted({i.rule for i in issues if i.severity == "error"})
        run.tainted.setdefault(article_id, []).append(
            Issue(
                file=file,
                line=line,
                record=article_id,
                rule="rejected-article-line",
                message=f"its record at {file}:{line} was rejected ({', '.join(rules)})",
            )
        )


def _stage_shard_records(run: _Run, store: ArticleStore) -> Iterator[str]:
    """Read every shard once: texts into the store, source records into staging; the ids."""
    spec = run.config.article_input
    assert spec is not None
    shards, unmatched = spec.shards()
    for pattern in unmatched:
        run.report.add(
            Issue(
                file=pattern,
                rule="missing-file",
                message=f"no article shard matches {pattern!r} (inputs.articles)",
            )
        )
    for path in shards:
        file = spec.rel(path)
        for rec in iter_shard(spec, path, max_line_bytes=run.config.max_record_bytes):
            if rec.article_id is None:
                if any(i.severity == "error" for i in rec.issues):
                    _reject_article_line(run, file, rec.line, None, rec.issues)
                else:
                    run.report.extend(rec.issues)
                continue
            earlier = store.add(file, rec)
            if earlier is not None:
                issue = Issue(
                    file=file,
                    line=rec.line,
                    record=rec.article_id,
                    rule="unique-id",
                    message=f"a second article {rec.article_id!r} (the first is at {earlier[0]}:{earlier[1]})",
                )
                _reject_article_line(run, file, rec.line, rec.article_id, [*rec.issues, issue])
                continue
            if any(i.severity == "error" for i in rec.issues):
                _reject_article_line(run, file, rec.line, rec.article_id, rec.issues)
            else:
                run.report.extend(rec.issues)
            if rec.source is not None:
                _stage_side(
                    run,
                    kind="source",
                    schema="source",
                    records=iter([(rec.line, rec.source, [])]),
                    file=file,
                )
            yield rec.article_id


def _stage_shards(run: _Run) -> None:
    store = ArticleStore(_store_path(run))
    try:
        run.staging.add_article_ids(_stage_shard_records(run, store))
        store.commit()
    finally:
        store.close()


def _store_path(run: _Run) -> Path:
    """The shard store: raw texts read from shards, beside the staging database."""
    return run.staging.path.with_name("articles.sqlite")


def _stage_inputs(run: _Run) -> int:
    """Stage side records and article ids; returns the number of articles."""
    config, report = run.config, run.report
    sources_in_shards = (
        config.reads_shards
        and config.article_input is not None
        and config.article_input.carries_sources
        and "sources" not in config.raw.get("inputs", {})
    )
    if sources_in_shards:
        pass  # the article shards carry them
    elif config.sources_path.is_file():
        _stage_side(
            run,
            kind="source",
            schema="source",
            records=read_jsonl(config.sources_path, max_line_bytes=config.max_record_bytes),
            file=config.sources_path.name,
        )
    else:
        report.add(
            Issue(
                file=config.sources_path.name,
                rule="missing-file",
                message=f"sources file {config.sources_path} does not exist",
            )
        )
    for ann in config.annotation_inputs:
        if not (ann.path.exists() if ann.format == "brat" else ann.path.is_file()):
            report.add(
                Issue(
                    file=ann.path.name,
                    rule="missing-file",
                    message=f"annotation file {ann.path} does not exist",
                )
            )
            continue
        _stage_side(
            run,
            kind="annotation",
            schema="annotation",
            records=read_annotations(ann.path, ann.format, options=ann.options),
            file=ann.path.name,
        )
    if config.reads_shards:
        _stage_shards(run)
        articles = _check_case_collisions(run)
    elif not config.articles_dir.is_dir():
        report.add(
            Issue(
                file=str(config.articles_dir.name),
                rule="missing-file",
                message=f"articles folder {config.articles_dir} does not exist",
            )
        )
        return 0
    else:
        articles = _stage_articles(run)
    for kind in ("source", "annotation"):
        for article_id, file, line in run.staging.side_without_article(kind):
            counts = run.side_lines.setdefault(file, Counter())
            counts["accepted"] -= 1
            run.reject_line(
                kind,
                file,
                line,
                None,  # no such article: nothing else to reject
                [
                    Issue(
                        file=file,
                        line=line,
                        record=article_id,
                        rule="unknown-article",
                        message=f"{kind} record for {article_id!r}, but there is no article {article_id}.txt",
                    )
                ],
            )
    run.staging.commit()
    return articles


# -- batches ---------------------------------------------------------------------------------
@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started meanwhile ignore Ctrl-C from their first instruction (an
    ignored signal stays ignored across exec); a terminal's Ctrl-C reaches the
    whole process group, and only the parent must act on it."""
    if not in_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _LazyPool:
    """The process pool, started when the inputs first show more than one batch of
    records: its workers start (and import) while the parent still stages inputs."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.executor is not None or self.workers <= 1:
            return
        with _sigint_ignored():  # these submits start the workers: they inherit the ignoring
            self.executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=get_context("spawn"), initializer=ignore_sigint
            )
            for _ in range(self.workers):
                self.executor.submit(warm_up)

    def for_batches(self, batches: int) -> Executor | None:
        """The pool for ``batches`` batches, or ``None`` to run them inline."""
        if batches <= 1:
            return None
        self.start()
        return self.executor


@contextmanager
def _executor(workers: int) -> Iterator[_LazyPool]:
    """A pool started on demand. On any exit by exception the queued batches are
    cancelled, so an interrupt does not wait for the corpus."""
    pool = _LazyPool(workers)
    try:
        yield pool
    except BaseException:
        if pool.executor is not None:
            pool.executor.shutdown(wait=True, cancel_futures=True)
        raise
    if pool.executor is not None:
        pool.executor.shutdown(wait=True)


def _reject_tainted(run: _Run, articles: int) -> int:
    """Quarantine: articles whose side records were rejected are rejected unread.

    Returns how many articles are left; :func:`_kept_ids` lists them.
    """
    if not run.tainted:
        return articles
    places = _article_places(run, run.tainted)
    for article_id in run.staging.article_ids():
        why = run.tainted.get(article_id)
        if why is None:
            continue
        articles -= 1
        source = run.staging.side("source", article_id)
        publisher = (source.record.get("publisher") if source else None) or UNKNOWN_PUBLISHER
        for stage in ("read", "rejected"):
            run.stats.stages[stage] += 1
            run.stats.per_source[publisher][stage] += 1
        run.report.extend(_quarantined(i) for i in why)
        run.rejects.add(
            {
                "kind": "article",
                "id": article_id,
                **places[article_id],
                "publisher": publisher,
            },
            why,
        )
    return articles


def _kept_ids(run: _Run) -> Iterator[str]:
    """The staged ids in sorted order, bar those :func:`_reject_tainted` rejected."""
    return (i for i in run.staging.article_ids() if i not in run.tainted)


def _take_batch(run: _Run, result: BatchResult, privacy: PrivacySummary) -> None:
    run.stats.merge(result.stats)
    run.staging.add_facts(result.facts)
    run.privacy.merge(privacy)
    if not run.quarantine:
        run.report.extend(result.issues)
        return
    rejected = {r["id"]: r for r in result.rejected}
    by_id: dict[str, list[Issue]] = {}
    for issue in result.issues:
        if issue.record in rejected:
            by_id.setdefault(issue.record, []).append(issue)
            issue = _quarantined(issue)
        run.report.add(issue)
    for article_id, entry in rejected.items():
        source = run.staging.side("source", article_id)
        publisher = (source.record.get("publisher") if source else None) or UNKNOWN_PUBLISHER
        run.rejects.add(
            {
                "kind": "article",
                "id": article_id,
                "file": Path(entry["path"]).name,
                "publisher": publisher,
            },
            by_id.get(article_id, []),
        )


def _batch_specs(
    run: _Run, ids: Iterable[str], rows_dir: Path, row_schema: bytes | None = None
) -> Iterator[BatchSpec]:
    """The batches, made as they are needed from a stream of ids (no list of them).
    ``row_schema``: see :attr:`BatchSpec.row_schema` (for batches run in other processes)."""
    size = run.config.batch_size
    folder = str(run.config.articles_dir)
    stream = iter(ids)
    start = 0
    store = str(_store_path(run)) if run.config.reads_shards else None
    for i in itertools.count():
        # Plain strings: a Path per article would grow the interpreter's table
        # of interned path parts by one entry per article.
        items = [(a, os.path.join(folder, f"{a}.txt")) for a in itertools.islice(stream, size)]
        if not items:
            return
        yield BatchSpec(
            index=i,
            items=items,
            config_path=str(run.config.path),
            staging_path=str(run.staging.path),
            rows_path=str(rows_dir / f"batch-{i:06d}.arrow"),
            first_ordinal=start,
            article_store=store,
            row_schema=row_schema,
        )
        start += len(items)


def _pooled(
    pool: Executor, specs: Iterator[BatchSpec], workers: int
) -> Iterator[tuple[BatchResult, PrivacySummary]]:
    """Results in batch order, with a few batches in flight (memory stays flat)."""
    pending: deque[Any] = deque()
    for n, spec in enumerate(specs):
        if n < workers:
            with _sigint_ignored():  # this submit starts a worker: it inherits the ignoring
                pending.append(pool.submit(run_batch, spec))
        else:
            pending.append(pool.submit(run_batch, spec))
        if len(pending) > 2 * workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _process_articles(
    run: _Run,
    ids: Iterable[str],
    total: int,
    work: Path,
    *,
    workers: int,
    progress: Progress | None,
    engine: Engine = LOCAL,
) -> list[Path]:
    """Run the batches over ``ids`` (``total`` of them, streamed in sorted order)."""
    rows_dir = work / "rows"
    rows_dir.mkdir()
    batches = -(-total // run.config.batch_size)
    done = 0
    pool = run.pool.for_batches(batches)
    elsewhere = pool is not None or engine.name == "ray"
    row_schema = row_schema_bytes(run.config, run.store) if elsewhere else None
    specs = _batch_specs(run, ids, rows_dir, row_schema)
    if engine.name == "ray":
        results = ray_map(run_batch, specs, engine=engine, workers=workers)
    else:
        results = map(run_batch, specs) if pool is None else _pooled(pool, specs, workers)
    for result, privacy in results:
        with run.stats.timings.timed("collect-batches", len(result.facts), where="parent"):
            _take_batch(run, result, privacy)
        done += result.stats.stages["read"]
        if progress:
            progress(done, total)
    run.staging.commit()
    return [rows_dir / f"batch-{i:06d}.arrow" for i in range(batches)]


def _report_privacy(run: _Run) -> None:
    for article_id, finding in run.privacy.examples:
        run.report.add(
            Issue(
                file=f"{article_id}.txt",
                record=article_id,
                pointer="/text",
                rule=f"privacy.{finding.kind}",
                severity="warning",
                message=(
                    f"{finding.kind.replace('_', ' ')} {finding.masked} at [{finding.start}, "
                    f"{finding.end}) of the clean text"
                ),
            )
        )
    if run.config.block_publish_on_findings and run.privacy.total:
        run.report.add(
            Issue(
                file=run.config.path.name,
                pointer="/privacy/block_publish_on_findings",
                rule="privacy",
                severity="warning",
                message=f"{run.privacy.total} personal-data finding(s): this build will not be published",
            )
        )


def _check_totals(run: _Run) -> None:
    """Errors no quarantine can absorb: too many rejects, or nothing left to publish."""
    stages = run.stats.stages
    read, rejected = stages["read"], stages["rejected"]
    config = run.config
    if run.quarantine and read and rejected / read > config.max_rejected_fraction:
        run.report.add(
            Issue(
                file=config.path.name,
                pointer="/quarantine/max_rejected_fraction",
                rule="quarantine-limit",
                message=f"{rejected} of {read} articles rejected, over the allowed {config.max_rejected_fraction:.0%}",
            )
        )
    if not stages["accepted"] and run.report.ok:
        run.report.add(
            Issue(
                file=config.articles_dir.name,
                rule="empty-dataset",
                message=f"no article to publish ({read} read, {rejected} rejected)",
            )
        )


def _check_card_template() -> None:
    """Parse the card template before hours of work, not after them."""
    path = template_path()
    try:
        jinja2.Environment().parse(path.read_text(encoding="utf-8"), filename=str(path))
    except jinja2.TemplateSyntaxError as exc:
        raise CardError(f"{path}:{exc.lineno}: template syntax error: {exc.message}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CardError(f"{path}: cannot read the card template: {exc}") from None


# -- the two commands -------------------------------------------------------------------
def _analyse(
    config: DatasetConfig,
    work: Path,
    *,
    workers: int,
    progress: Progress | None,
    quarantine: bool,
    engine: Engine = LOCAL,
) -> tuple[BuildResult, Staging, list[Path]]:
    """Everything up to the split plan; shared by build and validate."""
    Context.load.cache_clear()  # the configuration file may have changed since the last run
    store = SchemaStore.default()
    report = ValidationReport()
    staging = Staging(work / "staging.sqlite")
    run = _Run(
        config=config,
        store=store,
        report=report,
        staging=staging,
        rejects=_Rejects(work / REJECTS_NAME, enabled=quarantine),
        quarantine=quarantine,
    )
    timed = run.stats.timings.timed
    try:
        with _executor(workers if engine.name == "local" else 1) as pool:
            run.pool = pool
            with timed("stage-inputs", where="parent"):
                kept = _reject_tainted(run, _stage_inputs(run))
            if config.publisher_repetition:
                with timed("publisher-lines", kept, where="parent"):
                    count_publisher_lines(
                        staging,
                        config,
                        _kept_ids(run),
                        store_path=str(_store_path(run)) if config.reads_shards else None,
                    )
            rows_files = _process_articles(
                run, _kept_ids(run), kept, work, workers=workers, progress=progress, engine=engine
            )
    finally:
        run.rejects.close()
    _report_privacy(run)
    _check_totals(run)
    result = BuildResult(
        config=config,
        report=report,
        stats=run.stats,
        quarantine=quarantine,
        side_lines=run.side_lines,
        privacy=run.privacy,
    )
    with timed("split-plan", run.stats.stages["accepted"], where="parent"):
        plan = _plan(config, staging)
    result.plan = plan
    _report_plan(config, report, plan)
    staging.assign_splits(plan.split_of)
    written = {split for split, (rows, _) in staging.split_sizes().items() if split and rows}
    empty = sorted(set(config.split_ratios) - written)
    if empty and written:
        report.add(
            Issue(
                file=config.path.name,
                pointer="/splits",
                rule="empty-split",
                severity="warning",
                message=f"split(s) {empty} received no articles and are not written",
            )
        )
    staging.commit()
    return result, staging, rows_files


def _plan(config: DatasetConfig, staging: Staging) -> SplitPlan:
    return plan_splits(
        staging.iter_facts(),
        ratios=config.split_ratios,
        salt=config.split_salt,
        assignment=config.split_assignment,
        near_duplicate_threshold=config.near_duplicate_threshold
        if config.near_duplicates
        else None,
    )


def _report_plan(config: DatasetConfig, report: ValidationReport, plan: SplitPlan) -> None:
    for conflict in plan.conflicts:
        report.add(
            Issue(
                file=config.path.name,
                pointer="/splits/assignment",
                rule="split-conflict",
                message=conflict,
            )
        )
    for dups in plan.exact_duplicates:
        report.add(
            Issue(
                file=config.articles_dir.name,
                record=dups[0],
                rule="exact-duplicate",
                severity="warning",
                message=f"identical normalized text in {dups}; kept in one split",
            )
        )
    for pair in plan.near_duplicates:
        report.add(
            Issue(
                file=config.articles_dir.name,
                record=pair[0],
                rule="near-duplicate",
                severity="warning",
                message=f"near-identical texts {pair}; kept in one split",
            )
        )


def validate(
    input_dir: Path,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    engine: Engine = LOCAL,
) -> BuildResult:
    """Check every input record and every row a build would publish; write nothing.

    Always strict: it lists every record a quarantine build would reject, as errors.
    """
    config = load_config(Path(input_dir))
    with (
        tempfile.TemporaryDirectory(prefix="builder-validate-") as tmp,
        disk_full_located(Path(tmp)),
    ):
        result, staging, _ = _analyse(
            config, Path(tmp), workers=workers, progress=progress, quarantine=False, engine=engine
        )
        staging.close()
    return result


def build(
    input_dir: Path,
    out_dir: Path,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    quarantine: bool | None = None,
    engine: Engine = LOCAL,
    profile: bool = False,
) -> BuildResult:
    """Build the dataset folder ``out_dir`` from the inputs in ``input_dir``.

    Raises :class:`~builder.errors.DataError` (with the full report) when any
    input is invalid; ``out_dir`` is then left exactly as it was. ``quarantine``
    overrides the configuration's ``quarantine.enabled``. ``engine``: where the
    batches run (:mod:`builder.engines`); the output is the same on every engine. Stage timings are
    always in ``result.stats.timings``; ``profile`` also writes them into
    ``build_report.json`` (under ``timings``), which then differs between
    rebuilds: without it the report, like every output, is byte-identical.
    """
    out_dir = Path(out_dir).resolve()
    config = load_config(Path(input_dir))
    check_out_dir(out_dir, config)
    _check_card_template()
    mode = config.quarantine if quarantine is None else quarantine
    with (
        terminate_as_interrupt(),
        workspace(out_dir.parent, out_dir.name) as work,
        disk_full_located(work),
    ):
        result, staging, rows_files = _analyse(
            config, work, workers=workers, progress=progress, quarantine=mode, engine=engine
        )
        if not result.ok:
            staging.close()
            raise DataError(
                f"{len(result.report.errors)} error(s) in the input; nothing was written",
                result.report,
            )
        assert result.plan is not None
        final = work / "dataset"
        final.mkdir()
        ctx = Context.load(str(config.path), str(staging.path))
        timed = result.stats.timings.timed
        with timed("write-parquet", result.stats.stages["accepted"], where="parent"):
            write_data(ctx, staging, rows_files, final)
        result.stats.stages["written"] = sum(1 for _ in staging.iter_splits())
        if mode:
            os.replace(work / REJECTS_NAME, final / REJECTS_NAME)
        with timed("card-and-manifest", where="parent"):
            result.manifest = write_metadata(ctx, result, staging, final, profile=profile)
        staging.close()
        with signals_held():
            replace_dir(final, out_dir)
    result.out = out_dir
    return result
