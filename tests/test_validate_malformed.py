"""A row or annotation of the wrong shape (a span list that is a string, a span that
is a number, an id that is a list ...) gets located issues from the checks, never
an exception: the schema says what is wrong with it, and the checks a schema cannot
express skip what they cannot read (a row assembly bug must be reported, not crash
the build)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from builder.features import RowCodec
from builder.validate.checks import check_annotation, check_row
from builder.validate.rows import row_issues, table_row_issues
from builder.validate.schemas import SchemaStore
from builder.validate.table import TableCheck
from tests.test_validate_rows import SETS, _row

Mutation = Callable[[dict[str, Any]], None]


def _put(*path: Any, value: Any) -> Mutation:
    def mutate(record: dict[str, Any]) -> None:
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


#: (name, mutation, pointer the schema locates it at)
SHAPES: list[tuple[str, Mutation, str]] = [
    ("entities a string", _put("entities", value="abc"), "/entities"),
    ("entities a number", _put("entities", value=5), "/entities"),
    ("entities null", _put("entities", value=None), "/entities"),
    ("entities an object", _put("entities", value={"a": 1}), "/entities"),
    ("quotes a string", _put("quotes", value="q"), "/quotes"),
    ("an entity a number", _put("entities", 0, value=7), "/entities/0"),
    ("an entity a list", _put("entities", 0, value=[1, 2]), "/entities/0"),
    ("an entity null", _put("entities", 0, value=None), "/entities/0"),
    ("a quote a number", _put("quotes", 0, value=3), "/quotes/0"),
    ("an entity id a list", _put("entities", 0, "id", value=["e1"]), "/entities/0/id"),
    ("an entity id an object", _put("entities", 0, "id", value={"e": 1}), "/entities/0/id"),
    ("a label a list", _put("entities", 0, "label", value=["PER"]), "/entities/0/label"),
    ("a speaker a list", _put("quotes", 0, "speaker_id", value=["e1"]), "/quotes/0/speaker_id"),
    (
        "a speaker an object",
        _put("quotes", 0, "speaker_id", value={"e": 1}),
        "/quotes/0/speaker_id",
    ),
    ("the text a number", _put("text", value=5), "/text"),
    ("the text a list", _put("text", value=["a"]), "/text"),
]


def _malformed(mutate: Mutation) -> dict[str, Any]:
    row = copy.deepcopy(_row(0))
    mutate(row)
    return row


@pytest.mark.parametrize(("name", "mutate", "pointer"), SHAPES, ids=[s[0] for s in SHAPES])
def test_a_malformed_row_is_reported_where_it_is(name: str, mutate: Mutation, pointer: str) -> None:
    store = SchemaStore.default()
    issues = row_issues(store, _malformed(mutate), SETS, file="doc-00000.txt")
    assert issues, name
    assert pointer in {i.pointer for i in issues}, [str(i) for i in issues]
    assert all(i.file == "doc-00000.txt" and i.record == "doc-00000" for i in issues)


def test_a_row_that_is_not_an_object_is_reported() -> None:
    store = SchemaStore.default()
    for bad in (None, 5, "row", [1]):
        issues = row_issues(store, bad, SETS, file="x.txt")  # type: ignore[arg-type]
        assert [(i.file, i.pointer, i.rule) for i in issues] == [("x.txt", "", "type")]
        assert check_row(bad, SETS) == []  # type: ignore[arg-type]


def test_the_table_path_reports_malformed_rows_as_the_row_path() -> None:
    """In a batch of good rows, each malformed row flags its batch, which the per-row
    path then reports exactly as :func:`row_issues` does."""
    store = SchemaStore.default()
    check = TableCheck(RowCodec(store.schemas["row"], SETS))
    for name, mutate, _ in SHAPES:
        rows = [_row(i) for i in range(8)]
        mutate(rows[3])
        files = [f"{r['id']}.txt" for r in rows]
        found, _ = table_row_issues(check, store, rows, files, cross_check=[False] * 8)
        want = [row_issues(store, r, SETS, file=f) for r, f in zip(rows, files, strict=True)]
        assert found == want, name
        assert found[3] and not any(found[:3] + found[4:]), name


def test_a_malformed_annotation_is_checked_without_an_exception() -> None:
    """The pipeline checks spans only of schema-valid annotations, but the checks
    themselves take any shape: what they cannot read is the schema's to report."""
    row = _row(0)
    text = row["text"]
    good = {
        "article_id": "a1",
        "annotator": "x",
        "entities": copy.deepcopy(row["entities"]),
        "quotes": [
            {k if k != "speaker_id" else "speaker": v for k, v in q.items()} for q in row["quotes"]
        ],
        "labels": {"genre": "news"},
    }
    assert check_annotation(good, text, SETS, file="a.jsonl", line=1) == []
    spoilt: list[Mutation] = [
        _put("entities", value="abc"),
        _put("entities", 0, value=7),
        _put("entities", 0, "id", value=["e1"]),
        _put("entities", 0, "label", value={"PER": 1}),
        _put("quotes", value=4),
        _put("quotes", 0, value="q"),
        _put("quotes", 0, "speaker", value=["e1"]),
        _put("labels", value=["news"]),
        _put("labels", value="news"),
    ]
    for mutate in spoilt:
        ann = copy.deepcopy(good)
        mutate(ann)
        for raw in (text, None, 5):
            issues = check_annotation(ann, raw, SETS, file="a.jsonl", line=1)  # type: ignore[arg-type]
            assert all(i.file == "a.jsonl" and i.line == 1 and i.pointer for i in issues)
    assert check_annotation(None, text, SETS, file="a.jsonl", line=1) == []  # type: ignore[arg-type]


def test_a_span_label_with_no_entity_label_set_names_the_setting() -> None:
    """``labels.entity`` left out of dataset.yaml: every span said "is not in the label
    set []", naming neither the setting nor the file that lacks it."""
    row = _row(0)
    ann = {"article_id": "a1", "annotator": "x", "entities": copy.deepcopy(row["entities"])}
    issues = check_annotation(ann, row["text"], {**SETS, "entity": []}, file="a.jsonl", line=1)
    assert issues and {i.rule for i in issues} == {"label-set"}
    assert all(
        "declares no entity label set (labels.entity in dataset.yaml)" in i.message for i in issues
    )
