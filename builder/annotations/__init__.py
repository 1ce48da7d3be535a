"""Annotation import: every supported format is read into native records.

A reader yields ``(line_or_task, record, issues)``; the record is a native
annotation record (see ``schema/annotation.schema.json``) with raw-text offsets
in Unicode code points. Formats (``inputs.annotations[].format``): ``native``
(JSON Lines), ``label-studio`` (a Label Studio JSON or JSON-MIN export, see
:mod:`.labelstudio`) and ``doccano`` (a doccano JSONL export, see :mod:`.doccano`).
Importers convert the tools' offsets to code points and give every span its
quote selector (prefix and suffix), so it can be re-anchored later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..validate.report import Issue
from .brat import read_brat
from .doccano import read_doccano
from .labelstudio import read_label_studio
from .native import read_native

__all__ = ["READERS", "AnnotationReader", "read_annotations"]

AnnotationReader = Callable[[Path], Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]]]

READERS: dict[str, AnnotationReader] = {
    "native": read_native,
    "label-studio": read_label_studio,
    "doccano": read_doccano,
    "brat": read_brat,
}


def read_annotations(
    path: Path, fmt: str = "native", *, offsets: str | None = None
) -> Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]]:
    """Read an annotation file of format ``fmt`` as native records.

    ``offsets`` names the unit a doccano file counts in (see ``OFFSET_UNITS``).
    """
    try:
        reader = READERS[fmt]
    except KeyError:
        raise ValueError(f"unknown annotation format {fmt!r}; known: {sorted(READERS)}") from None
    if offsets is None:
        return reader(path)
    if fmt != "doccano":
        raise ValueError(f"offsets apply to doccano files only, not {fmt!r}")
    return read_doccano(path, offsets=offsets)
