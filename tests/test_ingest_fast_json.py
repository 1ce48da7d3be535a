"""The C-speed JSON line parse in ``builder.jsonl`` decides as the duplicate-key hook does.

Lines are written by hand from objects given as lists of (key, value) pairs, so a
key may come twice, spelled the same or differently (``"a"`` and ``"\\u0061"``),
with colons, quotes, backslashes and brackets inside texts, and random spacing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_ingest_json import bracket_depth

from builder.ingest import _relative
from builder.jsonl import (
    _NOT_BRACKET_OR_QUOTE,
    _brackets,
    _maybe_deep,
    _object_without_duplicates,
    _parse_json_line,
    _reject_constant,
    jsonl_records,
)

texts = st.text(
    st.sampled_from(["a", "b", ":", '"', "\\", "{", "}", "[", "]", "é", "😀", " "]), max_size=4
)
spaces = st.sampled_from(["", " ", "\t", "\n  "])


class Obj(list):  # type: ignore[type-arg]
    """An object as its (key, value) pairs, duplicates allowed."""


def objects(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Obj]:
    return st.lists(st.tuples(texts, inner), max_size=5).map(Obj)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | objects(inner),
    max_leaves=25,
)


def write(value: Any, draw: Any) -> str:
    """A JSON text for ``value``, each string spelled plainly or with \\u escapes."""
    pad = draw(spaces)
    if isinstance(value, Obj):
        pairs = [f"{write(k, draw)}{draw(spaces)}:{pad}{write(v, draw)}" for k, v in value]
        return "{" + pad + ",".join(pairs) + draw(spaces) + "}"
    if isinstance(value, list):
        return "[" + f",{pad}".join(write(v, draw) for v in value) + "]"
    if isinstance(value, str) and draw(st.booleans()):
        # every character as an escape (a pair of them beyond the BMP): "a" is "\\u0061"
        escaped = (f"\\u{ord(c):04x}" if ord(c) < 0x10000 else json.dumps(c)[1:-1] for c in value)
        return '"' + "".join(escaped) + '"'
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


def reference(line: str) -> Any:
    """What ``builder.jsonl`` always did: the Python hook on every object."""
    return json.loads(
        line, object_pairs_hook=_object_without_duplicates, parse_constant=_reject_constant
    )


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types and key order all the way down (1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float):
        return repr(a) == repr(b)
    return a == b


def outcome(parse: Any, line: str) -> tuple[str, Any]:
    try:
        return "value", parse(line)
    except Exception as exc:
        return type(exc).__name__, str(exc)


def check(line: str) -> None:
    fast = outcome(lambda s: _parse_json_line(s, s.encode("utf-8", "surrogatepass")), line)
    slow = outcome(reference, line)
    assert fast[0] == slow[0], (line, fast, slow)
    if fast[0] == "value":
        assert same(fast[1], slow[1]), line
    else:
        assert fast == slow


@st.composite
def lines(draw: Any) -> str:
    top = draw(objects(values) | values)
    return write(top, draw)


@settings(max_examples=600)
@given(lines())
@example('{"a": 1, "\\u0061": 2}')
@example('{"a": {"b": 1, "b": 2}}')
@example('{"a": [{"b": 1}, {"c": 2, "c": 3}]}')
@example('{"x": "a:b", "y": 1, "y": 2}')
@example('{"a": [], "b": {"a": 1}, "a": 3}')
@example('{"k:": "v", "k:": "v"}')
@example('{"a\\"": 1, "a\\"": 1}')
@example('{"a": NaN}')
@example('\ufeff{"a": 1}')
@example('{"a": 1} x')
def test_the_fast_parse_accepts_and_refuses_as_the_hook_does(line: str) -> None:
    check(line)


@given(st.lists(st.tuples(texts, st.integers()), min_size=2, max_size=6))
def test_a_duplicate_key_among_spans_is_always_refused(pairs: list[tuple[str, int]]) -> None:
    spans = [{"id": f"e{i}", "start": i} for i in range(20)]
    body = ", ".join(f"{json.dumps(k)}: {v}" for k, v in [*pairs, pairs[0]])
    line = '{"article_id": "a1", "entities": [' + ", ".join(map(json.dumps, spans))
    line += ", {" + body + "}]}"
    check(line)
    assert outcome(reference, line)[0] == "_DuplicateKey"


def old_brackets(line: str) -> bytes:
    """``_brackets`` as first written: split at every quote."""
    data = line.encode("utf-8", "surrogatepass")
    marks = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_BRACKET_OR_QUOTE)
    return b"".join(marks.split(b'"')[::2])


@given(lines(), st.integers(2, 9))
def test_brackets_and_the_depth_bound_are_sound(line: str, limit: int) -> None:
    try:
        reference(line)
    except Exception:
        return
    brackets = _brackets(line)
    assert brackets == old_brackets(line)
    depth = bracket_depth(line)
    if not _maybe_deep(brackets, limit):
        assert depth < limit


def test_a_merged_key_is_located_in_the_file() -> None:
    data = (
        b'{"article_id": "a1", "entities": [{"id": "e1", "start": 0}]}\n'
        b'{"article_id": "a2", "entities": [{"id": "e1", "\\u0069d": "e2"}]}\n'
    )
    got = list(jsonl_records(io.BytesIO(data), "ann.jsonl", 1 << 20))
    assert got[0][1] == {"article_id": "a1", "entities": [{"id": "e1", "start": 0}]}
    assert got[1][1] is None
    [issue] = got[1][2]
    assert (issue.file, issue.line, issue.record, issue.rule) == (
        "ann.jsonl",
        2,
        "a2",
        "duplicate-key",
    )
    assert issue.message == "the key 'id' appears twice in one object"


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/tmp/in/articles/a.txt", "/tmp/in"),
        ("/tmp/in/a.txt", "/tmp/in/"),
        ("/tmp/input/a.txt", "/tmp/in"),
        ("/a.txt", "/"),
        ("in/articles/a.txt", "in"),
        ("a.txt", "."),
        ("/tmp/in/a.txt", "tmp/in"),
    ],
)
def test_an_article_is_named_inside_its_folder_as_pathlib_names_it(path: str, root: str) -> None:
    p, r = Path(path), Path(root)
    expected = str(p.relative_to(r)) if p.is_relative_to(r) else str(p)
    assert _relative(p, r) == expected
