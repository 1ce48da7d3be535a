"""One temporary folder per run, which the next run removes once its owner is gone.

Every temporary file of a command (``tempfile`` in this process, ``TMPDIR`` for
worker processes, git and SQLite) goes under ``$TMPDIR/builder-run-<pid>-<start>``.
A run removes its folder when it ends; a run killed with SIGKILL cannot, so each
run first removes the folders whose owner process is gone. The owner is known by
its pid *and* its start time, so a pid reused by another process does not keep a
dead run's folder alive forever.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

__all__ = ["RUN_PREFIX", "owner_alive", "remove_stale_runs", "run_folder"]

RUN_PREFIX = "builder-run-"
_NAME = re.compile(re.escape(RUN_PREFIX) + r"(?P<pid>\d+)-(?P<start>\d+)-\w+")


def _start_ms(process: psutil.Process) -> int:
    return int(process.create_time() * 1000)


def owner_alive(pid: int, start_ms: int) -> bool:
    try:
        return abs(_start_ms(psutil.Process(pid)) - start_ms) <= 1000
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:  # cannot tell (access denied): keep it
        return True


def remove_stale_runs(base: Path) -> list[Path]:
    """Remove the run folders in ``base`` whose owner process has ended; return them."""
    removed = []
    try:
        entries = list(base.glob(RUN_PREFIX + "*"))
    except OSError:
        return removed
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if match is None or entry.is_symlink() or not entry.is_dir():
            continue
        if owner_alive(int(match["pid"]), int(match["start"])):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


@contextmanager
def run_folder() -> Iterator[Path]:
    """This run's temporary folder, made the default temporary folder while it lasts."""
    base = Path(tempfile.gettempdir())
    remove_stale_runs(base)
    me = psutil.Process()
    folder = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{me.pid}-{_start_ms(me)}-", dir=base))
    saved_env, saved_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved_dir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)
