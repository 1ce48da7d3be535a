"""Publishing to a Hub: the real huggingface_hub and datasets clients against the test server.

No test reaches huggingface.co: ``hub_env`` points every client at the suite's server on
127.0.0.1 and the loopback guard refuses anything else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import datasets
import pytest
from hub_fixtures import HubEnv
from publish_helpers import NEW_ID, Releases, ids_in

from builder.publish.hub import HubTarget
from builder.publish.release import PublishResult, publish
from builder.publish.retry import RetryPolicy
from builder.publish.target import ConcurrentPublishError, PublishError

pytest_plugins = ["hub_fixtures", "publish_helpers"]

REPO = "org/news"
FAST = RetryPolicy(attempts=4, base=0.05, cap=0.2)
#: How long the test server stalls a commit that the client must give up on (seconds).
STALL = 8.0
# The seeds' sources have unknown redistribution terms: publishing them to a public repo is
# the maintainer's explicit decision (tests/test_licensing.py tests the refusal).
ACCEPT = "--accept-redistribution-risk"


def _publish(env: HubEnv, build: Path, policy: RetryPolicy = FAST, **kw: object) -> PublishResult:
    target = HubTarget(REPO, endpoint=env.endpoint, policy=policy)
    try:
        kw.setdefault("accept_redistribution_risk", True)
        return publish(build, target, policy=policy, **kw)  # type: ignore[arg-type]
    finally:
        target.close()


def _writes(env: HubEnv) -> list[tuple[str, str, int | None]]:
    """Requests that could change the repository or upload bytes."""
    return [
        (r.method, r.path, r.status)
        for r in env.server.requests
        if r.method in ("POST", "PUT", "DELETE")
        and not r.path.endswith(("/validate-yaml", "/paths-info/main"))
        and "/paths-info/" not in r.path
    ]


def _commit_titles(env: HubEnv) -> list[str]:
    return [c.title for c in env.api.list_repo_commits(REPO, repo_type="dataset")]


def _ids(ds: datasets.DatasetDict | datasets.IterableDatasetDict) -> dict[str, set[str]]:
    return {split: {row["id"] for row in ds[split]} for split in ds}


def test_publish_two_versions_load_each_pinned_and_verify(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    for build in (releases.v100, releases.v110):
        result = run_cli("publish", ACCEPT, "-b", str(build), "--repo", REPO)
        assert result.code == 0, result.stderr
    assert "1 record added, 1 changed" in result.stderr
    assert 'load_dataset("org/news", revision="v1.1.0")' in result.stderr

    # one commit per release, each tagged
    assert _commit_titles(hub_env) == ["Release v1.1.0", "Release v1.0.0", "initial commit"]
    refs = hub_env.api.list_repo_refs(REPO, repo_type="dataset")
    tags = {t.name: t.target_commit for t in refs.tags}
    assert tags["v1.1.0"] == hub_env.server.head(REPO)

    # each tag loads its own rows, in memory and streaming
    for tag, build in (("v1.0.0", releases.v100), ("v1.1.0", releases.v110)):
        expected = ids_in(build)
        assert _ids(datasets.load_dataset(REPO, revision=tag)) == expected
        assert _ids(datasets.load_dataset(REPO, revision=tag, streaming=True)) == expected
    assert NEW_ID in set().union(*ids_in(releases.v110).values())

    # the card's Versions section has both releases, with the server's commit and date
    card = (hub_env.server.snapshot(REPO, "v1.1.0")["README.md"]).decode()
    first = hub_env.api.list_repo_commits(REPO, repo_type="dataset", revision="v1.0.0")[0]
    day = first.created_at.date().isoformat()
    assert f"| v1.0.0 | {day} | `{tags['v1.0.0'][:12]}` | first release: 5 records" in card
    assert "| this release | 1 record added, 1 changed |" in card
    # "Direct Use" names the repository and version published, not the configured default
    direct_use = card.split("### Direct Use", 1)[1].split("\n### ", 1)[0]
    assert f'load_dataset("{REPO}", revision="v1.1.0")' in direct_use

    # verify passes on both revisions, and fails on a file altered on the server
    for tag in ("v1.0.0", "v1.1.0"):
        check = run_cli("verify", "--repo", REPO, "--revision", tag)
        assert check.code == 0, check.stderr
    shard = next(p for p in hub_env.server.snapshot(REPO, "v1.0.0") if p.endswith(".parquet"))
    data = bytearray(hub_env.server.snapshot(REPO, "v1.0.0")[shard])
    data[100] ^= 0xFF
    hub_env.server.corrupt_file(REPO, "v1.0.0", shard, bytes(data))
    broken = run_cli("verify", "--repo", REPO, "--revision", "v1.0.0", "--json")
    assert broken.code == 1
    found = {(m["path"], m["check"]) for m in json.loads(broken.stdout)["mismatches"]}
    assert (shard, "sha256") in found
    assert shard in broken.stderr

    # a revision that was never published is named as such
    missing = run_cli("verify", "--repo", REPO, "--revision", "v9.9.9")
    assert missing.code == 1
    assert "has no revision 'v9.9.9'" in missing.stderr and "Traceback" not in missing.stderr


def test_publishing_the_same_build_again_makes_no_commit(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    _publish(hub_env, releases.v100)
    before = len(hub_env.server.requests)
    again = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO)
    assert again.code == 0, again.stderr
    assert "nothing to do" in again.stderr
    later = hub_env.server.requests[before:]
    assert not [r for r in later if r.method in ("POST", "PUT") and "/validate-yaml" not in r.path]
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]


def test_dry_run_sends_nothing_that_writes(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    result = run_cli(
        "publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO, "--dry-run", "--json"
    )
    assert result.code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["status"] == "dry-run" and plan["created_repo"] is True
    assert "manifest.json" in plan["files"]
    assert _writes(hub_env) == []


def test_a_too_small_bump_is_refused_before_any_byte_is_uploaded(
    hub_env: HubEnv, releases: Releases, tmp_path: Path
) -> None:
    from publish_helpers import build, change_seeds, copy_seeds

    _publish(hub_env, releases.v100)
    seeds = copy_seeds(tmp_path / "seeds")
    change_seeds(seeds, version="1.0.1")
    patch = build(seeds, tmp_path / "patch")
    writes_before = len(_writes(hub_env))
    with pytest.raises(PublishError, match=r"needs a MINOR release \(publish 1.1.0"):
        _publish(hub_env, patch)
    assert len(_writes(hub_env)) == writes_before


def test_an_existing_tag_is_never_moved(
    hub_env: HubEnv, releases: Releases, tmp_path: Path
) -> None:
    from publish_helpers import build, change_seeds, copy_seeds

    first = _publish(hub_env, releases.v100)
    seeds = copy_seeds(tmp_path / "seeds")
    change_seeds(seeds, version="1.0.0")
    other = build(seeds, tmp_path / "other")
    with pytest.raises(PublishError, match=r"v1\.0\.0 already exists"):
        _publish(hub_env, other)
    tags = hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    assert [(t.name, t.target_commit) for t in tags] == [("v1.0.0", first.commit)]


# -- faults -------------------------------------------------------------------------------
def test_a_connection_dropped_mid_upload_is_retried(hub_env: HubEnv, releases: Releases) -> None:
    hub_env.server.inject("lfs_upload", "drop")
    result = _publish(hub_env, releases.v100)
    assert result.status == "published"
    uploads = [r.status for r in hub_env.server.requests if r.method == "PUT"]
    # LFS files upload in parallel threads, so the dropped PUT need not be logged first.
    assert uploads.count(None) == 1, uploads  # one dropped ...
    assert uploads.count(200) == len(uploads) - 1  # ... and every upload then went through
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]


def test_429_and_500_are_retried_honouring_retry_after(hub_env: HubEnv, releases: Releases) -> None:
    hub_env.server.inject("preupload", ("status", 500))  # retried by huggingface_hub itself
    hub_env.server.inject("commit", ("status", 429, {"Retry-After": "1"}))
    hub_env.server.inject("tag", ("status", 503, {"Retry-After": "2"}))
    messages: list[str] = []
    commit_waits: list[float] = []
    call_waits: list[float] = []
    target = HubTarget(
        REPO, endpoint=hub_env.endpoint, policy=FAST, log=messages.append, sleep=call_waits.append
    )
    with target:
        result = publish(
            releases.v100,
            target,
            policy=FAST,
            accept_redistribution_risk=True,
            log=messages.append,
            sleep=commit_waits.append,
        )
    assert result.status == "published"
    # FAST's own backoff would wait 0.05s: the waits are exactly what the server asked for
    assert commit_waits == [1.0]
    assert call_waits == [2.0]
    assert any("HTTP 429" in m and "retrying the commit in 1s" in m for m in messages), messages
    assert any("HTTP 503" in m and "retrying in 2s" in m for m in messages), messages
    statuses = [(r.path.rsplit("/", 2)[-2], r.status) for r in hub_env.server.requests]
    assert statuses.count(("preupload", 500)) == 1 and ("commit", 429) in statuses
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]
    tags = hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    assert [t.target_commit for t in tags] == [result.commit]


def test_commit_retries_back_off_more_each_time(hub_env: HubEnv, releases: Releases) -> None:
    hub_env.server.inject("commit", ("status", 500), times=3)
    messages: list[str] = []
    waits: list[float] = []
    with HubTarget(REPO, endpoint=hub_env.endpoint, policy=FAST) as target:
        result = publish(
            releases.v100,
            target,
            policy=FAST,
            accept_redistribution_risk=True,
            log=messages.append,
            sleep=waits.append,
        )
    assert result.status == "published"
    assert waits == [0.05, 0.1, 0.2]  # doubling from FAST.base, capped at FAST.cap
    logged = [
        m.split("retrying the commit in ")[1].split("s ")[0] for m in messages if "retrying" in m
    ]
    assert logged == ["0.05", "0.1", "0.2"]
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]


def test_a_retry_after_longer_than_the_maximum_fails_clearly_and_commits_nothing(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    hub_env.server.inject("commit", ("status", 429, {"Retry-After": "3600"}))
    failed = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO)
    assert failed.code == 1
    assert "the server asked to wait 3600s before retrying (Retry-After)" in failed.stderr
    assert "longer than the 120s this tool waits" in failed.stderr
    assert "Nothing was committed" in failed.stderr and "Traceback" not in failed.stderr
    assert hub_env.server.faults.pending() == 0
    assert len(hub_env.server.requests_matching("/commit/main", "POST")) == 1  # not retried
    assert _commit_titles(hub_env) == ["initial commit"]


def test_an_http_date_retry_after_is_honoured(hub_env: HubEnv, releases: Releases) -> None:
    import email.utils

    # 60 s ahead (whole seconds): the wait is 60 s less the time publish took to get there,
    # a margin no loaded machine eats; the waits are recorded, not slept.
    soon = email.utils.formatdate(time.time() + 60, usegmt=True)
    hub_env.server.inject("refs", ("status", 503, {"Retry-After": soon}))
    waits: list[float] = []
    with HubTarget(REPO, endpoint=hub_env.endpoint, policy=FAST, sleep=waits.append) as target:
        publish(releases.v100, target, policy=FAST, accept_redistribution_risk=True)
    assert len(waits) == 1 and 40.0 <= waits[0] <= 60.0, waits  # not FAST's 0.05s backoff


def test_a_dropped_commit_request_is_retried_once_it_is_known_not_to_have_landed(
    hub_env: HubEnv, releases: Releases
) -> None:
    hub_env.server.inject("commit", "drop")
    result = _publish(hub_env, releases.v100)
    assert result.status == "published"
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]


def test_a_persistent_failure_before_the_commit_leaves_the_repo_as_it_was(
    hub_env: HubEnv, releases: Releases
) -> None:
    first = _publish(hub_env, releases.v100)
    before = hub_env.server.snapshot(REPO, "main")
    hub_env.server.inject("commit", ("status", 500), times=20)
    with pytest.raises(PublishError, match="Nothing was committed"):
        _publish(hub_env, releases.v110)
    hub_env.server.faults.clear()
    assert hub_env.server.head(REPO) == first.commit
    assert hub_env.server.snapshot(REPO, "main") == before
    assert [t.name for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags] == [
        "v1.0.0"
    ]


def test_a_concurrent_commit_is_refused_not_overwritten(
    hub_env: HubEnv, releases: Releases
) -> None:
    first = _publish(hub_env, releases.v100)
    hub_env.server.inject("commit", ("concurrent_commit",))
    with pytest.raises(ConcurrentPublishError, match="someone else"):
        _publish(hub_env, releases.v110)
    assert _commit_titles(hub_env) == ["Concurrent commit", "Release v1.0.0", "initial commit"]
    head_files = hub_env.server.snapshot(REPO, "main")
    assert head_files == hub_env.server.snapshot(REPO, first.commit)
    tags = [t.name for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags]
    assert tags == ["v1.0.0"]


def test_a_failure_after_the_commit_is_completed_by_the_next_run(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    hub_env.server.inject("tag", ("status", 500), times=20)
    with pytest.raises(PublishError, match="run the same publish again"):
        _publish(hub_env, releases.v100)
    hub_env.server.faults.clear()
    head = hub_env.server.head(REPO)
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]
    assert hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags == []
    again = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO)
    assert again.code == 0, again.stderr
    assert "earlier run" in again.stderr
    tags = hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    assert [(t.name, t.target_commit) for t in tags] == [("v1.0.0", head)]
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]


# -- the token ---------------------------------------------------------------------------------
def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and needle in p.read_bytes()
    ]


def test_the_token_is_never_printed_logged_or_written(
    hub_env: HubEnv, releases: Releases, run_cli: Callable, tmp_path: Path
) -> None:
    canary = "hf_canary_5d41402abc4b2a76b9719d911017c592"
    env = {"HF_TOKEN": canary, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    ok = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO, env=env)
    assert ok.code == 0, ok.stderr
    assert canary in hub_env.server.tokens  # it was used...
    hub_env.server.inject("commit", ("concurrent_commit",))
    failed = run_cli("publish", ACCEPT, "-b", str(releases.v110), "--repo", REPO, "--json", env=env)
    assert failed.code == 1 and "moved" in failed.stderr
    denied = run_cli(
        "publish",
        ACCEPT,
        "-b",
        str(releases.v110),
        "--repo",
        "other/private",
        "--endpoint",
        hub_env.endpoint + "/nowhere",
        env=env,
    )
    assert denied.code != 0
    for run in (ok, failed, denied):  # ...and never shown
        assert canary not in run.stdout and canary not in run.stderr
    needle = canary.encode()
    for root in (tmp_path, releases.v100, releases.v110, hub_env.hf_home, hub_env.server.root):
        assert _files_containing(root, needle) == [], root


CANARY = "hf_canary_echo_0cc175b9c0f1b6a831c399e269772661"


def test_a_server_echoing_the_token_in_errors_never_gets_it_shown(
    hub_env: HubEnv, releases: Releases, run_cli: Callable, tmp_path: Path
) -> None:
    import traceback

    env = {"HF_TOKEN": CANARY, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    server = hub_env.server
    # refused outright (403) while creating the repository
    server.inject("create_repo", ("echo_auth", 403))
    denied = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO, env=env)
    assert denied.code == 1 and "not authorised" in denied.stderr
    # transient echoes, retried by huggingface_hub (preupload) and by us (refs, commit): the
    # retry messages quote the server's error
    server.inject("refs", ("echo_auth", 500))
    server.inject("preupload", ("echo_auth", 500))
    server.inject("commit", ("echo_auth", 503))
    retried = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO, env=env)
    assert retried.code == 0, retried.stderr
    # the server's reason is shown (it helps), with the token blanked out
    assert retried.stderr.count("Authorization: Bearer ***") == 2, retried.stderr
    assert "retrying the commit in 0.5s" in retried.stderr
    # a permanent echo on the commit: the run fails, saying why
    server.inject("commit", ("echo_auth", 400))
    failed = run_cli("publish", ACCEPT, "-b", str(releases.v110), "--repo", REPO, "--json", env=env)
    assert failed.code == 1
    assert "the commit failed on dataset repo org/news" in failed.stderr
    assert "HTTP 400" in failed.stderr and "Bearer ***" in failed.stderr
    assert server.faults.pending() == 0 and server.tokens.count(CANARY) > 10  # all were sent
    for run in (denied, retried, failed):
        assert CANARY not in run.stdout + run.stderr
        assert "Traceback" not in run.stderr
    # in-process: the exception message and its rendered traceback hold no token either
    server.inject("commit", ("echo_auth", 400))
    with (
        HubTarget(REPO, endpoint=hub_env.endpoint, token=CANARY, policy=FAST) as target,
        pytest.raises(PublishError) as error,
    ):
        publish(releases.v110, target, policy=FAST, accept_redistribution_risk=True)
    assert "HTTP 400" in str(error.value) and "Bearer ***" in str(error.value)
    shown = "".join(traceback.format_exception(error.value))
    assert CANARY not in shown and CANARY not in repr(error.value)
    needle = CANARY.encode()
    for root in (tmp_path, releases.v100, releases.v110, hub_env.hf_home, server.root):
        assert _files_containing(root, needle) == [], root


class _AnswerLost(HubTarget):
    """The commit lands on the server but its answer never arrives (a connection cut after it)."""

    def commit(self, staged: Path, files: list[str], **kwargs: object) -> str:
        from builder.publish.target import TransientError

        super().commit(staged, files, **kwargs)  # type: ignore[arg-type]
        raise TransientError("connection reset after the commit was sent", 0.01)


def test_a_commit_whose_answer_was_lost_is_recognised_not_repeated(
    hub_env: HubEnv, releases: Releases
) -> None:
    messages: list[str] = []
    target = _AnswerLost(REPO, endpoint=hub_env.endpoint, policy=FAST)
    result = publish(
        releases.v100, target, policy=FAST, accept_redistribution_risk=True, log=messages.append
    )
    target.close()
    assert result.status == "published"
    assert any("landed although its answer was lost" in m for m in messages)
    assert _commit_titles(hub_env) == ["Release v1.0.0", "initial commit"]
    tags = hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    assert [(t.name, t.target_commit) for t in tags] == [("v1.0.0", hub_env.server.head(REPO))]


def test_hub_flag_uses_the_repo_named_in_dataset_yaml(
    hub_env: HubEnv, releases: Releases, seeds_copy: Path, run_cli: Callable
) -> None:
    result = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--hub", "-i", str(seeds_copy))
    assert result.code == 0, result.stderr
    refs = hub_env.api.list_repo_refs("local/israel-iran-april-2024-news", repo_type="dataset")
    assert [t.name for t in refs.tags] == ["v1.0.0"]
    bad = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", "no-slash")
    assert bad.code == 2 and "ORG/NAME" in bad.stderr


def test_card_metadata_rejected_by_the_server_stops_before_any_upload(
    hub_env: HubEnv, releases: Releases
) -> None:
    hub_env.server.inject("validate_yaml", ("status", 400))
    with pytest.raises(PublishError, match="rejects the card metadata"):
        _publish(hub_env, releases.v100)
    assert _writes(hub_env) == []  # not even the repository was created


def test_a_timed_out_request_is_retried_then_succeeds(
    hub_env: HubEnv, releases: Releases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """huggingface_hub wraps a timed-out HEAD in ValueError: it must still count as transient."""
    from huggingface_hub import constants

    _publish(hub_env, releases.v100)
    # huggingface_hub reads these per call (HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT)
    monkeypatch.setattr(constants, "HF_HUB_ETAG_TIMEOUT", 0.5)
    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 0.5)
    hub_env.server.inject("resolve", ("delay", 1.5), method="HEAD")
    messages: list[str] = []
    started = time.monotonic()
    with HubTarget(REPO, endpoint=hub_env.endpoint, policy=FAST, log=messages.append) as target:
        result = publish(
            releases.v110, target, policy=FAST, accept_redistribution_risk=True, log=messages.append
        )
    assert result.status == "published" and result.change is not None
    assert result.change.summary() == "1 record added, 1 changed"  # the previous one was read
    assert hub_env.server.faults.pending() == 0  # the slow HEAD was sent...
    retried = [m for m in messages if "Timeout" in m and "retrying in" in m]
    assert len(retried) == 1, messages  # ...timed out, was retried once, then went through
    assert time.monotonic() - started < 10
    tags = hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    assert sorted(t.name for t in tags) == ["v1.0.0", "v1.1.0"]


def test_a_stalled_commit_times_out_and_is_retried(hub_env: HubEnv, releases: Releases) -> None:
    """huggingface_hub's client has no timeout of its own on API calls: ours bounds them."""
    # The stall is long against a loopback publish of the seeds (well under a second idle),
    # so a loaded CI machine cannot make an honest run look like one that waited it out.
    hub_env.server.inject("commit", ("delay", STALL))
    messages: list[str] = []
    started = time.monotonic()
    with HubTarget(
        REPO, endpoint=hub_env.endpoint, policy=FAST, log=messages.append, timeout=0.5
    ) as target:
        result = publish(
            releases.v100, target, policy=FAST, accept_redistribution_risk=True, log=messages.append
        )
    assert result.status == "published"
    assert hub_env.server.faults.pending() == 0  # the stalled commit was sent
    assert any("retrying the commit" in m for m in messages), messages
    assert time.monotonic() - started < STALL  # it did not wait for the stalled answer
    time.sleep(max(0.0, started + STALL + 1.0 - time.monotonic()))  # the stalled one is handled
    commits = hub_env.api.list_repo_commits(REPO, repo_type="dataset")
    assert [c.title for c in commits].count("Release v1.0.0") == 1  # the stalled one, or ours


def test_files_dropped_by_a_new_build_are_deleted_in_the_release_commit(
    hub_env: HubEnv, releases: Releases, tmp_path: Path
) -> None:
    from publish_helpers import build, copy_seeds, set_config, set_shard_size

    first = _publish(hub_env, releases.v100)
    seeds = copy_seeds(tmp_path / "seeds")
    set_config(seeds, version="1.0.1")
    set_shard_size(seeds, 4096)  # output.shard_max_bytes: same rows, more, other-named shards
    patch = build(seeds, tmp_path / "patch")
    commits_before = len(hub_env.server.requests_matching("/commit/main", "POST"))
    result = _publish(hub_env, patch)
    assert result.status == "published"
    old = set(hub_env.server.snapshot(REPO, "v1.0.0"))
    new = set(hub_env.server.snapshot(REPO, "v1.0.1"))
    gone = old - new
    assert "data/train-00000-of-00001.parquet" in gone  # the v1.0.0 shard ...
    assert all(p.startswith("data/") for p in gone) and sorted(gone) == result.deleted
    assert new - {".gitattributes"} == set(result.files)  # ... replaced by the new layout
    assert len([p for p in new if p.startswith("data/train-")]) > 1
    # ... still served at the old tag, which did not move
    v100_shard = hub_env.server.snapshot(REPO, "v1.0.0")["data/train-00000-of-00001.parquet"]
    assert v100_shard == (releases.v100 / "data" / "train-00000-of-00001.parquet").read_bytes()
    tags = {
        t.name: t.target_commit for t in hub_env.api.list_repo_refs(REPO, repo_type="dataset").tags
    }
    assert tags == {"v1.0.0": first.commit, "v1.0.1": result.commit}
    # all of it in ONE commit whose parent is v1.0.0
    assert len(hub_env.server.requests_matching("/commit/main", "POST")) == commits_before + 1
    assert _commit_titles(hub_env) == ["Release v1.0.1", "Release v1.0.0", "initial commit"]
    assert set(hub_env.server.snapshot(REPO, "main")) == new
    assert _ids(datasets.load_dataset(REPO, revision="v1.0.1")) == ids_in(releases.v100)


def test_private_flag_creates_a_private_repo(
    hub_env: HubEnv, releases: Releases, run_cli: Callable
) -> None:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError

    result = run_cli("publish", "-b", str(releases.v100), "--repo", "org/secret", "--private")
    assert result.code == 0, result.stderr
    assert hub_env.api.dataset_info("org/secret").private is True
    anonymous = HfApi(endpoint=hub_env.endpoint, token=False)
    with pytest.raises(RepositoryNotFoundError):
        anonymous.dataset_info("org/secret")
    public = run_cli("publish", ACCEPT, "-b", str(releases.v100), "--repo", REPO)
    assert public.code == 0, public.stderr
    assert hub_env.api.dataset_info(REPO).private is False
