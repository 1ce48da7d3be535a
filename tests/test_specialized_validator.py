"""The specialised fast check never accepts a record the reference rejects."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.validate.schemas import SchemaStore

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _seed(name: str) -> dict[str, Any]:
    line = (SEEDS / name).read_text(encoding="utf-8").splitlines()[0]
    return json.loads(line)


ANNOTATION = _seed("annotations.jsonl")
SOURCE = _seed("sources.jsonl")
ENTITY = ANNOTATION["entities"][0]


def _set(path: list[Any], value: Any) -> Any:
    def mutate(record: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(record)
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return record

    return mutate


def _drop(path: list[Any]) -> Any:
    def mutate(record: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(record)
        node = record
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return record

    return mutate


E = ["entities", 0]
MUTATIONS = [
    ("annotation", "unchanged", lambda r: copy.deepcopy(r)),
    ("annotation", "start is a string", _set([*E, "start"], "3")),
    ("annotation", "start is a float", _set([*E, "start"], 3.0)),
    ("annotation", "start is a bool", _set([*E, "start"], True)),
    ("annotation", "negative offset", _set([*E, "start"], -1)),
    ("annotation", "negative end", _set([*E, "end"], -5)),
    ("annotation", "missing key", _drop([*E, "label"])),
    ("annotation", "extra key", _set([*E, "colour"], "red")),
    ("annotation", "id pattern", _set([*E, "id"], "bad id")),
    ("annotation", "id trailing newline", _set([*E, "id"], "e1\n")),
    ("annotation", "id too long", _set([*E, "id"], "e" * 65)),
    ("annotation", "too long prefix", _set([*E, "prefix"], "x" * 33)),
    ("annotation", "prefix of 32", _set([*E, "prefix"], "x" * 32)),
    ("annotation", "empty text", _set([*E, "text"], "")),
    ("annotation", "prefix not a string", _set([*E, "prefix"], 5)),
    ("annotation", "prefix null", _set([*E, "prefix"], None)),
    ("annotation", "no prefix", _drop([*E, "prefix"])),
    ("annotation", "missing id", _drop([*E, "id"])),
    ("annotation", "id null", _set([*E, "id"], None)),
    ("annotation", "entity not an object", _set(E, ["e1"])),
    # the column tests of strings (a set of seen ids, a join, the empty string's absence)
    ("annotation", "id is a list", _set([*E, "id"], ["e1"])),
    ("annotation", "id is a number", _set([*E, "id"], 1)),
    ("annotation", "text is a list", _set([*E, "text"], ["Oman"])),
    ("annotation", "text is a number", _set([*E, "text"], 5)),
    ("annotation", "label null", _set([*E, "label"], None)),
    ("annotation", "label is an object", _set([*E, "label"], {"a": 1})),
    ("annotation", "suffix is a list", _set([*E, "suffix"], ["x"])),
    ("annotation", "entities not an array", _set(["entities"], {"0": ENTITY})),
    ("annotation", "annotator kind enum", _set(["annotator", "kind"], "robot")),
    ("annotation", "annotator kind null", _set(["annotator", "kind"], None)),
    ("annotation", "annotator note null", _set(["annotator", "note"], None)),
    ("annotation", "missing labels", _drop(["labels"])),
    ("annotation", "bad sha", _set(["text_sha256"], "ABC")),
    ("annotation", "reserved article id", _set(["article_id"], "con.txt")),
    ("annotation", "article id not a string", _set(["article_id"], 7)),
    ("source", "unchanged", lambda r: copy.deepcopy(r)),
    ("source", "bad date", _set(["published", "earliest"], "2024-02-30")),
    ("source", "date null", _set(["published", "earliest"], None)),
    ("source", "url not http", _set(["url"], "ftp://x.org/a")),
    ("source", "empty publisher", _set(["publisher"], "")),
    ("source", "publish_full_text int", _set(["rights", "publish_full_text"], 1)),
    ("source", "redistribution enum", _set(["rights", "redistribution"], "maybe")),
    ("source", "language pattern", _set(["language"], "EN")),
    ("source", "extra top-level key", _set(["extra"], 1)),
    ("source", "missing obtained", _drop(["obtained"])),
    ("source", "confidence null", _set(["publisher_confidence"], None)),
    ("source", "confidence bool", _set(["publisher_confidence"], False)),
]


@pytest.mark.parametrize(("name", "what", "mutate"), MUTATIONS, ids=[m[1] for m in MUTATIONS])
def test_specialized_check_agrees_with_the_reference(name: str, what: str, mutate: Any) -> None:
    store = SchemaStore.default()
    record = mutate(ANNOTATION if name == "annotation" else SOURCE)
    fast = store.specialized(name)
    assert fast is not None
    reference = not store.errors(name, record)
    if fast(record):
        assert reference, f"{what}: accepted by the specialised check only"
    # What the specialised check leaves, the compiled validator decides.
    assert store.is_valid_fast(name, record) == reference, what


def test_seed_records_take_the_specialised_path() -> None:
    store = SchemaStore.default()
    for name, file in (("annotation", "annotations.jsonl"), ("source", "sources.jsonl")):
        for line in (SEEDS / file).read_text(encoding="utf-8").splitlines():
            assert store.specialized(name)(json.loads(line)), name


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=200),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-2, max_value=5),
    st.text(alphabet="ab0:_.- \n", max_size=70),
)
_entity_keys = ["id", "start", "end", "text", "prefix", "suffix", "label", "speaker", "other"]


@st.composite
def _entities(draw: Any) -> dict[str, Any]:
    entity = dict(ENTITY)
    for key in draw(st.lists(st.sampled_from(_entity_keys), max_size=3, unique=True)):
        if draw(st.booleans()):
            entity.pop(key, None)
        else:
            entity[key] = draw(_scalars)
    return entity


@settings(max_examples=300, deadline=None)
@given(st.lists(_entities(), max_size=4), st.sampled_from(["entities", "quotes"]))
def test_specialized_never_accepts_what_the_reference_rejects(
    spans: list[dict[str, Any]], field: str
) -> None:
    store = SchemaStore.default()
    record = copy.deepcopy(ANNOTATION)
    record[field] = spans
    reference = not store.errors("annotation", record)
    if store.specialized("annotation")(record):
        assert reference
    assert store.is_valid_fast("annotation", record) == reference
