"""Spans as columns (span_columns.py) from the anchor to the Arrow table.

The columns are a faster form of the same data: these tests hold them to the
dict form they replace. A row whose spans are columns encodes to the same table
and gets the same located issues as its JSON form, and anchoring gives the
spans the dict code gave, in the published order.
"""

from __future__ import annotations

from typing import Any

import pytest

from builder.anchor import anchor_annotation
from builder.clean.edits import Edit, EditMap
from builder.rows import EDIT_KEYS, edit_columns
from builder.span_columns import SpanColumns, plain_row
from builder.validate.rows import row_issues, table_row_issues
from builder.validate.schemas import SchemaStore
from tests.test_validate_table import SETS, _check, _row

RAW = 'Ada Lovelace met Charles Babbage in London. "It works," she said. Ada smiled.'


def _columns_row(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its spans as columns, as the build makes it."""
    out = dict(row)
    for kind in ("entities", "quotes", "edits"):
        spans = row[kind]
        out[kind] = SpanColumns({k: [s[k] for s in spans] for k in spans[0]})
    return out


def test_span_columns_round_trip_and_refuse_ragged_lists() -> None:
    spans = [{"id": "e1", "start": 0, "end": 3}, {"id": "e2", "start": 4, "end": 9}]
    cols = SpanColumns({k: [s[k] for s in spans] for k in spans[0]})
    assert cols.dicts() == spans and len(cols) == 2
    assert cols.taken([1, 0]).dicts() == spans[::-1]
    assert plain_row({"id": "r", "entities": cols}) == {"id": "r", "entities": spans}
    with pytest.raises(ValueError, match="different lengths"):
        SpanColumns({"id": ["e1"], "start": [0, 1]})


def test_rows_with_span_columns_encode_to_the_table_of_their_json_form() -> None:
    check = _check()
    rows = [_row(i) for i in range(200)]
    rows[5]["entities"] = [{**rows[5]["entities"][0]}]  # one span
    rows[7]["quotes"] = [{**rows[7]["quotes"][0], "text": None}]  # withheld
    columns = [_columns_row(r) for r in rows]
    expected = check.codec.to_table(rows)
    suspects, table = check.suspects(columns)
    assert suspects.tolist() == []
    assert table is not None and table.equals(expected)
    # A batch mixing both forms encodes the same.
    mixed = [columns[i] if i % 2 else rows[i] for i in range(len(rows))]
    assert check.codec.to_table(mixed).equals(expected)


SPAN_CHANGES = [
    ("entities", 1, "text", "Charlie"),
    ("entities", 1, "start", 20),
    ("entities", 0, "end", 0),
    ("quotes", 0, "end", 500),
    ("quotes", 0, "speaker_id", "q1"),
    ("entities", 2, "id", "q1"),
    ("entities", 2, "id", "e1"),
    ("entities", 0, "label", "THING"),  # the encoder refuses it: the batch is suspect
    ("entities", 0, "start", -1),  # below the schema's minimum
    ("entities", 0, "start", True),  # a bool is no integer to the schema
    ("quotes", 0, "id", 7),  # a wrong type
]


@pytest.mark.parametrize(("kind", "index", "key", "value"), SPAN_CHANGES)
def test_a_span_error_in_span_columns_is_reported_as_in_the_json_form(
    kind: str, index: int, key: str, value: Any
) -> None:
    """The columns go through the table check and, when flagged, through the
    per-row reference in their JSON form: the same located issues."""
    store = SchemaStore.default()
    rows = [_row(i) for i in range(12)]
    rows[4][kind][index][key] = value
    files = [f"f{i}.txt" for i in range(len(rows))]
    expected = [row_issues(store, r, SETS, file=f) for r, f in zip(rows, files, strict=True)]
    assert expected[4], "the change is an error"
    columns = [_columns_row(r) for r in rows]
    got, _ = table_row_issues(_check(), store, columns, files, cross_check=[False] * len(rows))
    assert got == expected
    assert all(i.file == "f4.txt" and i.record == rows[4]["id"] and i.pointer for i in got[4])


# -- anchoring into columns ---------------------------------------------------------------
def _annotation() -> dict[str, Any]:
    def span(sid: str, word: str, label: str, occurrence: int = 0) -> dict[str, Any]:
        start = -1
        for _ in range(occurrence + 1):
            start = RAW.index(word, start + 1)
        return {"id": sid, "start": start, "end": start + len(word), "text": word, "label": label}

    quote = RAW.index('"')
    end = RAW.index(',"') + 2
    return {
        "article_id": "a1",
        "entities": [
            span("e1", "Ada Lovelace", "PER"),
            span("e2", "Charles Babbage", "PER"),
            span("e3", "London", "LOC"),
            span("e4", "Ada", "PER", 1),
        ],
        "quotes": [
            {"id": "q1", "start": quote, "end": end, "text": RAW[quote:end], "speaker": "e1"}
        ],
        "labels": {"genre": "news"},
    }


def test_anchored_columns_are_the_spans_on_the_clean_text_in_published_order() -> None:
    ann = _annotation()
    # Shuffle the record: the published order is by (start, end, id) whatever it was.
    ann["entities"] = ann["entities"][::-1]
    emap = EditMap(RAW)
    emap.apply([Edit(3, 4, "  ", "whitespace.x"), Edit(44, 45, "", "punct.y")])
    spans = anchor_annotation(ann, emap.text, emap.edits)
    ents = spans.entity_columns
    assert ents.column("id") == ["e1", "e2", "e3", "e4"]
    assert list(ents.fields) == ["id", "start", "end", "text", "label"]
    for s, e, t in zip(ents.column("start"), ents.column("end"), ents.column("text"), strict=True):
        assert emap.text[s:e] == t
    assert spans.entities[0] == {
        "id": "e1",
        "start": 0,
        "end": 13,
        "text": "Ada  Lovelace",
        "label": "PER",
    }
    (quote,) = spans.quotes
    # the opening quote mark was deleted: the span starts where it was, one after the shift
    assert quote["start"] == ann["quotes"][0]["start"] + 1
    assert quote["end"] == ann["quotes"][0]["end"]
    assert quote["text"] == emap.text[quote["start"] : quote["end"]] == 'It works,"'
    assert quote["speaker_id"] == "e1"
    assert spans.status["anchored"] + spans.status["moved"] == 5


def test_the_edit_log_as_columns_is_as_dict_of_each_edit() -> None:
    emap = EditMap(RAW)
    emap.apply([Edit(3, 4, "  ", "whitespace.x"), Edit(44, 45, "", "punct.y")])
    log = edit_columns(emap.edits)
    assert log.dicts() == [e.as_dict() for e in emap.edits]
    assert edit_columns([]).dicts() == [] and list(edit_columns([]).fields) == list(EDIT_KEYS)
