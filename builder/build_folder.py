"""The build folder's files besides the batches' rows: the Parquet splits, the card
with its assets, ``croissant.json``, ``build_report.json`` and the manifest.

:func:`write_data` and :func:`write_metadata` run once every batch is done, inside
the build's workspace (:func:`builder.pipeline.build` swaps it in afterwards).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .batch_context import Context
from .card import CardError, card_metadata, card_template, render_card, template_path
from .card_data import reader_sections, scan_figures
from .card_facts import SourceFacts, add_splits, card_context, source_facts
from .card_notice import build_notice, render_notice
from .config import DatasetConfig
from .croissant import croissant_document, rai_fields, write_croissant
from .errors import BuildError
from .ingest import ARTICLE_SUFFIX, article_path, folder_files, leads_outside
from .manifest import InputsListing, render_inputs, sha256_file, write_manifest
from .names import shard_split, split_name_problem
from .parquet import Compression, ShardTask, plan_shards, write_shard
from .staging import Staging
from .validate.schemas import SCHEMA_NAMES, SchemaStore

if TYPE_CHECKING:
    from .pipeline import BuildResult

TOOLKIT = {"name": "news-dataset-builder", "version": __version__}
REPORT_NAME = "build_report.json"
REJECTS_NAME = "rejects.jsonl"


class WritingStopped(Exception):
    """A Parquet writing asked to end early: the build failed or was interrupted."""


def _check(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise WritingStopped


#: a staged batch: its rows file, its number in that file, and its rows
StagedBatch = tuple[Path, int, int]


def _staged_batches(rows_files: list[Path]) -> list[StagedBatch]:
    """Every staged batch in id order (read from the files' footers)."""
    batches: list[StagedBatch] = []
    for path in rows_files:
        with pa.memory_map(str(path)) as source:
            reader = pa.ipc.open_file(source)
            batches += [
                (path, i, reader.get_batch(i).num_rows) for i in range(reader.num_record_batches)
            ]
    return batches


def _staged_rows(
    staging: Staging,
    batches: list[StagedBatch],
    stop: threading.Event | None = None,
    first: int = 0,
) -> Generator[tuple[pa.Table, list[str], list[int]], None, None]:
    """Staged row tables with each row's split and size, in the same id order, from
    batch number ``first`` on; ends with :class:`WritingStopped` once ``stop`` is set
    (checked before each batch)."""
    facts: Iterator[tuple[str, str, int]] | None = None
    try:
        for path, numbers in itertools.groupby(batches[first:], key=lambda b: b[0]):
            with pa.memory_map(str(path)) as source:
                reader = pa.ipc.open_file(source)
                for _, i, _ in numbers:
                    _check(stop)
                    batch = pa.Table.from_batches([reader.get_batch(i)])
                    ids = batch.column("id").to_pylist()
                    if facts is None and ids:
                        facts = staging.iter_splits(ids[0])
                    meta = [next(facts) for _ in ids] if facts is not None else []
                    assert ids == [m[0] for m in meta], "staged rows and facts out of order"
                    yield batch, [m[1] for m in meta], [m[2] for m in meta]
    finally:
        if facts is not None:
            facts.close()  # type: ignore[attr-defined]  # its SQLite cursor: in this thread


@dataclass(frozen=True)
class ShardFacts:
    """One written Parquet shard, as the card, ``croissant.json`` and the manifest list it."""

    path: str  # relative to the build folder
    sha256: str
    bytes: int
    rows: int
    #: its rows' Arrow size once loaded (``num_bytes`` in the sense of `datasets`)
    arrow_bytes: int


def _shard_facts(path: Path, final: Path) -> ShardFacts:
    """Read back (one row group at a time: memory stays at one group) and hashed."""
    with pq.ParquetFile(path) as parquet:
        meta = parquet.metadata
        # decoded in this thread (no pool threads): the writing thread's CPU is all of it
        arrow_bytes = sum(
            parquet.read_row_group(i, use_threads=False).nbytes for i in range(meta.num_row_groups)
        )
    return ShardFacts(
        path.relative_to(final).as_posix(),
        sha256_file(path),
        path.stat().st_size,
        meta.num_rows,
        arrow_bytes,
    )


class DataWriting:
    """The splits' Parquet shards being written (see :func:`write_data`)."""

    def __init__(
        self,
        splits: list[str],
        pending: list[Future[ShardFacts]],
        stop: threading.Event | None = None,
        cpu: list[float] | None = None,
    ) -> None:
        #: the names of the splits written (each has rows), in configuration order
        self.splits = splits
        self._pending = pending
        self._stop = stop or threading.Event()
        #: each shard's writing thread CPU, appended as it ends
        self._cpu = cpu if cpu is not None else []
        #: CPU seconds the writing took (known once :meth:`result` returned)
        self.cpu_seconds = 0.0
        #: CPU seconds :func:`write_data` spent in the caller's thread (the shards'
        #: plan, and with no threads the writing too), which the caller's own timing
        #: holds as well
        self.caller_seconds = 0.0

    def result(self) -> list[ShardFacts]:
        """Every shard written, by path; raises what a writing raised."""
        shards = [future.result() for future in self._pending]
        # Each writing's thread CPU: pyarrow encodes, compresses and (asked so) decodes
        # in the calling thread, and other threads (the card's facts) may run meanwhile.
        self.cpu_seconds = sum(self._cpu)
        return sorted(shards, key=lambda s: s.path)

    def wait(self) -> None:
        """Until no writing runs (a writing's error is :meth:`result`'s)."""
        futures.wait(self._pending)

    def stop(self) -> None:
        """Make every writing end at its next batch (a shard not begun, not begin) and
        wait until none runs, so no thread writes into a workspace being removed. For
        the exception path: a second Ctrl-C meanwhile does not cut the wait short (it
        is one batch), and the caller re-raises the exception that brought it here."""
        self._stop.set()
        for future in self._pending:
            future.cancel()
        while True:
            try:
                futures.wait(self._pending)
                return
            except KeyboardInterrupt:
                continue


def write_data(
    ctx: Context, staging: Staging, rows_files: list[Path], final: Path, *, threads: int = 1
) -> DataWriting:
    """Start writing the splits' Parquet, each shard read back and hashed once written:
    the shards planned first (:func:`builder.parquet.plan_shards`), then with
    ``threads`` > 1 shared out over that many threads (pyarrow filters, encodes and
    compresses without the GIL), the largest first, while the caller writes the card;
    else here, before this returns. A shard's bytes are the same either way."""
    sizes = {split: nbytes for split, (_, nbytes) in staging.split_sizes().items() if split}
    for split in sizes:  # a split name becomes a file name: never one unchecked
        if split not in ctx.config.split_ratios or split_name_problem(split):
            raise BuildError(f"split {split!r} is not a configured split name (a bug)")
    directory = final / "data"
    directory.mkdir(parents=True, exist_ok=True)
    began = time.thread_time()
    batches = _staged_batches(rows_files)
    tasks = plan_shards(
        ((split, nbytes) for _, split, nbytes in staging.iter_splits()),
        [rows for *_, rows in batches],
        split_bytes=sizes,
        shard_max_bytes=ctx.config.shard_max_bytes,
    )
    threaded = threads > 1 and len(tasks) > 1
    stop = threading.Event()  # set by DataWriting.stop when the build fails meanwhile
    cpu: list[float] = [time.thread_time() - began]  # the plan's

    def write(task: ShardTask) -> ShardFacts:
        began = time.thread_time()
        try:
            return _write(task)
        finally:
            cpu.append(time.thread_time() - began)

    def _write(task: ShardTask) -> ShardFacts:
        # a thread reads the staging database through a connection of its own
        db = Staging(staging.path, readonly=True) if threaded else staging
        staged = _staged_rows(db, batches, stop, task.first_batch)
        try:
            shard = write_shard(
                task,
                staged,
                directory=directory,
                schema=ctx.codec.arrow_schema,
                row_group_max_bytes=ctx.config.row_group_max_bytes,
                compression=Compression(ctx.config.compression, ctx.config.compression_level),
            )
        finally:
            staged.close()  # cut short by an error or a stop: its cursor goes first
            if threaded:
                db.close()
        _check(stop)  # read back and hashed only if the build goes on
        return _shard_facts(shard.path, final)

    names = [s for s in ctx.config.split_ratios if s in sizes]
    if not threaded:
        done: list[Future[ShardFacts]] = []
        for task in tasks:
            future: Future[ShardFacts] = Future()
            future.set_result(write(task))
            done.append(future)
        writing = DataWriting(names, done, cpu=cpu)
        writing.caller_seconds = sum(cpu)
        return writing
    executor = ThreadPoolExecutor(min(threads, len(tasks)), thread_name_prefix="write-parquet")
    # the largest first: the threads end about together
    pending = [
        executor.submit(write, task)
        for task in sorted(tasks, key=lambda t: (-t.row_bytes, t.split, t.index))
    ]
    executor.shutdown(wait=False)  # its threads end with these tasks
    writing = DataWriting(names, pending, stop, cpu)
    writing.caller_seconds = cpu[0]
    return writing


def _split_info(
    final: Path, order: list[str], shards: list[ShardFacts]
) -> dict[str, dict[str, int]]:
    written = {shard.path for shard in shards}
    for path in sorted((final / "data").glob("*.parquet")):
        if shard_split(path.name) not in order or path.relative_to(final).as_posix() not in written:
            raise BuildError(f"{path}: written, but not a shard of a configured split (a bug)")
    info: dict[str, dict[str, int]] = {}
    for shard in shards:
        entry = info.setdefault(
            shard_split(Path(shard.path).name),
            {"num_examples": 0, "num_bytes": 0, "download_size": 0, "files": 0},
        )
        entry["num_examples"] += shard.rows
        entry["num_bytes"] += shard.arrow_bytes
        entry["download_size"] += shard.bytes
        entry["files"] += 1
    return {name: info[name] for name in order if name in info}


def write_metadata(
    ctx: Context,
    result: BuildResult,
    staging: Staging,
    final: Path,
    data: DataWriting,
    *,
    profile: bool = False,
    template: Future[jinja2.Template] | None = None,
    sources: Future[SourceFacts] | None = None,
    inputs: Future[InputsListing] | None = None,
    before_report: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The card with its assets, ``croissant.json``, ``build_report.json``, the manifest.

    ``data``: the Parquet being written (:func:`write_data`); what the card needs of
    it is taken last, so the card's other parts are made meanwhile. ``template``: the
    card template being compiled (:func:`card_template`). ``sources``: the published
    records' facts, being taken (:func:`source_facts`; else taken here). ``inputs``:
    the manifest's inputs, being listed (:func:`list_inputs`; else listed here).
    ``before_report``: called just before the report is made (to time the card's
    work into its ``timings``).
    """
    config = ctx.config
    store = SchemaStore.default()
    schema_out = final / "schema"
    schema_out.mkdir()
    for name in SCHEMA_NAMES:
        shutil.copyfile(store.path(name), schema_out / store.path(name).name)
    stats = result.stats
    facts = source_facts(staging) if sources is None else sources.result()
    rights = facts.rights
    context = card_context(ctx, result, facts)
    context["redistribution_notice"] = render_notice(build_notice(rights.to_dict()))
    scan = scan_figures(staging.card_figures, data.splits)
    try:
        compiled = card_template() if template is None else template.result()
        shards = data.result()
        stats.timings.seconds["write-parquet"] += data.cpu_seconds
        stats.timings.records["write-parquet"] += stats.stages["accepted"]
        stats.timings.where.setdefault("write-parquet", "parent")
        splits = _split_info(final, list(config.split_ratios), shards)
        metadata = card_metadata(config=config, features=ctx.codec.features_dict, splits=splits)
        add_splits(context, metadata, splits)
        context.update(reader_sections(final, context, scan))  # writes assets/
        card = render_card(context, compiled=compiled)
    except jinja2.TemplateError as exc:
        raise CardError(f"{template_path()}: cannot render the card: {exc}") from None
    (final / "README.md").write_text(card, encoding="utf-8")
    parquet = [(s.path, s.sha256, s.bytes) for s in shards]  # for croissant.json
    _write_croissant(ctx, context, rights.to_dict(), final, parquet)
    if before_report is not None:
        before_report()
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
        inputs=_input_entries(config, staging) if inputs is None else inputs.result(),
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
    )


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


def list_inputs(config: DatasetConfig, staging_path: Path, work: Path) -> InputsListing:
    """The manifest's inputs, listed and hashed into a file of the workspace ``work``
    (outside the dataset folder) through a read-only connection of the calling thread:
    a build does it while it plans the splits."""
    with Staging(staging_path, readonly=True) as staging:
        return render_inputs(_input_entries(config, staging), work / "manifest-inputs.json")


def side_inputs(config: DatasetConfig) -> Iterator[Path]:
    """The input files the manifest lists and hashes itself: the configuration, the
    sources file (when it is read: not when the shards carry the sources), the
    annotation files (an export folder's files, sorted) and the article shards. Not the
    article files, listed with the digests their readers took."""
    yield from itertools.chain(
        [config.path, *([config.sources_path] if config.reads_sources_file else [])],
        *(
            (a.path / f for f in sorted(folder_files(a.path))) if a.path.is_dir() else [a.path]
            for a in config.annotation_inputs
        ),
    )
    if config.reads_shards:
        assert config.article_input is not None
        yield from config.article_input.shards()[0]


def _input_entries(config: DatasetConfig, staging: Staging) -> Iterator[dict[str, Any]]:
    """Every input file, streamed: the articles are the staged ids (listed once, sorted).

    An article file a worker read is listed with the digest and size the worker took
    of the same bytes; any other (not read: e.g. a rejected id) is hashed here."""
    for path in side_inputs(config):
        entry = _input_entry(path, config.root)
        if entry is not None:
            yield entry
    if not config.reads_shards:
        yield from _article_entries(config.articles_dir, config.root, staging.article_digests())


def _input_entry(
    path: Path, root: Path, digest: str | None = None, size: int | None = None
) -> dict[str, Any] | None:
    """One input file's entry; None when it is not a file, or a link leading outside."""
    if not path.is_file() or leads_outside(path, root) is not None:
        return None
    return {
        "path": path.relative_to(root).as_posix(),
        "sha256": digest or sha256_file(path),
        "bytes": path.stat().st_size if size is None else size,
    }


def _article_entries(
    folder: Path, root: Path, digests: Iterable[tuple[str, str | None, int | None]]
) -> Iterator[dict[str, Any]]:
    """The articles' entries: as :func:`_input_entry` gives them, one ``lstat`` each.

    Per article, :func:`_input_entry` costs a ``stat``, two ``lstat`` and pathlib's
    parsing (0.07 ms: 0.37 CPU s for 5,000 articles, serial after the batches). Here
    the folder is checked once; an article that is a plain file (the ``lstat`` says
    so) is neither missing nor a link, and its name inside ``root`` is the folder's
    plus its own. Anything else (a link, a worker that did not read it) goes the
    general way."""
    if folder.is_symlink() or leads_outside(folder, root) is not None or not folder.is_dir():
        for article_id, digest, size in digests:
            entry = _input_entry(article_path(folder, article_id), root, digest, size)
            if entry is not None:
                yield entry
        return
    prefix = folder.relative_to(root).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    directory = os.fspath(folder)
    for article_id, digest, size in digests:
        name = f"{article_id}{ARTICLE_SUFFIX}"
        try:
            info = os.lstat(os.path.join(directory, name))
        except OSError:
            continue  # not there (any more): as is_file() says
        if digest is None or not stat.S_ISREG(info.st_mode):
            entry = _input_entry(article_path(folder, article_id), root, digest, size)
            if entry is not None:
                yield entry
            continue
        yield {
            "path": prefix + name,
            "sha256": digest,
            "bytes": info.st_size if size is None else size,
        }


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
