"""What publishing must not take on trust: files a build folder carries that describe other
files of it, and the state of the target repository it publishes to.

Real runs: the CLI or ``publish`` against a real local git repository (git + git-lfs).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from publish_helpers import Releases, git

from builder.manifest import MANIFEST_NAME, file_entry
from builder.publish.gitrepo import GitTarget
from builder.publish.records import RECORDS_NAME, write_build_digest
from builder.publish.release import publish
from builder.publish.target import PublishError

pytest_plugins = ["publish_helpers"]

LOAD_NAME = "local/news"


@pytest.fixture(autouse=True)
def _git_lfs_required(git_lfs: None) -> None:
    """Every test here needs git-lfs (the fixture fails loudly when it is missing)."""


def _list_in_manifest(build: Path, rel: str) -> None:
    """Add ``rel`` to the build's manifest with its real hash, as a careful editor would:
    the folder still verifies against its manifest."""
    path = build / MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    outputs = [o for o in manifest["outputs"] if o["path"] != rel]
    outputs.append(file_entry(build / rel, build))
    manifest["outputs"] = sorted(outputs, key=lambda o: o["path"])
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _with_digest_of(build: Path, shards_of: Path, dest: Path) -> Path:
    """A copy of ``build`` carrying the record digest of ``shards_of``'s Parquet shards."""
    shutil.copytree(build, dest)
    other = dest.parent / f"{dest.name}-digest-source"
    shutil.copytree(shards_of, other)
    shutil.move(write_build_digest(other), dest / RECORDS_NAME)
    _list_in_manifest(dest, RECORDS_NAME)
    return dest


# -- 1. a record digest the build folder carries ------------------------------------------
def test_a_stale_record_digest_in_the_build_is_refused_and_nothing_is_published(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert run_cli("publish", "-b", str(releases.v100), "--git", str(repo)).code == 0
    before = git("show-ref", cwd=repo)
    # v1.1.0's folder with v1.0.0's digest: it said "no change to the data" and let a
    # PATCH through for a release that adds and changes records
    stale = _with_digest_of(releases.v110, releases.v100, tmp_path / "stale")
    assert run_cli("verify", str(stale)).code == 0  # the manifest check cannot see it
    result = run_cli("publish", "-b", str(stale), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert "records.jsonl.gz" in result.stderr and "does not describe" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert git("show-ref", cwd=repo) == before


def test_a_record_digest_that_matches_the_shards_is_published(
    releases: Releases, tmp_path: Path
) -> None:
    repo = tmp_path / "repo.git"
    carried = _with_digest_of(releases.v110, releases.v110, tmp_path / "carried")
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        assert publish(releases.v100, target).status == "published"
        result = publish(carried, target)
    assert result.change is not None
    assert result.change.summary().startswith("1 record added, 1 changed")


def test_an_edited_record_digest_is_refused(releases: Releases, tmp_path: Path) -> None:
    import gzip

    edited = _with_digest_of(releases.v110, releases.v110, tmp_path / "edited")
    lines = gzip.decompress((edited / RECORDS_NAME).read_bytes()).decode().splitlines()
    first = json.loads(lines[0])
    first["sha256"] = "0" * 64
    lines[0] = json.dumps(first)
    (edited / RECORDS_NAME).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    _list_in_manifest(edited, RECORDS_NAME)
    with (
        GitTarget(tmp_path / "repo.git", load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match=rf"does not describe.*{first['id']}"),
    ):
        publish(edited, target, dry_run=True)


def test_a_record_digest_that_is_not_one_is_refused_not_an_internal_error(
    releases: Releases, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(releases.v110, broken)
    (broken / RECORDS_NAME).write_bytes(b"not gzip at all\n")
    _list_in_manifest(broken, RECORDS_NAME)
    with (
        GitTarget(tmp_path / "repo.git", load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match="does not describe.*cannot be read"),
    ):
        publish(broken, target, dry_run=True)
