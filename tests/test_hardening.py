"""Hostile configuration, output folders, templates and inputs (issue 12).

Every case runs the real command line as a subprocess and checks what a user
sees: the exit code, a message naming the file or setting, no traceback, and
nothing outside ``--out`` written or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml
from corpus_helpers import article_id, make_corpus, source_record, write_jsonl

from builder.names import shard_split, split_name_problem


def snapshot(root: Path) -> dict[str, str]:
    """Every file (and link) under ``root`` with its content's digest."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[rel] = "dir"
    return found


def assert_clean_failure(result, code: int, *needles: str) -> None:
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    text = " ".join(result.stderr.split())
    for needle in needles:
        assert needle in text, (needle, result.stderr)


# -- output folders -----------------------------------------------------------------


def test_out_that_is_another_apps_folder_with_a_manifest_is_refused(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "manifest.json").write_text('{"name": "my pwa"}')
    (app / "index.html").write_text("hi")
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(app))
    assert_clean_failure(result, 2, str(app), "not a dataset built by this tool")
    assert snapshot(tmp_path) == before


def test_a_previous_build_with_a_file_of_the_users_is_refused_naming_it(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    (out / "NOTES.md").write_text("mine")
    (out / "data" / "extra").mkdir()
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert_clean_failure(result, 2, "NOTES.md", "data/extra/", "does not list")
    assert snapshot(tmp_path) == before


def test_a_previous_build_is_replaced_and_an_old_style_one_too(tmp_path, run_cli):
    """A build by an older version has the same signed manifest (no other marker): replaced."""
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["toolkit"]["version"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert result.code == 0, result.stderr
    assert json.loads((out / "manifest.json").read_text())["toolkit"]["version"] != "0.0.1"


def test_a_forged_listing_does_not_cover_a_symlink(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("build", "-i", str(corpus.root), "-o", str(out)).code == 0
    (tmp_path / "elsewhere").mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["outputs"].append({"path": "link"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert_clean_failure(result, 2, "link/")


def test_out_inside_the_input_folder_is_refused(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "in")
    before = snapshot(tmp_path)
    result = run_cli("build", "-i", str(corpus.root), "-o", str(corpus.root / "out"))
    assert_clean_failure(result, 2, "inside the input folder")
    assert snapshot(tmp_path) == before


# -- split names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["./../../../../PWNED", "test-hard", "a/b", "..", "a..b", ".x", "x.", "a b", "", "x\n", "all"],
)
def test_bad_split_names_are_refused_by_the_rule(name):
    assert split_name_problem(name)


@pytest.mark.parametrize("name", ["train", "test_hard", "validation.hard", "Ünïcode_2"])
def test_good_split_names_pass(name):
    assert split_name_problem(name) is None
    assert shard_split(f"{name}-00000-of-00002.parquet") == name


@pytest.mark.parametrize("bad", ["./../../../../PWNED", "test-hard", "a b"])
@pytest.mark.parametrize("where", ["ratios", "assignment"])
def test_split_names_that_are_paths_or_hyphenated_fail_validate_and_build(
    tmp_path, run_cli, bad, where
):
    splits: dict = {"ratios": {"train": 0.5, bad: 0.5}}
    if where == "assignment":
        splits = {"ratios": {"train": 1.0}, "assignment": {article_id(0): bad}}
    corpus = make_corpus(tmp_path / "w" / "in", config={"splits": splits})
    before = snapshot(tmp_path)
    for command in (["validate"], ["build", "-o", str(tmp_path / "w" / "out")]):
        result = run_cli(*command, "-i", str(corpus.root), "--json")
        assert_clean_failure(result, 1, "dataset.yaml")
        report = json.loads(result.stdout)["report"]
        assert any(
            i["file"] == "dataset.yaml" and i["pointer"].startswith(f"/splits/{where}")
            for i in report["issues"]
        ), report
    assert snapshot(tmp_path) == before


def test_a_dotted_split_is_written_listed_and_loaded_back(tmp_path, run_cli):
    import datasets

    corpus = make_corpus(
        tmp_path / "in",
        n=6,
        config={
            "splits": {
                "ratios": {"train": 0.5, "test.hard": 0.5},
                "assignment": {article_id(0): "test.hard", article_id(1): "train"},
            }
        },
    )
    out = tmp_path / "out"
    result = run_cli("build", "-i", str(corpus.root), "-o", str(out))
    assert result.code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["splits"]) == {"train", "test.hard"}
    assert sum(s["num_examples"] for s in manifest["splits"].values()) == 6
    front = yaml.safe_load((out / "README.md").read_text().split("---\n")[1])
    assert {s["name"] for s in front["dataset_info"]["splits"]} == {"train", "test.hard"}
    loaded = datasets.load_dataset(str(out))
    assert sum(len(loaded[s]) for s in loaded) == 6
    assert set(loaded) == {"train", "test.hard"}
    assert run_cli("verify", str(out)).code == 0


@pytest.mark.parametrize("ratio", [".nan", ".inf", "-.inf"])
def test_ratios_that_are_not_numbers_are_refused(tmp_path, run_cli, ratio):
    corpus = make_corpus(tmp_path / "in")
    cfg = corpus.root / "dataset.yaml"
    text = yaml.safe_dump(corpus.config).replace("test: 0.2", f"test: {ratio}")
    assert ratio in text
    cfg.write_text(text)
    result = run_cli("validate", "-i", str(corpus.root))
    assert_clean_failure(result, 1, "dataset.yaml")
    assert "/splits/ratios" in result.stderr
