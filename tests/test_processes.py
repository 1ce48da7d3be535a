"""The batch pool's processes: set up once, cheaply, for the work they do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from builder.processes import spawn_pool

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _worker_state() -> tuple[bool, bool, list[int]]:
    import pyarrow as pa

    table = pa.table({"n": pa.array([1, None, 3]), "s": pa.array(["a", "b", None])})
    before = "pandas" in sys.modules
    import pandas  # noqa: F401 - still importable for whoever wants it

    return before, "pandas" in sys.modules, table.column("n").to_pylist()


def test_pool_workers_run_pyarrow_without_importing_pandas() -> None:
    """pyarrow imports pandas on its first array only to ask whether the input is a
    pandas object (0.4-0.5 CPU s a worker); a pool worker never has one."""
    pool = spawn_pool(1)
    try:
        before, after, values = pool.submit(_worker_state).result(timeout=120)
    finally:
        pool.shutdown(wait=True)
    assert values == [1, None, 3]
    assert before is False  # arrays built, pandas never imported
    assert after is True  # pandas itself was not hidden from the process


def _batch_modules_loaded() -> list[bool]:
    return [m in sys.modules for m in ("builder.process", "builder.clean.pipeline", "pandas")]


def test_pool_workers_start_with_the_batch_modules_imported_once_for_all() -> None:
    """Forked by a fork server that imported the batches' modules (and set pyarrow up
    without pandas): a worker that was given no warm-up has them already."""
    pool = spawn_pool(1)
    try:
        loaded = pool.submit(_batch_modules_loaded).result(timeout=120)
    finally:
        pool.shutdown(wait=True)
    assert loaded == [True, True, False]


def _pandas_after_a_build(tmp_path: Path, *, pandas: bool) -> bool:
    code = (
        "import sys; from pathlib import Path; from builder.pipeline import build; "
        f"build(Path({str(SEEDS)!r}), Path({str(tmp_path / 'out')!r}), pandas={pandas}); "
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return done.stdout.split()[-1] == "True"


def test_a_build_that_never_converts_to_pandas_does_not_import_it(tmp_path: Path) -> None:
    """The ``builder`` command's build (``pandas=False``) spares the parent pyarrow's
    pandas import; a library caller's build leaves pandas usable, as imported."""
    assert _pandas_after_a_build(tmp_path / "cli", pandas=False) is False
    assert _pandas_after_a_build(tmp_path / "lib", pandas=True) is True


def _worker_tmpdir() -> str | None:
    import os

    return os.environ.get("TMPDIR")


def test_a_second_run_in_one_process_gets_a_fork_server_of_its_own() -> None:
    """The fork server's socket lives in its run's temporary folder, and its workers
    inherit that run's ``TMPDIR``: after the first run's folder is gone, a second run
    in the same process (a notebook, a test session) still starts its workers, and
    they work in the second run's folder."""
    from builder.runtmp import run_folder

    seen = []
    for _ in range(2):
        with run_folder() as folder:
            pool = spawn_pool(1)
            try:
                seen.append((str(folder), pool.submit(_worker_tmpdir).result(timeout=120)))
            finally:
                pool.shutdown(wait=True)
        assert not folder.exists()
    assert [worker for _, worker in seen] == [run for run, _ in seen]


_CTRL_C_WHILE_STARTING = """
import os, signal, subprocess, sys, threading
from builder.processes import ignore_sigint, sigint_deferred

# As from a terminal: a test run started as a background job hands its children
# SIGINT ignored, and an ignored Ctrl-C is rightly dropped.
signal.signal(signal.SIGINT, signal.default_int_handler)
if sys.argv[1:] == ["thread"]:
    # another thread that does not block SIGINT, as a pool's or a library's: the kernel
    # hands it a process's signal when the main thread blocks it
    threading.Thread(target=threading.Event().wait, daemon=True).start()
try:
    with sigint_deferred():
        child = subprocess.run(
            [sys.executable, "-c", "import signal; print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))"],
            capture_output=True, text=True, check=True,
        )
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the workers start
        print("child blocked", child.stdout.strip(), flush=True)
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted")
print("blocked after", signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))
print("handler after", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
ignore_sigint()  # as a worker started meanwhile does: ignored and no longer blocked
print("worker blocked", signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))
"""


@pytest.mark.parametrize("threads", ["main only", "thread"])
def test_ctrl_c_while_workers_start_is_delivered_once_they_have_started(threads: str) -> None:
    """The parent holds Ctrl-C while it starts workers (so they inherit SIGINT
    blocked), and one that arrives meanwhile is acted on afterwards, not dropped:
    also when another thread of the parent takes it."""
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_WHILE_STARTING, threads],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "child blocked True",  # a child started meanwhile does not act on Ctrl-C
        "interrupted",
        "blocked after False",
        "handler after True",
        "worker blocked False",
    ]


_SERVER_MASK = """
import os, signal, sys
from multiprocessing import forkserver
from builder.processes import spawn_pool

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal
    pool = spawn_pool(1)
    try:
        pool.submit(os.getpid).result(timeout=120)
        status = open(f"/proc/{forkserver._forkserver._forkserver_pid}/status").read()
        fields = dict(line.split(":\\t") for line in status.splitlines() if ":\\t" in line)
        sigint = 1 << 1  # bit SIGINT - 1 of the masks
        # blocked, as inherited (once its imports are done it also ignores Ctrl-C itself)
        print(bool(int(fields["SigBlk"], 16) & sigint))
    finally:
        pool.shutdown()
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_fork_server_starts_deaf_to_ctrl_c(tmp_path: Path) -> None:
    """Starting multiprocessing's resource tracker unblocks SIGINT in the starting
    thread: started inside the deferring block, the fork server started next had it
    unblocked, and a Ctrl-C while it imported printed its traceback."""
    script = tmp_path / "server_mask.py"
    script.write_text(_SERVER_MASK)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
