"""Row validation over a 10,000-row batch: one error per rule, each found and located."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from builder.validate.rows import check_rows, row_issues
from builder.validate.schemas import SchemaStore

SETS = {
    "entity": ["PER", "ORG", "LOC"],
    "genre": ["news", "opinion"],
    "text_form": ["cased", "lowercased_tokenized"],
}
TEXT = 'Ada Lovelace met Charles Babbage in London. "It works," she said.'
ROWS = 10_000


def _row(i: int) -> dict[str, Any]:
    def span(sid: str, word: str, label: str) -> dict[str, Any]:
        start = TEXT.index(word)
        return {"id": sid, "start": start, "end": start + len(word), "label": label, "text": word}

    quote = TEXT.index('"It works,"')
    return {
        "id": f"doc-{i:05d}",
        "text": TEXT,
        "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        "raw_sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        "genre": "news",
        "text_form": "cased",
        "source": {
            "publisher": "Outlet",
            "headline": "A meeting",
            "author": None,
            "url": "https://example.com/a",
            "published_earliest": "1833-06-05",
            "published_latest": "1833-06-05",
            "captured_earliest": None,
            "captured_latest": None,
            "language": "en",
            "redistribution": "allowed",
            "rights": "CC-BY-4.0",
        },
        "entities": [
            span("e1", "Ada Lovelace", "PER"),
            span("e2", "Charles Babbage", "PER"),
            span("e3", "London", "LOC"),
        ],
        "quotes": [
            {
                "id": "q1",
                "start": quote,
                "end": quote + len('"It works,"'),
                "text": '"It works,"',
                "speaker_id": "e1",
            }
        ],
        "edits": [
            {
                "raw_start": 3,
                "raw_end": 5,
                "clean_start": 3,
                "clean_end": 4,
                "original": "  ",
                "replacement": " ",
                "reason": "whitespace",
            }
        ],
    }


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def inject(row: dict[str, Any]) -> None:
        target = row
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return inject


def _delete(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda row: row.pop(key)


#: rule -> (how to break a row, the pointer the error must come back with)
INJECTIONS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    # JSON Schema keywords (the reference validator locates them)
    "required": (_delete("genre"), ""),
    "additionalProperties": (_set(("extra",), 1), ""),
    "type": (_set(("text_form",), None), "/text_form"),
    "pattern": (_set(("text_sha256",), "not-a-hash"), "/text_sha256"),
    "minimum": (_set(("edits", 0, "raw_start"), -1), "/edits/0/raw_start"),
    "enum": (_set(("source", "redistribution"), "maybe"), "/source/redistribution"),
    "format": (_set(("source", "published_earliest"), "1833-13-45"), "/source/published_earliest"),
    # what a schema cannot say
    "unique-span-id": (_set(("entities", 1, "id"), "e1"), "/entities/1/id"),
    "label-set": (_set(("entities", 2, "label"), "THING"), "/entities/2/label"),
    "span-order": (_set(("entities", 0, "end"), 0), "/entities/0"),
    "span-bounds": (_set(("entities", 2, "end"), len(TEXT) + 5), "/entities/2/end"),
    "span-text": (_set(("entities", 1, "text"), "Charles Darwin"), "/entities/1/text"),
    "speaker-ref": (_set(("quotes", 0, "speaker_id"), "e9"), "/quotes/0/speaker_id"),
}


def test_every_rule_is_found_and_located_in_a_10000_row_batch() -> None:
    store = SchemaStore.default()
    rows = [_row(i) for i in range(ROWS)]
    expected = set()
    step = ROWS // len(INJECTIONS)
    for n, (rule, (inject, pointer)) in enumerate(sorted(INJECTIONS.items())):
        i = n * step + 7  # spread over the batch
        inject(rows[i])
        expected.add((f"{rows[i]['id']}.txt", rows[i]["id"], pointer, rule))
    issues = check_rows(store, ((f"{r['id']}.txt", r) for r in rows), SETS)
    found = {(i.file, i.record, i.pointer, i.rule) for i in issues}
    assert found == expected
    assert all(i.severity == "error" and i.message for i in issues)
    assert len(issues) == len(INJECTIONS)  # one each, nothing reported twice


@pytest.mark.parametrize("rule", sorted(INJECTIONS))
def test_a_single_broken_row_reports_its_rule_at_its_pointer(rule: str) -> None:
    inject, pointer = INJECTIONS[rule]
    row = copy.deepcopy(_row(1))
    inject(row)
    issues = row_issues(SchemaStore.default(), row, SETS, file="doc-00001.txt")
    assert [(i.record, i.pointer, i.rule) for i in issues] == [("doc-00001", pointer, rule)]


def test_the_unbroken_row_is_valid_for_both_validators() -> None:
    store = SchemaStore.default()
    row = _row(0)
    assert row_issues(store, row, SETS, file="doc-00000.txt", cross_check=True) == []
