"""The two fast validators skip the same assertion-free keywords: a row schema that
gains a ``$comment``, a ``default`` or ``$defs`` keeps both fast paths (the
specialised predicate, the table check), with the same answers."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

from builder.features import RowCodec
from builder.validate.schemas import SchemaStore
from builder.validate.specialized import specialize
from builder.validate.table import TableCheck
from tests.test_validate_rows import SETS, _row


def _annotated(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a comment, a default and an unused definition on the root and
    on a leaf and a span property."""
    out = copy.deepcopy(schema)
    out["$comment"] = "published rows"
    out["$defs"] = {"unused": {"type": "string"}}
    out["properties"]["genre"]["default"] = None
    out["properties"]["genre"]["$comment"] = "a class label"
    span = out["properties"]["entities"]["items"]
    span["properties"]["start"]["$comment"] = "code points"
    return out


def test_annotations_keep_both_fast_paths() -> None:
    store = SchemaStore.default()
    plain = store.schemas["row"]
    annotated = _annotated(plain)
    rows = [_row(i) for i in range(20)]
    bad = copy.deepcopy(rows[5])
    bad["entities"][0]["start"] = "3"
    by_id = {s["$id"]: s for s in store.schemas.values()} | {annotated["$id"]: annotated}
    fast = specialize(annotated, by_id, jsonschema.Draft202012Validator.FORMAT_CHECKER.conforms)
    assert fast is not None
    assert all(map(fast, rows)) and not fast(bad)
    for schema in (plain, annotated):
        check = TableCheck(RowCodec(schema, SETS))
        assert check.suspects(rows)[0].tolist() == []
        assert check.suspects([*rows[:5], bad, *rows[6:]])[0].tolist() != []
