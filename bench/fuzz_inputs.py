"""Seeded fuzzing of the inputs against the command line's contract for bad input.

The contract: bad input gets a message naming the file (and the line or record
where there is one), a non-zero exit code (1 data, 2 usage; never 3, "internal
error", which is a bug), no traceback, and the output folder either absent or
the previous build byte for byte.

Each case copies ``seeds/`` to a temporary folder, applies one mutation, runs
``builder build --input DIR --out OUT`` over a copy of a good build (and, for
some cases, ``validate``, ``clean --config`` or ``release``), and checks it.

    .venv/bin/python bench/fuzz_inputs.py                 # every case, 2 at a time
    .venv/bin/python bench/fuzz_inputs.py --only config   # cases whose name has "config"
    .venv/bin/python bench/fuzz_inputs.py --list          # names only
    .venv/bin/python bench/fuzz_inputs.py --sample 40 --seed 3

``tests/test_fuzz_inputs.py`` runs a small deterministic sample in process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT / "tests"))

import tool_exports as tx  # noqa: E402

ARTICLE = "001_1d161241fa9d0160"
Apply = Callable[[Path], None]

#: JSON values that are each wrong somewhere: raw JSON text, written as is
BAD_VALUES: dict[str, str] = {
    "null": "null",
    "number": "7",
    "list": "[]",
    "object": "{}",
    "bool": "true",
    "huge": json.dumps("x" * 2_000_000),
    "nan": "NaN",
    "inf": "Infinity",
    "ninf": "-Infinity",
    "big": "1e400",
}


@dataclass(frozen=True)
class Case:
    """One mutation and what a correct run looks like."""

    name: str
    apply: Apply
    #: the file the message must name (a path relative to the input, or a basename)
    file: str
    #: the line the message must name, when the mutation breaks one line
    line: int | None = None
    #: ``fail``: must fail; ``any``: exit 0 is fine too (a tolerable input)
    expect: str = "fail"
    commands: tuple[str, ...] = ("build",)
    #: run as an unprivileged user (chmod 000 means nothing to root)
    unprivileged: bool = False


@dataclass
class Outcome:
    case: Case
    command: str
    code: int
    stderr: str
    problems: list[str] = field(default_factory=list)


# -- helpers that write files -----------------------------------------------------------------
def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _set_line(path: Path, line: int, text: str | bytes) -> None:
    raw = path.read_bytes().split(b"\n")
    raw[line - 1] = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(b"\n".join(raw))


def _json_with(record: dict[str, Any], pointer: list[Any], raw: str | None) -> str:
    """``record`` as one JSON line with the value at ``pointer`` replaced by the raw JSON
    text ``raw`` (``None``: the key removed)."""
    token = "__FUZZ_VALUE__"
    rec = json.loads(json.dumps(record))
    parent: Any = rec
    for key in pointer[:-1]:
        parent = parent[key]
    if raw is None:
        del parent[pointer[-1]]
        return json.dumps(rec, ensure_ascii=False)
    parent[pointer[-1]] = token
    return json.dumps(rec, ensure_ascii=False).replace(json.dumps(token), raw)


def _record_case(rel: str, line: int, pointer: list[Any], raw: str | None, expect: str) -> Apply:
    def apply(d: Path) -> None:
        path = d / rel
        record = json.loads(_lines(path)[line - 1])
        _set_line(path, line, _json_with(record, pointer, raw))

    return apply


def _config(change: Callable[[dict[str, Any]], None]) -> Apply:
    def apply(d: Path) -> None:
        config = yaml.safe_load((d / "dataset.yaml").read_text(encoding="utf-8"))
        change(config)
        (d / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    return apply


def _set_at(config: dict[str, Any], pointer: list[str], value: Any) -> None:
    parent = config
    for key in pointer[:-1]:
        parent = parent.setdefault(key, {})
    if value is _MISSING:
        parent.pop(pointer[-1], None)
    else:
        parent[pointer[-1]] = value


_MISSING = object()


def _raw_config(text: str) -> Apply:
    return lambda d: (d / "dataset.yaml").write_text(text, encoding="utf-8")


def _bytes(rel: str, data: Callable[[bytes], bytes]) -> Apply:
    def apply(d: Path) -> None:
        path = d / rel
        path.write_bytes(data(path.read_bytes()))

    return apply


def _replace_with_dir(rel: str) -> Apply:
    def apply(d: Path) -> None:
        (d / rel).unlink()
        (d / rel).mkdir()

    return apply


def _loop(rel: str) -> Apply:
    def apply(d: Path) -> None:
        (d / rel).unlink()
        (d / rel).symlink_to(d / rel)

    return apply


def _unreadable(rel: str) -> Apply:
    return lambda d: os.chmod(d / rel, 0)


def _nested(depth: int) -> bytes:
    return b'{"article_id": "x", "a": ' + b"[" * depth + b"]" * depth + b"}"


def _use_export(
    make: Callable[..., Any], fmt: str, *, jsonl: bool, extra: dict[str, Any] | None = None
) -> Apply:
    def apply(d: Path) -> None:
        name = f"export.{'jsonl' if jsonl else 'json'}"
        tx.write_export(d / name, make(d), jsonl=jsonl)
        tx.use_annotations(d, {"path": name, "format": fmt, **(extra or {})})

    return apply


def _then(*steps: Apply) -> Apply:
    def apply(d: Path) -> None:
        for step in steps:
            step(d)

    return apply


# -- the cases --------------------------------------------------------------------------------
def _file_cases() -> Iterator[Case]:
    jsonl = ["sources.jsonl", "annotations.jsonl"]
    text_files = [*jsonl, f"articles/{ARTICLE}.txt", "dataset.yaml"]
    for rel in text_files:
        base = Path(rel).name
        both = ("build", "validate")
        # no annotations at all is a dataset too
        empty = "any" if rel == "annotations.jsonl" else "fail"
        yield Case(
            f"file-empty:{base}", _bytes(rel, lambda b: b""), base, expect=empty, commands=both
        )
        yield Case(f"file-dir:{base}", _replace_with_dir(rel), base, commands=both)
        yield Case(f"file-loop:{base}", _loop(rel), base, commands=both)
        yield Case(f"file-chmod000:{base}", _unreadable(rel), base, unprivileged=True)
        yield Case(
            f"file-bom:{base}", _bytes(rel, lambda b: b"\xef\xbb\xbf" + b), base, expect="any"
        )
        yield Case(
            f"file-crlf:{base}", _bytes(rel, lambda b: b.replace(b"\n", b"\r\n")), base, None, "any"
        )
        yield Case(
            f"file-utf16:{base}",
            _bytes(rel, lambda b: b.decode("utf-8").encode("utf-16")),
            base,
            expect="any",
        )
        bad_line = 1 if rel.startswith("articles") else 2 if rel != "dataset.yaml" else 3
        line = None if rel.startswith("articles") else bad_line
        yield Case(
            f"file-badutf8:{base}",
            _bytes(rel, lambda b, n=bad_line: _insert_on_line(b, n, b"\xff\xfe\xc3(")),
            base,
            line,
        )
        yield Case(
            f"file-nul:{base}", _bytes(rel, lambda b: b[:40] + b"\x00" + b[40:]), base, None, "any"
        )
        yield Case(
            f"file-tail-no-newline:{base}",
            _bytes(rel, lambda b: b.rstrip(b"\n")),
            base,
            None,
            "any",
        )
    for rel in jsonl:
        base = rel
        yield Case(
            f"jsonl-truncated-line:{base}",
            _bytes(rel, lambda b: _truncate_line(b, 2)),
            base,
            2,
        )
        yield Case(f"jsonl-truncated-file:{base}", _bytes(rel, lambda b: b[: len(b) - 37]), base, 5)
        yield Case(
            f"jsonl-nested-100k:{base}",
            lambda d, r=rel: _set_line(d / r, 2, _nested(100_000)),
            base,
            2,
        )
        yield Case(
            f"jsonl-nested-3k:{base}", lambda d, r=rel: _set_line(d / r, 2, _nested(3_000)), base, 2
        )
        yield Case(
            f"jsonl-50mb-line:{base}",
            lambda d, r=rel: _set_line(d / r, 2, b'{"article_id": "' + b"a" * 50_000_000 + b'"}'),
            base,
            2,
        )
        yield Case(
            f"jsonl-50mb-garbage:{base}",
            lambda d, r=rel: _set_line(d / r, 2, b"z" * 50_000_000),
            base,
            2,
        )
        yield Case(
            f"jsonl-array-line:{base}", lambda d, r=rel: _set_line(d / r, 2, "[1, 2]"), base, 2
        )
        yield Case(
            f"jsonl-string-line:{base}", lambda d, r=rel: _set_line(d / r, 2, '"x"'), base, 2
        )
        yield Case(f"jsonl-null-line:{base}", lambda d, r=rel: _set_line(d / r, 2, "null"), base, 2)
        yield Case(
            f"jsonl-blank-line:{base}", lambda d, r=rel: _set_line(d / r, 2, ""), base, None, "any"
        )
        yield Case(
            f"jsonl-duplicate-id:{base}",
            lambda d, r=rel: _set_line(d / r, 3, _lines(d / r)[1]),
            base,
            3,
        )
        yield Case(
            f"jsonl-lone-surrogate:{base}",
            lambda d, r=rel: _set_line(d / r, 2, _lines(d / r)[1].replace('"', '"\\ud800', 3)),
            base,
            2,
            "any",
        )
        yield Case(
            f"jsonl-dup-key:{base}",
            lambda d, r=rel: _set_line(d / r, 2, _lines(d / r)[1][:-1] + ', "article_id": "zz"}'),
            base,
            2,
        )


def _insert_on_line(data: bytes, line: int, junk: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[line - 1] = lines[line - 1][:20] + junk + lines[line - 1][20:]
    return b"\n".join(lines)


def _truncate_line(data: bytes, line: int) -> bytes:
    lines = data.split(b"\n")
    lines[line - 1] = lines[line - 1][: len(lines[line - 1]) // 2]
    return b"\n".join(lines)


def _compressed(rel: str, suffix: str, change: Callable[[bytes], bytes]) -> Apply:
    """``rel`` compressed by ``suffix``, then changed, and the configuration pointed at it."""

    def apply(d: Path) -> None:
        import gzip

        import zstandard

        data = (d / rel).read_bytes()
        packed = gzip.compress(data, mtime=0) if suffix == ".gz" else b""
        if suffix == ".zst":
            packed = zstandard.ZstdCompressor().compress(data)
        (d / rel).unlink()
        (d / (rel + suffix)).write_bytes(change(packed) if packed else change(data))
        config = yaml.safe_load((d / "dataset.yaml").read_text(encoding="utf-8"))
        if rel == "sources.jsonl":
            config["inputs"]["sources"] = rel + suffix
        else:
            config["inputs"]["annotations"][0]["path"] = rel + suffix
        (d / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    return apply


def _compressed_cases() -> Iterator[Case]:
    for rel in ("sources.jsonl", "annotations.jsonl"):
        for suffix in (".gz", ".zst"):
            name = rel + suffix
            yield Case(f"compressed-ok:{name}", _compressed(rel, suffix, bytes), name, expect="any")
            yield Case(
                f"compressed-cut:{name}",
                _compressed(rel, suffix, lambda b: b[: len(b) - 300]),
                name,
            )
            yield Case(
                f"compressed-junk-tail:{name}",
                _compressed(rel, suffix, lambda b: b + b"junk"),
                name,
            )
            yield Case(
                f"compressed-empty:{name}",
                _compressed(rel, suffix, lambda b: b""),
                name,
                expect="any",
            )


def _record_cases() -> Iterator[Case]:
    sources = [json.loads(x) for x in _lines(SEEDS / "sources.jsonl")]
    annotations = [json.loads(x) for x in _lines(SEEDS / "annotations.jsonl")]
    line = 2
    for rel, record in (("sources.jsonl", sources[1]), ("annotations.jsonl", annotations[1])):
        for pointer in _pointers(record):
            where = "/".join(str(p) for p in pointer)
            for kind, raw in BAD_VALUES.items():
                yield Case(
                    f"field-{kind}:{rel}:{where}",
                    _record_case(rel, line, pointer, raw, "fail"),
                    rel,
                    line,
                    "any",
                )
            yield Case(
                f"field-missing:{rel}:{where}",
                _record_case(rel, line, pointer, None, "any"),
                rel,
                line,
                "any",
            )
        yield Case(
            f"field-extra:{rel}",
            _record_case(rel, line, ["zz_extra"], '"x"', "any"),
            rel,
            line,
            "any",
        )
        yield Case(
            f"field-extra-nested:{rel}",
            _record_case(
                rel,
                line,
                [next(k for k, v in record.items() if isinstance(v, dict)), "zz"],
                "1",
                "any",
            ),
            rel,
            line,
            "any",
        )
    ann = annotations[1]
    text = (SEEDS / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    for kind in ("entities", "quotes"):
        if not ann.get(kind):
            continue
        for key, raw in (
            ("start", "-1"),
            ("end", str(len(text) + 10)),
            ("start", str(len(text) + 5)),
            ("start", "1.5"),
            ("start", '"3"'),
            ("end", "0"),
            ("start", "1e400"),
            ("start", str(2**70)),
            ("start", "true"),
        ):
            yield Case(
                f"span-{key}={raw[:12]}:annotations.jsonl:{kind}",
                _record_case("annotations.jsonl", 2, [kind, 0, key], raw, "fail"),
                "annotations.jsonl",
                2,
            )
    yield Case(
        "span-label-unknown:annotations.jsonl",
        _record_case("annotations.jsonl", 2, ["entities", 0, "label"], '"NOPE"', "fail"),
        "annotations.jsonl",
        2,
    )
    yield Case(
        "span-duplicate-id:annotations.jsonl",
        _record_case(
            "annotations.jsonl",
            2,
            ["entities", 1, "id"],
            json.dumps(ann["entities"][0]["id"]),
            "fail",
        ),
        "annotations.jsonl",
        2,
    )
    for key in ("genre", "text_form"):
        if key in ann.get("labels", {}) or "labels" in ann:
            yield Case(
                f"doclabel-unknown:{key}",
                _record_case("annotations.jsonl", 2, ["labels", key], '"NOPE"', "fail"),
                "annotations.jsonl",
                2,
            )


def _pointers(record: dict[str, Any]) -> Iterator[list[Any]]:
    """Every key of a record, nested objects included, and the first item of lists
    of objects (one level)."""
    for key, value in record.items():
        yield [key]
        if isinstance(value, dict):
            for sub in value:
                yield [key, sub]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for sub in value[0]:
                yield [key, 0, sub]


def _config_cases() -> Iterator[Case]:
    config = yaml.safe_load((SEEDS / "dataset.yaml").read_text(encoding="utf-8"))
    wrong: dict[str, Any] = {
        "null": None,
        "number": 7,
        "float": 1.5,
        "list": [1],
        "object": {"a": 1},
        "bool": True,
        "string": "x",
        "huge": "x" * 200_000,
    }
    pointers: list[list[str]] = []
    for key, value in config.items():
        pointers.append([key])
        if isinstance(value, dict):
            pointers += [[key, sub] for sub in value]
    pointers.append(["inputs", "annotations", 0, "format"])  # type: ignore[list-item]
    pointers.append(["inputs", "annotations", 0, "path"])  # type: ignore[list-item]
    for pointer in pointers:
        where = "/".join(str(p) for p in pointer)
        for kind, value in wrong.items():
            yield Case(
                f"config-{kind}:{where}",
                _config(lambda c, p=pointer, v=value: _set_at_any(c, p, v)),
                "dataset.yaml",
                expect="any",
            )
        yield Case(
            f"config-missing:{where}",
            _config(lambda c, p=pointer: _set_at_any(c, p, _MISSING)),
            "dataset.yaml",
            expect="any",
        )
    yield Case("config-unknown-key", _config(lambda c: c.update(zz_unknown=1)), "dataset.yaml")
    yield Case(
        "config-unknown-nested-key",
        _config(lambda c: c["splits"].update(zz_unknown=1)),
        "dataset.yaml",
    )
    original = (SEEDS / "dataset.yaml").read_text(encoding="utf-8")
    laughs = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(9)
    )
    both = ("build", "validate", "clean", "release")
    yield Case(
        "config-billion-laughs", _raw_config(original + laughs), "dataset.yaml", commands=both
    )
    yield Case("config-billion-laughs-only", _raw_config(laughs), "dataset.yaml", commands=both)
    yield Case(
        "config-python-object",
        _raw_config(original + "zz: !!python/object:os.system {}\n"),
        "dataset.yaml",
        3 + original.count("\n") - 2,
        commands=both,
    )
    yield Case(
        "config-python-name",
        _raw_config(original.replace("name: israel", "name: !!python/name:os.system israel", 1)),
        "dataset.yaml",
        commands=both,
    )
    yield Case("config-empty", _raw_config(""), "dataset.yaml", commands=both)
    yield Case("config-comment-only", _raw_config("# nothing\n"), "dataset.yaml", commands=both)
    yield Case("config-list", _raw_config("- a\n- b\n"), "dataset.yaml", commands=both)
    yield Case("config-scalar", _raw_config("hello\n"), "dataset.yaml", commands=both)
    yield Case(
        "config-tabs",
        _raw_config(original.replace("  articles: articles", "\tarticles: articles")),
        "dataset.yaml",
        commands=both,
    )
    yield Case(
        "config-duplicate-key",
        _raw_config(original + "version: 2.0.0\n"),
        "dataset.yaml",
        original.count("\n") + 1,
        commands=both,
    )
    yield Case(
        "config-two-documents",
        _raw_config(original + "---\nname: b\n"),
        "dataset.yaml",
        commands=both,
    )
    yield Case(
        "config-nul-in-path",
        _raw_config(original.replace("  sources: sources.jsonl", '  sources: "s\\0.jsonl"')),
        "dataset.yaml",
        original[: original.index("  sources: sources.jsonl")].count("\n") + 1,
        commands=both,
    )
    yield Case(
        "config-surrogate-in-path",
        _raw_config(original.replace("  articles: articles", '  articles: "a\\ud800"')),
        "dataset.yaml",
        original[: original.index("  articles: articles")].count("\n") + 1,
        commands=both,
    )
    yield Case("config-nonstring-key", _raw_config(original + "1: 2\n"), "dataset.yaml")
    yield Case("config-null-key", _raw_config(original + "~: 2\n"), "dataset.yaml")
    yield Case(
        "config-deep",
        _raw_config(original + "zz: " + "[" * 5000 + "]" * 5000 + "\n"),
        "dataset.yaml",
        commands=both,
    )
    yield Case(
        "config-date-version",
        _raw_config(original.replace("version: 1.0.0", "version: 2024-01-01")),
        "dataset.yaml",
    )
    for key, value in (
        ("sources", "../../etc/passwd"),
        ("sources", "/etc/passwd"),
        ("articles", "../../etc"),
        ("articles", "/etc/*.conf"),
        ("sources", "sources.jsonl/../../../../etc/passwd"),
    ):
        yield Case(
            f"config-outside:{key}={value}",
            _config(lambda c, k=key, v=value: c["inputs"].update({k: v})),
            "dataset.yaml",
            commands=("build", "validate"),
        )
    yield Case(
        "config-outside:annotations=/etc/passwd",
        _config(lambda c: c["inputs"]["annotations"][0].update(path="/etc/passwd")),
        "dataset.yaml",
    )
    yield Case(
        "config-outside:annotations=../../etc/hostname",
        _config(lambda c: c["inputs"]["annotations"][0].update(path="../../etc/hostname")),
        "dataset.yaml",
    )
    yield Case(
        "config-git-target-outside",
        _config(lambda c: c["publish"].update(git_target="/etc/fuzz-target")),
        "dataset.yaml",
        commands=("release",),
        expect="any",
    )
    yield Case(
        "config-missing-file:sources",
        _config(lambda c: c["inputs"].update(sources="nope.jsonl")),
        "nope.jsonl",
    )
    yield Case(
        "config-missing-file:annotations",
        _config(lambda c: c["inputs"]["annotations"][0].update(path="nope.jsonl")),
        "nope.jsonl",
    )
    yield Case(
        "config-label-set-dup",
        _config(lambda c: c["labels"].update(entity=["PERSON", "PERSON"])),
        "dataset.yaml",
    )
    yield Case(
        "config-annotation-format-unknown",
        _config(lambda c: c["inputs"]["annotations"][0].update(format="nope")),
        "dataset.yaml",
    )


def _set_at_any(config: dict[str, Any], pointer: list[Any], value: Any) -> None:
    parent: Any = config
    for key in pointer[:-1]:
        parent = parent[key]
    if value is _MISSING:
        if isinstance(parent, dict):
            parent.pop(pointer[-1], None)
    else:
        parent[pointer[-1]] = value


def _out_inside_input() -> Iterator[Case]:
    yield Case("out-inside-input", lambda d: None, "", expect="any", commands=("build-out-inside",))
    yield Case("out-is-input", lambda d: None, "", expect="fail", commands=("build-out-is-input",))
    yield Case("out-is-file", lambda d: None, "", expect="fail", commands=("build-out-is-file",))
    yield Case(
        "input-missing",
        lambda d: shutil.rmtree(d),
        "",
        expect="fail",
        commands=("build", "validate"),
    )
    yield Case(
        "input-is-file", lambda d: (shutil.rmtree(d), d.write_text("x")), "", commands=("build",)
    )


def _export_cases() -> Iterator[Case]:
    shapes: list[tuple[str, Callable[..., Any], str, bool, dict[str, Any]]] = [
        ("ls-json", tx.label_studio_json, "label-studio", False, {}),
        ("ls-min", tx.label_studio_json_min, "label-studio", False, {}),
        ("doccano-seq", tx.doccano_sequence_labeling, "doccano", True, {}),
        ("doccano-rel", tx.doccano_relation_extraction, "doccano", True, {}),
        ("doccano-intent", tx.doccano_intent_detection, "doccano", True, {}),
        ("doccano-v1", tx.doccano_text_label_v1, "doccano", True, {}),
    ]
    for shape, make, fmt, jsonl, extra in shapes:
        name = f"export.{'jsonl' if jsonl else 'json'}"
        base = _use_export(make, fmt, jsonl=jsonl, extra=extra)
        yield Case(f"export-ok:{shape}", base, name, expect="any")
        sample = make(SEEDS)[1]
        for pointer in _pointers(sample):
            where = "/".join(str(p) for p in pointer)
            for kind, raw in BAD_VALUES.items():
                if kind in ("huge", "ninf", "big") and pointer[0] in ("text", "data"):
                    continue
                yield Case(
                    f"export-{kind}:{shape}:{where}",
                    _then(base, _export_value(name, jsonl, pointer, raw)),
                    name,
                    2 if jsonl else None,
                    "any",
                )
            yield Case(
                f"export-missing:{shape}:{where}",
                _then(base, _export_value(name, jsonl, pointer, None)),
                name,
                2 if jsonl else None,
                "any",
            )
        # deeper: a result / span item
        for deep in _deep_pointers(sample):
            where = "/".join(str(p) for p in deep)
            for kind in ("null", "number", "list", "object", "nan", "big", "bool"):
                yield Case(
                    f"export-{kind}:{shape}:{where}",
                    _then(base, _export_value(name, jsonl, deep, BAD_VALUES[kind])),
                    name,
                    2 if jsonl else None,
                    "any",
                )
        yield Case(
            f"export-truncated:{shape}",
            _then(base, _bytes(name, lambda b: b[: len(b) // 2])),
            name,
            None,
        )
        # an empty export is no annotations, as an empty native file is
        yield Case(
            f"export-empty:{shape}", _then(base, _bytes(name, lambda b: b"")), name, None, "any"
        )
        yield Case(
            f"export-badutf8:{shape}",
            _then(base, _bytes(name, lambda b: b[:100] + b"\xff\xfe" + b[100:])),
            name,
            None,
        )
        yield Case(
            f"export-utf16:{shape}",
            _then(base, _bytes(name, lambda b: b.decode().encode("utf-16"))),
            name,
            None,
            "any",
        )
        yield Case(
            f"export-bom:{shape}",
            _then(base, _bytes(name, lambda b: b"\xef\xbb\xbf" + b)),
            name,
            None,
            "any",
        )
        yield Case(f"export-scalar:{shape}", _then(base, _bytes(name, lambda b: b"42")), name, None)
        yield Case(
            f"export-nested:{shape}",
            _then(base, _bytes(name, lambda b: b"[" * 100_000 + b"]" * 100_000)),
            name,
            None,
        )
        yield Case(f"export-dir:{shape}", _then(base, _replace_with_dir(name)), name, None, "any")
        yield Case(f"export-loop:{shape}", _then(base, _loop(name)), name, None)
        yield Case(
            f"export-duplicate:{shape}",
            _then(base, _export_edit(name, jsonl, lambda items: items.append(items[1]))),
            name,
            None,
        )
        for option, value in (
            ("labels", 7),
            ("labels", {"Person": 7}),
            ("labels", ["x"]),
            ("speaker_relations", 7),
            ("choices", [1]),
            ("text_key", 7),
            ("label_config", "nope.xml"),
            ("predictions", "yes"),
            ("label_table", 7),
            ("offsets", "bytes"),
            ("zz_unknown", 1),
        ):
            yield Case(
                f"export-option-{option}={json.dumps(value)[:10]}:{shape}",
                _then(
                    base,
                    _config(
                        lambda c, o=option, v=value: c["inputs"]["annotations"][0].update({o: v})
                    ),
                ),
                "dataset.yaml",
                expect="any",
            )


def _deep_pointers(sample: dict[str, Any]) -> Iterator[list[Any]]:
    for key in ("annotations", "label", "entities", "labels", "relations", "cats"):
        value = sample.get(key)
        if isinstance(value, list) and value:
            first = value[0]
            if isinstance(first, dict):
                for sub, subval in first.items():
                    yield [key, 0, sub]
                    if sub == "result" and isinstance(subval, list) and subval:
                        for k2, v2 in subval[0].items():
                            yield [key, 0, "result", 0, k2]
                            if isinstance(v2, dict):
                                for k3 in v2:
                                    yield [key, 0, "result", 0, k2, k3]
            elif isinstance(first, list):
                for i in range(len(first)):
                    yield [key, 0, i]
    for key, value in sample.items():
        if isinstance(value, list) and value and isinstance(value[0], dict) and "start" in value[0]:
            for sub in value[0]:
                yield [key, 0, sub]


def _export_value(name: str, jsonl: bool, pointer: list[Any], raw: str | None) -> Apply:
    def apply(d: Path) -> None:
        path = d / name
        if jsonl:
            record = json.loads(_lines(path)[1])
            _set_line(path, 2, _json_with(record, pointer, raw))
        else:
            items = json.loads(path.read_text(encoding="utf-8"))
            text = _json_with({"items": items}, ["items", 1, *pointer], raw)
            path.write_text(text[len('{"items": ') : -1], encoding="utf-8")

    return apply


def _export_edit(name: str, jsonl: bool, change: Callable[[list[Any]], None]) -> Apply:
    def apply(d: Path) -> None:
        path = d / name
        text = path.read_text(encoding="utf-8")
        items = [json.loads(x) for x in text.splitlines()] if jsonl else json.loads(text)
        change(items)
        tx.write_export(path, items, jsonl=jsonl)

    return apply


def all_cases() -> list[Case]:
    cases = [
        *_file_cases(),
        *_compressed_cases(),
        *_record_cases(),
        *_config_cases(),
        *_out_inside_input(),
        *_export_cases(),
    ]
    unique: dict[str, Case] = {}
    for case in cases:
        unique.setdefault(case.name, case)  # the deep walk repeats the shallow one
    return list(unique.values())


# -- running and checking ---------------------------------------------------------------------
def tree_digest(folder: Path) -> str | None:
    if not folder.exists():
        return None
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def good_build(work: Path, builder: list[str]) -> Path:
    out = work / "good"
    if not out.exists():
        subprocess.run(
            [*builder, "build", "--input", str(SEEDS), "--out", str(out), "--workers", "1"],
            check=True,
            capture_output=True,
        )
    return out


def _argv(command: str, inp: Path, out: Path) -> tuple[list[str], Path]:
    if command == "build":
        return ["build", "--input", str(inp), "--out", str(out), "--workers", "1"], out
    if command == "build-out-inside":
        return ["build", "--input", str(inp), "--out", str(inp / "out"), "--workers", "1"], out
    if command == "build-out-is-input":
        return ["build", "--input", str(inp), "--out", str(inp), "--workers", "1"], inp
    if command == "build-out-is-file":
        target = inp / "sources.jsonl"
        return ["build", "--input", str(inp), "--out", str(target), "--workers", "1"], target
    if command == "validate":
        return ["validate", "--input", str(inp)], out
    if command == "clean":
        return ["clean", "--config", str(inp), str(SEEDS / "articles" / f"{ARTICLE}.txt")], out
    if command == "release":
        return ["release", "--input", str(inp), "--out", str(out)], out
    raise ValueError(command)


def _unprivileged() -> Callable[[], None] | None:
    if os.geteuid() != 0:
        return None

    def drop() -> None:
        os.setgid(65534)
        os.setuid(65534)

    return drop


def run_case(
    case: Case,
    work: Path,
    builder: list[str],
    timeout: float = 300,
    commands: tuple[str, ...] | None = None,
) -> list[Outcome]:
    """Apply ``case`` to a fresh copy of the seeds, run its commands (or ``commands``),
    check each run."""
    outcomes = []
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        base = Path(tmp)
        inp = base / "in"
        shutil.copytree(SEEDS, inp)
        case.apply(inp)
        out = base / "out"
        shutil.copytree(good_build(work, builder), out)
        env = {**os.environ, "BUILDER_DEBUG": "", "COLUMNS": "200", "TMPDIR": str(base)}
        env.pop("BUILDER_DEBUG")
        preexec = None
        if case.unprivileged and os.geteuid() == 0:
            # root reads a chmod 000 file anyway, and the virtual environment is root's
            return [Outcome(case, "skipped (root)", 0, "")]
        for command in commands or case.commands:
            argv, watched = _argv(command, inp, out)
            before = tree_digest(watched)
            try:
                proc = subprocess.run(
                    [*builder, *argv],
                    capture_output=True,
                    text=True,
                    errors="replace",
                    env=env,
                    timeout=timeout,
                    preexec_fn=preexec,
                    cwd=base,
                )
                code, stderr = proc.returncode, proc.stderr
            except subprocess.TimeoutExpired:
                code, stderr = -9, "TIMEOUT"
            outcome = Outcome(case, command, code, stderr)
            outcome.problems = check(case, command, code, stderr, before, tree_digest(watched))
            if code == 0 and command == "build" and not _may_drop_spans(case):
                outcome.problems += _spans_lost(watched)
            outcomes.append(outcome)
    return outcomes


#: the seeds' spans (entities + quotes): a build that passes must publish all of them
SEED_SPANS = tx.SEED_ENTITIES + tx.SEED_QUOTES


def _may_drop_spans(case: Case) -> bool:
    """Mutations after which fewer spans are right: an empty list, a key or file left
    out, a span list replaced, a record (or the whole file) emptied."""
    kind = case.name.split(":", 1)[0]
    return kind.endswith(("-list", "-missing", "-empty", "-object"))


def _spans_lost(out: Path) -> list[str]:
    rows = tx.published_rows(out).values()
    found = sum(len(r["entities"]) + len(r["quotes"]) for r in rows)
    return [f"exit 0 with {SEED_SPANS - found} span(s) dropped"] if found < SEED_SPANS else []


def check(
    case: Case, command: str, code: int, stderr: str, before: str | None, after: str | None
) -> list[str]:
    problems = []
    if "Traceback" in stderr:
        problems.append("traceback")
    if code == -9:
        problems.append("timeout")
    elif code < 0:
        problems.append(f"killed by signal {-code}")
    elif code == 3 or "internal error" in stderr:
        problems.append("internal error")
    elif code not in (0, 1, 2):
        problems.append(f"exit {code}")
    if code == 0:
        if case.expect == "fail" and command not in ("clean",):
            problems.append("exit 0 on bad input")
        return problems
    if command.startswith("build") and before != after:
        problems.append("output changed after a failed build")
    if case.file and case.file not in stderr:
        problems.append(f"message does not name {case.file}")
    if (
        case.line is not None
        and code == 1
        and not re.search(rf"(:{case.line}\b|line {case.line}\b)", stderr)
    ):
        problems.append(f"message does not name line {case.line}")
    return problems


def _safe_run(case: Case, work: Path, builder: list[str]) -> list[Outcome]:
    try:
        return run_case(case, work, builder)
    except Exception as exc:  # the harness's own failure must not end the run
        return [Outcome(case, "harness", -1, repr(exc), [f"harness error: {exc!r}"])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--sample", type=int, help="run this many cases, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fuzz_inputs")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument(
        "--tree", type=Path, help="run the builder of this source tree (e.g. the tree before a fix)"
    )
    args = parser.parse_args(argv)
    cases = all_cases()
    if args.only:
        cases = [c for c in cases if re.search(args.only, c.name)]
    if args.sample:
        cases = random.Random(args.seed).sample(cases, min(args.sample, len(cases)))
    if args.list:
        print("\n".join(c.name for c in cases))
        print(f"{len(cases)} cases", file=sys.stderr)
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    builder = [str(ROOT / ".venv" / "bin" / "builder")]
    if args.tree:
        os.environ["PYTHONPATH"] = str(args.tree.resolve())
        builder = [sys.executable, "-m", "builder"]
    good_build(args.work, builder)
    broken = 0
    records = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for outcomes in pool.map(lambda c: _safe_run(c, args.work, builder), cases):
            for o in outcomes:
                records.append(
                    {
                        "case": o.case.name,
                        "command": o.command,
                        "code": o.code,
                        "problems": o.problems,
                        "stderr": o.stderr[-2000:],
                    }
                )
                if o.problems:
                    broken += 1
                    last = [x for x in o.stderr.strip().splitlines() if x.strip()][-1:] or [""]
                    print(
                        f"BROKEN {o.case.name} [{o.command}] exit {o.code}: {', '.join(o.problems)} | {last[0][:300]}",
                        flush=True,
                    )
    if args.json:
        args.json.write_text(json.dumps(records, indent=1))
    print(f"{len(cases)} cases, {len(records)} runs, {broken} broke the contract")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
