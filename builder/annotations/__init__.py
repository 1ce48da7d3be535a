"""Annotation import: every supported format is read into native records.

A reader yields ``(line_or_task, record, issues)``; the record is a native
annotation record (see ``schema/annotation.schema.json``) with raw-text offsets
in Unicode code points. Formats (``inputs.annotations[].format``): ``native``
(JSON Lines), ``label-studio`` (a Label Studio JSON or JSON-MIN export, see
:mod:`.labelstudio`) and ``doccano`` (a doccano JSONL export, see :mod:`.doccano`).
Importers convert the tools' offsets to code points and give every span its
quote selector (prefix and suffix), so it can be re-anchored later.

A reader that takes an ``options`` keyword gets the entry's
:class:`~.options.ImportOptions` (label mapping, speaker relations, ...); one
that takes ``speaker_relations`` gets those; the entry's ``labels`` mapping is
applied to the entity labels of the records of any other reader, so a mapping
never silently does nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..validate.report import Issue, json_pointer
from .brat import read_brat
from .doccano import read_doccano
from .labelstudio import read_label_studio
from .native import read_native
from .options import ImportOptions

__all__ = ["READERS", "AnnotationReader", "ImportOptions", "read_annotations"]

AnnotationReader = Callable[..., Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]]]

READERS: dict[str, AnnotationReader] = {
    "native": read_native,
    "label-studio": read_label_studio,
    "doccano": read_doccano,
    "brat": read_brat,
}

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]


def _relabel(records: Iterator[Result], options: ImportOptions, file: str) -> Iterator[Result]:
    """The entry's label mapping over the entity labels of a reader that does not apply it."""
    for line, record, issues in records:
        if record is None or not isinstance(record.get("entities"), list):
            yield line, record, issues
            continue
        issues = list(issues)
        entities = []
        for i, span in enumerate(record["entities"]):
            label, why = options.map_label(span.get("label") if isinstance(span, dict) else None)
            if label is None:
                issues.append(
                    Issue(
                        file=file,
                        line=line,
                        record=record.get("article_id"),
                        pointer=json_pointer("entities", i, "label"),
                        rule="label-map",
                        message=str(why),
                    )
                )
                label = span.get("label") if isinstance(span, dict) else None
            entities.append({**span, "label": label} if isinstance(span, dict) else span)
        yield line, {**record, "entities": entities}, issues


def read_annotations(
    path: Path,
    fmt: str = "native",
    *,
    offsets: str | None = None,
    options: ImportOptions | None = None,
    root: Path | None = None,
    max_line_bytes: int | None = None,
) -> Iterator[Result]:
    """Read an annotation file of format ``fmt`` as native records.

    ``offsets`` names the unit a doccano file counts in (see ``OFFSET_UNITS``);
    ``options`` is the entry's configuration. ``root`` is the input folder: a
    reader of export folders (brat, a Label Studio target storage) reads no file
    that leads out of it (default: out of ``path``). ``max_line_bytes`` is the longest
    JSON Lines line read (``limits.max_record_bytes``; default: the reader's).
    """
    try:
        reader = READERS[fmt]
    except KeyError:
        raise ValueError(f"unknown annotation format {fmt!r}; known: {sorted(READERS)}") from None
    if offsets is not None and fmt != "doccano":
        raise ValueError(f"offsets apply to doccano files only, not {fmt!r}")
    if offsets is not None:
        options = replace(options or ImportOptions(), offsets=offsets)
    if max_line_bytes is not None:
        options = replace(options or ImportOptions(), max_span_chars=max_line_bytes)
    params = inspect.signature(reader).parameters
    kwargs: dict[str, Any] = {"root": root} if "root" in params and root is not None else {}
    if max_line_bytes is not None and "max_line_bytes" in params:
        kwargs["max_line_bytes"] = max_line_bytes
    if options is None:
        return reader(path, **kwargs)
    if "options" in params:
        return reader(path, options=options, **kwargs)
    if "speaker_relations" in params and options.speaker_relations is not None:
        kwargs["speaker_relations"] = options.speaker_relations
    records = reader(path, **kwargs)
    return _relabel(records, options, path.name) if options.label_map else records
