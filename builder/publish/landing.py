"""Landing a staged release on its target: the ONE commit and the tag on it.

The commit is retried on transient errors; after any failure the branch is read again,
so a commit whose answer was lost is found (by the build's marker in its message) and
used, not committed twice, and a commit by someone else refuses the release. The same
marker lets a later run find a commit an earlier run left without its tag.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from . import retry
from .preflight import BuildInfo
from .target import (
    ConcurrentPublishError,
    PublishError,
    PublishInterrupted,
    ReleaseTarget,
    TagExistsError,
    TransientError,
)

__all__ = [
    "MARKER",
    "SEARCH_DEPTH",
    "build_marker",
    "commit_release",
    "find_own_commit",
    "tag_release",
]

MARKER = "build-manifest-sha256"

#: How far below the head a resumed publish looks for its own commit.
SEARCH_DEPTH = 1000

Log = Callable[[str], None]


def build_marker(build: BuildInfo) -> str:
    """The line of a release commit's message that names the build it published."""
    return f"{MARKER}: {build.manifest_sha256}"


def find_own_commit(
    target: ReleaseTarget, head: str | None, since: str | None, marker: str
) -> str | None:
    """This build's release commit on the branch after ``since`` (the previous release's
    commit, or the parent read before committing), wherever it is below the head."""
    if head is None:
        return None
    for depth, commit in enumerate(target.history(head, stop=since)):
        if depth >= SEARCH_DEPTH:
            break
        if marker in commit.message:
            return commit.id
    return None


def _landed(target: ReleaseTarget, parent: str | None, marker: str) -> str | None:
    """After a failed or refused commit: our commit if it landed, None if nothing moved."""
    head = target.head()
    if head == parent:
        return None
    landed = find_own_commit(target, head, parent, marker)
    if landed is not None:
        return landed
    raise ConcurrentPublishError(
        f"{target.description}: the branch moved to {head} (someone else's commit) since "
        f"{parent or 'the repository was read'}; publishing was refused and nothing of this "
        "release was committed. Check what changed, then publish again."
    )


def commit_release(
    target: ReleaseTarget,
    staged: Path,
    files: list[str],
    *,
    message: str,
    description: str,
    parent: str | None,
    delete: list[str],
    marker: str,
    policy: retry.RetryPolicy,
    log: Log,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """The commit, retried with a backoff that grows with ``attempt`` (the target computes it)."""
    attempt = 1
    while True:
        try:
            return target.commit(
                staged,
                files,
                message=message,
                description=description,
                parent=parent,
                delete=delete,
                attempt=attempt,
            )
        except retry.RetryAfterTooLong as exc:
            landed = _landed(target, parent, marker)
            if landed:
                return landed
            raise PublishError(
                f"{exc}. Nothing was committed: {target.description} is as it was."
            ) from None
        except ConcurrentPublishError:
            landed = _landed(target, parent, marker)
            if landed:
                return landed
            raise
        except TransientError as exc:
            landed = _landed(target, parent, marker)
            if landed:
                log(f"the commit landed although its answer was lost: {landed[:12]}")
                return landed
            if attempt >= policy.attempts:
                raise PublishError(
                    f"{exc}; gave up after {attempt} attempts. Nothing was committed: "
                    f"{target.description} is as it was."
                ) from None
            log(f"{exc}; retrying the commit in {exc.delay:g}s (attempt {attempt + 1})")
            sleep(exc.delay)
            attempt += 1


def tag_release(target: ReleaseTarget, tag: str, commit: str, message: str) -> None:
    """The release's tag on its commit; one that an earlier, answerless attempt created is
    accepted, one on another commit refused (tags are never moved)."""
    try:
        target.create_tag(tag, commit, message=message)
    except KeyboardInterrupt:
        raise PublishInterrupted(
            f"the release commit {commit} is on {target.description} but the tag {tag} may "
            "not be: run the same publish again to finish (it only adds the tag)"
        ) from None
    except TagExistsError:
        found = target.tags().get(tag)
        if found == commit:
            return  # an earlier attempt created it; its answer was lost
        raise PublishError(
            f"tag {tag} appeared on {target.description} pointing at {found}, not at this "
            f"release's commit {commit}: someone else published {tag} at the same time. "
            "Tags are never moved; check the repository."
        ) from None
    except PublishError as exc:
        raise PublishError(
            f"{exc}\nThe release commit {commit} is on the branch but not tagged {tag} yet: "
            "run the same publish again to finish (it only adds the tag)."
        ) from None
