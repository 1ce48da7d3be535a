"""Found by bench/fuzz's new cases: storage folders with hostile entries, and publish /
verify options with careless values.

* A named pipe in a Label Studio target storage or a brat collection was skipped
  without a word (exit 0, that annotation's spans gone); it is an error naming it.
* A storage file of arrays nested 100,000 deep was an internal error (RecursionError).
* ``publish --version ''`` published the build's version; ``--endpoint ftp://x`` was
  retried five times (some 30 s) before failing; ``verify FOLDER --revision v1``
  ignored the revision and said "verified".
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from brat_helpers import seeds_to_brat
from conftest import CliResult
from tool_exports import label_studio_json

from builder.annotations import read_annotations


def _storage(seeds: Path, folder: Path) -> Path:
    import json

    folder.mkdir()
    for task in label_studio_json(seeds):
        nested = {k: v for k, v in task.items() if k not in ("annotations", "predictions")}
        for a in task["annotations"]:
            record = {**a, "task": nested}
            (folder / str(a["id"])).write_text(json.dumps(record), encoding="utf-8")
    return folder


def _errors(path: Path, fmt: str) -> list[tuple[str, str, str]]:
    return [
        (i.file, i.rule, i.message)
        for _, _, issues in read_annotations(path, fmt)
        for i in issues
        if i.severity == "error"
    ]


@pytest.mark.parametrize("fmt", ["label-studio", "brat"])
def test_a_named_pipe_in_an_export_folder_is_an_error_not_a_hang(
    fmt: str, seeds_dir: Path, tmp_path: Path
) -> None:
    if fmt == "brat":
        folder = tmp_path / "brat"
        seeds_to_brat(seeds_dir, folder)
        name = next(folder.glob("*.ann")).name
    else:
        folder = _storage(seeds_dir, tmp_path / "storage")
        name = "101"
    (folder / name).unlink()
    os.mkfifo(folder / name)
    errors = _errors(folder, fmt)
    assert (f"{folder.name}/{name}", "not-a-file") in {e[:2] for e in errors}, errors


def test_a_storage_file_nested_too_deep_is_named(seeds_dir: Path, tmp_path: Path) -> None:
    folder = _storage(seeds_dir, tmp_path / "storage")
    (folder / "101").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    errors = _errors(folder, "label-studio")
    assert [e[:2] for e in errors] == [("storage/101", "label-studio")], errors
    assert "nested too deeply" in errors[0][2]


def _clean_refusal(result: CliResult, code: int, *words: str) -> None:
    output = result.stdout + result.stderr
    assert result.code == code, output
    assert "Traceback" not in output and "internal error" not in output
    for word in words:
        assert word in output, output


def test_publish_refuses_an_empty_version_and_writes_no_target(
    seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    target = tmp_path / "target.git"
    result = run_cli("publish", "--build", str(seed_build), "--git", str(target), "--version", "")
    _clean_refusal(result, 2, "--version ''")
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["build", "--engine", "BAD"], ["--engine 'BAD' is not an engine", "local, ray"]),
        (["validate", "--engine", "spark"], ["--engine 'spark' is not an engine"]),
        (["publish", "--version", "1.2"], ["--version '1.2' is not a semantic version"]),
    ],
    ids=["build-engine", "validate-engine", "publish-version"],
)
def test_a_bad_choice_names_its_option_exit_2(
    args: list[str],
    words: list[str],
    seed_build: Path,
    tmp_path: Path,
    run_cli: Callable[..., CliResult],
) -> None:
    """The message named the value but not the option (``--repo``'s named both)."""
    where = ["--build", str(seed_build), "--git", str(tmp_path / "t.git")]
    where = (
        where
        if args[0] == "publish"
        else ["--out", str(tmp_path / "o")][: 2 * (args[0] == "build")]
    )
    result = run_cli(*args, *where)
    _clean_refusal(result, 2, *words)
    assert not (tmp_path / "t.git").exists() and not (tmp_path / "o").exists()


@pytest.mark.parametrize("endpoint", ["ftp://x", "", "huggingface.co"])
def test_publish_refuses_an_endpoint_that_is_no_http_url_at_once(
    endpoint: str, seed_build: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli(
        "publish", "--build", str(seed_build), "--repo", "org/x", "--endpoint", endpoint,
        "--dry-run", timeout=60,
    )  # fmt: skip
    _clean_refusal(result, 2, "--endpoint must be an http(s) URL", repr(endpoint))
    assert "retrying" not in result.stderr


@pytest.mark.parametrize(
    ("repo", "why"),
    [
        ("my org/x y", "alphanumeric chars"),
        ("org/news--2024", "cannot have -- or .."),
        ("org/news.git", "cannot end by '.git'"),
        ("org/news/v1", "one '/'"),
    ],
)
def test_publish_names_the_option_of_a_repo_id_the_hub_refuses(
    repo: str, why: str, seed_build: Path, run_cli: Callable[..., CliResult]
) -> None:
    """huggingface_hub's own check surfaced as 'reading the repository failed on dataset
    repo my org/x y ...: HFValidationError: ...', saying nothing of --repo."""
    result = run_cli("publish", "--build", str(seed_build), "--repo", repo, "--dry-run", timeout=60)
    _clean_refusal(result, 2, f"--repo {repo!r} is not a Hub dataset repo id", why)
    assert "HFValidationError" not in result.stderr


def test_a_repo_id_in_dataset_yaml_the_hub_refuses_is_named(
    seeds_copy: Path, seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """The schema's pattern lets 'org/news--2024' through; the Hub does not."""
    import yaml

    path = seeds_copy / "dataset.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["publish"] = {**config.get("publish", {}), "repo_id": "org/news--2024"}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_cli("validate", "--input", str(seeds_copy))
    _clean_refusal(result, 1, "dataset.yaml", "/publish/repo_id", "cannot have -- or ..")
    # publish --hub reads the setting without validating the file: named there too
    result = run_cli(
        "publish", "--build", str(seed_build), "--hub", "-i", str(seeds_copy), "--dry-run",
        timeout=60,
    )  # fmt: skip
    _clean_refusal(result, 2, f"--hub: publish.repo_id in {path}", "'org/news--2024'")


def test_verify_refuses_a_revision_for_a_folder(
    seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(seed_build, copy)
    result = run_cli("verify", str(copy), "--revision", "v1.0.0")
    _clean_refusal(result, 2, "--revision 'v1.0.0'", str(copy))
    assert "verified /" not in result.stderr  # not the "verified FOLDER" of a pass


def _web_input(root: Path, files: str) -> Path:
    import yaml
    from corpus_helpers import source_record

    config = yaml.safe_load((root / "dataset.yaml").read_text(encoding="utf-8"))
    defaults = {"publisher": "The Daily Ledger", "rights": source_record("x")["rights"]}
    config["inputs"] = {
        "articles": {"files": files, "source_defaults": {**defaults, "language": "en"}},
        "annotations": [],
    }
    config["splits"] = {"ratios": {"train": 1.0}}
    (root / "dataset.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


@pytest.mark.parametrize("odd", ["loop", "pipe", "nowhere"])
def test_a_page_that_is_no_file_is_named_not_skipped(
    odd: str, seeds_copy: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """Two pages and a third that cannot be read: it was skipped, exit 0, one article
    fewer (a named pipe could also have blocked the build for ever)."""
    from test_web_inputs import STORIES, news_page

    pages = seeds_copy / "pages"
    pages.mkdir()
    for n, (_url, _date, title, paragraphs) in enumerate(STORIES):
        (pages / f"page-{n}.html").write_bytes(news_page(title, paragraphs))
    bad = pages / "page-9.html"
    if odd == "loop":
        bad.symlink_to(bad)
    elif odd == "pipe":
        os.mkfifo(bad)
    else:
        bad.symlink_to(pages / "gone.html")  # inside the input, to nothing
    _web_input(seeds_copy, "pages/*.html")
    out = tmp_path / "out"
    result = run_cli("build", "--input", str(seeds_copy), "--out", str(out), timeout=120)
    _clean_refusal(result, 1, "pages/page-9.html", "not-a-file")
    assert not out.exists()


def test_a_warc_cut_short_is_an_error(
    seeds_copy: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """warcio ends a cut gzip member without a word: the records from there were lost."""
    from test_web_inputs import write_warc

    crawl = seeds_copy / "crawl"
    crawl.mkdir()
    warc = crawl / "crawl-00000.warc.gz"
    write_warc(warc)
    warc.write_bytes(warc.read_bytes()[: warc.stat().st_size * 2 // 3])
    _web_input(seeds_copy, "crawl/*.warc.gz")
    out = tmp_path / "out"
    result = run_cli("build", "--input", str(seeds_copy), "--out", str(out))
    _clean_refusal(result, 1, "crawl/crawl-00000.warc.gz", "cut short")
    assert not out.exists()


@pytest.mark.parametrize(
    "repo_id",
    [
        "org/name",
        "my-org/news.v2",
        "a/b",
        "org_1/" + "n" * 96,
        "org/" + "n" * 97,
        "org/a--b",
        "org/a..b",
        "org/x.git",
        "org/-x",
        "org/x-",
        "org/.x",
        "my org/x",
        "org/x y",
        "org/ñews",
        "org/x\n",
    ],
)
def test_repo_ids_the_plain_shape_passes_are_those_the_hub_accepts(repo_id: str) -> None:
    # The plain shape spares the huggingface_hub import; it must never pass an id the
    # Hub's own check refuses (and what the Hub accepts in other shapes still goes
    # through that check).
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    from builder.hub_metadata import repo_id_problem

    try:
        validate_repo_id(repo_id)
        hub_accepts = True
    except HFValidationError:
        hub_accepts = False
    assert (repo_id_problem(repo_id) is None) == hub_accepts


def test_checking_a_configuration_does_not_import_the_hub_client() -> None:
    import json
    import subprocess
    import sys

    code = (
        "import json, sys; from pathlib import Path; "
        "from builder.config import load_config; load_config(Path('seeds')); "
        "print(json.dumps('huggingface_hub' in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=root
    )
    assert json.loads(out.stdout) is False


@pytest.mark.parametrize("again", ["annotations.jsonl", "./annotations.jsonl", "link.jsonl"])
def test_an_annotation_file_listed_twice_is_a_configuration_error(
    again: str, seeds_copy: Path
) -> None:
    """Each record of it was "a second annotation record (the first is at
    annotations.jsonl:N)", N its own line: true, and no help."""
    from builder.config import load_config
    from builder.errors import DataError

    (seeds_copy / "link.jsonl").symlink_to("annotations.jsonl")
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      format: native\n", f"      format: native\n    - path: {again}\n", 1)
    )
    with pytest.raises(DataError) as caught:
        load_config(seeds_copy)
    issues = [(i.file, i.pointer, i.rule) for i in caught.value.report.issues]
    assert issues == [("dataset.yaml", "/inputs/annotations/1/path", "annotation-input")]
    assert "read already, as /inputs/annotations/0" in caught.value.report.issues[0].message


def test_more_workers_than_cores_start_only_as_many_as_the_cores(
    seed_build: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """``--workers 100000`` would start that many processes on a large input (each a
    Python with pyarrow loaded): the local pool takes at most the cores, says so, and
    builds the same bytes."""
    from builder.cli_common import CORES

    out = tmp_path / "o"
    result = run_cli("build", "--input", "seeds", "--out", str(out), "--workers", "100000")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"--workers 100000 is more than the {CORES} core(s)" in result.stderr
    assert f"using {CORES}" in result.stderr
    for path in sorted(seed_build.rglob("*")):
        if path.is_file():
            assert (out / path.relative_to(seed_build)).read_bytes() == path.read_bytes(), path
    checked = run_cli("validate", "--input", "seeds", "--workers", "100000", "--json")
    assert checked.code == 0, checked.stderr
    assert f"using {CORES}" in checked.stderr
    assert checked.stdout.lstrip().startswith("{")  # the JSON on stdout, the warning apart
