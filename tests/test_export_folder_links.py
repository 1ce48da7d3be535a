"""Annotation export folders (a brat collection, a Label Studio target storage) are read
only inside the input folder, as the articles are: a symbolic link in them that leads
out (a file, a sub-folder) is not read and is an ``outside-input`` error naming it; a
link that leads nowhere is named too; a linked sub-folder inside is not entered (a link
may loop back), with a warning. Nothing that lies outside reaches the output.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from brat_helpers import seeds_to_brat
from test_hardening import assert_clean_failure
from tool_exports import label_studio_json, published_rows, use_annotations

from builder.annotations import read_annotations


def _storage(seeds: Path, folder: Path) -> None:
    """Each annotation as Label Studio's default target storage writes it."""
    folder.mkdir()
    for task in label_studio_json(seeds):
        nested = {k: v for k, v in task.items() if k not in ("annotations", "predictions")}
        for a in task["annotations"]:
            record = {**a, "task": nested, "project": 3}
            (folder / str(a["id"])).write_text(json.dumps(record), encoding="utf-8")


def _export(seeds: Path, fmt: str) -> tuple[Path, list[Path]]:
    """The seeds' annotations as an export folder of ``fmt``; its annotation files."""
    if fmt == "brat":
        seeds_to_brat(seeds, seeds / "export")
        use_annotations(seeds, {"path": "export", "format": "brat"})
        return seeds / "export", sorted((seeds / "export").glob("*.ann"))
    _storage(seeds, seeds / "export")
    use_annotations(seeds, {"path": "export", "format": "label-studio"})
    return seeds / "export", sorted((seeds / "export").iterdir())


def _moved_out(file: Path, outside: Path) -> Path:
    """``file`` moved to ``outside`` and linked back: the link leads out of the input."""
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / file.name
    shutil.move(file, target)
    file.symlink_to(target)
    return target


def _issues(folder: Path, fmt: str, root: Path) -> list[tuple[str, str, str]]:
    results = list(read_annotations(folder, fmt, root=root))
    return sorted((i.file, i.rule, i.severity) for _, _, found in results for i in found)


def _records(folder: Path, fmt: str, root: Path) -> dict[str, dict[str, Any]]:
    return {
        r["article_id"]: r for _, r, _ in read_annotations(folder, fmt, root=root) if r is not None
    }


@pytest.mark.parametrize("fmt", ["brat", "label-studio"])
def test_a_linked_file_leading_out_is_named_and_not_read(
    seeds_copy: Path, tmp_path: Path, fmt: str
) -> None:
    folder, files = _export(seeds_copy, fmt)
    every = _records(folder, fmt, seeds_copy)
    _moved_out(files[0], tmp_path / "elsewhere")
    assert _issues(folder, fmt, seeds_copy) == [
        (f"export/{files[0].name}", "outside-input", "error")
    ]
    kept = _records(folder, fmt, seeds_copy)
    assert len(kept) == len(every) - 1
    # The library call without a root: the folder itself is the boundary.
    alone = list(read_annotations(folder, fmt))
    assert [i.rule for _, _, found in alone for i in found] == ["outside-input"]
    assert sum(r is not None for _, r, _ in alone) == len(every) - 1


@pytest.mark.parametrize("fmt", ["brat", "label-studio"])
def test_linked_sub_folders_and_dangling_links_are_named(
    seeds_copy: Path, tmp_path: Path, fmt: str
) -> None:
    folder, files = _export(seeds_copy, fmt)
    every = _records(folder, fmt, seeds_copy)
    (tmp_path / "elsewhere" / "sub").mkdir(parents=True)
    shutil.move(files[0], tmp_path / "elsewhere" / "sub" / files[0].name)
    (folder / "more").symlink_to(tmp_path / "elsewhere" / "sub")  # leads out
    (folder / "again").symlink_to(folder)  # leads back in: would loop
    (folder / "gone.ann").symlink_to(folder / "no-such-file")
    assert _issues(folder, fmt, seeds_copy) == [
        ("export/again", "linked-folder", "warning"),
        ("export/gone.ann", "unreadable", "error"),
        ("export/more", "outside-input", "error"),
    ]
    assert len(_records(folder, fmt, seeds_copy)) == len(every) - 1


@pytest.mark.parametrize("fmt", ["brat", "label-studio"])
def test_the_build_fails_on_it_and_quarantine_publishes_nothing_from_outside(
    seeds_copy: Path, tmp_path: Path, run_cli: Any, fmt: str
) -> None:
    _, files = _export(seeds_copy, fmt)
    outside = _moved_out(files[0], tmp_path / "elsewhere")
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(tmp_path / "out"))
    assert_clean_failure(result, 1, f"export/{files[0].name}", "outside-input")
    assert not (tmp_path / "out").exists()
    assert_clean_failure(run_cli("validate", "-i", str(seeds_copy)), 1, "outside-input")

    quarantined = run_cli(
        "build", "-i", str(seeds_copy), "-o", str(tmp_path / "q"), "--quarantine", "--json"
    )
    assert quarantined.code == 0, quarantined.stderr
    rows = published_rows(tmp_path / "q")
    read_elsewhere = _records(outside.parent, fmt, outside.parent)
    (article_id,) = read_elsewhere
    assert rows[article_id]["entities"] == []  # its only annotation lay outside: not read
    # The manifest lists what was read: the link's target is not among it, by path or by
    # bytes. (Compared field by field: a Label Studio file is named by a number, which a
    # substring test finds inside some checksum.)
    manifest = json.loads((tmp_path / "q" / "manifest.json").read_text())
    read_paths = {Path(entry["path"]) for entry in manifest["inputs"]}
    assert Path("export") / files[0].name not in read_paths
    assert outside.name not in {p.name for p in read_paths}
    outside_sha256 = hashlib.sha256(outside.read_bytes()).hexdigest()
    assert outside_sha256 not in {entry["sha256"] for entry in manifest["inputs"]}
