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
  span ids unique in a row, speakers among the row's entity ids, with
  ``pyarrow.compute`` and numpy over the flattened span columns. Labels need no
  check: the encoder maps them to ClassLabel ids and fails on an unknown one.

The result is the set of *suspect* rows, which then go through the per-row path:
that path finds and locates every issue, so the issues are exactly today's.
An anomaly the audit cannot pin to a row (a wrong type, a missing or extra key,
a constraint broken), or an encoder failure, makes the whole batch suspect:
rare in a build (a bug in row assembly), and then as slow as before, never wrong.

Spans against their text: compared a byte at a time with numpy on the Arrow
buffers' UTF-8 bytes (equal code points, equal bytes), the spans' code point
offsets turned into byte offsets by the text's lead bytes: no Python string is
read again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from typing import Any

import jsonschema
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..features import RowCodec
from .specialized import ANNOTATIONS

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
        self._formats = jsonschema.Draft202012Validator.FORMAT_CHECKER
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
        if table is None or not audit.ok or not self._within_bounds(table):
            return np.arange(rows)
        mask = np.zeros(rows, dtype=bool)
        _row_checks(table, mask)
        return np.flatnonzero(mask)

    def _within_bounds(self, table: pa.Table) -> bool:
        for path, lo, hi in self.bounds:
            got = pc.min_max(_column_at(table, path)).as_py()
            if got["min"] is None:
                continue
            if (lo is not None and got["min"] < lo) or (hi is not None and got["max"] > hi):
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
            if quick is not None and quick(values):
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


# -- what the schema cannot say, on the table (checks.py: check_row) ------------------
def _row_checks(table: pa.Table, mask: np.ndarray) -> None:
    """Flag in ``mask`` the rows whose spans break a rule of ``check_spans`` or
    ``_check_speakers`` (labels are ClassLabel ids already: the encoder checked them)."""
    texts = _array(table, "text")
    ents, e_rows = _spans(table, "entities")
    quotes, q_rows = _spans(table, "quotes")
    # span ids unique within a row (entities and quotes together)
    e_ids, q_ids = _field(ents, "id"), _field(quotes, "id")
    ids = pa.concat_arrays([e_ids, q_ids]) if len(q_ids) else e_ids
    id_rows = np.concatenate([e_rows, q_rows])
    if len(ids):
        _flag_repeats(id_rows, _codes(ids), len(mask), mask)
    # speakers among the row's entity ids
    speakers = _field(quotes, "speaker_id")
    if len(speakers) and speakers.null_count < len(speakers):
        both = pa.concat_arrays([e_ids, speakers])
        codes = _codes(both)
        ent_keys = e_rows * (len(both) + 1) + codes[: len(e_ids)]
        spk_keys = q_rows * (len(both) + 1) + codes[len(e_ids) :]
        found = np.isin(spk_keys, ent_keys)
        mask[q_rows[~found & _set(speakers)]] = True
    # offsets: ordered, inside the text, the text they name
    if not (len(e_rows) or len(q_rows)):
        return
    chars, starts = _data(texts), _offsets(texts)
    # Code points to UTF-8 bytes by the continuation bytes (10xxxxxx) alone, few in
    # news text: ``lead[k]``, the lead bytes before the k-th of them, is
    # nondecreasing, and the code point ``g`` (global) starts at byte ``g`` plus the
    # continuation bytes with ``lead <= g``.
    cont = np.flatnonzero(chars.view(np.int8) < -64)  # 0x80-0xBF, in one compare
    lead = cont - np.arange(len(cont))
    first = starts - np.searchsorted(cont, starts)  # each row's first code point
    lengths = first[1:] - first[:-1]
    has_text = _set(texts)
    for spans, rows in ((ents, e_rows), (quotes, q_rows)):
        if not len(rows):
            continue
        start = np.asarray(_field(spans, "start"), dtype=np.int64)
        end = np.asarray(_field(spans, "end"), dtype=np.int64)
        mask[rows[start >= end]] = True
        span_has_text = has_text[rows]
        mask[rows[span_has_text & (end > lengths[rows])]] = True
        expected = _field(spans, "text")
        which = np.flatnonzero(
            span_has_text & _set(expected) & (start < end) & (end <= lengths[rows])
        )
        # Equal code points, equal UTF-8 bytes: the span's bytes of the text against
        # the bytes of its own text.
        if len(which) < len(rows):
            row_first, start, end = first[rows[which]], start[which], end[which]
        else:  # every span (the common case): no gathers
            row_first = first[rows]
        g_start = row_first + start
        g_end = row_first + end
        b_start = g_start + _count_at_or_below(lead, g_start)
        b_end = g_end + _count_at_or_below(lead, g_end)
        _span_text(
            which, rows, b_start, b_end - b_start, chars, _offsets(expected), _data(expected), mask
        )


def _count_at_or_below(sorted_values: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each point, how many of ``sorted_values`` are at most it."""
    if len(points) > len(sorted_values) and (points[1:] >= points[:-1]).all():
        # Points in order (spans are, as a rule): search the fewer values among the
        # points, then count by a running sum, instead of a search per point.
        first_above = np.searchsorted(points, sorted_values, side="left")
        return np.cumsum(np.bincount(first_above, minlength=len(points) + 1))[: len(points)]
    return np.searchsorted(sorted_values, points, side="right")


def _flag_repeats(rows: np.ndarray, codes: np.ndarray, n_rows: int, mask: np.ndarray) -> None:
    """Flag the rows in which a code (-1: null) occurs more than once."""
    width = int(codes.max()) + 2
    keys = rows * width + (codes + 1)
    if n_rows * width <= 8 * len(keys):
        # Ids repeat from row to row ("T1", "T2", ...): few codes, and a count per
        # (row, code) is one pass, where a sort is n log n.
        counts = np.bincount(keys, minlength=n_rows * width)
        mask[rows[counts[keys] > 1]] = True
        return
    ordered = np.sort(keys)  # ids unique across the batch (UUIDs): too many codes
    if (ordered[1:] == ordered[:-1]).any():
        twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        mask[rows[np.isin(keys, twice)]] = True


def _span_text(
    which: np.ndarray,
    rows: np.ndarray,
    t_start: np.ndarray,
    width: np.ndarray,
    chars: np.ndarray,
    x_starts: np.ndarray,
    x_chars: np.ndarray,
    mask: np.ndarray,
) -> None:
    """Flag the rows of spans ``which`` whose own text (``x_chars`` from ``x_starts``)
    differs from the text's ``chars`` at ``[t_start, t_start + width)`` (one entry
    of ``t_start`` and ``width`` per span of ``which``)."""
    if not len(which):
        return
    if len(which) == len(x_starts) - 1:  # every span: no gathers
        x_start = x_starts[:-1]
        x_len = x_starts[1:] - x_start
    else:
        x_start, x_len = x_starts[which], x_starts[which + 1] - x_starts[which]
    mask[rows[which[x_len != width]]] = True
    same = x_len == width
    if not same.all():
        which, t_start, width, x_start = which[same], t_start[same], width[same], x_start[same]
    total = int(width.sum())
    if not total:
        return
    # int32 indices when the buffers allow (a batch's always do): half the bytes
    # to repeat, add and gather
    small = max(len(chars), len(x_chars), total) < 2**31
    index = np.int32 if small else np.int64
    begins = np.zeros(len(which), dtype=np.int64)
    np.cumsum(width[:-1], out=begins[1:])
    steps = np.arange(total, dtype=index)
    if x_start[0] == 0 and x_start[-1] + width[-1] == total and total == len(x_chars):
        wanted = x_chars  # every span's own text, in order: no gather
    else:
        at = np.repeat((x_start - begins).astype(index), width)
        at += steps
        wanted = np.take(x_chars, at)  # np.take: half the time of fancy indexing here
    at = np.repeat((t_start - begins).astype(index), width)
    at += steps
    differ = np.take(chars, at) != wanted
    if differ.any():
        nonempty = width > 0
        bad = np.add.reduceat(differ, begins[nonempty]) > 0
        mask[rows[which[nonempty][bad]]] = True


def _array(table: pa.Table, name: str) -> pa.Array:
    column = table.column(name)
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _spans(table: pa.Table, name: str) -> tuple[pa.StructArray, np.ndarray]:
    """A list-of-struct column's items, flattened, and the row of each."""
    lists = _array(table, name)
    rows = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    return lists.flatten(), rows


def _column_at(table: pa.Table, path: str) -> pa.Array:
    """The values of a schema path (``entities[].start``) as one array."""
    parts = path.split(".")
    array: pa.Array = _array(table, parts[0].removesuffix("[]"))
    if parts[0].endswith("[]"):
        array = array.flatten()
    for part in parts[1:]:
        array = _field(array, part.removesuffix("[]"))
        if part.endswith("[]"):
            array = array.flatten()
    return array


def _field(spans: pa.StructArray, name: str) -> pa.Array:
    return pc.struct_field(spans, name)  # minds the struct's offset, unlike .field()


def _offsets(array: pa.Array) -> np.ndarray:
    """A string array's value offsets as int64 (into :func:`_data`)."""
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    buf = array.buffers()[1]
    if buf is None:
        return np.zeros(len(array) + 1, dtype=np.int64)
    raw = np.frombuffer(buf, width)[array.offset : array.offset + len(array) + 1]
    return raw.astype(np.int64)


def _data(array: pa.Array) -> np.ndarray:
    buf = array.buffers()[2]
    return np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)


def _set(array: pa.Array) -> np.ndarray:
    """Where an array is not null."""
    return np.asarray(array.is_valid(), dtype=bool)


def _codes(strings: pa.Array) -> np.ndarray:
    """Dictionary codes of strings (null: -1): equal strings, equal codes."""
    return np.asarray(pc.dictionary_encode(strings).indices.fill_null(-1), dtype=np.int64)
