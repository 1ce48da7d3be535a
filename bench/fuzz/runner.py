"""Running cases: a fresh copy of the seeds per case, the commands, their outcomes."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from .cases import all_cases
from .checks import check, may_drop_spans, spans_lost, tree_digest
from .model import ARTICLE, ROOT, SEEDS, Case, Outcome


def good_build(work: Path, builder: list[str]) -> Path:
    out = work / "good"
    if not out.exists():
        subprocess.run(
            [*builder, "build", "--input", str(SEEDS), "--out", str(out), "--workers", "1"],
            check=True,
            capture_output=True,
        )
    return out


def _places(inp: Path, out: Path) -> dict[str, str]:
    """What ``{in}``, ``{out}``, ``{base}`` and ``{good}`` (the good build itself) stand
    for in a case's ``argv``, ``watch`` and ``file``."""
    return {
        "in": str(inp),
        "out": str(out),
        "base": str(inp.parent),
        "good": str(inp.parent.parent / "good"),
    }


def _argv(command: str, inp: Path, out: Path, case: Case) -> tuple[list[str], Path]:
    if command == "argv":
        places = _places(inp, out)
        return [a.format(**places) for a in case.argv], Path(case.watch.format(**places))
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
        if case.apply_out is not None:
            case.apply_out(out)
        env = {**os.environ, "BUILDER_DEBUG": "", "COLUMNS": "200", "TMPDIR": str(base)}
        env.pop("BUILDER_DEBUG")
        preexec = None
        if case.unprivileged and (readable := _still_readable(base)):
            return [Outcome(case, f"skipped: {readable}", 0, "")]
        for command in commands or case.commands:
            argv, watched = _argv(command, inp, out, case)
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
            named = replace(case, file=case.file.format(**_places(inp, out)))
            outcome.problems = check(named, command, code, stderr, before, tree_digest(watched))
            if code == 0 and command == "build" and not may_drop_spans(case):
                outcome.problems += spans_lost(watched)
            outcomes.append(outcome)
    return outcomes


def _still_readable(base: Path) -> str | None:
    """Why a chmod 000 case cannot hold here: a path under ``base`` with no permission
    bits that this process reads anyway (root, or CAP_DAC_OVERRIDE); None if none."""
    for path in sorted(base.rglob("*")):
        if path.is_symlink() or path.lstat().st_mode & 0o777:
            continue
        try:
            if path.is_dir():
                os.listdir(path)
            else:
                with path.open("rb") as handle:
                    handle.read(1)
        except OSError:
            continue
        who = "root" if os.geteuid() == 0 else f"uid {os.geteuid()} with CAP_DAC_OVERRIDE"
        return f"chmod 000 does not stop reads of {path.name} here (running as {who})"
    return None


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
