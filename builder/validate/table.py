"""Validation of a batch of rows on the Arrow table the build makes of them anyway.

The per-row path (:func:`builder.validate.rows.row_issues`) costs about 80 µs a
row of 109 spans. Here a batch is checked in two parts, both on work the
encoder (:meth:`builder.features.RowCodec.to_table`) does anyway:

* while it gathers each field of all rows (and of all spans and edits,
  flattened) into a list, an *audit* checks what the Arrow form would lose or
  coerce: the key set of every object, the exact Python type of every value
  (``bool`` is not an integer here, ``1.0`` neither), and each leaf's schema
  constraints (enum, pattern, format, length, minimum) on those lists, in C
  (``set(map(type, ...))``, ``min``) or once per distinct value;
* on the table: what a schema cannot say (``checks.py: check_row``): spans
  ordered, inside their text (code points), naming the characters they say,
  span ids unique in a row, speakers among the row's entity ids, a whole column
  at a time (``validate/table_spans.py``). Labels need no check: the encoder
  maps them to ClassLabel ids and fails on an unknown one.

The result is the set of *suspect* rows, which then go through the per-row path:
that path finds and locates every issue, so the issues are exactly today's.
An anomaly the audit cannot pin to a row (a wrong type, a missing or extra key,
a constraint broken), or an encoder failure, makes the whole batch suspect:
rare in a build (a bug in row assembly), and then as slow as before, never wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..features import RowCodec
from ..span_columns import SpanColumns
from .schemas import FORMAT_CHECKER
from .specialized import ANNOTATIONS
from .table_spans import BatchColumns, flag_span_rows

__all__ = ["TableCheck"]

_OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
_ARRAY_KEYWORDS = frozenset({"type", "items", "minItems", "maxItems"})
_LEAF_KEYWORDS = frozenset(
    {"type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "format"}
)
#: JSON type -> the Python types that are that type without doubt (exact types:
#: a ``bool`` or a ``str`` subclass makes the batch suspect).
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}

NodeCheck = Callable[[list[Any]], bool]
#: At most this many values, a leaf's types are taken by ``set(map(type, ...))`` alone.
_FEW = 1024


class _Audit:
    """One batch's audit: ``ok`` until a node's values break a rule."""

    def __init__(self, nodes: Mapping[str, NodeCheck]) -> None:
        self.nodes = nodes
        self.ok = True

    def __call__(self, path: str, values: list[Any]) -> None:
        if self.ok:
            check = self.nodes.get(path)
            # A node the schema does not describe (a codec out of step): suspect.
            self.ok = check is not None and check(values)


class TableCheck:
    """Compiled from the codec's row schema and label sets.

    Example:
        >>> from builder.validate.schemas import SchemaStore
        >>> codec = RowCodec(SchemaStore.default().schemas["row"],
        ...                  {"entity": [], "genre": [], "text_form": ["cased"]})
        >>> TableCheck(codec).suspects([{"id": "a"}])[0].tolist()
        [0]
    """

    def __init__(self, codec: RowCodec) -> None:
        self.codec = codec
        self._formats = FORMAT_CHECKER
        self.nodes: dict[str, NodeCheck] = {}
        #: (path, minimum, maximum) of the numbers, checked on the table's columns
        self.bounds: list[tuple[str, Any, Any]] = []
        self._compile(codec.schema, "")

    def suspects(self, rows: Sequence[Any]) -> tuple[np.ndarray, pa.Table | None]:
        """Indices (ascending) of the rows the per-row path must check, and the
        batch's table (None when the encoder refused a row: every row is suspect)."""
        encoded = self.encode(rows)
        return self.flagged(encoded, len(rows)), encoded[0]

    def encode(self, rows: Sequence[Any]) -> tuple[pa.Table | None, _Audit]:
        """The batch's table as the codec makes it, audited (None: the encoder
        refused a row, a label not in its set, a value Arrow cannot hold ...)."""
        audit = _Audit(self.nodes)
        try:
            return self.codec.to_table(list(rows), audit), audit
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError, pa.ArrowException):
            return None, audit

    def flagged(self, encoded: tuple[pa.Table | None, _Audit], rows: int) -> np.ndarray:
        """Indices (ascending) of the suspect rows of a batch :meth:`encode` made."""
        table, audit = encoded
        if table is None or not audit.ok:
            return np.arange(rows)
        cols = BatchColumns(table)
        if not self._within_bounds(cols):
            return np.arange(rows)
        mask = np.zeros(rows, dtype=bool)
        flag_span_rows(cols, mask)
        return np.flatnonzero(mask)

    def _within_bounds(self, cols: BatchColumns) -> bool:
        for path, lo, hi in self.bounds:
            array = cols.at(path)
            if len(array) == array.null_count:
                continue
            if pa.types.is_integer(array.type) and not array.null_count:
                values = array.to_numpy()  # no copy
                low = values.min() if lo is not None else None
                high = values.max() if hi is not None else None
            else:
                got = pc.min_max(array).as_py()
                low, high = got["min"], got["max"]
            if (lo is not None and low < lo) or (hi is not None and high > hi):
                return False
        return True

    # -- the schema, compiled to checks of each node's gathered values -----------------
    def _compile(self, node: Mapping[str, Any], path: str) -> None:
        keys = set(node) - ANNOTATIONS
        types = _json_types(node)
        if types is None or len(types - {"null"}) != 1:
            self.nodes[path] = _never
            return
        (kind,) = types - {"null"}
        allowed = frozenset(chain.from_iterable(_PY_TYPES[t] for t in types))
        if kind == "object" and keys <= _OBJECT_KEYWORDS:
            self.nodes[path] = self._object(node, allowed)
            for key, child in node.get("properties", {}).items():
                self._compile(child, f"{path}.{key}" if path else key)
        elif kind == "array" and keys <= _ARRAY_KEYWORDS and "items" in node:
            self.nodes[path] = self._array(node, allowed)
            self._compile(node["items"], f"{path}[]")
        elif kind in ("string", "integer", "number", "boolean") and keys <= _LEAF_KEYWORDS:
            self.nodes[path] = self._leaf(node, allowed)
            if "minimum" in node or "maximum" in node:
                # on the Arrow column: its values are those of the checked types
                self.bounds.append((path, node.get("minimum"), node.get("maximum")))
        else:
            self.nodes[path] = _never  # a keyword this path does not express

    def _object(self, node: Mapping[str, Any], allowed: frozenset[type]) -> NodeCheck:
        props = frozenset(node.get("properties", {}))
        required = frozenset(node.get("required", ()))
        closed = node.get("additionalProperties", True) is False
        if node.get("additionalProperties", True) not in (True, False):
            return _never
        exact = props if closed and required == props else None
        width = len(props)

        def check(values: list[Any]) -> bool:
            types = set(map(type, values))
            if not types <= allowed:
                return False
            objects = [v for v in values if v is not None] if type(None) in types else values
            if exact is not None:
                # No key outside the properties, and as many keys as properties in
                # every object (so none missing): two passes in C.
                return set().union(*objects) <= exact and sum(map(len, objects)) == width * len(
                    objects
                )
            return all(
                required <= set(keys) and (not closed or set(keys) <= props)
                for keys in set(map(tuple, objects))
            )

        return check

    def _array(self, node: Mapping[str, Any], allowed: frozenset[type]) -> NodeCheck:
        lo, hi = node.get("minItems"), node.get("maxItems")
        if list in allowed:
            # a row's spans as columns (the encoder shows them so): an array of spans
            allowed = allowed | {SpanColumns}

        def check(values: list[Any]) -> bool:
            if not set(map(type, values)) <= allowed:
                return False
            if (lo is None and hi is None) or not values:
                return True
            sizes = [len(v) for v in values if v is not None]
            return not sizes or (
                (lo is None or min(sizes) >= lo) and (hi is None or max(sizes) <= hi)
            )

        return check

    def _leaf(self, node: Mapping[str, Any], allowed: frozenset[type]) -> NodeCheck:
        enum = node.get("enum")
        if enum is not None and not all(type(v) in allowed for v in enum):
            return _never
        enum_set = frozenset(enum) if enum is not None else None
        pattern = re.compile(node["pattern"]).search if "pattern" in node else None
        fmt = node.get("format")
        conforms = self._formats.conforms
        min_len, max_len = node.get("minLength"), node.get("maxLength")
        per_value = pattern is not None or fmt is not None or enum_set is not None
        lengths = min_len is not None or max_len is not None
        # a nullable string too (span texts): seldom null, and the quick test fails on
        # a None, then the types are taken one by one
        quick = {
            frozenset({int}): _all_int,
            frozenset({str}): _all_str,
            frozenset({str, type(None)}): _all_str,
        }.get(allowed)

        def check(values: list[Any]) -> bool:
            # A few values (one a row: texts, hashes) have their types taken as a set,
            # which reads no string's characters: the join would copy every text.
            if quick is not None and len(values) > _FEW and quick(values):
                types: set[type] = set()  # no null among them
            else:
                types = set(map(type, values))
                if not types <= allowed:
                    return False
            if not (lengths or per_value):
                return True
            present = [v for v in values if v is not None] if type(None) in types else values
            if not present:
                return True
            if lengths:
                sizes = list(map(len, present))
                if (min_len is not None and min(sizes) < min_len) or (
                    max_len is not None and max(sizes) > max_len
                ):
                    return False
            if per_value:  # once per distinct value
                for v in set(present):
                    if enum_set is not None and v not in enum_set:
                        return False
                    if pattern is not None and pattern(v) is None:
                        return False
                    if fmt is not None and not conforms(v, fmt):
                        return False
            return True

        return check


def _all_int(values: list[Any]) -> bool:
    """Every value an int, in one pass in C (a third of ``set(map(type, ...))``): a
    float or numpy integer makes the sum another type, a None or str raises. A bool
    passes here, and the encoder refuses it (Arrow takes no bool as an integer)."""
    try:
        return type(sum(values)) is int
    except TypeError:
        return False


def _all_str(values: list[Any]) -> bool:
    """Every value a str (or a subclass, a string to JSON Schema as well), in one
    pass in C: a None, bytes or number raises."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def _never(values: list[Any]) -> bool:
    """A node this path does not check: the batch is suspect when it has values."""
    return not values


def _json_types(node: Mapping[str, Any]) -> set[str] | None:
    """The node's allowed types (from ``enum`` when it has no ``type``); None: any."""
    t = node.get("type")
    if t is None and "enum" in node:
        kinds = {
            "null" if v is None else "string" if isinstance(v, str) else "?" for v in node["enum"]
        }
        return None if "?" in kinds else kinds
    if t is None:
        return None
    return set(t) if isinstance(t, list) else {t}
