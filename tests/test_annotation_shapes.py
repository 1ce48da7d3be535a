"""Every export shape of doccano and Label Studio builds the seeds, or fails where it says.

The fixtures are the seeds' own annotations written as the tools write them
(see ``tool_exports``); each shape is built with the seeds' ``dataset.yaml``
changed only in ``inputs.annotations``, and the published spans are compared with
the native build: every one of the 557 entities and 30 quotes is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    SEED_ENTITIES,
    SEED_QUOTES,
    STOCK_LABELS,
    Style,
    doccano_collaborative,
    doccano_intent_detection,
    doccano_label_ids_v1,
    doccano_relation_extraction,
    doccano_sequence_labeling,
    doccano_text_label_v1,
    doccano_v16_data,
    label_config_xml,
    label_studio_file_reference,
    label_studio_json,
    label_studio_json_min,
    label_studio_per_region_choices,
    published_rows,
    use_annotations,
    write_export,
)

from builder.pipeline import build

STOCK_MAP = {v: k for k, v in STOCK_LABELS.items()}


@dataclass
class Shape:
    name: str
    #: writes the export (and any side file) into the seeds copy; returns the entry
    write: Callable[[Path], dict[str, Any]]
    speakers: bool = True  # the shape carries quote -> speaker relations
    genres: bool = True  # the shape carries document labels
    quotes: bool = True
    machine: bool = False  # read from predictions


def _doccano(
    fn: Callable[..., Any], style: Style | None = None, **entry: Any
) -> Callable[[Path], dict[str, Any]]:
    def write(seeds: Path) -> dict[str, Any]:
        write_export(seeds / "export.jsonl", fn(seeds, style), jsonl=True)
        return {"path": "export.jsonl", "format": "doccano", **entry}

    return write


def _label_ids(seeds: Path) -> dict[str, Any]:
    lines, table = doccano_label_ids_v1(seeds)
    write_export(seeds / "export.jsonl", lines, jsonl=True)
    write_export(seeds / "labels.json", table, jsonl=False)
    return {"path": "export.jsonl", "format": "doccano", "label_table": "labels.json"}


def _ls(
    fn: Callable[..., Any], style: Style | None = None, *, xml: bool = False, **entry: Any
) -> Callable[[Path], dict[str, Any]]:
    def write(seeds: Path) -> dict[str, Any]:
        write_export(seeds / "export.json", fn(seeds, style), jsonl=False)
        if xml:
            (seeds / "label_config.xml").write_text(
                label_config_xml(style or Style()), encoding="utf-8"
            )
            entry["label_config"] = "label_config.xml"
        return {"path": "export.json", "format": "label-studio", **entry}

    return write


STOCK = Style(label_names=STOCK_LABELS)
# Label Studio's NER template: span control "label", text under data.ner ($ner).
TEMPLATE = Style(
    span_control="label",
    text_key="ner",
    label_names=STOCK_LABELS,
    genre_control="category",
    form_control="form",
)
NER_ONLY = Style(with_doc_labels=False, with_quotes=False)

SHAPES = [
    Shape(
        "doccano-sequence-labeling",
        _doccano(doccano_sequence_labeling),
        speakers=False,
        genres=False,
    ),
    Shape("doccano-relation-extraction", _doccano(doccano_relation_extraction), genres=False),
    Shape(
        "doccano-relation-extraction-custom-type",
        _doccano(
            doccano_relation_extraction, Style(relation_label="SPOKE"), speaker_relations=["SPOKE"]
        ),
        genres=False,
    ),
    Shape("doccano-intent-detection", _doccano(doccano_intent_detection), speakers=False),
    Shape("doccano-1.x-text-label", _doccano(doccano_text_label_v1), speakers=False, genres=False),
    Shape("doccano-1.0-label-ids", _label_ids, speakers=False, genres=False),
    Shape("doccano-1.6-text-as-data", _doccano(doccano_v16_data), speakers=False, genres=False),
    Shape(
        "doccano-stock-labels-mapped",
        _doccano(doccano_sequence_labeling, STOCK, labels=STOCK_MAP),
        speakers=False,
        genres=False,
    ),
    Shape("label-studio-json", _ls(label_studio_json)),
    Shape("label-studio-json-stock-labels-mapped", _ls(label_studio_json, STOCK, labels=STOCK_MAP)),
    Shape(
        "label-studio-json-template-config-xml",
        _ls(label_studio_json, TEMPLATE, xml=True, labels=STOCK_MAP),
    ),
    Shape(
        "label-studio-json-text-key",
        _ls(
            label_studio_json,
            Style(text_key="content", genre_control="category", form_control="form"),
            text_key="content",
            choices={"category": "genre", "form": "text_form"},
        ),
    ),
    Shape(
        "label-studio-json-text-key-found-from-spans",
        _ls(label_studio_json, Style(text_key="content")),
    ),
    Shape("label-studio-json-min", _ls(label_studio_json_min), speakers=False),
    Shape(
        "label-studio-json-min-ner-control",
        _ls(
            label_studio_json_min,
            Style(span_control="ner", genre_control="category", form_control="form"),
        ),
        speakers=False,
    ),
    Shape(
        "label-studio-json-min-template-config-xml",
        _ls(label_studio_json_min, TEMPLATE, xml=True, labels=STOCK_MAP),
        speakers=False,
    ),
    Shape(
        "label-studio-predictions",
        _ls(lambda s, st: label_studio_json(s, st, as_predictions=True), predictions=True),
        machine=True,
    ),
    Shape(
        "doccano-collaborative-all-jsonl",
        _doccano(doccano_collaborative),
        speakers=False,
        genres=False,
    ),
    *[
        Shape(
            f"label-studio-json-text-as-{where}",
            _ls(
                lambda s, st, url=url: label_studio_file_reference(s, st, url=url, saved_text=True)
            ),
        )
        for where, url in [
            ("s3-uri", "s3://newsroom-corpus/articles/{}.txt"),
            ("local-files-path", "/data/local-files/?d=corpus/articles/{}.txt"),
            ("upload-path", "/data/upload/3/1a2b3c4d-{}.txt"),
        ]
    ],
    Shape("label-studio-json-per-region-choices", _ls(label_studio_per_region_choices)),
    Shape(
        "doccano-ner-only",
        _doccano(doccano_sequence_labeling, NER_ONLY),
        speakers=False,
        genres=False,
        quotes=False,
    ),
    Shape(
        "label-studio-ner-only-stock-labels",
        _ls(
            label_studio_json,
            Style(with_doc_labels=False, with_quotes=False, label_names=STOCK_LABELS),
            labels=STOCK_MAP,
        ),
        speakers=False,
        genres=False,
        quotes=False,
    ),
]


def _spans(row: dict[str, Any], *, speakers: bool) -> list[tuple[Any, ...]]:
    return sorted(
        [(e["start"], e["end"], e["text"], e["label"]) for e in row["entities"]]
        + [
            (q["start"], q["end"], q["text"], "QUOTE", speakers and q["speaker_id"] is not None)
            for q in row["quotes"]
        ]
    )


def _speakers(row: dict[str, Any]) -> list[tuple[int, int] | None]:
    where = {e["id"]: (e["start"], e["end"]) for e in row["entities"]}
    return [where.get(q["speaker_id"]) for q in sorted(row["quotes"], key=lambda q: q["start"])]


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_each_export_shape_builds_the_seeds_with_every_span(
    seeds_copy: Path, seed_build: Path, tmp_path: Path, shape: Shape
) -> None:
    use_annotations(seeds_copy, shape.write(seeds_copy))
    result = build(seeds_copy, tmp_path / "out")
    assert result.ok, [str(i) for i in result.report.issues if i.severity == "error"][:5]
    native, imported = published_rows(seed_build), published_rows(tmp_path / "out")
    assert native.keys() == imported.keys()
    assert sum(len(r["entities"]) for r in imported.values()) == SEED_ENTITIES
    assert sum(len(r["quotes"]) for r in imported.values()) == (SEED_QUOTES if shape.quotes else 0)
    for article_id, row in imported.items():
        expected = native[article_id]
        if not shape.quotes:
            expected = {**expected, "quotes": []}
        assert _spans(row, speakers=shape.speakers) == _spans(expected, speakers=shape.speakers), (
            article_id
        )
        if shape.speakers:  # ids differ between formats: compare the speakers' positions
            assert _speakers(row) == _speakers(expected), article_id
        assert row["genre"] == (expected["genre"] if shape.genres else None)
    if shape.name.endswith("found-from-spans"):
        found = [i for i in result.report.issues if "read the text from data.content" in i.message]
        assert len(found) == 5 and found[0].severity == "warning"
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    if not shape.genres:
        assert "5 article(s) have no genre label" in card
    if shape.machine:
        assert "model version ner-gazetteer-v1" in card


def test_ner_only_exports_need_no_document_label_set(seeds_copy: Path, tmp_path: Path) -> None:
    """A dataset.yaml without genre: the column is null and the card says none is declared."""
    import yaml

    use_annotations(seeds_copy, _doccano(doccano_sequence_labeling, NER_ONLY)(seeds_copy))
    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text())
    del config["labels"]["genre"], config["labels"]["text_form"]
    config["task_categories"] = ["token-classification"]
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    result = build(seeds_copy, tmp_path / "out")
    assert result.ok, [str(i) for i in result.report.issues if i.severity == "error"][:5]
    rows = published_rows(tmp_path / "out")
    assert {r["genre"] for r in rows.values()} == {None}
    assert {r["text_form"] for r in rows.values()} == {0, 1}  # ClassLabel ids of the default set
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "No genre label set is declared" in card
