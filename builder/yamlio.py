"""Strict YAML for configuration and rule files.

``yaml.safe_load`` lets a repeated key silently replace the first one,
recurses without a bound, and reads ``.nan``, ``.inf`` and integers of any
size; a maintainer's typo must be an error that says where, never a quiet
change or a traceback.

Every build process parses the configuration and the cleaning rules (some 70 KB):
80-130 ms each with PyYAML's pure-Python scanner, about a tenth with libyaml's
(:class:`yaml.CSafeLoader`'s parser). So a text is parsed with libyaml when PyYAML
has it, and composed and constructed by the same Python classes either way (the
depth and duplicate-key checks are theirs). A text libyaml refuses, or one these
checks refuse, is parsed again by the pure-Python parser, whose messages the
user sees: the same, with or without libyaml.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

__all__ = ["YamlError", "load_yaml"]

#: Deeper than this is not a configuration: refuse before Python's recursion limit.
MAX_DEPTH = 64
#: what a double-quoted YAML string can hold but no text, name or path can use
_UNUSABLE = re.compile("[\x00\ud800-\udfff]")


class YamlError(ValueError):
    """A YAML text that cannot be used; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


#: Values aliases may add to a document, each use of an anchor counting its values
#: again: ten lines of aliases (the "billion laughs") make 3 billion strings, and
#: whatever walks the value (a schema's error message, JSON) took gigabytes.
MAX_ALIASED_VALUES = 100_000


class _Strict:
    """The checks, over any parser that gives PyYAML's events."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise YamlError(f"nested deeper than {MAX_DEPTH} levels", mark.line + 1)
            alias = self.check_event(yaml.AliasEvent)  # type: ignore[attr-defined]
            line = self.peek_event().start_mark.line + 1  # type: ignore[attr-defined]
            node = super().compose_node(parent, index)  # type: ignore[misc]
            if alias:
                self._aliases.append((node, line))  # set by compose_document
            return node
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        self._aliases: list[tuple[Any, int]] = []
        node = super().compose_document()  # type: ignore[misc]
        if self._aliases:
            _check_expansion(node, self._aliases)
        return node

    def construct_scalar(self, node: yaml.ScalarNode) -> Any:
        value = super().construct_scalar(node)  # type: ignore[misc]
        found = _UNUSABLE.search(value) if isinstance(value, str) else None
        if found:
            # "\ud800" or "\0" in a double-quoted string: no file name takes a NUL
            # (ValueError: embedded null byte) and UTF-8 refuses a surrogate, later,
            # wherever the value is used, without saying where it came from
            what = (
                "a NUL character (\\0)"
                if found[0] == "\x00"
                else "an unpaired surrogate escape (\\ud800-\\udfff)"
            )
            raise YamlError(f"{what} in a string: not usable text", node.start_mark.line + 1)
        return value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlError(f"duplicate key {key!r} (first at line {seen[key]})", line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


def _check_expansion(root: Any, aliases: list[tuple[Any, int]]) -> None:
    """Refuse a document whose aliases make it huge, deeper than :data:`MAX_DEPTH`
    once expanded, or contain itself (``&a [*a]``): the composed nodes are shared by
    the aliases, so each is measured once (``aliases``: each alias's node and line)."""
    measured = _measured(root)
    values, depth = measured[id(root)]
    node, line = max(aliases, key=lambda found: measured[id(found[0])][0])
    if values - len(measured) > MAX_ALIASED_VALUES:
        raise YamlError(
            f"aliases expand the document to {values:,} values (the one here to"
            f" {measured[id(node)][0]:,}), more than {MAX_ALIASED_VALUES:,} added by"
            " aliases: write the values out",
            line,
        )
    if depth > MAX_DEPTH:
        raise YamlError(f"nested deeper than {MAX_DEPTH} levels once aliases are expanded", line)


def _measured(root: Any) -> dict[int, tuple[int, int]]:
    """Each node's (values, depth) with its aliases expanded, by ``id``; iterative (a
    chain of anchors is as deep as it is long), each node once."""
    measured: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()  # being measured: met again below itself, a cycle
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        kids = _node_children(node)
        if children_done:
            open_nodes.discard(id(node))
            values = 1 + sum(measured[id(kid)][0] for kid in kids)
            depth = 1 + max((measured[id(kid)][1] for kid in kids), default=0)
            measured[id(node)] = (values, depth)
        elif id(node) in open_nodes:
            raise YamlError(
                "an alias inside its own anchor: a value that contains itself",
                node.start_mark.line + 1,
            )
        elif id(node) not in measured:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack += [(kid, False) for kid in kids if id(kid) not in measured]
    return measured


def _node_children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


#: an integer no setting takes: what a 64-bit count, size or index cannot hold
_INT64 = 1 << 63


def _number(loader: SafeConstructor, node: yaml.ScalarNode) -> int | float:
    """An ``int`` or ``float`` scalar, but one no setting can mean is an error naming
    its line: ``.nan`` (every bound of a schema lets it pass: NaN compares false) and
    ``.inf``, or an integer past 64 bits (an internal error where it was used)."""
    if node.tag.endswith(":int"):
        value: int | float = SafeConstructor.construct_yaml_int(loader, node)
        if -_INT64 <= value < _INT64:
            return value
        shown = (
            node.value
            if len(node.value) <= 40
            else f"{node.value[:20]}... ({len(node.value)} digits)"
        )
        what = f"the integer {shown} is past 64 bits"
    else:
        value = SafeConstructor.construct_yaml_float(loader, node)
        if math.isfinite(value):
            return value
        what = f"{node.value} is {'not a number' if math.isnan(value) else 'infinite'}"
    raise YamlError(f"{what}: no setting takes it", node.start_mark.line + 1)


class _StrictLoader(_Strict, yaml.SafeLoader):
    """The pure-Python loader: its errors are the ones reported."""


_FastLoader: type | None = None
if CParser is not None:

    class _CStrictLoader(_Strict, Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc, valid-type]
        """libyaml's events, composed by PyYAML's Python composer (so that the depth
        check above sees every node; libyaml's own composer would not call it)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _FastLoader = _CStrictLoader

for _loader in (_StrictLoader, _FastLoader):
    if _loader is not None:
        _loader.add_constructor("tag:yaml.org,2002:int", _number)
        _loader.add_constructor("tag:yaml.org,2002:float", _number)


def load_yaml(text: str) -> Any:
    """Parse ``text`` like ``yaml.safe_load``, refusing duplicate keys and deep nesting.

    Raises :class:`YamlError` with a one-line message and the line it concerns.

    Example:
        >>> load_yaml("name: a\\nversion: 1.0.0\\n")
        {'name': 'a', 'version': '1.0.0'}
        >>> load_yaml("name: a\\nname: b\\n")
        Traceback (most recent call last):
        ...
        builder.yamlio.YamlError: duplicate key 'name' (first at line 1)
    """
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)
        except (yaml.YAMLError, YamlError, RecursionError):
            pass  # parsed again below: the pure parser's message, or its result
    return _load_pure(text)


def _load_pure(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        where = f" (from line {exc.context_mark.line + 1})" if exc.context_mark else ""
        message = "; ".join(parts) + where if parts else str(exc).splitlines()[0]
        raise YamlError(message, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0]) from None
    except RecursionError:
        raise YamlError(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
