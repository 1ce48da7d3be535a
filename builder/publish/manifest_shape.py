"""The parts of a ``manifest.json`` that ``diff`` and ``verify`` read, checked for the
shape a build writes before they are read.

Both commands read folders they did not write (a copy, a download, a hand edit): a
manifest that is a list, an ``outputs`` item that is a number or a ``splits`` that is a
string was an internal error (exit 3, ``AttributeError``) instead of a located one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .versioning import feature_leaves

__all__ = ["manifest_problems"]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def manifest_problems(manifest: Any) -> list[tuple[str, str]]:
    """(JSON pointer, message) for every part that is not as a build writes it; [] if none."""
    if not isinstance(manifest, Mapping):
        return [("", f"must be a JSON object, not {_kind(manifest)}")]
    out: list[tuple[str, str]] = []
    outputs = manifest.get("outputs")
    if not isinstance(outputs, list):
        out.append(("/outputs", f"must be a list of files, not {_kind(outputs)}"))
    else:
        for n, entry in enumerate(outputs):
            out.extend(_output_problems(f"/outputs/{n}", entry))
    splits = manifest.get("splits", {})
    if not isinstance(splits, Mapping):
        out.append(("/splits", f"must be an object of splits, not {_kind(splits)}"))
    else:
        for name, info in splits.items():
            count = info.get("num_examples") if isinstance(info, Mapping) else None
            if not _count(count):
                out.append((f"/splits/{name}", "must be an object with a 'num_examples' count"))
    dataset = manifest.get("dataset", {})
    if not isinstance(dataset, Mapping) or not isinstance(dataset.get("version", ""), str):
        out.append(("/dataset", "must be an object whose 'version' is a string"))
    features = manifest.get("features", {})
    if not isinstance(features, Mapping):
        out.append(("/features", f"must be an object of features, not {_kind(features)}"))
        return out
    try:
        # the walk diff and publish make over the features: what it cannot read is
        # refused here, where the file is named
        for _leaf in feature_leaves(features):
            pass
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
        out.append(("/features", f"not datasets Features as a build writes them: {why}"))
    return out


def _output_problems(pointer: str, entry: Any) -> list[tuple[str, str]]:
    if not isinstance(entry, Mapping):
        return [(pointer, f"must be an object with a 'path', not {_kind(entry)}")]
    out: list[tuple[str, str]] = []
    if not isinstance(entry.get("path"), str) or not entry["path"]:
        out.append((f"{pointer}/path", "must be a file path (a non-empty string)"))
    if not isinstance(entry.get("sha256"), str):
        out.append((f"{pointer}/sha256", "must be the file's SHA-256 (a string)"))
    for key in ("bytes", "rows"):
        if key in entry and not _count(entry[key]):
            out.append((f"{pointer}/{key}", f"must be a count, not {entry[key]!r}"))
    return out
