"""Careless publishing, as a new user would try it: a git target that is a file, or a
folder of something else; no Hub token; a refused publish that must not say "Published".
Each is a clear error naming what is wrong, before anything is created or sent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hub_fixtures import HubEnv
from publish_helpers import Releases, build, change_seeds, copy_seeds, set_config

pytest_plugins = ["hub_fixtures", "publish_helpers"]

REPO = "org/news"
ACCEPT = "--accept-redistribution-risk"


@pytest.fixture(autouse=True)
def _git_lfs_required(git_lfs: None) -> None:
    """The git target needs git and git-lfs (a missing tool fails, never skips)."""


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_git_target_that_is_a_file_is_named_before_anything_runs(
    releases: Releases, tmp_path: Path, run_cli: Callable, dry_run: bool
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    extra = ["--dry-run"] if dry_run else []
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(target), *extra)
    assert result.code == 1, result.stderr
    assert f"the git target {target} is a file, not a git repository" in result.stderr
    assert "Traceback" not in result.stderr and "creating" not in result.stderr
    assert target.read_text() == "mine\n"


def test_a_git_target_below_a_file_is_named(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine\n")
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(blocker / "repo.git"))
    assert result.code == 1, result.stderr
    assert f"{blocker} is a file, not a folder" in result.stderr
    assert "File exists" not in result.stderr and blocker.read_text() == "mine\n"


def test_a_dry_run_to_a_folder_of_other_files_refuses_as_the_publish_does(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    for extra in (["--dry-run"], []):
        result = run_cli("publish", "-b", str(releases.v100), "--git", str(folder), *extra)
        assert result.code == 1, result.stderr
        assert "is a folder with other files that is not a git repository" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]


def test_a_refused_git_publish_does_not_say_published(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """The rights note ("Published to a git repository whose visibility ...") came before
    the refusal of a different build under an existing tag."""
    repo = tmp_path / "repo.git"
    assert run_cli("publish", "-b", str(releases.v100), "--git", str(repo)).code == 0
    seeds = copy_seeds(tmp_path / "seeds")
    change_seeds(seeds, version="1.0.0")  # other content, the same version
    other = build(seeds, tmp_path / "other")
    result = run_cli("publish", "-b", str(other), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert "v1.0.0 already exists" in result.stderr
    assert "Published" not in result.stderr


def test_no_hub_token_is_said_before_any_check_or_request(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    before = len(hub_env.server.requests)
    result = run_cli(
        "publish", "-b", str(releases.v100), "--repo", REPO, ACCEPT, env={"HF_TOKEN": ""}
    )
    assert result.code == 1, result.stderr
    assert "no Hub token is set" in result.stderr and "HF_TOKEN" in result.stderr
    assert hub_env.server.requests[before:] == []
    dry = run_cli(
        "publish",
        "-b",
        str(releases.v100),
        "--repo",
        REPO,
        ACCEPT,
        "--dry-run",
        env={"HF_TOKEN": ""},
    )
    assert dry.code == 0, dry.stderr
    assert "note: no Hub token is set" in dry.stderr


def _other_dataset(tmp_path: Path) -> Path:
    seeds = copy_seeds(tmp_path / "seeds")
    set_config(seeds, name="other-news", version="1.1.0")
    return build(seeds, tmp_path / "other")


def test_git_names_the_target_of_a_build_of_another_dataset_than_the_default_config(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """From the project folder ``-i`` defaults to ./seeds; with --git that config is not
    used, so it was no reason to refuse ("... or name the target with --git")."""
    repo = tmp_path / "repo.git"
    result = run_cli("publish", "-b", str(_other_dataset(tmp_path)), "--git", str(repo))
    assert result.code == 0, result.stderr


def test_a_build_of_another_dataset_is_noted_before_it_joins_a_repositorys_releases(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert run_cli("publish", "-b", str(releases.v100), "--git", str(repo)).code == 0
    other = _other_dataset(tmp_path)
    dry = run_cli("publish", "-b", str(other), "--git", str(repo), "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "are of dataset 'israel-iran-april-2024-news'" in dry.stderr
    assert "this build is of 'other-news'" in dry.stderr
    same = run_cli("publish", "-b", str(releases.v110), "--git", str(repo), "--dry-run")
    assert same.code == 0 and "this build is of" not in same.stderr
