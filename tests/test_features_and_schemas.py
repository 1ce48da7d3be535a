"""schema/ is the single source of truth for records and for the Arrow schema."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import datasets
import pyarrow as pa
import pytest

from builder.features import RowCodec, field_table
from builder.validate.schemas import SCHEMA_NAMES, SchemaStore

LABELS = {
    "entity": ["PERSON", "ORG"],
    "genre": ["news", "opinion"],
    "text_form": ["cased", "lower"],
}


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        for key in ("properties", "$defs"):
            for name, child in node.get(key, {}).items():
                yield f"{pointer}/{name}", child
                yield from _walk(child, f"{pointer}/{name}")
        if isinstance(node.get("items"), dict):
            yield from _walk(node["items"], f"{pointer}[]")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_field_has_a_description(name: str) -> None:
    schema = SchemaStore.default().schemas[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    missing = [p for p, node in _walk(schema) if "description" not in node]
    assert not missing, f"{name}: fields without description: {missing}"


def _patterned(node: Any, pointer: str = "") -> Iterator[tuple[str, dict]]:
    """Every subschema holding a ``pattern``, wherever it sits (items, additionalProperties)."""
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield pointer, node
        for key, child in node.items():
            if key == "not":  # its error is explained by this node's description
                if isinstance(child, dict) and "pattern" in child:
                    yield f"{pointer}/not", node
                continue
            yield from _patterned(child, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _patterned(child, f"{pointer}/{i}")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_a_value_a_pattern_refuses_is_explained_in_words(name: str) -> None:
    """A pattern's error quotes the subschema's description ("is not allowed here: A
    label name: ASCII letters, ..."); without one, users got the regex itself."""
    schema = SchemaStore.default().schemas[name]
    bare = [p for p, node in _patterned(schema) if not node.get("description")]
    assert not bare, f"{name}: patterns without a description: {bare}"


def test_row_features_come_from_the_schema() -> None:
    codec = RowCodec(SchemaStore.default().schemas["row"], LABELS)
    f = codec.features
    assert f["genre"] == datasets.ClassLabel(names=["news", "opinion"])
    assert isinstance(f["entities"], datasets.List)
    assert f["entities"].feature["label"] == datasets.ClassLabel(names=["PERSON", "ORG"])
    assert f["entities"].feature["start"] == datasets.Value("int32")
    assert f["source"]["published_earliest"] == datasets.Value("date32")
    assert pa.types.is_list(codec.arrow_schema.field("entities").type)
    assert b"huggingface" in codec.arrow_schema.metadata


def test_encoder_maps_labels_to_ids_and_dates_to_date32() -> None:
    store = SchemaStore.default()
    codec = RowCodec(store.schemas["row"], LABELS)
    row = {
        "id": "a1",
        "text": "Ann met Bob",
        "text_sha256": "0" * 64,
        "raw_sha256": "1" * 64,
        "genre": "opinion",
        "text_form": "cased",
        "source": {
            "publisher": "P",
            "headline": None,
            "author": None,
            "url": None,
            "published_earliest": "2024-04-15",
            "published_latest": None,
            "captured_earliest": None,
            "captured_latest": None,
            "language": "en",
            "redistribution": "unknown",
            "rights": "unknown",
        },
        "entities": [{"id": "e1", "start": 0, "end": 3, "label": "ORG", "text": "Ann"}],
        "quotes": [],
        "edits": [],
    }
    assert store.is_valid_fast("row", row) and not store.errors("row", row)
    encoded = codec.to_table([row]).to_pylist()[0]
    assert encoded["genre"] == 1
    assert encoded["entities"][0]["label"] == 1
    assert encoded["source"]["published_earliest"] == datetime.date(2024, 4, 15)


def test_column_wise_table_is_the_table_of_the_encoded_rows() -> None:
    """``to_table`` builds columns from flattened spans; the table (values, nulls,
    types and metadata) is the one ``Table.from_pylist`` makes of encoded rows."""
    codec = RowCodec(SchemaStore.default().schemas["row"], LABELS)
    source = {
        "publisher": "P",
        "published_earliest": "2024-04-15",
        "captured_latest": None,
        "language": "en",
    }
    span = {"id": "e1", "start": 0, "end": 3, "label": "ORG", "text": "Ann"}
    edit = {
        "raw_start": 3,
        "raw_end": 5,
        "clean_start": 3,
        "clean_end": 4,
        "original": "  ",
        "replacement": " ",
        "reason": "whitespace.collapse",
    }
    rows = [
        {
            "id": "a1",
            "text": "Ann met Bob",
            "genre": "opinion",
            "text_form": "cased",
            "source": source,
            "entities": [span, {**span, "id": "e2", "label": "PERSON"}],
            "quotes": [{"id": "q1", "start": 0, "end": 3, "text": "Ann", "speaker_id": "e1"}],
            "edits": [edit],
        },
        {  # withheld text, no genre, a null struct and null lists
            "id": "a2",
            "text": None,
            "genre": None,
            "text_form": "lower",
            "source": None,
            "entities": [{**span, "text": None}],
            "quotes": None,
            "edits": [],
        },
        {"id": "a3", "text_form": "cased", "entities": [], "quotes": [], "edits": None},
    ]
    expected = pa.Table.from_pylist([codec.encode(r) for r in rows], schema=codec.arrow_schema)
    table = codec.to_table(rows)
    assert table.equals(expected, check_metadata=True)
    assert table.to_pylist() == expected.to_pylist()
    assert codec.to_table([]).equals(expected.slice(0, 0), check_metadata=True)


def test_field_table_lists_nested_fields_with_their_descriptions() -> None:
    schema = SchemaStore.default().schemas["row"]
    table = field_table(schema, RowCodec(schema, LABELS).features)
    names = {r["name"]: r for r in table}
    assert names["entities[].label"]["type"] == "ClassLabel (2 names)"
    assert names["source.publisher"]["description"]
    assert all(r["description"] for r in table)


def test_fast_and_reference_validators_agree_on_a_bad_record() -> None:
    store = SchemaStore.default()
    bad = {"id": "../escape", "path": "x", "text": "", "sha256": "nothex", "bytes": 0}
    assert not store.is_valid_fast("article", bad)
    rules = {e.rule for e in store.errors("article", bad)}
    assert {"pattern", "minLength", "minimum"} <= rules


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("config", "version", "1.0.0\n"),
        ("source", "language", "en\n"),
        ("annotation", "article_id", "a1\n"),
    ],
)
def test_patterns_do_not_accept_a_trailing_newline(name: str, field: str, value: str) -> None:
    # Python's `$` matches before a final newline; every schema pattern guards against it.
    store = SchemaStore.default()
    failing = [e for e in store.errors(name, {field: value}) if e.pointer == f"/{field}"]
    assert [e.rule for e in failing] == ["pattern"]
