"""A side-record line the schema's fast path takes is read, checked and stored once
(:func:`builder.jsonl.checked_jsonl_records`, :func:`builder.side_chunks.checked_lines`):
every other line is read and reported exactly as before, and what is stored reads
back to the record the full reading makes."""

from __future__ import annotations

import codecs
import copy
import json
import pickle
import re
from pathlib import Path
from typing import Any

import orjson

from builder.annotations import read_annotations
from builder.jsonl import MAX_JSON_DEPTH, checked_jsonl_records, jsonl_records
from builder.side_chunks import PickledRecord, checked_lines, side_issues
from builder.span_columns import SpanColumns, plain_row
from builder.staging import dump_record, load_columns, load_record
from builder.validate.schemas import SchemaStore
from builder.validate.specialized import closed_depth, collecting_columns

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _seed_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SEEDS / "annotations.jsonl").read_text().splitlines()]


def _tricky_lines() -> list[bytes]:
    """Valid lines, lines the fast path must leave to the full reading (a float or a
    64-bit-plus integer where an integer goes, a colon inside a text, a duplicate
    key, a lone surrogate, deep nesting, bad UTF-8, a non-object) and spoiled records."""
    seeds = _seed_lines()
    lines: list[bytes] = []
    for n, seed in enumerate(seeds * 3):
        record = copy.deepcopy(seed)
        record["article_id"] = f"a{n:03d}"
        lines.append(json.dumps(record, ensure_ascii=False).encode())
    base = lines[0].decode()

    def start(value: str) -> bytes:
        return re.sub(r'"start": \d+', f'"start": {value}', base, count=1).encode()

    lines += [
        start("7.0"),  # an integer to jsonschema, a float to both readers: not taken
        start("100000000000000000000000"),  # past 64 bits: orjson reads a float
        start("18446744073709551615"),  # the largest 64-bit integer: read exactly
        base.replace('"text": "', '"text": "a: b ', 1).encode(),  # a colon in a text
        start("1, " + '"start": 2'),  # a duplicate key
        base.replace('"text": "', '"text": "\\ud800', 1).encode(),
        base.replace('"text": "', '"text": "\\ud83d\\ude00', 1).encode(),
        base.replace('"labels": {', '"labels": {"deep": ' + "[" * 70 + "]" * 70 + ", ", 1).encode(),
        base.replace('"text": "', '"text": "\xff', 1).encode("latin-1", "replace"),
        b"[1, 2]",
        b'{"article_id": "x", "annotator": 1}',
        base.replace('"entities": [', '"entities": [{"id": "e0"}, ', 1).encode(),
        start("-1"),
    ]
    return lines


def _write(tmp_path: Path, lines: list[bytes], *, bom: bool = False) -> Path:
    path = tmp_path / "annotations.jsonl"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + b"\r\n".join(lines) + b"\n")
    return path


def test_the_fast_path_takes_only_valid_lines_and_reports_the_rest_as_before(
    tmp_path: Path,
) -> None:
    store = SchemaStore.default()
    accept = store.accepting("annotation", MAX_JSON_DEPTH)
    assert accept is not None
    path = _write(tmp_path, _tricky_lines(), bom=True)
    with path.open("rb") as handle:
        want = list(jsonl_records(handle, path.name, 1 << 20))
    with path.open("rb") as handle:
        got = list(checked_jsonl_records(handle, path.name, 1 << 20, accept=accept))
    assert [(line, record, issues) for line, record, issues, _ in got] == want
    assert want[0][2] and want[0][2][0].rule == "encoding.bom"  # kept on the fast path
    taken = [(record, raw) for _, record, _, raw in got if raw is not None]
    assert 0 < len(taken) < len(got)
    for record, raw in taken:
        assert not store.errors("annotation", record)
        assert orjson.loads(raw) == record
    extra = got[-13:]
    # the float, the long integer and the duplicate key: not taken (a colon in a text is)
    assert [raw is None for *_, raw in extra[:5]] == [True, True, False, False, True]
    assert extra[2][1] is not None and extra[2][1]["entities"][0]["start"] == 2**64 - 1
    # a lone surrogate, deep nesting, bad UTF-8, not objects, schema errors: not taken
    # (a surrogate pair is a character: taken)
    assert [raw is None for *_, raw in extra[5:]] == [True, False, *[True] * 6]


def test_lines_checked_here_are_those_of_the_reading_in_the_parent(tmp_path: Path) -> None:
    """:func:`checked_lines` (the parent and the workers) against what the parent read
    before: ``read_annotations`` then :func:`side_issues` for every record."""
    store = SchemaStore.default()
    path = _write(tmp_path, _tricky_lines())
    before = []
    for line, record, issues in read_annotations(path, "native"):
        if record is not None:
            issues = [*issues, *side_issues(store, "annotation", path.name, line, record)]
        before.append((line, record, issues))
    with path.open("rb") as handle:
        plain = list(checked_lines(handle, "annotation", path.name, 1 << 24))
    assert plain == before
    with path.open("rb") as handle:
        stored = list(checked_lines(handle, "annotation", path.name, 1 << 24, stored=True))
    for (line, record, issues), (want_line, want, want_issues) in zip(stored, before, strict=True):
        assert (line, issues) == (want_line, want_issues)
        if isinstance(record, PickledRecord):
            assert record.load() == want
            assert record.card == pickle.dumps(want["annotator"], pickle.HIGHEST_PROTOCOL)
        else:
            assert record == want


def test_a_stored_record_reads_back_as_it_was_read() -> None:
    """One stored form: a pickle, lists of objects of one key set as columns."""
    record = {
        "article_id": "a",
        "n": 2**70,
        "x": [1.5, None, "\u00e9"],
        "entities": [{"id": "e1", "start": 0, "end": 2}, {"end": 9, "id": "e2", "start": 5}],
        "quotes": [{"id": "q1", "speaker": None}, {"id": "q2"}],  # two key sets: a list
        "labels": {},
        "empty": [],
    }
    blob, _ = dump_record("annotation", record)
    assert load_record(blob) == record
    assert list(load_record(blob)) == list(record)  # the record's keys in their order
    columns = load_columns(blob)
    assert columns["entities"] == SpanColumns({"id": ["e1", "e2"], "start": [0, 5], "end": [2, 9]})
    assert columns["quotes"] == record["quotes"] and columns["empty"] == []
    assert plain_row(columns) == record


def test_stored_lines_keep_the_columns_the_check_made(tmp_path: Path) -> None:
    """Records the fast path took are stored with the columns its check made (the
    required keys); they read back, as dicts or columns, to what the reading made."""
    path = _write(tmp_path, _tricky_lines())
    with path.open("rb") as handle:
        want = {
            line: record
            for line, record, _ in checked_lines(handle, "annotation", path.name, 1 << 24)
        }
    with path.open("rb") as handle:
        stored = [
            (line, got)
            for line, got, _ in checked_lines(handle, "annotation", path.name, 1 << 24, stored=True)
            if isinstance(got, PickledRecord)
        ]
    assert len(stored) > 10
    for line, got in stored:
        assert got.load() == want[line]
        columns = load_columns(got.blob)
        for kind in ("entities", "quotes"):
            spans = want[line][kind]
            if spans:
                assert isinstance(columns[kind], SpanColumns)
                assert columns[kind].dicts() == spans


def test_closed_depth_bounds_only_schemas_without_open_values() -> None:
    store = SchemaStore.default()
    by_id = store._by_id
    assert closed_depth(store.schemas["annotation"], store.schemas["annotation"], by_id) == 4
    assert closed_depth(store.schemas["source"], store.schemas["source"], by_id) == 3
    assert closed_depth(store.schemas["config"], store.schemas["config"], by_id) is None
    open_object = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert closed_depth(open_object, open_object, {}) is None
    number = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"a": {"type": "number"}},
    }
    assert closed_depth(number, number, {}) is None
    recursive = {
        "$id": "x",
        "type": "array",
        "items": {"$ref": "#"},
    }
    assert closed_depth(recursive, recursive, {"x": recursive}) is None
    untyped_items = {"type": "array", "items": {}}
    assert closed_depth(untyped_items, untyped_items, {}) is None
    enum = {"enum": ["a", None]}
    assert closed_depth(enum, enum, {}) == 1


def test_the_predicate_hands_out_columns_only_while_asked() -> None:
    """:func:`collecting_columns`: the columns of span lists with exactly the required
    keys, for the record just checked; none for spans with an optional key; the
    predicate shared by everyone else is left without a sink."""
    store = SchemaStore.default()
    accept = store.accepting("annotation", MAX_JSON_DEPTH)
    assert accept is not None
    record = copy.deepcopy(_seed_lines()[0])
    for kind in ("entities", "quotes"):  # the seeds' spans carry their quote context
        record[kind] = [
            {k: v for k, v in s.items() if k not in ("prefix", "suffix")} for s in record[kind]
        ]
    sink: dict[int, Any] = {}
    collect = collecting_columns(accept, sink)
    assert collect(record)
    entities = record["entities"]
    keys, columns = sink[id(entities)]
    assert keys == ("id", "start", "end", "text", "label")
    assert [list(c) for c in columns] == [[s[k] for s in entities] for k in keys]
    entities[0]["prefix"] = "x"  # an optional key: checked by shape, no columns
    assert collect(record) and id(entities) not in sink
    assert accept.__globals__["_slot"].columns is None
    stored = load_columns(dump_record("annotation", record)[0])
    assert stored["entities"] == entities  # two key sets: kept as dicts
    assert plain_row(stored) == record
