"""Pre-flight: a publish is refused, before the target is touched, when the build is not fit."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.errors import BuildError
from builder.manifest import sha256_file
from builder.publish.gitrepo import GitTarget
from builder.publish.preflight import check_build, check_privacy
from builder.publish.release import publish
from builder.publish.target import PublishError

pytestmark = pytest.mark.usefixtures("_git_lfs_present")


@pytest.fixture
def _git_lfs_present() -> None:
    if shutil.which("git-lfs") is None:
        pytest.fail("git-lfs is not installed (apt-get install -y git-lfs)")


@pytest.fixture
def build_copy(seed_build: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "dataset"
    shutil.copytree(seed_build, dest)
    return dest


def _edit_manifest(folder: Path, **changes: object) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _refused(build: Path, tmp_path: Path, version: str | None = None) -> str:
    """Publish to a git target that does not exist; assert refusal and that nothing was created."""
    target = tmp_path / "target.git"
    with pytest.raises(BuildError) as info:
        publish(build, GitTarget(target, load_name="org/name"), version=version)
    assert not target.exists()
    return str(info.value)


def test_a_clean_build_passes(build_copy: Path) -> None:
    info = check_build(build_copy)
    assert (
        str(info.version)
        == json.loads((build_copy / "manifest.json").read_text())["dataset"]["version"]
    )
    assert info.configs == ["default"]


def test_a_build_that_does_not_match_its_manifest_is_refused(
    build_copy: Path, tmp_path: Path, run_cli: Callable
) -> None:
    shard = next((build_copy / "data").glob("*.parquet"))
    shard.write_bytes(shard.read_bytes()[:-10])
    message = _refused(build_copy, tmp_path)
    assert "does not match its manifest" in message and shard.name in message
    result = run_cli("publish", "-b", str(build_copy), "--git", str(tmp_path / "t.git"))
    assert result.code == 1 and shard.name in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "t.git").exists()


@pytest.mark.parametrize(
    "privacy",
    [
        {"findings": 2, "block_publish": True},
        {
            "findings": {"email": 1, "phone": 0},
            "total_findings": 1,
            "block_publish_on_findings": True,
            "publish_blocked": True,
        },
    ],
)
def test_a_privacy_block_is_honoured(build_copy: Path, tmp_path: Path, privacy: dict) -> None:
    _edit_manifest(build_copy, privacy=privacy)
    message = _refused(build_copy, tmp_path)
    assert "privacy" in message and "blocks publishing" in message


def test_privacy_findings_without_a_block_do_not_refuse() -> None:
    check_privacy({"privacy": {"findings": 3, "block_publish": False}})
    check_privacy(
        {"privacy": {"findings": {"email": 0}, "total_findings": 0, "publish_blocked": False}}
    )
    with pytest.raises(PublishError, match="email: 2"):
        check_privacy({"privacy": {"findings": {"email": 2}, "block_publish_on_findings": True}})


def test_invalid_card_yaml_is_refused(build_copy: Path, tmp_path: Path) -> None:
    card = build_copy / "README.md"
    text = card.read_text()
    card.write_text(text.replace("license: ", "license: [unclosed\nlicense_x: ", 1))
    manifest = json.loads((build_copy / "manifest.json").read_text())
    for entry in manifest["outputs"]:
        if entry["path"] == "README.md":
            entry.update(sha256=sha256_file(card), bytes=card.stat().st_size)
    (build_copy / "manifest.json").write_text(json.dumps(manifest, indent=2))
    message = _refused(build_copy, tmp_path)
    assert "README.md: card: invalid card metadata" in message


def test_a_version_other_than_the_builds_is_refused(build_copy: Path, tmp_path: Path) -> None:
    message = _refused(build_copy, tmp_path, "9.0.0")
    assert "set `version: 9.0.0` in dataset.yaml and rebuild" in message
    assert "not a semantic version" in _refused(build_copy, tmp_path, "9.0")


def test_a_version_edited_into_the_manifest_alone_is_refused(
    build_copy: Path, tmp_path: Path, run_cli: Callable
) -> None:
    """Editing manifest.json's version by hand (to re-version without a rebuild) would
    publish v1.0.1 whose croissant.json and card still say 1.0.0."""
    manifest = json.loads((build_copy / "manifest.json").read_text())
    built = manifest["dataset"]["version"]
    manifest["dataset"]["version"] = "1.0.1"
    (build_copy / "manifest.json").write_text(json.dumps(manifest, indent=2))
    message = _refused(build_copy, tmp_path)
    assert "croissant.json" in message and built in message and "1.0.1" in message
    assert "rebuild" in message
    result = run_cli("publish", "-b", str(build_copy), "--git", str(tmp_path / "t.git"))
    assert result.code == 1 and "croissant.json" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "t.git").exists()


def test_a_folder_without_manifest_is_a_usage_error(tmp_path: Path, run_cli: Callable) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("publish", "-b", str(tmp_path / "empty"), "--git", str(tmp_path / "t.git"))
    assert result.code == 2 and "not a build folder" in result.stderr
