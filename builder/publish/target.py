"""What a release needs from a repository, whatever hosts it.

A release target is a versioned file tree with one release branch and tags: ``main``
on the Hub, the default branch (``HEAD``) of a git repository.
The Hub and a plain git repository both fit; :mod:`.release` holds the rules
(pre-flight, versioning, idempotency, recovery) once, written against this
interface only.
"""

from __future__ import annotations

import abc
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..errors import BuildError
from ..listing import first_and_more

_Target = TypeVar("_Target", bound="ReleaseTarget")

__all__ = [
    "BRANCH",
    "CommitRef",
    "ConcurrentPublishError",
    "FileStat",
    "PublishError",
    "ReleaseTarget",
    "TagExistsError",
    "TransientError",
    "ignored_error",
    "link_or_copy",
    "redact_userinfo",
    "split_userinfo",
]

BRANCH = "main"


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@")


def redact_userinfo(text: str) -> str:
    """``text`` with the user info of every URL in it (``https://user:secret@host``)
    replaced by ``***``: a URL is never printed with its credentials."""
    return _USERINFO.sub(r"\1***@", text)


def split_userinfo(url: str) -> tuple[str, str | None]:
    """``(url without user info, password or None)``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=host)), parts.password or parts.username


class PublishError(BuildError):
    """Publishing was refused or failed; the message says why and what was left."""


class ConcurrentPublishError(PublishError):
    """The branch moved between reading its head and committing on top of it."""


class TagExistsError(PublishError):
    """The tag already exists (tags are never moved)."""


class PublishInterrupted(KeyboardInterrupt):
    """Ctrl-C once the commit may have landed: the message says what is left and how to
    finish (the CLI prints it instead of 'nothing was published')."""


class TransientError(PublishError):
    """A failure worth retrying (dropped connection, timeout, 429, 5xx); ``delay`` in seconds."""

    def __init__(self, message: str, delay: float) -> None:
        super().__init__(message)
        self.delay = delay


@dataclass(frozen=True)
class CommitRef:
    """One commit as far as a release cares: its id, full message and UTC date."""

    id: str
    message: str
    date: str  # ISO date, YYYY-MM-DD, as recorded by the server


@dataclass(frozen=True)
class FileStat:
    """What a repository says of one file without its content being downloaded: its size,
    its sha256 when the repository records it (an LFS pointer's oid), and its git blob id
    (of the pointer, for an LFS file)."""

    size: int
    sha256: str | None
    blob_id: str | None


class ReleaseTarget(abc.ABC):
    """A repository that receives releases."""

    #: Human-readable description for messages (never contains a credential).
    description: str
    #: The name consumers pass to ``datasets.load_dataset``.
    load_name: str
    #: Where consumers clone a release from, for targets ``load_dataset`` cannot address.
    clone_url: str | None = None

    @property
    def branch(self) -> str:
        """The branch releases are committed to: the one readers of the repository see."""
        return BRANCH

    @abc.abstractmethod
    def exists(self) -> bool:
        """Whether the repository exists (a missing one is created by :meth:`create`)."""

    @abc.abstractmethod
    def create(self, *, private: bool) -> None:
        """Create the repository if it is missing."""

    @abc.abstractmethod
    def head(self) -> str | None:
        """Commit id at the tip of :attr:`branch`; None when it has no commit yet."""

    @abc.abstractmethod
    def tags(self) -> dict[str, str]:
        """Tag name -> commit id (annotated tags peeled to their commit)."""

    @abc.abstractmethod
    def commit_info(self, revision: str) -> CommitRef:
        """The commit a revision (branch, tag or id) points to."""

    @abc.abstractmethod
    def fetch_file(self, revision: str, path: str, dest: Path) -> bool:
        """Write a file's real content (not an LFS pointer) at a revision to ``dest``.

        Streams to disk, so a large file never sits in memory. False if absent.
        """

    def read_file(self, revision: str, path: str) -> bytes | None:
        """A small file's bytes at a revision; None if absent."""
        with tempfile.TemporaryDirectory(prefix="builder-read-") as tmp:
            dest = Path(tmp) / "file"
            return dest.read_bytes() if self.fetch_file(revision, path, dest) else None

    @abc.abstractmethod
    def list_files(self, revision: str) -> list[str]:
        """Every file path at a revision."""

    def file_stats(self, revision: str) -> dict[str, FileStat] | None:
        """Path -> :class:`FileStat` of every file at a revision, from the repository's own
        metadata (no file is downloaded); None when the target cannot tell."""
        return None

    def write_problem(self) -> str | None:
        """Why this target surely cannot be written to (no credentials at all), told before
        any check runs; None when it may be (the server decides)."""
        return None

    def ignored(self, staged: Path, files: list[str]) -> list[str]:
        """Of ``files``, those the repository would leave out of a commit on :attr:`branch`
        (a ``.gitignore`` there matches them); asks without committing anything."""
        return []

    @abc.abstractmethod
    def history(self, revision: str, *, stop: str | None) -> Iterator[CommitRef]:
        """Commits from ``revision`` back along first parents, newest first, ending
        before ``stop`` (exclusive; None: down to the first commit)."""

    @abc.abstractmethod
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
        """Make one commit on :attr:`branch` that adds ``files`` (from ``staged``) and
        deletes ``delete``; every other file on it is kept as it is. Raises
        :class:`ConcurrentPublishError` when the branch is no longer ``parent``
        and :class:`TransientError` when trying again may succeed (the commit
        may or may not have landed), its ``delay`` growing with ``attempt``
        (1 for the first try). Returns the new commit id.
        """

    @abc.abstractmethod
    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        """Tag ``commit``; :class:`TagExistsError` if the tag exists (it is never moved)."""

    @abc.abstractmethod
    def materialize(self, revision: str, dest: Path) -> list[str]:
        """Write every file of a revision under ``dest``; return their paths."""

    def on_branch(self, commit: str, head: str) -> bool | None:
        """Whether ``commit`` is ``head`` or one of its ancestors; None: cannot be told."""
        return None

    def redact(self, text: str) -> str:
        """``text`` without any credential this target knows of."""
        return text

    def visibility(self, *, private: bool) -> str:
        """Who can read the release: "public", "private", or "unknown" (the default).

        ``private``: what ``--private`` asks for a repository this publish creates.
        """
        return "unknown"

    def validate_card(self, text: str) -> list[str]:
        """Server-side card checks, if the target has any; a list of errors."""
        return []

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release temporary resources."""

    def __enter__(self: _Target) -> _Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ignored_error(description: str, ignored: list[str]) -> PublishError:
    """The refusal of a release some of whose files the repository's .gitignore drops."""
    shown = first_and_more(ignored, limit=10)
    return PublishError(
        f"{description} ignores {shown} (a .gitignore in the repository matches "
        "them), so the Hub would leave them out of the release; nothing was committed. "
        "Remove the rule from the repository's .gitignore, then publish again"
    )


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link (cheap, same bytes) or, across file systems, copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
