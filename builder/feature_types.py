"""The row features as plain data, in the JSON form of ``datasets.Features.to_dict()``.

The build describes its features in four places (the Parquet schema's
``huggingface`` metadata, ``manifest.json``, the card's ``dataset_info`` YAML, the
card's field table and ``croissant.json``). All of them are derived here from the
``to_dict()`` form, so the build never imports ``datasets`` (about a CPU second):
only the three kinds the row schema maps to exist (``Value``, ``ClassLabel``,
``List``, and a dict for a struct), and ``tests/test_feature_types.py`` checks every
function against ``datasets`` itself, so the bytes stay what ``datasets`` writes.

Example:
    >>> tree = {"id": ("Value", "string"), "tags": ("List", ("ClassLabel", ["a"]))}
    >>> features_dict(tree)["tags"]
    {'feature': {'names': ['a'], '_type': 'ClassLabel'}, '_type': 'List'}
    >>> yaml_features(features_dict(tree))
    [{'name': 'id', 'dtype': 'string'}, {'name': 'tags', 'list': {'class_label': {'names': {'0': 'a'}}}}]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

__all__ = ["arrow_schema", "features_dict", "type_name", "yaml_features"]

#: A feature made by ``RowCodec``: ``("Value", dtype)``, ``("ClassLabel", names)``,
#: ``("List", feature)`` or a dict of features (a struct).
FeatureTree = Any
#: One feature in the ``to_dict()`` form: ``{"dtype": ..., "_type": "Value"}`` etc.,
#: or a dict of them (a struct, no ``_type``).
FeatureDict = dict[str, Any]

#: `datasets.Value` dtypes the row schema uses -> Arrow types (as ``datasets`` maps them)
_ARROW = {
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "string": pa.string(),
    "large_string": pa.large_string(),
}


def features_dict(tree: FeatureTree) -> FeatureDict:
    """``datasets.Features(...).to_dict()`` for a ``RowCodec`` feature tree."""
    if isinstance(tree, dict):
        return {key: features_dict(value) for key, value in tree.items()}
    kind, arg = tree
    if kind == "Value":
        return {"dtype": arg, "_type": "Value"}
    if kind == "ClassLabel":
        return {"names": list(arg), "_type": "ClassLabel"}
    if kind == "List":
        return {"feature": features_dict(arg), "_type": "List"}
    raise ValueError(f"no feature kind {kind!r}")


def is_struct(feature: FeatureDict) -> bool:
    return "_type" not in feature


def _arrow_type(feature: FeatureDict) -> pa.DataType:
    kind = feature.get("_type")
    if kind is None:
        return pa.struct([pa.field(k, _arrow_type(v)) for k, v in feature.items()])
    if kind == "Value":
        return _ARROW[feature["dtype"]]
    if kind == "ClassLabel":
        return pa.int64()
    if kind == "List":
        return pa.list_(_arrow_type(feature["feature"]))
    raise ValueError(f"no Arrow type for feature kind {kind!r}")


def arrow_schema(features: FeatureDict) -> pa.Schema:
    """``datasets.Features.arrow_schema``: the types, with the features as metadata."""
    metadata = {"huggingface": json.dumps({"info": {"features": features}})}
    return pa.schema(
        pa.struct([pa.field(k, _arrow_type(v)) for k, v in features.items()])
    ).with_metadata(metadata)


def _yaml(feature: FeatureDict) -> dict[str, Any]:
    """One feature as ``DatasetInfo._to_yaml_dict`` writes it (without its ``name``)."""
    kind = feature.get("_type")
    if kind is None:
        return {"struct": [{"name": k, **_yaml(v)} for k, v in feature.items()]}
    if kind == "Value":
        return {"dtype": feature["dtype"]}
    if kind == "ClassLabel":
        names = {str(i): name for i, name in enumerate(feature["names"])}
        return {"dtype": {"class_label": {"names": names}}}
    if kind == "List":
        inner = _yaml(feature["feature"])
        # `datasets` folds a one-key inner mapping: list: {dtype: x} -> list: x,
        # list: {struct: [...]} -> list: [...]
        if list(inner) == ["dtype"]:
            return {"list": inner["dtype"]}
        if list(inner) == ["struct"]:
            return {"list": inner["struct"]}
        return {"list": inner}
    raise ValueError(f"no YAML form for feature kind {kind!r}")


def yaml_features(features: Mapping[str, FeatureDict]) -> list[dict[str, Any]]:
    """The card's ``dataset_info.features`` list (``DatasetInfo._to_yaml_dict``)."""
    return [{"name": k, **_yaml(v)} for k, v in features.items()]


def type_name(feature: FeatureDict) -> str:
    """A short type for the card's field table: ``string``, ``ClassLabel (3 names)``..."""
    kind = feature.get("_type")
    if kind is None:
        return "struct"
    if kind == "ClassLabel":
        return f"ClassLabel ({len(feature['names'])} names)"
    if kind == "Value":
        return str(feature["dtype"])
    if kind == "List":
        inner = feature["feature"]
        return f"List[{'struct' if is_struct(inner) else type_name(inner)}]"
    return str(kind)


def field_table(
    schema: Mapping[str, Any], features: Mapping[str, FeatureDict]
) -> list[dict[str, str]]:
    """Rows of the card's field table: dotted name, feature type, description."""
    out: list[dict[str, str]] = []

    def walk(node: Mapping[str, Any], feature: FeatureDict, name: str) -> None:
        out.append(
            {"name": name, "type": type_name(feature), "description": node.get("description", "")}
        )
        if is_struct(feature):
            for key, child in node.get("properties", {}).items():
                walk(child, feature[key], f"{name}.{key}")
        elif feature.get("_type") == "List" and is_struct(feature["feature"]):
            for key, child in node["items"].get("properties", {}).items():
                walk(child, feature["feature"][key], f"{name}[].{key}")

    for key, child in schema.get("properties", {}).items():
        walk(child, features[key], key)
    return out
