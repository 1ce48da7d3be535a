"""Hub card metadata: every field checked against the Hub's lists by validate, build and publish."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from builder.errors import DataError
from builder.hub_metadata import HUB_FIELDS, check_hub_metadata, hub_lists, size_category
from builder.manifest import sha256_file
from builder.pipeline import build, validate
from builder.publish.gitrepo import GitTarget
from builder.publish.release import publish
from builder.publish.target import PublishError

# field, bad value, the key path reported, a closest allowed value it must name
CASES = [
    ("license", "Apache 2.0", "/license", "apache-2.0"),
    ("language", ["english"], "/language/0", "'en'"),
    ("task_categories", ["ner"], "/task_categories/0", "token-classification"),
    ("task_ids", ["NER"], "/task_ids/0", "named-entity-recognition"),
    ("annotations_creators", ["machine generated"], "/annotations_creators/0", "machine-generated"),
    ("language_creators", ["fund"], "/language_creators/0", "found"),
    ("multilinguality", ["mono-lingual"], "/multilinguality/0", "monolingual"),
    ("source_datasets", ["not a dataset!"], "/source_datasets/0", "extended|<dataset>"),
]


def _set(seeds: Path, key: str, value: object) -> None:
    path = seeds / "dataset.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config[key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _issue(exc: DataError, pointer: str) -> str:
    found = [i for i in exc.report.issues if i.pointer == pointer]
    assert found, [i.pointer for i in exc.report.issues]
    assert found[0].file == "dataset.yaml" and found[0].rule == "hub-metadata"
    return found[0].message


@pytest.mark.parametrize(("key", "value", "pointer", "closest"), CASES, ids=[c[0] for c in CASES])
def test_validate_and_build_refuse_a_wrong_value(
    key: str, value: object, pointer: str, closest: str, seeds_copy: Path, tmp_path: Path
) -> None:
    _set(seeds_copy, key, value)
    with pytest.raises(DataError) as checked:
        validate(seeds_copy)
    assert closest in _issue(checked.value, pointer)
    out = tmp_path / "out"
    with pytest.raises(DataError) as built:
        build(seeds_copy, out)
    assert closest in _issue(built.value, pointer)
    assert not out.exists()


def test_the_cli_names_file_key_and_closest_value(seeds_copy: Path, run_cli: Callable) -> None:
    _set(seeds_copy, "license", "Apache 2.0")
    _set(seeds_copy, "language", ["english"])
    result = run_cli("validate", "-i", str(seeds_copy), "--json")
    assert result.code == 1 and "Traceback" not in result.stderr
    issues = {i["pointer"]: i for i in json.loads(result.stdout)["report"]["issues"]}
    assert issues["/license"]["file"] == "dataset.yaml"
    assert "did you mean 'apache-2.0'" in issues["/license"]["message"]
    assert "did you mean 'en'" in issues["/language/0"]["message"]


@pytest.mark.parametrize(
    ("written", "identifier"),
    [
        ("MIT License", "mit"),
        ("Apache License, Version 2.0", "apache-2.0"),
        ("CC BY-NC-SA 4.0", "cc-by-nc-sa-4.0"),
        ("Creative Commons Attribution 4.0 International", "cc-by-4.0"),
        ("Creative Commons Attribution-NoDerivatives 4.0 International", "cc-by-nd-4.0"),
        ("GPLv3", "gpl-3.0"),
        ("GNU Lesser General Public License v2.1", "lgpl-2.1"),
        ("CC0", "cc0-1.0"),
        ("BSD 3-Clause License", "bsd-3-clause"),
        ("Mozilla Public License 2.0", "mpl-2.0"),
    ],
)
def test_a_license_written_out_gets_its_identifier_as_the_one_suggestion(
    written: str, identifier: str
) -> None:
    # difflib alone answered "MIT License" with 'unlicense' or 'deepfloyd-if-license'
    (issue,) = check_hub_metadata({"license": written}, file="dataset.yaml")
    assert issue.pointer == "/license"
    assert f"did you mean {identifier!r}?" in issue.message, issue.message


def test_license_other_needs_name_and_link(seeds_copy: Path) -> None:
    _set(seeds_copy, "license", "other")
    with pytest.raises(DataError) as info:
        validate(seeds_copy)
    assert "needs license_name" in _issue(info.value, "/license_name")
    assert "needs license_link" in _issue(info.value, "/license_link")
    _set(seeds_copy, "license_name", "news-terms-1.0")
    _set(seeds_copy, "license_link", "LICENSE")
    assert validate(seeds_copy).ok


def test_good_values_pass() -> None:
    good = {
        "license": "cc-by-4.0",
        "language": ["en", "fr-CA", "eng", "zh-Hant", "yue"],
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": ["1B<n<10B"],
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "multilinguality": ["multilingual"],
        "source_datasets": ["original", "extended|conll2003", "laion/laion-2b"],
    }
    assert check_hub_metadata(good, file="dataset.yaml") == []
    assert set(good) == set(HUB_FIELDS)


def test_every_list_says_where_it_comes_from() -> None:
    for name, entry in hub_lists().items():
        assert entry["origin"] and entry["values"], name
    assert "unknown" in hub_lists()["license"]["values"]


def test_size_categories_past_one_billion() -> None:
    assert size_category(999) == "n<1K"
    assert size_category(10**9 - 1) == "100M<n<1B"
    assert size_category(10**9) == "1B<n<10B"
    assert size_category(5 * 10**10) == "10B<n<100B"
    assert size_category(10**12 - 1) == "100B<n<1T"
    assert size_category(10**12) == "n>1T"


def _tamper_card(build_dir: Path, key: str, value: object) -> None:
    """A build whose card says ``key: value`` (as an older toolkit or a hand edit might)."""
    card = build_dir / "README.md"
    text = card.read_text(encoding="utf-8")
    header, body = re.match(r"\A---\n(.*?\n)---\n(.*)\Z", text, re.DOTALL).groups()
    meta = yaml.safe_load(header)
    meta[key] = value
    card.write_text(
        "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body,
        encoding="utf-8",
    )
    manifest = json.loads((build_dir / "manifest.json").read_text())
    for entry in manifest["outputs"]:
        if entry["path"] == "README.md":
            entry.update(sha256=sha256_file(card), bytes=card.stat().st_size)
    (build_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))


PUBLISH_CASES = [
    *CASES,
    ("size_categories", ["n>1B"], "/size_categories/0", "n>1T"),
]


@pytest.mark.parametrize(
    ("key", "value", "pointer", "closest"), PUBLISH_CASES, ids=[c[0] for c in PUBLISH_CASES]
)
def test_publish_dry_run_refuses_a_card_with_a_wrong_value(
    key: str, value: object, pointer: str, closest: str, seed_build: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "dataset"
    shutil.copytree(seed_build, copy)
    _tamper_card(copy, key, value)
    target = tmp_path / "target.git"
    with pytest.raises(PublishError) as info:
        publish(copy, GitTarget(str(target), load_name="org/news"), dry_run=True)
    message = str(info.value)
    assert f"README.md: {pointer}: " in message and closest in message
    assert not target.exists()


def test_publish_dry_run_cli_refusal_is_located(
    seed_build: Path, tmp_path: Path, run_cli: Callable
) -> None:
    copy = tmp_path / "dataset"
    shutil.copytree(seed_build, copy)
    _tamper_card(copy, "task_ids", ["NER"])
    result = run_cli("publish", "-b", str(copy), "--git", str(tmp_path / "t.git"), "--dry-run")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "README.md: /task_ids/0" in result.stderr
    assert "named-entity-recognition" in result.stderr
