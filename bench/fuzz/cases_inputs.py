"""Cases over the input files themselves, the compressed inputs and the records in them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .model import ARTICLE, BAD_VALUES, SEEDS, Case
from .mutations import (
    compressed,
    edit_bytes,
    insert_on_line,
    link_loop,
    nested_json,
    read_lines,
    record_case,
    replace_with_dir,
    set_line,
    truncate_line,
    unreadable,
)


def file_cases() -> Iterator[Case]:
    jsonl = ["sources.jsonl", "annotations.jsonl"]
    text_files = [*jsonl, f"articles/{ARTICLE}.txt", "dataset.yaml"]
    for rel in text_files:
        base = Path(rel).name
        both = ("build", "validate")
        # no annotations at all is a dataset too
        empty = "any" if rel == "annotations.jsonl" else "fail"
        yield Case(
            f"file-empty:{base}", edit_bytes(rel, lambda b: b""), base, expect=empty, commands=both
        )
        yield Case(f"file-dir:{base}", replace_with_dir(rel), base, commands=both)
        yield Case(f"file-loop:{base}", link_loop(rel), base, commands=both)
        yield Case(f"file-chmod000:{base}", unreadable(rel), base, unprivileged=True)
        yield Case(
            f"file-bom:{base}", edit_bytes(rel, lambda b: b"\xef\xbb\xbf" + b), base, expect="any"
        )
        yield Case(
            f"file-crlf:{base}",
            edit_bytes(rel, lambda b: b.replace(b"\n", b"\r\n")),
            base,
            None,
            "any",
        )
        yield Case(
            f"file-utf16:{base}",
            edit_bytes(rel, lambda b: b.decode("utf-8").encode("utf-16")),
            base,
            expect="any",
        )
        bad_line = 1 if rel.startswith("articles") else 2 if rel != "dataset.yaml" else 3
        line = None if rel.startswith("articles") else bad_line
        yield Case(
            f"file-badutf8:{base}",
            edit_bytes(rel, lambda b, n=bad_line: insert_on_line(b, n, b"\xff\xfe\xc3(")),
            base,
            line,
        )
        yield Case(
            f"file-nul:{base}",
            edit_bytes(rel, lambda b: b[:40] + b"\x00" + b[40:]),
            base,
            None,
            "any",
        )
        yield Case(
            f"file-tail-no-newline:{base}",
            edit_bytes(rel, lambda b: b.rstrip(b"\n")),
            base,
            None,
            "any",
        )
    for rel in jsonl:
        base = rel
        yield Case(
            f"jsonl-truncated-line:{base}",
            edit_bytes(rel, lambda b: truncate_line(b, 2)),
            base,
            2,
        )
        yield Case(
            f"jsonl-truncated-file:{base}", edit_bytes(rel, lambda b: b[: len(b) - 37]), base, 5
        )
        yield Case(
            f"jsonl-nested-100k:{base}",
            lambda d, r=rel: set_line(d / r, 2, nested_json(100_000)),
            base,
            2,
        )
        yield Case(
            f"jsonl-nested-3k:{base}",
            lambda d, r=rel: set_line(d / r, 2, nested_json(3_000)),
            base,
            2,
        )
        yield Case(
            f"jsonl-50mb-line:{base}",
            lambda d, r=rel: set_line(d / r, 2, b'{"article_id": "' + b"a" * 50_000_000 + b'"}'),
            base,
            2,
        )
        yield Case(
            f"jsonl-50mb-garbage:{base}",
            lambda d, r=rel: set_line(d / r, 2, b"z" * 50_000_000),
            base,
            2,
        )
        yield Case(
            f"jsonl-array-line:{base}", lambda d, r=rel: set_line(d / r, 2, "[1, 2]"), base, 2
        )
        yield Case(f"jsonl-string-line:{base}", lambda d, r=rel: set_line(d / r, 2, '"x"'), base, 2)
        yield Case(f"jsonl-null-line:{base}", lambda d, r=rel: set_line(d / r, 2, "null"), base, 2)
        # a blank line between records is tolerated and costs nothing; a record blanked out
        # is a record gone (an article without annotations is warned about, not an error)
        yield Case(
            f"jsonl-blank-line:{base}",
            lambda d, r=rel: set_line(d / r, 2, b"\n" + read_lines(d / r)[1].encode()),
            base,
            None,
            "any",
        )
        yield Case(
            f"jsonl-record-blanked:{base}",
            lambda d, r=rel: set_line(d / r, 2, ""),
            base,
            None,
            "any",
            keeps_spans=False,
        )
        yield Case(
            f"jsonl-duplicate-id:{base}",
            lambda d, r=rel: set_line(d / r, 3, read_lines(d / r)[1]),
            base,
            3,
        )
        yield Case(
            f"jsonl-lone-surrogate:{base}",
            lambda d, r=rel: set_line(d / r, 2, read_lines(d / r)[1].replace('"', '"\\ud800', 3)),
            base,
            2,
            "any",
        )
        yield Case(
            f"jsonl-dup-key:{base}",
            lambda d, r=rel: set_line(
                d / r, 2, read_lines(d / r)[1][:-1] + ', "article_id": "zz"}'
            ),
            base,
            2,
        )


def compressed_cases() -> Iterator[Case]:
    for rel in ("sources.jsonl", "annotations.jsonl"):
        for suffix in (".gz", ".zst"):
            name = rel + suffix
            yield Case(f"compressed-ok:{name}", compressed(rel, suffix, bytes), name, expect="any")
            yield Case(
                f"compressed-cut:{name}",
                compressed(rel, suffix, lambda b: b[: len(b) - 300]),
                name,
            )
            yield Case(
                f"compressed-junk-tail:{name}",
                compressed(rel, suffix, lambda b: b + b"junk"),
                name,
            )
            yield Case(
                f"compressed-empty:{name}",
                compressed(rel, suffix, lambda b: b""),
                name,
                expect="any",
            )


def record_cases() -> Iterator[Case]:
    sources = [json.loads(x) for x in read_lines(SEEDS / "sources.jsonl")]
    annotations = [json.loads(x) for x in read_lines(SEEDS / "annotations.jsonl")]
    line = 2
    for rel, record in (("sources.jsonl", sources[1]), ("annotations.jsonl", annotations[1])):
        for pointer in record_pointers(record):
            where = "/".join(str(p) for p in pointer)
            for kind, raw in BAD_VALUES.items():
                yield Case(
                    f"field-{kind}:{rel}:{where}",
                    record_case(rel, line, pointer, raw, "fail"),
                    rel,
                    line,
                    "any",
                )
            yield Case(
                f"field-missing:{rel}:{where}",
                record_case(rel, line, pointer, None, "any"),
                rel,
                line,
                "any",
            )
        yield Case(
            f"field-extra:{rel}",
            record_case(rel, line, ["zz_extra"], '"x"', "any"),
            rel,
            line,
            "any",
        )
        yield Case(
            f"field-extra-nested:{rel}",
            record_case(
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
                record_case("annotations.jsonl", 2, [kind, 0, key], raw, "fail"),
                "annotations.jsonl",
                2,
            )
    yield Case(
        "span-label-unknown:annotations.jsonl",
        record_case("annotations.jsonl", 2, ["entities", 0, "label"], '"NOPE"', "fail"),
        "annotations.jsonl",
        2,
    )
    yield Case(
        "span-duplicate-id:annotations.jsonl",
        record_case(
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
                record_case("annotations.jsonl", 2, ["labels", key], '"NOPE"', "fail"),
                "annotations.jsonl",
                2,
            )


def record_pointers(record: dict[str, Any]) -> Iterator[list[Any]]:
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
