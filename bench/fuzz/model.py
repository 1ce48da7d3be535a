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
    #: the case needs a chmod 000 to hold: skipped, with the reason, where it does not stop
    #: reads (root, or CAP_DAC_OVERRIDE)
    unprivileged: bool = False
    #: for the command ``argv``: the builder's arguments, with ``{in}`` (the mutated
    #: input), ``{out}`` (a copy of a good build) and ``{base}`` (the case's folder)
    argv: tuple[str, ...] = ()
    #: for ``argv``: the path a failed run must leave as it was (absent stays absent)
    watch: str = "{out}"
    #: whether a passing build must publish every seed span (not when the case replaces
    #: the inputs that hold them, or leaves a file out)
    keeps_spans: bool = True
    #: a mutation of the good build's copy (``{out}``), for commands that read a build
    apply_out: Apply | None = None


@dataclass
class Outcome:
    case: Case
    command: str
    code: int
    stderr: str
    problems: list[str] = field(default_factory=list)


#: a value that stands for a key left out
MISSING = object()
