"""The Hugging Face Hub as a release target, through ``huggingface_hub.HfApi``.

The endpoint is passed to ``HfApi`` explicitly (``--endpoint`` or
``HF_ENDPOINT`` read at call time), never taken from the library's
import-time constant. The token is whatever huggingface_hub finds (``HF_TOKEN``
or the stored login); it is only ever handed to the library, and every
message leaving this module goes through :meth:`HubTarget.redact`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..errors import UsageError
from ..hub_metadata import repo_id_problem
from . import retry
from .target import (
    BRANCH,
    CommitRef,
    ConcurrentPublishError,
    FileStat,
    PublishError,
    ReleaseTarget,
    TagExistsError,
    TransientError,
    ignored_error,
    redact_userinfo,
    split_userinfo,
)

__all__ = ["DEFAULT_ENDPOINT", "HubTarget", "resolve_endpoint"]

T = TypeVar("T")
DEFAULT_ENDPOINT = "https://huggingface.co"
#: Seconds a Hub request may go without progress before it is given up and retried:
#: huggingface_hub's own client waits forever on API calls (refs, commit, tags).
REQUEST_TIMEOUT = 120.0
REPO_TYPE = "dataset"


def resolve_endpoint(endpoint: str | None) -> str:
    """``--endpoint``, else ``HF_ENDPOINT`` (empty: unset), else the public Hub; a URL
    that is not http(s) is a usage error naming where it came from (``ftp://x`` was
    retried five times, some 30 s, before failing as an unsupported protocol)."""
    where = "--endpoint" if endpoint is not None else "HF_ENDPOINT"
    chosen = endpoint if endpoint is not None else os.environ.get("HF_ENDPOINT") or None
    if chosen is None:
        return DEFAULT_ENDPOINT
    parts = urlsplit(chosen.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"{where} must be an http(s) URL such as {DEFAULT_ENDPOINT}, got {chosen!r}"
        )
    return chosen.strip().rstrip("/")


def _status(exc: BaseException) -> int | None:
    return getattr(getattr(exc, "response", None), "status_code", None)


class HubTarget(ReleaseTarget):
    """A dataset repository on a Hub (or a Hub-compatible server)."""

    def __init__(
        self,
        repo_id: str,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        policy: retry.RetryPolicy = retry.DEFAULT,
        log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | None = None,
        named_by: str = "--repo",
    ) -> None:
        """``named_by``: what named the repo (an option, or a setting and its file),
        for the message when ``repo_id`` is no Hub repo id."""
        from huggingface_hub import HfApi, get_token

        if (problem := repo_id_problem(repo_id)) is not None:
            raise UsageError(f"{named_by} {repo_id!r} is not a Hub dataset repo id: {problem}")
        self.repo_id = repo_id
        # Credentials in the URL (http://user:secret@host) are never printed, and never
        # left in the URL huggingface_hub builds requests from: the token is sent as a
        # bearer token, the URL's password standing in for it when no token is set.
        self.endpoint, url_secret = split_userinfo(resolve_endpoint(endpoint))
        token = token or get_token() or url_secret
        self.api = HfApi(endpoint=self.endpoint, token=token)
        self._secret = token
        self._url_secret = url_secret
        if url_secret and log:
            log(
                f"the credentials in the endpoint URL are not sent in it: {self.endpoint} is "
                "used with the token as a bearer token"
            )
        self.policy = policy
        self.log = log
        self.sleep = sleep  # injectable so tests can see the waits without sleeping them
        #: ``timeout``, else $BUILDER_HUB_TIMEOUT, else REQUEST_TIMEOUT (seconds)
        self.timeout = timeout or float(os.environ.get("BUILDER_HUB_TIMEOUT") or REQUEST_TIMEOUT)
        self.description = f"dataset repo {repo_id} on {self.endpoint}"
        self.load_name = repo_id
        self._tmp = Path(tempfile.mkdtemp(prefix="builder-hub-"))

    # -- plumbing ----------------------------------------------------------------------
    def redact(self, text: str) -> str:
        for secret in (self._secret, self._url_secret):
            if secret:
                text = text.replace(secret, "***")
        return redact_userinfo(text)

    def _error(self, what: str, exc: BaseException) -> PublishError:
        status = _status(exc)
        if status in (401, 403):
            return PublishError(
                f"{what}: not authorised on {self.description} (HTTP {status}); "
                "set HF_TOKEN to a token with write access, or log in with `hf auth login`"
            )
        return PublishError(
            self.redact(f"{what} failed on {self.description}: {retry.describe(exc)}")
        )

    def _bound_requests(self) -> None:
        """Give huggingface_hub's shared HTTP client our timeout (it may have been renewed)."""
        import httpx2
        from huggingface_hub import get_session

        get_session().timeout = httpx2.Timeout(self.timeout, connect=min(self.timeout, 30.0))

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run an idempotent Hub call with bounded retries; errors become PublishError."""
        self._bound_requests()
        on_retry = (lambda m: self.log(self.redact(m))) if self.log else None
        try:
            return retry.call(
                fn, what=what, policy=self.policy, on_retry=on_retry, sleep=self.sleep
            )
        except PublishError:
            raise
        except Exception as exc:
            raise self._error(what, exc) from None

    def _not_found(self, exc: BaseException) -> bool:
        """The server said the repo, revision or file does not exist (not: it could not be asked)."""
        from huggingface_hub.errors import (
            EntryNotFoundError,
            LocalEntryNotFoundError,
            RemoteEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        if isinstance(exc, LocalEntryNotFoundError):
            return False  # "the Hub could not be reached and the cache has no copy"
        return isinstance(
            exc,
            (
                RepositoryNotFoundError,
                RevisionNotFoundError,
                EntryNotFoundError,
                RemoteEntryNotFoundError,
            ),
        )

    # -- the interface -----------------------------------------------------------------
    def write_problem(self) -> str | None:
        if self._secret:
            return None
        return (
            f"no Hub token is set, and publishing to {self.description} needs one with "
            "write access: set HF_TOKEN or log in with `hf auth login`"
        )

    def exists(self) -> bool:
        from huggingface_hub.errors import RepositoryNotFoundError

        def probe() -> bool:
            try:
                self.api.list_repo_refs(self.repo_id, repo_type=REPO_TYPE)
            except RepositoryNotFoundError:
                return False
            return True

        return self._call("reading the repository", probe)

    def create(self, *, private: bool) -> None:
        self._call(
            "creating the repository",
            lambda: self.api.create_repo(
                self.repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True
            ),
        )

    def _refs(self) -> Any:
        from huggingface_hub.errors import RepositoryNotFoundError

        def refs() -> Any:
            try:
                return self.api.list_repo_refs(self.repo_id, repo_type=REPO_TYPE)
            except RepositoryNotFoundError:
                return None

        return self._call("reading branches and tags", refs)

    def head(self) -> str | None:
        refs = self._refs()
        if refs is None:
            return None
        return next((b.target_commit for b in refs.branches if b.name == BRANCH), None)

    def tags(self) -> dict[str, str]:
        refs = self._refs()
        return {} if refs is None else {t.name: t.target_commit for t in refs.tags}

    def commit_info(self, revision: str) -> CommitRef:
        def read() -> Any:
            try:
                return self.api.list_repo_commits(
                    self.repo_id, repo_type=REPO_TYPE, revision=revision
                )
            except Exception as exc:
                if _status(exc) == 404 or self._not_found(exc):
                    return None  # not worth retrying: said plainly below
                raise

        commits = self._call(f"reading commit {revision}", read)
        if not commits:
            raise PublishError(f"{self.description} has no revision {revision!r}")
        c = commits[0]
        created = c.created_at
        if created.tzinfo is not None:
            created = created.astimezone(dt.timezone.utc)
        message = "\n\n".join(part for part in (c.title, c.message) if part)
        return CommitRef(c.commit_id, message, created.date().isoformat())

    def _download(self, revision: str, path: str, **where: Any) -> str | None:
        def get() -> str | None:
            try:
                # force_download: bytes from the server, never a cached copy (verify needs the
                # server's bytes; huggingface_hub copies a cached file by commit and name)
                return self.api.hf_hub_download(
                    self.repo_id,
                    path,
                    repo_type=REPO_TYPE,
                    revision=revision,
                    force_download=True,
                    **where,
                )
            except Exception as exc:
                # A HEAD that timed out or failed with a 5xx comes back wrapped as
                # ValueError("Force download failed") or LocalEntryNotFoundError; unwrap it so
                # it is retried, not taken for a missing file or a permanent failure.
                cause = exc.__cause__
                if cause is not None and retry.is_transient(cause, self.policy):
                    raise cause from None
                if self._not_found(exc):
                    return None
                raise

        return self._call(f"downloading {path}@{revision}", get)

    def fetch_file(self, revision: str, path: str, dest: Path) -> bool:
        cache = self._tmp / "cache"
        try:
            local = self._download(revision, path, cache_dir=cache)
            if local is None:
                return False
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(os.path.realpath(local), dest)  # the cache entry is a symlink
            return True
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    def history(self, revision: str, *, stop: str | None) -> Iterator[CommitRef]:
        commits = self._call(
            f"reading the history of {revision}",
            lambda: self.api.list_repo_commits(
                self.repo_id, repo_type=REPO_TYPE, revision=revision
            ),
        )
        for c in commits:  # newest first
            if c.commit_id == stop:
                return
            created = c.created_at
            if created.tzinfo is not None:
                created = created.astimezone(dt.timezone.utc)
            message = "\n\n".join(part for part in (c.title, c.message) if part)
            yield CommitRef(c.commit_id, message, created.date().isoformat())

    def list_files(self, revision: str) -> list[str]:
        return sorted(
            self._call(
                f"listing files at {revision}",
                lambda: self.api.list_repo_files(
                    self.repo_id, repo_type=REPO_TYPE, revision=revision
                ),
            )
        )

    def file_stats(self, revision: str) -> dict[str, FileStat]:
        """The tree at ``revision``: sizes, blob ids and, for LFS files, the sha256 the Hub
        records; no file is downloaded."""

        def listing() -> dict[str, FileStat]:
            stats: dict[str, FileStat] = {}
            for item in self.api.list_repo_tree(
                self.repo_id, repo_type=REPO_TYPE, revision=revision, recursive=True
            ):
                if getattr(item, "size", None) is None:  # a folder
                    continue
                lfs = getattr(item, "lfs", None)
                stats[item.path] = FileStat(
                    size=int(lfs.size if lfs else item.size),
                    sha256=lfs.sha256 if lfs else None,
                    blob_id=getattr(item, "blob_id", None),
                )
            return stats

        return self._call(f"listing files at {revision}", listing)

    def ignored(self, staged: Path, files: list[str]) -> list[str]:
        """The Hub's own answer (its read-only preupload endpoint, as a commit asks it) for
        which files the branch's ``.gitignore`` drops. Only paths and sizes are sent, no
        sample of the content: the answer about ignoring depends on the path alone. Asked
        only when the branch has a ``.gitignore``."""
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        head = self.head()
        if head is None or ".gitignore" not in self.list_files(head):
            return []

        def ask(chunk: list[str]) -> list[str]:
            response = get_session().post(
                f"{self.endpoint}/api/{REPO_TYPE}s/{self.repo_id}/preupload/{BRANCH}",
                json={
                    "files": [
                        {"path": f, "sample": "", "size": (staged / f).stat().st_size}
                        for f in chunk
                    ]
                },
                headers=build_hf_headers(token=self._secret),
            )
            hf_raise_for_status(response)
            return [
                str(item["path"])
                for item in response.json().get("files", [])
                if item.get("shouldIgnore")
            ]

        self._bound_requests()
        found: list[str] = []
        for start in range(0, len(files), 256):  # the client's own chunk size
            chunk = files[start : start + 256]
            found += self._call("asking which files the repository ignores", lambda c=chunk: ask(c))
        return sorted(found)

    def commit(
        self,
        staged: Path,
        files: list[str],
        *,
        message: str,
        description: str,
        parent: str | None,
        delete: Collection[str] = (),
        attempt: int = 1,
    ) -> str:
        from huggingface_hub import CommitOperationAdd, CommitOperationDelete

        operations: list[Any] = [
            CommitOperationAdd(path_in_repo=f, path_or_fileobj=str(staged / f)) for f in files
        ]
        operations += [
            CommitOperationDelete(path_in_repo=p)
            for p in sorted(set(delete) - set(files) - {".gitattributes"})
        ]
        self._bound_requests()
        try:
            # asks the Hub how each file travels (and uploads the LFS ones) before the commit,
            # so files it would leave out of the commit are known while nothing is committed
            self.api.preupload_lfs_files(
                self.repo_id,
                operations[: len(files)],
                repo_type=REPO_TYPE,
                revision=BRANCH,
                free_memory=False,
            )
            self._refuse_ignored(operations[: len(files)])
            info = self.api.create_commit(
                self.repo_id,
                operations,
                commit_message=message,
                commit_description=description,
                repo_type=REPO_TYPE,
                revision=BRANCH,
                parent_commit=parent,
            )
        except PublishError:
            raise
        except Exception as exc:
            if _status(exc) == 412:
                raise ConcurrentPublishError(
                    f"{self.description}: {BRANCH} moved since it was read "
                    f"(expected {parent}); the commit was refused and nothing changed"
                ) from None
            delay = retry.retry_delay(exc, attempt, self.policy)  # may raise RetryAfterTooLong
            if delay is not None:
                raise TransientError(
                    self.redact(f"commit to {self.description}: {retry.describe(exc)}"), delay
                ) from None
            raise self._error("the commit", exc) from None
        if info.oid is None:
            raise PublishError(f"{self.description}: the server did not return the commit id")
        return info.oid

    def _refuse_ignored(self, additions: list[Any]) -> None:
        """The Hub answers ``shouldIgnore`` for paths the repository's ``.gitignore``
        matches, and huggingface_hub then leaves them out of the commit without an error:
        a release tagged without its digest or its Parquet (or with the previous ones)."""
        ignored = [a.path_in_repo for a in additions if getattr(a, "_should_ignore", False)]
        if ignored:
            raise ignored_error(self.description, ignored)

    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        def create() -> None:
            try:
                self.api.create_tag(
                    self.repo_id,
                    tag=tag,
                    tag_message=message,
                    revision=commit,
                    repo_type=REPO_TYPE,
                    exist_ok=False,
                )
            except Exception as exc:
                if _status(exc) == 409:
                    raise TagExistsError(
                        f"tag {tag} already exists on {self.description}"
                    ) from None
                raise

        self._call(f"creating tag {tag}", create)

    def materialize(self, revision: str, dest: Path) -> list[str]:
        sha = self.tags().get(revision) or self.commit_info(revision).id
        files = self.list_files(sha)
        for path in files:
            self._download(sha, path, local_dir=dest, cache_dir=self._tmp / "cache")
        shutil.rmtree(dest / ".cache", ignore_errors=True)
        return files

    def visibility(self, *, private: bool) -> str:
        """An existing repository's own visibility; a missing one is created as asked."""
        if not self.exists():
            return "private" if private else "public"
        info = self._call(
            "reading the repository",
            lambda: self.api.repo_info(self.repo_id, repo_type=REPO_TYPE),
        )
        return "private" if getattr(info, "private", False) else "public"

    def validate_card(self, text: str) -> list[str]:
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        def post() -> list[str]:
            response = get_session().post(
                f"{self.endpoint}/api/validate-yaml",
                json={"content": text, "repoType": REPO_TYPE},
                headers=build_hf_headers(token=self._secret),
            )
            if response.status_code == 400:
                body = response.json()
                return [str(e.get("message", e)) for e in body.get("errors", [])] or [
                    str(body.get("error", "rejected"))
                ]
            hf_raise_for_status(response)
            return [str(e.get("message", e)) for e in response.json().get("errors", [])]

        return self._call("validating the card metadata", post)

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)
