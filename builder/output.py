"""The output folder: written completely or not at all, whatever happens.

A build works in a hidden folder beside its output and swaps it in by rename
only when everything succeeded. Interruptions (Ctrl-C, SIGTERM, a kill) leave
only that hidden folder, which the next build removes; the swap holds signals
until it is done, and a swap cut short by a kill is rolled back by the next
build. ``--out`` is refused when replacing it would destroy inputs or a folder
this tool did not build.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .config import DatasetConfig
from .errors import UsageError
from .manifest import MANIFEST_NAME

__all__ = [
    "check_out_dir",
    "in_main_thread",
    "replace_dir",
    "signals_held",
    "terminate_as_interrupt",
    "workspace",
]


def _make_dirs(path: Path) -> list[Path]:
    """``mkdir -p``, returning the folders it created (deepest last)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
    return list(reversed(missing))


@contextmanager
def workspace(parent: Path, name: str) -> Iterator[Path]:
    """A temporary folder on the output's file system (so the final move is a rename).

    Removed on every exit; on failure, parent folders this build created go too,
    so a failed build leaves no trace at all.
    """
    created = _make_dirs(parent)
    _recover_interrupted_swap(parent, name)
    _remove_stale_workspaces(parent, name)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.building-{os.getpid()}-", dir=parent))
    done = False
    try:
        yield work
        done = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not done:
            for folder in reversed(created):
                try:
                    folder.rmdir()
                except OSError:
                    break


def _pid_of(path: Path, marker: str) -> int | None:
    try:
        return int(path.name.split(marker, 1)[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _remove_stale_workspaces(parent: Path, name: str) -> None:
    """Clean up after builds that were killed (their process is gone)."""
    for stale in parent.glob(f".{name}.building-*"):
        pid = _pid_of(stale, ".building-")
        if pid is not None and pid != os.getpid() and not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)


def _recover_interrupted_swap(parent: Path, name: str) -> None:
    """A build killed between the two renames of the swap left the old output
    aside: put it back (or drop it, when the new one made it into place)."""
    target = parent / name
    for old in sorted(parent.glob(f".{name}.old-*")):
        pid = _pid_of(old, ".old-")
        if pid is None or (pid != os.getpid() and _alive(pid)):
            continue
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(old, target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a build the way Ctrl-C does: cleanly, through KeyboardInterrupt."""
    if not in_main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def signals_held() -> Iterator[list[int]]:
    """SIGINT and SIGTERM wait while the output is swapped: a swap is all or nothing.

    A signal that arrives meanwhile is recorded; the build has then finished,
    so it is not acted on.
    """
    received: list[int] = []
    if not in_main_thread():
        yield received
        return

    def hold(signum: int, frame: Any) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def check_out_dir(out_dir: Path, config: DatasetConfig) -> None:
    """Refuse an ``--out`` whose replacement would destroy inputs or someone's files."""
    inputs = [
        config.root,
        config.path,
        config.articles_dir,
        config.sources_path,
        *(a.path for a in config.annotation_inputs),
        *config.rule_files,
    ]
    for path in inputs:
        resolved = path.resolve()
        if resolved == out_dir or resolved.is_relative_to(out_dir):
            raise UsageError(
                f"--out {out_dir} holds the input {path}: a build replaces its output folder; "
                "choose another one"
            )
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise UsageError(f"--out {out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST_NAME).is_file():
        raise UsageError(
            f"--out {out_dir} is a folder that is not a dataset built by this tool "
            f"(it has files but no {MANIFEST_NAME}); refusing to replace it"
        )


def replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old folder is removed only after the swap.

    Between the two renames no output exists; a kill there is undone by the
    next build (:func:`_recover_interrupted_swap`).
    """
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.rename(target, old)
        os.rename(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, target)
