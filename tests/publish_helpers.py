"""Seed variants and builds for the publishing tests (register with ``pytest_plugins``).

``v1.0.0`` is the embedded seeds as they are. ``v1.1.0`` adds one article with
its source record and changes the headline of another article's source
record: one record added, one changed, no field changed, so MINOR.

PYTEST_DONT_REWRITE: test modules import helpers from here before pytest registers it as a plugin.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

NEW_ID = "005_0a1b2c3d4e5f6071"
CHANGED_ID = "002_a8446556a3208bd8"
NEW_TEXT = """Oil prices edge higher as markets weigh Middle East risk

Oil prices rose on Monday as traders weighed the risk of a wider conflict in the Middle East
after Iran's weekend attack on Israel, while analysts said supplies had not yet been disrupted.

Brent crude futures gained in early trading before giving back part of the rise. "The market is
pricing a risk premium, not a loss of barrels," one analyst said.
"""


def copy_seeds(dest: Path) -> Path:
    shutil.copytree(SEEDS, dest, ignore=shutil.ignore_patterns("tools", "__pycache__"))
    return dest


def set_config(seeds: Path, **values: object) -> None:
    """Set top-level scalar keys of dataset.yaml (e.g. version) in place, keeping the rest."""
    path = seeds / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text, n = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
        assert n == 1, f"no top-level {key}: in {path}"
    path.write_text(text, encoding="utf-8")


def set_shard_size(seeds: Path, shard_max_bytes: int) -> None:
    path = seeds / "dataset.yaml"
    text, n = re.subn(
        r"(?m)^(\s+shard_max_bytes:).*$",
        rf"\g<1> {shard_max_bytes}",
        path.read_text(encoding="utf-8"),
    )
    assert n == 1
    path.write_text(text, encoding="utf-8")


def change_seeds(seeds: Path, version: str = "1.1.0") -> None:
    """Add an article + source record and change another record's headline."""
    (seeds / "articles" / f"{NEW_ID}.txt").write_text(NEW_TEXT, encoding="utf-8")
    lines = (seeds / "sources.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    template = next(r for r in records if r["article_id"] == CHANGED_ID)
    for record in records:
        if record["article_id"] == CHANGED_ID:
            record["headline"] = record["headline"] + " (updated)"
    new = json.loads(json.dumps(template))
    new.update(
        article_id=NEW_ID,
        publisher="Example Wire",
        headline="Oil prices edge higher as markets weigh Middle East risk",
        url=None,
    )
    records.append(new)
    (seeds / "sources.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    set_config(seeds, version=version)


def build(seeds: Path, out: Path) -> Path:
    from builder.pipeline import build as run_build

    run_build(seeds, out)
    return out


def ids_in(folder: Path) -> dict[str, set[str]]:
    """split -> ids, read from the Parquet files of a folder."""
    out: dict[str, set[str]] = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        split = path.name.split("-")[0]
        out.setdefault(split, set()).update(pq.read_table(path, columns=["id"])["id"].to_pylist())
    return out


@dataclass(frozen=True)
class Releases:
    """Two builds of the seeds: v1.0.0 as embedded, v1.1.0 changed (MINOR)."""

    v100: Path
    v110: Path
    seeds_v110: Path


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory, seed_build: Path) -> Releases:
    """Built once per session; treat the folders as read-only.

    v1.0.0 is a copy of the session's seed build (conftest's ``seed_build``): a build of
    the embedded seeds, and builds are byte-identical wherever they are written
    (tests/test_build_seeds.py), so a second build of the same input would only cost time.
    """
    root = tmp_path_factory.mktemp("releases")
    seeds = copy_seeds(root / "seeds-v110")
    change_seeds(seeds)
    v100 = root / "v1.0.0" / "dataset"
    shutil.copytree(seed_build, v100)
    return Releases(
        v100=v100,
        v110=build(seeds, root / "v1.1.0" / "dataset"),
        seeds_v110=seeds,
    )


@pytest.fixture
def git_lfs() -> None:
    """git and git-lfs are required: fail loudly (never skip) when they are missing."""
    for tool in ("git", "git-lfs"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is not installed: the git publish target needs it "
                "(apt-get install -y git-lfs); these tests cannot run without it"
            )


def git(*args: str, cwd: Path | None = None) -> str:
    """Run the real git CLI and return its stdout (raises on failure)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def clone_at(url: Path | str, tag: str, dest: Path) -> Path:
    """A clone at ``tag`` with LFS content checked out (real Parquet, not pointers)."""
    git(
        "-c",
        "filter.lfs.smudge=git-lfs smudge -- %f",
        "-c",
        "filter.lfs.process=git-lfs filter-process",
        "-c",
        "filter.lfs.required=true",
        "-c",
        "advice.detachedHead=false",
        "clone",
        "-q",
        "--branch",
        tag,
        str(url),
        str(dest),
    )
    return dest


Runner = Callable[..., object]
