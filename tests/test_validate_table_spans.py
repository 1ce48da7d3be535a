"""The table path's span checks (validate/table_spans.py) where they take another
way: ids too long to pack, ids that differ only in length, nested spans (compared
byte by byte), a span running past the batch's last byte. Each row the per-row
path reports on is flagged, and only that row."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from builder.validate.rows import row_issues
from builder.validate.schemas import SchemaStore
from tests.test_validate_table import SETS, _check, _row


def _flagged(rows: list[dict[str, Any]]) -> list[int]:
    return _check().suspects(rows)[0].tolist()


def _reported(rows: list[dict[str, Any]]) -> list[int]:
    store = SchemaStore.default()
    return [i for i, r in enumerate(rows) if row_issues(store, r, SETS, file=f"f{i}")]


@pytest.mark.parametrize("width", [6, 7, 36], ids=["packed", "one-past", "uuid"])
def test_a_repeated_id_or_unknown_speaker_flags_its_row_at_any_id_length(width: int) -> None:
    rows = [_row(i) for i in range(10)]
    for i, row in enumerate(rows):
        for k, span in enumerate(row["entities"]):
            span["id"] = f"{i}-{k}-".ljust(width, "x")
        row["quotes"][0]["id"] = f"{i}-q-".ljust(width, "x")
        row["quotes"][0]["speaker_id"] = row["entities"][0]["id"]
    assert _flagged(rows) == []
    rows[3]["entities"][2]["id"] = rows[3]["entities"][1]["id"]
    rows[6]["quotes"][0]["speaker_id"] = rows[5]["entities"][0]["id"]  # another row's
    rows[8]["quotes"][0]["id"] = rows[8]["entities"][0]["id"]
    assert _flagged(rows) == _reported(rows) == [3, 6, 8]


def test_ids_that_differ_only_by_a_trailing_nul_are_two_ids() -> None:
    rows = [_row(i) for i in range(3)]
    rows[1]["entities"][1]["id"] = "e1\x00"
    assert _flagged(rows) == _reported(rows) == []
    rows[1]["entities"][2]["id"] = "e1\x00"
    assert _flagged(rows) == _reported(rows) == [1]


def _nested(i: int) -> dict[str, Any]:
    """A non-ASCII row whose entities nest: a name, a word inside it, one after."""
    row = _row(1)  # 'Åda Lövelace met Charles Babbage in Zürich. ...'
    text = row["text"]

    def span(sid: str, word: str) -> dict[str, Any]:
        start = text.index(word)
        return {"id": sid, "start": start, "end": start + len(word), "label": "PER", "text": word}

    row["id"] = f"doc-{i:05d}"
    row["entities"] = [
        span("e1", "Åda Lövelace"),
        span("e2", "Lövelace"),
        span("e3", "Charles Babbage"),
        span("e4", "Babbage"),
        span("e5", "Zürich"),
    ]
    return row


def test_nested_spans_are_compared_with_their_text() -> None:
    rows = [_nested(i) for i in range(4)]
    assert _flagged(rows) == []
    rows[2]["entities"][1]["text"] = "Lovelace"  # inside "Åda Lövelace": "Lövelace"
    assert _flagged(rows) == _reported(rows) == [2]


def test_a_span_past_the_last_byte_of_the_batch_flags_its_row() -> None:
    rows = [_row(0) for _ in range(2)]
    for i, row in enumerate(rows):
        row["id"] = f"doc-{i:05d}"
        text = row["text"] + " Éé"
        row.update(text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest())
        row["entities"][2] = {
            "id": "e3",
            "start": len(text) - 2,
            "end": len(text),
            "label": "LOC",
            "text": "Éé",
        }
    assert _flagged(rows) == []
    # as many code points, more bytes than the batch has after its start
    rows[1]["entities"][2]["text"] = "😀😀"
    assert _flagged(rows) == _reported(rows) == [1]
