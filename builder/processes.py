"""The build's child processes: the batch pool, started on demand, and how every
child leaves Ctrl-C to the parent and exits when the parent is gone.

Kept to the standard library at import: a spawned child imports this module first
(its initializer is here), before any of its work's imports.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import itertools
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import (
    current_process,
    forkserver,
    get_all_start_methods,
    get_context,
    parent_process,
    resource_tracker,
)
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = [
    "POOLED_SIDE_BYTES",
    "PRELOAD_INPUT",
    "WARM_UP",
    "LazyPool",
    "call_by_name",
    "exit_with_parent",
    "ignore_sigint",
    "init_pool_worker",
    "looks_pooled",
    "main_script_hidden",
    "pool_on_demand",
    "pyarrow_without_pandas",
    "sigint_deferred",
    "tune_gc",
]


def ignore_sigint() -> None:
    """Children leave Ctrl-C to the parent, which stops them and cleans up (no tracebacks)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Started inside `sigint_deferred`, a child inherits SIGINT blocked; ignored
    # now, a pending one is dropped on unblocking.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    exit_with_parent()


def exit_with_parent(interval: float = 0.5) -> None:
    """A child whose parent is gone (a SIGKILL gives it no chance to stop the pool)
    exits too, rather than wait forever on the task queue, whose writing end it
    holds itself, keeping the caller's pipes open.

    A worker of multiprocessing knows its parent by a pipe that the parent's end
    closes (:func:`multiprocessing.parent_process`): the parent of a worker forked by
    the fork server is the build, not the server, which itself lives on as long as
    any worker does. Any other child watches its parent's pid."""
    parent = parent_process()
    ppid = os.getppid()

    def watch() -> None:
        if parent is not None:
            parent.join()
        else:
            while os.getppid() == ppid:
                time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


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


class _NoPandas:
    """A finder that says pandas is not installed (see :func:`pyarrow_without_pandas`)."""

    @staticmethod
    def find_spec(name: str, *_: object) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("a pool worker's pyarrow works without pandas")


def pyarrow_without_pandas() -> None:
    """pyarrow's first array asks whether its input is a pandas object, and to know
    it imports pandas: 0.4-0.5 CPU s in every pool worker, which never holds a pandas
    object. Here pyarrow's one look for pandas finds none (pandas itself stays
    importable afterwards; pyarrow in this process just never converts to or from
    it). Only for the pool's own processes: a parent may be a user's, with pandas."""
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)  # pyarrow looks once, then never again
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(_NoPandas)


def init_pool_worker() -> None:
    """The batch pool's initializer: Ctrl-C left to the parent, the collector tuned,
    pyarrow set up without pandas."""
    ignore_sigint()
    pyarrow_without_pandas()
    tune_gc()


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Processes started meanwhile do not act on Ctrl-C from their first instruction:
    they inherit SIGINT blocked (a thread's signal mask survives fork and exec) until
    they ignore it themselves (:func:`ignore_sigint`); a terminal's Ctrl-C reaches
    the whole process group, and only the parent must act on it.

    The parent's own Ctrl-C meanwhile is held and acted on once the block ends.
    (SIGINT used to be ignored process-wide here, for the children to inherit the
    ignoring: any other thread of the parent that did not block it, a pool's or a
    library's, could then take the signal and drop it, and the build ran to its end.
    A signal handler holds it instead, whichever thread the kernel hands it to.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        held.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    was_blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if not was_blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        # signal.signal runs the handlers of signals already received first: `hold`
        # (None: a handler not set from Python, which cannot be set back from it)
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        if held:
            if callable(previous):
                previous(signal.SIGINT, None)  # Python's own raises KeyboardInterrupt
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def _hide_main_script() -> Callable[[], None]:
    """Hide the parent's main script from processes started from now on (see
    :func:`main_script_hidden`); returns the call that shows it again."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        return lambda: None
    del main.__file__  # multiprocessing.spawn.get_preparation_data looks for it

    def restore() -> None:
        main.__file__ = path

    return restore


@contextmanager
def main_script_hidden() -> Iterator[None]:
    """Processes started meanwhile do not run the parent's main script again.

    A spawned child runs the parent's ``__main__`` file (as ``__mp_main__``) so
    that functions defined there can be unpickled; the pool's tasks are all
    functions of this package, and the ``builder`` command's script imports the
    whole command line (typer, rich, every command: some 0.2 CPU s per worker).
    A main run by module name (``python -m builder``) is imported by name, and a
    package's ``__main__`` is skipped: left as it is."""
    restore = _hide_main_script()
    try:
        yield
    finally:
        restore()


def _start_method() -> str:
    """``forkserver`` where the platform has it (Linux, macOS), else ``spawn``."""
    return "forkserver" if "forkserver" in get_all_start_methods() else "spawn"


def spawn_pool(
    workers: int,
    warm_up: Callable[[], None] | None = None,
    ready: list[Future[Any]] | None = None,
    input_dir: Path | None = None,
) -> ProcessPoolExecutor:
    """``workers`` processes that ignore Ctrl-C, each given ``warm_up`` first (these
    submits start the workers, which do not run the parent's main script:
    :func:`main_script_hidden`); the warm-ups' futures are appended to ``ready`` as
    they are submitted. ``input_dir``: the build's input, for the fork server to
    build ahead what each worker needs before its first batch (:data:`PRELOAD_INPUT`).

    The workers are forked from a fork server that imported the batches' modules
    once (:data:`PRELOAD`): a spawned worker imported them itself, some 0.9 CPU s
    each, all of it while the parent imports the same modules on the same cores.
    The server starts here (it inherits the ignored Ctrl-C, and its children keep
    it); its workers are forked once it has imported, which the submits wait for: in
    a thread of their own, so the parent goes on meanwhile. Where there is no fork
    server (Windows), the workers are spawned as before."""
    method = _start_method()
    context = get_context(method)
    if method == "forkserver":
        _retire_stale_fork_server()
        context.set_forkserver_preload(list(PRELOAD))
        _own_temp_dir()
    ready = [] if ready is None else ready
    # Started here, not in the block below: starting it unblocks SIGINT in this thread
    # (multiprocessing's resource tracker blocks SIGINT and SIGTERM around its own
    # start, then unblocks them), and the server would then start with it unblocked.
    resource_tracker.ensure_running()
    with sigint_deferred(), main_script_hidden():  # the server inherits SIGINT blocked
        if method == "forkserver":
            with _environ(PRELOAD_INPUT, None if input_dir is None else str(input_dir)):
                forkserver.ensure_running()
            _server_tmpdir[:] = [os.environ.get("TMPDIR")]
        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=init_pool_worker
        )
        if warm_up is not None and method == "spawn":
            ready.extend(executor.submit(warm_up) for _ in range(workers))
    if warm_up is not None and method == "forkserver":
        restore = _hide_main_script()  # until the workers are forked (no earlier submit)
        threading.Thread(
            target=_submit_all,
            args=(executor, warm_up, workers, restore, ready),
            name="pool-start",
            daemon=True,
        ).start()
    return executor


#: The environment variable that names the build's input to the fork server it
#: starts (:mod:`builder.pool_preload`); set only while the server starts.
PRELOAD_INPUT = "BUILDER_POOL_INPUT"


@contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """``os.environ[name]`` is ``value`` meanwhile (unset when None), then as before."""
    before = os.environ.pop(name, None)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)
        if before is not None:
            os.environ[name] = before


#: ``TMPDIR`` when this process's fork server started (empty: none started here).
_server_tmpdir: list[str | None] = []


def _retire_stale_fork_server() -> None:
    """Stop this process's fork server when it was started for an earlier run.

    The server lives as long as the process that started it, its socket in that
    run's temporary folder (:func:`builder.runtmp.run_folder`), and the workers it
    forks inherit its environment, ``TMPDIR`` included: a second build in the same
    process (a notebook, a test session) would find the socket gone with the first
    run's folder, or hand its workers that folder. A fresh server, in a fresh
    multiprocessing folder under this run's, serves it instead. (``_forkserver``,
    ``_stop`` and ``_forkserver_pid`` are multiprocessing's own; ``_stop`` is what its
    tests call.)"""
    server = forkserver._forkserver  # type: ignore[attr-defined]
    if server._forkserver_pid is None or _server_tmpdir == [os.environ.get("TMPDIR")]:
        return
    try:
        server._stop()
    except FileNotFoundError:  # the socket went with the earlier run's folder
        server._forkserver_address = None
    current_process()._config["tempdir"] = None  # type: ignore[attr-defined]
    _server_tmpdir.clear()


def _own_temp_dir() -> None:
    """multiprocessing's temporary folder (where the fork server's socket is), made
    here and removed at exit by a removal that tolerates its absence: the one
    multiprocessing registers itself fails, with a traceback, when the run's
    temporary folder that holds it (:func:`builder.runtmp.run_folder`) went first.
    (``_config`` is the process's settings, where multiprocessing keeps it.)"""
    config = current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir") is None:
        path = tempfile.mkdtemp(prefix="pymp-")
        config["tempdir"] = path
        atexit.register(shutil.rmtree, path, ignore_errors=True)


def _submit_all(
    executor: ProcessPoolExecutor,
    task: Callable[[], None],
    n: int,
    then: Callable[[], None],
    ready: list[Future[Any]],
) -> None:
    """``n`` submits of ``task`` (each starts a worker; their futures appended to
    ``ready``), then ``then()``. A pool stopped meanwhile (an interrupt) refuses the
    rest: nothing more to start."""
    try:
        for _ in range(n):
            ready.append(executor.submit(task))
    except RuntimeError:  # shut down meanwhile
        pass
    finally:
        then()


def call_by_name(module: str, name: str, *args: Any) -> Any:
    """``module.name(*args)``, imported where it runs: the parent submits a worker's
    task without importing that module itself (see :data:`WARM_UP`,
    :data:`builder.batches.RUN_BATCH`)."""
    return getattr(importlib.import_module(module), name)(*args)


#: Modules the fork server imports once, for every worker it forks.
PRELOAD = ("builder.pool_preload",)

#: A pool worker's first task: the batches' imports (pyarrow, the cleaner, the
#: schemas), named rather than imported, so the parent can start the pool first.
WARM_UP: Callable[[], None] = partial(call_by_name, "builder.batch_worker", "warm_up")

#: An articles folder with more files than this (two batches at the default
#: ``output.batch_size``) starts the pool before the build's own imports.
EARLY_ARTICLES = 512
#: A plain side-record file of more bytes than this is read and checked by the pool's
#: workers (when there is a pool of several; :mod:`builder.stage_side`): the parent
#: would check it alone, with the workers idle (a 4 MB sources file: some 0.7 CPU s).
POOLED_SIDE_BYTES = 1 << 20
#: Or files at the input folder's top (side records, shards) of more bytes than this:
#: from this size a side-record file is read in the pool, so the pool will be needed.
EARLY_BYTES = POOLED_SIDE_BYTES


def looks_pooled(input_dir: Path) -> bool:
    """A guess, from two directory listings (nothing parsed), that a build of
    ``input_dir`` will use the pool: then the pool starts before the build imports
    its stages (about a CPU second), and the workers' own start-up (imports, some
    two CPU seconds each) overlaps it. A wrong guess costs either that overlap (the
    pool still starts once the inputs show more than a batch) or, for an input
    that looks big but is one batch, a pool started for nothing."""
    try:
        with os.scandir(input_dir) as entries:
            size = sum(e.stat().st_size for e in entries if e.is_file())
        if size > EARLY_BYTES:
            return True
        with os.scandir(Path(input_dir) / "articles") as entries:
            return sum(1 for _ in itertools.islice(entries, EARLY_ARTICLES + 1)) > EARLY_ARTICLES
    except OSError:
        return False


class LazyPool:
    """The process pool, started when the inputs first show more than one batch of
    records (or earlier, when the input looks big: :func:`looks_pooled`): its workers
    start (and import) while the parent still stages inputs. Stopped once, for good."""

    def __init__(
        self,
        workers: int,
        warm_up: Callable[[], None] | None = WARM_UP,
        input_dir: Path | None = None,
    ) -> None:
        self.workers = workers
        self.warm_up = warm_up
        #: the build's input (see :func:`spawn_pool`)
        self.input_dir = input_dir
        self.executor: ProcessPoolExecutor | None = None
        self.stopped = False
        #: the workers' warm-up tasks, as they are submitted
        self._warm_ups: list[Future[Any]] = []

    def start(self) -> None:
        if self.executor is not None or self.stopped or self.workers <= 1:
            return
        self.executor = spawn_pool(self.workers, self.warm_up, self._warm_ups, self.input_dir)

    def ready(self) -> bool:
        """Every worker is running (its warm-up done): a task submitted now starts at
        once rather than wait for the fork server and the workers' start-up. Without
        a warm-up, as soon as the pool started."""
        if self.executor is None:
            return False
        if self.warm_up is None:
            return True
        warm_ups = list(self._warm_ups)
        return len(warm_ups) >= self.workers and all(f.done() for f in warm_ups)

    def stop(self, *, cancel: bool) -> None:
        """``cancel``: drop the queued tasks and wait for the workers (an exception is
        on its way); else the workers exit while the caller goes on, and the
        interpreter's exit waits for them."""
        self.stopped = True
        executor, self.executor = self.executor, None
        if executor is not None:
            executor.shutdown(wait=cancel, cancel_futures=cancel)

    def for_batches(self, batches: int) -> Executor | None:
        """The pool for ``batches`` batches, or ``None`` to run them inline."""
        if batches <= 1:
            return None
        self.start()
        return self.executor


@contextmanager
def pool_on_demand(workers: int, *, pool: LazyPool | None = None) -> Iterator[LazyPool]:
    """A pool of ``workers`` started on demand (or ``pool``, maybe started already),
    stopped at the end. On any exit by exception the queued batches are cancelled,
    so an interrupt does not wait for the corpus."""
    pool = LazyPool(workers) if pool is None else pool
    try:
        yield pool
    except BaseException:
        pool.stop(cancel=True)
        raise
    # The workers exit while the caller goes on (the serial part after the batches).
    pool.stop(cancel=False)
