"""The build's features without ``datasets`` are exactly what ``datasets`` makes of them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import datasets
import pytest

from builder import feature_types
from builder.features import RowCodec, field_table
from builder.validate.schemas import SchemaStore

LABELS = {"entity": ["PERSON", "ORG"], "genre": ["news", "opinion"], "text_form": ["cased"]}

#: every kind the row schema can map to, nested every way `datasets` folds differently
EVERY_KIND: dict[str, Any] = {
    "s": ("Value", "string"),
    "i32": ("Value", "int32"),
    "i64": ("Value", "int64"),
    "f": ("Value", "float64"),
    "b": ("Value", "bool"),
    "d": ("Value", "date32"),
    "label": ("ClassLabel", ["a", "b", "c"]),
    "values": ("List", ("Value", "int32")),
    "labels": ("List", ("ClassLabel", ["x"])),
    "structs": ("List", {"n": ("Value", "string"), "l": ("ClassLabel", ["y", "z"])}),
    "lists": ("List", ("List", ("Value", "string"))),
    "struct": {"inner": {"v": ("Value", "bool")}, "tags": ("List", ("Value", "string"))},
}


def _datasets_features(tree: Any) -> datasets.Features:
    def make(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: make(v) for k, v in node.items()}
        kind, arg = node
        if kind == "List":
            return datasets.List(make(arg))
        return datasets.ClassLabel(names=arg) if kind == "ClassLabel" else datasets.Value(arg)

    return datasets.Features(make(tree))


@pytest.mark.parametrize("name", ["row schema", "every kind"])
def test_every_form_is_the_one_datasets_writes(name: str) -> None:
    if name == "row schema":
        codec = RowCodec(SchemaStore.default().schemas["row"], LABELS)
        tree, expected = codec._feature, codec.features
        assert codec.arrow_schema.equals(expected.arrow_schema, check_metadata=True)
    else:
        tree, expected = EVERY_KIND, _datasets_features(EVERY_KIND)
    as_dict = feature_types.features_dict(tree)
    assert as_dict == expected.to_dict()
    assert list(as_dict) == list(expected.to_dict())
    schema = feature_types.arrow_schema(as_dict)
    assert schema.equals(expected.arrow_schema, check_metadata=True)
    assert schema.metadata == expected.arrow_schema.metadata  # the same JSON text
    yaml = datasets.DatasetInfo(features=expected)._to_yaml_dict()["features"]
    assert feature_types.yaml_features(as_dict) == yaml


def test_the_field_table_is_the_one_from_datasets_features() -> None:
    schema = SchemaStore.default().schemas["row"]
    codec = RowCodec(schema, LABELS)
    assert feature_types.field_table(schema, codec.features_dict) == field_table(
        schema, codec.features
    )


def test_importing_the_build_imports_neither_datasets_nor_matplotlib() -> None:
    code = (
        "import sys, builder.pipeline, builder.cli\n"
        "heavy = [m for m in ('datasets', 'matplotlib', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
