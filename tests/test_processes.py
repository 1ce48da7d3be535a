"""The batch pool's processes: set up once, cheaply, for the work they do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
import os, signal, subprocess, sys
from builder.processes import ignore_sigint, sigint_ignored

# As from a terminal: a test run started as a background job hands its children
# SIGINT ignored, and an ignored Ctrl-C is rightly dropped.
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    with sigint_ignored():
        child = subprocess.run(
            [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"],
            capture_output=True, text=True, check=True,
        )
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the workers start
        print("child", child.stdout.strip(), flush=True)
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted")
print("blocked after", signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))
ignore_sigint()  # as a worker started meanwhile does: ignored and no longer blocked
print("worker blocked", signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))
"""


def test_ctrl_c_while_workers_start_is_delivered_once_they_have_started() -> None:
    """The parent ignores Ctrl-C while it starts workers (so they inherit the ignoring),
    but one that arrives meanwhile is acted on afterwards, not dropped."""
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_WHILE_STARTING],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "child True",  # a child started meanwhile ignores Ctrl-C
        "interrupted",
        "blocked after False",
        "worker blocked False",
    ]
