"""License-aware publishing: full texts with unknown redistribution terms and a public Hub repo."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hub_fixtures import HubEnv
from huggingface_hub.errors import RepositoryNotFoundError
from publish_helpers import build

from builder.publish.gitrepo import GitTarget
from builder.publish.hub import HubTarget
from builder.publish.licensing import ACCEPT_FLAG, NOTICE_START, decide
from builder.publish.release import publish
from builder.publish.target import PublishError

pytest_plugins = ["hub_fixtures", "publish_helpers"]

REPO = "org/news"
SEED_PUBLISHERS = ("(unknown publisher)", "BBC News", "The Guardian", "westtimelines.com")


def _writes(env: HubEnv) -> list[str]:
    return [
        r.path
        for r in env.server.requests
        if r.method in ("POST", "PUT", "DELETE") and "/validate-yaml" not in r.path
    ]


def _card_notice(card: str) -> str:
    return card.split(NOTICE_START, 1)[1].split("<!--", 1)[0].strip()


def test_public_hub_publish_of_the_seeds_stops_and_names_the_publishers(
    hub_env: HubEnv, seed_build: Path, run_cli: Callable
) -> None:
    for extra in ((), ("--dry-run",)):
        result = run_cli("publish", "-b", str(seed_build), "--repo", REPO, *extra)
        assert result.code == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "PUBLIC" in result.stderr and ACCEPT_FLAG in result.stderr
        assert "4 publisher(s)" in result.stderr
        for publisher in SEED_PUBLISHERS:
            assert publisher in result.stderr
    assert _writes(hub_env) == []  # nothing uploaded, no repository created
    with pytest.raises(RepositoryNotFoundError):
        hub_env.api.dataset_info(REPO)


def test_the_flag_publishes_and_the_card_states_the_decision(
    hub_env: HubEnv, seed_build: Path, run_cli: Callable
) -> None:
    result = run_cli("publish", "-b", str(seed_build), "--repo", REPO, ACCEPT_FLAG)
    assert result.code == 0, result.stderr
    card = hub_env.api.hf_hub_download(REPO, "README.md", repo_type="dataset", revision="v1.0.0")
    notice = _card_notice(Path(card).read_text(encoding="utf-8"))
    assert notice.startswith("Published to a public repository")
    assert "accept-redistribution-risk" in notice and "BBC News" in notice
    release = json.loads(
        Path(
            hub_env.api.hf_hub_download(
                REPO, "release.json", repo_type="dataset", revision="v1.0.0"
            )
        ).read_text()
    )
    assert release["redistribution"]["visibility"] == "public"
    assert release["redistribution"]["accepted_redistribution_risk"] is True
    assert [r["publisher"] for r in release["redistribution"]["restricted_full_text"]] == list(
        SEED_PUBLISHERS
    )


def test_a_private_repo_needs_no_decision(hub_env: HubEnv, seed_build: Path) -> None:
    with HubTarget("org/secret", endpoint=hub_env.endpoint) as target:
        result = publish(seed_build, target, private=True)
    assert result.status == "published"
    assert hub_env.api.dataset_info("org/secret").private is True
    card = hub_env.api.hf_hub_download(
        "org/secret", "README.md", repo_type="dataset", revision="v1.0.0"
    )
    assert _card_notice(Path(card).read_text()).startswith("Published to a private repository")


def test_an_existing_repo_keeps_its_own_visibility(hub_env: HubEnv, seed_build: Path) -> None:
    hub_env.api.create_repo("org/public", repo_type="dataset", private=False)
    with (
        HubTarget("org/public", endpoint=hub_env.endpoint) as target,
        pytest.raises(PublishError, match="PUBLIC"),
    ):
        publish(seed_build, target, private=True)  # --private cannot make it private
    hub_env.api.create_repo("org/closed", repo_type="dataset", private=True)
    with HubTarget("org/closed", endpoint=hub_env.endpoint) as target:
        assert publish(seed_build, target, dry_run=True).status == "dry-run"


def test_withheld_texts_are_not_counted(hub_env: HubEnv, tmp_path: Path, seeds_copy: Path) -> None:
    sources = seeds_copy / "sources.jsonl"
    records = [json.loads(line) for line in sources.read_text().splitlines() if line.strip()]
    for record in records:
        record["rights"]["publish_full_text"] = False
    sources.write_text("".join(json.dumps(r) + "\n" for r in records))
    withheld = build(seeds_copy, tmp_path / "withheld")
    manifest = json.loads((withheld / "manifest.json").read_text())
    assert manifest["rights"]["restricted_full_text"] == []
    assert manifest["rights"]["withheld_articles"] == 5
    with HubTarget(REPO, endpoint=hub_env.endpoint) as target:
        assert publish(withheld, target, dry_run=True).status == "dry-run"


def test_git_targets_are_not_stopped_and_the_card_says_why(
    seed_build: Path, tmp_path: Path
) -> None:
    messages: list[str] = []
    repo = tmp_path / "release.git"
    with GitTarget(str(repo), load_name="org/news") as target:
        result = publish(seed_build, target, log=messages.append)
        card = target.read_file("v1.0.0", "README.md")
    assert result.status == "published"
    assert any("visibility this tool cannot know" in m for m in messages)
    assert card is not None
    assert "git repository whose visibility this tool cannot know" in _card_notice(card.decode())


def test_the_build_card_announces_the_pending_decision(seed_build: Path) -> None:
    notice = _card_notice((seed_build / "README.md").read_text(encoding="utf-8"))
    assert "Not published yet" in notice and ACCEPT_FLAG in notice
    for publisher in SEED_PUBLISHERS:
        assert publisher in notice


def test_a_build_without_a_rights_entry_is_judged_from_its_rows(
    hub_env: HubEnv, seed_build: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old-build"
    shutil.copytree(seed_build, old)
    manifest = json.loads((old / "manifest.json").read_text())
    expected = manifest.pop("rights")["restricted_full_text"]
    (old / "manifest.json").write_text(json.dumps(manifest, indent=2))
    with (
        HubTarget(REPO, endpoint=hub_env.endpoint) as target,
        pytest.raises(PublishError, match="4 publisher") as info,
    ):
        publish(old, target, dry_run=True)
    for entry in expected:
        assert entry["publisher"] in str(info.value)
    assert _writes(hub_env) == []
    from_rows = decide(manifest, visibility="private", accept=False, where="-", build_dir=old)
    assert from_rows.restricted == expected
