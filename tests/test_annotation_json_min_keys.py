"""A Label Studio JSON-MIN key that holds spans in one task holds spans in every task.

Without a labeling config a JSON-MIN key is known as spans only by what it holds. A
task whose ``label`` was null, a number, a boolean, NaN, 1e400 or a string was read as a
task with a data field ``label`` and its spans were dropped with exit 0 (found by
bench/fuzz_inputs.py). ``convert_to_json_min`` (label-studio-converter / label_studio_sdk)
writes a key only for a control with results, so a task without regions leaves the key
out; any other value is an error at the task and ``/label``, whether the task comes
before or after the first task with spans. A span list with one malformed item, and a
task ``id`` of ``true`` (``true == 1`` joined it to task 1 as a second annotation, one
then skipped), are caught in the same way. Data fields that are strings or numbers in
every task are still data fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tool_exports import label_studio_json_min, use_annotations, write_export, write_tasks_with_raw

from builder.annotations import read_annotations

#: raw JSON written in place of the key's value (NaN and 1e400 are what Python's json
#: module reads from a hand-edited file: a float, never spans)
BAD = {
    "null": "null",
    "number": "7",
    "bool": "true",
    "nan": "NaN",
    "big": "1e400",
    "string": '"Person"',
    "object": '{"start": 0, "end": 3, "labels": ["Person"]}',
    "list of strings": '["Person"]',
}


def _read(path: Path) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    records, errors = [], []
    for _, record, issues in read_annotations(path, "label-studio"):
        if record is not None:
            records.append(record)
        errors += [(i.file, i.line, i.pointer, i.message) for i in issues if i.severity == "error"]
    return records, errors


def _spans(records: list[dict[str, Any]]) -> int:
    return sum(len(r["entities"]) + len(r["quotes"]) for r in records)


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("index", [1, 0], ids=["after spans", "before spans"])
def test_a_span_key_holding_no_spans_is_an_error_at_its_task(
    kind: str, index: int, seeds_dir: Path, tmp_path: Path
) -> None:
    tasks = label_studio_json_min(seeds_dir)
    assert all(isinstance(t["label"], list) and t["label"] for t in tasks)
    path = write_tasks_with_raw(tmp_path / "export.json", tasks, {(index, "label"): BAD[kind]})
    _, errors = _read(path)
    if kind == "list of strings" and index == 1:  # a span list whose item is no object
        assert [e[:3] for e in errors] == [("export.json", 2, "/label/0")]
        assert "value is not an object ('Person')" in errors[0][3]
        return
    assert [e[:3] for e in errors] == [("export.json", index + 1, "/label")]
    other = 2 if index == 0 else 1
    assert f"holds spans in task {other} (id {other})" in errors[0][3]


@pytest.mark.parametrize("value", [[], None], ids=["empty list", "left out"])
def test_a_task_without_regions_is_read_without_spans(
    value: Any, seeds_dir: Path, tmp_path: Path
) -> None:
    """What the converter writes for a task labelled with nothing: no error, the other
    tasks' spans all kept."""
    tasks = label_studio_json_min(seeds_dir)
    full, _ = _read(write_export(tmp_path / "full.json", tasks, jsonl=False))
    lost = len(tasks[1]["label"])
    if value is None:
        del tasks[1]["label"]
    else:
        tasks[1]["label"] = value
    records, errors = _read(write_export(tmp_path / "export.json", tasks, jsonl=False))
    assert errors == []
    assert len(records) == len(full) and _spans(records) == _spans(full) - lost


@pytest.mark.parametrize("bad", ["null", "7", '"x"', "{}"])
def test_one_malformed_item_in_a_span_list_is_an_error_at_its_index(
    bad: str, seeds_dir: Path, tmp_path: Path
) -> None:
    """The list was read as a data field (not every item a span), all its spans gone."""
    tasks = label_studio_json_min(seeds_dir)
    tasks[1]["label"] = [tasks[1]["label"][0], "@@bad@@"]
    text = json.dumps(tasks, indent=2).replace('"@@bad@@"', bad)
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    _, errors = _read(path)
    assert [e[:3] for e in errors] == [("export.json", 2, "/label/1")]


def test_a_list_of_no_spans_where_spans_were_is_an_error(seeds_dir: Path, tmp_path: Path) -> None:
    """A list of objects without start or labels was a warning ("results this importer
    does not read") and the task's spans gone, exit 0."""
    tasks = label_studio_json_min(seeds_dir)
    tasks[3]["label"] = [{"begin": 0, "finish": 4, "tag": "Person"}]
    _, errors = _read(write_export(tmp_path / "export.json", tasks, jsonl=False))
    assert errors and {e[:2] for e in errors} == {("export.json", 4)}
    assert all(e[2].startswith("/label") for e in errors)


def test_data_fields_of_any_type_in_every_task_are_not_spans(
    seeds_dir: Path, tmp_path: Path
) -> None:
    tasks = label_studio_json_min(seeds_dir)
    full, _ = _read(write_export(tmp_path / "full.json", tasks, jsonl=False))
    for n, task in enumerate(tasks):
        task.update(source="wire", words=100 + n, flagged=n % 2 == 0, note=None, tags=["a"])
    records, errors = _read(write_export(tmp_path / "export.json", tasks, jsonl=False))
    assert errors == [] and _spans(records) == _spans(full)


def test_a_task_id_of_true_is_not_task_1(seeds_dir: Path, tmp_path: Path) -> None:
    """``true == 1``: the task was taken for a second annotation of task 1 and skipped."""
    tasks = label_studio_json_min(seeds_dir)
    full, _ = _read(write_export(tmp_path / "full.json", tasks, jsonl=False))
    path = write_tasks_with_raw(tmp_path / "export.json", tasks, {(1, "id"): "true"})
    records, errors = _read(path)
    assert errors == [] and len(records) == len(full) and _spans(records) == _spans(full)


def test_the_build_fails_naming_the_file_task_and_key(
    seeds_copy: Path, tmp_path: Path, run_cli: Callable
) -> None:
    tasks = label_studio_json_min(seeds_copy)
    write_tasks_with_raw(seeds_copy / "export.json", tasks, {(1, "label"): "1e400"})
    use_annotations(seeds_copy, {"path": "export.json", "format": "label-studio"})
    result = run_cli("build", "--input", str(seeds_copy), "--out", str(tmp_path / "out"))
    assert result.code == 1, result.stderr
    assert "export.json:2" in result.stderr and "/label" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
