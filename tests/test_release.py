"""The README's main job: build, publish to the embedded git target, load the tag back."""

from __future__ import annotations

import json
from pathlib import Path


def test_release_publishes_to_the_default_git_target_and_loads_it_back(
    run_cli, seeds_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "dataset"
    first = run_cli("release", "--input", str(seeds_copy), "--out", str(out), "--json")
    assert first.code == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["publish"]["status"] == "published"
    assert summary["publish"]["tag"] == "v1.0.0"
    loaded = summary["loaded"]
    assert sum(s["rows"] for s in loaded["splits"].values()) == 5
    assert sum(s["entities"] for s in loaded["splits"].values()) > 500
    assert loaded["features"]["entities"] == "List(struct)"
    # dataset.yaml's publish.git_target is relative to the configuration file.
    assert (seeds_copy.parent / "out" / "release-repo").is_dir()

    again = run_cli("release", "--input", str(seeds_copy), "--out", str(out), "--json")
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["publish"]["status"] == "already-published"
