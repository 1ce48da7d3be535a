"""Command line: a thin layer over :mod:`builder.pipeline` and :mod:`builder.publish`.

Exit codes: 0 success; 1 invalid data (the report says where); 2 usage error;
130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .errors import BuildError, DataError
from .validate.report import ValidationReport

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    name="builder",
    help=(
        "Package raw news articles and their annotations into a clean, validated, "
        "versioned Hugging Face dataset.\n\n"
        "Exit codes: 0 ok, 1 invalid data, 2 usage error, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

InputOpt = Annotated[
    Path, typer.Option("--input", "-i", help="Folder with dataset.yaml and the inputs it names.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable JSON summary on stdout.")
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", "-j", min=1, help="Processes for the per-article stages.")
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Also write the validation report (JSON) here.")
]


def _print_report(report: ValidationReport, *, limit: int = 50) -> None:
    if not report.issues:
        return
    table = Table(
        title=f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", show_lines=False
    )
    for column in ("severity", "file", "line", "record", "pointer", "rule", "message"):
        table.add_column(column, overflow="fold")
    for issue in report.issues[:limit]:
        table.add_row(
            issue.severity,
            issue.file,
            str(issue.line or ""),
            issue.record or "",
            issue.pointer,
            issue.rule,
            issue.message,
        )
    err.print(table)
    if len(report.issues) > limit:
        err.print(f"... and {len(report.issues) - limit} more (see the JSON report)")


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
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


def _fail(exc: BuildError, *, as_json: bool, report_path: Path | None) -> None:
    report = exc.report if isinstance(exc, DataError) else None
    if report is not None:
        if report_path:
            report.write_json(report_path)
        if as_json:
            print(
                json.dumps(
                    {"ok": False, "error": str(exc), "report": report.to_dict()},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        else:
            _print_report(report)
    elif as_json:
        print(json.dumps({"ok": False, "error": str(exc)}, indent=2))
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(exc.exit_code)


def run_guarded(
    func: Callable[[], Any], *, as_json: bool = False, report_path: Path | None = None
) -> Any:
    """Run a command body: expected failures become messages and exit codes, not tracebacks."""
    try:
        return func()
    except BuildError as exc:
        _fail(exc, as_json=as_json, report_path=report_path)
    except KeyboardInterrupt:
        err.print("[bold red]interrupted[/]: nothing was published or replaced")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as exc:
        err.print(
            f"[bold red]error:[/] {exc.strerror or exc}: {exc.filename or ''}", highlight=False
        )
        raise typer.Exit(EXIT_DATA) from None


@app.command()
def build(
    input: InputOpt = Path("seeds"),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output dataset folder (replaced atomically).")
    ] = Path("out/dataset"),
    workers: WorkersOpt = 1,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the dataset folder: Parquet splits, README card, schemas, manifest.

    **Examples**

        builder build

        builder build --input seeds --out out/dataset --workers 2

        builder build --json > summary.json
    """
    from .pipeline import build as run_build

    def body() -> None:
        with _progress(not as_json) as progress:
            result = run_build(input, out, workers=workers, progress=progress)
        if report:
            result.report.write_json(report)
        if as_json:
            print(json.dumps(result.summary(), indent=2, ensure_ascii=False))
            return
        _print_report(result.report)
        counts = result.stats.stages
        splits = ", ".join(
            f"{k}: {v['num_examples']}"
            for k, v in (result.manifest or {}).get("splits", {}).items()
        )
        err.print(
            f"[bold green]built[/] {result.out}: {counts['written']} of {counts['read']} articles ({splits})"
        )

    run_guarded(body, as_json=as_json, report_path=report)


@app.command()
def validate(
    input: InputOpt = Path("seeds"),
    workers: WorkersOpt = 1,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every input and every row a build would publish; write nothing (but --report).

    **Examples**

        builder validate --input seeds

        builder validate --json --report report.json
    """
    from .pipeline import validate as run_validate

    def body() -> None:
        with _progress(not as_json) as progress:
            result = run_validate(input, workers=workers, progress=progress)
        if report:
            result.report.write_json(report)
        if as_json:
            print(json.dumps(result.summary(), indent=2, ensure_ascii=False))
        else:
            _print_report(result.report)
        if not result.ok:
            err.print(f"[bold red]invalid:[/] {len(result.report.errors)} error(s)")
            raise typer.Exit(EXIT_DATA)
        err.print(f"[bold green]valid[/]: {result.stats.stages['accepted']} articles")

    run_guarded(body, as_json=as_json, report_path=report)


@app.command()
def clean(
    file: Annotated[
        Path | None, typer.Argument(help="Raw article file; standard input when omitted.")
    ] = None,
    edits: Annotated[
        bool, typer.Option("--edits", help="Print the edit log instead of the text.")
    ] = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="dataset.yaml whose cleaning options to use.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the cleaned text of one article, or its edit log.

    **Examples**

        builder clean seeds/articles/004_85bdede9e1a8b346.txt

        cat page.txt | builder clean --edits
    """
    from .clean.pipeline import Cleaner
    from .config import load_config

    def body() -> None:
        if config:
            cfg = load_config(config)
            cleaner = Cleaner.build(step_names=cfg.cleaning_steps, rule_files=cfg.rule_files)
        else:
            cleaner = Cleaner.default()
        raw_bytes = file.read_bytes() if file else sys.stdin.buffer.read()
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{file or '<stdin>'}: invalid UTF-8 at byte {exc.start}") from None
        result = cleaner.clean(raw)
        if as_json:
            print(
                json.dumps(
                    {
                        "text": result.text,
                        "edits": [e.as_dict() for e in result.edits],
                        "attributes": result.attributes,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        elif edits:
            for e in result.edits:
                print(json.dumps(e.as_dict(), ensure_ascii=False))
        else:
            sys.stdout.write(
                result.text + ("\n" if result.text and not result.text.endswith("\n") else "")
            )

    run_guarded(body, as_json=as_json)


def _version(value: bool) -> None:
    if value:
        print(f"news-dataset-builder {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """News dataset builder."""


def register(command: Callable[..., Any], name: str | None = None) -> None:
    """Add a command defined in another module (publish, verify)."""
    app.command(name=name)(command)


def main() -> None:
    app()
