"""Which target a command means: ``--repo``, ``--hub``, ``--git``, or the config's default.

``dataset.yaml`` names the defaults: ``publish.git_target`` (relative to the
config file) is the embedded target used when no option names one, and
``publish.repo_id`` is the Hub repo for ``--hub`` and the name shown in
``load_dataset(...)`` lines of a git release.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..manifest import MANIFEST_NAME
from ..names import CONFIG_FILENAME
from ..utf8 import NotUtf8, read_utf8
from ..yamlio import YamlError, load_yaml
from .target import ReleaseTarget

__all__ = ["PUBLISH_SETTINGS", "open_target"]

#: the keys of dataset.yaml's ``publish`` block (``publish`` in config.schema.json)
PUBLISH_SETTINGS = ("repo_id", "git_target")


@dataclass(frozen=True)
class _Settings:
    path: Path
    repo_id: str | None
    git_target: str | None
    name: str | None  # the dataset the file configures


def _config(input_dir: Path | None) -> _Settings | None:
    """The ``publish`` block of dataset.yaml, if there is one.

    Read with plain YAML: the build validated the file, and loading the schema
    validators costs seconds a publish does not need to spend.
    """
    if input_dir is None:
        return None
    path = input_dir / CONFIG_FILENAME if input_dir.is_dir() else input_dir
    if not path.is_file():
        return None
    try:
        raw = load_yaml(read_utf8(path))
    except (OSError, NotUtf8, YamlError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    publish = raw.get("publish") if isinstance(raw, dict) else None
    publish = publish if isinstance(publish, dict) else {}
    unknown = sorted(map(str, set(publish) - set(PUBLISH_SETTINGS)))
    if unknown:
        # what build's schema refuses, never used unsaid here (a token put there, a typo);
        # the values are not shown: one may be a secret
        raise UsageError(
            f"{path}: publish.{', publish.'.join(unknown)} is not a setting (publish takes"
            f" {' and '.join(PUBLISH_SETTINGS)}); a Hub token comes from HF_TOKEN or"
            " `hf auth login`, never from dataset.yaml"
        )
    repo_id, git_target = publish.get("repo_id"), publish.get("git_target")
    name = raw.get("name") if isinstance(raw, dict) else None
    return _Settings(
        path=path,
        repo_id=str(repo_id) if repo_id else None,
        git_target=str(git_target) if git_target else None,
        name=str(name) if name else None,
    )


def _same_dataset(config: _Settings, build_dir: Path | None) -> bool:
    """Whether ``config`` configures the build's dataset (True when either is unnamed)."""
    built = _dataset_name(build_dir)
    return config.name is None or built is None or built == config.name


def _check_same_dataset(config: _Settings | None, build_dir: Path | None) -> None:
    """The config whose publish settings are about to be used configures the build's
    dataset: ``-i`` defaults to ``seeds``, so a build made from another folder would go
    to that project's release repository, its ``repo_id`` in the card's load line."""
    if config is None or _same_dataset(config, build_dir):
        return
    built = _dataset_name(build_dir)
    raise UsageError(
        f"{build_dir} is a build of {built!r}, but {config.path} configures {config.name!r}: "
        "its publish settings are not this build's. Pass -i with the folder the build was "
        "made from, or name the target with --git or --repo"
    )


def _dataset_name(build_dir: Path | None) -> str | None:
    if build_dir is None:
        return None
    try:
        manifest = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = manifest.get("dataset", {}).get("name") if isinstance(manifest, dict) else None
    return str(name) if name else None


def open_target(
    *,
    repo: str | None = None,
    hub: bool = False,
    git: str | None = None,
    endpoint: str | None = None,
    input_dir: Path | None = None,
    build_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> ReleaseTarget:
    """The target the options name (exactly one of them, or the config's git target)."""
    chosen = [name for name, value in (("--repo", repo), ("--hub", hub), ("--git", git)) if value]
    if len(chosen) > 1:
        raise UsageError(f"name one target: {' and '.join(chosen)} were both given")
    if repo:
        from .hub import HubTarget

        return HubTarget(repo, endpoint=endpoint, log=log)
    config = _config(input_dir)
    if git and config is not None and not _same_dataset(config, build_dir):
        # --git names the target: another dataset's config (the default ``-i seeds``) is
        # not used for anything, so not a reason to refuse (it said "name the target
        # with --git" to a command that did)
        config = None
    _check_same_dataset(config, build_dir)
    if hub:
        if config is None or not config.repo_id:
            raise UsageError(
                f"--hub needs publish.repo_id in {input_dir}/{CONFIG_FILENAME} (or use --repo ORG/NAME)"
            )
        from .hub import HubTarget

        named_by = f"--hub: publish.repo_id in {config.path}"
        return HubTarget(config.repo_id, endpoint=endpoint, log=log, named_by=named_by)
    from .gitrepo import GitTarget, is_remote

    load_name = (config.repo_id if config else None) or _dataset_name(build_dir) or "dataset"
    if git:
        return GitTarget(git, load_name=load_name)
    if config is None or not config.git_target:
        where = Path(input_dir or ".") / CONFIG_FILENAME
        there = (
            "" if where.is_file() else f" (there is none at {where}: name its folder with -i DIR)"
        )
        raise UsageError(
            "no target: pass --repo ORG/NAME (Hub), --git PATH_OR_URL, or set "
            f"publish.git_target in the dataset's {CONFIG_FILENAME}{there}"
        )
    location = config.git_target
    if not is_remote(location):
        location = str((config.path.parent / location).resolve())
    return GitTarget(location, load_name=load_name)
