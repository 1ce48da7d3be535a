"""A Label Studio span region's labels and where its fields are, for :mod:`.labelstudio`."""

from __future__ import annotations

from typing import Any

from .lstasks import TaskReport
from .options import ImportOptions

__all__ = ["JSON_FIELDS", "MIN_FIELDS", "fields_of_label", "region_labels"]


#: where a span's fields are under its result (JSON) or its JSON-MIN item
JSON_FIELDS = {
    "id": "/id",
    "start": "/value/start",
    "end": "/value/end",
    "text": "/value/text",
    "label": "/value/labels/0",
}
MIN_FIELDS = {"start": "/start", "end": "/end", "text": "/text", "label": "/labels/0"}


def fields_of_label(is_json: bool, place: int) -> dict[str, str]:
    """The fields of the span a region's label at ``place`` made (multi_label: split)."""
    fields = JSON_FIELDS if is_json else MIN_FIELDS
    return {**fields, "label": fields["label"].removesuffix("0") + str(place)}


def region_labels(
    names: Any, rtag: str, pointer: str, t: TaskReport, options: ImportOptions
) -> list[tuple[int, str]] | None:
    """The dataset labels of a span region (with each one's place in ``labels``), or None
    when it has none to read (reported). A region of several labels (``<Labels
    choice="multiple">``) is an error unless ``multi_label: split``: a dataset span has
    one label, and Label Studio's own converters keep the first label and drop the rest
    (label_studio_sdk ``converter.py``, ``span["labels"][0]``), which is not done here."""
    if not isinstance(names, list) or not names:
        t.add(f"{rtag}: a span needs exactly one label, got {names!r}", pointer=pointer)
        return None
    if len(names) == 1:  # the common case, in a few steps
        label, why = options.map_label(names[0])
        if label is None:
            t.add(f"{rtag}: {why}", pointer=pointer, rule="label-map")
            return None
        return [(0, label)]
    distinct = list(dict.fromkeys(n if isinstance(n, str) else repr(n) for n in names))
    if len(distinct) > 1 and not options.split_multi_label:
        t.add(
            f"{rtag}: the region has {len(distinct)} labels {distinct} (a <Labels"
            ' choice="multiple"> control), and a span has one: to read it as one span per'
            f" label at the same offsets, set {options.origin}.multi_label: split; else"
            " leave one label on the region in Label Studio and export again",
            pointer=pointer,
        )
        return None
    read: list[tuple[int, str]] = []
    for place, name in enumerate(names):
        if name in names[:place]:
            continue  # the same label twice is one span
        label, why = options.map_label(name)
        if label is None:
            t.add(f"{rtag}: {why}", pointer=pointer, rule="label-map")
            return None
        read.append((place, label))
    return read
