"""A hand-specialised accept-only checker generated from a JSON Schema.

``fastjsonschema``'s generated code spends most of its time formatting error
names for every array item (about 13 µs per span). This module generates a
plain Python predicate for the small subset of keywords the project's schemas
use (``type``, ``required``, ``properties``, ``additionalProperties: false``,
``items``, ``minItems``, ``minimum``, ``minLength``, ``maxLength``,
``pattern``, ``enum``, ``format``, ``not`` of a ``pattern``, local and
cross-file ``$ref``). It only answers "certainly valid": every test is at least
as strict as the reference's (``type(x) is int``, never ``1.0`` or ``True``;
``enum`` only for strings and null; a column of span strings may let a str
subclass through, which the reference takes too), so a True is always a record the
reference accepts, and a False means nothing more than "ask the full path".

A schema with any other keyword is not specialised (:func:`specialize` returns
None) and keeps the compiled validator alone.
"""

from __future__ import annotations

import functools
import operator
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["ANNOTATIONS", "Unsupported", "closed_depth", "collecting_columns", "specialize"]

#: Keywords that carry no assertion (JSON Schema's annotations and containers, the
#: project's ``x-`` ones): skipped alike here and by the table check
#: (:mod:`builder.validate.table`), so a schema both handle today stays handled by
#: both when it gains a comment or a default.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "x-dtype",
        "x-class-label",
    }
)
_TYPE_TEST = {
    "string": "type({v}) is str",
    "null": "{v} is None",
    "integer": "type({v}) is int",
    "boolean": "type({v}) is bool",
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
}


#: Distinct values a generated column check remembers as matching a pattern.
_SEEN_LIMIT = 1 << 16


class Unsupported(Exception):
    """The schema uses a keyword (or form) the specialiser does not handle."""


class _Sink(threading.local):
    """Where a generated predicate leaves the columns it made, for this thread only:
    one predicate serves every thread of a process (:meth:`SchemaStore.specialized
    <builder.validate.schemas.SchemaStore.specialized>` caches it), and a sink in the
    generated code's globals let one thread's columns land in another's dict."""

    #: the caller's dict while it asks (:func:`collecting_columns`), else None
    columns: dict[int, Any] | None = None


def _cached_format_check(formats: Callable[[Any, str], bool]) -> Callable[[Any, str], bool]:
    cached = functools.lru_cache(maxsize=1 << 16)(formats)

    def conforms(value: Any, fmt: str) -> bool:
        # Only strings are cached: 1 and True are equal keys, but not the same value.
        return cached(value, fmt) if type(value) is str else formats(value, fmt)

    return conforms


class _Generator:
    def __init__(
        self,
        root: Mapping[str, Any],
        by_id: Mapping[str, Mapping[str, Any]],
        formats: Callable[[Any, str], bool],
    ) -> None:
        self.root = root
        self.by_id = by_id
        # Format checks are pure, and their values repeat (dates, languages): cached.
        self.env: dict[str, Any] = {"_conforms": _cached_format_check(formats), "_slot": _Sink()}
        self.lines: list[str] = []
        self.functions: dict[tuple[str, str], str] = {}  # (schema id, pointer) -> name
        self.counter = 0

    def const(self, value: Any) -> str:
        self.counter += 1
        name = f"_c{self.counter}"
        self.env[name] = value
        return name

    def resolve(self, base: Mapping[str, Any], ref: str) -> tuple[Mapping[str, Any], str]:
        uri, _, pointer = ref.partition("#")
        if uri:
            base_id = str(base.get("$id", ""))
            full = base_id.rsplit("/", 1)[0] + "/" + uri if "/" not in uri else uri
            if full not in self.by_id:
                raise Unsupported(f"$ref {ref!r}")
            base = self.by_id[full]
        node: Any = base
        for part in filter(None, pointer.split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise Unsupported(f"$ref {ref!r}")
            node = node[part]
        return base, node

    def function(self, base: Mapping[str, Any], schema: Mapping[str, Any], key: str) -> str:
        """Name of a generated ``def name(x) -> bool`` for ``schema``."""
        if isinstance(schema, Mapping) and set(schema) - ANNOTATIONS == {"$ref"}:
            ref_base, target = self.resolve(base, schema["$ref"])
            return self.function(ref_base, target, schema["$ref"].partition("#")[2] or "#")
        ident = (str(base.get("$id", "")), key)
        if ident in self.functions:
            return self.functions[ident]
        self.counter += 1
        name = f"_f{self.counter}"
        self.functions[ident] = name
        body: list[str] = []
        self.emit(base, schema, "x", body, "    ", key)
        self.lines.append(f"def {name}(x):")
        self.lines.extend(body)
        self.lines.append("    return True")
        self.lines.append("")
        return name

    def emit(
        self,
        base: Mapping[str, Any],
        schema: Any,
        v: str,
        out: list[str],
        ind: str,
        key: str,
    ) -> None:
        """Statements that ``return False`` unless ``v`` is certainly valid."""
        if schema is True or schema == {}:
            return
        if not isinstance(schema, Mapping):
            raise Unsupported(f"schema {schema!r}")
        unknown = (
            set(schema)
            - ANNOTATIONS
            - {
                "$ref",
                "type",
                "enum",
                "properties",
                "required",
                "additionalProperties",
                "items",
                "minItems",
                "minimum",
                "minLength",
                "maxLength",
                "pattern",
                "format",
                "not",
            }
        )
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if "$ref" in schema:
            ref_base, target = self.resolve(base, schema["$ref"])
            fn = self.function(ref_base, target, schema["$ref"].partition("#")[2] or "#")
            out.append(f"{ind}if not {fn}({v}): return False")
        types = schema.get("type")
        if isinstance(types, str):
            types = [types]
        if types is not None:
            if not isinstance(types, list) or any(t not in _TYPE_TEST for t in types):
                raise Unsupported(f"type {types!r}")
            test = " or ".join(_TYPE_TEST[t].format(v=v) for t in types)
            out.append(f"{ind}if not ({test}): return False")
        known = types[0] if types is not None and len(types) == 1 else None

        def guard(kind: str) -> str:
            python = {"str": "string", "int": "integer", "list": "array"}[kind]
            return "" if known == python else f"type({v}) is {kind} and "

        if "enum" in schema:
            values = schema["enum"]
            strings = frozenset(e for e in values if type(e) is str)
            with_null = any(e is None for e in values)
            test = f"(type({v}) is str and {v} in {self.const(strings)})"
            if with_null:
                test += f" or {v} is None"
            out.append(f"{ind}if not ({test}): return False")
        if "minimum" in schema:
            bound = schema["minimum"]
            if type(bound) not in (int, float):
                raise Unsupported("minimum")
            # Only integers pass the strict type tests above; a number that is
            # not a plain int (no type keyword) goes to the full path.
            out.append(f"{ind}if {guard('int')}{v} < {bound!r}: return False")
            if types is None:
                out.append(f"{ind}if type({v}) in (float, bool): return False")
        for kw, op in (("minLength", "<"), ("maxLength", ">")):
            if kw in schema:
                n = schema[kw]
                if type(n) is not int:
                    raise Unsupported(kw)
                out.append(f"{ind}if {guard('str')}len({v}) {op} {n}: return False")
        if "pattern" in schema:
            rx = self.const(re.compile(schema["pattern"]).search)
            out.append(f"{ind}if {guard('str')}{rx}({v}) is None: return False")
        if "format" in schema:
            fmt = self.const(str(schema["format"]))
            out.append(f"{ind}if not _conforms({v}, {fmt}): return False")
        if "not" in schema:
            sub = schema["not"]
            # Only a pattern is negated: the test must be exact both ways.
            if not isinstance(sub, Mapping) or set(sub) - ANNOTATIONS != {"pattern"}:
                raise Unsupported("not")
            rx = self.const(re.compile(sub["pattern"]).search)
            out.append(f"{ind}if type({v}) is not str or {rx}({v}) is not None: return False")
        if "minItems" in schema:
            n = schema["minItems"]
            if type(n) is not int:
                raise Unsupported("minItems")
            out.append(f"{ind}if {guard('list')}len({v}) < {n}: return False")
        self.emit_object(base, schema, v, out, ind, key, known == "object")
        if "items" in schema:
            items = schema["items"]
            if not isinstance(items, Mapping):
                raise Unsupported("items")
            at = ind
            if known != "array":
                out.append(f"{ind}if type({v}) is list:")
                at += "    "
            columns = self.columns_function(base, items)
            if columns is not None:
                out.append(f"{at}if not {columns}({v}): return False")
                return
            fn = self.function(base, items, f"{key}/items")
            out.append(f"{at}for _i in {v}:")
            out.append(f"{at}    if not {fn}(_i): return False")

    def columns_function(self, base: Mapping[str, Any], items: Mapping[str, Any]) -> str | None:
        """For an array of flat records (spans, edits), a check of the whole list by
        columns: one pass for the key sets, one ``itemgetter`` pass for the required
        keys, then each column's types, bounds, lengths and pattern tested by passes
        in C (``set``, ``map``, ``min``), not a function call per item. The same
        tests as the per-item code: exact keys, ``type(x) is int`` and so on. An
        optional key is a column of the items that have it. A pattern is searched
        once per distinct value (ids repeat across records: ``e1``, ``e2`` ...),
        remembered in a bounded set. None when the item schema is not such a record."""
        if set(items) - ANNOTATIONS == {"$ref"}:
            base, items = self.resolve(base, items["$ref"])
        if set(items) - ANNOTATIONS - {"type", "properties", "required", "additionalProperties"}:
            return None
        props = items.get("properties", {})
        required = items.get("required", [])
        if (
            items.get("type") != "object"
            or items.get("additionalProperties") is not False
            or not isinstance(props, Mapping)
            or not isinstance(required, list)
            or not set(required) <= set(props)
            or not required
            or len(props) < 2
        ):
            return None
        kinds = {"string": str, "integer": int, "null": type(None), "boolean": bool}
        string_keywords = {"minLength", "maxLength", "pattern"}
        for sub in props.values():
            if not isinstance(sub, Mapping):
                return None
            if set(sub) - ANNOTATIONS - {"type", "minimum"} - string_keywords:
                return None
            types = sub.get("type")
            types = [types] if isinstance(types, str) else types
            if not isinstance(types, list) or any(t not in kinds for t in types):
                return None
            bound = sub.get("minimum")
            if bound is not None and (types != ["integer"] or type(bound) is not int):
                return None
            if string_keywords & set(sub) and types != ["string"]:
                return None
            for kw in ("minLength", "maxLength"):
                if kw in sub and type(sub[kw]) is not int:
                    return None
        self.counter += 1
        name = f"_g{self.counter}"
        need = [p for p in props if p in required]
        getter = self.const(operator.itemgetter(*need))
        lines = [
            f"def {name}(x):",
            "    if not x: return True",
            "    if set(map(type, x)) != {dict}: return False",
            # Items of as many keys as required, each of which the getter finds
            # (else KeyError), have exactly the required keys: no optional one.
            f"    if set(map(len, x)) == {{{len(need)}}}:",
            "        shapes = present = ()",
            "    else:",
            "        shapes = set(map(tuple, x))",
            "        present = set()",
            "        for shape in shapes:",
            "            keys = frozenset(shape)",
            f"            if not ({self.const(frozenset(props))} >= keys >= {self.const(frozenset(need))}):"
            " return False",
            "            present |= keys",
            "    try:",
            f"        cols = (list(map({getter}, x)),)"
            if len(need) == 1
            else f"        cols = tuple(zip(*map({getter}, x)))",
            "    except KeyError:",
            "        return False",
        ]
        for prop, sub in props.items():
            if prop in required:
                col = f"cols[{need.index(prop)}]"
                at = "    "
            else:
                key = self.const(prop)
                col = "col"
                lines += [
                    f"    if {key} in present:",
                    f"        if all({key} in shape for shape in shapes):",
                    f"            col = list(map({self.const(operator.itemgetter(prop))}, x))",
                    "        else:",
                    f"            col = [i[{key}] for i in x if {key} in i]",
                ]
                at = "        "
            types = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
            allowed = self.const(frozenset(kinds[t] for t in types))
            lines += [at + test for test in self.column_tests(sub, types, col, allowed)]
        # Items with exactly the required keys: their columns, made for the checks
        # above, are handed to a caller that asks (see :func:`collecting_columns`).
        lines += [
            "    if not shapes:",
            "        sink = _slot.columns",
            "        if sink is not None:",
            f"            sink[id(x)] = ({self.const(tuple(need))}, cols)",
            "    return True",
            "",
        ]
        self.lines.extend(lines)
        return name

    def column_tests(
        self, sub: Mapping[str, Any], types: list[str], col: str, allowed: str
    ) -> list[str]:
        """Statements that ``return False`` unless every value of the column ``col``
        is valid against ``sub`` (one of :meth:`columns_function`'s properties).

        Each test is a pass in C over the column, as few as can decide: a string
        column with a pattern has its types tested on the values new to the seen set
        only (a value equal to a string seen is a string); a column of strings is
        joined (a ``TypeError`` for any other value) rather than typed value by value;
        ``minLength: 1`` is the empty string's absence. A str subclass passes where
        ``type(x) is str`` would not, as it does for the reference (``isinstance``)."""
        minimum, shortest, longest = (sub.get(k) for k in ("minimum", "minLength", "maxLength"))
        if types == ["string"] and "pattern" in sub:
            seen = self.const(set())
            search = self.const(re.compile(sub["pattern"]).search)
            tests = [
                "try:",
                f"    known = {seen}.issuperset({col})",  # no set made when all were seen
                "except TypeError:",  # an unhashable value: a list or an object
                "    return False",
                "if not known:",
                f"    new = set({col}) - {seen}",
                f"    if not set(map(type, new)) <= {allowed}: return False",
                f"    if None in map({search}, new): return False",
                f"    if len({seen}) > {_SEEN_LIMIT}: {seen}.clear()",
                f"    {seen}.update(new)",
            ]
        elif types == ["string"]:
            tests = ["try:", f"    ''.join({col})", "except TypeError:", "    return False"]
        else:
            tests = [f"if not set(map(type, {col})) <= {allowed}: return False"]
        if minimum is not None:
            tests.append(f"if min({col}) < {minimum!r}: return False")
        if shortest == 1:
            tests.append(f"if '' in {col}: return False")
        elif shortest is not None:
            tests.append(f"if min(map(len, {col})) < {shortest}: return False")
        if longest is not None:
            tests.append(f"if max(map(len, {col})) > {longest}: return False")
        return tests

    def emit_object(
        self,
        base: Mapping[str, Any],
        schema: Mapping[str, Any],
        v: str,
        out: list[str],
        ind: str,
        key: str,
        is_dict: bool = False,
    ) -> None:
        props = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        if not props and not required and extra is True:
            return
        if extra not in (True, False) or not isinstance(props, Mapping):
            raise Unsupported("additionalProperties")
        if not is_dict:
            out.append(f"{ind}if type({v}) is not dict: return False")  # strict: see module doc
        if extra is False:
            allowed = self.const(frozenset(props))
            out.append(f"{ind}if not ({v}.keys() <= {allowed}): return False")
        if required:
            need = self.const(frozenset(required))
            out.append(f"{ind}if not ({v}.keys() >= {need}): return False")
        for i, (prop, sub) in enumerate(props.items()):
            local = f"_p{len(ind)}_{i}"
            if not isinstance(prop, str):
                raise Unsupported("property name")
            body: list[str] = []
            self.emit(base, sub, local, body, ind + "    ", f"{key}/properties/{prop}")
            if not body:
                continue
            if prop in required:
                out.append(f"{ind}if True:")
                out.append(f"{ind}    {local} = {v}[{prop!r}]")
            else:
                out.append(f"{ind}if {prop!r} in {v}:")
                out.append(f"{ind}    {local} = {v}[{prop!r}]")
            out.extend(body)


def specialize(
    schema: Mapping[str, Any],
    by_id: Mapping[str, Mapping[str, Any]],
    conforms: Callable[[Any, str], bool],
) -> Callable[[Any], bool] | None:
    """A predicate True only for records valid against ``schema``; None when a
    keyword is outside the supported subset.

    ``conforms(value, format)`` is the reference's format check.
    """
    gen = _Generator(schema, by_id, conforms)
    try:
        entry = gen.function(schema, schema, "#")
    except Unsupported:
        return None
    source = "\n".join(gen.lines)
    namespace = dict(gen.env)
    exec(compile(source, f"<specialized {schema.get('$id', '')}>", "exec"), namespace)
    fn = namespace[entry]
    fn.source = source  # type: ignore[attr-defined]
    return fn


def collecting_columns(
    predicate: Callable[[Any], bool], sink: dict[int, Any]
) -> Callable[[Any], bool]:
    """``predicate`` (made by :func:`specialize`) that also leaves in ``sink`` the
    columns of each list of objects it accepts whose items have exactly the
    required keys: ``sink[id(the list)] = (required keys, one tuple of values per
    key)``, ``sink`` cleared at each call. The check reads each span list as
    columns anyway; a caller that stores the record as columns
    (:func:`builder.staging.packed`) takes them, while the record lives (an id
    names a list only so long), instead of making them again. The sink is set for
    the calling thread only: other threads may call ``predicate`` meanwhile."""
    slot: _Sink = predicate.__globals__["_slot"]

    def collect(value: Any) -> bool:
        sink.clear()
        saved = slot.columns
        slot.columns = sink
        try:
            return predicate(value)
        finally:
            slot.columns = saved

    return collect


def closed_depth(
    schema: Any, base: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]
) -> int | None:
    """The deepest nesting (as :mod:`builder.jsonl` counts it: a scalar is 1, an
    object or array one more than its deepest member) of any value ``schema``
    accepts, when every value it accepts is "closed": objects without other keys
    (``additionalProperties: false``), arrays with typed items, and leaves that are
    strings, integers, booleans or null, never a float. None otherwise (an open
    object, an untyped or ``number`` leaf, a recursive ``$ref``).

    A value the specialised predicate accepts for such a schema is therefore
    shallow and holds no float: the reader needs no depth check for it, and
    orjson read it as ``json`` does (orjson reads an integer past 64 bits as a
    float, which no such schema accepts)."""
    gen = _Generator(base, by_id, lambda value, fmt: True)
    try:
        return _closed_depth(gen, base, schema, ())
    except Unsupported:
        return None


def _closed_depth(
    gen: _Generator, base: Mapping[str, Any], schema: Any, refs: tuple[str, ...]
) -> int | None:
    if not isinstance(schema, Mapping):
        return None
    if "$ref" in schema:
        ref = str(schema["$ref"])
        key = f"{base.get('$id', '')}|{ref}"
        if key in refs:
            return None  # recursive: no bound
        ref_base, target = gen.resolve(base, ref)
        inner = _closed_depth(gen, ref_base, target, (*refs, key))
        if inner is None:
            return None
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        if set(rest) - ANNOTATIONS:
            outer = _closed_depth(gen, base, rest, refs)
            return None if outer is None else min(inner, outer)
        return inner
    types = schema.get("type")
    if types is None:
        values = schema.get("enum")
        if isinstance(values, list) and all(v is None or type(v) is str for v in values):
            return 1
        return None
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not set(types) <= set(_TYPE_TEST):
        return None
    depth = 1
    if "object" in types:
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is not False or not isinstance(props, Mapping):
            return None
        inner_depths = [_closed_depth(gen, base, sub, refs) for sub in props.values()]
        if None in inner_depths:
            return None
        depth = max(depth, 1 + max(inner_depths, default=0))  # type: ignore[type-var]
    if "array" in types:
        items = schema.get("items")
        inner = _closed_depth(gen, base, items, refs) if items is not None else None
        if inner is None:
            return None
        depth = max(depth, 1 + inner)
    return depth
