"""`builder verify` on a local build folder: every byte, row count and feature is checked."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from builder.manifest import sha256_file
from builder.publish.verify import verify_folder


@pytest.fixture
def build_copy(seed_build: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "dataset"
    shutil.copytree(seed_build, dest)
    return dest


def _shard(folder: Path, split: str = "train") -> Path:
    return next((folder / "data").glob(f"{split}-*.parquet"))


def _rewrite_manifest_entry(folder: Path, path: Path, **keep: object) -> None:
    """Make the manifest agree with a file's new bytes (sha256, size), except ``keep``."""
    manifest = json.loads((folder / "manifest.json").read_text())
    rel = path.relative_to(folder).as_posix()
    for entry in manifest["outputs"]:
        if entry["path"] == rel:
            entry.update(sha256=sha256_file(path), bytes=path.stat().st_size, **keep)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_a_fresh_build_verifies(build_copy: Path, run_cli: Callable) -> None:
    assert verify_folder(build_copy) == []
    result = run_cli("verify", str(build_copy))
    assert result.code == 0, result.stderr
    assert "verified" in result.stderr


def test_one_changed_byte_is_a_sha256_mismatch(build_copy: Path, run_cli: Callable) -> None:
    shard = _shard(build_copy)
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    result = run_cli("verify", str(build_copy), "--json")
    assert result.code == 1
    report = json.loads(result.stdout)
    assert not report["ok"]
    assert {(m["path"], m["check"]) for m in report["mismatches"]} == {
        (shard.relative_to(build_copy).as_posix(), "sha256")
    }
    assert "sha256" in result.stderr and shard.name in result.stderr


def test_missing_and_extra_files_are_listed(build_copy: Path) -> None:
    (build_copy / "schema" / "row.schema.json").unlink()
    (build_copy / "data" / "stray.txt").write_text("left over")
    found = {(m.path, m.check) for m in verify_folder(build_copy)}
    assert found == {("schema/row.schema.json", "missing"), ("data/stray.txt", "extra")}


def test_row_counts_come_from_the_parquet_footers(build_copy: Path) -> None:
    shard = _shard(build_copy)
    table = pq.read_table(shard)
    pq.write_table(table.slice(0, table.num_rows - 1), shard)
    manifest = json.loads((build_copy / "manifest.json").read_text())
    listed_rows = next(o["rows"] for o in manifest["outputs"] if o["path"].endswith(shard.name))
    _rewrite_manifest_entry(build_copy, shard)  # checksums agree, the row count does not
    checks = {m.check: m for m in verify_folder(build_copy)}
    assert "sha256" not in checks
    assert f"expected {listed_rows} rows, found {listed_rows - 1}" in checks["rows"].message
    assert "splits" in checks  # the manifest's and the card's split sizes no longer hold


def test_card_features_must_match_the_files(build_copy: Path) -> None:
    card = build_copy / "README.md"
    text = card.read_text()
    assert "  - name: text_sha256\n    dtype: string\n" in text
    card.write_text(
        text.replace(
            "  - name: text_sha256\n    dtype: string\n",
            "  - name: text_sha256\n    dtype: int64\n",
        )
    )
    _rewrite_manifest_entry(build_copy, card)
    mismatches = verify_folder(build_copy)
    assert [(m.path, m.check) for m in mismatches] == [("README.md", "features")]


def test_a_file_that_is_not_parquet_is_reported_not_raised(build_copy: Path) -> None:
    shard = _shard(build_copy)
    shard.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n")
    checks = {m.check for m in verify_folder(build_copy) if m.path.endswith(shard.name)}
    # another size is another digest: reported once, by its size, and the footer
    assert checks == {"bytes", "parquet"}


def test_verify_needs_a_build_folder(tmp_path: Path, run_cli: Callable) -> None:
    result = run_cli("verify", str(tmp_path))
    assert result.code == 2
    assert "manifest.json" in result.stderr
    assert "Traceback" not in result.stderr
