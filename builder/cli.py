"""Command line: a thin layer over :mod:`builder.pipeline` and :mod:`builder.publish`.

Exit codes: 0 success; 1 invalid data (the report says where); 2 usage error;
3 internal error (a bug: one line, the traceback only with ``BUILDER_DEBUG=1``);
130 interrupted.

The commands live by concept: :mod:`.cli_build` (build, validate, export),
:mod:`.cli_clean`, :mod:`.cli_publish` (publish, verify, diff, release), and what
they share in :mod:`.cli_common`; this module makes the app and registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from . import __version__
from .cli_build import build, export_app, validate
from .cli_clean import clean
from .cli_common import run_guarded
from .cli_publish import diff, publish, release, verify

__all__ = ["app", "main", "register", "run_guarded"]

app = typer.Typer(
    name="builder",
    help=(
        "Package raw news articles and their annotations into a clean, validated, "
        "versioned Hugging Face dataset.\n\n"
        "Exit codes: 0 ok, 1 invalid data, 2 usage error, 3 internal error, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
# registration order is the order of --help
app.command()(build)
app.command()(validate)
app.add_typer(export_app, name="export")
app.command()(clean)
app.command()(publish)
app.command()(verify)
app.command()(diff)
app.command()(release)


def _version(value: bool) -> None:
    if value:
        print(f"news-dataset-builder {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """News dataset builder."""
    from contextlib import ExitStack

    from .runtmp import run_folder

    # every temporary file of this run under one folder, removed at the end, or by
    # the next run if this one is killed
    stack = ExitStack()
    stack.enter_context(run_folder())
    ctx.call_on_close(stack.close)


def register(command: Callable[..., Any], name: str | None = None) -> None:
    """Add a command defined in another module (publish, verify)."""
    app.command(name=name)(command)


def main() -> None:
    """The ``builder`` command (and ``python -m builder``): a process of its own, whose
    collector is tuned as a pool worker's (:func:`~builder.processes.tune_gc`). A
    build keeps a batch's span dicts, the staging and the report alive, which the
    default thresholds scanned some 280 times (0.2-0.25 CPU s of a 5,000-article
    build with one worker, measured with ``gc.callbacks``). Not in the commands
    themselves: a caller that runs them in its own process keeps its collector."""
    from .processes import tune_gc

    tune_gc()
    app()
