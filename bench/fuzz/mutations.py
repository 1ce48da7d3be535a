"""Mutations: functions that change one thing in a copy of the inputs (``Apply``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .model import MISSING, Apply, tx


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def set_line(path: Path, line: int, text: str | bytes) -> None:
    raw = path.read_bytes().split(b"\n")
    raw[line - 1] = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(b"\n".join(raw))


def json_with(record: dict[str, Any], pointer: list[Any], raw: str | None) -> str:
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


def record_case(rel: str, line: int, pointer: list[Any], raw: str | None, expect: str) -> Apply:
    def apply(d: Path) -> None:
        path = d / rel
        record = json.loads(read_lines(path)[line - 1])
        set_line(path, line, json_with(record, pointer, raw))

    return apply


def edit_config(change: Callable[[dict[str, Any]], None]) -> Apply:
    def apply(d: Path) -> None:
        config = yaml.safe_load((d / "dataset.yaml").read_text(encoding="utf-8"))
        change(config)
        (d / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    return apply


def raw_config(text: str) -> Apply:
    return lambda d: (d / "dataset.yaml").write_text(text, encoding="utf-8")


def edit_bytes(rel: str, data: Callable[[bytes], bytes]) -> Apply:
    def apply(d: Path) -> None:
        path = d / rel
        path.write_bytes(data(path.read_bytes()))

    return apply


def replace_with_dir(rel: str) -> Apply:
    def apply(d: Path) -> None:
        (d / rel).unlink()
        (d / rel).mkdir()

    return apply


def link_loop(rel: str) -> Apply:
    def apply(d: Path) -> None:
        (d / rel).unlink()
        (d / rel).symlink_to(d / rel)

    return apply


def unreadable(rel: str) -> Apply:
    return lambda d: os.chmod(d / rel, 0)


def nested_json(depth: int) -> bytes:
    return b'{"article_id": "x", "a": ' + b"[" * depth + b"]" * depth + b"}"


def use_export(
    make: Callable[..., Any], fmt: str, *, jsonl: bool, extra: dict[str, Any] | None = None
) -> Apply:
    def apply(d: Path) -> None:
        name = f"export.{'jsonl' if jsonl else 'json'}"
        tx.write_export(d / name, make(d), jsonl=jsonl)
        tx.use_annotations(d, {"path": name, "format": fmt, **(extra or {})})

    return apply


def then(*steps: Apply) -> Apply:
    def apply(d: Path) -> None:
        for step in steps:
            step(d)

    return apply


def insert_on_line(data: bytes, line: int, junk: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[line - 1] = lines[line - 1][:20] + junk + lines[line - 1][20:]
    return b"\n".join(lines)


def truncate_line(data: bytes, line: int) -> bytes:
    lines = data.split(b"\n")
    lines[line - 1] = lines[line - 1][: len(lines[line - 1]) // 2]
    return b"\n".join(lines)


def compressed(rel: str, suffix: str, change: Callable[[bytes], bytes]) -> Apply:
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


def set_at_any(config: dict[str, Any], pointer: list[Any], value: Any) -> None:
    parent: Any = config
    for key in pointer[:-1]:
        parent = parent[key]
    if value is MISSING:
        if isinstance(parent, dict):
            parent.pop(pointer[-1], None)
    else:
        parent[pointer[-1]] = value


def export_value(name: str, jsonl: bool, pointer: list[Any], raw: str | None) -> Apply:
    def apply(d: Path) -> None:
        path = d / name
        if jsonl:
            record = json.loads(read_lines(path)[1])
            set_line(path, 2, json_with(record, pointer, raw))
        else:
            items = json.loads(path.read_text(encoding="utf-8"))
            text = json_with({"items": items}, ["items", 1, *pointer], raw)
            path.write_text(text[len('{"items": ') : -1], encoding="utf-8")

    return apply


def export_edit(name: str, jsonl: bool, change: Callable[[list[Any]], None]) -> Apply:
    def apply(d: Path) -> None:
        path = d / name
        text = path.read_text(encoding="utf-8")
        items = [json.loads(x) for x in text.splitlines()] if jsonl else json.loads(text)
        change(items)
        tx.write_export(path, items, jsonl=jsonl)

    return apply
