"""Reports and exports are written whole or not at all, readable like any file the user writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from builder.atomic_files import UMASK, atomic_file
from builder.validate.report import Issue, ValidationReport


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path: Path) -> None:
    # mkstemp's 0600 kept a report from teammates and CI artefact uploads
    report = ValidationReport()
    report.add(Issue(file="a.txt", rule="r", message="m"))
    report.write_json(tmp_path / "deeper" / "report.json")
    with open(tmp_path / "plain", "w"):
        pass
    assert _mode(tmp_path / "deeper" / "report.json") == _mode(tmp_path / "plain")
    assert _mode(tmp_path / "plain") == 0o666 & ~UMASK


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    with atomic_file(path) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new" and _mode(path) == 0o640


def test_an_error_leaves_the_file_as_it_was_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
