"""Files written whole or not at all: a temporary file beside the target, renamed over it.

The temporary file is made private (``mkstemp``: mode 0600); before the rename it gets
the mode ``open()`` would have given the file (the replaced file's, or 0644 under the
usual umask 022), so a report or an export is as readable by teammates and tools as any file
the user writes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["UMASK", "atomic_file", "give_default_mode"]


def _read_umask() -> int:
    # /proc/self/status says it without changing it; elsewhere it is read by setting it
    # (and put back at once), which another thread creating a file could see
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The process's umask, read once at import.
UMASK = _read_umask()


def give_default_mode(path: Path, *, folder: bool = False) -> None:
    """The mode ``open()`` (or ``mkdir``, with ``folder``) would have given ``path``."""
    os.chmod(path, (0o777 if folder else 0o666) & ~UMASK)


def _take_mode(temporary: Path, path: Path) -> None:
    """The mode of the file ``path`` replaces (as writing over it keeps it), else the
    default one."""
    try:
        os.chmod(temporary, path.stat().st_mode & 0o7777)
    except FileNotFoundError:
        give_default_mode(temporary)


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary handle whose bytes become ``path`` when the block ends without an error;
    on any error (a full disk, Ctrl-C) ``path`` is left as it was. Parent folders are
    made as needed.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "report.json"
    >>> with atomic_file(out) as handle:
    ...     _ = handle.write(b"{}")
    >>> out.read_bytes()
    b'{}'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(fd, "wb") as handle:
            yield handle
        _take_mode(Path(temporary), path)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
