"""``builder build``, ``builder validate`` and ``builder export``: the commands over
:mod:`builder.pipeline` and :mod:`builder.export` (registered by :mod:`builder.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .cli_common import (
    CORES,
    EXIT_DATA,
    EngineOpt,
    InputOpt,
    JsonOpt,
    ProfileOpt,
    RayAddressOpt,
    ReportOpt,
    WorkersOpt,
    check_report_path,
    err,
    local_workers,
    print_report,
    print_timings,
    progress_bar,
    run_guarded,
    write_report,
)

__all__ = ["build", "export_app", "validate"]


def build(
    input: InputOpt = Path("seeds"),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output dataset folder (replaced atomically).")
    ] = Path("out/dataset"),
    workers: WorkersOpt = CORES,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
    engine: EngineOpt = "local",
    ray_address: RayAddressOpt = None,
    profile: ProfileOpt = False,
    quarantine: Annotated[
        bool | None,
        typer.Option(
            "--quarantine/--strict",
            help="Quarantine: set invalid records aside in rejects.jsonl and build the rest. "
            "Strict: any invalid record fails the build. Default: the configuration's quarantine.enabled (strict).",
        ),
    ] = None,
) -> None:
    """Build the dataset folder: Parquet splits, README card, schemas, manifest.

    **Examples**

        builder build

        builder build --input seeds --out out/dataset --workers 2

        builder build --json > summary.json

        builder build --quarantine

        builder build --engine ray --workers 2

        builder build --engine ray --ray-address ray://head-node:10001
    """
    from .engines import Engine
    from .pipeline import build as run_build

    def body() -> None:
        check_report_path(report, out=out)
        with progress_bar(not as_json) as progress:
            result = run_build(
                input,
                out,
                workers=local_workers(workers, engine, ray_address),
                progress=progress,
                quarantine=quarantine,
                engine=Engine(engine, ray_address),
                profile=profile,
                pandas=False,  # this process never converts to pandas
            )
        if report:
            write_report(result.report, report)
        if profile:
            print_timings(result.stats.timings)
        if as_json:
            print(json.dumps(result.summary(), indent=2, ensure_ascii=False))
            return
        print_report(result.report)
        counts = result.stats.stages
        splits = ", ".join(
            f"{k}: {v['num_examples']}"
            for k, v in (result.manifest or {}).get("splits", {}).items()
        )
        err.print(
            f"[bold green]built[/] {escape(str(result.out))}: {counts['written']} of "
            f"{counts['read']} articles ({escape(splits)})",
            soft_wrap=True,
        )
        if result.quarantine:
            err.print(f"quarantine: {counts['rejected']} article(s) rejected, see rejects.jsonl")

    run_guarded(body, as_json=as_json, report_path=report, offers_report=True)


def validate(
    input: InputOpt = Path("seeds"),
    workers: WorkersOpt = 1,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
    engine: EngineOpt = "local",
    ray_address: RayAddressOpt = None,
) -> None:
    """Check every input and every row a build would publish; write nothing (but --report).

    **Examples**

        builder validate --input seeds

        builder validate --json --report report.json
    """
    from .engines import Engine
    from .pipeline import validate as run_validate

    def body() -> None:
        check_report_path(report)
        with progress_bar(not as_json) as progress:
            result = run_validate(
                input,
                workers=local_workers(workers, engine, ray_address),
                progress=progress,
                engine=Engine(engine, ray_address),
            )
        if report:
            write_report(result.report, report)
        if as_json:
            print(json.dumps(result.summary(), indent=2, ensure_ascii=False))
        else:
            print_report(result.report)
        if not result.ok:
            err.print(f"[bold red]invalid:[/] {len(result.report.errors)} error(s)")
            raise typer.Exit(EXIT_DATA)
        err.print(f"[bold green]valid[/]: {result.stats.stages['accepted']} articles")

    run_guarded(body, as_json=as_json, report_path=report, offers_report=True)


export_app = typer.Typer(
    help="Write a build in an annotation tool's format, to review its spans and import them back.",
    no_args_is_help=True,
)


@export_app.command("label-studio")
def export_label_studio(
    build: Annotated[
        Path, typer.Option("--build", "-b", help="A build folder (written by `builder build`).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Tasks file (JSON); the labeling config goes beside it (.xml)."
        ),
    ] = Path("label-studio-tasks.json"),
    as_json: JsonOpt = False,
) -> None:
    """Label Studio tasks of the cleaned articles, with the build's spans as predictions.

    Import the tasks into a project set up with the written labeling config, review,
    export (JSON) and name that export as a `label-studio` annotation input: the spans
    are re-anchored onto the raw text.

    **Examples**

        builder export label-studio --build out/dataset --out review/tasks.json
    """
    from .export import export_label_studio as run_export

    def body() -> None:
        summary = run_export(build, out)
        if as_json:
            print(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
        if summary.withheld:
            err.print(
                f"[yellow]warning:[/] {summary.withheld} article(s) not exported: the build"
                f" withholds their text (rights), e.g. {escape(summary.withheld_ids[0])}",
                highlight=False,
            )
        err.print(
            f"[bold green]exported[/] {summary.tasks} task(s) ({summary.entities} entities,"
            f" {summary.quotes} quotes) to {escape(str(summary.tasks_path))}; labeling config:"
            f" {escape(str(summary.config_path))}",
            highlight=False,
        )

    run_guarded(body, as_json=as_json)
