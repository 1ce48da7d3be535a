"""A doccano span, relation or category column set to ``null`` (an edit gone wrong: doccano
writes ``[]`` for none) is an error naming the file, line and column; it read as "no
spans" and the build passed with the article's spans gone (found by bench/fuzz_inputs.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    doccano_intent_detection,
    doccano_relation_extraction,
    doccano_sequence_labeling,
    doccano_text_label_v1,
    write_export,
)

from builder.annotations import read_annotations

SHAPES = {
    "sequence": (doccano_sequence_labeling, "label"),
    "relations": (doccano_relation_extraction, "entities"),
    "relation list": (doccano_relation_extraction, "relations"),
    "intent": (doccano_intent_detection, "entities"),
    "intent cats": (doccano_intent_detection, "cats"),
    "1.x text label": (doccano_text_label_v1, "labels"),
}


def _errors(lines: list[dict[str, Any]], path: Path) -> list[tuple[Any, ...]]:
    write_export(path, lines, jsonl=True)
    return [
        (i.file, i.line, i.pointer, i.message)
        for _, _, found in read_annotations(path, "doccano")
        for i in found
        if i.severity == "error"
    ]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_null_column_is_an_error_at_its_line(shape: str, seeds_dir: Path, tmp_path: Path) -> None:
    make, key = SHAPES[shape]
    lines = make(seeds_dir)
    before = _errors(lines, tmp_path / "export.jsonl")  # the intent shape has its own
    assert key in lines[1]
    lines[1][key] = None
    new = [e for e in _errors(lines, tmp_path / "export.jsonl") if e not in before]
    assert [e[:3] for e in new] == [("export.jsonl", 2, f"/{key}")]
    assert "null" in new[0][3]


@pytest.mark.parametrize("shape", sorted(set(SHAPES) - {"relations"}))  # relations need them
def test_an_empty_list_is_still_a_line_without_spans(shape, seeds_dir, tmp_path) -> None:
    make, key = SHAPES[shape]
    lines = make(seeds_dir)
    before = _errors(lines, tmp_path / "export.jsonl")
    lines[1][key] = []
    assert set(_errors(lines, tmp_path / "export.jsonl")) <= set(before)
