"""A Label Studio JSON-MIN key that holds choices in one task holds choices in every task,
by the rule a span key is held to (tests/test_annotation_json_min_keys.py): one rule.

``convert_to_json_min`` writes a choices control with one choice as the bare string and
with several as ``{"choices": [...]}``, and leaves the key out of a task without a choice.
Without a labeling config, a key whose name is no control name (``kind`` here, not
``genre``) is known as choices only because its value is a label name. A task where that
key held null, a number, a string that is no label, or spans was read as a task with a
data field and its document label dropped (exit 0); so was a task before the first one
whose value showed the key to be choices. A span key holding choices is the same error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    Style,
    label_studio_json_min,
    use_annotations,
    write_export,
    write_tasks_with_raw,
)

from builder.annotations import read_annotations
from builder.annotations.options import ImportOptions
from builder.config import load_config

STYLE = Style(genre_control="kind", form_control="form")

#: raw JSON written in place of a key's value
BAD = {
    "null": "null",
    "number": "7",
    "bool": "false",
    "not a label": '"opinion piece"',
    "an object without choices": '{"choice": "analysis"}',
    "spans (the other kind)": "",  # the task's own first span (see below)
}


def _options(seeds: Path) -> ImportOptions:
    config = load_config(seeds)
    return ImportOptions(
        doc_label_sets={"genre": config.genre_labels, "text_form": config.text_form_labels}
    )


def _read(path: Path, options: ImportOptions) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    records, errors = [], []
    for _, record, issues in read_annotations(path, "label-studio", options=options):
        if record is not None:
            records.append(record)
        errors += [(i.file, i.line, i.pointer, i.message) for i in issues if i.severity == "error"]
    return records, errors


def test_the_exporter_s_shape_reads_every_document_label(seeds_dir: Path, tmp_path: Path) -> None:
    tasks = label_studio_json_min(seeds_dir, STYLE)
    assert all(isinstance(t["kind"], str) and isinstance(t["form"], str) for t in tasks)
    tasks[2]["kind"] = {"choices": [tasks[2]["kind"]]}  # as written for a multi-choice control
    records, errors = _read(
        write_export(tmp_path / "e.json", tasks, jsonl=False), _options(seeds_dir)
    )
    assert errors == []
    assert all(set(r["labels"]) == {"genre", "text_form"} for r in records), records


@pytest.mark.parametrize("key", ["kind", "label"], ids=["choices key", "span key"])
@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("index", [1, 0], ids=["after", "before"])
def test_a_control_key_holding_something_else_is_an_error_at_its_task(
    key: str, kind: str, index: int, seeds_dir: Path, tmp_path: Path
) -> None:
    """The same values, the same verdict, for a choices key and for a span key: an
    error at the task and the key, whether the task comes before or after the first
    one that showed what the key holds."""
    tasks = label_studio_json_min(seeds_dir, STYLE)
    bad = BAD[kind]
    if kind == "spans (the other kind)":
        # the other kind, well formed: for a choices key a span of the task's text, for
        # a span key the task's choice
        other = tasks[index]["label"][:1] if key == "kind" else tasks[index]["kind"]
        bad = json.dumps(other)
    path = write_tasks_with_raw(tmp_path / "export.json", tasks, {(index, key): bad})
    _, errors = _read(path, _options(seeds_dir))
    assert errors, f"{key}={bad} in task {index + 1} was read as a data field"
    assert all(e[2].startswith(f"/{key}") for e in errors), errors
    if kind == "spans (the other kind)" and index == 0:
        # Task 1 shows the key as one kind, the others as the other: which is wrong the
        # reader cannot tell, so each later task is an error naming task 1.
        assert {e[1] for e in errors} == set(range(2, len(tasks) + 1)), errors
        assert all("in task 1 (id 1)" in e[3] for e in errors), errors
        return
    assert {e[:2] for e in errors} == {("export.json", index + 1)}, errors


@pytest.mark.parametrize("index", [1, 0], ids=["after", "before"])
def test_the_message_says_where_the_key_held_choices(
    index: int, seeds_dir: Path, tmp_path: Path
) -> None:
    tasks = label_studio_json_min(seeds_dir, STYLE)
    path = write_tasks_with_raw(tmp_path / "export.json", tasks, {(index, "kind"): "null"})
    _, errors = _read(path, _options(seeds_dir))
    other = 2 if index == 0 else 1
    [(_, line, pointer, message)] = errors
    assert (line, pointer) == (index + 1, "/kind")
    assert f"key 'kind' is null here but holds choices in task {other} (id {other})" in message
    assert "this document label would be lost" in message


@pytest.mark.parametrize("value", [None, []], ids=["left out", "empty list"])
def test_a_task_without_a_choice_is_read_without_that_label(
    value: Any, seeds_dir: Path, tmp_path: Path
) -> None:
    """What the exporter writes for a task nobody classified: no error, the label absent."""
    tasks = label_studio_json_min(seeds_dir, STYLE)
    if value is None:
        del tasks[1]["kind"]
    else:
        tasks[1]["kind"] = value
    records, errors = _read(
        write_export(tmp_path / "e.json", tasks, jsonl=False), _options(seeds_dir)
    )
    assert errors == []
    assert "genre" not in records[1]["labels"]
    assert all("genre" in r["labels"] for n, r in enumerate(records) if n != 1)


def test_a_data_field_that_never_holds_a_label_stays_a_data_field(
    seeds_dir: Path, tmp_path: Path
) -> None:
    tasks = label_studio_json_min(seeds_dir, STYLE)
    for n, task in enumerate(tasks):
        task.update(desk="world", words=100 + n, note=None)
    records, errors = _read(
        write_export(tmp_path / "e.json", tasks, jsonl=False), _options(seeds_dir)
    )
    assert errors == [] and len(records) == len(tasks)


def test_the_build_fails_naming_the_file_task_and_key(
    seeds_copy: Path, tmp_path: Path, run_cli: Callable
) -> None:
    tasks = label_studio_json_min(seeds_copy, STYLE)
    write_tasks_with_raw(seeds_copy / "export.json", tasks, {(0, "kind"): "7"})
    use_annotations(seeds_copy, {"path": "export.json", "format": "label-studio"})
    out = tmp_path / "out"
    result = run_cli("build", "--input", str(seeds_copy), "--out", str(out))
    assert result.code == 1, result.stderr
    assert "export.json:1" in result.stderr and "/kind" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
