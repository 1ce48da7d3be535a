"""The inputs as they were when a build began, to know they did not change under it.

The manifest lists the configuration, the sources, the annotation files and the
shards with digests taken after the build read them (the articles with the digests of
the bytes read). A file saved again meanwhile (an editor), or one written into an
annotation folder (Label Studio's target storage syncing), would be listed with what
the dataset was not built from: such a build fails, naming the file, before its
output is put in place.
"""

from __future__ import annotations

import os
from pathlib import Path

from .build_folder import side_inputs
from .config import DatasetConfig
from .errors import DataError
from .validate.report import Issue, ValidationReport

__all__ = ["InputStamps", "check_unchanged", "take_stamps"]

#: path -> (size, modification time in ns), or None for a path that is no file
InputStamps = dict[Path, tuple[int, int] | None]
#: at most this many changed files are named (a whole folder rewritten is one cause)
_NAMED = 20


def take_stamps(config: DatasetConfig) -> InputStamps:
    """One ``stat`` per input the manifest hashes (a folder's files listed once)."""
    stamps: InputStamps = {}
    for path in side_inputs(config):
        try:
            info = os.stat(path)
        except OSError:
            stamps[path] = None
            continue
        stamps[path] = (info.st_size, info.st_mtime_ns)
    return stamps


def check_unchanged(config: DatasetConfig, before: InputStamps) -> None:
    """Raise :class:`DataError` naming each input that changed, appeared or went away
    since ``before`` was taken."""
    after = take_stamps(config)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if not changed:
        return
    report = ValidationReport()
    for path in changed[:_NAMED]:
        what = " (a new file)" if path not in before else " (gone)" if path not in after else ""
        report.add(
            Issue(
                file=_name(path, config.root),
                rule="input-changed",
                message=f"changed while the build read the inputs{what}: the manifest would"
                " list what the dataset was not built from; run again once the inputs no"
                " longer change",
            )
        )
    if len(changed) > _NAMED:
        report.add(
            Issue(
                file=_name(changed[_NAMED], config.root),
                rule="input-changed",
                message=f"and {len(changed) - _NAMED} more input file(s) changed meanwhile",
            )
        )
    raise DataError(
        f"{len(changed)} input file(s) changed while the build read them; nothing was written",
        report,
    )


def _name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
