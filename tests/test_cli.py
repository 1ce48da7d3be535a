"""The CLI as a user meets it: help with examples, documented exit codes, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("command", ["build", "validate", "clean"])
def test_help_shows_examples(command: str, run_cli) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "Examples" in result.stdout
    assert f"builder {command}" in result.stdout


def test_top_level_help_documents_exit_codes(run_cli) -> None:
    result = run_cli("--help")
    assert result.code == 0
    assert "Exit codes: 0 ok, 1 invalid data, 2 usage error" in " ".join(result.stdout.split())


def test_usage_errors_exit_2(run_cli, tmp_path: Path) -> None:
    assert run_cli("build", "--no-such-option").code == 2
    missing = run_cli("validate", "--input", str(tmp_path / "nowhere"))
    assert missing.code == 2
    assert "no dataset configuration" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_clean_reads_stdin_and_prints_the_edit_log(run_cli) -> None:
    page = "Home > World > Middle East\nThe article body.\nAdvertisement\nMore body text here.\n"
    text = run_cli("clean", stdin=page)
    assert text.code == 0, text.stderr
    assert text.stdout == "The article body.\nMore body text here.\n"
    log = run_cli("clean", "--edits", stdin=page)
    assert "boilerplate.breadcrumb" in log.stdout
    assert "boilerplate.advertisement" in log.stdout


def test_clean_trace_names_the_rule_of_every_edit_before_merging(run_cli) -> None:
    import json

    # Two widgets on adjacent lines: the edit log merges them into one edit.
    page = "The article body.\nMore body text here.\nShare.\nExit mobile version\n"
    merged = [
        json.loads(line) for line in run_cli("clean", "--edits", stdin=page).stdout.splitlines()
    ]
    assert len(merged) == 1 and "+" in merged[0]["reason"]
    trace = [
        json.loads(line) for line in run_cli("clean", "--trace", stdin=page).stdout.splitlines()
    ]
    assert all("+" not in t["reason"] for t in trace)
    by_text = {t["original"].strip(): t for t in trace if t["original"].strip()}
    assert {"Share.", "Exit mobile version"} <= set(by_text)
    for text, t in by_text.items():
        assert page[t["raw_start"] : t["raw_end"]].strip() == text  # raw offsets
    # every rule of the merged edit is one of the traced edits
    assert set(merged[0]["reason"].split("+")) <= {t["reason"] for t in trace}


def test_commands_run_outside_the_project_say_which_folder_to_name(run_cli, tmp_path: Path) -> None:
    # The default input is ./seeds: run in another folder, the message says it is missing
    # and how to name the dataset's folder, not only that a file is absent.
    build = run_cli("build", cwd=tmp_path)
    assert build.code == 2, build.stderr
    assert (
        "no dataset configuration at seeds (seeds does not exist; name the dataset's folder with -i DIR)"
        in build.stderr
    )
    publish = run_cli("publish", cwd=tmp_path)
    assert publish.code == 2, publish.stderr
    assert "there is none at seeds/dataset.yaml: name its folder with -i DIR" in publish.stderr
    (tmp_path / "notes.txt").write_text("mine\n")
    as_build = run_cli("publish", "-b", "notes.txt", "--git", "repo", cwd=tmp_path)
    assert as_build.code == 2, as_build.stderr
    assert "notes.txt is a file, not a build folder" in as_build.stderr
    assert "Traceback" not in build.stderr + publish.stderr + as_build.stderr
