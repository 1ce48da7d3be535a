"""A build as Label Studio tasks, so a team can review its spans and import them back.

Each published article becomes one task (Label Studio's "Basic JSON" import
format): ``data`` holds the CLEANED text and the article id, and one prediction
(``model_version``: the dataset and its version) holds the build's spans as
``labels`` results, each quote's speaker as a ``relation`` result labelled
``speaker`` and each document label as a ``choices`` result. A matching
labeling configuration (XML) is written beside the tasks.

Reviewed in Label Studio and exported, the tasks are an ordinary ``label-studio``
annotation input: their offsets count code points of the cleaned text, and its
digest (``text_sha256``) differs from the raw text's, so the build re-anchors
every span onto the raw text by its quote selector.

Only the build output is read: ``manifest.json`` (which files, which features)
and the Parquet files, one record batch at a time, written as a JSON array as
they are read, so memory stays flat however many articles there are.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..atomic_files import atomic_file
from ..errors import DataError, UsageError
from ..validate.report import Issue

__all__ = [
    "QUOTE_LABEL",
    "SPAN_CONTROL",
    "TEXT_OBJECT",
    "BuildLayout",
    "ExportSummary",
    "export_label_studio",
    "labeling_config",
    "row_to_task",
]

#: Control and object names of the labeling configuration (the ones of Label
#: Studio's NER template, which the ``label-studio`` importer reads).
SPAN_CONTROL, TEXT_OBJECT = "label", "text"
#: The span label that marks a quotation.
QUOTE_LABEL = "QUOTE"
#: The relation label from a quote to its speaker.
SPEAKER_RELATION = "speaker"
_COLUMNS = ["id", "text", "entities", "quotes"]
_LISTED = 20


@dataclass
class ExportSummary:
    """What an export wrote, and what it could not."""

    tasks_path: Path
    config_path: Path
    tasks: int = 0
    entities: int = 0
    quotes: int = 0
    #: Articles whose text the build withholds (rights): they cannot be reviewed.
    withheld: int = 0
    #: The first of their ids (a few suffice to find the rest: all share a source's rights).
    withheld_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks_path": str(self.tasks_path),
            "config_path": str(self.config_path),
            "tasks": self.tasks,
            "entities": self.entities,
            "quotes": self.quotes,
            "withheld": self.withheld,
            "withheld_ids": self.withheld_ids,
        }


def _class_names(feature: Any) -> list[str] | None:
    names = getattr(feature, "names", None)
    return list(names) if names is not None else None


def _item(feature: Any) -> Any:
    """The element feature of a list feature (``List``, ``Sequence`` or ``[...]``)."""
    if isinstance(feature, list):
        return feature[0]
    return getattr(feature, "feature", feature)


@dataclass
class BuildLayout:
    """What the build's features say about its labels."""

    entity_labels: list[str]
    document_labels: dict[str, list[str]]  # column -> class names
    files: list[Path]


def _layout(build: Path) -> BuildLayout:
    from datasets import Features

    manifest_path = build / "manifest.json"
    if not manifest_path.is_file():
        raise UsageError(f"{build} has no manifest.json: not a build folder")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        features = Features.from_dict(manifest["features"])
        outputs = manifest["outputs"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError.single(
            Issue(file="manifest.json", rule="manifest", message=f"cannot be read: {exc}")
        ) from None
    entity = _item(features["entities"])
    entity_labels = _class_names(entity["label"]) or []
    document = {
        name: names
        for name, feature in features.items()
        if name not in _COLUMNS and (names := _class_names(feature)) is not None
    }
    files = [
        build / o["path"]
        for o in outputs
        if str(o["path"]).startswith("data/") and str(o["path"]).endswith(".parquet")
    ]
    return BuildLayout(entity_labels, document, sorted(files))


def labeling_config(entity_labels: list[str], document_labels: Mapping[str, list[str]]) -> str:
    """The Label Studio labeling configuration (XML) the exported tasks are made for."""
    view = ET.Element("View")
    relations = ET.SubElement(view, "Relations")
    ET.SubElement(relations, "Relation", value=SPEAKER_RELATION)
    labels = ET.SubElement(view, "Labels", name=SPAN_CONTROL, toName=TEXT_OBJECT)
    for name in [*entity_labels, QUOTE_LABEL]:
        ET.SubElement(labels, "Label", value=name)
    ET.SubElement(view, "Text", name=TEXT_OBJECT, value=f"${TEXT_OBJECT}")
    for column, names in document_labels.items():
        ET.SubElement(view, "Header", value=column)
        choices = ET.SubElement(view, "Choices", name=column, toName=TEXT_OBJECT, choice="single")
        for name in names:
            ET.SubElement(choices, "Choice", value=name)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _span(region: str, start: int, end: int, text: str, label: str) -> dict[str, Any]:
    return {
        "id": region,
        "from_name": SPAN_CONTROL,
        "to_name": TEXT_OBJECT,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def row_to_task(
    row: Mapping[str, Any], layout: BuildLayout, model_version: str, doc: Mapping[str, int | None]
) -> dict[str, Any]:
    """One published row (with text) as a Label Studio task with one prediction."""
    text = row["text"]
    result = [
        _span(e["id"], e["start"], e["end"], text, layout.entity_labels[e["label"]])
        for e in row["entities"]
    ]
    result += [_span(q["id"], q["start"], q["end"], text, QUOTE_LABEL) for q in row["quotes"]]
    result += [
        {
            "from_id": q["id"],
            "to_id": q["speaker_id"],
            "type": "relation",
            "direction": "right",
            "labels": [SPEAKER_RELATION],
        }
        for q in row["quotes"]
        if q["speaker_id"] is not None
    ]
    for column, value in doc.items():
        if value is not None:
            result.append(
                {
                    "id": column,
                    "from_name": column,
                    "to_name": TEXT_OBJECT,
                    "type": "choices",
                    "value": {"choices": [layout.document_labels[column][value]]},
                }
            )
    return {
        "data": {TEXT_OBJECT: text, "article_id": row["id"]},
        "predictions": [{"model_version": model_version, "result": result}],
    }


def _rows(layout: BuildLayout) -> Iterator[tuple[dict[str, Any], dict[str, int | None]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [*_COLUMNS, *layout.document_labels]
    for path in layout.files:
        try:
            parquet = pq.ParquetFile(path)
            for batch in parquet.iter_batches(columns=columns, batch_size=1024):
                for row in batch.to_pylist():
                    doc = {c: row.pop(c) for c in layout.document_labels}
                    yield row, doc
        except (OSError, pa.ArrowException) as exc:
            raise DataError.single(
                Issue(file=path.name, rule="parquet", message=f"cannot be read: {exc}")
            ) from None


@contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    """Write ``path`` (UTF-8 text) whole or not at all."""
    with atomic_file(path) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8")
        yield handle
        handle.detach()  # flushed into the raw file, which atomic_file closes and renames


def export_label_studio(
    build: Path,
    out: Path,
    *,
    config_out: Path | None = None,
    model_version: str | None = None,
) -> ExportSummary:
    """Write the tasks of ``build`` to ``out`` (JSON) and its labeling config beside them.

    ``config_out`` defaults to ``out`` with ``.label-config.xml`` for its suffix;
    ``model_version`` to the dataset's name and version from the manifest.
    Articles whose text the build withholds are listed in the summary, not exported.
    """
    build, out = Path(build), Path(out)
    layout = _layout(build)
    if model_version is None:
        dataset = json.loads((build / "manifest.json").read_text(encoding="utf-8"))["dataset"]
        model_version = f"{dataset['name']} {dataset['version']}"
    config_out = config_out or out.with_name(f"{out.stem}.label-config.xml")
    summary = ExportSummary(out, config_out)
    with _atomic(out) as handle:
        handle.write("[")
        for row, doc in _rows(layout):
            if row["text"] is None:
                summary.withheld += 1
                if len(summary.withheld_ids) < _LISTED:
                    summary.withheld_ids.append(row["id"])
                continue
            task = row_to_task(row, layout, model_version, doc)
            handle.write(",\n" if summary.tasks else "\n")
            handle.write(json.dumps(task, ensure_ascii=False))
            summary.tasks += 1
            summary.entities += len(row["entities"])
            summary.quotes += len(row["quotes"])
        handle.write("\n]\n")
    with _atomic(config_out) as handle:
        handle.write(labeling_config(layout.entity_labels, layout.document_labels))
    return summary
