"""The test Hub server against the real clients: huggingface_hub.HfApi and datasets.load_dataset.

These tests pin what the publishing code may rely on, including how the clients react to failures
(see the fault tests at the end: which calls retry and which surface the error).
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
from pathlib import Path

import datasets
import httpx2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hub_fixtures import HUB_TOKEN, ForbiddenNetworkAccess, HubEnv, install_loopback_guard
from hubserver import HubServer
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    HfApi,
    HfFileSystem,
    get_hf_file_metadata,
    hf_hub_download,
    hf_hub_url,
    list_repo_refs,
    snapshot_download,
)
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

pytest_plugins = ["hub_fixtures"]

REPO = "org/news"
DATA = "data/train-00000-of-00001.parquet"
README = b"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
---
# News
"""


def parquet_bytes(titles: list[str]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": list(range(len(titles))), "title": titles}), buffer)
    return buffer.getvalue()


def publish(
    api: HfApi, titles: list[str], tag: str | None = None, parent: str | None = None
) -> str:
    """Commit README + one Parquet shard (+ a tag) as a dataset release does; returns the commit."""
    api.create_repo(REPO, repo_type="dataset", exist_ok=True)
    info = api.create_commit(
        REPO,
        repo_type="dataset",
        operations=[
            CommitOperationAdd("README.md", README),
            CommitOperationAdd(DATA, parquet_bytes(titles)),
        ],
        commit_message=f"Release {tag or 'draft'}",
        parent_commit=parent,
    )
    if tag is not None:
        api.create_tag(REPO, repo_type="dataset", tag=tag, revision=info.oid)
    return info.oid


def test_create_repo_has_main_at_once_and_is_idempotent(hub_env: HubEnv) -> None:
    api = hub_env.api
    url = api.create_repo(REPO, repo_type="dataset")
    assert url == f"{hub_env.endpoint}/datasets/{REPO}"
    assert api.create_repo(REPO, repo_type="dataset", exist_ok=True) == url
    with pytest.raises(HfHubHTTPError) as error:
        api.create_repo(REPO, repo_type="dataset")
    assert error.value.response.status_code == 409

    refs = api.list_repo_refs(REPO, repo_type="dataset")
    assert [branch.name for branch in refs.branches] == ["main"]
    assert refs.branches[0].target_commit == hub_env.server.head(REPO)
    assert api.list_repo_files(REPO, repo_type="dataset") == [".gitattributes"]
    assert api.repo_exists(REPO, repo_type="dataset")
    assert not api.repo_exists("org/missing", repo_type="dataset")
    assert api.whoami()["name"] == "test-user"
    assert set(hub_env.server.tokens) == {HUB_TOKEN}


def test_commit_sends_parquet_through_lfs_and_text_inline(hub_env: HubEnv) -> None:
    api, server = hub_env.api, hub_env.server
    shard = parquet_bytes(["a", "b"])
    publish(api, ["a", "b"])

    snapshot = server.snapshot(REPO)
    assert (snapshot["README.md"], snapshot[DATA]) == (README, shard)
    assert [r.status for r in server.requests_matching("/lfs-upload/", "PUT")] == [200]
    files = {f.path: f for f in api.list_repo_tree(REPO, repo_type="dataset", recursive=True)}
    assert set(files) == {".gitattributes", "README.md", "data", DATA}
    assert files[DATA].lfs is not None and files[DATA].size == len(shard)
    assert files["README.md"].lfs is None and files["README.md"].size == len(README)
    top_level = {f.path for f in api.list_repo_tree(REPO, repo_type="dataset")}
    assert top_level == {"data", ".gitattributes", "README.md"}
    assert [f.path for f in api.list_repo_tree(REPO, "data", repo_type="dataset")] == [DATA]
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(REPO, "nope", repo_type="dataset"))
    infos = api.get_paths_info(REPO, ["README.md", "data", "missing"], repo_type="dataset")
    assert [info.path for info in infos] == ["README.md", "data"]
    assert api.file_exists(REPO, DATA, repo_type="dataset")
    assert not api.file_exists(REPO, "data/other.parquet", repo_type="dataset")

    head = server.head(REPO)
    publish(api, ["a", "b"])  # identical content: preupload oids let the client skip the commit
    assert server.head(REPO) == head

    api.create_commit(
        REPO,
        repo_type="dataset",
        operations=[CommitOperationDelete("data/"), CommitOperationDelete("README.md")],
        commit_message="Remove everything",
    )
    assert set(server.snapshot(REPO)) == {".gitattributes"}
    assert set(server.tokens) == {HUB_TOKEN}


def test_stale_parent_commit_is_rejected_with_412(hub_env: HubEnv) -> None:
    api, server = hub_env.api, hub_env.server
    first = publish(api, ["a"])
    publish(api, ["b"], parent=first)
    with pytest.raises(HfHubHTTPError) as error:
        publish(api, ["c"], parent=first)
    assert error.value.response.status_code == 412
    assert pq.read_table(io.BytesIO(server.snapshot(REPO)[DATA]))["title"].to_pylist() == ["b"]


def test_tags_pin_content(hub_env: HubEnv) -> None:
    api = hub_env.api
    v1 = publish(api, ["one"], tag="v1.0.0")
    publish(api, ["two"], tag="release/2024.01")  # a slash travels URL-quoted in one path segment

    with pytest.raises(HfHubHTTPError) as error:
        api.create_tag(REPO, repo_type="dataset", tag="v1.0.0")
    assert error.value.response.status_code == 409
    api.create_tag(REPO, repo_type="dataset", tag="v1.0.0", exist_ok=True)

    refs = list_repo_refs(REPO, repo_type="dataset")  # module-level function: patched constants
    assert {tag.name: tag.target_commit for tag in refs.tags}["v1.0.0"] == v1
    for tag, title in (("v1.0.0", "one"), ("release/2024.01", "two")):
        assert DATA in api.list_repo_files(REPO, repo_type="dataset", revision=tag)
        path = hf_hub_download(REPO, DATA, repo_type="dataset", revision=tag)
        assert pq.read_table(path)["title"].to_pylist() == [title]
    commits = api.list_repo_commits(REPO, repo_type="dataset", revision="v1.0.0")
    assert [c.title for c in commits] == ["Release v1.0.0", "initial commit"]

    api.delete_tag(REPO, repo_type="dataset", tag="v1.0.0")
    with pytest.raises(RevisionNotFoundError):
        api.list_repo_files(REPO, repo_type="dataset", revision="v1.0.0")
    with pytest.raises(RepositoryNotFoundError):
        api.list_repo_files("org/missing", repo_type="dataset")


def test_downloads_carry_hub_headers_and_honour_ranges(hub_env: HubEnv) -> None:
    api = hub_env.api
    shard = parquet_bytes(["x"] * 100)
    commit = publish(api, ["x"] * 100, tag="v1")
    metadata = get_hf_file_metadata(hf_hub_url(REPO, DATA, repo_type="dataset", revision="v1"))
    assert (metadata.commit_hash, metadata.size) == (commit, len(shard))
    assert metadata.etag == api.get_paths_info(REPO, DATA, repo_type="dataset")[0].lfs.sha256

    with HfFileSystem(endpoint=hub_env.endpoint, token=HUB_TOKEN, skip_instance_cache=True).open(
        f"datasets/{REPO}@v1/{DATA}", block_size=16
    ) as remote:
        remote.seek(len(shard) - 8)
        assert remote.read() == shard[-8:]
    assert 206 in {r.status for r in hub_env.server.requests_matching("/resolve/v1/", "GET")}

    folder = Path(snapshot_download(REPO, repo_type="dataset", revision="v1"))
    assert folder.is_relative_to(hub_env.hf_home / "hub")
    assert (folder / DATA).read_bytes() == shard


@pytest.mark.parametrize("streaming", [False, True])
def test_load_dataset_returns_each_tags_rows(hub_env: HubEnv, streaming: bool) -> None:
    releases = {"v1.0.0": ["first", "release"], "v2.0.0": ["second", "release", "grew"]}
    for tag, titles in releases.items():
        publish(hub_env.api, titles, tag=tag)
    for tag, titles in releases.items():
        split = datasets.load_dataset(REPO, revision=tag, split="train", streaming=streaming)
        assert [row["title"] for row in split] == titles
        assert hub_env.server.requests_matching(f"/resolve/{tag}/README.md", "HEAD")


def test_commit_refuses_unknown_lfs_objects_and_missing_paths(hub_env: HubEnv) -> None:
    """Protocol checks a client cannot trigger: raw NDJSON commits."""
    hub_env.api.create_repo(REPO, repo_type="dataset")
    header = {"key": "header", "value": {"summary": "raw"}}
    lfs_file = {"path": DATA, "algo": "sha256", "oid": "0" * 64, "size": 3}
    cases = [
        ({"key": "lfsFile", "value": lfs_file}, 400, None),
        ({"key": "deletedFile", "value": {"path": "missing.txt"}}, 404, "EntryNotFound"),
        (
            {"key": "file", "value": {"path": "../escape", "content": "", "encoding": "base64"}},
            400,
            None,
        ),
    ]
    for operation, status, code in cases:
        response = httpx2.post(
            f"{hub_env.endpoint}/api/datasets/{REPO}/commit/main",
            content=b"".join(json.dumps(line).encode() + b"\n" for line in (header, operation)),
            headers={
                "Authorization": f"Bearer {HUB_TOKEN}",
                "Content-Type": "application/x-ndjson",
            },
        )
        assert (response.status_code, response.headers.get("X-Error-Code")) == (status, code)
        assert "error" in response.json()
    assert [c.title for c in hub_env.api.list_repo_commits(REPO, repo_type="dataset")] == [
        "initial commit"
    ]


def test_private_repo_is_invisible_without_token(hub_env: HubEnv) -> None:
    hub_env.api.create_repo("org/secret", repo_type="dataset", private=True)
    assert hub_env.api.list_repo_files("org/secret", repo_type="dataset") == [".gitattributes"]
    anonymous = HfApi(endpoint=hub_env.endpoint, token=False)
    with pytest.raises(RepositoryNotFoundError):
        anonymous.list_repo_files("org/secret", repo_type="dataset")
    with pytest.raises(HfHubHTTPError) as error:
        anonymous.create_tag("org/secret", repo_type="dataset", tag="v1")
    assert error.value.response.status_code == 401


def test_corrupt_file_changes_served_bytes_but_not_metadata(hub_env: HubEnv) -> None:
    api, server = hub_env.api, hub_env.server
    publish(api, ["a"], tag="v1")
    recorded = api.get_paths_info(REPO, DATA, repo_type="dataset", revision="v1")[0]
    server.corrupt_file(REPO, "v1", DATA, b"garbage")
    assert api.get_paths_info(REPO, DATA, repo_type="dataset", revision="v1")[0].lfs == recorded.lfs
    path = Path(hf_hub_download(REPO, DATA, repo_type="dataset", revision="v1"))
    assert path.read_bytes() == b"garbage" == server.snapshot(REPO, "v1")[DATA]


def test_state_survives_a_restart_on_the_same_root(hub_env: HubEnv) -> None:
    commit = publish(hub_env.api, ["a"], tag="v1")
    with HubServer(hub_env.server.root) as again:
        assert again.head(REPO) == commit
        assert again.snapshot(REPO, "v1") == hub_env.server.snapshot(REPO, "v1")


# Faults: what the clients do ----------------------------------------------------------------------


def test_commit_is_not_retried_on_500_nor_429(hub_env: HubEnv) -> None:
    """create_commit POSTs once: a 5xx/429 surfaces as HfHubHTTPError and nothing is committed."""
    api, server = hub_env.api, hub_env.server
    api.create_repo(REPO, repo_type="dataset")
    head = server.head(REPO)
    for fault in (("status", 500), ("status", 429, {"Retry-After": "1"})):
        server.inject("commit", fault)
        with pytest.raises(HfHubHTTPError) as error:
            publish(api, ["a"])
        assert error.value.response.status_code == fault[1]
        assert server.head(REPO) == head
    assert len(server.requests_matching("/commit/main")) == 2
    publish(api, ["a"])  # the LFS object uploaded by the failed attempts is reused
    assert server.head(REPO) != head


def test_preupload_is_retried_on_500_and_honours_retry_after(hub_env: HubEnv) -> None:
    """Preupload, LFS batch and LFS PUT go through http_backoff: 1 s back-off, Retry-After + 1 s."""
    api, server = hub_env.api, hub_env.server
    api.create_repo(REPO, repo_type="dataset")
    server.inject("preupload", ("status", 500))
    server.inject("lfs_batch", ("status", 429, {"Retry-After": "1"}))
    started = time.monotonic()
    publish(api, ["a"])
    assert time.monotonic() - started >= 3  # 1 s after the 500, 1 + 1 s after the 429
    assert [r.status for r in server.requests_matching("/preupload/")] == [500, 200]
    assert [r.status for r in server.requests_matching("/objects/batch")] == [429, 200]
    assert server.faults.pending() == 0


def test_connection_dropped_mid_lfs_upload_is_retried(hub_env: HubEnv) -> None:
    """The LFS PUT goes through http_backoff: the reset is retried after 1 s, from the start."""
    api, server = hub_env.api, hub_env.server
    titles = [os.urandom(500).hex() for _ in range(1000)]  # ~1 MB that Parquet cannot shrink
    server.inject("lfs_upload", "drop")
    publish(api, titles)
    assert [r.status for r in server.requests_matching("/lfs-upload/", "PUT")] == [None, 200]
    assert pq.read_table(io.BytesIO(server.snapshot(REPO)[DATA]))["title"].to_pylist() == titles


def test_connection_dropped_on_commit_surfaces(hub_env: HubEnv) -> None:
    """The commit POST is not retried: a reset reaches the caller as an httpx2 transport error."""
    api, server = hub_env.api, hub_env.server
    api.create_repo(REPO, repo_type="dataset")
    head = server.head(REPO)
    server.inject("commit", "drop")
    with pytest.raises(httpx2.TransportError):
        publish(api, ["a"])
    assert server.head(REPO) == head


def test_download_faults(hub_env: HubEnv) -> None:
    """hf_hub_download on an empty cache: a failed HEAD is tried again once (with a cached copy the
    client would return it silently instead); the GET is restarted after a reset, retried after
    Retry-After + 1 s on 429, and not retried on 500."""
    server = hub_env.server
    shard = parquet_bytes(["a"])
    publish(hub_env.api, ["a"], tag="v1")

    def download(cache: str) -> bytes:
        path = hf_hub_download(
            REPO, DATA, repo_type="dataset", revision="v1", cache_dir=hub_env.hf_home / cache
        )
        return Path(path).read_bytes()

    server.inject("resolve", ("status", 503), method="HEAD")
    assert download("a") == shard
    server.inject("resolve", "drop", method="GET")
    assert download("b") == shard
    server.inject("resolve", ("status", 429, {"Retry-After": "0"}), method="GET")
    assert download("c") == shard
    server.inject("resolve", ("status", 500), method="GET")
    with pytest.raises(HfHubHTTPError):
        download("d")
    calls = [f"{r.method} {r.status}" for r in server.requests_matching(f"/resolve/v1/{DATA}")]
    assert calls == [
        *("HEAD 503", "HEAD 200", "GET 200"),
        *("HEAD 200", "GET None", "GET 200"),
        *("HEAD 200", "GET 429", "GET 200"),
        *("HEAD 200", "GET 500"),
    ]


def test_concurrent_commit_makes_the_clients_parent_stale(hub_env: HubEnv) -> None:
    api, server = hub_env.api, hub_env.server
    api.create_repo(REPO, repo_type="dataset")
    server.inject("commit", ("concurrent_commit",))
    with pytest.raises(HfHubHTTPError) as error:
        publish(api, ["a"], parent=server.head(REPO))
    assert error.value.response.status_code == 412
    server.inject("commit", ("concurrent_commit",))
    publish(api, ["a"])  # without parent_commit the commit lands on top of the concurrent one
    titles = [c.title for c in api.list_repo_commits(REPO, repo_type="dataset")]
    assert titles == ["Release draft", "Concurrent commit", "Concurrent commit", "initial commit"]


def test_delay_and_echo_auth_faults(hub_env: HubEnv) -> None:
    api, server = hub_env.api, hub_env.server
    api.create_repo(REPO, repo_type="dataset")
    server.inject("refs", ("delay", 0.3))
    started = time.monotonic()
    api.list_repo_refs(REPO, repo_type="dataset")  # slow, then answered normally
    assert time.monotonic() - started >= 0.3
    server.inject("refs", ("echo_auth", 500))
    with pytest.raises(HfHubHTTPError) as error:
        api.list_repo_refs(REPO, repo_type="dataset")
    assert error.value.response.status_code == 500
    assert f"Authorization: Bearer {HUB_TOKEN}" in error.value.response.text
    assert HUB_TOKEN in error.value.response.headers["X-Error-Message"]
    assert HUB_TOKEN in str(error.value)  # what a careless client would then show
    for bad in [("delay", 0), ("delay", "1"), ("echo_auth", 200), ("echo_auth",)]:
        with pytest.raises(ValueError):
            server.inject("refs", bad)


def test_inject_rejects_unknown_faults(hub_server: HubServer) -> None:
    with pytest.raises(ValueError):
        hub_server.inject("nope", ("status", 500))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hub_server.inject("tag", ("concurrent_commit",))
    with pytest.raises(ValueError):
        hub_server.inject("commit", ("status", 200))


def test_loopback_guard_refuses_other_hosts(hub_server: HubServer) -> None:
    install_loopback_guard()
    with pytest.raises(ForbiddenNetworkAccess):
        socket.create_connection(("203.0.113.7", 443), timeout=1)
    with pytest.raises(ForbiddenNetworkAccess):
        socket.getaddrinfo("huggingface.co", 443)
    host, port = hub_server.endpoint.removeprefix("http://").split(":")
    socket.create_connection((host, int(port)), timeout=1).close()
