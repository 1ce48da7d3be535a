"""Command line: a thin layer over :mod:`builder.pipeline` and :mod:`builder.publish`.

Exit codes: 0 success; 1 invalid data (the report says where); 2 usage error;
3 internal error (a bug: one line, the traceback only with ``BUILDER_DEBUG=1``);
130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .errors import BuildError, DataError, UsageError
from .stats import StageTimings
from .validate.report import ValidationReport

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

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
# emoji=False: ":x:" in a file name or a record is shown as typed
err = Console(stderr=True, emoji=False)
out = Console(emoji=False)

InputOpt = Annotated[
    Path, typer.Option("--input", "-i", help="Folder with dataset.yaml and the inputs it names.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable JSON summary on stdout.")
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", "-j", min=1, help="Processes for the per-article stages.")
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


def _print_timings(timings: StageTimings) -> None:
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


def _print_report(report: ValidationReport, *, limit: int = 50) -> None:
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


def _write_report(report: ValidationReport, path: Path) -> None:
    from .output import disk_full_located

    with disk_full_located(path):
        report.write_json(path)


def _fail(exc: BuildError, *, as_json: bool, report_path: Path | None) -> None:
    report = exc.report if isinstance(exc, DataError) else None
    message = _redact_secrets(str(exc))
    if report is not None:
        if report_path:
            try:
                _write_report(report, report_path)
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
            _print_report(report)
            if not report_path:
                err.print("(--report FILE writes this report as JSON)", highlight=False)
    elif as_json:
        print(json.dumps({"ok": False, "error": message}, indent=2))
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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
            f"[bold red]error:[/] {escape(_redact_secrets(_located_os_error(exc)))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_DATA) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as exc:
        # A bug, not bad input: still one line (a traceback can carry a token), and the
        # output is as it was, since every write goes through a temporary folder.
        if os.environ.get("BUILDER_DEBUG"):
            raise
        message = _redact_secrets(f"{type(exc).__name__}: {exc}").splitlines()[0]
        err.print(
            f"[bold red]internal error[/] (please report it; BUILDER_DEBUG=1 shows the "
            f"traceback): {escape(message)}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _located_os_error(exc: OSError) -> str:
    """``reason: path`` for an OS error; disk full says which file could not be written."""
    import errno

    path = exc.filename or ""
    if exc.filename2:
        path = f"{path} -> {exc.filename2}"
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = path or "a temporary file"
        return f"{reason}: cannot write {where}; free some space (or set TMPDIR) and run again"
    return f"{reason}: {path}" if path else reason


def _redact_secrets(text: str) -> str:
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


@app.command()
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
        with _progress(not as_json) as progress:
            result = run_build(
                input,
                out,
                workers=workers,
                progress=progress,
                quarantine=quarantine,
                engine=Engine(engine, ray_address),
                profile=profile,
            )
        if report:
            _write_report(result.report, report)
        if profile:
            _print_timings(result.stats.timings)
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
            f"[bold green]built[/] {escape(str(result.out))}: {counts['written']} of "
            f"{counts['read']} articles ({escape(splits)})",
            soft_wrap=True,
        )
        if result.quarantine:
            err.print(f"quarantine: {counts['rejected']} article(s) rejected, see rejects.jsonl")

    run_guarded(body, as_json=as_json, report_path=report)


@app.command()
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
        with _progress(not as_json) as progress:
            result = run_validate(
                input, workers=workers, progress=progress, engine=Engine(engine, ray_address)
            )
        if report:
            _write_report(result.report, report)
        if as_json:
            print(json.dumps(result.summary(), indent=2, ensure_ascii=False))
        else:
            _print_report(result.report)
        if not result.ok:
            err.print(f"[bold red]invalid:[/] {len(result.report.errors)} error(s)")
            raise typer.Exit(EXIT_DATA)
        err.print(f"[bold green]valid[/]: {result.stats.stages['accepted']} articles")

    run_guarded(body, as_json=as_json, report_path=report)


export_app = typer.Typer(
    help="Write a build in an annotation tool's format, to review its spans and import them back.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")


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


@app.command()
def clean(
    file: Annotated[
        Path | None, typer.Argument(help="Raw article file; standard input when omitted.")
    ] = None,
    edits: Annotated[
        bool, typer.Option("--edits", help="Print the edit log (JSON Lines) instead of the text.")
    ] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Print every edit as its step and rule made it (JSON Lines), before "
            "neighbouring edits are merged into the edit log.",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="dataset.yaml (or its folder) whose cleaning options to use."
        ),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="Extra boilerplate rule file (YAML); repeat for several."),
    ] = None,
    detokenize: Annotated[
        bool | None,
        typer.Option(
            "--detokenize/--no-detokenize",
            help="Rejoin lowercased tokenized text (default: the configuration's, else off).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the cleaned text of one article, or its edit log (which rule did what).

    **Examples**

        builder clean seeds/articles/004_85bdede9e1a8b346.txt

        cat page.txt | builder clean --edits

        builder clean --trace page.txt    # which rule removed which line

        builder clean --rules my_site_rules.yaml --edits page.txt

        builder clean --config seeds --detokenize seeds/articles/000_1be5c9577093f905.txt
    """
    from .clean.pipeline import Cleaner
    from .clean.rules import RuleError
    from .config import DatasetConfig, load_config

    def body() -> None:
        step_names, rule_files, detok = None, list(rules or []), False
        limit = DatasetConfig.max_article_bytes  # the default limits.max_article_bytes
        if config:
            cfg = load_config(config)
            step_names, rule_files, detok = (
                cfg.cleaning_steps,
                [*cfg.rule_files, *rule_files],
                cfg.detokenize,
            )
            limit = cfg.max_article_bytes
        for path in rule_files:
            if not path.is_file():
                raise UsageError(f"no rule file {path}")
        try:
            cleaner = Cleaner.build(
                step_names=step_names,
                rule_files=rule_files,
                detokenize=detok if detokenize is None else detokenize,
            )
        except RuleError as exc:
            raise DataError(f"invalid rule file: {exc}") from None
        # at most the article size limit is read (+1 byte to know it is over): a
        # device or a huge file is refused, not read into memory
        if file:
            with file.open("rb") as handle:
                raw_bytes = handle.read(limit + 1)
        else:
            raw_bytes = sys.stdin.buffer.read(limit + 1)
        if len(raw_bytes) > limit:
            raise DataError(
                f"{file or '<stdin>'}: more than {limit:,} bytes, over the article size limit "
                "(limits.max_article_bytes; --config uses the configuration's)"
            )
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{file or '<stdin>'}: invalid UTF-8 at byte {exc.start}") from None
        result = cleaner.clean(raw, trace=trace)
        if trace and not as_json:
            for step_edit in result.trace:
                print(json.dumps(step_edit, ensure_ascii=False))
        elif as_json:
            print(
                json.dumps(
                    {
                        "text": result.text,
                        "edits": [e.as_dict() for e in result.edits],
                        "attributes": result.attributes,
                        "rules": dict(sorted(result.rule_counts.items())),
                        **({"trace": result.trace} if trace else {}),
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


BuildOpt = Annotated[
    Path, typer.Option("--build", "-b", help="The build folder (output of `builder build`).")
]
RepoOpt = Annotated[
    str | None,
    typer.Option("--repo", help="Hugging Face dataset repo ORG/NAME.", show_default=False),
]
HubOpt = Annotated[
    bool, typer.Option("--hub", help="The Hub repo named by publish.repo_id in dataset.yaml.")
]
GitOpt = Annotated[
    str | None,
    typer.Option(
        "--git",
        help="A git repository (local path, created bare if missing, or any git URL).",
        show_default=False,
    ),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint", help="Hub URL (default: HF_ENDPOINT, else huggingface.co)."),
]
ConfigDirOpt = Annotated[
    Path,
    typer.Option("--input", "-i", help="Folder with dataset.yaml, for its publish.* defaults."),
]


@app.command()
def publish(
    build: BuildOpt = Path("out/dataset"),
    repo: RepoOpt = None,
    hub: HubOpt = False,
    git: GitOpt = None,
    version: Annotated[
        str | None,
        typer.Option("--version", help="Release version X.Y.Z (default: the build's version)."),
    ] = None,
    private: Annotated[
        bool, typer.Option("--private", help="Create a missing Hub repo as private.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Run every check and show the plan; upload nothing.")
    ] = False,
    accept_redistribution_risk: Annotated[
        bool,
        typer.Option(
            "--accept-redistribution-risk",
            help="Publish full texts whose sources' redistribution terms are unknown or refused "
            "to a PUBLIC Hub repo anyway: your decision, stated on the card. Without it such a "
            "publish stops before any upload (a private repo needs no such decision).",
        ),
    ] = False,
    endpoint: EndpointOpt = None,
    input: ConfigDirOpt = Path("seeds"),
    as_json: JsonOpt = False,
) -> None:
    """Publish a build as ONE commit plus an immutable tag vX.Y.Z (Hub or git).

    Without --repo/--hub/--git the target is publish.git_target of dataset.yaml.
    The Hub token comes from HF_TOKEN or `hf auth login`; it is never printed.

    **Examples**

        builder publish --repo my-org/news --dry-run

        builder publish --build out/dataset --repo my-org/news --version 1.1.0

        builder publish --git ../release-repo
    """
    from .publish.destination import open_target
    from .publish.release import publish as run_publish

    def say(message: str) -> None:
        say_plain(_redact_secrets(message))

    def body() -> None:
        if as_json or not sys.stderr.isatty():
            from huggingface_hub.utils import disable_progress_bars

            disable_progress_bars()
        target = open_target(
            repo=repo,
            hub=hub,
            git=git,
            endpoint=endpoint,
            input_dir=input,
            build_dir=build,
            log=say,
        )
        try:
            result = run_publish(
                build,
                target,
                version=version,
                private=private,
                dry_run=dry_run,
                accept_redistribution_risk=accept_redistribution_risk,
                log=say,
            )
        finally:
            target.close()
        if as_json:
            print(_redact_secrets(json.dumps(result.summary(), indent=2, ensure_ascii=False)))
        change = result.change.summary() if result.change else None
        if result.status == "already-published":
            say(
                f"{result.tag} of this build is already on {result.target} "
                f"({result.commit}): nothing to do"
            )
        elif result.status == "resumed":
            say(f"finished {result.tag}: tagged {result.commit} on {result.target}")
        elif result.status == "dry-run":
            say(
                f"dry run: would publish {result.tag} to {result.target}"
                + (" (creating it)" if result.created_repo else "")
            )
            if change:
                level = (
                    result.change.level.label if result.change and result.change.previous else ""
                )
                say(
                    f"  change: {change}"
                    + (f" (needs at least a {level} release)" if level else "")
                )
            say(
                f"  {len(result.files)} files, {result.bytes:,} bytes; "
                f"deleting {len(result.deleted)}: {', '.join(result.deleted) or '-'}"
                + (f"; keeping {len(result.kept)}: {', '.join(result.kept)}" if result.kept else "")
            )
            if result.redistribution and result.redistribution["restricted_full_text"]:
                say(f"  rights: {result.redistribution['statement']}")
        else:
            say(f"published {result.tag} to {result.target}: commit {result.commit}")
            if change:
                say(f"  {change}")
            say(f"  {result.load_line}")

    run_guarded(body, as_json=as_json)


@app.command()
def verify(
    path: Annotated[
        Path, typer.Argument(help="A local build folder (when no --repo/--git is given).")
    ] = Path("out/dataset"),
    repo: RepoOpt = None,
    git: GitOpt = None,
    revision: Annotated[
        str | None,
        typer.Option("--revision", help="Tag, branch or commit (default: the newest release)."),
    ] = None,
    endpoint: EndpointOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every file against the manifest: sha256, Parquet row counts, features of card and files.

    **Examples**

        builder verify out/dataset

        builder verify --repo my-org/news --revision v1.2.0

        builder verify --git ../release-repo --revision v1.0.0
    """
    from .publish.destination import open_target
    from .publish.verify import verify_folder, verify_revision
    from .publish.versioning import newest_release, tag_name

    def body() -> None:
        where, commit = str(path), None
        if repo or git:
            target = open_target(repo=repo, git=git, endpoint=endpoint, input_dir=None)
            try:
                rev = revision
                if rev is None:
                    newest = newest_release(target.tags())
                    rev = tag_name(newest) if newest else "main"
                commit, problems = verify_revision(target, rev)
            finally:
                target.close()
            where = f"{target.description} at {rev}"
        else:
            if not (path / "manifest.json").is_file():
                raise UsageError(f"{path} has no manifest.json: not a build folder")
            problems = verify_folder(path)
        if as_json:
            print(
                json.dumps(
                    {
                        "ok": not problems,
                        "where": where,
                        "commit": commit,
                        "mismatches": [p.to_dict() for p in problems],
                    },
                    indent=2,
                )
            )
        for problem in problems:
            err.print(f"mismatch: {problem}", highlight=False, markup=False, soft_wrap=True)
        if problems:
            err.print(
                f"verify failed: {len(problems)} mismatch(es) in {where}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_DATA)
        err.print(
            f"verified {where}" + (f" (commit {commit})" if commit else ""),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    run_guarded(body, as_json=as_json)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="A build folder, or a revision of the target.")],
    new: Annotated[str, typer.Argument(help="A build folder, or a revision of the target.")],
    repo: RepoOpt = None,
    git: GitOpt = None,
    endpoint: EndpointOpt = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=0, help="Records to list by id (0: all; counts are total)."),
    ] = 100,
    as_json: JsonOpt = False,
) -> None:
    """What changed from OLD to NEW: records, fields, label sets, and the smallest allowed bump.

    The same comparison as publish's version guard. A folder with manifest.json is a
    build; anything else is a tag or commit of the --repo or --git target.

    **Examples**

        builder diff out/v1.0.0 out/dataset

        builder diff --git ../release-repo v1.0.0 v1.1.0 --json

        builder diff --repo my-org/news v1.0.0 out/dataset
    """
    from .publish.destination import open_target
    from .publish.diff import diff_releases

    def body() -> None:
        target = open_target(repo=repo, git=git, endpoint=endpoint) if repo or git else None
        try:
            result = diff_releases(old, new, target=target, limit=limit or None)
        finally:
            if target is not None:
                target.close()
        if as_json:
            print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
            return
        for line in result.lines():
            out.print(line, highlight=False, markup=False, soft_wrap=True)

    run_guarded(body, as_json=as_json)


@app.command()
def release(
    input: InputOpt = Path("seeds"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Build output folder.")] = Path(
        "out/dataset"
    ),
    workers: WorkersOpt = 1,
    as_json: JsonOpt = False,
) -> None:
    """Build, publish to the configured default target, load the release back, summarise.

    The target is publish.git_target of dataset.yaml (a git repository with
    git-lfs); publishing an unchanged build again does nothing. The tagged
    release is then loaded with datasets.load_dataset, as a consumer would.

    **Examples**

        builder release

        builder release --input seeds --out out/dataset --json
    """
    from .pipeline import build as run_build
    from .publish.destination import open_target
    from .publish.loadback import load_release
    from .publish.release import publish as run_publish

    def say(message: str) -> None:
        say_plain(_redact_secrets(message))

    def body() -> None:
        with _progress(not as_json) as progress:
            built = run_build(input, out, workers=workers, progress=progress)
        counts = built.stats.stages
        say(f"built {built.out}: {counts['written']} of {counts['read']} articles")
        target = open_target(input_dir=input, build_dir=out, log=say)
        try:
            published = run_publish(out, target, log=say)
            say(f"{published.status} {published.tag} on {published.target} ({published.commit})")
            loaded = load_release(target, published.tag)
        finally:
            target.close()
        if as_json:
            print(
                _redact_secrets(
                    json.dumps({"publish": published.summary(), "loaded": loaded}, indent=2)
                )
            )
            return
        table = Table(title=f"load_dataset at {loaded['tag']} ({loaded['target']})")
        for column in ("split", "rows", "entity spans", "quote spans"):
            table.add_column(column)
        for name, s in loaded["splits"].items():
            table.add_row(Text(name), str(s["rows"]), str(s["entities"]), str(s["quotes"]))
        console = Console()  # stdout: the summary is the command's output
        console.print(table)
        console.print(
            "features: " + ", ".join(f"{k}: {v}" for k, v in loaded["features"].items()),
            markup=False,
            soft_wrap=True,
        )
        console.print(published.load_line, markup=False, soft_wrap=True)

    run_guarded(body, as_json=as_json)


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
    app()
