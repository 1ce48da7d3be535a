"""The previous release, as a new one reads it from the target: its manifest, its
``release.json`` (the history), its card's configs and its record digest.

A release never changes, so what this tool cannot read in one (another tool's
manifest shape, a digest of an older format) must not block every later release: it
is said (:func:`say_unreadable`) and compared by what can be read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..card_versions import ReleaseEntry
from ..manifest import MANIFEST_NAME
from .manifest_shape import manifest_problems
from .records import RECORDS_NAME, digest_problem
from .target import ReleaseTarget
from .verify import card_configs, read_card

__all__ = [
    "RELEASE_NAME",
    "PreviousRelease",
    "load_previous",
    "read_json",
    "read_manifest",
    "release_history",
    "say_unreadable",
]

#: The release's own record: version, summary, history of earlier releases.
RELEASE_NAME = "release.json"


@dataclass
class PreviousRelease:
    tag: str
    commit: str
    date: str
    manifest: dict[str, Any] | None
    release: dict[str, Any] | None
    configs: list[str]
    digest: Path | None
    #: why the release's record digest could not be used (it is then compared by checksums)
    digest_problem: str | None = None
    #: why the release's manifest could not be read (nothing is compared with it then)
    manifest_problem: str | None = None
    #: the message of the commit its tag points at
    message: str = ""


def read_json(target: ReleaseTarget, revision: str, path: str) -> dict[str, Any] | None:
    data = target.read_file(revision, path)
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def read_manifest(target: ReleaseTarget, revision: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the release's manifest, why it cannot be read): one another tool or an older
    version wrote in another shape is not compared with (any bump then needs MAJOR),
    rather than read where it has no such key (an internal error, for every later release)."""
    data = target.read_file(revision, MANIFEST_NAME)
    if data is None:
        return None, None
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"not JSON: {exc}"
    problems = manifest_problems(manifest)
    if problems:
        pointer, why = problems[0]
        return None, f"{pointer or '/'}: {why}"
    return manifest, None


def load_previous(target: ReleaseTarget, tag: str, commit: str, work: Path) -> PreviousRelease:
    manifest, manifest_problem = read_manifest(target, tag)
    release = read_json(target, tag, RELEASE_NAME)
    configs: list[str] = []
    card = target.read_file(tag, "README.md")
    if card is not None:
        try:
            configs = [
                str(c.get("config_name", "default"))
                for c in card_configs(read_card(card.decode("utf-8")))
            ]
        except (ValueError, UnicodeDecodeError):
            configs = []
    digest: Path | None = None
    problem: str | None = None
    listed = {o.get("path") for o in (manifest or {}).get("outputs", [])}
    if RECORDS_NAME in listed:
        path = work / f"previous-{RECORDS_NAME}"
        digest = path if target.fetch_file(tag, RECORDS_NAME, path) else None
        # a release is never changed: one whose digest this tool cannot read (another
        # tool's, an older format) must not block every later release, nor be guessed at
        if digest is not None and (problem := digest_problem(digest)) is not None:
            digest = None
    info = target.commit_info(commit)
    return PreviousRelease(
        tag=tag,
        commit=commit,
        date=info.date,
        message=info.message,
        manifest=manifest,
        release=release,
        configs=configs,
        digest=digest,
        digest_problem=problem,
        manifest_problem=manifest_problem,
    )


def release_history(previous: PreviousRelease | None) -> list[ReleaseEntry]:
    """Earlier releases, newest first, from the previous release's own record."""
    if previous is None:
        return []
    release = previous.release or {}
    entry = ReleaseEntry(
        version=previous.tag[1:],
        date=previous.date,
        commit=previous.commit,
        summary=str(release.get("summary") or ""),
    )
    older = [ReleaseEntry.from_dict(e) for e in release.get("history", []) if isinstance(e, dict)]
    return [entry, *older]


def say_unreadable(previous: PreviousRelease, say: Callable[[str], None]) -> None:
    """What of the previous release could not be read, before the bump is checked."""
    if previous.manifest_problem is not None:
        say(
            f"note: {MANIFEST_NAME} of {previous.tag} is not one this tool reads "
            f"({previous.manifest_problem}): this release is not compared with it"
        )
    if previous.digest_problem is not None:
        say(
            f"note: {RECORDS_NAME} of {previous.tag} cannot be read "
            f"({previous.digest_problem}): records are compared by data file checksums"
        )
