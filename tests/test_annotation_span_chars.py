"""Spans given by offsets alone cannot make more text than the record limit.

Each span keeps its text: 500 doccano triples nested over a 200 kB article (a 244 kB
line) made 100 M characters of span text, and the build ran out of memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from builder.annotations import read_annotations
from builder.annotations.options import ImportOptions

TEXT = "word " * 1000  # 5,000 characters
LIMIT = 20_000  # limits.max_record_bytes: the spans below quote 247,500 characters


def _doccano(path: Path) -> None:
    spans = [[i, len(TEXT) - i, "GPE"] for i in range(50)]
    line = {"id": 1, "article_id": "a1", "text": TEXT, "label": spans}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")


def _label_studio(path: Path) -> None:
    result = [
        {
            "id": f"r{i}",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": i, "end": len(TEXT) - i, "labels": ["GPE"]},
        }
        for i in range(50)
    ]
    task = {
        "id": 1,
        "data": {"text": TEXT, "article_id": "a1"},
        "annotations": [{"id": 7, "result": result}],
    }
    path.write_text(json.dumps([task]), encoding="utf-8")


@pytest.mark.parametrize(("fmt", "write"), [("doccano", _doccano), ("label-studio", _label_studio)])
def test_spans_quoting_more_than_the_record_limit_are_an_error(
    tmp_path: Path, fmt: str, write: Any
) -> None:
    path = tmp_path / "export.json"
    write(path)
    options = ImportOptions(
        entity_labels=frozenset({"GPE"}), offsets="code-points" if fmt == "doccano" else None
    )
    results = list(read_annotations(path, fmt, options=options, max_line_bytes=LIMIT))
    issues = [i for _, _, found in results for i in found]
    limit = [i for i in issues if i.rule == "size-limit"]
    assert len(limit) == 1, issues
    assert "limits.max_record_bytes" in limit[0].message
    assert all(record is None for _, record, _ in results)


@pytest.mark.parametrize(("fmt", "write"), [("doccano", _doccano), ("label-studio", _label_studio)])
def test_the_same_spans_within_the_limit_are_read(tmp_path: Path, fmt: str, write: Any) -> None:
    path = tmp_path / "export.json"
    write(path)
    options = ImportOptions(
        entity_labels=frozenset({"GPE"}), offsets="code-points" if fmt == "doccano" else None
    )
    results = list(read_annotations(path, fmt, options=options, max_line_bytes=1_000_000))
    records = [record for _, record, _ in results if record is not None]
    assert len(records) == 1 and len(records[0]["entities"]) == 50
