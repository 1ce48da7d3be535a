"""The build: ingest, clean, anchor, validate, split, write, card, manifest.

:func:`build` writes a complete dataset folder or nothing: all work happens in
a temporary folder beside the output, which replaces the output by rename only
when everything succeeded, so a previous good build is never half-overwritten.
:func:`validate` runs the same stages up to the split and writes nothing.

Example:
    >>> from pathlib import Path
    >>> result = validate(Path("seeds"))   # doctest: +SKIP
    >>> result.ok                          # doctest: +SKIP
    True
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .annotations import read_annotations
from .card import card_metadata, render_card, sources_table
from .config import DatasetConfig, load_config
from .errors import DataError
from .features import field_table
from .ingest import list_articles, read_jsonl
from .manifest import sha256_file, write_manifest
from .parquet import write_splits
from .process import BatchResult, BatchSpec, Context, process_batch
from .splits import SplitPlan, plan_splits
from .staging import SideRecord, Staging
from .stats import BuildStats
from .validate.report import Issue, ValidationReport
from .validate.schemas import SCHEMA_NAMES, SchemaStore

__all__ = ["BuildResult", "build", "validate"]

Progress = Callable[[int, int], None]
TOOLKIT = {"name": "news-dataset-builder", "version": __version__}
REPORT_NAME = "build_report.json"


@dataclass
class BuildResult:
    """What a build or validation found and produced."""

    config: DatasetConfig | None
    report: ValidationReport
    stats: BuildStats = field(default_factory=BuildStats)
    plan: SplitPlan | None = None
    out: Path | None = None
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "out": str(self.out) if self.out else None,
            "counts": dict(self.stats.stages),
            "splits": self.manifest["splits"] if self.manifest else None,
            "report": self.report.to_dict(),
        }


# -- staging side records --------------------------------------------------------------
def _stage_side(
    staging: Staging,
    store: SchemaStore,
    report: ValidationReport,
    *,
    kind: str,
    schema: str,
    records: Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]],
    file: str,
) -> None:
    for line, record, issues in records:
        report.extend(issues)
        if record is None:
            continue
        where = {"file": file, "line": line, "record": record.get("article_id")}
        errors = store.check(schema, record)
        report.extend(
            Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message) for e in errors
        )
        if errors or not isinstance(record.get("article_id"), str):
            continue
        earlier = staging.add_side(kind, SideRecord(record["article_id"], file, line, record))
        if earlier is not None:
            report.add(
                Issue(
                    **where,
                    rule="unique-id",
                    message=f"a second {kind} record for {record['article_id']!r} (the first is at {earlier.file}:{earlier.line})",
                )
            )


def _stage_inputs(
    config: DatasetConfig, staging: Staging, store: SchemaStore, report: ValidationReport
) -> list[tuple[str, Path]]:
    if config.sources_path.is_file():
        _stage_side(
            staging,
            store,
            report,
            kind="source",
            schema="source",
            records=read_jsonl(config.sources_path),
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
        if not ann.path.is_file():
            report.add(
                Issue(
                    file=ann.path.name,
                    rule="missing-file",
                    message=f"annotation file {ann.path} does not exist",
                )
            )
            continue
        _stage_side(
            staging,
            store,
            report,
            kind="annotation",
            schema="annotation",
            records=read_annotations(ann.path, ann.format),
            file=ann.path.name,
        )
    if not config.articles_dir.is_dir():
        report.add(
            Issue(
                file=str(config.articles_dir.name),
                rule="missing-file",
                message=f"articles folder {config.articles_dir} does not exist",
            )
        )
        return []
    articles = list_articles(config.articles_dir)
    staging.add_article_ids([a for a, _ in articles])
    for kind in ("source", "annotation"):
        for article_id, file, line in staging.side_without_article(kind):
            report.add(
                Issue(
                    file=file,
                    line=line,
                    record=article_id,
                    rule="unknown-article",
                    message=f"{kind} record for {article_id!r}, but there is no article {article_id}.txt",
                )
            )
    staging.commit()
    return articles


# -- batches ---------------------------------------------------------------------------------
def _run_batches(specs: list[BatchSpec], workers: int) -> Iterator[BatchResult]:
    if workers <= 1 or len(specs) <= 1:
        for spec in specs:
            yield process_batch(spec)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(process_batch, specs)


def _process_articles(
    config: DatasetConfig,
    articles: list[tuple[str, Path]],
    staging: Staging,
    work: Path,
    report: ValidationReport,
    stats: BuildStats,
    *,
    workers: int,
    progress: Progress | None,
) -> list[Path]:
    size = config.batch_size
    rows_dir = work / "rows"
    rows_dir.mkdir()
    specs = [
        BatchSpec(
            index=i,
            items=[(a, str(p)) for a, p in articles[start : start + size]],
            config_path=str(config.path),
            staging_path=str(staging.path),
            rows_path=str(rows_dir / f"batch-{i:06d}.arrow"),
            first_ordinal=start,
        )
        for i, start in enumerate(range(0, len(articles), size))
    ]
    done = 0
    for result in _run_batches(specs, workers):
        report.extend(result.issues)
        stats.merge(result.stats)
        staging.add_facts(result.facts)
        done += len(specs[result.index].items)
        if progress:
            progress(done, len(articles))
    staging.commit()
    return [Path(s.rows_path) for s in specs]


@contextmanager
def _workspace(parent: Path, name: str) -> Iterator[Path]:
    """A temporary folder on the output's file system (so the final move is a rename)."""
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_workspaces(parent, name)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.building-{os.getpid()}-", dir=parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale_workspaces(parent: Path, name: str) -> None:
    """Clean up after builds that were killed (their process is gone)."""
    for stale in parent.glob(f".{name}.building-*"):
        try:
            pid = int(stale.name.split(".building-", 1)[1].split("-")[0])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _analyse(
    input_dir: Path, work: Path, *, workers: int, progress: Progress | None
) -> tuple[BuildResult, Staging, list[Path]]:
    """Everything up to the split plan; shared by build and validate."""
    store = SchemaStore.default()
    report = ValidationReport()
    config = load_config(input_dir, store=store)
    staging = Staging(work / "staging.sqlite")
    articles = _stage_inputs(config, staging, store, report)
    stats = BuildStats()
    rows_files = _process_articles(
        config, articles, staging, work, report, stats, workers=workers, progress=progress
    )
    result = BuildResult(config=config, report=report, stats=stats)
    plan = plan_splits(
        staging.iter_facts(),
        ratios=config.split_ratios,
        salt=config.split_salt,
        assignment=config.split_assignment,
        near_duplicate_threshold=config.near_duplicate_threshold
        if config.near_duplicates
        else None,
    )
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
    empty = sorted(set(config.split_ratios) - set(plan.assignment.values()))
    if empty and plan.assignment:
        report.add(
            Issue(
                file=config.path.name,
                pointer="/splits",
                rule="empty-split",
                severity="warning",
                message=f"split(s) {empty} received no articles and are not written",
            )
        )
    staging.set_splits(iter(plan.assignment.items()))
    staging.commit()
    result.plan = plan
    return result, staging, rows_files


def validate(input_dir: Path, *, workers: int = 1, progress: Progress | None = None) -> BuildResult:
    """Check every input record and every row a build would publish; write nothing."""
    with tempfile.TemporaryDirectory(prefix="builder-validate-") as tmp:
        result, staging, _ = _analyse(
            Path(input_dir), Path(tmp), workers=workers, progress=progress
        )
        staging.close()
    return result


def build(
    input_dir: Path,
    out_dir: Path,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the dataset folder ``out_dir`` from the inputs in ``input_dir``.

    Raises :class:`~builder.errors.DataError` (with the full report) when any
    input is invalid; ``out_dir`` is then left exactly as it was.
    """
    out_dir = Path(out_dir).resolve()
    with _workspace(out_dir.parent, out_dir.name) as work:
        result, staging, rows_files = _analyse(
            Path(input_dir), work, workers=workers, progress=progress
        )
        if not result.ok:
            staging.close()
            raise DataError(
                f"{len(result.report.errors)} error(s) in the input; nothing was written",
                result.report,
            )
        assert result.config is not None and result.plan is not None
        final = work / "dataset"
        final.mkdir()
        ctx = Context.load(str(result.config.path))
        _write_data(ctx, staging, rows_files, final)
        result.stats.stages["written"] = sum(1 for _ in staging.iter_splits())
        result.manifest = _write_metadata(ctx, result, staging, final)
        staging.close()
        _replace_dir(final, out_dir)
    result.out = out_dir
    return result


def _staged_rows(
    staging: Staging, rows_files: list[Path]
) -> Iterator[tuple[pa.Table, list[str], list[int]]]:
    """Staged row tables with each row's split and size, in the same id order."""
    facts = staging.iter_splits()
    for path in rows_files:
        with pa.memory_map(str(path)) as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                batch = pa.Table.from_batches([reader.get_batch(i)])
                meta = [next(facts) for _ in range(batch.num_rows)]
                ids = batch.column("id").to_pylist()
                assert ids == [m[0] for m in meta], "staged rows and facts out of order"
                yield batch, [m[1] for m in meta], [m[2] for m in meta]


def _write_data(ctx: Context, staging: Staging, rows_files: list[Path], final: Path) -> None:
    sizes = {split: nbytes for split, (_, nbytes) in staging.split_sizes().items() if split}
    write_splits(
        _staged_rows(staging, rows_files),
        split_bytes=sizes,
        directory=final / "data",
        schema=ctx.codec.arrow_schema,
        shard_max_bytes=ctx.config.shard_max_bytes,
        row_group_max_bytes=ctx.config.row_group_max_bytes,
    )


def _split_info(final: Path, order: list[str]) -> dict[str, dict[str, int]]:
    info: dict[str, dict[str, int]] = {}
    for path in sorted((final / "data").glob("*.parquet")):
        split = path.name.split("-")[0]
        meta = pq.ParquetFile(path).metadata
        entry = info.setdefault(
            split, {"num_examples": 0, "num_bytes": 0, "download_size": 0, "files": 0}
        )
        entry["num_examples"] += meta.num_rows
        entry["num_bytes"] += sum(
            meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)
        )
        entry["download_size"] += path.stat().st_size
        entry["files"] += 1
    return {name: info[name] for name in order if name in info}


def _write_metadata(
    ctx: Context, result: BuildResult, staging: Staging, final: Path
) -> dict[str, Any]:
    config = ctx.config
    store = SchemaStore.default()
    schema_out = final / "schema"
    schema_out.mkdir()
    for name in SCHEMA_NAMES:
        shutil.copyfile(store.path(name), schema_out / store.path(name).name)
    splits = _split_info(final, list(config.split_ratios))
    metadata = card_metadata(config=config, features=ctx.codec.features, splits=splits)
    stats = result.stats
    (final / "README.md").write_text(
        render_card(_card_context(ctx, result, staging, metadata, splits)), encoding="utf-8"
    )
    result.report.write_json(final / REPORT_NAME)
    return write_manifest(
        final,
        toolkit=TOOLKIT,
        dataset={
            "name": config.name,
            "version": config.version,
            "config_sha256": sha256_file(config.path),
        },
        inputs=_input_entries(config),
        schemas=[
            {"path": f"schema/{store.path(n).name}", "sha256": sha256_file(store.path(n))}
            for n in SCHEMA_NAMES
        ],
        counts={
            k: stats.stages.get(k, 0)
            for k in ("read", "cleaned", "rejected", "accepted", "written")
        },
        splits=splits,
        features=ctx.codec.features.to_dict(),
    )


def _input_entries(config: DatasetConfig) -> Iterator[dict[str, Any]]:
    root = config.root
    files = [config.path, config.sources_path, *(a.path for a in config.annotation_inputs)]
    files += [p for _, p in list_articles(config.articles_dir)]
    for path in files:
        if path.is_file():
            yield {
                "path": path.relative_to(root).as_posix(),
                "sha256": sha256_file(path),
                "bytes": path.stat().st_size,
            }


def _card_context(
    ctx: Context,
    result: BuildResult,
    staging: Staging,
    metadata: dict[str, Any],
    splits: dict[str, dict[str, int]],
) -> dict[str, Any]:
    config = ctx.config
    stats = result.stats
    plan = result.plan
    assert plan is not None
    accepted = {i for i, _s, _b in staging.iter_splits()}
    source_rows = []
    annotators: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in ("source", "annotation"):
        for article_id, _file, _line in staging.side_ids(kind):
            if article_id not in accepted:
                continue
            rec = staging.side(kind, article_id)
            assert rec is not None
            r = rec.record
            if kind == "source":
                pub = r.get("published") or {}
                dates = "–".join(
                    dict.fromkeys(d for d in (pub.get("earliest"), pub.get("latest")) if d)
                )
                source_rows.append(
                    {
                        "publisher": r.get("publisher"),
                        "published": dates or None,
                        "rights": r["rights"]["statement"],
                        "redistribution": r["rights"]["redistribution"],
                        "url": r.get("url"),
                    }
                )
            else:
                a = r["annotator"]
                annotators.setdefault(
                    (a["kind"], a["name"]),
                    {"kind": a["kind"], "name": a["name"], "note": a.get("note") or ""},
                )
    table = sources_table(source_rows)
    for entry in table:
        entry["redistribution"] = ", ".join(
            sorted(
                {
                    r["redistribution"]
                    for r in source_rows
                    if (r["publisher"] or "(unknown publisher)") == entry["publisher"]
                }
            )
        )
    rules = [{"rule": rule, **v} for rule, v in stats.rules_total().items()]
    per_source = [
        {"publisher": pub, "rule": rule, "edits": n, "chars": stats.rule_chars[pub][rule]}
        for pub, counter in sorted(stats.rule_edits.items())
        for rule, n in sorted(counter.items())
    ]
    return {
        "metadata": metadata,
        "config": config,
        "toolkit_version": __version__,
        "counts": {
            "read": stats.stages["read"],
            "rejected": stats.stages["rejected"],
            "written": stats.stages["written"],
        },
        "sources": table,
        "rights_unknown": sum(1 for r in source_rows if r["redistribution"] == "unknown"),
        "fields": field_table(ctx.store.schemas["row"], ctx.codec.features),
        "splits": [{"name": n, **s} for n, s in splits.items()],
        "split_policy": {
            "group_by": config.group_by,
            "threshold": config.near_duplicate_threshold,
            "salt": config.split_salt,
            "explicit": len(config.split_assignment),
        },
        "duplicates": {"exact": len(plan.exact_duplicates), "near": len(plan.near_duplicates)},
        "cleaning": {
            "steps": [s.name for s in ctx.cleaner.steps],
            "rules": rules,
            "per_source": per_source,
            "detokenize": config.detokenize,
        },
        "text_forms": dict(sorted(stats.text_forms.items())),
        "annotators": sorted(annotators.values(), key=lambda a: a["name"]),
        "labels": {
            "entity": config.entity_labels,
            "genre": config.genre_labels,
            "text_form": config.text_form_labels,
        },
        "label_counts": {k: dict(sorted(v.items())) for k, v in stats.labels.items()}
        | {k: {} for k in ("entity", "genre", "quotes") if k not in stats.labels},
        "spans": dict(sorted(stats.spans.items())),
        "dropped_spans": dict(sorted(stats.dropped_reasons.items())),
        "load_target": config.repo_id or config.name,
        "load_revision": f"v{config.version}",
        "versions": [],
    }


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old folder is removed only after the swap."""
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.rename(target, old)
        os.rename(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, target)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
