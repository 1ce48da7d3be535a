"""The output folder: written completely or not at all, whatever happens.

A build works in a hidden folder beside its output and swaps it in by rename
only when everything succeeded. Interruptions (Ctrl-C, SIGTERM, a kill) leave
only that hidden folder, which the next build removes; the swap holds signals
until it is done, and a swap cut short by a kill is rolled back by the next
build. ``--out`` is refused when replacing it would destroy inputs or a folder
this tool did not build.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .config import DatasetConfig
from .errors import BuildError, UsageError
from .manifest import MANIFEST_NAME

__all__ = [
    "DiskFullError",
    "check_out_dir",
    "disk_full_located",
    "in_main_thread",
    "replace_dir",
    "signals_held",
    "terminate_as_interrupt",
    "workspace",
]


class DiskFullError(BuildError):
    """The file system ran out of space; the message says where."""


@contextmanager
def disk_full_located(where: Path) -> Iterator[None]:
    """Disk full, said with the place: SQLite's "database or disk is full" and an
    ``ENOSPC`` without a file name (pyarrow's, a write's) otherwise name nothing."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc).lower():
            raise
        raise DiskFullError(_disk_full_message(where)) from None
    except OSError as exc:
        # pyarrow's write errors carry errno 28 in the text only
        text = str(exc).lower()
        full = "no space left" in text or "[errno 28]" in text or "quota exceeded" in text
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT) and not full:
            raise
        raise DiskFullError(_disk_full_message(Path(exc.filename or where))) from None


def _disk_full_message(path: Path) -> str:
    return (
        f"no space left on the device of {path} while writing there; nothing was replaced. "
        "Free some space (or choose another --out, or set TMPDIR) and run again"
    )


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
    created: list[Path] = []
    try:
        created = _make_dirs(parent)
        _recover_interrupted_swap(parent, name)
        _remove_stale_workspaces(parent, name)
        work = Path(tempfile.mkdtemp(prefix=f".{name}.building-{_owner_tag()}-", dir=parent))
    except OSError as exc:
        _remove_created(created)
        if exc.errno == errno.ENOSPC:
            raise
        # the error's own path is the hidden working folder, which the user never named
        raise UsageError(
            f"--out {parent / name}: cannot make a folder in {parent}: {exc.strerror or exc}"
        ) from None
    done = False
    try:
        yield work
        done = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not done:
            _remove_created(created)


def _remove_created(created: list[Path]) -> None:
    """The parent folders a failed build made (deepest first), while empty."""
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


def _owner_tag() -> str:
    """``<pid>-<start time in ms>``: a reused pid is not mistaken for the owner."""
    import psutil

    return f"{os.getpid()}-{int(psutil.Process().create_time() * 1000)}"


def _remove_stale_workspaces(parent: Path, name: str) -> None:
    """Clean up after builds that were killed (their process is gone)."""
    from .runtmp import owner_alive

    for stale in parent.glob(f".{name}.building-*"):
        parts = stale.name.split(".building-", 1)[1].split("-")
        if not parts[0].isdigit() or int(parts[0]) == os.getpid():
            continue
        pid = int(parts[0])
        if len(parts) > 2 and parts[1].isdigit():  # <pid>-<start>-<random>
            gone = not owner_alive(pid, int(parts[1]))
        else:  # a workspace of an earlier version: pid only
            gone = not _alive(pid)
        if gone:
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


#: ``manifest.json`` -> ``toolkit.name`` of a folder this tool built: its signature.
TOOLKIT_NAME = "news-dataset-builder"


def _manifest_listing(out_dir: Path) -> set[str] | None:
    """The files a build's manifest lists (itself included), or None when the folder
    has no manifest signed by this tool."""
    try:
        manifest = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    toolkit, outputs = manifest.get("toolkit"), manifest.get("outputs")
    if not isinstance(toolkit, dict) or toolkit.get("name") != TOOLKIT_NAME:
        return None
    if not isinstance(outputs, list) or not all(
        isinstance(o, dict) and isinstance(o.get("path"), str) for o in outputs
    ):
        return None
    return {o["path"] for o in outputs} | {MANIFEST_NAME}


def _unlisted(out_dir: Path, listed: set[str]) -> list[str]:
    """Entries of ``out_dir`` that the manifest does not account for (sorted, at most 5).

    A listed file must be a regular file; a folder must lead to listed files;
    a symlink, anything else or anything more is someone's.
    """
    folders = {p.rsplit("/", i)[0] for p in listed for i in range(1, p.count("/") + 1)}
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(out_dir):
        base = Path(dirpath)
        keep = []
        for name in dirnames:
            rel = (base / name).relative_to(out_dir).as_posix()
            if (base / name).is_symlink() or rel not in folders:
                found.append(rel + "/")
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            path = base / name
            rel = path.relative_to(out_dir).as_posix()
            if rel not in listed or path.is_symlink() or not path.is_file():
                found.append(rel)
        if len(found) >= 5:
            break
    return sorted(found)[:5]


def check_out_dir(out_dir: Path, config: DatasetConfig) -> None:
    """Refuse an ``--out`` whose replacement would destroy inputs or someone's files.

    A folder is replaced only when this tool wrote it: its ``manifest.json`` is
    signed with the tool's name and lists every file in it. A previous build
    by an older version of the tool passes too (its manifest has the same
    signature and a complete listing); a folder with a file added by hand, or
    any other folder that happens to hold a ``manifest.json``, is refused.
    """
    inputs = [
        config.root,
        config.path,
        config.articles_dir,
        config.sources_path,
        *(a.path for a in config.annotation_inputs),
        *config.rule_files,
    ]
    for path in inputs:
        resolved = Path(os.path.realpath(path))  # never raises: a link loop is the read's error
        if resolved == out_dir or resolved.is_relative_to(out_dir):
            raise UsageError(
                f"--out {out_dir} holds the input {path}: a build replaces its output folder; "
                "choose another one"
            )
    _refuse_current_folder(out_dir)
    root = config.root.resolve()
    if out_dir.is_relative_to(root):
        raise UsageError(
            f"--out {out_dir} is inside the input folder {root}: the next run would read "
            "the output as input; choose a folder outside it"
        )
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise UsageError(f"--out {out_dir} exists and is not a folder")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return
    listed = _manifest_listing(out_dir)
    if listed is None:
        raise UsageError(
            f"--out {out_dir} is a folder that is not a dataset built by this tool "
            f"(no {MANIFEST_NAME} signed by {TOOLKIT_NAME}); refusing to replace it"
        )
    unlisted = _unlisted(out_dir, listed)
    if unlisted:
        raise UsageError(
            f"--out {out_dir} holds files its {MANIFEST_NAME} does not list, which a build "
            f"would delete: {', '.join(unlisted)}; move them away or choose another folder"
        )


#: How often a swap is tried again after another build's swap got in between.
SWAP_ATTEMPTS = 5


class _Raced(Exception):
    """Another build of the same ``--out`` swapped between this one's check and rename."""


def _refuse_current_folder(out_dir: Path) -> None:
    """A build replaces ``--out`` by rename: were the user's shell in it (``-o .``, or a
    rebuild run from inside the previous one), it would be left in the deleted old folder,
    where ``ls`` shows nothing and every relative path fails."""
    try:
        here = Path(os.path.realpath(os.getcwd()))
    except FileNotFoundError:
        return  # already gone: nothing of --out to be in
    if here == out_dir or here.is_relative_to(out_dir):
        where = "is the current folder" if here == out_dir else f"holds the current folder {here}"
        raise UsageError(
            f"--out {out_dir} {where}: a build replaces its output folder, which would leave"
            " you in a deleted one; choose a folder outside it (or run from elsewhere)"
        )


def replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old folder is removed only after the swap.

    Between the two renames no output exists; a kill there is undone by the
    next build (:func:`_recover_interrupted_swap`). Two builds to one ``--out``
    may swap at the same moment: a rename that finds the other's output already
    in place, or the old one already moved aside, is tried again, so the last to
    finish wins, whole, and neither fails.
    """
    asides: list[Path] = []
    for attempt in range(SWAP_ATTEMPTS):
        try:
            _swap(new, target, asides, attempt)
        except _Raced:
            continue
        for aside in asides:
            shutil.rmtree(aside, ignore_errors=True)
        return
    raise BuildError(
        f"--out {target} was replaced by other builds {SWAP_ATTEMPTS} times while this one "
        "put its output there; this build's output was not put in place. Run one build "
        "per --out at a time"
    )


def _swap(new: Path, target: Path, asides: list[Path], attempt: int) -> None:
    """One try of the swap; the folders it moved aside are added to ``asides``."""
    if target.exists():
        suffix = f"-{attempt}" if attempt else ""
        old = target.parent / f".{target.name}.old-{os.getpid()}{suffix}"
        try:
            os.rename(target, old)
        except FileNotFoundError:
            raise _Raced from None  # another build moved it aside first
        asides.append(old)
    try:
        os.rename(new, target)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and target.is_dir():
            raise _Raced from None  # another build put its output in first
        raise
