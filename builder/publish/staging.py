"""Staging a release: its card and ``release.json``, the build's record digest, and the
copy of the build (hard links where possible) the commit uploads, which must verify.

The build folder itself is never touched.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

from ..card_versions import (
    ReleaseEntry,
    render_load_snippet,
    render_versions,
    replace_load_snippet,
    replace_versions,
)
from ..manifest import MANIFEST_NAME, file_entry
from .licensing import RedistributionDecision, replace_notice
from .preflight import BuildInfo
from .previous import RELEASE_NAME, PreviousRelease, release_history
from .records import RECORDS_NAME, digest_parquet, write_digest
from .target import PublishError, ReleaseTarget, link_or_copy
from .verify import verify_folder
from .versioning import Change, tag_name

__all__ = ["new_digest", "release_files", "stage_copy"]


def _today() -> str:
    """The release date: SOURCE_DATE_EPOCH if set (reproducible runs), else today in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (
        dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        if epoch.isdigit()
        else dt.datetime.now(dt.timezone.utc)
    )
    return moment.date().isoformat()


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def new_digest(build: BuildInfo, work: Path) -> Path:
    """This build's record digest, always computed from its Parquet shards: one the folder
    carries (compared with its shards by the pre-flight verify) is not used, so a wrong
    digest never makes this release's change summary, bump check or the next diff wrong."""
    path = work / RECORDS_NAME
    write_digest(digest_parquet(build.path / "data"), path)
    return path


def stage_copy(
    build: BuildInfo,
    work: Path,
    *,
    card: str,
    release: dict[str, Any],
    digest: Path,
) -> tuple[Path, list[str]]:
    """A copy of the build with the release's card, release.json, digest and manifest."""
    staged = work / "staged"
    staged.mkdir()
    rewritten = {"README.md", RELEASE_NAME, RECORDS_NAME}
    for entry in build.manifest["outputs"]:
        if entry["path"] not in rewritten:
            link_or_copy(build.path / entry["path"], staged / entry["path"])
    (staged / "README.md").write_text(card, encoding="utf-8")
    (staged / RELEASE_NAME).write_bytes(_json_bytes(release))
    if digest.resolve() != (staged / RECORDS_NAME).resolve():
        shutil.copyfile(digest, staged / RECORDS_NAME)
    manifest = copy.deepcopy(build.manifest)
    outputs = {o["path"]: o for o in manifest["outputs"]}
    for path in rewritten:
        outputs[path] = file_entry(staged / path, staged)
    manifest["outputs"] = [outputs[p] for p in sorted(outputs)]
    (staged / MANIFEST_NAME).write_bytes(_json_bytes(manifest))
    files = sorted([*outputs, MANIFEST_NAME])
    # its digest was just computed from these very shards (hard links): not again
    problems = verify_folder(staged, records=False)
    if problems:
        raise PublishError(
            "the staged release does not verify (a bug): " + "; ".join(map(str, problems[:5]))
        )
    return staged, files


def release_files(
    target: ReleaseTarget,
    build: BuildInfo,
    previous: PreviousRelease | None,
    change: Change,
    decision: RedistributionDecision | None = None,
) -> tuple[str, dict[str, Any]]:
    """The release's card (Versions section re-rendered) and its release.json record."""
    history = release_history(previous)
    today = _today()
    current = ReleaseEntry(str(build.version), today, None, change.summary())
    section = render_versions(
        load_name=target.load_name,
        version=str(build.version),
        releases=[current, *history],
        clone_url=target.clone_url,
    )
    release = {
        "version": str(build.version),
        "tag": tag_name(build.version),
        "date": today,
        "build_manifest_sha256": build.manifest_sha256,
        "previous": previous.tag if previous else None,
        "summary": change.summary(),
        "change": change.to_dict(),
        "history": [e.to_dict() for e in history],
    }
    card = build.card
    if decision is not None:
        release["redistribution"] = decision.to_dict()
        card = replace_notice(card, decision.statement())
    snippet = render_load_snippet(
        load_name=target.load_name, version=str(build.version), clone_url=target.clone_url
    )
    return replace_load_snippet(replace_versions(card, section), snippet), release
