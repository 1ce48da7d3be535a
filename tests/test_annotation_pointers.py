"""Pointers into a tool's export are JSON pointers (RFC 6901): a key holding ``/`` or
``~`` (a JSON-MIN control named ``ner/person``, a data key ``body/text``, a doccano
column ``my/spans``) is escaped (``/ner~1person``), so the pointer names that key and
not two levels of the export."""

from __future__ import annotations

from typing import Any

from builder.annotations.doccano import line_to_record
from builder.annotations.labelstudio import read_label_studio, task_to_record
from builder.annotations.options import ImportOptions
from builder.validate.report import Issue

TEXT = "Maria Lopez spoke in Tehran on Monday."
OPTIONS = ImportOptions(
    entity_labels=frozenset({"PERSON", "GPE"}),
    doc_label_sets={"genre": ["news_report", "analysis"]},
)


def _errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def _min_task(**keys: Any) -> dict[str, Any]:
    return {"id": 1, "text": TEXT, "article_id": "a1", "annotator": 1, "annotation_id": 7, **keys}


def test_json_min_span_key_with_a_slash_is_escaped() -> None:
    span = {"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["Persn"]}
    options = ImportOptions(label_map={"Person": "PERSON"}, entity_labels=frozenset({"PERSON"}))
    _, record, issues = task_to_record(_min_task(**{"ner/person": [span]}), 1, "x.json", options)
    assert record is None
    assert [i.pointer for i in _errors(issues)] == ["/ner~1person/0"]


def test_json_min_choice_key_with_a_tilde_and_slash_is_escaped() -> None:
    task = _min_task(genre="news_report", **{"doc~genre/2": "analysis"})
    _, record, issues = task_to_record(task, 1, "x.json", OPTIONS)
    assert record is None
    assert [i.pointer for i in _errors(issues)] == ["/doc~0genre~12"]


def test_json_min_key_known_late_is_escaped(tmp_path: Any) -> None:
    """A key that held a string in task 1 and spans in task 2: the late error at task 1."""
    import json

    span = {"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["PERSON"]}
    first = {**_min_task(**{"ner/x": "a note"}), "id": 1, "article_id": "a1"}
    second = {**_min_task(**{"ner/x": [span]}), "id": 2, "annotation_id": 8, "article_id": "a2"}
    path = tmp_path / "min.json"
    path.write_text(json.dumps([first, second]), encoding="utf-8")
    issues = [i for _, _, found in read_label_studio(path, OPTIONS) for i in found]
    assert [i.pointer for i in _errors(issues)] == ["/ner~1x"]


def test_text_key_with_a_slash_is_escaped_in_issues_and_origin() -> None:
    options = ImportOptions(text_key="body/text")
    task = {"id": 1, "data": {"article_id": "a1", "body/text": 5}, "annotations": []}
    _, record, issues = task_to_record(task, 1, "x.json", options)
    assert record is None
    assert [i.pointer for i in _errors(issues)] == ["/data/body~1text"]

    task = {
        "id": 1,
        "data": {"article_id": "a1", "body/text": TEXT},
        "annotations": [{"id": 3, "result": []}],
    }
    _, record, _ = task_to_record(task, 1, "x.json", options)
    assert record is not None
    assert record.file_pointer("/text_sha256") == "/data/body~1text"


def test_doccano_unknown_span_column_with_a_slash_is_escaped() -> None:
    line = {"id": 1, "article_id": "a1", "text": TEXT, "label": [], "my/spans": [[0, 11, "X"]]}
    _, record, issues = line_to_record(line, 1, "x.jsonl", options=OPTIONS)
    assert record is None
    assert [i.pointer for i in _errors(issues)] == ["/my~1spans"]
