"""The pool's fork server builds, once, what each batch process needs before its
first batch (the cleaner, the row check, the validators); the workers it forks use
it only when their own reading of the configuration is the same."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from builder import batch_context
from builder.batch_context import Context, prebuild, row_schema_bytes
from builder.config import load_config
from builder.processes import spawn_pool
from builder.validate.schemas import SchemaStore

T = TypeVar("T")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _row_schema(input_dir: Path) -> bytes:
    return row_schema_bytes(load_config(input_dir), SchemaStore.default())


def _worker_context(config_path: str, row_schema: bytes) -> tuple[int, bool, bool]:
    """In a worker: how many contexts it was forked with, whether its batches' context
    is the prebuilt one, and whether that context's cleaner is built already."""
    from builder import batch_context

    Context.load.cache_clear()
    ctx = Context.load(config_path, "/nowhere/staging.sqlite", row_schema)
    ready = batch_context._PREBUILT.get(row_schema)
    return (
        len(batch_context._PREBUILT),
        ready is not None and ctx is ready[0],
        "cleaner" in vars(ctx),
    )


def _first_worker_context(input_dir: Path | None) -> tuple[int, bool, bool]:
    """:func:`_worker_context` in the one worker of a pool started for ``input_dir``
    (None: for no input), with a fork server of its own."""
    from builder.runtmp import run_folder

    config = load_config(SEEDS)
    with run_folder():  # a fork server of this run's own
        pool = spawn_pool(1, input_dir=input_dir)
        try:
            got = pool.submit(_worker_context, str(config.path), _row_schema(SEEDS))
            return got.result(timeout=120)
        finally:
            pool.shutdown(wait=True)


def test_workers_forked_for_an_input_start_with_its_cleaner_built() -> None:
    assert _first_worker_context(SEEDS) == (1, True, True)


def _first_uses_done() -> tuple[int, int]:
    """In a worker: the entries of two caches a batch's first use fills (the privacy
    scan's RE2 prefilters, the MinHash permutations)."""
    from builder import pii, signatures

    return pii._re2_prefilters.cache_info().currsize, signatures._permutations.cache_info().currsize


def _in_first_worker(input_dir: Path | None, task: Callable[[], T]) -> T:
    """``task()`` in the one worker of a pool started for ``input_dir``, with a fork
    server of its own."""
    from builder.runtmp import run_folder

    with run_folder():
        pool = spawn_pool(1, input_dir=input_dir)
        try:
            return pool.submit(task).result(timeout=120)
        finally:
            pool.shutdown(wait=True)


def test_workers_forked_for_an_input_start_with_the_stages_first_uses_made() -> None:
    assert _in_first_worker(SEEDS, _first_uses_done) == (1, 1)
    assert _in_first_worker(None, _first_uses_done) == (0, 0)


def test_a_pool_started_without_an_input_builds_nothing_ahead() -> None:
    assert _first_worker_context(None) == (0, False, False)


def test_a_configuration_edited_after_the_prebuild_is_read_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_context, "_PREBUILT", {})
    root = tmp_path / "in"
    shutil.copytree(SEEDS, root)
    prebuild(str(root))
    config = load_config(root)
    row_schema = _row_schema(root)
    Context.load.cache_clear()
    assert (
        Context.load(str(config.path), None, row_schema) is batch_context._PREBUILT[row_schema][0]
    )
    text = config.path.read_text(encoding="utf-8")
    config.path.write_text(text.replace("version: 1.0.0", "version: 1.0.1"), encoding="utf-8")
    Context.load.cache_clear()
    fresh = Context.load(str(config.path), None, row_schema)
    Context.load.cache_clear()
    assert fresh is not batch_context._PREBUILT[row_schema][0]
    assert fresh.config.version == "1.0.1"


def test_no_cleaner_is_built_ahead_when_it_reads_the_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cleaning.publisher_repetition``: the cleaner needs the build's pre-pass."""
    monkeypatch.setattr(batch_context, "_PREBUILT", {})
    root = tmp_path / "in"
    shutil.copytree(SEEDS, root)
    path = load_config(root).path
    text = path.read_text(encoding="utf-8")
    assert "publisher_repetition:\n    enabled: false" in text
    path.write_text(
        text.replace(
            "publisher_repetition:\n    enabled: false", "publisher_repetition:\n    enabled: true"
        ),
        encoding="utf-8",
    )
    assert load_config(root).publisher_repetition
    prebuild(str(root))
    assert batch_context._PREBUILT == {}


def test_a_pool_is_ready_once_every_worker_ran_its_warm_up() -> None:
    """What :func:`builder.side_chunks.checked_in_pool` asks before it hands a piece
    to the workers (until then the parent checks it itself)."""
    import time

    from builder.processes import LazyPool
    from builder.runtmp import run_folder

    with run_folder():
        pool = LazyPool(2)
        assert not pool.ready()  # not started
        pool.start()
        try:
            deadline = time.monotonic() + 120
            while not pool.ready() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert pool.ready()
            assert len(pool._warm_ups) == 2
        finally:
            pool.stop(cancel=True)


def test_a_pooled_parent_submits_batches_without_importing_the_cleaner() -> None:
    """The parent of a pooled build names the batch function (pickled by name) and
    never builds a cleaner: the cleaner's modules are the workers' alone."""
    import json
    import subprocess
    import sys

    code = (
        "import json, pickle, sys; import builder.pipeline_stages; "
        "from builder.batches import RUN_BATCH; pickle.dumps(RUN_BATCH); "
        "print(json.dumps([m in sys.modules for m in "
        "('builder.clean.pipeline', 'builder.batch_worker')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == [False, False]
