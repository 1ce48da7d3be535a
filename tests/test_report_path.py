"""``--report FILE`` named carelessly, refused before any work (exit 2).

An input named as the report was overwritten by it (its records lost); a report
inside the build folder made the build fail verify (a file its manifest does not
list); a folder, or a path under a file, failed only once the build had replaced
its output (exit 1, the output new). A report is also written whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliResult

from builder.validate.report import Issue, ValidationReport


def _refused(result: CliResult, *words: str) -> None:
    output = result.stdout + result.stderr
    assert result.code == 2, output
    assert "Traceback" not in output and "internal error" not in output
    for word in words:
        assert word in output, output


def test_an_input_named_as_the_report_is_not_overwritten(
    seeds_copy: Path, run_cli: Callable[..., CliResult]
) -> None:
    sources = seeds_copy / "sources.jsonl"
    before = sources.read_bytes()
    result = run_cli("validate", "--input", str(seeds_copy), "--report", str(sources))
    _refused(result, "sources.jsonl exists and is not a validation report")
    assert sources.read_bytes() == before


@pytest.mark.parametrize("where", ["inside-out", "folder", "under-a-file"])
def test_a_report_path_that_cannot_be_used_fails_before_the_build(
    where: str, seeds_copy: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "out"
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    report = {
        "inside-out": out / "report.json",
        "folder": tmp_path / "folder",
        "under-a-file": tmp_path / "file" / "report.json",
    }[where]
    result = run_cli(
        "build", "--input", str(seeds_copy), "--out", str(out), "--report", str(report)
    )
    _refused(result, f"--report {report}")
    assert not out.exists()


def test_a_report_is_replaced_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    first = ValidationReport()
    first.add(Issue(file="a.jsonl", line=1, rule="x", message="m"))
    first.write_json(path)
    ValidationReport().write_json(path)
    assert json.loads(path.read_text())["error_count"] == 0
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_report_over_an_earlier_report_is_written(
    seeds_copy: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    report = tmp_path / "r.json"
    for _ in range(2):
        result = run_cli("validate", "--input", str(seeds_copy), "--report", str(report))
        assert result.code == 0, result.stderr
    assert json.loads(report.read_text())["valid"] is True
