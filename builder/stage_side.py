"""Staging one side-record file (sources or annotations): each line read, checked
against its schema and stored, or rejected, and accounted for (read = accepted +
rejected). A large plain JSON Lines file is read and checked by the pool's workers,
a piece each; any other here, the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .annotations.common import ORIGIN_KEY, ImportedRecord, in_export
from .build_run import BuildRun
from .processes import POOLED_SIDE_BYTES
from .side_chunks import (
    PIECE_BYTES,
    CheckedLine,
    PickledRecord,
    checked_in_pool,
    checked_lines,
    is_plain,
    side_issues,
)
from .staging import SideRecord
from .validate.report import Issue

__all__ = ["stage_side", "stage_side_file"]


def _piece_bytes(size: int, workers: int) -> int:
    """Pieces of at most :data:`PIECE_BYTES`, at least two per worker (a smaller
    file is still shared out), and not under a quarter of :data:`POOLED_SIDE_BYTES`."""
    return max(POOLED_SIDE_BYTES // 4, min(PIECE_BYTES, -(-size // (2 * workers))))


def _record_id(record: dict[str, Any] | None, issues: list[Issue]) -> str | None:
    value = record.get("article_id") if isinstance(record, dict) else None
    if isinstance(value, str):
        return value
    return next((i.record for i in issues if i.record), None)


def stage_side(
    run: BuildRun,
    *,
    kind: str,
    records: Iterator[CheckedLine],
    file: str,
    checked: bool = False,
) -> None:
    """Stage the side records of one file (``kind``: ``source`` or ``annotation``, also
    the name of their schema). ``checked``: ``records`` carry their schema issues
    already (:func:`builder.side_chunks.checked_in_pool`), and a record without error
    may come pickled (:class:`builder.side_chunks.PickledRecord`), to be stored as it is."""
    counts = run.side_lines.setdefault(file, Counter())
    for line, got, read_issues in records:
        counts["read"] += 1
        if counts["read"] > run.config.batch_size:
            run.pool.start()  # more than a batch: the workers may start meanwhile
        issues = list(read_issues)
        record: dict[str, Any] | None
        if isinstance(got, PickledRecord):  # no error, a string id: stored
            article_id, record = got.article_id, None
            earlier = run.staging.add_side_dumped(kind, article_id, file, line, got.blob, got.card)
            stored = True
        else:
            record = got
            if record is not None and not checked:
                issues += in_export(
                    side_issues(run.store, kind, file, line, record),
                    record.file_pointer if isinstance(record, ImportedRecord) else None,
                )
            article_id = _record_id(record, issues)
            stored, earlier = False, None
            if (
                record is not None
                and article_id is not None
                and all(i.severity != "error" for i in issues)
            ):
                stored = True
                staged = record
                if isinstance(record, ImportedRecord):
                    staged = dict(record)  # stored as the plain record it is
                    # an imported annotation keeps where its values are in the export, for
                    # the worker's issues (a span's text, an orphan) to point there too
                    if kind == "annotation" and getattr(record, "origin", None):
                        staged[ORIGIN_KEY] = record.origin
                earlier = run.staging.add_side(kind, SideRecord(article_id, file, line, staged))
        if stored:
            if earlier is None:
                counts["accepted"] += 1
                run.report.extend(issues)
                continue
            if isinstance(got, PickledRecord):
                record = got.load()  # a duplicate (rare): its publisher is wanted below
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


def stage_side_file(
    run: BuildRun,
    *,
    kind: str,
    file: str,
    path: Path | None,
    max_line_bytes: int,
    read: Callable[[], Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]]],
) -> None:
    """Stage one side-record file (``file``, its name in issues): read and checked by
    the pool's workers when it is a plain JSON Lines file (``path``) of more than
    :data:`POOLED_SIDE_BYTES` and there is a pool of several, else here by ``read``.
    The staging, accounting and issues are the same."""
    pool = run.pool
    plain = path is not None and is_plain(path)
    size = path.stat().st_size if path is not None and pool.workers > 1 else 0
    if path is not None and plain and size > POOLED_SIDE_BYTES:
        pool.start()
        assert pool.executor is not None
        records = checked_in_pool(
            pool.executor,
            pool.workers,
            path,
            schema=kind,
            name=file,
            max_line_bytes=max_line_bytes,
            timings=run.stats.timings,
            piece_bytes=_piece_bytes(size, pool.workers),
            pickled=True,
            ready=pool.ready,
        )
        stage_side(run, kind=kind, records=records, file=file, checked=True)
    elif path is not None and plain:  # read here, by the code the workers run
        with path.open("rb") as handle:
            records = checked_lines(handle, kind, file, max_line_bytes, stored=True)
            stage_side(run, kind=kind, records=records, file=file, checked=True)
    else:
        stage_side(run, kind=kind, records=read(), file=file)
    counts = run.side_lines.get(file, Counter())
    if counts["rejected"] and not counts["accepted"]:
        # Not one record read (not JSON, another tool's export, an archive that cannot
        # be opened): its errors say so; every article would only add its own.
        run.inputs_unread = True
    elif kind == "annotation" and not counts["read"]:
        # an article may have no annotations: a warning, said once for the file
        message = (
            "the annotation export holds no record (it is empty or blank):"
            " no article gets annotations from it"
        )
        run.report.add(Issue(file=file, rule="empty-file", severity="warning", message=message))
