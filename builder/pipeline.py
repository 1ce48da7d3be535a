"""The build: ingest, clean, anchor, validate, split, write, card, manifest.

:func:`build` writes a complete dataset folder or nothing (see
:mod:`builder.pipeline_stages`, which runs the stages); :func:`validate` runs
the same stages up to the split and writes nothing.

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

This module imports only the standard library and the pool's own small modules:
when the input looks big enough for the process pool (:func:`looks_pooled`), the
pool starts first, and its fork server's imports (pyarrow, the cleaner, the
schemas: about half a CPU second, once for all the workers it forks, see
:func:`builder.processes.spawn_pool`) and the cleaner it builds for this input
(:func:`builder.batch_context.prebuild`, which each worker built for itself in its
first batch) overlap this process's own imports of the stages instead of
following them; side-record pieces due before the workers are up are checked
here meanwhile (:func:`builder.side_chunks.checked_in_pool`). This process never
imports the cleaner when its batches run in the pool.

Example:
    >>> from pathlib import Path
    >>> result = validate(Path("seeds"))   # doctest: +SKIP
    >>> result.ok                          # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engines import Engine
from .processes import LazyPool, looks_pooled, pool_on_demand, pyarrow_without_pandas

if TYPE_CHECKING:
    from .build_result import BuildResult

__all__ = ["BuildResult", "build", "validate"]

Progress = Callable[[int, int], None]


def __getattr__(name: str) -> Any:
    """``BuildResult``, imported when asked for (it imports the configuration's modules)."""
    if name == "BuildResult":
        from .build_result import BuildResult

        return BuildResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _early_pool(input_dir: Path, workers: int, engine: Engine) -> LazyPool:
    """The build's pool, started now when the input looks big (else on demand)."""
    pool = LazyPool(workers if engine.name == "local" else 1, input_dir=input_dir)
    if pool.workers > 1 and looks_pooled(input_dir):
        pool.start()
    return pool


def validate(
    input_dir: Path,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> BuildResult:
    """Check every input record and every row a build would publish; write nothing.

    Always strict: it lists every record a quarantine build would reject, as errors.
    """
    engine = engine or Engine()
    with pool_on_demand(workers, pool=_early_pool(Path(input_dir), workers, engine)) as pool:
        from . import pipeline_stages

        return pipeline_stages.validate(
            Path(input_dir), workers=workers, progress=progress, engine=engine, pool=pool
        )


def build(
    input_dir: Path,
    out_dir: Path,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    quarantine: bool | None = None,
    engine: Engine | None = None,
    profile: bool = False,
    pandas: bool = True,
) -> BuildResult:
    """Build the dataset folder ``out_dir`` from the inputs in ``input_dir``.

    Raises :class:`~builder.errors.DataError` (with the full report) when any
    input is invalid; ``out_dir`` is then left exactly as it was. ``quarantine``
    overrides the configuration's ``quarantine.enabled``. ``engine``: where the
    batches run (:mod:`builder.engines`, default: a local process pool of
    ``workers``); the output is the same on every engine. Stage timings are
    always in ``result.stats.timings``; ``profile`` also writes them into
    ``build_report.json`` (under ``timings``), which then differs between
    rebuilds: without it the report, like every output, is byte-identical.
    ``pandas=False``: this process will never convert Arrow data to or from pandas
    (the ``builder`` command's), so pyarrow's one look for pandas, on its first
    array, finds none instead of importing it (some 0.4 CPU s, see
    :func:`~builder.processes.pyarrow_without_pandas`); a library caller's process
    keeps pandas usable with pyarrow.
    """
    engine = engine or Engine()
    with pool_on_demand(workers, pool=_early_pool(Path(input_dir), workers, engine)) as pool:
        if not pandas:
            pyarrow_without_pandas()
        from . import pipeline_stages

        return pipeline_stages.build(
            Path(input_dir),
            out_dir,
            workers=workers,
            progress=progress,
            quarantine=quarantine,
            engine=engine,
            profile=profile,
            pool=pool,
        )
