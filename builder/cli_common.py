"""What every command shares: the consoles, exit codes, common options, the issue
table and progress bar, and :func:`run_guarded`, which turns expected failures into
one located message and an exit code (see :mod:`builder.cli`)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from .errors import BuildError, DataError, UsageError
from .stats import StageTimings
from .validate.report import ValidationReport

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

err = Console(stderr=True, emoji=False)
out = Console(emoji=False)

InputOpt = Annotated[
    Path, typer.Option("--input", "-i", help="Folder with dataset.yaml and the inputs it names.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable JSON summary on stdout.")
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        help="Processes for the per-article stages (on this machine: at most its cores).",
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where the per-article batches run: local (a process pool of --workers) or ray "
        "(Ray tasks; needs the ray extra). The output is the same.",
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster to run on with --engine ray (default: $RAY_ADDRESS, else a local Ray "
        "with --workers CPUs).",
    ),
]
#: ``builder build``'s default --workers: the cores this process may run on.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
ProfileOpt = Annotated[
    bool,
    typer.Option(
        "--profile",
        help="Print CPU seconds and records per stage, and write them into build_report.json "
        "(which then differs between rebuilds).",
    ),
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Also write the validation report (JSON) here.")
]


def say_plain(message: str) -> None:
    """A message shown literally: no markup, no emoji codes, never wrapped."""
    err.print(message, markup=False, highlight=False, emoji=False, soft_wrap=True)


def print_timings(timings: StageTimings) -> None:
    """The per-stage table of ``--profile`` (on stderr: stdout may carry ``--json``)."""
    table = Table(title="CPU time per stage")
    for name in ("stage", "where", "CPU s", "records", "ms/record", "share"):
        table.add_column(name, justify="left" if name in ("stage", "where") else "right")
    for stage, row in timings.to_dict().items():
        table.add_row(
            stage,
            row["where"],
            f"{row['cpu_seconds']:.2f}",
            str(row["records"]),
            f"{row['ms_per_record']:.3f}",
            f"{row['share']:.1%}",
        )
    table.add_row("total", "", f"{sum(timings.seconds.values()):.2f}", "", "", "")
    err.print(table)


def print_report(report: ValidationReport, *, limit: int = 50) -> None:
    if not report.issues:
        return
    if not err.is_terminal:
        # a log (CI, a file, a pipe): one issue per line, never wrapped, so that
        # grep finds an article id or a file name
        for issue in report.issues:
            say_plain(issue.log_line())
        if report.dropped:
            say_plain(f"... and {report.dropped} more not listed (the report keeps the first)")
        return
    table = Table(
        title=f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", show_lines=False
    )
    for column in ("severity", "file", "line", "record", "pointer", "rule", "message"):
        table.add_column(column, overflow="fold")
    for issue in report.issues[:limit]:
        # Text cells: a value from the data is shown as it is, never read as markup
        table.add_row(
            *(
                Text(value)
                for value in (
                    issue.severity,
                    issue.file,
                    str(issue.line or ""),
                    issue.record or "",
                    issue.pointer,
                    issue.rule,
                    issue.message,
                )
            )
        )
    err.print(table)
    if len(report.issues) > limit:
        err.print(f"... and {len(report.issues) - limit} more (see the JSON report)")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("[bold]articles"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("articles", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


#: how a report :meth:`ValidationReport.write_json` wrote begins
_REPORT_START = re.compile(rb'\A\{\s*"valid":')


def local_workers(workers: int, engine: str, ray_address: str | None) -> int:
    """The processes a build on this machine starts for ``--workers``: at most the cores
    this process may run on. The per-article work is CPU-bound, so a worker past the
    cores adds its memory (a Python process with pyarrow loaded) and no speed;
    ``--workers 10000`` on a large input started ten thousand (a local Ray claimed as
    many CPUs). A Ray cluster (``--ray-address`` or ``RAY_ADDRESS``) has its own cores."""
    remote = engine == "ray" and (ray_address or os.environ.get("RAY_ADDRESS"))
    if remote or workers <= CORES:
        return workers
    err.print(
        f"[yellow]warning:[/] --workers {workers} is more than the {CORES} core(s) this "
        f"process may use: using {CORES} (more processes than cores only add memory)",
        soft_wrap=True,
    )
    return CORES


def check_report_path(path: Path | None, *, out: Path | None = None) -> None:
    """Refuse, before any work, a ``--report`` path that cannot be written (a folder,
    or under a file: found once the build was done and its output replaced, exit 1),
    inside the build folder ``out`` (a file its manifest does not list: verify fails),
    or a file that is not a report (an input named by mistake was overwritten)."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"--report {path} is a folder: name a file")
    above = next((p for p in path.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise UsageError(f"--report {path}: {above} is a file, not a folder")
    if out is not None and path.resolve().is_relative_to(out.resolve()):
        raise UsageError(
            f"--report {path} is inside the output folder {out}: a file its manifest does "
            "not list (verify would fail); write it elsewhere"
        )
    # /dev/stdout, /dev/fd/N: a pipe, or the file the shell opened for it, written through
    named = Path(os.path.abspath(path))
    if path.is_file() and not named.is_relative_to("/dev") and not named.is_relative_to("/proc"):
        with path.open("rb") as handle:
            head = handle.read(64)
        if not _REPORT_START.match(head):
            raise UsageError(
                f"--report {path} exists and is not a validation report: not overwritten "
                "(an input?); name another file"
            )


def write_report(report: ValidationReport, path: Path) -> None:
    from .output import disk_full_located

    with disk_full_located(path):
        report.write_json(path)


def fail(
    exc: BuildError, *, as_json: bool, report_path: Path | None, offers_report: bool = False
) -> None:
    report = exc.report if isinstance(exc, DataError) else None
    message = redact_secrets(str(exc))
    if report is not None:
        if report_path:
            try:
                write_report(report, report_path)
            except BuildError as write_error:
                err.print(f"[bold red]error:[/] {escape(str(write_error))}", soft_wrap=True)
        if as_json:
            print(
                json.dumps(
                    {"ok": False, "error": message, "report": report.to_dict()},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        else:
            print_report(report)
            if offers_report and not report_path:
                err.print("(--report FILE writes this report as JSON)", highlight=False)
            if _only_repeats(exc, report):
                raise typer.Exit(exc.exit_code)
    elif as_json:
        print(json.dumps({"ok": False, "error": message}, indent=2))
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _only_repeats(exc: DataError, report: ValidationReport) -> bool:
    """Whether the error says nothing the printed report did not: a
    :meth:`DataError.single`'s message is its one issue, which a closing ``error:``
    line would print a second time (a summary such as "3 error(s) in the input" is
    still printed). Known by the issue itself, not by comparing texts: a message
    that only reads like one of the issues is still printed."""
    return exc.issue is not None and any(issue is exc.issue for issue in report.issues)


def run_guarded(
    func: Callable[[], Any],
    *,
    as_json: bool = False,
    report_path: Path | None = None,
    offers_report: bool = False,
) -> Any:
    """Run a command body: expected failures become messages and exit codes, not tracebacks.

    ``offers_report``: the command has a ``--report FILE`` option (build, validate),
    so a report printed without one says that it exists."""
    try:
        return func()
    except BuildError as exc:
        fail(exc, as_json=as_json, report_path=report_path, offers_report=offers_report)
    except KeyboardInterrupt as exc:
        # a publish interrupted once its commit may have landed says what is left
        what = redact_secrets(str(exc)) if str(exc) else "nothing was published or replaced"
        err.print(f"[bold red]interrupted[/]: {escape(what)}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as exc:
        _os_failure(exc)
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except RuntimeError as exc:
        loop = symlink_loop(exc)
        _internal(exc) if loop is None else _os_failure(loop)
    except Exception as exc:
        _internal(exc)


def _os_failure(exc: OSError) -> NoReturn:
    """A file that cannot be read or written: its path and the reason, exit 1."""
    err.print(
        f"[bold red]error:[/] {escape(redact_secrets(located_os_error(exc)))}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_DATA) from None


def _internal(exc: Exception) -> NoReturn:
    """A bug, not bad input: still one line (a traceback can carry a token), and the
    output is as it was, since every write goes through a temporary folder."""
    if os.environ.get("BUILDER_DEBUG"):
        raise exc
    message = redact_secrets(f"{type(exc).__name__}: {exc}").splitlines()[0]
    err.print(
        f"[bold red]internal error[/] (please report it; BUILDER_DEBUG=1 shows the "
        f"traceback): {escape(message)}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_INTERNAL) from None


#: ``Path.resolve()`` before Python 3.13 reports a link loop as this ``RuntimeError``
#: (3.13 raises ``OSError(ELOOP)``): the same bad input, whatever the Python.
_LOOP = re.compile(r"^Symlink loop from '(?P<path>.*)'$", re.DOTALL)


def symlink_loop(exc: RuntimeError) -> OSError | None:
    """The ``OSError`` that ``exc`` stands for when it is ``pathlib``'s link loop, else None."""
    import errno

    found = _LOOP.match(str(exc))
    if found is None:
        return None
    return OSError(errno.ELOOP, os.strerror(errno.ELOOP), found["path"])


def located_os_error(exc: OSError) -> str:
    """``reason: path`` for an OS error; disk full says which file could not be written."""
    import errno

    path = exc.filename or ""
    if exc.filename2:
        path = f"{path} -> {exc.filename2}"
    reason = exc.strerror or str(exc)
    if not path and exc.errno == errno.ENOENT and _current_folder_gone():
        # a relative path resolved against a folder that was removed (or replaced by a
        # build run from inside it): the error names no file, the cause is the folder
        return (
            f"{reason}: the current folder no longer exists (removed or replaced while"
            " you were in it); cd to a folder that exists and run again"
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = path or "a temporary file"
        return f"{reason}: cannot write {where}; free some space (or set TMPDIR) and run again"
    return f"{reason}: {path}" if path else reason


def _current_folder_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def redact_secrets(text: str) -> str:
    """``text`` without the Hub token, wherever it was read from, and without the
    user info of any URL in it."""
    from .publish.target import redact_userinfo

    text = redact_userinfo(text)
    try:
        from huggingface_hub import get_token

        tokens = {os.environ.get("HF_TOKEN"), get_token()}
    except Exception:  # the message matters more than the look-up
        tokens = {os.environ.get("HF_TOKEN")}
    for token in tokens - {None, ""}:
        text = text.replace(str(token), "***")
    return text
