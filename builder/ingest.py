"""Reading inputs: raw article files and JSON Lines records, strictly and lazily.

Nothing here holds the corpus in memory: articles are listed by name and read
one at a time; JSON Lines files are read a line at a time. Every problem becomes
an :class:`~builder.validate.report.Issue` naming the file and line.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .validate.report import Issue

__all__ = [
    "ARTICLE_SUFFIX",
    "RawArticle",
    "list_articles",
    "read_article",
    "read_jsonl",
]

ARTICLE_SUFFIX = ".txt"
MAX_JSON_DEPTH = 64


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One raw article as read, with the checksum of its exact bytes."""

    id: str
    path: str
    text: str
    sha256: str
    bytes: int

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "text": self.text,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }


def list_articles(directory: Path) -> list[tuple[str, Path]]:
    """(id, path) of every ``*.txt`` in ``directory``, sorted by id.

    Only names are held (a million ids fit in tens of MB); texts are read later.
    """
    with os.scandir(directory) as entries:
        found = [
            (entry.name[: -len(ARTICLE_SUFFIX)], Path(entry.path))
            for entry in entries
            if entry.name.endswith(ARTICLE_SUFFIX) and not entry.name.startswith(".")
        ]
    return sorted(found)


def _looks_binary(data: bytes) -> bool:
    """Control bytes other than tab/newline/CR/FF in the first 8 KiB mean binary."""
    head = data[:8192]
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > max(1, len(head) // 100)


def read_article(
    article_id: str, path: Path, *, root: Path, max_bytes: int
) -> tuple[RawArticle | None, list[Issue]]:
    """Read and decode one article (strict UTF-8; a UTF-8 BOM is kept for cleaning to log).

    Returns the article, or ``None`` with the issues that make it unusable.
    """
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    def fail(rule: str, message: str) -> tuple[None, list[Issue]]:
        return None, [Issue(file=rel, record=article_id, rule=rule, message=message)]

    size = path.stat().st_size
    if size > max_bytes:
        return fail("size-limit", f"{size} bytes is over the limit of {max_bytes} bytes")
    data = path.read_bytes()
    if not data:
        return fail("empty", "the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        return fail("encoding", "the file is UTF-16/32 (it has a BOM for it); convert it to UTF-8")
    if b"\x00" in data:
        pos = data.index(b"\x00")
        what = "binary content" if _looks_binary(data) else "a NUL byte"
        return fail("nul-byte", f"{what} at byte {pos}: not a text file")
    if _looks_binary(data):
        return fail("binary", "control bytes throughout: not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Issue(
                file=rel,
                line=line,
                record=article_id,
                rule="encoding",
                message=f"invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x})",
            )
        ]
    if not text.strip("\ufeff \t\r\n\u00a0"):
        return fail("empty", "the file holds only white space")
    article = RawArticle(article_id, rel, text, hashlib.sha256(data).hexdigest(), len(data))
    return article, []


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, without recursion, stopping past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_jsonl(
    path: Path, *, name: str | None = None
) -> Iterator[tuple[int, dict | None, list[Issue]]]:
    """Yield ``(line_number, record, issues)`` for every non-blank line.

    A line that is not a JSON object yields ``None`` and the issue; reading goes on.
    """
    name = name or path.name
    with path.open("rb") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if number == 1 and raw_line.startswith(codecs.BOM_UTF8):
                raw_line = raw_line[len(codecs.BOM_UTF8) :]
            if not raw_line.strip():
                continue

            def fail(rule: str, message: str, n: int = number) -> tuple[int, None, list[Issue]]:
                return n, None, [Issue(file=name, line=n, rule=rule, message=message)]

            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield fail("encoding", f"invalid UTF-8 at column {exc.start + 1}")
                continue
            try:
                record = json.loads(line)
            except RecursionError:
                yield fail("json-depth", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                continue
            except json.JSONDecodeError as exc:
                yield fail("json-syntax", f"malformed JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(record, dict):
                yield fail("type", f"expected a JSON object, got {type(record).__name__}")
                continue
            if _depth(record, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
                yield fail("json-depth", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                continue
            yield number, record, []
