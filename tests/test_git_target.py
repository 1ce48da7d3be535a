"""The embedded release target: a plain git repository with git-lfs, no Hub.

Everything runs the real ``git`` and ``git-lfs``. These tests FAIL (never skip)
when git-lfs is missing: install it with ``apt-get install -y git-lfs``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import datasets
import pytest
from publish_helpers import (
    NEW_ID,
    Releases,
    build,
    change_seeds,
    clone_at,
    copy_seeds,
    git,
    ids_in,
    set_config,
    set_shard_size,
)

from builder.atomic_files import UMASK
from builder.publish.gitrepo import GitTarget, require_git_lfs
from builder.publish.release import publish
from builder.publish.target import ConcurrentPublishError, PublishError

pytest_plugins = ["publish_helpers"]

LOAD_NAME = "local/israel-iran-april-2024-news"


@pytest.fixture(autouse=True)
def _git_lfs_required(git_lfs: None) -> None:
    """Every test here needs git-lfs (see the fixture: it fails loudly when missing)."""


def _refs(repo: Path) -> str:
    return git("show-ref", cwd=repo)


def _publish(build_dir: Path, repo: Path) -> None:
    target = GitTarget(repo, load_name=LOAD_NAME)
    try:
        assert publish(build_dir, target).status == "published"
    finally:
        target.close()


def _loaded_ids(folder: Path) -> dict[str, set[str]]:
    ds = datasets.load_dataset(str(folder))
    return {split: set(ds[split]["id"]) for split in ds}


def test_two_releases_are_tags_whose_clones_load_their_own_rows(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "nested" / "release-repo.git"  # does not exist yet: created bare
    first = run_cli("publish", "-b", str(releases.v100), "--git", str(repo))
    assert first.code == 0, first.stderr
    assert git("rev-parse", "--is-bare-repository", cwd=repo).strip() == "true"
    # as `git init` makes it (it was made aside by mkdtemp, 0700: no teammate could clone it)
    assert repo.stat().st_mode & 0o777 == 0o777 & ~UMASK
    second = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert second.code == 0, second.stderr
    assert "1 record added, 1 changed" in second.stderr

    # one commit per release on main, each tagged with an annotated tag
    assert git("rev-list", "--count", "main", cwd=repo).strip() == "2"
    kinds = git("for-each-ref", "refs/tags", "--format=%(refname:short) %(objecttype)", cwd=repo)
    assert kinds.split("\n")[:2] == ["v1.0.0 tag", "v1.1.0 tag"]
    assert git("rev-parse", "v1.1.0^{commit}", cwd=repo) == git("rev-parse", "main", cwd=repo)
    assert git("rev-parse", "v1.0.0^{commit}", cwd=repo) == git("rev-parse", "main~1", cwd=repo)

    # Parquet is in LFS (the git blob is a pointer), like on the Hub
    shard = next(
        p
        for p in git("ls-tree", "-r", "--name-only", "v1.0.0", cwd=repo).split()
        if p.endswith(".parquet")
    )
    assert git("cat-file", "blob", f"v1.0.0:{shard}", cwd=repo).startswith(
        "version https://git-lfs.github.com/spec/v1"
    )
    assert "*.parquet filter=lfs diff=lfs merge=lfs -text" in git(
        "show", "v1.0.0:.gitattributes", cwd=repo
    )

    # a clone at each tag loads exactly that release's rows
    for tag, built in (("v1.0.0", releases.v100), ("v1.1.0", releases.v110)):
        clone = clone_at(repo, tag, tmp_path / f"clone-{tag}")
        assert _loaded_ids(clone) == ids_in(built)
        check = run_cli("verify", "--git", str(repo), "--revision", tag)
        assert check.code == 0, check.stderr
    assert NEW_ID in set().union(*ids_in(releases.v110).values())
    assert NEW_ID not in set().union(*ids_in(releases.v100).values())

    # the card's Versions section: every release, its date and commit, the pinned line
    card = git("show", "v1.1.0:README.md", cwd=repo)
    first_commit = git("rev-parse", "v1.0.0^{commit}", cwd=repo).strip()
    date = git("log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%d", first_commit, cwd=repo)
    assert f"| v1.0.0 | {date.strip()} | `{first_commit[:12]}` | first release: 5 records" in card
    assert "| v1.1.0 |" in card and "| this release | 1 record added, 1 changed |" in card
    # load_dataset cannot pin a revision of a plain git repository: the card says to clone the tag.
    folder = LOAD_NAME.rsplit("/", 1)[-1]
    assert f"# git clone --branch v1.1.0 {repo} {folder}" in card
    assert f'ds = load_dataset("{folder}")' in card and "revision=" not in card
    assert "`--branch v1.0.0`" in card
    # the build folder itself was not touched by publishing
    assert "Not published yet" in (releases.v110 / "README.md").read_text()


def test_publishing_the_same_build_again_is_a_no_op(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    _publish(releases.v100, repo)
    before = _refs(repo)
    again = run_cli("publish", "-b", str(releases.v100), "--git", str(repo))
    assert again.code == 0, again.stderr
    assert "already" in again.stderr and "nothing to do" in again.stderr
    assert _refs(repo) == before


def test_a_different_build_under_an_existing_tag_is_refused(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    _publish(releases.v100, repo)
    before = _refs(repo)
    seeds = copy_seeds(tmp_path / "seeds")
    change_seeds(seeds, version="1.0.0")  # other data, same version
    other = build(seeds, tmp_path / "other")
    result = run_cli("publish", "-b", str(other), "--git", str(repo))
    assert result.code == 1
    assert "v1.0.0 already exists" in result.stderr and "Traceback" not in result.stderr
    assert _refs(repo) == before


def test_a_bump_smaller_than_the_change_is_refused_before_any_commit(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    _publish(releases.v100, repo)
    before = _refs(repo)
    seeds = copy_seeds(tmp_path / "seeds")
    change_seeds(seeds, version="1.0.1")
    patch = build(seeds, tmp_path / "patch")
    result = run_cli("publish", "-b", str(patch), "--git", str(repo))
    assert result.code == 1
    assert "PATCH release" in result.stderr and "MINOR" in result.stderr
    assert "1 record added, 1 changed" in result.stderr and "1.1.0" in result.stderr
    assert _refs(repo) == before


def test_a_patch_with_identical_rows_deletes_old_files_in_the_same_commit(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    _publish(releases.v100, repo)
    seeds = copy_seeds(tmp_path / "seeds")
    set_config(seeds, version="1.0.1")
    set_shard_size(seeds, 4096)  # same rows, more and other-named shards
    patch = build(seeds, tmp_path / "patch")
    result = run_cli("publish", "-b", str(patch), "--git", str(repo))
    assert result.code == 0, result.stderr
    old = set(git("ls-tree", "-r", "--name-only", "v1.0.0", cwd=repo).split())
    new = set(git("ls-tree", "-r", "--name-only", "v1.0.1", cwd=repo).split())
    gone = {p for p in old - new}
    assert gone and all(p.startswith("data/") for p in gone)
    assert new - {".gitattributes"} == {
        str(p.relative_to(patch)) for p in patch.rglob("*") if p.is_file()
    } | {"release.json", "records.jsonl.gz"}
    assert git("rev-list", "--count", "main", cwd=repo).strip() == "2"
    clone = clone_at(repo, "v1.0.1", tmp_path / "clone")
    assert _loaded_ids(clone) == ids_in(releases.v100)
    assert "no change to the data" in git("show", "v1.0.1:README.md", cwd=repo)


class _RacingTarget(GitTarget):
    """Someone else pushes to main between our read of the head and our push."""

    def __init__(self, location: Path, intruder: Path) -> None:
        super().__init__(location, load_name=LOAD_NAME)
        self.intruder = intruder

    def commit(self, staged: Path, files: list[str], **kwargs: object) -> str:
        git("clone", "-q", self.location, str(self.intruder))
        (self.intruder / "NOTE.md").write_text("someone else's change\n")
        git("add", "NOTE.md", cwd=self.intruder)
        git(
            "-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "other", cwd=self.intruder
        )
        git("push", "-q", "origin", "HEAD:main", cwd=self.intruder)
        return super().commit(staged, files, **kwargs)  # type: ignore[arg-type]


def test_a_concurrent_push_is_refused_never_overwritten(releases: Releases, tmp_path: Path) -> None:
    repo = tmp_path / "repo.git"
    _publish(releases.v100, repo)
    target = _RacingTarget(repo, tmp_path / "intruder")
    with pytest.raises(ConcurrentPublishError, match="someone else"):
        publish(releases.v110, target)
    target.close()
    assert git("log", "-1", "--format=%s", "main", cwd=repo).strip() == "other"
    assert "v1.1.0" not in git("tag", cwd=repo)


class _TagFails(GitTarget):
    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        raise PublishError("simulated crash between the commit and the tag")


def test_a_crash_before_the_tag_is_finished_by_the_next_run(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    with (
        _TagFails(repo, load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match="run the same publish again"),
    ):
        publish(releases.v100, target)
    head = git("rev-parse", "main", cwd=repo).strip()
    assert git("tag", cwd=repo) == ""
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "earlier run" in result.stderr
    assert git("rev-parse", "v1.0.0^{commit}", cwd=repo).strip() == head
    assert git("rev-list", "--count", "main", cwd=repo).strip() == "1"


def test_the_default_target_comes_from_dataset_yaml(
    releases: Releases, seeds_copy: Path, run_cli: Callable
) -> None:
    result = run_cli("publish", "-b", str(releases.v100), "-i", str(seeds_copy))
    assert result.code == 0, result.stderr
    repo = seeds_copy.parent / "out" / "release-repo"  # publish.git_target: ../out/release-repo
    assert git("tag", cwd=repo).split() == ["v1.0.0"]


def test_any_git_url_works_as_a_remote(releases: Releases, tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    target = GitTarget(f"file://{bare}", load_name=LOAD_NAME)
    result = publish(releases.v100, target)
    assert result.status == "published"
    assert git("rev-parse", "v1.0.0^{commit}", cwd=bare).strip() == result.commit
    target.close()


def test_dry_run_creates_and_pushes_nothing(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(repo), "--dry-run")
    assert result.code == 0, result.stderr
    assert "would publish v1.0.0" in result.stderr
    assert not repo.exists()


def test_missing_git_lfs_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real_git = next(
        Path(d) / "git" for d in os.environ["PATH"].split(os.pathsep) if (Path(d) / "git").is_file()
    )
    (bin_dir / "git").symlink_to(real_git)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(PublishError, match="git-lfs"):
        require_git_lfs()
    with pytest.raises(PublishError, match="apt-get install git-lfs"):
        GitTarget(tmp_path / "repo.git", load_name=LOAD_NAME)
    assert not (tmp_path / "repo.git").exists()


def _work_tree(path: Path, *, update_instead: bool) -> Path:
    """A non-bare repository with ``main`` checked out and one commit (a user's work tree)."""
    git("init", "-q", "-b", "main", str(path))
    if update_instead:
        git("config", "receive.denyCurrentBranch", "updateInstead", cwd=path)
    (path / "notes.txt").write_text("ours\n", encoding="utf-8")
    git("add", "notes.txt", cwd=path)
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "init", cwd=path)
    return path


@pytest.mark.parametrize(
    ("update_instead", "reason"),
    [
        (False, "branch is currently checked out"),
        (True, "Working directory has unstaged changes"),
    ],
)
def test_a_work_tree_refusing_the_push_says_why_and_commits_nothing(
    releases: Releases, tmp_path: Path, run_cli: Callable, update_instead: bool, reason: str
) -> None:
    """git refuses a push to the checked-out branch of a work tree (and, with updateInstead,
    to a dirty one): the message says so and how to publish, not git's last advice lines."""
    repo = _work_tree(tmp_path / "work", update_instead=update_instead)
    if update_instead:
        (repo / "notes.txt").write_text("edited, not committed\n", encoding="utf-8")
    before = _refs(repo)
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert f"refused the push of main: {reason}" in result.stderr
    assert "nothing was committed" in result.stderr
    assert "bare repository" in result.stderr
    assert "Traceback" not in result.stderr
    assert _refs(repo) == before


def test_a_push_losing_the_ref_lock_to_another_push_is_a_concurrent_publish(
    releases: Releases, tmp_path: Path
) -> None:
    """Two publishes pushing at once: both leases pass, the receiving side updates main for
    one and answers the other "failed to update ref" (its ref lock is taken). That is a
    concurrent publish (resolved by looking at what landed), not a refusing repository."""
    repo = tmp_path / "repo.git"
    git("init", "-q", "--bare", "-b", "main", str(repo))
    lock = repo / "refs" / "heads" / "main.lock"  # held by the other push
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("", encoding="utf-8")
    with (
        GitTarget(repo, load_name=LOAD_NAME) as target,
        pytest.raises(ConcurrentPublishError, match="another push"),
    ):
        publish(releases.v100, target)
    assert git("for-each-ref", cwd=repo) == ""
    lock.unlink()
    _publish(releases.v100, repo)  # the next run publishes


class _InterruptedWhileTagging(GitTarget):
    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the commit landed, before the tag


def test_an_interrupt_after_the_commit_says_the_tag_is_missing_not_nothing_published(
    releases: Releases, tmp_path: Path, run_cli: Callable, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C between the commit and the tag leaves a release commit without its tag: the
    message says so and how to finish, not the generic 'nothing was published'."""
    import typer

    from builder.cli_common import run_guarded

    repo = tmp_path / "repo.git"
    with _InterruptedWhileTagging(repo, load_name=LOAD_NAME) as target:

        def body() -> None:
            publish(releases.v100, target)

        with pytest.raises(KeyboardInterrupt) as info:
            body()
        assert "v1.0.0" in str(info.value) and "run the same publish again" in str(info.value)
        capsys.readouterr()
        with pytest.raises(typer.Exit) as exit_info:
            run_guarded(body)  # the commit is there now: the second attempt only tags
    assert exit_info.value.exit_code == 130
    shown = capsys.readouterr().err
    assert "run the same publish again" in shown and "nothing was published" not in shown
    assert git("tag", cwd=repo) == ""
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(repo))
    assert result.code == 0 and "earlier run" in result.stderr, result.stderr


def test_the_repositorys_own_gitattributes_lines_are_kept(
    releases: Releases, tmp_path: Path
) -> None:
    """A teammate's .gitattributes (their own LFS patterns, line-end rules) stays: the
    release adds the lines it needs after theirs instead of replacing the file."""
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    theirs = "*.txt text eol=lf\n*.bin filter=lfs diff=lfs merge=lfs -text"  # no final newline
    (work / ".gitattributes").write_text(theirs, encoding="utf-8")
    git("add", ".gitattributes", cwd=work)
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "init", cwd=work)
    repo = tmp_path / "repo.git"
    git("clone", "-q", "--bare", str(work), str(repo))
    _publish(releases.v100, repo)
    _publish(releases.v110, repo)
    lines = git("show", "main:.gitattributes", cwd=repo).splitlines()
    assert lines[:2] == theirs.splitlines()
    assert lines.count("*.parquet filter=lfs diff=lfs merge=lfs -text") == 1
    shard = next(
        p
        for p in git("ls-tree", "-r", "--name-only", "v1.1.0", cwd=repo).split()
        if p.endswith(".parquet")
    )
    assert git("show", f"v1.1.0:{shard}", cwd=repo).startswith("version https://git-lfs")


def test_a_declining_hook_is_named_with_what_it_said(releases: Releases, tmp_path: Path) -> None:
    repo = tmp_path / "repo.git"
    git("init", "-q", "--bare", "-b", "main", str(repo))
    hook = repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes to main need review' >&2\nexit 1\n")
    hook.chmod(0o755)
    with (
        GitTarget(repo, load_name=LOAD_NAME) as target,
        pytest.raises(PublishError) as info,
    ):
        publish(releases.v100, target)
    message = str(info.value)
    assert "refused the push of main: pre-receive hook declined" in message
    assert "pushes to main need review" in message and "nothing was committed" in message
    assert git("for-each-ref", cwd=repo) == ""


@pytest.mark.parametrize(
    ("stderr", "race"),
    [
        (
            "remote: error: cannot lock ref 'refs/heads/main': Unable to create "
            "'r.git/./refs/heads/main.lock': File exists.",
            True,
        ),
        ("remote: error: cannot lock ref 'refs/heads/main': is at 1a but expected 2b", True),
        ("remote: error: cannot lock ref 'refs/heads/main': reference already exists", True),
        (
            "remote: error: cannot lock ref 'refs/heads/main': Unable to create "
            "'r.git/./refs/heads/main.lock': Permission denied",
            False,
        ),
    ],
)
def test_only_a_lost_ref_race_counts_as_a_concurrent_push(stderr: str, race: bool) -> None:
    """A read-only repository also answers 'failed to update ref': that is no concurrent
    publish to wait out, and is reported as a refusal with git's reason."""
    from builder.publish.gitrepo import _lost_ref_race

    assert _lost_ref_race(stderr) is race


class _CreatedMeanwhile(GitTarget):
    """Another first publish creates the repository right after this one found none."""

    calls = 0

    def exists(self) -> bool:
        found = super().exists()
        self.calls += 1
        if self.calls == 2:  # create()'s own check: the other publish creates it right after
            git("init", "-q", "--bare", "-b", "main", self.location)
        return found


def test_a_repository_created_meanwhile_by_another_publish_is_used(
    releases: Releases, tmp_path: Path
) -> None:
    """Two first publishes to a missing path: the one that loses the creation uses the
    repository the other made, instead of failing with 'exists but is not a git repository'
    (or a half-copied git template)."""
    repo = tmp_path / "nested" / "repo.git"
    with _CreatedMeanwhile(repo, load_name=LOAD_NAME) as target:
        assert publish(releases.v100, target).status == "published"
    assert git("tag", cwd=repo).split() == ["v1.0.0"]
    assert [p.name for p in repo.parent.iterdir()] == ["repo.git"]  # no temporary left
