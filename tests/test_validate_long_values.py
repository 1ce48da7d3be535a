"""Values whose checking must cost in proportion to a sane value, not to what was given.

Counted, not timed: how long a string the URI parser is handed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema._format as formats
import pytest

from builder.validate.schemas import SchemaStore

#: the longest url checked (builder.validate.schemas.MAX_URI_CHARS, the url's maxLength)
MAX_URI_CHARS = 65536
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _source(url: str) -> dict[str, Any]:
    first = (SEEDS / "sources.jsonl").read_text(encoding="utf-8").splitlines()[0]
    return {**json.loads(first), "url": url}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lengths of the strings rfc3986-validator's regex is run on."""
    lengths: list[int] = []
    real = formats.validate_rfc3986

    def counted(value: str, rule: str = "URI") -> Any:
        lengths.append(len(value))
        return real(value, rule=rule)

    monkeypatch.setattr(formats, "validate_rfc3986", counted)
    return lengths


def test_a_huge_url_is_too_long_without_being_parsed(parsed: list[int]) -> None:
    # A 5 MB url took the build from 165 MB to 720 MB: the regex's memory, ~120 B a char.
    record = _source("https://example.com/" + "a" * (2 * MAX_URI_CHARS))
    store = SchemaStore.default()
    rules = {e.validator for e in store.reference("source").iter_errors(record)}
    assert "maxLength" in rules
    assert not store.is_valid_fast("source", record)
    assert not parsed or max(parsed) <= MAX_URI_CHARS


def test_a_long_real_url_is_still_checked(parsed: list[int]) -> None:
    url = "https://example.com/a?" + "&".join(f"utm_{i}=x" for i in range(500))
    record = _source(url)
    store = SchemaStore.default()
    assert list(store.reference("source").iter_errors(record)) == []
    assert len(url) in parsed


def test_spans_over_a_huge_text_do_not_each_quote_it_whole() -> None:
    # 400 spans over a 1 MB article, each with text 'x': 400 MB of messages, 946 MB RSS.
    from builder.validate.checks import check_spans

    text = "word " * 200_000
    spans = [
        {"id": f"e{i}", "start": 0, "end": len(text), "text": "x", "label": "GPE"}
        for i in range(50)
    ]
    where = {"file": "annotations.jsonl", "line": 1, "record": "a"}
    issues = check_spans(spans, text, pointer="/entities", where=where, seen_ids=set())
    assert [i.rule for i in issues] == ["span-text"] * 50
    assert all(len(i.message) <= 2000 for i in issues)
    assert "characters not shown" in issues[0].message


def test_an_issue_keeps_no_message_of_megabytes() -> None:
    from builder.validate.report import Issue

    issue = Issue(file="sources.jsonl", rule="maxLength", message=repr("P" * 5_000_000))
    assert len(issue.message) <= 2000 and issue.message.startswith("'PPP")
    assert "characters not shown" in issue.message
