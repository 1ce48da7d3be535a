"""A pool worker's warm-up makes the batches' context ahead of its first batch, under
the very key the batches look it up by (else the work is done twice)."""

from __future__ import annotations

import dataclasses
import functools
import shutil
from pathlib import Path

import pytest

from builder.batch_worker import warm_up
from builder.batches import _batch_specs
from builder.build_run import BuildRun, Rejects
from builder.config import load_config
from builder.pipeline import _worker_warm_up
from builder.process import Context
from builder.staging import Staging
from builder.validate.report import ValidationReport
from builder.validate.schemas import SchemaStore

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def run(tmp_path: Path) -> BuildRun:
    inputs = tmp_path / "in"
    shutil.copytree(SEEDS, inputs)
    staging = Staging(tmp_path / "staging.sqlite")
    return BuildRun(
        config=load_config(inputs),
        store=SchemaStore.default(),
        report=ValidationReport(),
        staging=staging,
        rejects=Rejects(tmp_path / "rejects.jsonl", enabled=False),
        quarantine=False,
    )


def test_the_warm_up_context_is_the_one_the_batches_load(run: BuildRun, tmp_path: Path) -> None:
    if run.config.publisher_repetition:
        pytest.skip("the seeds' configuration reads the staging database")
    task = _worker_warm_up(run, workers=2)
    assert isinstance(task, functools.partial)
    Context.load.cache_clear()
    task()
    made = Context.load.cache_info().currsize
    spec = next(_batch_specs(run, ["a", "b"], tmp_path, task.args[2]))
    ctx = Context.load(spec.config_path, spec.staging_path, spec.row_schema)
    info = Context.load.cache_info()
    assert made == 1 and info.currsize == 1 and info.hits == 1  # the batch's look-up: a hit
    assert ctx.config.path == run.config.path


def test_no_context_warm_up_when_it_would_read_the_staging_early(run: BuildRun) -> None:
    """With publisher repetition, the context reads the staging database's counts,
    which are made after the warm-up runs: the warm-up then leaves the context alone."""
    assert _worker_warm_up(run, workers=1) is warm_up
    run.config = dataclasses.replace(run.config, publisher_repetition=True)
    assert _worker_warm_up(run, workers=2) is warm_up
