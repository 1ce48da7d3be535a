"""``builder publish``, ``verify``, ``diff`` and ``release``: the commands over
:mod:`builder.publish` (registered by :mod:`builder.cli`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .cli_common import (
    EXIT_DATA,
    InputOpt,
    JsonOpt,
    WorkersOpt,
    err,
    out,
    progress_bar,
    redact_secrets,
    run_guarded,
    say_plain,
)
from .errors import UsageError

__all__ = ["diff", "publish", "release", "verify"]


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
        say_plain(redact_secrets(message))

    def body() -> None:
        _quiet_hub_progress(as_json)
        _check_version_option(version)
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
            print(redact_secrets(json.dumps(result.summary(), indent=2, ensure_ascii=False)))
        for line in result.lines():
            say(line)

    run_guarded(body, as_json=as_json)


def _quiet_hub_progress(as_json: bool) -> None:
    """No Hub progress bars in JSON output or when stderr is not a terminal."""
    if as_json or not sys.stderr.isatty():
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()


def _check_version_option(version: str | None) -> None:
    """A careless --version is a usage error, before any target is opened."""
    if version is None:
        return
    from .publish.target import PublishError
    from .publish.versioning import parse_version

    try:
        parse_version(version, named="--version")
    except PublishError as exc:
        raise UsageError(str(exc)) from None


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
                    rev = tag_name(newest) if newest else target.branch
                commit, problems = verify_revision(target, rev)
            finally:
                target.close()
            where = f"{target.description} at {rev}"
        else:
            if revision is not None:
                raise UsageError(
                    f"--revision {revision!r} names a revision of a --repo or --git target;"
                    f" the folder {path} is verified as it is"
                )
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
        say_plain(redact_secrets(message))

    def body() -> None:
        with progress_bar(not as_json) as progress:
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
                redact_secrets(
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
