"""The JSON Schemas in ``schema/``, with a fast path and a reference path.

``jsonschema`` (draft 2020-12, format checking on) is the reference: it finds
and locates every error. It is also slow (about 600 records/s on articles with
50 spans), so each record first goes through a validator compiled from the same
schema by ``fastjsonschema``; only records it rejects, plus a sample of those it
accepts (to catch any disagreement between the two), go to the reference.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
from referencing import Registry, Resource

from ..utf8 import NotUtf8, decode_utf8
from .report import Issue, json_pointer
from .specialized import closed_depth, specialize

__all__ = [
    "FORMAT_CHECKER",
    "MAX_URI_CHARS",
    "SCHEMA_NAMES",
    "SchemaError",
    "SchemaStore",
    "cross_checked",
    "schema_dir",
]

SCHEMA_NAMES = ("config", "source", "article", "annotation", "row")

#: Records the reference validator re-checks though the fast path accepted them, to
#: catch any disagreement between the two: the first few of an input, then one in
#: CROSS_CHECK_EVERY. The reference costs about 8 ms on a record of 100 spans, as
#: much as every other stage of its article: at one in a hundred the sample alone
#: held row validation to 12k rows/s; one in a thousand is 10,000 records re-checked
#: in ten million.
CROSS_CHECK_FIRST = 3
CROSS_CHECK_EVERY = 1000


def cross_checked(ordinal: int) -> bool:
    """Whether the reference re-checks the record at ``ordinal`` (0 = an input's first
    record) when the fast path accepts it: by position, not by chance, so a file
    checked in pieces (or a rebuild) picks the same records."""
    return ordinal < CROSS_CHECK_FIRST or ordinal % CROSS_CHECK_EVERY == 0


def schema_dir() -> Path:
    """Folder of the JSON Schemas: ``$BUILDER_SCHEMA_DIR`` or the project's ``schema/``."""
    env = os.environ.get("BUILDER_SCHEMA_DIR")
    if env:
        return Path(env)
    packaged = Path(__file__).resolve().parent.parent / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schema"


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One schema violation, located by JSON pointer."""

    pointer: str
    rule: str
    message: str


def _located(error: jsonschema.ValidationError) -> SchemaError:
    """One violation, located and worded for the person who wrote the record.

    A key that breaks ``propertyNames`` is located at the key itself (jsonschema
    points at the object holding it). A value that breaks a ``pattern`` or a
    ``not`` is explained by the schema's own description of what is expected
    when it has one, not by the regex or the raw sub-schema; a value out of bounds
    gets that description after the bound (a ratio of 80: "a fraction ... not 80").
    """
    path = list(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path:
        path.append(error.instance)
    message = error.message
    if error.validator in ("pattern", "not"):
        described = error.schema.get("description") if isinstance(error.schema, dict) else None
        if described:
            message = f"{error.instance!r} is not allowed here: {described}"
        elif error.validator == "not":
            message = f"{error.instance!r} is not allowed here"
        else:  # the schemas end patterns with (?!\n): "$" alone lets a final newline through
            pattern = str(error.validator_value).removesuffix("(?!\\n)")
            message = f"{error.instance!r} does not match {pattern!r}"
    elif error.validator in _BOUNDS and isinstance(error.schema, dict):
        described = error.schema.get("description")
        if described:
            message = f"{message}: {described}"
    return SchemaError(json_pointer(*path), str(error.validator), message)


#: Longest string a ``uri`` format check parses (the source schema's ``url`` has this
#: ``maxLength``): rfc3986-validator's regex takes some 120 bytes of memory a character,
#: so one 5 MB URL in sources.jsonl (or a WARC-Target-URI) took the build from 165 MB
#: to 720 MB, checked as it is by each validator. No real URL is near this length.
MAX_URI_CHARS = 65536
_URI_FORMATS = ("uri", "uri-reference", "iri", "iri-reference")


def _no_longer_than_a_uri(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def bounded(instance: object) -> bool:
        if isinstance(instance, str) and len(instance) > MAX_URI_CHARS:
            return False  # not parsed: the length is its own error (maxLength)
        return check(instance)

    return bounded


def _format_checker() -> jsonschema.FormatChecker:
    """jsonschema's format checks, with URI-like strings refused past :data:`MAX_URI_CHARS`
    before its regex sees them."""
    base = jsonschema.Draft202012Validator.FORMAT_CHECKER
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = dict(base.checkers)
    for fmt in _URI_FORMATS:
        if fmt in checker.checkers:
            func, raises = checker.checkers[fmt]
            checker.checkers[fmt] = (_no_longer_than_a_uri(func), raises)
    return checker


#: The format checker every validator of the project uses (see :func:`_format_checker`).
FORMAT_CHECKER = _format_checker()

_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _reference_formats() -> dict[str, Callable[[str], bool]]:
    """The reference's format checks, for the compiled validator too.

    fastjsonschema's own format regexes are looser (it accepts ``https://x/a>|b``
    as a ``uri``); with the same checks, both validators agree on every record.
    """
    checker = FORMAT_CHECKER

    def check(fmt: str) -> Callable[[str], bool]:
        return lambda value: checker.conforms(value, fmt)

    return {fmt: check(fmt) for fmt in checker.checkers}


def _load_schema(path: Path) -> dict[str, Any]:
    """One schema file, read; a file that is not JSON, or not an object with a string
    ``$id``, is a located error (``$BUILDER_SCHEMA_DIR`` may name any folder), not a
    traceback. A missing file is the caller's ``OSError``, which names the path."""
    from ..errors import DataError  # errors imports this package's report

    def fail(message: str, line: int | None = None) -> DataError:
        issue = Issue(file=str(path), line=line, rule="schema-file", message=message)
        return DataError.single(issue)

    raw = path.read_bytes()
    try:
        schema = json.loads(decode_utf8(raw))
    except NotUtf8 as exc:
        raise fail(str(exc), exc.place.line) from None
    except json.JSONDecodeError as exc:
        raise fail(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    if not isinstance(schema, dict) or not isinstance(schema.get("$id"), str):
        raise fail('not a JSON Schema with a string "$id"')
    return schema


class SchemaStore:
    """Loaded schemas by short name (``source``, ``annotation``, ``row`` ...).

    Example:
        >>> store = SchemaStore.default()
        >>> store.errors("article", {"id": "a"})[0].rule
        'required'
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.schemas: dict[str, dict[str, Any]] = {}
        by_id: dict[str, dict[str, Any]] = {}
        for name in SCHEMA_NAMES:
            schema = _load_schema(directory / f"{name}.schema.json")
            self.schemas[name] = schema
            by_id[schema["$id"]] = schema
        self.registry: Registry = Registry().with_resources(
            (sid, Resource.from_contents(s)) for sid, s in by_id.items()
        )
        self._by_id = by_id
        self._reference: dict[str, jsonschema.protocols.Validator] = {}
        self._compiled: dict[str, Callable[[Any], Any]] = {}
        self._specialized: dict[str, Callable[[Any], bool] | None] = {}
        self._id_validator: jsonschema.protocols.Validator | None = None
        self._id_patterns: tuple[re.Pattern[str], re.Pattern[str]] = ()  # type: ignore[assignment]

    @staticmethod
    @cache
    def default() -> SchemaStore:
        return SchemaStore(schema_dir())

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.schema.json"

    def reference(self, name: str) -> jsonschema.protocols.Validator:
        if name not in self._reference:
            cls = jsonschema.Draft202012Validator
            self._reference[name] = cls(
                self.schemas[name], registry=self.registry, format_checker=FORMAT_CHECKER
            )
        return self._reference[name]

    def compiled(self, name: str) -> Callable[[Any], Any]:
        if name not in self._compiled:
            self._compiled[name] = fastjsonschema.compile(
                self.schemas[name],
                handlers={"https": lambda uri: self._by_id[uri.split("#")[0]]},
                formats=_reference_formats(),
            )
        return self._compiled[name]

    def specialized(self, name: str) -> Callable[[Any], bool] | None:
        """An accept-only predicate generated from the schema (see ``specialized``):
        True only for records the reference accepts; None when not available."""
        if name not in self._specialized:
            checker = FORMAT_CHECKER
            self._specialized[name] = specialize(self.schemas[name], self._by_id, checker.conforms)
        return self._specialized[name]

    def accepting(self, name: str, max_depth: int) -> Callable[[Any], bool] | None:
        """The specialised predicate of a closed schema whose values nest at most
        ``max_depth`` deep (see :func:`~.specialized.closed_depth`), else None: a
        record it accepts is valid, shallow, and holds no float, so a reader may
        take it as it is parsed (:func:`builder.jsonl.checked_jsonl_records`)."""
        depth = closed_depth(self.schemas[name], self.schemas[name], self._by_id)
        if depth is None or depth > max_depth:
            return None
        return self.specialized(name)

    def is_valid_fast(self, name: str, record: Any) -> bool:
        """The specialised predicate first; when it does not accept, the compiled
        validator decides (the predicate is stricter, never looser)."""
        fast = self.specialized(name)
        if fast is not None and fast(record):
            return True
        try:
            self.compiled(name)(record)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    def article_id_errors(self, value: Any) -> list[SchemaError]:
        """The schema's errors for an article id alone (``source.schema.json#/$defs/
        article_id``): a shard's id is checked where it is read, before a record is made
        of it (whose errors would point into that record, not at the id's place)."""
        if self._id_validator is None:
            cls = jsonschema.Draft202012Validator
            ref = {"$ref": f"{self.schemas['source']['$id']}#/$defs/article_id"}
            self._id_validator = cls(ref, registry=self.registry)
            # the fast path: the definition's two patterns, searched as jsonschema
            # searches them (a million shard records: 21 s through the validator)
            definition = self.schemas["source"]["$defs"]["article_id"]
            self._id_patterns = (
                re.compile(definition["pattern"]),
                re.compile(definition["not"]["pattern"]),
            )
        allowed, refused = self._id_patterns
        if type(value) is str and allowed.search(value) and not refused.search(value):
            return []
        return [_located(e) for e in self._id_validator.iter_errors(value)]

    def iter_errors(self, name: str, record: Any) -> Iterator[SchemaError]:
        """Every violation, in a stable order, by the reference validator."""
        errors = sorted(
            self.reference(name).iter_errors(record),
            key=lambda e: (list(map(str, e.absolute_path)), e.validator),
        )
        for error in errors:
            yield _located(error)

    def errors(self, name: str, record: Any) -> list[SchemaError]:
        return list(self.iter_errors(name, record))

    def check(
        self, name: str, record: Any, *, cross_check: bool = False, accepted: bool = False
    ) -> list[SchemaError]:
        """Fast check first; the reference locates errors (and re-checks a sample).

        With ``cross_check`` the reference also runs on a record the fast path
        accepted; if it disagrees, that is reported as an error too. ``accepted``:
        the record passed the fast path already (:meth:`accepting`), not run again.
        """
        if accepted or self.is_valid_fast(name, record):
            if not cross_check:
                return []
            found = self.errors(name, record)
            return [
                SchemaError(e.pointer, e.rule, f"{e.message} (missed by the compiled validator)")
                for e in found
            ]
        found = self.errors(name, record)
        return found or [SchemaError("", "schema", "rejected by the compiled validator only")]
