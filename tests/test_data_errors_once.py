"""A data error is printed once. ``builder diff`` printed a one-issue error twice (the
report's line, then the same text again as the closing ``error:`` line), ``verify``
reported a changed file's size and then its digest, and a malformed ``manifest.json``
made ``diff`` and ``verify`` fail with an internal error (exit 3, ``AttributeError``)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


def _copy(seed_build: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "broken"
    shutil.copytree(seed_build, dest)
    return dest


def _shard(folder: Path) -> Path:
    return next((folder / "data").glob("train-*.parquet"))


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _assert_clean_failure(result: CliResult) -> str:
    output = result.stdout + result.stderr
    assert result.code == 1, output
    assert "Traceback" not in output and "internal error" not in output, output
    return output


def test_diff_prints_an_unreadable_shard_once(
    seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    broken = _copy(seed_build, tmp_path)
    shard = _shard(broken)
    _cut(shard)
    output = _assert_clean_failure(run_cli("diff", str(seed_build), str(broken)))
    assert output.count("cannot read the Parquet file") == 1, output
    assert output.count(str(shard)) == 1, output
    # diff has no --report option: it is not offered
    assert "--report" not in output


def test_a_summary_still_closes_a_report_of_several_issues(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """Only a closing line that repeats an issue is left out: build's summary stays."""
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    inputs = tmp_path / "in"
    shutil.copytree(seeds, inputs)
    config = inputs / "dataset.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\n: [\n", encoding="utf-8")
    result = run_cli("validate", "--input", str(inputs))
    output = result.stdout + result.stderr
    assert result.code == 1 and "Traceback" not in output
    assert output.count("yaml-syntax") == 1, output
    assert "dataset.yaml" in output
    assert "(--report FILE writes this report as JSON)" in output  # validate has --report


def test_verify_reports_a_cut_shard_by_size_and_footer_not_also_by_digest(
    seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    broken = _copy(seed_build, tmp_path)
    shard = _shard(broken)
    _cut(shard)
    rel = shard.relative_to(broken).as_posix()
    result = run_cli("verify", str(broken), "--json")
    _assert_clean_failure(result)
    checks = [m["check"] for m in json.loads(result.stdout)["mismatches"] if m["path"] == rel]
    assert checks == ["bytes", "parquet"]
    lines = [line for line in result.stderr.splitlines() if line.startswith("mismatch:")]
    assert len(lines) == len(set(lines)) == 2, result.stderr


def test_verify_still_reports_a_digest_when_the_size_is_the_same(
    seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    broken = _copy(seed_build, tmp_path)
    shard = _shard(broken)
    data = bytearray(shard.read_bytes())
    data[100] ^= 0xFF
    shard.write_bytes(bytes(data))
    result = run_cli("verify", str(broken), "--json")
    _assert_clean_failure(result)
    rel = shard.relative_to(broken).as_posix()
    found = [m["check"] for m in json.loads(result.stdout)["mismatches"] if m["path"] == rel]
    assert found == ["sha256"]


MANIFESTS: dict[str, tuple[str, str]] = {
    # name: (manifest.json text, what the message says)
    "not JSON": ("{", "Expecting property name"),
    "a list": ("[]", "must be a JSON object, not list"),
    "output not an object": ('{"outputs": [3]}', "/outputs/0"),
    "splits a string": ('{"outputs": [], "splits": "train"}', "/splits"),
    "features a number": ('{"outputs": [], "features": 3}', "/features"),
    "class label without names": (
        '{"outputs": [], "features": {"x": {"_type": "ClassLabel"}}}',
        "no 'names'",
    ),
    "version a number": ('{"outputs": [], "dataset": {"version": 1}}', "/dataset"),
}


@pytest.mark.parametrize("case", sorted(MANIFESTS))
@pytest.mark.parametrize("command", ["diff", "verify"])
def test_a_malformed_manifest_is_named_once_exit_1(
    case: str, command: str, seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    broken = _copy(seed_build, tmp_path)
    text, says = MANIFESTS[case]
    (broken / "manifest.json").write_text(text, encoding="utf-8")
    args = [str(seed_build), str(broken)] if command == "diff" else [str(broken)]
    output = _assert_clean_failure(run_cli(command, *args))
    assert "manifest.json" in output
    assert output.count(says) == 1, output


def test_a_closing_message_is_left_out_only_for_its_own_issue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Left out by identity, not by text: an error whose message reads like an issue of
    the report (here one of another folder's dataset.yaml) is still printed."""
    import typer

    from builder.cli_common import fail
    from builder.errors import DataError
    from builder.validate.report import Issue, ValidationReport

    issue = Issue(file="dataset.yaml", rule="type", message="the configuration must be a mapping")
    report = ValidationReport()
    report.add(issue)
    for error, closing in ((DataError.single(issue), 0), (DataError(str(issue), report), 1)):
        with pytest.raises(typer.Exit):
            fail(error, as_json=False, report_path=None)
        printed = capsys.readouterr().err
        assert printed.count(str(issue)) == closing, printed
        assert printed.count("the configuration must be a mapping") == 1 + closing, printed
