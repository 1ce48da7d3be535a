"""One typed schema for every shard, derived from ``schema/row.schema.json``.

The published-row JSON Schema is the single source of truth: this module turns
it into ``datasets.Features`` (whose ``arrow_schema`` every Parquet shard is
written with, never inferred per shard) and into an encoder that turns a
validated row (labels as names, dates as ISO strings) into its Arrow form
(labels as ClassLabel ids, dates as ``date32``).

Mapping: ``string`` -> ``Value("string")``; ``integer`` -> ``Value(x-dtype or
"int64")``; ``boolean`` -> ``Value("bool")``; ``format: date`` with
``x-dtype: date32`` -> ``Value("date32")``; ``x-class-label: NAME`` ->
``ClassLabel(names=<label set NAME>)``; ``object`` -> a dict of features;
``array`` -> ``List(...)`` (never ``Sequence(dict)``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, partial
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .feature_types import arrow_schema, features_dict
from .span_columns import SpanColumns

if TYPE_CHECKING:
    import datasets

__all__ = ["RowCodec", "field_table"]

Encoder = Callable[[Any], Any]
#: Sees the values of each schema node as :meth:`RowCodec.to_table` gathers them:
#: ``audit(path, values)``, path such as ``""`` (the rows), ``source.url`` or
#: ``entities[].start``; what the Arrow form loses (extra keys, Python types) is
#: checked there, on lists the encoder makes anyway (``validate/table.py``).
Audit = Callable[[str, list[Any]], None]


ColumnEncoder = Callable[[list[Any], Audit | None], pa.Array]


def _types(node: Mapping[str, Any]) -> set[str]:
    t = node.get("type")
    if t is None and "enum" in node:
        return {"string"} | ({"null"} if None in node["enum"] else set())
    return set(t) if isinstance(t, list) else {t}


class RowCodec:
    """Features, Arrow schema and row encoder for one row schema and label sets.

    Example:
        >>> from builder.validate.schemas import SchemaStore
        >>> codec = RowCodec(SchemaStore.default().schemas["row"],
        ...                  {"entity": ["PERSON"], "genre": ["news"], "text_form": ["cased"]})
        >>> codec.features["genre"]
        ClassLabel(names=['news'])
    """

    def __init__(
        self,
        schema: Mapping[str, Any],
        label_sets: Mapping[str, Sequence[str]],
        arrow_schema: pa.Schema | None = None,
    ) -> None:
        """``arrow_schema``: the one :attr:`features` gives, computed by another process
        (a pool worker then never imports ``datasets``, about a CPU second)."""
        self.schema = schema
        self.label_sets = {k: list(v) for k, v in label_sets.items()}
        self._feature, self._encode = self._build(schema, "")
        if arrow_schema is not None:
            self.arrow_schema = arrow_schema

    @cached_property
    def features(self) -> datasets.Features:
        import datasets

        return datasets.Features(_make(self._feature, datasets))

    @cached_property
    def features_dict(self) -> dict[str, Any]:
        """``features.to_dict()``, made without importing ``datasets`` (the build's form)."""
        return features_dict(self._feature)

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        # the one ``features.arrow_schema`` gives (tests/test_feature_types.py), sans `datasets`
        return arrow_schema(self.features_dict)

    def encode(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return self._encode(row)

    def to_table(self, rows: Sequence[Mapping[str, Any]], audit: Audit | None = None) -> pa.Table:
        """The rows as one Arrow table, built a column at a time: each field of all
        rows (and each field of all their spans and edits, flattened) becomes one
        array, lists from their offsets; the table :meth:`encode` and
        ``Table.from_pylist`` would make, without a dict per encoded span.

        ``audit`` is shown each node's gathered values before they are encoded."""
        schema = self.arrow_schema
        if audit is not None:
            audit("", list(rows))
        columns = [
            self._columns[f.name](_field(rows, f.name), audit)
            if f.name in self._columns
            else pa.nulls(len(rows), f.type)
            for f in schema
        ]
        return pa.Table.from_arrays(columns, schema=schema)

    @cached_property
    def _columns(self) -> dict[str, ColumnEncoder]:
        """Top-level field -> encoder of that field's values into an Arrow array."""
        props = self.schema.get("properties", {})
        return {
            f.name: self._column(props[f.name], f.type, f.name)
            for f in self.arrow_schema
            if f.name in props
        }

    def _column(self, node: Mapping[str, Any], arrow: pa.DataType, path: str) -> ColumnEncoder:
        """Encoder of a list of values of schema ``node`` (at ``path``) into an array of
        type ``arrow`` (the same conversions as :meth:`_build`'s, per column)."""
        types = _types(node) - {"null"}
        if "x-class-label" in node:
            index = {n: i for i, n in enumerate(self.label_sets[node["x-class-label"]])}

            def labels(values: list[Any], audit: Audit | None) -> pa.Array:
                if audit is not None:
                    audit(path, values)
                if None in values:
                    return pa.array([None if v is None else index[v] for v in values], type=arrow)
                return pa.array(list(map(index.__getitem__, values)), type=arrow)  # in C

            return labels
        if types == {"object"} and pa.types.is_struct(arrow):
            props = node.get("properties", {})
            fields = list(arrow)
            children = {
                f.name: self._column(props[f.name], f.type, f"{path}.{f.name}")
                for f in fields
                if f.name in props
            }

            def of_fields(
                get: Callable[[str], list[Any]], n: int, mask: pa.Array | None, audit: Audit | None
            ) -> pa.Array:
                arrays = [
                    children[f.name](get(f.name), audit)
                    if f.name in children
                    else pa.nulls(n, f.type)
                    for f in fields
                ]
                return pa.StructArray.from_arrays(arrays, fields=fields, mask=mask)

            def struct(values: list[Any], audit: Audit | None) -> pa.Array:
                if audit is not None:
                    audit(path, values)
                mask = None
                if None in values:  # a null struct: its fields read as null
                    mask = pa.array([v is None for v in values], type=pa.bool_())
                    values = [{} if v is None else v for v in values]
                return of_fields(partial(_field, values), len(values), mask, audit)

            def columns(values: list[SpanColumns], n: int, audit: Audit | None) -> pa.Array:
                """The items of span columns, each key's lists chained into one."""
                if audit is not None:
                    # Each row's key -> column dict stands for its spans' dicts: every
                    # span has exactly those keys (the object node checks them).
                    audit(path, [c.fields for c in values])
                return of_fields(partial(_chained, values), n, None, audit)

            struct.columns = columns  # type: ignore[attr-defined]
            return struct
        if types == {"array"} and (pa.types.is_list(arrow) or pa.types.is_large_list(arrow)):
            items = self._column(node["items"], arrow.value_type, f"{path}[]")
            offset_type = pa.int64() if pa.types.is_large_list(arrow) else pa.int32()

            from_columns = getattr(items, "columns", None)
            array_type = pa.LargeListArray if offset_type == pa.int64() else pa.ListArray

            def lists(values: list[Any], audit: Audit | None) -> pa.Array:
                if from_columns is not None and values and _all_columns(values):
                    return columnar(values, audit)
                values = [v.dicts() if type(v) is SpanColumns else v for v in values]
                if audit is not None:
                    audit(path, values)
                lengths = [0 if v is None else len(v) for v in values]
                offsets = np.zeros(len(values) + 1, dtype=offset_type.to_pandas_dtype())
                np.cumsum(lengths, out=offsets[1:])
                flat = [x for v in values if v is not None for x in v]
                mask = pa.array([v is None for v in values]) if None in values else None
                return array_type.from_arrays(
                    pa.array(offsets, type=offset_type), items(flat, audit), type=arrow, mask=mask
                )

            def columnar(values: list[SpanColumns], audit: Audit | None) -> pa.Array:
                if audit is not None:
                    # each row's span columns, as long as its spans: an array of that
                    # many items to the array node's checks
                    audit(path, values)
                offsets = np.zeros(len(values) + 1, dtype=offset_type.to_pandas_dtype())
                np.cumsum(list(map(len, values)), out=offsets[1:])
                flat = from_columns(values, int(offsets[-1]), audit)
                return array_type.from_arrays(pa.array(offsets, type=offset_type), flat, type=arrow)

            return lists
        if types == {"string"} and node.get("x-dtype") == "date32":

            def dates(values: list[Any], audit: Audit | None) -> pa.Array:
                if audit is not None:
                    audit(path, values)
                return pa.array([_parse_date(v) for v in values], type=arrow)

            return dates

        def scalars(values: list[Any], audit: Audit | None) -> pa.Array:
            if audit is not None:
                audit(path, values)
            return pa.array(values, type=arrow)

        return scalars

    # -- schema walk -------------------------------------------------------------------
    def _build(self, node: Mapping[str, Any], path: str) -> tuple[Any, Encoder]:
        types = _types(node) - {"null"}
        if "x-class-label" in node:
            names = self.label_sets[node["x-class-label"]]
            index = {n: i for i, n in enumerate(names)}
            return ("ClassLabel", names), lambda v: None if v is None else index[v]
        if types == {"object"}:
            children = {
                key: self._build(child, f"{path}/{key}")
                for key, child in node.get("properties", {}).items()
            }
            encoders = {k: enc for k, (_, enc) in children.items()}

            def encode_object(value: Any) -> Any:
                if value is None:
                    return None
                return {k: enc(value.get(k)) for k, enc in encoders.items()}

            return {k: feat for k, (feat, _) in children.items()}, encode_object
        if types == {"array"}:
            item_feature, item_encoder = self._build(node["items"], f"{path}/items")

            def encode_list(value: Any) -> Any:
                return None if value is None else [item_encoder(v) for v in value]

            return ("List", item_feature), encode_list
        dtype = node.get("x-dtype")
        if types == {"string"}:
            if dtype == "date32":
                return ("Value", "date32"), _parse_date
            return ("Value", dtype or "string"), _identity
        if types == {"integer"}:
            return ("Value", dtype or "int64"), _identity
        if types == {"number"}:
            return ("Value", dtype or "float64"), _identity
        if types == {"boolean"}:
            return ("Value", "bool"), _identity
        raise ValueError(f"row schema at {path or '/'}: no Arrow type for {sorted(types)}")


def _all_columns(values: list[Any]) -> bool:
    """Every value a :class:`SpanColumns` (a row's spans as columns)."""
    return all(type(v) is SpanColumns for v in values)


def _chained(values: list[SpanColumns], key: str) -> list[Any]:
    """``key``'s values of every row's span columns, one list."""
    return list(chain.from_iterable(v.fields[key] for v in values))


def _field(values: list[Any], key: str) -> list[Any]:
    """``value.get(key)`` of every value: one ``map`` in C for plain dicts."""
    try:
        return list(map(dict.get, values, repeat(key)))
    except TypeError:  # another Mapping
        return [v.get(key) for v in values]


def _make(feature: Any, datasets: Any) -> Any:
    """The ``datasets`` feature for a description made by :meth:`RowCodec._build`."""
    if isinstance(feature, dict):
        return {k: _make(v, datasets) for k, v in feature.items()}
    kind, arg = feature
    if kind == "List":
        return datasets.List(_make(arg, datasets))
    return datasets.ClassLabel(names=arg) if kind == "ClassLabel" else datasets.Value(arg)


def _identity(value: Any) -> Any:
    return value


def _parse_date(value: Any) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def field_table(schema: Mapping[str, Any], features: datasets.Features) -> list[dict[str, str]]:
    """Rows of the card's field table: dotted name, feature type, description."""
    import datasets

    out: list[dict[str, str]] = []

    def walk(node: Mapping[str, Any], feature: Any, name: str) -> None:
        out.append(
            {"name": name, "type": _type_name(feature), "description": node.get("description", "")}
        )
        if isinstance(feature, dict):
            for key, child in node.get("properties", {}).items():
                walk(child, feature[key], f"{name}.{key}")
        elif isinstance(feature, datasets.List) and isinstance(feature.feature, dict):
            for key, child in node["items"].get("properties", {}).items():
                walk(child, feature.feature[key], f"{name}[].{key}")

    for key, child in schema.get("properties", {}).items():
        walk(child, features[key], key)
    return out


def _type_name(feature: Any) -> str:
    import datasets

    if isinstance(feature, datasets.ClassLabel):
        return f"ClassLabel ({len(feature.names)} names)"
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, datasets.List):
        return f"List[{'struct' if isinstance(feature.feature, dict) else _type_name(feature.feature)}]"
    if isinstance(feature, dict):
        return "struct"
    return type(feature).__name__
