"""What a fuzz case is, and the values and paths the cases share."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT / "tests"))

import tool_exports as tx  # noqa: E402

__all__ = ["ARTICLE", "BAD_VALUES", "MISSING", "ROOT", "SEEDS", "Apply", "Case", "Outcome", "tx"]

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


#: a value that stands for a key left out
MISSING = object()
