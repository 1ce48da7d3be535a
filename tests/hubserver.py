"""A Hugging Face Hub look-alike HTTP server for tests, on 127.0.0.1.

It speaks enough of the Hub protocol (REST API, git-LFS basic transfer, ``resolve`` downloads)
for the real ``huggingface_hub.HfApi``, ``hf_hub_download``, ``snapshot_download`` and
``datasets.load_dataset`` (also streaming) to publish to it and read from it, so publishing code is
tested against the clients it ships with rather than against mocks. Protocol notes and traps:
``/work/shared/HUB_PROTOCOL.md``.

State lives on disk under ``root``: content-addressed blobs, one JSON file per commit (its id is
the sha1 of its canonical JSON) and one JSON file per repo (refs, uploaded LFS objects). A server
started again on the same root serves the same repos, which lets a test simulate a Hub outage.

Tests script failures per route kind with :meth:`HubServer.inject` (HTTP status, dropped connection,
slow answer, an error echoing the credentials, concurrent commit) and inspect :attr:`HubServer.requests` and :attr:`HubServer.tokens`.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import json
import re
import secrets
import socket
import socketserver
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, NamedTuple, get_args
from urllib.parse import parse_qs, unquote, urlsplit

RouteKind = Literal[
    "whoami",
    "create_repo",
    "validate_yaml",
    "repo_info",
    "preupload",
    "lfs_batch",
    "lfs_upload",
    "lfs_verify",
    "commit",
    "tag",
    "refs",
    "tree",
    "paths_info",
    "commits",
    "resolve",
]
ROUTE_KINDS: frozenset[str] = frozenset(get_args(RouteKind))

FaultSpec = str | tuple[Any, ...]
"""A fault: ``"drop"``, ``("status", code[, {header: value}])``, ``("delay", seconds)``,
``("echo_auth", code)`` or ``("concurrent_commit",)``.

``"drop"`` reads part of the request body, then closes the connection without an answer.
``("delay", seconds)`` waits before handling the request normally: a client with a shorter timeout
gives up (and may retry) while the server still completes the request, as a slow Hub would.
``("echo_auth", code)`` answers ``code`` with the request's ``Authorization`` header in the error
body and ``X-Error-Message``, as a careless proxy or server might: proves a client never shows it.
``("concurrent_commit",)`` lands another commit on the branch just before the client's commit, so a
client that sent ``parentCommit`` gets 412.
"""

USER = "test-user"
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024
"""Files above this size go through LFS, as the real Hub decides."""
LFS_SUFFIXES = (".parquet", ".arrow")
INITIAL_GITATTRIBUTES = (
    b"*.parquet filter=lfs diff=lfs merge=lfs -text\n*.arrow filter=lfs diff=lfs merge=lfs -text\n"
)

_REPO_TYPE_BY_PLURAL = {"models": "model", "datasets": "dataset", "spaces": "space"}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_COMMIT_ID_RE = re.compile(r"^[0-9a-f]{40}$")
_COPY_CHUNK = 1024 * 1024
_MAX_HISTORY = 100_000
"""Upper bound on any walk over a commit history."""
_MAX_CHUNKS = 1_000_000
"""Upper bound on the chunks of a chunked request body."""


class RequestRecord(NamedTuple):
    """One handled request; ``status`` is ``None`` when the connection was dropped on purpose."""

    method: str
    path: str
    status: int | None


@dataclass(frozen=True)
class Fault:
    """A scripted failure, consumed by the next request of its route kind."""

    action: Literal["status", "drop", "delay", "echo_auth", "concurrent_commit"]
    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @classmethod
    def parse(cls, spec: FaultSpec) -> Fault:
        if spec == "drop":
            return cls("drop")
        if isinstance(spec, tuple) and spec == ("concurrent_commit",):
            return cls("concurrent_commit")
        pair = isinstance(spec, tuple) and len(spec) == 2
        if pair and spec[0] == "delay" and isinstance(spec[1], (int, float)) and 0 < spec[1] <= 30:
            return cls("delay", seconds=float(spec[1]))
        if pair and spec[0] == "echo_auth" and isinstance(spec[1], int) and 400 <= spec[1] <= 599:
            return cls("echo_auth", spec[1])
        if isinstance(spec, tuple) and len(spec) in (2, 3) and spec[0] == "status":
            headers = spec[2] if len(spec) == 3 else {}
            if isinstance(spec[1], int) and 400 <= spec[1] <= 599 and isinstance(headers, Mapping):
                return cls("status", spec[1], dict(headers))
        raise ValueError(f"unknown fault {spec!r}")


class Faults:
    """Thread-safe FIFO of scripted faults per route kind (and optionally per HTTP method)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[tuple[Fault, str | None]]] = {}

    def inject(
        self, kind: RouteKind, fault: FaultSpec, times: int = 1, method: str | None = None
    ) -> None:
        """Make the next ``times`` requests of route ``kind`` fail with ``fault``.

        ``method`` narrows the fault to one HTTP method, e.g. ``"GET"`` to let the ``HEAD`` of a
        ``resolve`` through and break the download itself.
        """
        if kind not in ROUTE_KINDS:
            raise ValueError(f"unknown route kind {kind!r}; expected one of {sorted(ROUTE_KINDS)}")
        parsed = Fault.parse(fault)
        if parsed.action == "concurrent_commit" and kind != "commit":
            raise ValueError("'concurrent_commit' only applies to the 'commit' route")
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            queue = self._queues.setdefault(kind, deque())
            queue.extend([(parsed, method.upper() if method else None)] * times)

    def take(self, kind: str, method: str) -> Fault | None:
        """Pop the first fault queued for ``kind`` that applies to ``method``, if any."""
        with self._lock:
            queue = self._queues.get(kind, deque())
            for index, (fault, only) in enumerate(queue):
                if only in (None, method):
                    del queue[index]
                    return fault
            return None

    def pending(self, kind: RouteKind | None = None) -> int:
        """Faults not consumed yet, for one kind or in total (tests assert a fault was hit)."""
        with self._lock:
            if kind is not None:
                return len(self._queues.get(kind, ()))
            return sum(len(queue) for queue in self._queues.values())

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()


class HubError(Exception):
    """An error answer: JSON ``{"error": message}``, typed by ``X-Error-Code`` like the real Hub."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


def _repo_not_found(key: RepoKey) -> HubError:
    return HubError(404, f"Repository {key.repo_id} ({key.repo_type}) not found", "RepoNotFound")


def _revision_not_found(revision: str) -> HubError:
    return HubError(404, f"Revision '{revision}' not found", "RevisionNotFound")


def _entry_not_found(path: str) -> HubError:
    return HubError(404, f"Entry '{path}' not found", "EntryNotFound")


def _now() -> str:
    """UTC time the way the Hub writes it (the client cannot parse ``+00:00``)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _lfs_pointer(sha256: str, size: int) -> bytes:
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


class RepoKey(NamedTuple):
    repo_type: str
    repo_id: str

    @property
    def label(self) -> str:
        """``type:id``, recorded in commits so that a commit id cannot leak into another repo."""
        return f"{self.repo_type}:{self.repo_id}"

    @property
    def url_prefix(self) -> str:
        """Path prefix of the repo's web routes (models have none)."""
        return self.repo_id if self.repo_type == "model" else f"{self.repo_type}s/{self.repo_id}"


@dataclass(frozen=True)
class FileEntry:
    """A file in a commit; ``oid`` is its git blob sha1 (of the pointer for LFS files, as git)."""

    sha256: str
    oid: str
    size: int
    lfs: bool

    @classmethod
    def regular(cls, data: bytes) -> FileEntry:
        return cls(hashlib.sha256(data).hexdigest(), _git_blob_sha1(data), len(data), lfs=False)

    @classmethod
    def lfs_object(cls, sha256: str, size: int) -> FileEntry:
        return cls(sha256, _git_blob_sha1(_lfs_pointer(sha256, size)), size, lfs=True)

    @property
    def upload_oid(self) -> str:
        """The oid preupload reports; the client compares it with its local sha256 (LFS) or sha1."""
        return self.sha256 if self.lfs else self.oid

    @property
    def etag(self) -> str:
        return f'"{self.upload_oid}"'

    def lfs_json(self) -> dict[str, Any]:
        return {
            "oid": self.sha256,
            "size": self.size,
            "pointerSize": len(_lfs_pointer(self.sha256, self.size)),
        }


@dataclass(frozen=True)
class Commit:
    id: str
    repo: str
    parent: str | None
    title: str
    message: str
    date: str
    author: str
    files: dict[str, FileEntry]

    @classmethod
    def create(
        cls, key: RepoKey, parent: str | None, title: str, message: str, files: dict[str, FileEntry]
    ) -> Commit:
        body = {
            "repo": key.label,
            "parent": parent,
            "title": title,
            "message": message,
            "date": _now(),
            "author": USER,
            "files": {path: asdict(entry) for path, entry in sorted(files.items())},
        }
        return cls.from_json({"id": hashlib.sha1(_canonical_json(body)).hexdigest(), **body})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Commit:
        files = {path: FileEntry(**entry) for path, entry in data["files"].items()}
        return cls(**{**data, "files": files})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RepoState:
    """Mutable repo record; ``overrides`` holds :meth:`HubServer.corrupt_file` damage per commit."""

    repo_type: str
    repo_id: str
    private: bool
    created_at: str
    branches: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    lfs_objects: list[str] = field(default_factory=list)
    overrides: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


class CommitOp(NamedTuple):
    """One commit operation: ``put`` carries an entry, deletes carry only a path."""

    action: Literal["put", "delete_file", "delete_folder"]
    path: str
    entry: FileEntry | None = None


class _Store:
    """Repos, commits and blobs under ``root``.

    One re-entrant lock serialises every read-modify-write, so a request never sees half a commit
    and the parentCommit check and the branch move are atomic.
    """

    def __init__(self, root: Path) -> None:
        self.lock = threading.RLock()
        self._blobs = root / "blobs"
        self._commits = root / "commits"
        self._repos = root / "repos"
        for folder in (self._blobs, self._commits, self._repos):
            folder.mkdir(parents=True, exist_ok=True)
        self._upload_tickets: dict[str, tuple[RepoKey, str, int]] = {}

    # Blobs ----------------------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self._blobs / sha256
        if not path.exists():
            tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return sha256

    def blob_path(self, sha256: str) -> Path:
        return self._blobs / sha256

    # Repos ----------------------------------------------------------------------------------------

    def _repo_file(self, key: RepoKey) -> Path:
        return self._repos / key.repo_type / f"{key.repo_id}.json"

    def load_repo(self, key: RepoKey) -> RepoState | None:
        path = self._repo_file(key)
        if not path.exists():
            return None
        return RepoState(**json.loads(path.read_text()))

    def require_repo(self, key: RepoKey) -> RepoState:
        state = self.load_repo(key)
        if state is None:
            raise _repo_not_found(key)
        return state

    def _save_repo(self, state: RepoState) -> None:
        path = self._repo_file(RepoKey(state.repo_type, state.repo_id))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(state), indent=1, sort_keys=True))
        tmp.replace(path)

    def create_repo(self, key: RepoKey, private: bool) -> bool:
        """Create the repo with an initial commit, as the Hub does; False if it already exists."""
        with self.lock:
            if self.load_repo(key) is not None:
                return False
            gitattributes = FileEntry.regular(INITIAL_GITATTRIBUTES)
            self.put_blob(INITIAL_GITATTRIBUTES)
            commit = Commit.create(
                key, None, "initial commit", "", {".gitattributes": gitattributes}
            )
            self._save_commit(commit)
            state = RepoState(key.repo_type, key.repo_id, private, commit.date, {"main": commit.id})
            self._save_repo(state)
            return True

    # Commits and revisions ------------------------------------------------------------------------

    def _save_commit(self, commit: Commit) -> None:
        (self._commits / f"{commit.id}.json").write_text(json.dumps(commit.to_json(), indent=1))

    def load_commit(self, commit_id: str) -> Commit:
        return Commit.from_json(json.loads((self._commits / f"{commit_id}.json").read_text()))

    def resolve(self, key: RepoKey, revision: str) -> Commit:
        """Branch, tag or full commit id of this repo -> commit."""
        with self.lock:
            state = self.require_repo(key)
            commit_id = state.branches.get(revision) or state.tags.get(revision)
            if commit_id is None and _COMMIT_ID_RE.match(revision):
                commit_id = revision
            if commit_id is None or not (self._commits / f"{commit_id}.json").exists():
                raise _revision_not_found(revision)
            commit = self.load_commit(commit_id)
            if commit.repo != key.label:
                raise _revision_not_found(revision)  # a commit of another repo
            return commit

    def history(self, key: RepoKey, revision: str) -> list[Commit]:
        """Commits reachable from ``revision``, newest first."""
        with self.lock:
            commit: Commit | None = self.resolve(key, revision)
            commits: list[Commit] = []
            for _ in range(_MAX_HISTORY):
                if commit is None:
                    break
                commits.append(commit)
                commit = self.load_commit(commit.parent) if commit.parent else None
            return commits

    def apply_commit(
        self,
        key: RepoKey,
        branch: str,
        ops: list[CommitOp],
        title: str,
        message: str = "",
        parent: str | None = None,
    ) -> Commit:
        """Apply ``ops`` on top of ``branch``; 412 when ``parent`` is given and is not the head."""
        with self.lock:
            state = self.require_repo(key)
            head_id = state.branches.get(branch)
            if head_id is None:
                raise _revision_not_found(branch)
            if parent is not None and parent != head_id:
                raise HubError(412, "A commit has happened since. Please refresh and try again.")
            files = dict(self.load_commit(head_id).files)
            for op in ops:
                self._apply_op(key, files, op)
            commit = Commit.create(key, head_id, title, message, files)
            self._save_commit(commit)
            state.branches[branch] = commit.id
            self._save_repo(state)
            return commit

    def _apply_op(self, key: RepoKey, files: dict[str, FileEntry], op: CommitOp) -> None:
        if op.action == "put":
            assert op.entry is not None
            lfs_missing = op.entry.lfs and not self.has_lfs_object(
                key, op.entry.sha256, op.entry.size
            )
            if lfs_missing:
                raise HubError(
                    400, f"LFS object of '{op.path}' was never uploaded (or has another size)"
                )
            files[op.path] = op.entry
        elif op.action == "delete_file":
            if files.pop(op.path, None) is None:
                raise HubError(
                    404, f"A file with this name doesn't exist: {op.path}", "EntryNotFound"
                )
        else:
            prefix = op.path.rstrip("/") + "/"
            doomed = [path for path in files if path.startswith(prefix)]
            if not doomed:
                raise HubError(
                    404, f"A folder with this name doesn't exist: {op.path}", "EntryNotFound"
                )
            for path in doomed:
                del files[path]

    def create_tag(self, key: RepoKey, tag: str, revision: str) -> None:
        with self.lock:
            commit = self.resolve(key, revision)
            state = self.require_repo(key)
            if tag in state.tags or tag in state.branches:
                raise HubError(409, f"Tag '{tag}' already exists")
            state.tags[tag] = commit.id
            self._save_repo(state)

    def delete_tag(self, key: RepoKey, tag: str) -> None:
        with self.lock:
            state = self.require_repo(key)
            if state.tags.pop(tag, None) is None:
                raise _revision_not_found(tag)
            self._save_repo(state)

    # LFS ------------------------------------------------------------------------------------------

    def has_lfs_object(self, key: RepoKey, sha256: str, size: int) -> bool:
        with self.lock:
            state = self.require_repo(key)
            path = self.blob_path(sha256)
            return sha256 in state.lfs_objects and path.exists() and path.stat().st_size == size

    def upload_ticket(self, key: RepoKey, sha256: str, size: int) -> str:
        """A secret that authorises one object's PUT, standing in for a pre-signed storage URL."""
        with self.lock:
            ticket = secrets.token_hex(16)
            self._upload_tickets[ticket] = (key, sha256, size)
            return ticket

    def receive_upload(self, ticket: str, data: bytes) -> None:
        """Store a PUT object if it matches the oid and size the ticket was issued for."""
        with self.lock:
            if ticket not in self._upload_tickets:
                raise HubError(403, "Unknown upload URL")
            key, sha256, size = self._upload_tickets[ticket]
        if len(data) != size or self.put_blob(data) != sha256:
            raise HubError(400, f"Uploaded content does not match oid {sha256} / size {size}")
        with self.lock:
            state = self.require_repo(key)
            state.lfs_objects = sorted({*state.lfs_objects, sha256})
            self._save_repo(state)

    # Served content -------------------------------------------------------------------------------

    def served_entry(self, key: RepoKey, commit: Commit, path: str) -> FileEntry:
        """The entry whose bytes are served for ``path``: the committed one unless corrupted."""
        with self.lock:
            state = self.require_repo(key)
            override = state.overrides.get(commit.id, {}).get(path)
            if override is not None:
                return FileEntry(**override)
            if path not in commit.files:
                raise _entry_not_found(path)
            return commit.files[path]

    def corrupt(self, key: RepoKey, revision: str, path: str, data: bytes) -> None:
        with self.lock:
            commit = self.resolve(key, revision)
            if path not in commit.files:
                raise _entry_not_found(path)
            sha256 = self.put_blob(data)
            lfs = commit.files[path].lfs
            damaged = FileEntry.lfs_object(sha256, len(data)) if lfs else FileEntry.regular(data)
            state = self.require_repo(key)
            state.overrides.setdefault(commit.id, {})[path] = asdict(damaged)
            self._save_repo(state)


def _tree_file(path: str, entry: FileEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "file", "path": path, "oid": entry.oid, "size": entry.size}
    if entry.lfs:
        item["lfs"] = entry.lfs_json()
    return item


def _tree_folder(path: str, files: dict[str, FileEntry]) -> dict[str, Any]:
    prefix = path + "/"
    content = sorted((p, e.oid) for p, e in files.items() if p.startswith(prefix))
    return {
        "type": "directory",
        "path": path,
        "oid": hashlib.sha1(_canonical_json(content)).hexdigest(),
    }


def _folders(files: dict[str, FileEntry]) -> set[str]:
    """Every folder holding at least one file (git has no empty folders)."""
    folders: set[str] = set()
    for path in files:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return folders


def _tree(files: dict[str, FileEntry], base: str, recursive: bool) -> list[dict[str, Any]]:
    """Tree listing under folder ``base`` ("" for the root): folders first, then files."""
    prefix = base + "/" if base else ""
    depth = prefix.count("/")

    def wanted(path: str) -> bool:
        return path.startswith(prefix) and (recursive or path.count("/") == depth)

    folders = [_tree_folder(path, files) for path in sorted(_folders(files)) if wanted(path)]
    return folders + [
        _tree_file(path, entry) for path, entry in sorted(files.items()) if wanted(path)
    ]


def _path_info(files: dict[str, FileEntry], path: str) -> dict[str, Any] | None:
    if path in files:
        return _tree_file(path, files[path])
    if path in _folders(files):
        return _tree_folder(path, files)
    return None


def _gitignore_patterns(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _is_ignored(path: str, patterns: list[str]) -> bool:
    """The Hub answers ``shouldIgnore`` for paths its ``.gitignore`` rules match (the client
    then leaves them out of the commit); a plain subset of gitignore: globs on the path or
    the name, and ``dir/`` for a folder."""
    name = path.rsplit("/", 1)[-1]
    for pattern in patterns:
        if pattern.endswith("/") and (path.startswith(pattern) or f"/{pattern}" in f"/{path}"):
            return True
        glob = pattern.lstrip("/")
        if fnmatch.fnmatchcase(path, glob) or ("/" not in glob and fnmatch.fnmatchcase(name, glob)):
            return True
    return False


def _is_lfs(path: str, size: int, sample: bytes) -> bool:
    return path.endswith(LFS_SUFFIXES) or size > LFS_SIZE_THRESHOLD or b"\0" in sample


def _clean_path(path: Any) -> str:
    """A repo path, refused when it could escape the repo or is not a plain relative path."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
        raise HubError(400, f"Invalid path {path!r}")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise HubError(400, f"Invalid path {path!r}")
    return path


@dataclass
class Reply:
    """A response: bytes in ``body``, or a ``(blob path, offset, length)`` slice read from disk."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    file_slice: tuple[Path, int, int] | None = None

    @classmethod
    def json(cls, value: Any, status: int = 200, content_type: str = "application/json") -> Reply:
        return cls(status, json.dumps(value).encode(), {"Content-Type": content_type})

    @classmethod
    def from_error(cls, error: HubError) -> Reply:
        reply = cls.json({"error": error.message}, error.status)
        reply.headers["X-Error-Message"] = error.message
        if error.code:
            reply.headers["X-Error-Code"] = error.code
        reply.headers.update(error.headers)
        return reply

    @property
    def length(self) -> int:
        return self.file_slice[2] if self.file_slice else len(self.body)


@dataclass
class Request:
    """What a route handler sees of a request."""

    method: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    token: str | None
    fault: Fault | None

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError as err:
            raise HubError(400, f"Invalid JSON body: {err}") from err
        if not isinstance(value, dict):
            raise HubError(400, "The JSON body must be an object")
        return value

    def flag(self, name: str) -> bool:
        return self.query.get(name, ["false"])[-1].lower() in ("1", "true")


class Route(NamedTuple):
    kind: RouteKind
    needs_token: bool
    handler: Callable[..., Reply]
    args: tuple[Any, ...]


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``Range: bytes=a-b`` / ``a-`` / ``-n`` -> (start, end exclusive); None: the whole file."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", (header or "").strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size
    else:
        start, end = int(first), size if last == "" else min(int(last) + 1, size)
    if start >= size or start >= end:
        raise HubError(416, "Range not satisfiable", headers={"Content-Range": f"bytes */{size}"})
    return start, end


class _App:
    """Route matching and the Hub's JSON shapes over a :class:`_Store`."""

    def __init__(self, hub: HubServer) -> None:
        self.hub = hub
        self.store = hub.store

    def match(self, method: str, segments: list[str]) -> Route:
        """Map a request to its route; the revision and path segments are already unquoted."""
        if segments[:1] == ["api"]:
            return self._match_api(method, segments[1:])
        if segments[:1] == ["lfs-upload"] and len(segments) == 2 and method == "PUT":
            return Route("lfs_upload", False, self.lfs_upload, (segments[1],))
        repo_type = _REPO_TYPE_BY_PLURAL.get(segments[0], "model") if segments else "model"
        rest = segments[1:] if repo_type != "model" else segments
        if len(rest) >= 2 and rest[1].endswith(".git") and rest[2:5] == ["info", "lfs", "objects"]:
            key = self._key(repo_type, rest[0], rest[1].removesuffix(".git"))
            if rest[5:] == ["batch"] and method == "POST":
                return Route("lfs_batch", True, self.lfs_batch, (key,))
            if rest[5:] == ["verify"] and method == "POST":
                return Route("lfs_verify", True, self.lfs_verify, (key,))
        if len(rest) >= 5 and rest[2] == "resolve" and method in ("GET", "HEAD"):
            key = self._key(repo_type, rest[0], rest[1])
            return Route("resolve", False, self.resolve, (key, rest[3], "/".join(rest[4:])))
        raise HubError(404, "Not Found")

    def _match_api(self, method: str, segments: list[str]) -> Route:
        if segments == ["whoami-v2"] and method == "GET":
            return Route("whoami", True, self.whoami, ())
        if segments == ["repos", "create"] and method == "POST":
            return Route("create_repo", True, self.create_repo, ())
        if segments == ["validate-yaml"] and method == "POST":
            return Route("validate_yaml", False, self.validate_yaml, ())
        if len(segments) < 3 or segments[0] not in _REPO_TYPE_BY_PLURAL:
            raise HubError(404, "Not Found")
        key = self._key(_REPO_TYPE_BY_PLURAL[segments[0]], segments[1], segments[2])
        action, args = (segments[3], segments[4:]) if len(segments) > 3 else ("", [])
        routes: dict[tuple[str, str, int], tuple[RouteKind, bool, Callable[..., Reply]]] = {
            ("GET", "", 0): ("repo_info", False, self.repo_info),
            ("GET", "revision", 1): ("repo_info", False, self.repo_info),
            ("POST", "preupload", 1): ("preupload", True, self.preupload),
            ("POST", "commit", 1): ("commit", True, self.commit),
            ("POST", "tag", 1): ("tag", True, self.create_tag),
            ("DELETE", "tag", 1): ("tag", True, self.delete_tag),
            ("GET", "refs", 0): ("refs", False, self.refs),
            ("POST", "paths-info", 1): ("paths_info", False, self.paths_info),
            ("GET", "commits", 1): ("commits", False, self.commits),
        }
        if action == "tree" and args and method == "GET":
            return Route("tree", False, self.tree, (key, args[0], "/".join(args[1:])))
        found = routes.get((method, action, len(args)))
        if found is None:
            raise HubError(404, "Not Found")
        kind, needs_token, handler = found
        return Route(kind, needs_token, handler, (key, *args))

    @staticmethod
    def _key(repo_type: str, namespace: str, name: str) -> RepoKey:
        if not (_NAME_RE.match(namespace) and _NAME_RE.match(name)):
            raise HubError(400, f"Invalid repo id {namespace}/{name}")
        return RepoKey(repo_type, f"{namespace}/{name}")

    def _readable(self, request: Request, key: RepoKey, revision: str) -> Commit:
        """Resolve a revision of a repo the caller may read (private repos need a token)."""
        if self.store.require_repo(key).private and not request.token:
            raise HubError(401, "Repository not found", "RepoNotFound")
        return self.store.resolve(key, revision)

    # Account and repos ----------------------------------------------------------------------------

    def whoami(self, request: Request) -> Reply:
        return Reply.json(
            {
                "type": "user",
                "id": "0" * 24,
                "name": USER,
                "fullname": "Test User",
                "email": f"{USER}@example.com",
                "emailVerified": True,
                "isPro": False,
                "orgs": [],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": "test", "role": "write"},
                },
            }
        )

    def create_repo(self, request: Request) -> Reply:
        payload = request.json()
        repo_type = payload.get("type") or "model"
        if repo_type not in _REPO_TYPE_BY_PLURAL.values():
            raise HubError(400, f"Invalid repo type {repo_type!r}")
        key = self._key(repo_type, payload.get("organization") or USER, str(payload.get("name")))
        private = bool(payload.get("private")) or payload.get("visibility") == "private"
        created = self.store.create_repo(key, private)
        body = {
            "url": f"{self.hub.endpoint}/{key.url_prefix}",
            "name": key.repo_id,
            "id": key.repo_id,
        }
        if not created:
            return Reply.json({**body, "error": "You already created this repo"}, 409)
        return Reply.json(body)

    def validate_yaml(self, request: Request) -> Reply:
        return Reply.json({"errors": [], "warnings": []})

    def repo_info(self, request: Request, key: RepoKey, revision: str = "main") -> Reply:
        commit = self._readable(request, key, revision)
        state = self.store.require_repo(key)
        with_blobs = request.flag("blobs")
        siblings = []
        for path, entry in sorted(commit.files.items()):
            sibling: dict[str, Any] = {"rfilename": path}
            if with_blobs:
                sibling.update(size=entry.size, blobId=entry.oid)
                if entry.lfs:
                    sibling["lfs"] = {"sha256": entry.sha256, **entry.lfs_json()}
            siblings.append(sibling)
        return Reply.json(
            {
                "_id": hashlib.sha1(key.repo_id.encode()).hexdigest()[:24],
                "id": key.repo_id,
                "author": key.repo_id.split("/")[0],
                "sha": commit.id,
                "createdAt": state.created_at,
                "lastModified": commit.date,
                "private": state.private,
                "gated": False,
                "disabled": False,
                "downloads": 0,
                "likes": 0,
                "tags": [],
                "siblings": siblings,
                "usedStorage": sum(entry.size for entry in commit.files.values()),
            }
        )

    def refs(self, request: Request, key: RepoKey) -> Reply:
        self._readable(request, key, "main")
        state = self.store.require_repo(key)

        def refs_of(kind: str, refs: dict[str, str]) -> list[dict[str, str]]:
            return [
                {"name": name, "ref": f"refs/{kind}/{name}", "targetCommit": target}
                for name, target in sorted(refs.items())
            ]

        return Reply.json(
            {
                "branches": refs_of("heads", state.branches),
                "tags": refs_of("tags", state.tags),
                "converts": [],
                "pullRequests": [],
            }
        )

    def commits(self, request: Request, key: RepoKey, revision: str) -> Reply:
        self._readable(request, key, revision)
        return Reply.json(
            [
                {
                    "id": commit.id,
                    "title": commit.title,
                    "message": commit.message,
                    "date": commit.date,
                    "authors": [{"user": commit.author}],
                }
                for commit in self.store.history(key, revision)
            ]
        )

    # Listing --------------------------------------------------------------------------------------

    def tree(self, request: Request, key: RepoKey, revision: str, path: str) -> Reply:
        files = self._readable(request, key, revision).files
        base = path.strip("/")
        if base and base not in _folders(files):
            raise _entry_not_found(base)
        return Reply.json(_tree(files, base, request.flag("recursive")))

    def paths_info(self, request: Request, key: RepoKey, revision: str) -> Reply:
        files = self._readable(request, key, revision).files
        form = parse_qs(request.body.decode())
        infos = (_path_info(files, path.strip("/")) for path in form.get("paths", []))
        return Reply.json([info for info in infos if info is not None])

    # Uploads --------------------------------------------------------------------------------------

    def preupload(self, request: Request, key: RepoKey, revision: str) -> Reply:
        files = self.store.resolve(key, revision).files
        payload = request.json()
        ignored = _gitignore_patterns(self._gitignore(key, files, payload))
        answers = []
        for item in payload.get("files", []):
            path = _clean_path(item.get("path"))
            lfs = _is_lfs(path, int(item.get("size", 0)), base64.b64decode(item.get("sample", "")))
            existing = files.get(path)
            answers.append(
                {
                    "path": path,
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": _is_ignored(path, ignored),
                    "oid": existing.upload_oid if existing else None,
                }
            )
        return Reply.json({"files": answers})

    def _gitignore(self, key: RepoKey, files: Mapping[str, FileEntry], payload: Any) -> str:
        """The ``.gitignore`` the Hub applies: the one the commit sends, else the branch's."""
        if isinstance(payload.get("gitIgnore"), str):
            return payload["gitIgnore"]
        entry = files.get(".gitignore")
        if entry is None:
            return ""
        return self.store.blob_path(entry.sha256).read_text(encoding="utf-8", errors="replace")

    def lfs_batch(self, request: Request, key: RepoKey) -> Reply:
        self.store.require_repo(key)
        payload = request.json()
        if payload.get("operation") != "upload":
            raise HubError(400, "Only the 'upload' operation is supported")
        objects = []
        for obj in payload.get("objects", []):
            oid, size = obj.get("oid"), obj.get("size")
            if not (
                isinstance(oid, str)
                and _SHA256_RE.match(oid)
                and isinstance(size, int)
                and size >= 0
            ):
                error = {"code": 422, "message": "Invalid oid or size"}
                objects.append({"oid": str(oid), "size": 0, "error": error})
            elif self.store.has_lfs_object(key, oid, size):
                objects.append({"oid": oid, "size": size})
            else:
                ticket = self.store.upload_ticket(key, oid, size)
                base = f"{self.hub.endpoint}/{key.url_prefix}.git/info/lfs/objects"
                actions = {
                    "upload": {"href": f"{self.hub.endpoint}/lfs-upload/{ticket}"},
                    "verify": {"href": f"{base}/verify"},
                }
                objects.append(
                    {"oid": oid, "size": size, "authenticated": True, "actions": actions}
                )
        return Reply.json(
            {"transfer": "basic", "objects": objects}, content_type="application/vnd.git-lfs+json"
        )

    def lfs_upload(self, request: Request, ticket: str) -> Reply:
        self.store.receive_upload(ticket, request.body)
        return Reply()

    def lfs_verify(self, request: Request, key: RepoKey) -> Reply:
        payload = request.json()
        oid, size = str(payload.get("oid")), payload.get("size")
        if not (isinstance(size, int) and self.store.has_lfs_object(key, oid, size)):
            raise HubError(404, f"Object {oid} not found")
        return Reply.json({"message": "ok"})

    def commit(self, request: Request, key: RepoKey, branch: str) -> Reply:
        if request.flag("create_pr"):
            raise HubError(400, "Pull requests are not supported by the test Hub")
        try:
            lines = [json.loads(line) for line in request.body.splitlines() if line.strip()]
        except ValueError as err:
            raise HubError(400, f"Invalid NDJSON commit payload: {err}") from err
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "The commit payload must start with a header line")
        header = lines[0]["value"]
        ops = [self._commit_op(line.get("key"), line.get("value", {})) for line in lines[1:]]
        if request.fault is not None and request.fault.action == "concurrent_commit":
            self.store.apply_commit(key, branch, [], title="Concurrent commit")
        commit = self.store.apply_commit(
            key,
            branch,
            ops,
            title=str(header.get("summary") or "Update"),
            message=str(header.get("description") or ""),
            parent=header.get("parentCommit"),
        )
        return Reply.json(
            {
                "success": True,
                "commitOid": commit.id,
                "commitUrl": f"{self.hub.endpoint}/{key.url_prefix}/commit/{commit.id}",
                "pullRequestUrl": None,
            }
        )

    def _commit_op(self, kind: str | None, value: dict[str, Any]) -> CommitOp:
        raw_path = value.get("path")
        if kind == "deletedFolder" and isinstance(raw_path, str):
            raw_path = raw_path.rstrip("/")  # the client sends folders as "data/"
        path = _clean_path(raw_path)
        if kind == "file":
            if value.get("encoding", "base64") != "base64":
                raise HubError(400, f"Unsupported encoding {value.get('encoding')!r}")
            data = base64.b64decode(value.get("content", ""))
            self.store.put_blob(data)
            return CommitOp("put", path, FileEntry.regular(data))
        if kind == "lfsFile":
            oid, size = value.get("oid"), value.get("size")
            valid = isinstance(oid, str) and _SHA256_RE.match(oid) and isinstance(size, int)
            if value.get("algo", "sha256") != "sha256" or not valid:
                raise HubError(400, f"Invalid lfsFile line for '{path}'")
            return CommitOp("put", path, FileEntry.lfs_object(oid, size))
        if kind == "deletedFile":
            return CommitOp("delete_file", path)
        if kind == "deletedFolder":
            return CommitOp("delete_folder", path)
        raise HubError(400, f"Unknown commit operation {kind!r}")

    def create_tag(self, request: Request, key: RepoKey, revision: str) -> Reply:
        tag = request.json().get("tag")
        if not isinstance(tag, str) or not tag or tag.startswith("/") or ".." in tag:
            raise HubError(400, f"Invalid tag name {tag!r}")
        self.store.create_tag(key, tag, revision)
        return Reply.json({"name": tag})

    def delete_tag(self, request: Request, key: RepoKey, tag: str) -> Reply:
        self.store.delete_tag(key, tag)
        return Reply.json({})

    # Downloads ------------------------------------------------------------------------------------

    def resolve(self, request: Request, key: RepoKey, revision: str, path: str) -> Reply:
        commit = self._readable(request, key, revision)
        entry = self.store.served_entry(key, commit, path)
        headers = {
            "X-Repo-Commit": commit.id,
            "ETag": entry.etag,
            "Accept-Ranges": "bytes",
            "Content-Type": "application/octet-stream",
        }
        if entry.lfs:
            headers.update({"X-Linked-Etag": entry.etag, "X-Linked-Size": str(entry.size)})
        byte_range = _parse_range(request.headers.get("Range"), entry.size)
        blob = self.store.blob_path(entry.sha256)
        if byte_range is None:
            return Reply(200, headers=headers, file_slice=(blob, 0, entry.size))
        start, end = byte_range
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{entry.size}"
        return Reply(206, headers=headers, file_slice=(blob, start, end - start))


class _Handler(BaseHTTPRequestHandler):
    """HTTP plumbing: body reading, faults, auth, logging; the routes live in :class:`_App`."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
    timeout = 30  # an idle keep-alive connection cannot pin a handler thread for ever
    server: _HTTPServer
    _body_read = False

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: :attr:`HubServer.requests` is the log tests read."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        hub = self.server.hub
        url = urlsplit(self.path)
        token = self._bearer_token()
        self._body_read = False
        status: int | None = None
        try:
            try:
                route = hub.app.match(method, [unquote(s) for s in url.path.split("/")[1:]])
                fault = hub.faults.take(route.kind, method)
                if fault is not None and fault.action == "drop":
                    self._drop()
                    return
                if fault is not None and fault.action == "delay":
                    time.sleep(fault.seconds)
                body = self._read_body()
                if fault is not None and fault.action == "status":
                    raise HubError(
                        fault.status, f"Injected fault: HTTP {fault.status}", headers=fault.headers
                    )
                if fault is not None and fault.action == "echo_auth":
                    sent = self.headers.get("Authorization") or "(none)"
                    raise HubError(
                        fault.status, f"Injected fault: HTTP {fault.status}; Authorization: {sent}"
                    )
                if route.needs_token and not token:
                    raise HubError(401, "Invalid credentials in Authorization header")
                request = Request(method, parse_qs(url.query), self.headers, body, token, fault)
                reply = route.handler(request, *route.args)
            except HubError as error:
                reply = Reply.from_error(error)
            except Exception as error:  # a server bug: answer 500 and let the fixture fail the test
                hub.record_error(f"{method} {self.path}: {traceback.format_exc()}")
                reply = Reply.from_error(HubError(500, f"Test server bug: {error!r}"))
            self._read_body_if_unread()
            status = reply.status
            self._send(reply, head_only=method == "HEAD")
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away mid-request
        finally:
            hub.record_request(RequestRecord(method, url.path, status), token)

    def _bearer_token(self) -> str | None:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def _read_body(self) -> bytes:
        self._body_read = True
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _read_body_if_unread(self) -> None:
        """Drain an unread body so the keep-alive connection stays in sync after an early error."""
        if not self._body_read:
            self._read_body()

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        for _ in range(_MAX_CHUNKS):
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionError("connection closed inside a chunked body")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                # Only the empty line ending the body is left: clients send no trailers.
                self.rfile.readline(1024)
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)
        raise HubError(413, "Chunked body has too many chunks")

    def _drop(self) -> None:
        """Read part of the body, then close without answering: a connection reset mid-request."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length // 2)
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.rfile.read1(64 * 1024)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, reply: Reply, head_only: bool) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(reply.length))
        self.end_headers()
        if head_only:
            return
        if reply.file_slice is None:
            self.wfile.write(reply.body)
            return
        path, offset, remaining = reply.file_slice
        with path.open("rb") as blob:
            blob.seek(offset)
            while remaining > 0:
                chunk = blob.read(min(_COPY_CHUNK, remaining))
                if not chunk:
                    raise ConnectionError(f"blob {path.name} is shorter than its entry")
                self.wfile.write(chunk)
                remaining -= len(chunk)


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server whose handler threads are all joined on close."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, hub: HubServer) -> None:
        self.hub = hub
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse-DNS lookup of the host name."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Wake handler threads idling on keep-alive connections: ``server_close`` joins them."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)


class HubServer:
    """A Hub-compatible server on 127.0.0.1, state under ``root``; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.store = _Store(self.root)
        self.app = _App(self)
        self.faults = Faults()
        self._log_lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._tokens: list[str] = []
        self._errors: list[str] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle ------------------------------------------------------------------------------------

    def start(self) -> HubServer:
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="hubserver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and join every server thread."""
        if self._httpd is None or self._thread is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join(timeout=10)
        self._httpd, self._thread = None, None

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``; the value for ``HF_ENDPOINT``."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # Faults and logs ------------------------------------------------------------------------------

    def inject(
        self, kind: RouteKind, fault: FaultSpec, times: int = 1, method: str | None = None
    ) -> None:
        """Shortcut for :meth:`Faults.inject`."""
        self.faults.inject(kind, fault, times, method)

    def record_request(self, record: RequestRecord, token: str | None) -> None:
        with self._log_lock:
            self._requests.append(record)
            if token:
                self._tokens.append(token)

    def record_error(self, error: str) -> None:
        with self._log_lock:
            self._errors.append(error)

    @property
    def requests(self) -> list[RequestRecord]:
        """Handled requests in order: ``(method, raw path without query, status)``."""
        with self._log_lock:
            return list(self._requests)

    @property
    def tokens(self) -> list[str]:
        """Bearer tokens seen, one per request that carried one."""
        with self._log_lock:
            return list(self._tokens)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of server bugs (answered with 500); a correct run leaves this empty."""
        with self._log_lock:
            return list(self._errors)

    # Direct state access for tests ----------------------------------------------------------------

    def head(self, repo_id: str, branch: str = "main", repo_type: str = "dataset") -> str:
        """Commit id at the tip of ``branch``."""
        return self.store.resolve(RepoKey(repo_type, repo_id), branch).id

    def snapshot(
        self, repo_id: str, rev: str = "main", repo_type: str = "dataset"
    ) -> dict[str, bytes]:
        """``{path: bytes}`` as served at ``rev`` (corruptions included)."""
        key = RepoKey(repo_type, repo_id)
        commit = self.store.resolve(key, rev)
        served = {path: self.store.served_entry(key, commit, path) for path in sorted(commit.files)}
        return {
            path: self.store.blob_path(entry.sha256).read_bytes() for path, entry in served.items()
        }

    def corrupt_file(
        self, repo_id: str, rev: str, path: str, new_bytes: bytes, repo_type: str = "dataset"
    ) -> None:
        """Serve ``new_bytes`` for ``path`` at ``rev`` without a new commit, as storage rot would.

        Tree, paths-info and repo info keep reporting the committed oid/sha256/size; ``resolve``
        serves the new bytes with an ETag and sizes computed from them, so the client downloads them
        without complaint and only a checksum comparison catches the damage.
        """
        self.store.corrupt(RepoKey(repo_type, repo_id), rev, path, new_bytes)

    def requests_matching(self, fragment: str, method: str | None = None) -> list[RequestRecord]:
        """Requests whose path contains ``fragment`` (e.g. ``"/commit/"``), optionally by method."""
        return [r for r in self.requests if fragment in r.path and method in (None, r.method)]
