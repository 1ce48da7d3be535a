"""What a run must look like: the contract for bad input, checked on one outcome."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .model import Case, tx


def tree_digest(folder: Path) -> str | None:
    if not folder.exists():
        return None
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


#: the seeds' spans (entities + quotes): a build that passes must publish all of them
SEED_SPANS = tx.SEED_ENTITIES + tx.SEED_QUOTES


def may_drop_spans(case: Case) -> bool:
    """Mutations after which fewer spans are right: an empty list, a key or file left
    out, a span list replaced, a record (or the whole file) emptied."""
    kind = case.name.split(":", 1)[0]
    return not case.keeps_spans or kind.endswith(("-list", "-missing", "-empty", "-object"))


def spans_lost(out: Path) -> list[str]:
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
    if (command.startswith("build") or command == "argv") and before != after:
        problems.append("output changed after a failed run")
    if case.file and case.file not in stderr:
        problems.append(f"message does not name {case.file}")
    if (
        case.line is not None
        and code == 1
        and not re.search(rf"(:{case.line}\b|line {case.line}\b)", stderr)
    ):
        problems.append(f"message does not name line {case.line}")
    return problems
