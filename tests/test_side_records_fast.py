"""The fast side-record path (orjson parse, column-wise span check) reports every bad
record of a large file exactly where and as the reference (``json`` with the
duplicate-key hook, then ``jsonschema``) does, and stores what the reference
would have stored."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from builder.jsonl import _object_without_duplicates, _parse_json_line, _reject_constant
from builder.side_chunks import PickledRecord, checked_in_pool
from builder.stats import StageTimings
from builder.validate.report import Issue
from builder.validate.schemas import SchemaStore

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
RECORDS = 3_000


def _seed_annotations() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SEEDS / "annotations.jsonl").read_text().splitlines()]


def _span(record: dict[str, Any], index: int, key: str, value: Any) -> None:
    spans = record["entities"]
    spans[index % len(spans)][key] = value


def _drop(record: dict[str, Any], index: int, key: str) -> None:
    spans = record["entities"]
    del spans[index % len(spans)][key]


#: Record-level faults: (name, how a record is spoiled). The span index is drawn per record.
FAULTS: list[tuple[str, Callable[[dict[str, Any], int], None]]] = [
    ("start a string", lambda r, i: _span(r, i, "start", "7")),
    ("start a float", lambda r, i: _span(r, i, "start", 7.5)),
    ("start a bool", lambda r, i: _span(r, i, "start", True)),
    ("negative end", lambda r, i: _span(r, i, "end", -1)),
    ("id pattern", lambda r, i: _span(r, i, "id", "bad id")),
    ("id too long", lambda r, i: _span(r, i, "id", "e" * 65)),
    ("empty text", lambda r, i: _span(r, i, "text", "")),
    ("prefix too long", lambda r, i: _span(r, i, "prefix", "p" * 33)),
    ("suffix null", lambda r, i: _span(r, i, "suffix", None)),
    ("label null", lambda r, i: _span(r, i, "label", None)),
    ("extra key", lambda r, i: _span(r, i, "colour", "red")),
    ("missing text", lambda r, i: _drop(r, i, "text")),
    ("missing id", lambda r, i: _drop(r, i, "id")),
    ("span not an object", lambda r, i: r["entities"].__setitem__(i % len(r["entities"]), [1])),
    ("quote speaker a number", lambda r, i: _quote(r, i)),
    ("annotator kind", lambda r, i: r["annotator"].__setitem__("kind", "robot")),
    ("no quotes", lambda r, i: r.pop("quotes")),
    ("huge negative start", lambda r, i: _span(r, i, "start", -(10**30))),
    ("bad sha", lambda r, i: r.__setitem__("text_sha256", "ABC")),
]


def _quote(record: dict[str, Any], index: int) -> None:
    quotes = record["quotes"] or [{"id": "q1", "start": 0, "end": 1, "text": "x", "speaker": None}]
    quotes[index % len(quotes)]["speaker"] = 5
    record["quotes"] = quotes


#: Line-level faults, written into the text of a line.
LINE_FAULTS = [
    ("duplicate key", lambda text: text.replace('"start":', '"start": 1, "start":', 1)),
    ("malformed", lambda text: text[:-5]),
    ("NaN", lambda text: text.replace('"start": ', '"start": NaN, "x": ', 1)),
    ("lone surrogate", lambda text: text.replace('"text": "', '"text": "\\ud800', 1)),
]


def _reference(line: bytes, store: SchemaStore, name: str, number: int) -> list[Issue] | None:
    """The schema issues the reference finds in a line (None: it does not parse)."""
    try:
        record = json.loads(
            line.decode("utf-8"),
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
        )
    except ValueError:
        return None
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: refused by the reading, not the schema
        return None
    where = {"file": name, "line": number, "record": record.get("article_id")}
    return [
        Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message)
        for e in store.errors("annotation", record)
    ]


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, str]]:
    """A file of :data:`RECORDS` annotation lines, one in about 40 spoiled (each fault
    several times, at a random span), and which line has which fault."""
    rng = random.Random(19)
    seeds = _seed_annotations()
    kinds = [*FAULTS, *LINE_FAULTS]
    chosen = rng.sample(range(1, RECORDS + 1), 3 * len(kinds))  # each fault three times
    faults = {n: kinds[i % len(kinds)][0] for i, n in enumerate(chosen)}
    spoil = dict(kinds)
    lines: list[bytes] = []
    for n in range(1, RECORDS + 1):
        record = copy.deepcopy(seeds[n % len(seeds)])
        record["article_id"] = f"a{n:05d}"
        if n % 3 == 0:  # some spans without the optional prefix/suffix: mixed shapes
            for span in record["entities"][::2]:
                span.pop("prefix", None)
        text = json.dumps(record, ensure_ascii=False)
        if n in faults:
            fault = spoil[faults[n]]
            if faults[n] in dict(LINE_FAULTS):
                text = fault(text)  # type: ignore[call-arg,arg-type]
            else:
                fault(record, rng.randrange(1_000))  # type: ignore[call-arg]
                text = json.dumps(record, ensure_ascii=False)
        lines.append(text.encode())
    path = tmp_path_factory.mktemp("side") / "annotations.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, faults


def test_every_injected_error_comes_back_located_as_the_reference_has_it(
    spoiled: tuple[Path, dict[int, str]],
) -> None:
    path, faults = spoiled
    store = SchemaStore.default()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        got = list(
            checked_in_pool(
                pool,
                2,
                path,
                schema="annotation",
                name=path.name,
                max_line_bytes=1 << 24,
                timings=StageTimings(),
                piece_bytes=1 << 18,
                pickled=True,
            )
        )
    assert [line for line, _, _ in got] == list(range(1, RECORDS + 1))
    raw = path.read_bytes().splitlines()
    for line, record, issues in got:
        errors = [i for i in issues if i.severity == "error"]
        if line not in faults:  # a clean line: no error, staged as the line it was
            assert not errors, line
            assert isinstance(record, PickledRecord)
            assert record.load() == json.loads(raw[line - 1])
            continue
        want = _reference(raw[line - 1], store, path.name, line)
        if want is None:  # refused by the reading: one located error
            assert record is None and len(errors) == 1
            assert (errors[0].file, errors[0].line) == (path.name, line)
            assert errors[0].record == f"a{line:05d}"
        else:  # schema errors: each as the reference locates and words it
            assert errors == want, (line, faults[line])
            assert all(e.pointer is not None and e.record == f"a{line:05d}" for e in errors)
        assert errors, (line, faults[line])
        assert not isinstance(record, PickledRecord)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 100000000000000000000000}',
        '{"a": -9223372036854775809, "b": 1}',
        '{"a": 18446744073709551615}',
        '{"a": 1e400}',
        '{"a": 0.1, "b": -0.0, "c": 1.5e-320}',
        '{"a": "\\ud83d\\ude00 \\u00e9"}',
        '{"a": "\\ud800"}',
    ],
)
def test_the_parse_reads_what_json_reads_where_orjson_would_not(text: str) -> None:
    """orjson reads an integer past 64 bits as a float and refuses 1e400 and a lone
    surrogate: such lines are read by ``json``, to the same value of the same types."""
    assert repr(_parse_json_line(text, text.encode())) == repr(json.loads(text))


def test_the_column_check_takes_mixed_shapes_and_never_caches_a_bad_id() -> None:
    """Spans with and without the optional keys go through the column check (not a
    call per span); a pattern's remembered values are only values that matched."""
    store = SchemaStore.default()
    fast = store.specialized("annotation")
    assert fast is not None
    record = _seed_annotations()[0]
    for span in record["entities"][::2]:
        span.pop("prefix", None)
    assert fast(record)
    for bad in ("bad id", "e1\n", "", "e" * 65):
        spoiled = copy.deepcopy(record)
        spoiled["entities"][-1]["id"] = bad
        assert not fast(spoiled), bad
        assert store.errors("annotation", spoiled)
    assert fast(record)  # the good ids are still taken
