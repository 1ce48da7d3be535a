"""What runs in a pool worker or a Ray task: one batch, then its privacy scan.

Kept apart from :mod:`builder.pipeline` on purpose: a spawned worker imports the
module of the function it runs, and the pipeline's imports (the card, Croissant,
publishing, ``datasets``) cost about a CPU second per worker that no batch uses.
The process pool and Ray run the same :func:`run_batch`.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time

import pyarrow as pa

from .pii import PrivacyScanner, PrivacySummary, scan_column
from .process import BatchResult, BatchSpec, Context, process_batch

__all__ = ["ignore_sigint", "run_batch", "warm_up"]


def ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them and cleans up (no tracebacks).

    Also the pool's initializer: it tunes the worker's garbage collector (see
    :func:`tune_gc`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
    tune_gc()


#: Allocations between young-generation collections in a pool worker (Python's default: 700).
WORKER_GC_THRESHOLD = 20_000


def tune_gc() -> None:
    """A pool worker's collector: the modules imported so far are frozen (never
    scanned again), and young collections wait for more allocations. A batch keeps
    some 30,000 span dicts alive until it is written, which the default thresholds
    scan over and over (about 5% of a build's CPU, measured with ``gc.callbacks``);
    freed memory is unchanged, as nearly all of it is freed by reference counts."""
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def exit_with_parent(interval: float = 0.5) -> None:
    """A worker whose parent is gone (a SIGKILL gives it no chance to stop the pool)
    exits too, rather than wait forever on the task queue, whose writing end it
    holds itself, keeping the caller's pipes open."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def warm_up() -> None:
    """A task submitted early: the pool starts its worker processes (and their
    imports) while the parent is still staging inputs."""
    # pyarrow's first ``pa.array`` imports pandas, when installed, only to ask whether
    # its input is a pandas object (some 0.35 CPU s): here, not in the first batch.
    pa.array([0])


def run_batch(spec: BatchSpec) -> tuple[BatchResult, PrivacySummary]:
    """One batch, then the privacy scan of the texts it will publish (same worker)."""
    result = process_batch(spec)
    config = Context.load(spec.config_path, spec.staging_path, spec.row_schema).config
    if not config.privacy_scan:
        return result, PrivacySummary()
    scanner = PrivacyScanner(
        kinds=config.privacy_kinds, phone_regions=config.phone_regions, allow=config.privacy_allow
    )
    with pa.memory_map(spec.rows_path) as source:
        table = pa.ipc.open_file(source).read_all()
        ids = table.column("id").to_pylist()
        # The texts stay one Arrow column: RE2 prefilters run over it in C++, and only
        # the few texts one matches become Python strings to scan.
        texts = table.column("text")
        del table
        with result.stats.timings.timed("privacy-scan", len(ids)):
            privacy = scan_column(scanner, ids, texts)
        del texts
    return result, privacy
