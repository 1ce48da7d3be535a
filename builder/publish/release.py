"""Publishing one release: pre-flight, stage, one commit, one tag; and recovery.

The order is the safety argument:

1. every check that can refuse runs first (local pre-flight, tag exists?,
   version newer?, bump big enough for what changed?), reading only;
2. the release is staged in a temporary copy (the build folder is never
   touched): the card's Versions section is re-rendered from the history,
   ``release.json`` and the record digest are added, ``manifest.json`` lists
   them; the staged copy must verify;
3. ONE commit adds the release's files and deletes the files the previous
   release listed that this one does not (files this tool never published are
   kept and reported), with ``parent`` = the head read in step 1, so a
   concurrent publisher is refused, never overwritten; a failure before it
   changes nothing;
4. the tag is created on that commit. If that fails, the next run finds its
   own commit (the build manifest's hash is in the commit message) anywhere
   after the previous release, even below someone else's later commits, and
   only creates the tag.

Step 2 is :mod:`.staging`; steps 3 and 4, and finding an earlier run's commit, are
:mod:`.landing`.

Publishing the same build again finds its tag and does nothing.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..card_versions import load_code
from ..manifest import MANIFEST_NAME
from . import retry
from .integrity import check_committed, check_previous
from .landing import MARKER as MARKER  # integrity imports it from here
from .landing import build_marker, commit_release, find_own_commit, tag_release
from .licensing import RedistributionDecision, decide
from .preflight import BuildInfo, check_build
from .previous import (
    RELEASE_NAME,
    PreviousRelease,
    load_previous,
    read_json,
    read_manifest,
    say_unreadable,
)
from .records import RECORDS_NAME, diff_digests, read_digest
from .staging import new_digest, release_files, stage_copy
from .target import (
    ConcurrentPublishError,
    PublishError,
    PublishInterrupted,
    ReleaseTarget,
    ignored_error,
)
from .verify import card_configs, read_card
from .versioning import Change, check_bump, classify, newest_release, tag_name

__all__ = ["RELEASE_NAME", "PublishResult", "publish"]

Log = Callable[[str], None]


@dataclass
class PublishResult:
    """What a publish did (or, with ``dry_run``, would do)."""

    status: str  # published | already-published | resumed | dry-run
    target: str
    version: str
    tag: str
    commit: str | None = None
    change: Change | None = None
    files: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    #: files on the branch that no release of this tool listed: kept, never deleted
    kept: list[str] = field(default_factory=list)
    bytes: int = 0
    created_repo: bool = False
    load_line: str = ""
    #: the redistribution decision (see .licensing); its card statement under "statement"
    redistribution: dict[str, Any] | None = None
    #: the branch the release commit is (or would be) on
    branch: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "target": self.target,
            "version": self.version,
            "tag": self.tag,
            "commit": self.commit,
            "change": self.change.to_dict() if self.change else None,
            "change_summary": self.change.summary() if self.change else None,
            "files": self.files,
            "deleted": self.deleted,
            "kept": self.kept,
            "bytes": self.bytes,
            "created_repo": self.created_repo,
            "load": self.load_line,
            "redistribution": self.redistribution,
            "branch": self.branch,
        }

    def lines(self) -> list[str]:
        """What ``builder publish`` says of this result, one message each."""
        if self.status == "already-published":
            return [
                f"{self.tag} of this build is already on {self.target} ({self.commit}): "
                "nothing to do"
            ]
        if self.status == "resumed":
            return [f"finished {self.tag}: tagged {self.commit} on {self.target}"]
        if self.status == "dry-run":
            return self._plan_lines()
        return self._published_lines()

    def _plan_lines(self) -> list[str]:
        """A dry run's plan: where, what changed, the files, and the rights statement."""
        lines = [
            f"dry run: would publish {self.tag} to {self.target}, branch {self.branch}"
            + (" (creating it)" if self.created_repo else "")
        ]
        if self.change and (change := self.change.summary()):
            level = self.change.level.label if self.change.previous else ""
            lines.append(
                f"  change: {change}" + (f" (needs at least a {level} release)" if level else "")
            )
        lines.append(
            f"  {len(self.files)} files, {self.bytes:,} bytes; "
            f"deleting {len(self.deleted)}: {', '.join(self.deleted) or '-'}"
            + (f"; keeping {len(self.kept)}: {', '.join(self.kept)}" if self.kept else "")
        )
        if self.redistribution and self.redistribution["restricted_full_text"]:
            lines.append(f"  rights: {self.redistribution['statement']}")
        return lines

    def _published_lines(self) -> list[str]:
        lines = [f"published {self.tag} to {self.target}: commit {self.commit}"]
        if self.change and (change := self.change.summary()):
            lines.append(f"  {change}")
        lines.append(f"  {self.load_line}")
        return lines


def _published_build(target: ReleaseTarget, tag: str) -> str | None:
    release = read_json(target, tag, RELEASE_NAME) or {}
    return release.get("build_manifest_sha256")


def _finished_before(
    target: ReleaseTarget,
    build: BuildInfo,
    result: PublishResult,
    tags: dict[str, str],
    head: str | None,
    *,
    dry_run: bool,
    say: Log,
) -> bool:
    """Handle a build published (or committed) before: True when nothing else is to be done."""
    tag = result.tag
    if tag in tags:
        if _published_build(target, tag) == build.manifest_sha256:
            result.status, result.commit = "already-published", tags[tag]
            return True
        raise PublishError(
            f"{tag} already exists on {target.description} with a different build; published "
            "versions never change: bump `version` in dataset.yaml, rebuild and publish that"
        )
    newest = newest_release(tags)
    since = tags[tag_name(newest)] if newest is not None else None
    own = find_own_commit(target, head, since, build_marker(build))
    if own is None:
        return False
    where = "the head commit" if own == head else f"commit {own[:12]} (below the head)"
    why = _release_problem(target, build, own)
    if why is not None:
        # a history rewritten since (filter-repo, BFG, a rebase) keeps the message, and so
        # the marker, of a commit whose files it changed: never tagged, published anew
        say(
            f"note: {where} carries this build's marker but is not its release ({why}): "
            "the history was rewritten since; publishing the release anew"
        )
        return False
    manifest, _ = read_manifest(target, own)
    if manifest is not None:  # always: _release_problem read it
        check_committed(target, own, manifest, build.path, where)
    result.commit = own
    if dry_run:
        say(f"{where} is this build: only the tag {tag} is missing")
        return True
    say(f"{where} is this build from an earlier run: adding the tag")
    tag_release(target, tag, own, f"Release {tag}")
    result.status = "resumed"
    return True


def _release_problem(target: ReleaseTarget, build: BuildInfo, commit: str) -> str | None:
    """Why ``commit`` (found by this build's marker) is not this build's release, from its
    release.json, manifest and file list (no data is downloaded); None when it is."""
    release = read_json(target, commit, RELEASE_NAME) or {}
    if release.get("build_manifest_sha256") != build.manifest_sha256:
        return f"its {RELEASE_NAME} names another build, or is missing"
    manifest, problem = read_manifest(target, commit)
    if manifest is None:
        return f"its {MANIFEST_NAME} cannot be read" + (f" ({problem})" if problem else "")
    published = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    rewritten = {"README.md", RELEASE_NAME, RECORDS_NAME}
    wanted = {o["path"]: o["sha256"] for o in build.manifest["outputs"]}
    wrong = sorted(p for p, h in wanted.items() if p not in rewritten and published.get(p) != h)
    missing = sorted({*published, *rewritten, MANIFEST_NAME} - set(target.list_files(commit)))
    if wrong:
        return f"its manifest lists other content for {', '.join(wrong[:5])}"
    if missing:
        return f"it lacks {', '.join(missing[:5])}"
    return None


def _note_release_elsewhere(
    target: ReleaseTarget, tags: dict[str, str], head: str | None, say: Log
) -> None:
    """Say so when the newest release is not on the branch this one goes to: the
    repository's HEAD was moved, or an older version of this tool published to ``main``
    beside the default ``master``, and readers of the branch never saw that release."""
    newest = newest_release(tags)
    if newest is None or head is None:
        return
    if target.on_branch(tags[tag_name(newest)], head) is False:
        say(
            f"note: {tag_name(newest)} is not on {target.branch}, the branch readers of "
            f"{target.description} see, where this release goes"
        )


def _check_kept(target: ReleaseTarget, card: str, kept: list[str]) -> None:
    """A kept file where the card's ``data_files`` patterns look would be loaded as rows
    of the release: refused, naming it, before anything is uploaded."""
    import fnmatch

    from .verify import _patterns

    for config in card_configs(read_card(card)):
        for split, patterns in _patterns(config).items():
            clash = [f for f in kept if any(fnmatch.fnmatchcase(f, p) for p in patterns)]
            if clash:
                raise PublishError(
                    f"{target.description} holds {', '.join(clash)}, which no release listed "
                    f"and which load_dataset would read as part of split {split!r}; remove it "
                    "from the repository (or rename it), then publish again"
                )


def _deletions(
    target: ReleaseTarget, head: str, previous: PreviousRelease | None, files: list[str]
) -> tuple[list[str], list[str]]:
    """(deleted, kept): a file on the branch is deleted only when the previous
    release's manifest listed it (it was published by this tool) and this release
    does not have it; anything else (a teammate's LICENSE, a script) is kept."""
    old = set(target.list_files(head)) - {".gitattributes"} - set(files)
    ours = {MANIFEST_NAME}
    if previous is not None and previous.manifest is not None:
        outputs = previous.manifest.get("outputs", [])
        ours |= {o["path"] for o in outputs if isinstance(o, dict) and "path" in o}
    if previous is None:
        ours = set()  # no release of ours yet: everything there is someone else's
    return sorted(old & ours), sorted(old - ours)


def _dataset_name(manifest: dict[str, Any] | None) -> str | None:
    dataset = (manifest or {}).get("dataset")
    name = dataset.get("name") if isinstance(dataset, dict) else None
    return name if isinstance(name, str) else None


def _note_other_dataset(
    target: ReleaseTarget, previous: PreviousRelease, build: BuildInfo, say: Log
) -> None:
    """A build of another dataset than the repository's releases (a careless --repo or
    --build) is said before the release: its card would list their versions as its own.
    Not refused: a dataset may be renamed."""
    theirs, ours = _dataset_name(previous.manifest), _dataset_name(build.manifest)
    if theirs and ours and theirs != ours:
        say(
            f"note: the releases on {target.description} are of dataset {theirs!r} (newest "
            f"{previous.tag}) but this build is of {ours!r}; its card will list {theirs!r}'s "
            "releases as its earlier versions. If that is not a rename, publish it to its "
            "own repository"
        )


def _compare(
    target: ReleaseTarget, build: BuildInfo, tags: dict[str, str], work: Path, say: Log
) -> tuple[PreviousRelease | None, Change, Path]:
    """The previous release, what changed since it, and this build's record digest."""
    newest = newest_release(tags)
    previous = (
        load_previous(target, tag_name(newest), tags[tag_name(newest)], work)
        if newest is not None
        else None
    )
    if previous is not None:
        check_previous(target, previous, tags)
        say_unreadable(previous, say)
        _note_other_dataset(target, previous, build, say)
    digest = new_digest(build, work)
    records = (
        diff_digests(read_digest(previous.digest), read_digest(digest))
        if previous is not None and previous.digest is not None
        else None
    )
    change = classify(
        previous_tag=previous.tag if previous else None,
        previous_manifest=previous.manifest if previous else None,
        manifest=build.manifest,
        records=records,
        previous_configs=previous.configs if previous else (),
        configs=build.configs,
    )
    check_bump(newest, build.version, change)
    return previous, change, digest


def _create(target: ReleaseTarget, *, private: bool, say: Log) -> str | None:
    """Create the missing repository just before the commit; return its head."""
    say(f"creating {target.description}")
    target.create(private=private)
    head = target.head()
    others = set(target.list_files(head)) - {".gitattributes"} if head else set()
    if target.tags() or others:
        raise ConcurrentPublishError(
            f"{target.description} received other content while it was being created; "
            "nothing of this release was committed. Check it, then publish again."
        )
    return head


@dataclass
class _StagedRelease:
    """A release staged in the work folder: what its commit adds, and what it is."""

    folder: Path
    files: list[str]
    card: str
    change: Change
    previous: PreviousRelease | None


def _refuse_unwritable(target: ReleaseTarget, *, dry_run: bool, say: Log) -> None:
    """A target this run cannot write to is refused (a dry run only notes it)."""
    if (problem := target.write_problem()) is not None:
        # said before the checks and the staging, not as a 401 once they have all run
        if not dry_run:
            raise PublishError(problem)
        say(f"note: {problem}")


def _new_result(target: ReleaseTarget, build: BuildInfo, *, dry_run: bool) -> PublishResult:
    return PublishResult(
        status="dry-run" if dry_run else "published",
        target=target.description,
        version=str(build.version),
        tag=tag_name(build.version),
        load_line="\n".join(
            load_code(target.load_name, str(build.version), clone_url=target.clone_url)
        ),
    )


def _decide_redistribution(
    target: ReleaseTarget,
    build: BuildInfo,
    result: PublishResult,
    *,
    private: bool,
    accept: bool,
) -> RedistributionDecision:
    """Whether the build's full texts may go to this target (refused here when not), noted
    in the result."""
    decision = decide(
        build.manifest,
        visibility=target.visibility(private=private),
        accept=accept,
        where=target.description,
        build_dir=build.path,
    )
    result.redistribution = {**decision.to_dict(), "statement": decision.statement()}
    return decision


def _stage_release(
    target: ReleaseTarget,
    build: BuildInfo,
    tags: dict[str, str],
    work: Path,
    decision: RedistributionDecision,
    say: Log,
) -> _StagedRelease:
    """The release compared with the previous one, staged in ``work``, its card accepted
    by the target."""
    previous, change, digest = _compare(target, build, tags, work, say)
    card, release = release_files(target, build, previous, change, decision)
    folder, files = stage_copy(build, work, card=card, release=release, digest=digest)
    errors = target.validate_card(card)
    if errors:
        raise PublishError(f"{target.description} rejects the card metadata: " + "; ".join(errors))
    return _StagedRelease(folder, files, card, change, previous)


def _plan(
    target: ReleaseTarget,
    staged: _StagedRelease,
    result: PublishResult,
    *,
    head: str | None,
    exists: bool,
    say: Log,
) -> None:
    """What the commit will do, into ``result``: the files it adds and deletes, and those
    on the branch it keeps (refused when load_dataset would read one)."""
    result.change = staged.change
    result.files = staged.files
    result.bytes = sum((staged.folder / f).stat().st_size for f in staged.files)
    if head is not None:
        result.deleted, result.kept = _deletions(target, head, staged.previous, staged.files)
        _check_kept(target, staged.card, result.kept)
        if result.kept:
            say(
                f"keeping {len(result.kept)} file(s) on {target.description} that no "
                f"release listed: {', '.join(result.kept)}"
            )
    result.created_repo = not exists
    result.branch = target.branch


def _refuse_ignored(target: ReleaseTarget, staged: _StagedRelease, *, exists: bool) -> None:
    # the commit asks this too, and refuses; a dry run must refuse the same way
    if exists and (ignored := target.ignored(staged.folder, staged.files)):
        raise ignored_error(target.description, ignored)


def _commit_description(build: BuildInfo, staged: _StagedRelease, tag: str) -> str:
    """The commit message's body: the change, the release, its build's marker (how a later
    run finds this commit) and the previous release."""
    previous = staged.previous
    return "\n".join(
        [
            staged.change.summary(),
            "",
            f"release: {tag}",
            build_marker(build),
            f"previous: {previous.tag if previous else 'none'}",
        ]
    )


def _land(
    target: ReleaseTarget,
    build: BuildInfo,
    staged: _StagedRelease,
    result: PublishResult,
    *,
    parent: str | None,
    policy: retry.RetryPolicy,
    say: Log,
    sleep: Callable[[float], None],
) -> None:
    """The release's one commit on ``parent``, then its tag; the commit into ``result``."""
    tag = result.tag
    description = _commit_description(build, staged, tag)
    say(
        f"committing {len(staged.files)} files ({result.bytes:,} bytes) to "
        f"{target.description}, branch {target.branch}"
    )
    try:
        result.commit = commit_release(
            target,
            staged.folder,
            staged.files,
            message=f"Release {tag}",
            description=description,
            parent=parent,
            delete=result.deleted,
            marker=build_marker(build),
            policy=policy,
            log=say,
            sleep=sleep,
        )
    except KeyboardInterrupt:
        # the commit request may have been answered, or not, when Ctrl-C came
        raise PublishInterrupted(
            f"the commit of {tag} to {target.description} was interrupted and may have "
            "landed without its tag: run the same publish again (it only adds the tag "
            "to a landed commit, or publishes anew)"
        ) from None
    say(f"tagging {result.commit[:12]} as {tag}")
    tag_release(target, tag, result.commit, f"Release {tag}: {staged.change.summary()}")


def _note_unknown_audience(decision: RedistributionDecision, say: Log) -> None:
    if decision.restricted and decision.visibility == "unknown":
        # said once the release is out: before, "Published to ..." read as if it were
        # when the publish then failed or was refused
        say(f"note: {decision.statement()}")


def publish(
    build_dir: Path,
    target: ReleaseTarget,
    *,
    version: str | None = None,
    private: bool = False,
    dry_run: bool = False,
    accept_redistribution_risk: bool = False,
    log: Log | None = None,
    policy: retry.RetryPolicy = retry.DEFAULT,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishResult:
    """Publish the build folder as release ``v<version>`` on ``target``.

    Nothing is written anywhere (not even a missing repository created) until
    every check has passed and the release is staged. Full texts whose
    redistribution terms are unknown or refused go to a public repository only
    with ``accept_redistribution_risk`` (see :mod:`.licensing`).
    """
    say: Log = log or (lambda _m: None)
    build = check_build(Path(build_dir), version)
    _refuse_unwritable(target, dry_run=dry_run, say=say)
    result = _new_result(target, build, dry_run=dry_run)
    decision = _decide_redistribution(
        target, build, result, private=private, accept=accept_redistribution_risk
    )
    exists = target.exists()
    tags = target.tags() if exists else {}
    head = target.head() if exists else None
    if _finished_before(target, build, result, tags, head, dry_run=dry_run, say=say):
        return result
    _note_release_elsewhere(target, tags, head, say)
    with tempfile.TemporaryDirectory(prefix="builder-publish-") as tmp:
        staged = _stage_release(target, build, tags, Path(tmp), decision, say)
        _plan(target, staged, result, head=head, exists=exists, say=say)
        if dry_run:
            _refuse_ignored(target, staged, exists=exists)
            return result
        if not exists:
            head = _create(target, private=private, say=say)
        _land(target, build, staged, result, parent=head, policy=policy, say=say, sleep=sleep)
    _note_unknown_audience(decision, say)
    return result
