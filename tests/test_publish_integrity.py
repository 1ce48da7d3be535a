"""A release is built on the previous one, and a resumed publish tags a commit it found:
both only when the bytes there are the ones listed (told from the repository's own
metadata, nothing downloaded), and a dry run refuses what the publish would refuse.

Both targets, with the real clients: git + git-lfs, and huggingface_hub against the suite's
Hub server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hub_fixtures import HubEnv
from publish_helpers import Releases, build, change_seeds, copy_seeds, git

from builder.publish.gitrepo import GitTarget
from builder.publish.hub import HubTarget
from builder.publish.release import publish
from builder.publish.retry import RetryPolicy
from builder.publish.target import PublishError

pytest_plugins = ["hub_fixtures", "publish_helpers"]

REPO = "org/news"
FAST = RetryPolicy(attempts=2, base=0.01, cap=0.05)
LOAD_NAME = "local/news"
ACCEPT = "--accept-redistribution-risk"
SHARD = "data/train-00000-of-00001.parquet"
IDENTITY = {
    "GIT_AUTHOR_NAME": "a",
    "GIT_AUTHOR_EMAIL": "a@b",
    "GIT_COMMITTER_NAME": "a",
    "GIT_COMMITTER_EMAIL": "a@b",
}


@pytest.fixture(autouse=True)
def _git_lfs_required(git_lfs: None) -> None:
    """Every test here needs git and git-lfs (a missing tool fails, never skips)."""


def _run(args: list[str], cwd: Path, stdin: str) -> str:
    return subprocess.run(
        args,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **IDENTITY},
    ).stdout.strip()


def _git_publish(build: Path, repo: Path) -> str:
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        return publish(build, target).status


def _pointer_to_other_bytes(repo: Path, size: int) -> str:
    """An LFS pointer blob naming other content of ``size`` bytes (what a push over the file
    leaves in git; the LFS object itself is not needed to see it)."""
    oid = hashlib.sha256(b"someone else's shard").hexdigest()
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"
    return _run(["git", "hash-object", "-w", "--stdin"], repo, pointer)


def _with_shard_replaced(repo: Path, rev: str, *, parent: str | None, message: str) -> str:
    """A commit with ``rev``'s tree but the shard's pointer naming other bytes."""
    tree = git("ls-tree", "-r", rev, cwd=repo)
    size = int(git("cat-file", "-p", f"{rev}:{SHARD}", cwd=repo).split("size ")[1].split()[0])
    blob = _pointer_to_other_bytes(repo, size)
    lines = [
        f"100644 blob {blob}\t{SHARD}" if line.endswith(f"\t{SHARD}") else line
        for line in tree.splitlines()
    ]
    # mktree takes one level: write the nested trees through a temporary index instead
    index = repo / "tmp-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    subprocess.run(
        ["git", "update-index", "--add", "--index-info"],
        cwd=repo,
        input="".join(f"{line}\n" for line in lines),
        text=True,
        check=True,
        env=env,
    )
    new_tree = subprocess.run(
        ["git", "write-tree"], cwd=repo, capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    index.unlink()
    args = ["git", "commit-tree", new_tree, *(["-p", parent] if parent else []), "-F", "-"]
    return _run(args, repo, message)


# -- 1. the previous release is checked before a release is built on it -------------------
def test_git_a_previous_release_whose_tag_was_moved_onto_other_bytes_is_refused(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert _git_publish(releases.v100, repo) == "published"
    # someone pushed a commit over the shard and moved v1.0.0 onto it
    pushed = _with_shard_replaced(repo, "main", parent="main", message="fix data")
    git("update-ref", "refs/heads/main", pushed, cwd=repo)
    git("tag", "-f", "-a", "v1.0.0", "-m", "moved", pushed, cwd=repo)
    head = git("rev-parse", "main", cwd=repo).strip()
    for extra in (["--dry-run"], []):
        result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo), *extra)
        assert result.code == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "previous release v1.0.0" in result.stderr
        assert f"{SHARD}: sha256" in result.stderr and "published" in result.stderr
        assert "move the tag back" in result.stderr
    assert git("rev-parse", "main", cwd=repo).strip() == head
    assert "v1.1.0" not in git("tag", cwd=repo).split()


def test_git_an_earlier_release_whose_tag_was_moved_is_refused(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """v1.0.0 moved onto v1.1.0's commit: the files there match v1.1.0's manifest, but
    v1.1.0's record says where v1.0.0 was released."""
    repo = tmp_path / "repo.git"
    assert _git_publish(releases.v100, repo) == "published"
    assert _git_publish(releases.v110, repo) == "published"
    released = git("rev-parse", "v1.0.0^{commit}", cwd=repo).strip()
    git("tag", "-f", "-a", "v1.0.0", "-m", "moved", "v1.1.0^{commit}", cwd=repo)
    seeds = copy_seeds(tmp_path / "seeds")
    change_seeds(seeds, version="1.1.1")
    patch = build(seeds, tmp_path / "v1.1.1")
    result = run_cli("publish", "-b", str(patch), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert "v1.0.0 points at" in result.stderr and f"released as {released[:12]}" in result.stderr


def test_git_an_intact_previous_release_is_built_on(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert _git_publish(releases.v100, repo) == "published"
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 0, result.stderr


def _hub_publish(env: HubEnv, build: Path) -> str:
    target = HubTarget(REPO, endpoint=env.endpoint, policy=FAST)
    try:
        return publish(build, target, policy=FAST, accept_redistribution_risk=True).status
    finally:
        target.close()


def test_hub_a_previous_release_whose_tag_was_moved_onto_other_bytes_is_refused(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    from huggingface_hub import CommitOperationAdd

    assert _hub_publish(hub_env, releases.v100) == "published"
    shard = bytearray((releases.v100 / SHARD).read_bytes())
    shard[100] ^= 0xFF
    hub_env.api.create_commit(
        REPO,
        [CommitOperationAdd(path_in_repo=SHARD, path_or_fileobj=bytes(shard))],
        commit_message="fix data",
        repo_type="dataset",
    )
    hub_env.api.delete_tag(REPO, tag="v1.0.0", repo_type="dataset")
    hub_env.api.create_tag(REPO, tag="v1.0.0", repo_type="dataset")
    head = hub_env.server.head(REPO)
    for extra in (["--dry-run"], []):
        result = run_cli("publish", "-b", str(releases.v110), "--repo", REPO, ACCEPT, *extra)
        assert result.code == 1, result.stderr
        assert "previous release v1.0.0" in result.stderr
        assert f"{SHARD}: sha256" in result.stderr
    assert hub_env.server.head(REPO) == head
    tags = [t.name for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags]
    assert tags == ["v1.0.0"]


# -- 2. a dry run refuses what the Hub's .gitignore would drop, as the publish does --------
def test_hub_dry_run_refuses_files_the_repository_ignores(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    from huggingface_hub import CommitOperationAdd

    assert _hub_publish(hub_env, releases.v100) == "published"
    hub_env.api.create_commit(
        REPO,
        [CommitOperationAdd(path_in_repo=".gitignore", path_or_fileobj=b"*.gz\ndata/\n")],
        commit_message="teammate",
        repo_type="dataset",
    )
    head = hub_env.server.head(REPO)
    before = len(hub_env.server.requests)
    dry = run_cli("publish", "-b", str(releases.v110), "--repo", REPO, ACCEPT, "--dry-run")
    assert dry.code == 1, dry.stderr
    assert "records.jsonl.gz" in dry.stderr and SHARD in dry.stderr
    assert ".gitignore" in dry.stderr and "Traceback" not in dry.stderr
    asked = [r for r in hub_env.server.requests[before:] if "/preupload/" in r.path]
    assert asked, "the Hub's own answer was not asked"
    writes = [
        r
        for r in hub_env.server.requests[before:]
        if r.method in ("PUT", "DELETE") or "/commit/" in r.path or "/tag/" in r.path
    ]
    assert writes == [] and hub_env.server.head(REPO) == head


def test_hub_dry_run_without_a_gitignore_does_not_ask(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    assert _hub_publish(hub_env, releases.v100) == "published"
    before = len(hub_env.server.requests)
    dry = run_cli("publish", "-b", str(releases.v110), "--repo", REPO, ACCEPT, "--dry-run")
    assert dry.code == 0, dry.stderr
    assert not [r for r in hub_env.server.requests[before:] if "/preupload/" in r.path]


# -- 3. a resumed publish tags its commit only when the bytes there are the build's -------
class _TagFails(GitTarget):
    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        raise PublishError("simulated crash between the commit and the tag")


def test_git_a_resumed_commit_whose_bytes_differ_from_the_build_is_refused(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert _git_publish(releases.v100, repo) == "published"
    with (
        _TagFails(repo, load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match="run the same publish again"),
    ):
        publish(releases.v110, target)
    # the commit rewritten with another shard (same message, manifest and file list)
    message = git("log", "-1", "--format=%B", "main", cwd=repo)
    rewritten = _with_shard_replaced(repo, "main", parent="main~1", message=message)
    git("update-ref", "refs/heads/main", rewritten, cwd=repo)
    for extra in (["--dry-run"], []):
        result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo), *extra)
        assert result.code == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "carries this build's marker" in result.stderr
        assert f"{SHARD}: sha256" in result.stderr
    assert "v1.1.0" not in git("tag", cwd=repo).split()
    assert git("rev-parse", "main", cwd=repo).strip() == rewritten


def test_git_a_tag_added_by_hand_on_a_release_commit_is_named(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert _git_publish(releases.v100, repo) == "published"
    git("tag", "v9.0.0", "main", cwd=repo)
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert "v9.0.0 points at the release commit of v1.0.0" in result.stderr
    assert "delete a tag that is no release" in result.stderr
