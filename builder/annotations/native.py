"""The native annotation format: JSON Lines, one record per article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..ingest import read_jsonl
from ..validate.report import Issue

__all__ = ["read_native"]


def read_native(path: Path) -> Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]]:
    yield from read_jsonl(path)
