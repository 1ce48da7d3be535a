"""Whether a published revision holds the bytes its manifest lists, told cheaply.

A new release trusts the previous one's manifest and record digest to say what changed,
and a resumed publish tags a commit it finds by the build's marker. Both are only right
when the files there are the ones listed. The repository's own metadata says so without
downloading the data: the sha256 and size git-lfs records for each LFS file (the Hub's
tree listing, or the pointer blobs in git), each file's size, and git's blob id, which a
local copy of the file can be compared with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..listing import first_and_more
from ..manifest import MANIFEST_NAME, sha256_file
from .previous import RELEASE_NAME, PreviousRelease
from .records import RECORDS_NAME
from .target import FileStat, PublishError, ReleaseTarget

__all__ = ["check_committed", "check_previous", "content_mismatches"]

#: How many differing files a message names before "and N more".
SHOWN = 5


def git_blob_id(path: Path, *, chunk: int = 1 << 20) -> str:
    """The git blob id (sha1 of ``blob <size>\\0`` + content) of a local file."""
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _short(digest: str) -> str:
    return digest[:12]


def _differs(stat: FileStat | None, entry: Mapping[str, Any], local: Path | None) -> str | None:
    """How the published file differs from its manifest ``entry``; None when it does not
    (as far as the repository's metadata, and ``local``, a copy of the listed bytes, tell)."""
    if stat is None:
        return "missing"
    listed_sha, listed_size = entry.get("sha256"), entry.get("bytes")
    if stat.sha256 is not None and listed_sha and stat.sha256 != listed_sha:
        return f"sha256 {_short(stat.sha256)}… published, {_short(listed_sha)}… listed"
    if isinstance(listed_size, int) and stat.size != listed_size:
        return f"{stat.size:,} bytes published, {listed_size:,} listed"
    unhashed = stat.sha256 is None and stat.blob_id is not None
    if unhashed and local is not None and local.is_file() and git_blob_id(local) != stat.blob_id:
        return "other content than listed (same size, another git blob id)"
    return None


def content_mismatches(
    stats: Mapping[str, FileStat],
    outputs: list[dict[str, Any]],
    *,
    local: Path | None = None,
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """``path: how it differs`` for each manifest output the repository holds otherwise.
    ``local``: a folder holding the listed bytes (compared by git blob id where no sha256
    is recorded)."""
    found = []
    for entry in outputs:
        path = entry.get("path")
        if not isinstance(path, str) or path in skip:
            continue
        copy = local / path if local is not None else None
        why = _differs(stats.get(path), entry, copy)
        if why is not None:
            found.append(f"{path}: {why}")
    return found


def _shown(items: list[str]) -> str:
    return first_and_more(items, limit=SHOWN, join="; ".join, more="; and {} more")


def _moved_tags(previous: PreviousRelease, tags: Mapping[str, str]) -> list[str]:
    """Tags that no longer point where the previous release recorded them: its own
    release.json naming another version, its commit carrying another build's marker, and
    earlier releases whose recorded commit is not their tag's."""
    from .release import MARKER  # the marker written into every release commit

    found = []
    release = previous.release or {}
    recorded_tag = release.get("tag")
    if isinstance(recorded_tag, str) and recorded_tag != previous.tag:
        found.append(
            f"{previous.tag} points at the release commit of {recorded_tag} (its "
            f"{RELEASE_NAME} says so): a tag added or moved by hand"
        )
    build = release.get("build_manifest_sha256")
    marked = f"{MARKER}: " in previous.message  # a release commit of this tool
    if isinstance(build, str) and marked and f"{MARKER}: {build}" not in previous.message:
        found.append(
            f"{previous.tag} points at {_short(previous.commit)}, the release commit of "
            f"another build than its {RELEASE_NAME} names"
        )
    for entry in release.get("history", []):
        if not isinstance(entry, dict):
            continue
        tag, commit = f"v{entry.get('version')}", entry.get("commit")
        now = tags.get(tag)
        if isinstance(commit, str) and commit and now is not None and not now.startswith(commit):
            found.append(f"{tag} points at {_short(now)}, released as {_short(commit)}")
    return found


def check_previous(
    target: ReleaseTarget, previous: PreviousRelease, tags: Mapping[str, str]
) -> None:
    """Refuse to build on a previous release that is no longer what it published: the
    change summary, the bump check and the digest the next release compares with would
    all be computed from a manifest that does not describe what readers of that tag get."""
    problems = _moved_tags(previous, tags)
    if previous.manifest is not None:
        stats = target.file_stats(previous.commit)
        if stats is not None:
            outputs = previous.manifest.get("outputs", [])
            problems += content_mismatches(stats, outputs)
            listed = {o.get("path"): o for o in outputs if isinstance(o, dict)}
            # the digest was downloaded to compare records: its bytes are at hand
            entry = listed.get(RECORDS_NAME)
            if (
                previous.digest is not None
                and entry
                and sha256_file(previous.digest) != entry.get("sha256")
            ):
                problems.append(f"{RECORDS_NAME}: other content than listed")
    if problems:
        raise PublishError(
            f"the previous release {previous.tag} on {target.description} is not what it "
            f"published: {_shown(sorted(set(problems)))}. Its tag was moved or its files "
            f"replaced since, so what this release changes cannot be computed from its "
            f"{MANIFEST_NAME}, and readers of {previous.tag} get other data than it lists. "
            f"Check it (builder verify ... --revision {previous.tag}) and restore it (move "
            "the tag back to its release commit, or delete a tag that is no release) before "
            "publishing; nothing was uploaded"
        )


def check_committed(
    target: ReleaseTarget,
    commit: str,
    manifest: dict[str, Any],
    build_dir: Path,
    where: str,
) -> None:
    """Refuse to tag a commit found by this build's marker whose files are not the build's
    bytes (its manifest was compared with the build's before: this compares the files)."""
    stats = target.file_stats(commit)
    if stats is None:
        return
    rewritten = frozenset({"README.md", RELEASE_NAME, RECORDS_NAME})
    outputs = manifest.get("outputs", [])
    wrong = content_mismatches(stats, outputs, local=build_dir, skip=rewritten)
    # the files a release writes itself are compared with the commit's own manifest
    wrong += content_mismatches(stats, [o for o in outputs if o.get("path") in rewritten])
    if wrong:
        raise PublishError(
            f"{where} on {target.description} carries this build's marker but its files are "
            f"not this build's: {_shown(wrong)}. It was not tagged: someone changed the "
            "release's files after this publish committed them. Check that commit; to "
            "publish this build anyway, bump `version` in dataset.yaml, rebuild and publish"
        )
