"""The build folder's files besides the batches' rows: the Parquet splits, the card
with its assets, ``croissant.json``, ``build_report.json`` and the manifest.

:func:`write_data` and :func:`write_metadata` run once every batch is done, inside
the build's workspace (:func:`builder.pipeline.build` swaps it in afterwards).
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .card import CardError, card_metadata, render_card, template_path
from .card_data import reader_sections, scan_figures
from .card_facts import card_context
from .card_notice import build_notice, render_notice
from .card_plotter import Plotter, write_plots
from .config import DatasetConfig
from .croissant import croissant_document, parquet_files, rai_fields, write_croissant
from .errors import BuildError
from .ingest import article_path, leads_outside
from .manifest import sha256_file, write_manifest
from .names import shard_split, split_name_problem
from .parquet import write_splits
from .process import Context
from .rights import summarize_rights
from .staging import Staging
from .stats import BuildStats
from .validate.schemas import SCHEMA_NAMES, SchemaStore

if TYPE_CHECKING:
    from .pipeline import BuildResult

TOOLKIT = {"name": "news-dataset-builder", "version": __version__}
REPORT_NAME = "build_report.json"
REJECTS_NAME = "rejects.jsonl"


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


def write_data(ctx: Context, staging: Staging, rows_files: list[Path], final: Path) -> None:
    sizes = {split: nbytes for split, (_, nbytes) in staging.split_sizes().items() if split}
    for split in sizes:  # a split name becomes a file name: never one unchecked
        if split not in ctx.config.split_ratios or split_name_problem(split):
            raise BuildError(f"split {split!r} is not a configured split name (a bug)")
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
        split = shard_split(path.name)
        if split not in order:
            raise BuildError(f"{path}: written, but not a shard of a configured split (a bug)")
        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
        entry = info.setdefault(
            split, {"num_examples": 0, "num_bytes": 0, "download_size": 0, "files": 0}
        )
        entry["num_examples"] += meta.num_rows
        # num_bytes in the sense of `datasets`: the Arrow size of the rows once loaded,
        # read one row group at a time (memory stays at one group).
        entry["num_bytes"] += sum(
            parquet.read_row_group(i).nbytes for i in range(meta.num_row_groups)
        )
        entry["download_size"] += path.stat().st_size
        entry["files"] += 1
    return {name: info[name] for name in order if name in info}


def write_metadata(
    ctx: Context,
    result: BuildResult,
    staging: Staging,
    final: Path,
    *,
    profile: bool = False,
    plotter: Plotter | None = None,
) -> dict[str, Any]:
    """The card with its assets, ``croissant.json``, ``build_report.json``, the manifest.

    ``plotter``: where the card's plots are drawn (see :mod:`builder.card_plotter`);
    they are written just before the manifest lists the outputs.
    """
    config = ctx.config
    plotter = plotter or Plotter()
    store = SchemaStore.default()
    schema_out = final / "schema"
    schema_out.mkdir()
    for name in SCHEMA_NAMES:
        shutil.copyfile(store.path(name), schema_out / store.path(name).name)
    splits = _split_info(final, list(config.split_ratios))
    metadata = card_metadata(config=config, features=ctx.codec.features_dict, splits=splits)
    stats = result.stats
    rights = summarize_rights(r.record for r in staging.published_sides("source"))
    context = card_context(ctx, result, staging, metadata, splits)
    context["redistribution_notice"] = render_notice(build_notice(rights.to_dict()))
    try:
        # writes assets/ (full tables; the plots are drawn meanwhile)
        scan = scan_figures(staging.card_figures, list(splits))
        context.update(reader_sections(final, context, scan, plotter.submit))
        card = render_card(context)
    except jinja2.TemplateError as exc:
        raise CardError(f"{template_path()}: cannot render the card: {exc}") from None
    (final / "README.md").write_text(card, encoding="utf-8")
    parquet = parquet_files(final)  # hashed once: for croissant.json and the manifest
    _write_croissant(ctx, context, rights.to_dict(), final, parquet)
    report = {
        **result.report.to_dict(),
        "accounting": result.accounting(),
        "privacy": result.privacy_entry(),
        # Per-rule, per-publisher cleaning counts, anchoring outcomes, label counts.
        "stats": stats.to_dict(),
    }
    if profile:  # not deterministic: only when asked for (see build)
        report["timings"] = stats.timings.to_dict()
    (final / REPORT_NAME).write_text(dump_json(report) + "\n", encoding="utf-8")
    return write_manifest(
        final,
        toolkit=TOOLKIT,
        dataset={
            "name": config.name,
            "version": config.version,
            "config_sha256": sha256_file(config.path),
        },
        inputs=_input_entries(config, staging),
        schemas=[
            {"path": f"schema/{store.path(n).name}", "sha256": sha256_file(store.path(n))}
            for n in SCHEMA_NAMES
        ],
        counts={
            k: stats.stages.get(k, 0)
            for k in ("read", "cleaned", "rejected", "accepted", "written")
        },
        splits=splits,
        features=ctx.codec.features_dict,
        extra={
            **_extraction_entry(config),
            "privacy": result.privacy_entry(),
            "rights": rights.to_dict(),
            "quarantine": {
                "enabled": result.quarantine,
                "rejected_articles": stats.stages["rejected"],
                "rejected_lines": sum(c["rejected"] for c in result.side_lines.values()),
                "rejects_file": REJECTS_NAME if result.quarantine else None,
            },
        },
        known_sha256={path: digest for path, digest, _ in parquet},
        before_outputs=lambda: _write_plots(final, plotter, stats),
    )


def _write_plots(final: Path, plotter: Plotter, stats: BuildStats) -> None:
    write_plots(final, plotter.result())
    if plotter.cpu_seconds is not None:  # drawn in its own process: its CPU, counted apart
        stats.timings.seconds["card-plots"] += plotter.cpu_seconds
        stats.timings.records["card-plots"] += 1
        stats.timings.where.setdefault("card-plots", "plotter")


def _write_croissant(
    ctx: Context,
    context: dict[str, Any],
    rights: dict[str, Any],
    final: Path,
    parquet: list[tuple[str, str, int]],
) -> None:
    """``croissant.json``: the files, splits and fields of the build, with the RAI facts."""
    config = ctx.config
    meta = context["metadata"]
    document = croissant_document(
        name=config.name,
        description=str(config.raw.get("description") or config.pretty_name),
        version=config.version,
        license=str(meta.get("license_link") or meta["license"]),
        url=f"https://huggingface.co/datasets/{config.repo_id}" if config.repo_id else None,
        languages=config.language,
        cite_as=str(config.raw.get("citation") or ""),
        keywords=[*meta.get("task_categories", []), *meta.get("task_ids", [])],
        files=parquet,
        features=ctx.codec.features_dict,
        row_schema=ctx.store.schemas["row"],
        rai=rai_fields(context, rights),
    )
    write_croissant(final, document)


def _extraction_entry(config: DatasetConfig) -> dict[str, Any]:
    """HTML/WARC inputs: the raw texts are the extractor's output, so name it and its version."""
    spec = config.article_input
    if spec is None or spec.is_folder or not spec.has_pages:
        return {}
    from .web_inputs import extractor_entry

    return {"extraction": extractor_entry()}


def _input_entries(config: DatasetConfig, staging: Staging) -> Iterator[dict[str, Any]]:
    """Every input file, streamed: the articles are the staged ids (listed once, sorted).

    An article file a worker read is listed with the digest and size the worker took
    of the same bytes; any other (not read: e.g. a rejected id) is hashed here."""
    root = config.root
    files = [config.path, config.sources_path, *(a.path for a in config.annotation_inputs)]
    articles: Iterable[tuple[Path, str | None, int | None]]
    if config.reads_shards:
        assert config.article_input is not None
        articles = ((p, None, None) for p in config.article_input.shards()[0])
    else:
        folder = config.articles_dir
        articles = (
            (article_path(folder, i), digest, size) for i, digest, size in staging.article_digests()
        )
    for path, digest, size in itertools.chain(((f, None, None) for f in files), articles):
        if path.is_file() and leads_outside(path, root) is None:
            yield {
                "path": path.relative_to(root).as_posix(),
                "sha256": digest or sha256_file(path),
                "bytes": path.stat().st_size if size is None else size,
            }


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
