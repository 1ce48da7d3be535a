"""Names from the configuration that become file names or URL parts: checked once, here.

A split name is a file name prefix (``data/{split}-00000-of-00001.parquet``)
and a Hub ``data_files`` pattern (``data/{split}-*``), so it follows the rule of
``datasets`` and the Hub for split names, ``^\\w+(\\.\\w+)*$``: word characters,
optionally joined by dots. No ``/`` or ``..`` (it would be a path), and no
``-`` (the separator of the shard suffix, so a name cannot be read back wrongly).
"""

from __future__ import annotations

import re

__all__ = [
    "CONFIG_FILENAME",
    "RESERVED_SPLITS",
    "SPLIT_NAME",
    "setting",
    "shard_split",
    "split_name_problem",
]

#: the dataset configuration's file name in an input folder
CONFIG_FILENAME = "dataset.yaml"

#: ``datasets.naming._split_re``, anchored without letting ``$`` accept a final newline.
SPLIT_NAME = re.compile(r"\w+(\.\w+)*")
#: ``datasets`` reads ``split="all"`` as every split together.
RESERVED_SPLITS = frozenset({"all"})
_SHARD = re.compile(r"(?P<split>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.parquet")


def setting(key: str) -> str:
    """Where a value a message speaks of is set, for the user to find it: ``setting("limits.x")``
    is ``"limits.x in dataset.yaml"``."""
    return f"{key} in {CONFIG_FILENAME}"


def split_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a split name, or None when it can."""
    if not isinstance(name, str) or not SPLIT_NAME.fullmatch(name):
        return (
            f"split name {name!r} must be word characters (letters, digits, _) optionally "
            "joined by dots, as datasets and the Hub require; no '-', '/', spaces or '..'"
        )
    if name in RESERVED_SPLITS:
        return f"split name {name!r} is reserved by datasets (split='all' means every split)"
    return None


def shard_split(file_name: str) -> str | None:
    """The split of a shard file ``{split}-{i:05d}-of-{n:05d}.parquet``; None if not one."""
    match = _SHARD.fullmatch(file_name)
    if match is None or split_name_problem(match["split"]):
        return None
    return match["split"]
