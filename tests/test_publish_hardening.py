"""Publishing next to other people's work (issue 12): a release deletes only what an
earlier release published, and a publish cut short between its commit and its tag
finds its own commit again even when someone committed on top of it.

Both targets, with the real clients: git + git-lfs, and huggingface_hub against
the suite's Hub server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hub_fixtures import HubEnv
from publish_helpers import Releases, git

from builder.publish.gitrepo import GitTarget
from builder.publish.hub import HubTarget
from builder.publish.release import publish
from builder.publish.retry import RetryPolicy
from builder.publish.target import PublishError

pytest_plugins = ["hub_fixtures", "publish_helpers"]

REPO = "org/news"
FAST = RetryPolicy(attempts=2, base=0.01, cap=0.05)
LOAD_NAME = "local/news"


# -- git --------------------------------------------------------------------------------
def _git_publish(build: Path, repo: Path) -> None:
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        assert publish(build, target).status == "published"


def _teammate_commits(repo: Path, clone: Path, files: dict[str, str]) -> str:
    git("clone", "-q", str(repo), str(clone))
    for rel, text in files.items():
        (clone / rel).parent.mkdir(parents=True, exist_ok=True)
        (clone / rel).write_text(text)
        git("add", rel, cwd=clone)
    git("-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "teammate", cwd=clone)
    git("push", "-q", "origin", "HEAD:main", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone).strip()


def test_git_publish_keeps_files_no_release_listed(
    releases: Releases, tmp_path: Path, run_cli: Callable, git_lfs: None
) -> None:
    repo = tmp_path / "repo.git"
    _git_publish(releases.v100, repo)
    theirs = {"LICENSE": "MIT\n", "scripts/train.py": "print(1)\n"}
    _teammate_commits(repo, tmp_path / "mate", theirs)
    dry = run_cli("publish", "-b", str(releases.v110), "--git", str(repo), "--dry-run", "--json")
    assert dry.code == 0, dry.stderr
    assert '"kept": [\n    "LICENSE",\n    "scripts/train.py"\n  ]' in dry.stdout
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "LICENSE" in result.stderr and "keeping 2 file(s)" in result.stderr
    for rev in ("v1.1.0", "main"):
        files = set(git("ls-tree", "-r", "--name-only", rev, cwd=repo).split())
        assert {"LICENSE", "scripts/train.py"} <= files
        assert git("show", f"{rev}:LICENSE", cwd=repo) == "MIT\n"
    assert run_cli("verify", "--git", str(repo), "--revision", "v1.1.0").code == 0


class _TagFails(GitTarget):
    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        raise PublishError("simulated crash between the commit and the tag")


def test_git_resume_finds_its_commit_below_someone_elses(
    releases: Releases, tmp_path: Path, run_cli: Callable, git_lfs: None
) -> None:
    repo = tmp_path / "repo.git"
    _git_publish(releases.v100, repo)
    with (
        _TagFails(repo, load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match="run the same publish again"),
    ):
        publish(releases.v110, target)
    ours = git("rev-parse", "main", cwd=repo).strip()
    _teammate_commits(repo, tmp_path / "mate", {"NOTES.md": "mine\n"})
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "earlier run" in result.stderr and "below the head" in result.stderr
    assert git("rev-parse", "v1.1.0^{commit}", cwd=repo).strip() == ours
    subjects = git("log", "--format=%s", "main", cwd=repo).split("\n")
    assert subjects.count("Release v1.1.0") == 1
    assert git("show", "main:NOTES.md", cwd=repo) == "mine\n"


# -- Hub --------------------------------------------------------------------------------
#: the seeds' sources have unknown redistribution terms: a public Hub repo needs the decision
ACCEPT = "--accept-redistribution-risk"


def _hub_publish(env: HubEnv, build: Path) -> None:
    target = HubTarget(REPO, endpoint=env.endpoint, policy=FAST)
    try:
        assert (
            publish(build, target, policy=FAST, accept_redistribution_risk=True).status
            == "published"
        )
    finally:
        target.close()


def _hub_teammate(env: HubEnv, files: dict[str, str]) -> None:
    from huggingface_hub import CommitOperationAdd

    env.api.create_commit(
        REPO,
        [CommitOperationAdd(path_in_repo=p, path_or_fileobj=t.encode()) for p, t in files.items()],
        commit_message="teammate",
        repo_type="dataset",
    )


def test_hub_publish_keeps_files_no_release_listed(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    _hub_publish(hub_env, releases.v100)
    _hub_teammate(hub_env, {"LICENSE": "MIT\n", "scripts/train.py": "print(1)\n"})
    result = run_cli(
        "publish", "-b", str(releases.v110), "--repo", REPO, "--accept-redistribution-risk"
    )
    assert result.code == 0, result.stderr
    assert "keeping 2 file(s)" in result.stderr
    for rev in ("v1.1.0", "main"):
        snap = hub_env.server.snapshot(REPO, rev)
        assert snap["LICENSE"] == b"MIT\n" and "scripts/train.py" in snap
    check = run_cli("verify", "--repo", REPO, "--revision", "v1.1.0")
    assert check.code == 0, check.stderr


def test_hub_resume_finds_its_commit_below_someone_elses(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    _hub_publish(hub_env, releases.v100)
    hub_env.server.inject("tag", ("status", 500), times=20)
    target = HubTarget(REPO, endpoint=hub_env.endpoint, policy=FAST)
    with pytest.raises(PublishError, match="run the same publish again"):
        publish(releases.v110, target, policy=FAST, accept_redistribution_risk=True)
    target.close()
    hub_env.server.faults.clear()
    ours = hub_env.server.head(REPO)
    _hub_teammate(hub_env, {"NOTES.md": "mine\n"})
    result = run_cli(
        "publish", "-b", str(releases.v110), "--repo", REPO, "--accept-redistribution-risk"
    )
    assert result.code == 0, result.stderr
    assert "earlier run" in result.stderr
    tags = {
        t.name: t.target_commit for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    }
    assert tags["v1.1.0"] == ours
    titles = [c.title for c in hub_env.api.list_repo_commits(REPO, repo_type="dataset")]
    assert titles == ["teammate", "Release v1.1.0", "Release v1.0.0", "initial commit"]
    assert hub_env.server.snapshot(REPO, "main")["NOTES.md"] == b"mine\n"


# -- credentials in URLs ------------------------------------------------------------------
PASSWORD = "pw-Zq81xLmN"


def test_an_endpoint_with_credentials_is_never_printed_and_the_token_is_sent(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    endpoint = hub_env.endpoint.replace("://", f"://alice:{PASSWORD}@")
    outputs = []
    for args in (
        ["publish", "-b", str(releases.v100), "--repo", REPO, "--dry-run", "--json", ACCEPT],
        ["publish", "-b", str(releases.v100), "--repo", REPO, ACCEPT],
        ["publish", "-b", str(releases.v100), "--repo", REPO, "--json", ACCEPT],
        ["verify", "--repo", REPO, "--revision", "v1.0.0", "--json"],
    ):
        result = run_cli(*args, "--endpoint", endpoint)
        assert result.code == 0, result.stderr
        outputs.append(result.stdout + result.stderr)
    for text in outputs:
        assert PASSWORD not in text and "alice" not in text, text
    tokens = [t for t in hub_env.server.tokens if t]
    assert tokens and set(tokens) == {hub_env.token}
    assert PASSWORD not in {t for t in hub_env.server.tokens if t}
    tags = [t.name for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags]
    assert tags == ["v1.0.0"]


def test_a_git_url_with_credentials_is_never_printed(
    tmp_path: Path, releases: Releases, run_cli: Callable, git_lfs: None
) -> None:
    url = f"file://alice:{PASSWORD}@/nonexistent/{tmp_path.name}/repo.git"
    result = run_cli("publish", "-b", str(releases.v100), "--git", url, "--json")
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_a_foreign_file_where_data_is_loaded_from_is_refused_not_kept(
    releases: Releases, tmp_path: Path, run_cli: Callable, git_lfs: None
) -> None:
    repo = tmp_path / "repo.git"
    _git_publish(releases.v100, repo)
    _teammate_commits(repo, tmp_path / "mate", {"data/train-extra.parquet": "not ours\n"})
    head = git("rev-parse", "main", cwd=repo).strip()
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "data/train-extra.parquet" in result.stderr and "'train'" in result.stderr
    assert git("rev-parse", "main", cwd=repo).strip() == head
    assert "v1.1.0" not in git("tag", cwd=repo)


def test_publish_refuses_a_publish_setting_it_does_not_know_without_showing_it(
    run_cli, seeds_copy: Path, tmp_path: Path
) -> None:
    """``publish.token`` (or a typo like ``repo-id``) is refused by the build's schema;
    a publish reading dataset.yaml went on without it, unsaid. It is a usage error now,
    naming the key and not its value (a token may be a secret), and nothing is made."""
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(seeds_copy), "-o", str(out)).code == 0
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  git_target: ../out/release-repo\n" in text
    config.write_text(
        text.replace(
            "  git_target: ../out/release-repo\n",
            "  git_target: ../out/release-repo\n  token: hf_SECRETSECRET\n",
        ),
        encoding="utf-8",
    )
    run = run_cli("publish", "--build", str(out), "--input", str(seeds_copy), "--dry-run")
    assert run.code == 2
    assert "publish.token is not a setting" in run.stderr
    assert "SECRET" not in run.stderr + run.stdout and "Traceback" not in run.stderr
    assert not (seeds_copy.parent / "out" / "release-repo").exists()


def test_the_publish_settings_are_the_schemas() -> None:
    import json

    from builder.publish.destination import PUBLISH_SETTINGS
    from builder.validate.schemas import schema_dir

    schema = json.loads((schema_dir() / "config.schema.json").read_text(encoding="utf-8"))
    assert set(PUBLISH_SETTINGS) == set(schema["properties"]["publish"]["properties"])


# -- a Hub repository whose .gitignore matches release files ------------------------------
def test_hub_files_the_repository_ignores_are_refused_before_the_commit(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    """The Hub answers preupload with shouldIgnore for paths its .gitignore matches, and
    huggingface_hub then leaves them out of the commit without an error: the release was
    tagged without its record digest (or its Parquet, with ``data/``)."""
    _hub_publish(hub_env, releases.v100)
    _hub_teammate(hub_env, {".gitignore": "*.gz\n"})
    head = hub_env.server.head(REPO)
    result = run_cli(
        "publish", "-b", str(releases.v110), "--repo", REPO, "--accept-redistribution-risk"
    )
    assert result.code == 1, result.stderr
    assert "records.jsonl.gz" in result.stderr and ".gitignore" in result.stderr
    assert "nothing was committed" in result.stderr
    assert hub_env.server.head(REPO) == head
    tags = [t.name for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags]
    assert tags == ["v1.0.0"]
