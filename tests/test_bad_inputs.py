"""Every validation rule, one bad input each, through the real command line.

Each case breaks one thing in a valid generated corpus and runs ``builder
validate`` and ``builder build`` (``--json`` and ``--report``): exit code 1, the
rule, file, line or record and JSON pointer in the report, no traceback, and
the previous build in ``--out`` byte for byte as it was, with no temporary
folder left. One more test breaks everything at once in one corpus, runs both
commands as subprocesses, and finds every error in one report: errors are
collected, not first-fail. The compiled validator and the jsonschema reference
must agree on every record of every fixture.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from corpus_helpers import FIFO, LOOP, Corpus, article_id, make_corpus, source_record, tree_digest
from typer.testing import CliRunner

from builder.cli import app
from builder.ingest import read_article
from builder.validate.schemas import SchemaStore

TARGET = article_id(1)  # the article each single case breaks


@dataclass(frozen=True)
class Expect:
    """An issue the report must hold (``None``: that field is not checked)."""

    rule: str
    file: str
    line: int | None = None
    record: str | None = None
    pointer: str | None = None

    def found_in(self, issues: list[dict[str, Any]]) -> bool:
        return any(
            i["rule"] == self.rule
            and i["severity"] == "error"
            and i["file"] == self.file
            and (self.line is None or i["line"] == self.line)
            and (self.record is None or i["record"] == self.record)
            and (self.pointer is None or i["pointer"] == self.pointer)
            for i in issues
        )


Mutate = Callable[[Corpus, str], None]
Expected = Callable[[Corpus, str], list[Expect]]


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutate
    expect: Expected
    #: can share one corpus with the other cases (touches only its own article)
    combinable: bool = True


def _txt(aid: str) -> str:
    return f"articles/{aid}.txt"


def _src_line(c: Corpus, aid: str) -> int:
    return c.line_of("sources.jsonl", aid)


def _ann_line(c: Corpus, aid: str) -> int:
    return c.line_of("annotations.jsonl", aid)


def _article(rule: str) -> Expected:
    return lambda c, aid: [Expect(rule, f"{aid}.txt", record=aid)]


def _source(rule: str, pointer: str) -> Expected:
    return lambda c, aid: [
        Expect(rule, "sources.jsonl", _src_line(c, aid), record=aid, pointer=pointer)
    ]


def _annotation(rule: str, pointer: str) -> Expected:
    return lambda c, aid: [
        Expect(rule, "annotations.jsonl", _ann_line(c, aid), record=aid, pointer=pointer)
    ]


#: Another word of the text: a span given this text is wrong where it stands, and
#: is not moved there (the record was made on this very text: no re-anchoring).
def _elsewhere(text: str, span: dict[str, Any]) -> str:
    word = next(w for w in text.split() if w.isalpha() and w != span["text"])
    assert word in text
    return word


def _set_bytes(data: Callable[[Corpus, str], bytes]) -> Mutate:
    def mutate(c: Corpus, aid: str) -> None:
        c.files[_txt(aid)] = data(c, aid)
        del c.texts[aid]

    return mutate


def _edit_source(change: Callable[[dict[str, Any]], None]) -> Mutate:
    return lambda c, aid: change(c.source(aid))


def _edit_entity(change: Callable[[dict[str, Any], str], None]) -> Mutate:
    return lambda c, aid: change(c.annotation(aid)["entities"][0], c.texts[aid])


def _raw_source_line(make: Callable[[str], str | bytes]) -> Mutate:
    def mutate(c: Corpus, aid: str) -> None:
        c.sources[_src_line(c, aid) - 1] = make(aid)

    return mutate


def _source_json(aid: str, **changes: Any) -> str:
    """A source line as text; non-ASCII stays as is (surrogates come out as escapes)."""
    record = source_record(aid, **changes)
    try:
        return json.dumps(record, ensure_ascii=False).encode("utf-8").decode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(record)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def _with_boilerplate(c: Corpus, aid: str) -> None:
    text = c.texts[aid].replace("\n\n", "\n\nAdvertisement\n\n", 1)
    c.texts[aid] = text
    start = text.index("Advertisement")
    c.annotation(aid)["entities"].append(
        {"id": "e2", "start": start, "end": start + 13, "text": "Advertisement", "label": "ORG"}
    )


def _remove_source(c: Corpus, aid: str) -> None:
    c.sources[_src_line(c, aid) - 1] = ""  # a blank line: line numbers stay put


def _duplicate_source(c: Corpus, aid: str) -> None:
    c.sources.append(dict(c.source(aid)))


def _orphan_source(c: Corpus, aid: str) -> None:
    c.sources.append({**c.source(aid), "article_id": f"{aid}-gone"})


def _orphan_annotation(c: Corpus, aid: str) -> None:
    c.annotations.append({**c.annotation(aid), "article_id": f"{aid}-gone"})


def _reserved_name(c: Corpus, aid: str) -> None:
    # A Windows device name as an article file, with its (equally invalid) source.
    c.files["articles/NUL.txt"] = c.texts[aid].encode()
    c.sources.append(_source_json("NUL"))


def _case_twin(c: Corpus, aid: str) -> None:
    c.files[_txt(aid.upper())] = c.texts[aid].replace("story", "tale").encode()


def _space_in_name(c: Corpus, aid: str) -> None:
    c.files[f"articles/{aid} copy.txt"] = c.texts[aid].encode()


def _folder_as_article(c: Corpus, aid: str) -> None:
    c.files[f"articles/{aid}-dir.txt/inner"] = b"x"


def _quote_with_unknown_speaker(c: Corpus, aid: str) -> None:
    text = c.texts[aid]
    c.annotation(aid)["quotes"] = [
        {"id": "q1", "start": 0, "end": 7, "text": text[:7], "speaker": "e9"}
    ]


def _second_entity_same_id(c: Corpus, aid: str) -> None:
    ents = c.annotation(aid)["entities"]
    ents.append({**ents[0]})


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 4
CONTROL_NOISE = bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16]) * 300

CASES: list[Case] = [
    # -- article files -----------------------------------------------------------------
    Case("empty-file", _set_bytes(lambda c, a: b""), _article("empty")),
    Case("whitespace-only", _set_bytes(lambda c, a: b" \n\t \r\n\xc2\xa0\n"), _article("empty")),
    Case(
        "invalid-utf8",
        _set_bytes(lambda c, a: b"Reuters reported.\nA bad \xff byte.\n"),
        lambda c, aid: [Expect("encoding", f"{aid}.txt", line=2, record=aid)],
    ),
    Case(
        "utf16-with-bom",
        _set_bytes(lambda c, a: c.texts[a].encode("utf-16")),
        _article("encoding"),
    ),
    Case(
        "utf32-with-bom",
        _set_bytes(lambda c, a: codecs.BOM_UTF32_LE + c.texts[a].encode("utf-32-le")),
        _article("encoding"),
    ),
    Case(
        "nul-bytes",
        _set_bytes(lambda c, a: c.texts[a].encode().replace(b" ", b" \x00", 1)),
        _article("nul-byte"),
    ),
    Case("binary-posing-as-txt", _set_bytes(lambda c, a: PNG), _article("nul-byte")),
    Case("control-bytes", _set_bytes(lambda c, a: CONTROL_NOISE), _article("binary")),
    Case(
        "over-size-cap",
        _set_bytes(lambda c, a: (c.texts[a] + "More words here. " * 400).encode()),
        _article("size-limit"),
        combinable=False,  # needs a small limits.max_article_bytes (set by the test)
    ),
    Case(
        "folder-named-txt",
        _folder_as_article,
        lambda c, aid: [Expect("not-a-file", f"{aid}-dir.txt", record=f"{aid}-dir")],
    ),
    Case(
        "fifo-named-txt",  # reading it would block forever
        lambda c, aid: c.files.update({f"articles/{aid}-fifo.txt": FIFO}),
        lambda c, aid: [Expect("not-a-file", f"{aid}-fifo.txt", record=f"{aid}-fifo")],
    ),
    Case(
        "symlink-loop",
        lambda c, aid: c.files.update({f"articles/{aid}-loop.txt": LOOP}),
        lambda c, aid: [Expect("not-a-file", f"{aid}-loop.txt", record=f"{aid}-loop")],
    ),
    Case(
        "id-with-space",
        _space_in_name,
        lambda c, aid: [Expect("id", f"{aid} copy.txt", record=f"{aid} copy")],
    ),
    Case(
        "reserved-device-name",
        _reserved_name,
        lambda c, aid: [
            Expect("not", "NUL.txt", record="NUL", pointer="/id"),
            Expect("not", "sources.jsonl", len(c.sources), record="NUL", pointer="/article_id"),
        ],
        combinable=False,  # one NUL.txt per corpus
    ),
    Case(
        "ids-differing-in-case",
        _case_twin,
        lambda c, aid: [
            Expect("unique-id", f"{aid}.txt", record=aid),
            Expect("unique-id", f"{aid.upper()}.txt", record=aid.upper()),
        ],
    ),
    # -- JSON Lines records --------------------------------------------------------------
    Case(
        "malformed-json-line",
        _raw_source_line(lambda aid: _source_json(aid)[:-9]),
        lambda c, aid: [Expect("json-syntax", "sources.jsonl", _src_line(c, aid), record=aid)],
    ),
    Case(
        "json-nested-too-deep",
        _edit_source(lambda r: r.update(notes=_nested(100))),
        lambda c, aid: [Expect("json-depth", "sources.jsonl", _src_line(c, aid))],
    ),
    Case(
        "json-nested-past-recursion-limit",
        _raw_source_line(lambda aid: f'{{"article_id": "{aid}", "notes": {"[" * 3000}}}'),
        lambda c, aid: [Expect("json-depth", "sources.jsonl", _src_line(c, aid), record=aid)],
    ),
    Case(
        "duplicate-json-key",
        _raw_source_line(lambda aid: _source_json(aid)[:-1] + ', "publisher": "Other"}'),
        lambda c, aid: [Expect("duplicate-key", "sources.jsonl", _src_line(c, aid), record=aid)],
    ),
    Case(
        "nan-in-json",
        _raw_source_line(lambda aid: _source_json(aid)[:-1] + ', "group": NaN}'),
        lambda c, aid: [Expect("json-syntax", "sources.jsonl", _src_line(c, aid), record=aid)],
    ),
    Case(
        "line-not-an-object",
        _raw_source_line(lambda aid: f'["{aid}", 1, 2]'),
        lambda c, aid: [
            Expect("type", "sources.jsonl", _src_line(c, aid)),
            Expect("missing-source", "sources.jsonl", record=aid),
        ],
    ),
    Case(
        "line-over-record-cap",
        _edit_source(lambda r: r.update(notes="n" * 5000)),
        lambda c, aid: [Expect("size-limit", "sources.jsonl", _src_line(c, aid), record=aid)],
        combinable=False,  # needs a small limits.max_record_bytes (set by the test)
    ),
    Case(
        "invalid-utf8-in-jsonl",
        _raw_source_line(lambda aid: _source_json(aid, notes="café").encode("latin-1")),
        lambda c, aid: [Expect("encoding", "sources.jsonl", _src_line(c, aid), record=aid)],
    ),
    Case(
        "unpaired-surrogate-escape",
        _raw_source_line(lambda aid: _source_json(aid, headline="Bad \udcff char")),
        lambda c, aid: [
            Expect("encoding", "sources.jsonl", _src_line(c, aid), record=aid, pointer="/headline")
        ],
    ),
    Case(
        "unknown-field",
        _edit_source(lambda r: r.update(colour="red")),
        _source("additionalProperties", ""),
    ),
    Case("missing-field", _edit_source(lambda r: r.pop("rights")), _source("required", "")),
    Case(
        "wrong-type", _edit_source(lambda r: r.update(publisher=42)), _source("type", "/publisher")
    ),
    Case(
        "impossible-date",
        _edit_source(lambda r: r["published"].update(earliest="2024-02-30")),
        _source("format", "/published/earliest"),
    ),
    Case(
        "not-a-date",
        _edit_source(lambda r: r["captured"].update(latest="15/04/2024")),
        _source("format", "/captured/latest"),
    ),
    Case(
        "bad-enum",
        _edit_source(lambda r: r["rights"].update(redistribution="maybe")),
        _source("enum", "/rights/redistribution"),
    ),
    Case(
        "url-with-markdown",
        _edit_source(lambda r: r.update(url="https://news.example.org/a>|b")),
        _source("format", "/url"),
    ),
    # -- ids ------------------------------------------------------------------------------
    Case(
        "duplicate-source",
        _duplicate_source,
        lambda c, aid: [
            Expect("unique-id", "sources.jsonl", c.lines_of("sources.jsonl", aid)[1], record=aid)
        ],
    ),
    Case(
        "id-escaping-folder",
        _edit_source(lambda r: r.update(article_id="../x")),
        lambda c, aid: [
            Expect(
                "pattern",
                "sources.jsonl",
                _src_line(c, "../x"),
                record="../x",
                pointer="/article_id",
            ),
            Expect("missing-source", "sources.jsonl", record=aid),
        ],
    ),
    Case(
        "absolute-path-id",
        lambda c, aid: c.annotation(aid).update(article_id="/etc/passwd"),
        lambda c, aid: [
            Expect(
                "pattern",
                "annotations.jsonl",
                c.line_of("annotations.jsonl", "/etc/passwd"),
                record="/etc/passwd",
                pointer="/article_id",
            )
        ],
        combinable=False,  # a second one would be a duplicate of the first
    ),
    # -- annotations ----------------------------------------------------------------------
    Case(
        "span-start-after-end",
        _edit_entity(lambda e, t: e.update(start=e["end"] + 1)),
        _annotation("span-order", "/entities/0"),
    ),
    Case(
        "span-out-of-bounds",
        # The quote is still in the text: out of bounds is an error, not re-anchored.
        _edit_entity(lambda e, t: e.update(start=len(t) + 1, end=len(t) + 5)),
        _annotation("span-bounds", "/entities/0/end"),
    ),
    Case(
        "span-negative",
        _edit_entity(lambda e, t: e.update(start=-1)),
        _annotation("minimum", "/entities/0/start"),
    ),
    Case(
        "wrong-span-text",
        _edit_entity(lambda e, t: e.update(text=_elsewhere(t, e))),
        _annotation("span-text", "/entities/0/text"),
    ),
    Case(
        "unknown-entity-label",
        _edit_entity(lambda e, t: e.update(label="WEAPON")),
        _annotation("label-set", "/entities/0/label"),
    ),
    Case(
        "unknown-genre",
        lambda c, aid: c.annotation(aid)["labels"].update(genre="poetry"),
        _annotation("label-set", "/labels/genre"),
    ),
    Case(
        "duplicate-span-id",
        _second_entity_same_id,
        _annotation("unique-span-id", "/entities/1/id"),
    ),
    Case(
        "unknown-speaker",
        _quote_with_unknown_speaker,
        _annotation("speaker-ref", "/quotes/0/speaker"),
    ),
    Case(
        "span-in-removed-boilerplate",
        _with_boilerplate,
        _annotation("span-removed", "/entities/1"),
    ),
    Case(
        "annotation-for-unknown-article",
        _orphan_annotation,
        lambda c, aid: [
            Expect(
                "unknown-article",
                "annotations.jsonl",
                c.line_of("annotations.jsonl", f"{aid}-gone"),
                record=f"{aid}-gone",
            )
        ],
    ),
    Case(
        "source-for-unknown-article",
        _orphan_source,
        lambda c, aid: [
            Expect(
                "unknown-article",
                "sources.jsonl",
                c.line_of("sources.jsonl", f"{aid}-gone"),
                record=f"{aid}-gone",
            )
        ],
    ),
    Case(
        "missing-source-record",
        _remove_source,
        lambda c, aid: [Expect("missing-source", "sources.jsonl", record=aid)],
    ),
    # -- whole files ------------------------------------------------------------------------
    Case(
        "sources-file-missing",
        lambda c, aid: c.files.update({"sources.jsonl": None}),
        # and no "no source record" per article under it
        lambda c, aid: [Expect("missing-file", "sources.jsonl")],
        combinable=False,
    ),
    Case(
        "annotations-file-missing",
        lambda c, aid: c.files.update({"annotations.jsonl": None}),
        lambda c, aid: [Expect("missing-file", "annotations.jsonl")],
        combinable=False,
    ),
    Case(
        "articles-folder-missing",
        lambda c, aid: c.files.update({"articles": None}),
        lambda c, aid: [Expect("missing-file", "articles")],
        combinable=False,
    ),
    Case(
        "sources-file-utf16",
        lambda c, aid: c.files.update(
            {"sources.jsonl": "\n".join(_source_json(a) for a in c.ids).encode("utf-16")}
        ),
        lambda c, aid: [Expect("encoding", "sources.jsonl", 1)],
        combinable=False,
    ),
    Case(
        "no-articles",
        lambda c, aid: c.files.update(
            {f"articles/{a}.txt": None for a in c.ids}
            | {"sources.jsonl": b"", "annotations.jsonl": b""}
        ),
        lambda c, aid: [Expect("empty-dataset", "articles")],
        combinable=False,
    ),
]


def _config_case(name: str, change: Callable[[dict[str, Any]], None], *expect: Expect) -> Case:
    def mutate(c: Corpus, aid: str) -> None:
        change(c.config)

    return Case(name, mutate, lambda c, aid: list(expect), combinable=False)


def _raw_config(text: str) -> Callable[[Corpus, str], None]:
    return lambda c, aid: c.files.update({"dataset.yaml": text.encode()})


CONFIG_CASES: list[Case] = [
    _config_case(
        "config-unknown-key",
        lambda cfg: cfg.update(colour="red"),
        Expect("additionalProperties", "dataset.yaml", pointer=""),
    ),
    _config_case(
        "config-unknown-nested-key",
        lambda cfg: cfg["splits"].update(seed=3),
        Expect("additionalProperties", "dataset.yaml", pointer="/splits"),
    ),
    _config_case(
        "config-wrong-type",
        lambda cfg: cfg["output"].update(batch_size="many"),
        Expect("type", "dataset.yaml", pointer="/output/batch_size"),
    ),
    _config_case(
        "config-bad-version",
        lambda cfg: cfg.update(version="v1"),
        Expect("pattern", "dataset.yaml", pointer="/version"),
    ),
    _config_case(
        "config-unknown-cleaning-step",
        lambda cfg: cfg.update(cleaning={"steps": ["encoding", "scrub"]}),
        Expect("cleaning-step", "dataset.yaml", pointer="/cleaning/steps/1"),
    ),
    _config_case(
        "config-missing-rule-file",
        lambda cfg: cfg.update(cleaning={"rules": ["nowhere.yaml"]}),
        Expect("missing-file", "dataset.yaml", pointer="/cleaning/rules/0"),
    ),
    _config_case(
        "config-offsets-on-native",
        lambda cfg: cfg["inputs"].update(
            annotations=[{"path": "annotations.jsonl", "format": "native", "offsets": "utf-16"}]
        ),
        Expect("annotation-offsets", "dataset.yaml", pointer="/inputs/annotations/0/offsets"),
    ),
    _config_case(
        "config-split-name",
        lambda cfg: cfg["splits"].update(assignment={TARGET: "dev"}),
        Expect("split-name", "dataset.yaml", pointer=f"/splits/assignment/{TARGET}"),
    ),
    _config_case(
        "config-ratios",
        lambda cfg: cfg["splits"].update(ratios={"train": 0.5, "test": 0.2}),
        Expect("ratios", "dataset.yaml", pointer="/splits/ratios"),
    ),
    Case(
        "config-yaml-syntax",
        _raw_config("name: x\nlabels: [a, b\nsplits: {}\n"),
        lambda c, aid: [Expect("yaml-syntax", "dataset.yaml")],
        combinable=False,
    ),
    Case(
        "config-not-a-mapping",
        _raw_config("- just\n- a list\n"),
        lambda c, aid: [Expect("type", "dataset.yaml")],
        combinable=False,
    ),
    Case(
        "config-invalid-rule-file",
        lambda c, aid: (
            c.config.update(cleaning={"rules": ["rules.yaml"]}),
            c.files.update({"rules.yaml": b"rules:\n  - name: bad\n    patterns: ['(unclosed']\n"}),
        ),
        lambda c, aid: [Expect("rule-file", "dataset.yaml", pointer="/cleaning/rules/0")],
        combinable=False,
    ),
]

ALL_CASES = CASES + CONFIG_CASES
SMALL_LIMITS = {"limits": {"max_article_bytes": 4096, "max_record_bytes": 4096}}


def _case_corpus(root: Path, case: Case) -> Corpus:
    corpus = make_corpus(root, 4, config=SMALL_LIMITS, write=False)
    case.mutate(corpus, TARGET)
    return corpus.write()


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build, copied into each case's ``--out`` before the bad build."""
    from builder.pipeline import build

    root = tmp_path_factory.mktemp("good")
    make_corpus(root / "in", 4)
    build(root / "in", root / "out")
    return root / "out"


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _assert_report(expected: list[Expect], report: dict[str, Any], context: str) -> None:
    assert report["valid"] is False
    missing = [e for e in expected if not e.found_in(report["issues"])]
    assert not missing, f"{context}: {missing} not in {json.dumps(report['issues'], indent=1)}"


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_bad_input_fails_with_located_error_and_writes_nothing(
    case: Case, tmp_path: Path, previous_build: Path
) -> None:
    corpus = _case_corpus(tmp_path / "in", case)
    expected = case.expect(corpus, TARGET)
    inputs_before = tree_digest(corpus.root)

    result = _invoke(
        "validate", "-i", str(corpus.root), "--json", "--report", str(tmp_path / "v.json")
    )
    assert result.exit_code == 1, result.stdout + result.stderr
    _assert_report(expected, json.loads(result.stdout)["report"], "validate --json")
    _assert_report(expected, json.loads((tmp_path / "v.json").read_text()), "validate --report")

    out = tmp_path / "outputs" / "dataset"
    shutil.copytree(previous_build, out)
    before = tree_digest(out)
    result = _invoke(
        "build",
        "-i",
        str(corpus.root),
        "-o",
        str(out),
        "--json",
        "--report",
        str(tmp_path / "b.json"),
    )
    assert result.exit_code == 1, result.stdout + result.stderr
    _assert_report(expected, json.loads(result.stdout)["report"], "build --json")
    _assert_report(expected, json.loads((tmp_path / "b.json").read_text()), "build --report")
    assert "nothing was written" in result.stderr or expected[0].file == "dataset.yaml"
    assert tree_digest(out) == before, "a failed build changed the previous output"
    assert sorted(p.name for p in out.parent.iterdir()) == ["dataset"], "temporary folder left"
    assert tree_digest(corpus.root) == inputs_before, "the build changed its inputs"


def test_failed_first_build_creates_no_output_folder(tmp_path: Path) -> None:
    corpus = _case_corpus(tmp_path / "in", CASES[0])
    out = tmp_path / "fresh" / "nested" / "dataset"
    result = _invoke("build", "-i", str(corpus.root), "-o", str(out))
    assert result.exit_code == 1
    assert not (tmp_path / "fresh").exists(), "a failed build left folders behind"


def test_all_errors_are_collected_at_once_by_the_real_cli(tmp_path: Path) -> None:
    combinable = [c for c in CASES if c.combinable]
    corpus = make_corpus(tmp_path / "in", len(combinable) + 3, write=False)
    targets = {c.name: article_id(i + 1) for i, c in enumerate(combinable)}
    for case in combinable:
        case.mutate(corpus, targets[case.name])
    corpus.write()
    expected = [e for c in combinable for e in c.expect(corpus, targets[c.name])]
    assert len({e.rule for e in expected}) >= 25

    out = tmp_path / "out" / "dataset"
    for command in (["validate"], ["build", "-o", str(out)]):
        report_path = tmp_path / f"{command[0]}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "builder",
                *command,
                "-i",
                str(corpus.root),
                "--json",
                "--report",
                str(report_path),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        for report in (json.loads(proc.stdout)["report"], json.loads(report_path.read_text())):
            _assert_report(expected, report, " ".join(command))
            # Nothing was published: every good article was still checked and kept apart.
            located = [i for i in report["issues"] if i["severity"] == "error"]
            assert all(
                i["file"] and (i["line"] or i["record"] or i["pointer"] is not None)
                for i in located
            )
    assert not out.parent.exists() or not any(out.parent.iterdir())


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "log"])
def test_a_terminal_report_names_file_line_and_rule(tmp_path: Path, terminal: bool) -> None:
    """A terminal gets the table; a log (stderr not a terminal) one line per issue."""
    case = next(c for c in CASES if c.name == "impossible-date")
    corpus = _case_corpus(tmp_path / "in", case)
    env = {**os.environ, "COLUMNS": "250"}
    env.update({"TTY_COMPATIBLE": "1"} if terminal else {})
    proc = subprocess.run(
        [sys.executable, "-m", "builder", "validate", "-i", str(corpus.root)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if "/published/earliest" in ln)
    number = _src_line(corpus, TARGET)
    if terminal:
        assert "sources.jsonl" in line and f" {number} " in line and "format" in line
    else:
        assert line.startswith(f"sources.jsonl:{number}: error format: ")
        assert line.endswith(f"({TARGET}, /published/earliest)")


# -- the two validators agree ---------------------------------------------------------------
def _fixture_records(corpus: Corpus) -> list[tuple[str, Any]]:
    """(schema name, record) of every parseable record of a case's inputs."""
    records: list[tuple[str, Any]] = []
    for name, file in (("source", "sources.jsonl"), ("annotation", "annotations.jsonl")):
        path = corpus.root / file
        if not path.is_file():
            continue
        for line in path.read_bytes().splitlines():
            try:
                records.append((name, json.loads(line)))
            except (ValueError, RecursionError):
                continue
    articles = corpus.root / "articles"
    if articles.is_dir():
        for path in sorted(articles.glob("*.txt")):
            article, _ = read_article(path.stem, path, root=articles, max_bytes=10**7)
            if article is not None:
                records.append(("article", article.as_record()))
    config = corpus.root / "dataset.yaml"
    with contextlib.suppress(yaml.YAMLError):
        records.append(("config", yaml.safe_load(config.read_text(encoding="utf-8"))))
    return records


def test_compiled_and_reference_validators_agree_on_every_fixture(tmp_path: Path) -> None:
    store = SchemaStore.default()
    checked = invalid = 0
    for i, case in enumerate(ALL_CASES):
        corpus = _case_corpus(tmp_path / f"case-{i}", case)
        for name, record in _fixture_records(corpus):
            fast = store.is_valid_fast(name, record)
            reference = not store.errors(name, record)
            assert fast == reference, f"{case.name}: {name} record {record!r}"
            checked += 1
            invalid += not reference
    assert checked > 300 and invalid >= 15


# -- repairs: only a BOM and line ends, each logged as an edit ---------------------------
def test_bom_and_line_ends_are_repaired_as_logged_edits_and_raw_rebuilds(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from builder.clean.edits import rebuild_raw

    corpus = make_corpus(tmp_path / "in", 4, write=False)
    raw = {
        article_id(0): codecs.BOM_UTF8 + corpus.texts[article_id(0)].encode(),
        article_id(1): corpus.texts[article_id(1)].replace("\n", "\r\n").encode(),
        article_id(2): corpus.texts[article_id(2)].replace("\n", "\r").encode(),
    }
    for aid, data in raw.items():
        corpus.files[_txt(aid)] = data
    entity = corpus.annotation(article_id(0))["entities"][0]
    entity.update(start=entity["start"] + 1, end=entity["end"] + 1)  # raw offsets count the BOM
    corpus.write()
    out = tmp_path / "out"
    result = _invoke("build", "-i", str(corpus.root), "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    rows = {
        r["id"]: r for p in (out / "data").glob("*.parquet") for r in pq.read_table(p).to_pylist()
    }
    expected_reasons = {
        article_id(0): "encoding.bom",
        article_id(1): "line_endings.crlf",
        article_id(2): "line_endings.cr",
    }
    for aid, reason in expected_reasons.items():
        row = rows[aid]
        reasons = {r for e in row["edits"] for r in e["reason"].split("+")}
        assert reason in reasons, (aid, reasons)
        assert "\r" not in row["text"] and "\ufeff" not in row["text"]
        assert rebuild_raw(row["text"], row["edits"]).encode("utf-8") == raw[aid]
        assert row["raw_sha256"] == hashlib.sha256(raw[aid]).hexdigest()


# -- templates and configuration ----------------------------------------------------------
INJECTION = (
    "Evil | Title\n---\nlicense: mit\n# Heading\n| --- | --- |\n<script>x</script> [link](http://x)"
)


def _table_widths(markdown: str) -> list[list[int]]:
    """Cells per row of every table (unescaped pipes), table by table."""
    import re

    tables: list[list[int]] = []
    current: list[int] = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append(len(re.findall(r"(?<!\\)\|", line)))
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def test_yaml_and_markdown_injection_in_titles_cannot_break_the_card(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", 4, config={"pretty_name": INJECTION}, write=False)
    for rec in corpus.sources:
        rec["publisher"] = INJECTION
        rec["headline"] = INJECTION
        rec["rights"]["statement"] = "---\nrights: | none"
    corpus.write()
    out = tmp_path / "out"
    result = _invoke("build", "-i", str(corpus.root), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n")
    header, body = card[4:].split("\n---\n", 1)
    metadata = yaml.safe_load(header)
    assert metadata["pretty_name"] == INJECTION
    assert metadata["license"] == "cc-by-4.0"
    assert "---" not in body.splitlines(), "an injected line became a thematic break"
    assert not any(ln.startswith("# Heading") for ln in body.splitlines())
    assert "<script>" not in body
    for rows in _table_widths(body):
        assert len(set(rows)) == 1, f"a table row has a different number of cells: {rows}"


def _template(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "card.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("template", "needle"),
    [
        (
            "---\n{{ metadata | to_yaml }}---\n{% if counts.read %}\nno endif\n",
            "template syntax error",
        ),
        ("---\n{{ metadata | to_yaml }}---\n{{ no_such_value }}\n", "no_such_value"),
    ],
    ids=["syntax-error", "undefined-value"],
)
def test_a_broken_card_template_fails_clearly_and_writes_nothing(
    template: str, needle: str, tmp_path: Path, previous_build: Path
) -> None:
    corpus = make_corpus(tmp_path / "in", 4)
    path = _template(tmp_path, template)
    out = tmp_path / "outputs" / "dataset"
    shutil.copytree(previous_build, out)
    before = tree_digest(out)
    result = CliRunner().invoke(
        app,
        ["build", "-i", str(corpus.root), "-o", str(out)],
        env={"BUILDER_CARD_TEMPLATE": str(path), "COLUMNS": "400"},
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert needle in result.stderr and "card.md" in result.stderr
    assert tree_digest(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dataset"]


def test_out_dir_that_would_replace_the_inputs_is_refused(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", 3)
    before = tree_digest(corpus.root)
    for out in (corpus.root, corpus.root / ".."):
        result = _invoke("build", "-i", str(corpus.root), "-o", str(out))
        assert result.exit_code == 2
        assert "input" in result.stderr
    assert tree_digest(corpus.root) == before


def test_out_dir_that_is_not_a_previous_build_is_refused(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", 3)
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    result = _invoke("build", "-i", str(corpus.root), "-o", str(mine))
    assert result.exit_code == 2
    assert "refusing to replace" in result.stderr
    assert (mine / "thesis.txt").read_text() == "years of work"


def test_warnings_are_reported_without_failing_the_build(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "in", 5, write=False)
    corpus.texts[article_id(4)] = corpus.texts[article_id(3)]  # an exact duplicate
    corpus.annotations = [a for a in corpus.annotations if a["article_id"] != article_id(2)]
    corpus.files["articles/notes.md"] = b"not an article"
    corpus.files["articles/.hidden.txt"] = b"hidden"
    corpus.write()
    sources = corpus.root / "sources.jsonl"
    sources.write_bytes(codecs.BOM_UTF8 + sources.read_bytes())
    result = _invoke("build", "-i", str(corpus.root), "-o", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.stderr
    issues = json.loads(result.stdout)["report"]["issues"]
    found = {
        (i["rule"], i["file"], i["line"], i["record"]) for i in issues if i["severity"] == "warning"
    }
    assert ("encoding.bom", "sources.jsonl", 1, None) in found
    assert ("no-annotations", f"{article_id(2)}.txt", None, article_id(2)) in found
    assert ("ignored-file", "articles/notes.md", None, None) in found
    assert ("ignored-file", "articles/.hidden.txt", None, None) in found
    assert any(rule == "exact-duplicate" for rule, *_ in found)


def test_an_invalid_source_is_one_error_not_also_a_missing_source(seeds_copy: Path) -> None:
    from builder.pipeline import validate

    lines = (seeds_copy / "sources.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["published"]["earliest"] = "2024-02-30"
    lines[1] = json.dumps(record, ensure_ascii=False)
    (seeds_copy / "sources.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate(seeds_copy)
    errors = [(i.file, i.line, i.record, i.rule) for i in result.report.errors]
    assert errors == [("sources.jsonl", 2, record["article_id"], "format")]
    # The article is rejected with its source and counted under that source's publisher.
    per_source = result.accounting()["articles"]["per_source"]
    assert per_source[record["publisher"]]["rejected"] == 1
    assert per_source.get("(unknown publisher)", {}).get("rejected", 0) == 0


def test_an_invalid_annotation_line_is_not_also_reported_missing(seeds_copy: Path) -> None:
    from builder.pipeline import validate

    path = seeds_copy / "annotations.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["entities"][0]["end"] = "twelve"
    lines[2] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issues = validate(seeds_copy).report.issues
    about = [
        (i.file, i.line, i.rule, i.severity) for i in issues if i.record == record["article_id"]
    ]
    # the line's own error, located; no warning that the article has no annotation record
    assert about == [("annotations.jsonl", 3, "type", "error")]


@pytest.mark.parametrize(
    ("tail", "rule", "words"),
    [
        ("name: other\n", "yaml-syntax", "duplicate key 'name'"),
        ("colour: " + "[" * 600 + "]" * 600 + "\n", "yaml-syntax", "nested deeper than 64"),
        ("colour: [1, 2\nsize: 3\n", "yaml-syntax", "expected ',' or ']'"),
    ],
    ids=["duplicate-key", "nested-600-levels", "unclosed-flow"],
)
def test_a_broken_configuration_is_one_located_message(
    seeds_copy: Path, tmp_path: Path, tail: str, rule: str, words: str
) -> None:
    config = seeds_copy / "dataset.yaml"
    config.write_text(config.read_text(encoding="utf-8") + tail, encoding="utf-8")
    for command in (["validate"], ["build", "-o", str(tmp_path / "out")]):
        result = _invoke(*command, "-i", str(seeds_copy), "--json")
        assert result.exit_code == 1
        (issue,) = json.loads(result.stdout)["report"]["issues"]
        assert (issue["file"], issue["rule"]) == ("dataset.yaml", rule)
        assert words in issue["message"] and issue["line"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"[" * 5000 + b"]" * 5000, "json-depth"),
        (b'[{"data": {"article_id": "a", "text": "caf\xe9"}, "annotations": []}]', "encoding"),
    ],
    ids=["nested-5000-levels", "invalid-utf8"],
)
def test_an_unreadable_label_studio_export_is_a_located_error(
    seeds_copy: Path, content: bytes, rule: str
) -> None:
    (seeds_copy / "ls.json").write_bytes(content)
    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text(encoding="utf-8"))
    config["inputs"]["annotations"] = [{"path": "ls.json", "format": "label-studio"}]
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = _invoke("validate", "-i", str(seeds_copy), "--json")
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["report"]["issues"]
    assert any(i["file"] == "ls.json" and i["rule"] == rule and i["line"] == 1 for i in issues)


def test_a_control_character_in_a_json_line_is_said_once(seeds_copy: Path) -> None:
    path = seeds_copy / "sources.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("BBC News", "BBC\tNews", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _invoke("validate", "-i", str(seeds_copy), "--json")
    messages = [i["message"] for i in json.loads(result.stdout)["report"]["issues"]]
    assert any("Invalid control character at column" in m for m in messages), messages
    assert not any("at at" in m for m in messages)


def test_an_internal_error_is_one_line_with_exit_3(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builder.pipeline

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ZeroDivisionError("a bug in a stage")

    monkeypatch.setattr(builder.pipeline, "build", broken)
    monkeypatch.delenv("BUILDER_DEBUG", raising=False)
    result = _invoke("build", "-i", str(seeds_copy), "-o", str(tmp_path / "out"))
    assert result.exit_code == 3
    assert (
        "internal error" in result.stderr and "ZeroDivisionError: a bug in a stage" in result.stderr
    )
