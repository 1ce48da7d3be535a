"""Cases the others miss (session 28): records that refer to what is not there or is
there twice, invalid UTF-8 inside a compressed file, article files with odd names,
and numbers in ``dataset.yaml`` that are the right type but no sane value."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .model import ARTICLE, SEEDS, Apply, Case
from .mutations import edit_config, record_case, set_at_any

__all__ = ["ref_cases"]


def _second_annotation_file(d: Path) -> None:
    """The annotations again, as a second input: every record a duplicate."""
    shutil.copy(d / "annotations.jsonl", d / "more.jsonl")
    edit_config(lambda c: c["inputs"]["annotations"].append({"path": "more.jsonl"}))(d)


def _gz_bad_utf8(rel: str) -> Apply:
    def apply(d: Path) -> None:
        lines = (d / rel).read_bytes().split(b"\n")
        lines[1] = lines[1].replace(b'"article_id"', b'"article\xff_id"', 1)
        (d / rel).unlink()
        (d / (rel + ".gz")).write_bytes(gzip.compress(b"\n".join(lines), mtime=0))
        config = yaml.safe_load((d / "dataset.yaml").read_text(encoding="utf-8"))
        if rel == "sources.jsonl":
            config["inputs"]["sources"] = rel + ".gz"
        else:
            config["inputs"]["annotations"][0]["path"] = rel + ".gz"
        (d / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    return apply


def _rename_article(name: str) -> Apply:
    def apply(d: Path) -> None:
        target = d / "articles" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (d / "articles" / f"{ARTICLE}.txt").rename(target)

    return apply


def _link_out(d: Path) -> None:
    """The article a link to a file outside the input folder."""
    path = d / "articles" / f"{ARTICLE}.txt"
    outside = d.parent / "outside.txt"
    shutil.copy(path, outside)
    path.unlink()
    path.symlink_to(outside)


def ref_cases() -> Iterator[Case]:
    both = ("build", "validate")
    for rel in ("annotations.jsonl", "sources.jsonl"):
        yield Case(
            f"ref-article-missing:{rel}",
            record_case(rel, 2, ["article_id"], '"zz_no_such_article"', "fail"),
            rel,
            2,
            commands=both,
        )
        yield Case(f"compressed-badutf8:{rel}.gz", _gz_bad_utf8(rel), f"{rel}.gz", 2, commands=both)
    yield Case(
        "ref-speaker-missing:annotations.jsonl",
        record_case("annotations.jsonl", 2, ["quotes", 0, "speaker"], '"e99999"', "fail"),
        "annotations.jsonl",
        2,
    )
    yield Case(
        "ref-speaker-is-quote:annotations.jsonl",
        record_case("annotations.jsonl", 2, ["quotes", 0, "speaker"], '"q1"', "fail"),
        "annotations.jsonl",
        2,
    )
    yield Case(
        "ref-span-reversed:annotations.jsonl",
        record_case("annotations.jsonl", 2, ["entities", 0, "start"], "6", "fail"),
        "annotations.jsonl",
        2,
    )
    yield Case("ref-dup-across-files", _second_annotation_file, "more.jsonl", 2, commands=both)
    yield Case(
        "ref-same-file-twice",
        edit_config(lambda c: c["inputs"]["annotations"].append({"path": "annotations.jsonl"})),
        "annotations.jsonl",
        commands=both,
    )
    for name in (f"{ARTICLE}.TXT", f"sub/{ARTICLE}.txt", f".{ARTICLE}.txt", f"{ARTICLE} .txt"):
        yield Case(f"article-renamed:{name}", _rename_article(name), ARTICLE, keeps_spans=False)
    yield Case("article-link-out", _link_out, ARTICLE, expect="any")
    yield from _number_cases()


def _number_cases() -> Iterator[Case]:
    """Each number of ``dataset.yaml`` (at any depth) set to values of its type that
    no setting means: negative, zero, past 64 bits, not a number, infinite."""
    config = yaml.safe_load((SEEDS / "dataset.yaml").read_text(encoding="utf-8"))
    values: dict[str, Any] = {
        "negative": -1,
        "zero": 0,
        "bignum": 2**70,
        "nan": float("nan"),
        "inf": float("inf"),
    }
    for pointer in _number_pointers(config, []):
        where = "/".join(str(p) for p in pointer)
        for kind, value in values.items():
            yield Case(
                f"config-{kind}:{where}",
                edit_config(lambda c, p=pointer, v=value: set_at_any(c, p, v)),
                "dataset.yaml",
                expect="any",
            )


def _number_pointers(value: Any, at: list[Any]) -> Iterator[list[Any]]:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield at
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _number_pointers(sub, [*at, key])
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _number_pointers(sub, [*at, i])
