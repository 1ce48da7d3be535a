"""Running the batches: made from the stream of kept ids, run inline, in the process
pool or on Ray, their results taken in batch order (statistics, split facts, issues,
rejects, privacy findings), with a few batches in flight so memory stays flat."""

from __future__ import annotations

import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from functools import partial
from pathlib import Path
from typing import Any

from .batch_context import row_schema_bytes
from .build_run import BuildRun, quarantined, store_path
from .engines import Engine, ray_map
from .pii import PrivacySummary
from .process import BatchResult, BatchSpec
from .processes import call_by_name, sigint_deferred
from .stats import UNKNOWN_PUBLISHER
from .validate.report import Issue

__all__ = ["LOCAL", "Progress", "process_articles", "report_privacy"]

Progress = Callable[[int, int], None]
LOCAL = Engine()

#: :func:`builder.batch_worker.run_batch`, named: a pooled build's parent submits it
#: without importing the worker's modules (the cleaner, the per-article stages: some
#: 0.3 CPU s before its first batch), which only the workers run. Inline and on Ray,
#: the function itself runs (imported then).
RUN_BATCH: Callable[[BatchSpec], tuple[BatchResult, PrivacySummary]] = partial(
    call_by_name, "builder.batch_worker", "run_batch"
)


def _parent_warm_up() -> None:
    """pyarrow's one-time set-up in the parent (its first array), while it waits."""
    import pyarrow as pa

    pa.array([0])


def _take_batch(run: BuildRun, result: BatchResult, privacy: PrivacySummary) -> None:
    run.stats.merge(result.stats)
    run.staging.add_facts(result.facts)
    if run.planner is not None:
        run.planner.add(result.facts)
    run.staging.add_digests(result.digests)
    run.privacy.merge(privacy)
    run.cleaning_steps = run.cleaning_steps or result.cleaning_steps
    if not run.quarantine:
        run.report.extend(result.issues)
        return
    rejected = {r["id"]: r for r in result.rejected}
    by_id: dict[str, list[Issue]] = {}
    for issue in result.issues:
        if issue.record in rejected:
            by_id.setdefault(issue.record, []).append(issue)
            issue = quarantined(issue)
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
    run: BuildRun, ids: Iterable[str], rows_dir: Path, row_schema: bytes | None = None
) -> Iterator[BatchSpec]:
    """The batches, made as they are needed from a stream of ids (no list of them).
    ``row_schema``: see :attr:`BatchSpec.row_schema` (for batches run in other processes)."""
    size = run.config.batch_size
    folder = str(run.config.articles_dir)
    stream = iter(ids)
    start = 0
    store = str(store_path(run)) if run.config.reads_shards else None
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
    pool: Executor,
    specs: Iterator[BatchSpec],
    workers: int,
    once_busy: Callable[[], None] | None = None,
) -> Iterator[tuple[BatchResult, PrivacySummary]]:
    """Results in batch order, with a few batches in flight (memory stays flat).
    ``once_busy``: called once every worker has a batch (or every batch is out)."""
    pending: deque[Any] = deque()
    for n, spec in enumerate(specs):
        if n < workers:
            with sigint_deferred():  # this submit starts a worker: it inherits SIGINT blocked
                pending.append(pool.submit(RUN_BATCH, spec))
        else:
            pending.append(pool.submit(RUN_BATCH, spec))
        if n + 1 == workers and once_busy is not None:
            once_busy()
            once_busy = None
        if len(pending) > 2 * workers:
            yield pending.popleft().result()
    if once_busy is not None:
        once_busy()
    while pending:
        yield pending.popleft().result()


def process_articles(
    run: BuildRun,
    ids: Iterable[str],
    total: int,
    work: Path,
    *,
    workers: int,
    progress: Progress | None,
    engine: Engine = LOCAL,
    while_pooled: Callable[[], None] | None = None,
) -> list[Path]:
    """Run the batches over ``ids`` (``total`` of them, streamed in sorted order).
    ``while_pooled``: called once, when the process pool's workers have their first
    batches (the parent is then idle until results come back)."""
    rows_dir = work / "rows"
    rows_dir.mkdir()
    batches = -(-total // run.config.batch_size)
    done = 0
    pool = run.pool.for_batches(batches)
    elsewhere = pool is not None or engine.name == "ray"
    row_schema = row_schema_bytes(run.config, run.store) if elsewhere else None
    specs = _batch_specs(run, ids, rows_dir, row_schema)

    def parent_work() -> None:
        # The parent's own one-time pyarrow set-up (its pandas import, ~0.3 CPU s; the
        # parent no longer imports `datasets`, which made it), while it waits for the
        # workers rather than in the Parquet writing after them. Started once the
        # workers have their first batches: these threads hold the GIL for most of a
        # CPU second, which delayed the first submits by 0.3-0.6 s (measured with
        # bench/build_timeline.py) while the workers idled.
        threading.Thread(target=_parent_warm_up, name="parent-warm-up", daemon=True).start()
        if while_pooled is not None:
            while_pooled()

    if engine.name == "ray" or pool is None:
        from .batch_worker import run_batch

        results = (
            ray_map(run_batch, specs, engine=engine, workers=workers)
            if engine.name == "ray"
            else map(run_batch, specs)
        )
    else:
        results = _pooled(pool, specs, workers, once_busy=parent_work)
    for result, privacy in results:
        with run.stats.timings.timed("collect-batches", len(result.facts), where="parent"):
            _take_batch(run, result, privacy)
        done += result.stats.stages["read"]
        if progress:
            progress(done, total)
    run.staging.commit()
    return [rows_dir / f"batch-{i:06d}.arrow" for i in range(batches)]


def report_privacy(run: BuildRun) -> None:
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
