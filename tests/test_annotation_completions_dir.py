"""Label Studio 0.x's ``completions`` folder reads as the JSON export of the same tasks.

A folder given as a ``label-studio`` entry is read as a target storage; its task files
were gathered with their ``annotations`` only, so a 0.x project's folder (one
``TASK_ID.json`` per task, the annotations under ``completions``: see
``tool_exports.label_studio_completions_dir``) was refused task by task as having "no
annotation that was not cancelled". A single JSON file with ``completions`` was read.
"""

from __future__ import annotations

import json
from pathlib import Path

from tool_exports import (
    SEED_ENTITIES,
    SEED_QUOTES,
    label_studio_completions_dir,
    label_studio_json,
    published_rows,
    use_annotations,
    write_export,
)

from builder.annotations import read_annotations
from builder.pipeline import build


def _spans(path: Path) -> list[tuple[str, list[tuple[int, int, str]], int]]:
    out = []
    for _, record, issues in read_annotations(path, "label-studio"):
        assert not [str(i) for i in issues if i.severity == "error"]
        assert record is not None
        spans = [(s["start"], s["end"], s.get("label", "QUOTE")) for s in record["entities"]]
        spans += [(s["start"], s["end"], "QUOTE") for s in record["quotes"]]
        speakers = sum(q["speaker"] is not None for q in record["quotes"])
        out.append((record["article_id"], sorted(spans), speakers))
    return out


def test_the_folder_reads_as_the_json_export(seeds_dir: Path, tmp_path: Path) -> None:
    folder = label_studio_completions_dir(seeds_dir, tmp_path / "completions")
    export = write_export(tmp_path / "export.json", label_studio_json(seeds_dir), jsonl=False)
    read = _spans(folder)
    assert read == _spans(export)
    assert sum(len(spans) for _, spans, _ in read) == SEED_ENTITIES + SEED_QUOTES
    assert sum(speakers for *_, speakers in read) > 0


def test_a_broken_completion_is_named_in_its_file(seeds_dir: Path, tmp_path: Path) -> None:
    folder = label_studio_completions_dir(seeds_dir, tmp_path / "completions")
    saved = json.loads((folder / "2.json").read_text(encoding="utf-8"))
    saved["completions"][0]["result"][0]["value"]["start"] = "zero"
    (folder / "2.json").write_text(json.dumps(saved), encoding="utf-8")
    errors = [
        (i.file, i.pointer)
        for _, _, issues in read_annotations(folder, "label-studio")
        for i in issues
        if i.severity == "error"
    ]
    assert errors == [("completions/2.json", "/completions/0/result/0")]


def test_the_seeds_build_from_the_folder(seeds_copy: Path, tmp_path: Path) -> None:
    label_studio_completions_dir(seeds_copy, seeds_copy / "completions")
    use_annotations(seeds_copy, {"path": "completions", "format": "label-studio"})
    result = build(seeds_copy, tmp_path / "out")
    assert result.ok, [str(i) for i in result.report.issues if i.severity == "error"][:5]
    rows = published_rows(tmp_path / "out")
    assert sum(len(r["entities"]) for r in rows.values()) == SEED_ENTITIES
    assert sum(len(r["quotes"]) for r in rows.values()) == SEED_QUOTES
