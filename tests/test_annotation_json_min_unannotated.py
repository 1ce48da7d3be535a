"""A task nobody annotated, in a Label Studio JSON-MIN export, is not an empty annotation.

label_studio_sdk's converter writes a task without annotations (an export of all tasks)
as its data with ``annotation_id`` null (see
``tool_exports.label_studio_json_min_with_unannotated``). It was read as an annotation
with no spans: the build published the article as annotated with nothing, without a word.
The same task in a JSON export (``annotations: []``) is an error naming the task; so is
this one. An annotation submitted with no regions (its ``annotation_id`` set) is still
read, without spans.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tool_exports import (
    label_studio_json,
    label_studio_json_min,
    label_studio_json_min_with_unannotated,
    use_annotations,
    write_export,
)

from builder.annotations import read_annotations

UNANNOTATED = "001_1d161241fa9d0160"


def test_the_unannotated_task_is_an_error_at_its_task(seeds_dir: Path, tmp_path: Path) -> None:
    tasks = label_studio_json_min_with_unannotated(seeds_dir, UNANNOTATED)
    path = write_export(tmp_path / "export.json", tasks, jsonl=False)
    results = list(read_annotations(path, "label-studio"))
    read = {r["article_id"] for _, r, _ in results if r is not None}
    assert UNANNOTATED not in read and len(read) == len(tasks) - 1
    errors = [i for _, _, issues in results for i in issues if i.severity == "error"]
    assert [(i.file, i.line, i.record, i.pointer) for i in errors] == [
        ("export.json", 2, UNANNOTATED, "/annotation_id")
    ]
    assert "has no annotation" in errors[0].message


def test_its_json_twin_says_the_same(seeds_dir: Path, tmp_path: Path) -> None:
    tasks = label_studio_json(seeds_dir)
    tasks[1]["annotations"], tasks[1]["total_annotations"] = [], 0
    path = write_export(tmp_path / "export.json", tasks, jsonl=False)
    errors = [
        (i.line, i.record)
        for _, _, issues in read_annotations(path, "label-studio")
        for i in issues
        if i.severity == "error"
    ]
    assert errors == [(2, UNANNOTATED)]


def test_an_annotation_submitted_empty_is_still_read(seeds_dir: Path, tmp_path: Path) -> None:
    tasks = label_studio_json_min(seeds_dir)
    kept = {"text", "article_id", "id", "annotator", "annotation_id", "created_at"}
    tasks[1] = {k: v for k, v in tasks[1].items() if k in kept | {"updated_at", "lead_time"}}
    path = write_export(tmp_path / "export.json", tasks, jsonl=False)
    results = list(read_annotations(path, "label-studio"))
    (empty,) = [r for _, r, _ in results if r is not None and r["article_id"] == UNANNOTATED]
    assert empty["entities"] == [] and empty["quotes"] == []
    assert not [i for _, _, issues in results for i in issues if i.severity == "error"]


def test_the_build_fails_naming_file_and_task(
    seeds_copy: Path, tmp_path: Path, run_cli: Callable
) -> None:
    tasks = label_studio_json_min_with_unannotated(seeds_copy, UNANNOTATED)
    write_export(seeds_copy / "export.json", tasks, jsonl=False)
    use_annotations(seeds_copy, {"path": "export.json", "format": "label-studio"})
    result = run_cli("build", "--input", str(seeds_copy), "--out", str(tmp_path / "out"))
    assert result.code == 1, result.stderr
    assert "export.json:2" in result.stderr and "has no annotation" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
