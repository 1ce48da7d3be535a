"""``builder diff``: records, fields and label sets between two builds or releases, and the bump.

Real builds of the seeds, the real git CLI with git-lfs, and the loopback Hub server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hub_fixtures import HubEnv
from publish_helpers import CHANGED_ID, NEW_ID, Releases, build, copy_seeds, set_config

from builder.publish.gitrepo import GitTarget
from builder.publish.hub import HubTarget
from builder.publish.release import publish
from builder.publish.retry import RetryPolicy
from builder.publish.target import PublishError

pytest_plugins = ["hub_fixtures", "publish_helpers"]

LOAD_NAME = "local/israel-iran-april-2024-news"
TEXT_ID = "001_1d161241fa9d0160"


def _edit_jsonl(path: Path, article_id: str, edit: Callable[[dict], None]) -> None:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    hits = [r for r in records if r["article_id"] == article_id]
    assert hits, f"{article_id} not in {path}"
    for record in hits:
        edit(record)
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def headline_changed(tmp_path_factory: pytest.TempPathFactory, seed_build: Path) -> Path:
    """The seeds built again with one article's headline changed, as version 1.0.1 (a PATCH)."""
    root = tmp_path_factory.mktemp("diff-headline")
    seeds = copy_seeds(root / "seeds")

    def retitle(record: dict) -> None:
        record["headline"] += " (updated)"

    _edit_jsonl(seeds / "sources.jsonl", CHANGED_ID, retitle)
    set_config(seeds, version="1.0.1")
    return build(seeds, root / "out" / "dataset")


def test_one_changed_article_is_named_with_what_changed_and_the_guard_bump(
    seed_build: Path, headline_changed: Path, run_cli: Callable, tmp_path: Path
) -> None:
    result = run_cli("diff", str(seed_build), str(headline_changed), "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records"]["items"] == [
        {
            "id": CHANGED_ID,
            "kind": "changed",
            "split_old": "test",
            "split_new": "test",
            "parts": ["source"],
        }
    ]
    assert (report["records"]["added"], report["records"]["removed"]) == (0, 0)
    assert report["records"]["unchanged"] == 4
    assert report["fields"] == {"added": [], "removed": [], "retyped": []}
    assert report["label_sets"] == []
    assert report["bump"]["level"] == "MINOR"
    assert report["bump"]["minimum_version"] == "1.1.0"
    # A PATCH is too small for a changed record: the report says publishing 1.0.1 is refused.
    refused = report["bump"]["new_version_refused"]
    assert "needs a MINOR release (publish 1.1.0 or higher)" in refused

    text = run_cli("diff", str(seed_build), str(headline_changed))
    assert text.code == 0, text.stderr
    assert re.search(rf"changed +{CHANGED_ID} \[test\]: source", text.stdout)
    assert "smallest allowed bump: MINOR (from 1.0.0: 1.1.0 or higher)" in text.stdout

    # The publish guard refuses 1.0.1 on top of a published v1.0.0 with the same words.
    repo = tmp_path / "repo.git"
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        publish(seed_build, target)
        with pytest.raises(PublishError) as refusal:
            publish(headline_changed, target, dry_run=True)
    assert str(refusal.value).splitlines()[0] == refused
    assert "records: 1 record changed" in str(refusal.value)


def test_text_spans_labels_and_label_sets_are_told_apart(
    seed_build: Path, tmp_path: Path, run_cli: Callable
) -> None:
    seeds = copy_seeds(tmp_path / "seeds")
    # One article's text grows at its end (its spans stay where they are)...
    article = seeds / "articles" / f"{TEXT_ID}.txt"
    article.write_text(
        article.read_text(encoding="utf-8") + "\nA closing line.\n", encoding="utf-8"
    )

    # ...another's first entity gets another label; and the entity label set grows.
    def relabel(record: dict) -> None:
        first = record["entities"][0]
        first["label"] = "ORG" if first["label"] != "ORG" else "PERSON"

    _edit_jsonl(seeds / "annotations.jsonl", CHANGED_ID, relabel)
    config = seeds / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            "entity: [PERSON, ORG, GPE, NORP, DATE, EVENT, FAC, LOC]",
            "entity: [PERSON, ORG, GPE, NORP, DATE, EVENT, FAC, LOC, LAW]",
        ),
        encoding="utf-8",
    )
    set_config(seeds, version="2.0.0")
    changed = build(seeds, tmp_path / "out" / "dataset")

    result = run_cli("diff", str(seed_build), str(changed), "--json", "--limit", "0")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    parts = {r["id"]: r["parts"] for r in report["records"]["items"]}
    assert parts[TEXT_ID] == ["text"]
    assert parts[CHANGED_ID] == ["labels"]
    assert report["label_sets"] == [
        {
            "path": "entities.label",
            "status": "changed",
            "added": ["LAW"],
            "removed": [],
            "reordered": False,
        }
    ]
    assert report["bump"]["level"] == "MAJOR"
    assert report["bump"]["minimum_version"] == "2.0.0"
    assert report["bump"]["new_version_refused"] is None


def test_two_tags_of_a_git_target_and_a_tag_against_a_folder(
    releases: Releases, tmp_path: Path, run_cli: Callable, git_lfs: None
) -> None:
    repo = tmp_path / "repo.git"
    for folder in (releases.v100, releases.v110):
        with GitTarget(repo, load_name=LOAD_NAME) as target:
            publish(folder, target)
    result = run_cli("diff", "--git", str(repo), "v1.0.0", "v1.1.0", "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    items = {(r["kind"], r["id"]): r["parts"] for r in report["records"]["items"]}
    assert items == {("added", NEW_ID): [], ("changed", CHANGED_ID): ["source"]}
    assert report["old"]["version"] == "1.0.0" and report["new"]["version"] == "1.1.0"
    assert report["bump"]["level"] == "MINOR"
    assert report["bump"]["new_version_refused"] is None

    # A published tag against a local build: the folder is read, the tag fetched.
    mixed = run_cli("diff", "--git", str(repo), "v1.1.0", str(releases.v100))
    assert mixed.code == 0, mixed.stderr
    assert re.search(rf"removed +{NEW_ID}", mixed.stdout)
    assert "would be refused" in mixed.stdout  # 1.0.0 after 1.1.0

    missing = run_cli("diff", "--git", str(repo), "v1.0.0", "v9.9.9")
    assert missing.code == 2, missing.stderr
    assert "v9.9.9" in missing.stderr and "Traceback" not in missing.stderr


def test_a_revision_without_a_target_is_a_usage_error(seed_build: Path, run_cli: Callable) -> None:
    result = run_cli("diff", str(seed_build), "v1.0.0")
    assert result.code == 2
    assert "not a build folder" in result.stderr and "--git" in result.stderr


def test_two_tags_on_the_loopback_hub(hub_env: HubEnv, releases: Releases) -> None:
    from builder.publish.diff import diff_releases

    policy = RetryPolicy(attempts=4, base=0.05, cap=0.2)
    with HubTarget("org/news", endpoint=hub_env.endpoint, policy=policy) as target:
        for folder in (releases.v100, releases.v110):
            publish(folder, target, policy=policy, accept_redistribution_risk=True)
        result = diff_releases("v1.0.0", "v1.1.0", target=target)
    # In id order, as the merge-join meets them.
    assert [(r.kind, r.id, r.parts) for r in result.records] == [
        ("changed", CHANGED_ID, ("source",)),
        ("added", NEW_ID, ()),
    ]
    assert result.level.label == "MINOR"
    assert result.minimum_version == "1.1.0"


def test_row_parts_tell_text_spans_labels_and_other_fields_apart() -> None:
    from builder.publish.diff import row_parts

    labels = frozenset({"genre", "entities.label", "doc.topic"})
    row = {
        "id": "a",
        "text": "Biden spoke.",
        "edits": [],
        "genre": 0,
        "entities": [{"id": "e1", "start": 0, "end": 5, "label": 1, "text": "Biden"}],
        "quotes": [{"id": "q1", "start": 6, "end": 11, "text": "spoke", "speaker_id": "e1"}],
        "doc": {"topic": 2, "note": "x"},
        "source": {"publisher": "P"},
    }
    spans = frozenset({"entities", "quotes"})
    base = row_parts(row, labels, spans)
    assert set(base) == {"id", "text", "labels", "spans", "doc", "source"}

    def changed(**changes: object) -> set[str]:
        other = row_parts({**row, **changes}, labels, spans)
        return {p for p in base.keys() | other.keys() if base.get(p) != other.get(p)}

    assert changed(text="Biden spoke!") == {"text"}
    assert changed(genre=1) == {"labels"}
    relabelled = [{**row["entities"][0], "label": 2}]
    assert changed(entities=relabelled) == {"labels"}
    moved = [{**row["entities"][0], "start": 1}]
    assert changed(entities=moved) == {"spans"}
    assert changed(quotes=[]) == {"spans"}
    assert changed(doc={"topic": 0, "note": "x"}) == {"labels"}
    assert changed(doc={"topic": 2, "note": "y"}) == {"doc"}
    assert changed(source={"publisher": "Q"}) == {"source"}
