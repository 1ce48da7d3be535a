"""The per-article shortcuts of check_annotation and anchor_annotation.

``check_spans`` first checks a whole span list with one tuple per span and hands
the entity spans' columns to the anchoring; any doubt goes to the located loop.
These tests hold both shortcuts to the paths they stand in for: the same issues
(located the same), the same anchored columns and counts, and no columns when a
span has an issue.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from builder.anchor import anchor_annotation
from builder.clean.edits import Edit, EditMap
from builder.staging import dump_record, load_columns
from builder.validate import checks
from builder.validate.checks import check_annotation
from tests.test_span_columns import RAW, _annotation

SETS = {"entity": ["PER", "LOC"], "genre": ["news"], "text_form": ["cased"]}


def _slow_issues(ann: dict[str, Any], raw: str | None) -> list[Any]:
    """check_annotation with the whole-list pass turned off: the located loop only."""
    saved = checks._none_found
    checks._none_found = lambda *a, **k: None  # type: ignore[assignment]
    try:
        return check_annotation(ann, raw, SETS, file="a.jsonl", line=3)
    finally:
        checks._none_found = saved


CHANGES: list[tuple[str, int, str, Any]] = [
    ("entities", 1, "text", "Charlie"),
    ("entities", 1, "start", 20),
    ("entities", 0, "end", 0),
    ("entities", 0, "end", 5000),
    ("entities", 2, "id", "e1"),
    ("entities", 0, "label", "THING"),
    ("entities", 0, "start", True),
    ("entities", 0, "start", 1.0),
    ("entities", 0, "text", None),
    ("entities", 0, "id", ["unhashable"]),
    ("quotes", 0, "id", "e2"),
    ("quotes", 0, "end", 5000),
    ("quotes", 0, "speaker", "nobody"),
]


def _stored(ann: dict[str, Any]) -> dict[str, Any]:
    """``ann`` as a worker reads it from the staging: its span lists as columns."""
    return load_columns(dump_record("annotation", ann)[0])


@pytest.mark.parametrize("form", ["dicts", "columns"])
@pytest.mark.parametrize(("kind", "index", "key", "value"), CHANGES)
def test_a_changed_span_gets_the_issues_of_the_located_loop(
    kind: str, index: int, key: str, value: Any, form: str
) -> None:
    ann = _annotation()
    ann[kind][index][key] = value
    columns: dict[str, Any] = {}
    try:
        expected = _slow_issues(copy.deepcopy(ann), RAW)
    except TypeError:  # an unhashable id: both paths raise alike
        with pytest.raises(TypeError):
            checked = ann if form == "dicts" else _stored(ann)
            check_annotation(checked, RAW, SETS, file="a.jsonl", line=3, columns=columns)
        return
    if form == "columns":
        ann = _stored(ann)
    got = check_annotation(ann, RAW, SETS, file="a.jsonl", line=3, columns=columns)
    assert got == expected
    if any(i.pointer and i.pointer.startswith("/entities") for i in got):
        assert "/entities" not in columns  # a span with an issue: nothing to anchor from
    if (key, value) == ("start", 1.0):  # no issue here (the schema's), but not an int
        assert "/entities" not in columns
    if (kind, key, value) == ("entities", "text", None):  # nothing compared: no texts
        assert columns["/entities"].texts is None


def test_a_clean_record_has_no_issue_and_its_entity_columns() -> None:
    ann = _annotation()
    columns: dict[str, Any] = {}
    assert check_annotation(ann, RAW, SETS, file="a", line=1, columns=columns) == []
    assert _slow_issues(ann, RAW) == []
    ids, starts, ends, texts, labels, increasing = columns["/entities"]
    ents = ann["entities"]
    assert ids == [s["id"] for s in ents] and starts == [s["start"] for s in ents]
    assert ends == [s["end"] for s in ents] and texts == [s["text"] for s in ents]
    assert labels == [s["label"] for s in ents]
    assert increasing is True
    ann["entities"] = ann["entities"][::-1]
    columns.clear()
    assert check_annotation(ann, RAW, SETS, file="a", line=1, columns=columns) == []
    assert columns["/entities"].increasing is False


EDIT_LOGS = [
    [],  # nothing cleaned
    [Edit(len(RAW) - 1, len(RAW), "", "punct.y")],  # after every entity: untouched
    [Edit(0, 0, "  ", "ws.x")],  # an insertion before all: every span shifted
    [Edit(3, 4, "  ", "whitespace.x"), Edit(44, 45, "", "punct.y")],  # touches e1
]


@pytest.mark.parametrize("edits", EDIT_LOGS)
@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("form", ["dicts", "columns"])
def test_anchoring_from_checked_columns_is_anchoring_from_the_dicts(
    edits: list[Edit], shuffled: bool, form: str
) -> None:
    ann = _annotation()
    if shuffled:  # published order is by (start, end, id) whatever the record's
        ann["entities"] = ann["entities"][::-1]
        ann["quotes"] = ann["quotes"][::-1]
    checked = ann if form == "dicts" else _stored(ann)
    columns: dict[str, Any] = {}
    assert check_annotation(checked, RAW, SETS, file="a", line=1, columns=columns) == []
    assert set(columns) == {"/entities", "/quotes"}
    emap = EditMap(RAW)
    emap.apply(edits)
    plain = anchor_annotation(ann, emap.text, emap.edits)
    fast = anchor_annotation(
        checked,
        emap.text,
        emap.edits,
        entity_columns=columns["/entities"],
        quote_columns=columns["/quotes"],
    )
    # the record's columns, without the checked ones: the full way on the columns
    slow = anchor_annotation(checked, emap.text, emap.edits)
    assert slow.entity_columns == plain.entity_columns
    assert slow.quote_columns == plain.quote_columns and slow.status == plain.status
    assert fast.entity_columns == plain.entity_columns
    assert fast.quote_columns == plain.quote_columns
    assert fast.status == plain.status and list(fast.status) == list(plain.status)
    assert fast.methods == plain.methods and fast.issues == plain.issues
    for s, e, t in zip(
        *(fast.entity_columns.column(k) for k in ("start", "end", "text")), strict=True
    ):
        assert emap.text[s:e] == t
