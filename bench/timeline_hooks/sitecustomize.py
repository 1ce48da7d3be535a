"""Timeline hooks for ``bench/build_timeline.py`` (measurement only, never imported by the
build itself): loaded as ``sitecustomize`` by every process of a traced build (the
parent and each spawned pool worker inherit ``PYTHONPATH``), it appends one JSON line
per event to ``$BUILD_TIMELINE_DIR/<pid>.jsonl``: process start and exit (with the
process's CPU), each batch in a worker (wall, CPU, pickled sizes), each parent stage,
and each batch result as the parent takes it."""

from __future__ import annotations

import atexit
import json
import os
import sys
import time

_DIR = os.environ.get("BUILD_TIMELINE_DIR")


def _boot_wall() -> float:
    """This process's start as wall time (from /proc: before the interpreter ran)."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return time.time()


def emit(event: str, **fields: object) -> None:
    if not _DIR:
        return
    t = os.times()
    line = {"pid": os.getpid(), "ev": event, "t": time.time(), "cpu": t.user + t.system, **fields}
    with open(os.path.join(_DIR, f"{os.getpid()}.jsonl"), "a") as f:
        f.write(json.dumps(line) + "\n")


def _patch_batch_worker(module: object) -> None:
    import functools
    import pickle

    inner = module.run_batch  # type: ignore[attr-defined]

    @functools.wraps(inner)
    def run_batch(spec):  # type: ignore[no-untyped-def]
        emit("batch-start", index=spec.index, spec_bytes=len(pickle.dumps(spec)))
        out = inner(spec)
        began = time.perf_counter()
        size = len(pickle.dumps(out))
        stage_cpu = sum(out[0].stats.timings.seconds.values())
        emit(
            "batch-end",
            index=spec.index,
            result_bytes=size,
            pickle_s=time.perf_counter() - began,
            stage_cpu=stage_cpu,
        )
        return out

    module.run_batch = run_batch  # type: ignore[attr-defined]
    inner_warm = module.warm_up  # type: ignore[attr-defined]

    @functools.wraps(inner_warm)
    def warm_up(*a, **k):  # type: ignore[no-untyped-def]
        emit("warm-up-start")
        inner_warm(*a, **k)
        emit("warm-up-end")

    module.warm_up = warm_up  # type: ignore[attr-defined]


def _patch_stats(module: object) -> None:
    import contextlib

    cls = module.StageTimings  # type: ignore[attr-defined]
    inner = cls.timed

    @contextlib.contextmanager
    def timed(self, stage, records=1, *, where="worker", **clock):  # type: ignore[no-untyped-def]
        # ``clock``: the keyword of trees that have it (passed on as given)
        if where != "parent":
            with inner(self, stage, records, where=where, **clock):
                yield
            return
        emit("stage-start", stage=stage)
        try:
            with inner(self, stage, records, where=where, **clock):
                yield
        finally:
            emit("stage-end", stage=stage)

    cls.timed = timed


def _patch_processes(module: object) -> None:
    inner = module.spawn_pool  # type: ignore[attr-defined]

    def spawn_pool(*a, **k):  # type: ignore[no-untyped-def]
        emit("pool-start")
        return inner(*a, **k)

    module.spawn_pool = spawn_pool  # type: ignore[attr-defined]
    init = module.init_pool_worker  # type: ignore[attr-defined]

    def init_pool_worker():  # type: ignore[no-untyped-def]
        emit("init-start")
        init()
        emit("init-end")

    init_pool_worker.__qualname__ = init.__qualname__
    init_pool_worker.__module__ = init.__module__
    module.init_pool_worker = init_pool_worker  # type: ignore[attr-defined]


def _patch_output(module: object) -> None:
    inner = module.replace_dir  # type: ignore[attr-defined]

    def replace_dir(*a, **k):  # type: ignore[no-untyped-def]
        emit("replace-dir")
        return inner(*a, **k)

    module.replace_dir = replace_dir  # type: ignore[attr-defined]


def _patch_batches(module: object) -> None:
    inner = module.process_articles  # type: ignore[attr-defined]

    def process_articles(*a, **k):  # type: ignore[no-untyped-def]
        emit("process-articles")
        return inner(*a, **k)

    module.process_articles = process_articles  # type: ignore[attr-defined]
    pooled = module._pooled  # type: ignore[attr-defined]

    def _pooled(pool, specs, workers, **k):  # type: ignore[no-untyped-def]
        submit = pool.submit
        count = [0]

        def traced(fn, spec):  # type: ignore[no-untyped-def]
            count[0] += 1
            if count[0] <= workers:
                emit("submit", index=spec.index)
            return submit(fn, spec)

        pool.submit = traced
        try:
            yield from pooled(pool, specs, workers, **k)
        finally:
            del pool.submit

    module._pooled = _pooled  # type: ignore[attr-defined]


_PATCHES = {
    "builder.batches": _patch_batches,
    "builder.batch_worker": _patch_batch_worker,
    "builder.stats": _patch_stats,
    "builder.processes": _patch_processes,
    "builder.output": _patch_output,
}


class _Hook:
    """Patch a module right after it ran, before anyone imports names from it."""

    @staticmethod
    def find_spec(name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name not in _PATCHES:
            return None
        import importlib.machinery

        sys.meta_path.remove(_Hook)
        try:
            spec = importlib.machinery.PathFinder.find_spec(name, path)
        finally:
            sys.meta_path.insert(0, _Hook)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def patched(module):  # type: ignore[no-untyped-def]
            exec_module(module)
            _PATCHES[name](module)

        loader.exec_module = patched  # type: ignore[method-assign]
        return spec


if _DIR:
    sys.meta_path.insert(0, _Hook)
    emit("process-start", boot=_boot_wall(), argv=sys.argv[:3])
    atexit.register(lambda: emit("process-exit"))
