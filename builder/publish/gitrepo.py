"""The embedded release target: any git repository, with Parquet files in git-lfs.

A Hub dataset repo is a git repository with LFS, so a plain git repository
with the same layout (a release branch, annotated ``vX.Y.Z`` tags,
``.gitattributes`` sending ``*.parquet`` to LFS) is a release target that needs
no Hub. A local path that does not exist becomes a bare repository with ``main``.

Releases go to the repository's default branch (what its ``HEAD`` names: what a
clone checks out and a web view shows), not to a ``main`` created next to an older
repository's ``master``, where nobody looking at the repository would see them.

Everything goes through the real ``git`` and ``git-lfs`` commands in a private
temporary repository: the target is only fetched from and pushed to, so a
failed publish leaves it as it was. The push of the branch uses
``--force-with-lease=<branch>:<parent>``: if someone else pushed since the head
was read, the push is refused, never overwrites.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from ..atomic_files import give_default_mode
from .target import (
    BRANCH,
    CommitRef,
    ConcurrentPublishError,
    FileStat,
    PublishError,
    ReleaseTarget,
    TagExistsError,
    link_or_copy,
)

__all__ = ["GITATTRIBUTES", "GitTarget", "is_remote", "require_git_lfs"]

GITATTRIBUTES = (
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
    "*.arrow filter=lfs diff=lfs merge=lfs -text\n"
    "*.gz filter=lfs diff=lfs merge=lfs -text\n"
)
"""Like the Hub's default: data files in LFS, text (card, JSON) as plain git blobs."""

_LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/\\]+@[^/\\]+:")
_USERINFO = re.compile(r"(://)[^/@\s]+@")
_LFS_CONFIG = (
    "-c",
    "filter.lfs.smudge=git-lfs smudge -- %f",
    "-c",
    "filter.lfs.process=git-lfs filter-process",
    "-c",
    "filter.lfs.required=true",
)
_FETCH_ALL = ("+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
_IDENTITY = {"user.name": "news-dataset-builder", "user.email": "builder@localhost"}


#: An LFS pointer is well under this many bytes (the spec allows up to 1024).
_POINTER_MAX = 1024
_POINTER_OID = re.compile(rb"(?m)^oid sha256:([0-9a-f]{64})$")
_POINTER_SIZE = re.compile(rb"(?m)^size (\d+)$")


def _parse_pointer(body: bytes) -> tuple[str, int] | None:
    """(sha256, size) of an LFS pointer file's content; None for any other content."""
    if not body.startswith(_LFS_POINTER):
        return None
    oid, size = _POINTER_OID.search(body), _POINTER_SIZE.search(body)
    if oid is None or size is None:
        return None
    return oid.group(1).decode(), int(size.group(1))


def _redact(text: str) -> str:
    """Drop credentials embedded in URLs (https://user:token@host) from messages."""
    return _USERINFO.sub(r"\1***@", text)


def _remote_rejection(porcelain: bytes) -> str | None:
    """The receiving side's reason from ``git push --porcelain`` ("[remote rejected] (why)").

    A non-bare repository refuses a push to its checked-out branch ("branch is currently
    checked out"), or with receive.denyCurrentBranch=updateInstead to a dirty work tree;
    a hook can decline. git's stderr then ends with advice lines, not the reason."""
    for line in porcelain.decode("utf-8", "replace").splitlines():
        if (found := re.search(r"\[remote rejected\] \((.*)\)\s*$", line)) is not None:
            return found.group(1)
    return None


def _lost_ref_race(stderr: str) -> bool:
    """The lease passed but the receiving side could not update the ref: another push holds
    its lock ("File exists"), moved it meanwhile ("is at X but expected Y") or created it
    ("reference already exists")."""
    signs = ("File exists", "but expected", "reference already exists")
    return "cannot lock ref" in stderr and any(sign in stderr for sign in signs)


def _remote_errors(stderr: bytes) -> str:
    """What the receiving side (a hook, a policy) said, from git's ``remote:`` lines."""
    said = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        text = line.removeprefix("remote:").strip() if line.startswith("remote:") else ""
        if text:
            said.append(text)
    return " | ".join(said[:4])


_CONVERTS = re.compile(r"(?:^|\s)(?:text|eol=\S+|working-tree-encoding=\S+)(?:=\S+)?(?:\s|$)")


def _exempt_from_conversion(theirs: str, files: Collection[str]) -> list[str]:
    """``/<top-level entry> -text -working-tree-encoding`` for each top-level file or folder
    of the release, when a rule of ``theirs`` converts line ends or encodings on checkout;
    none otherwise (the layout stays the Hub's)."""
    rules = [line for line in theirs.splitlines() if not line.lstrip().startswith("#")]
    if not any(_CONVERTS.search(line.split(None, 1)[1]) for line in rules if " " in line.strip()):
        return []
    tops = sorted({f.split("/", 1)[0] + ("/**" if "/" in f else "") for f in files})
    return [f"/{top} -text -working-tree-encoding" for top in tops if not re.search(r"[\s\\]", top)]


def is_remote(location: str) -> bool:
    """A URL (``scheme://``) or scp-like ``user@host:path``, as opposed to a local path."""
    return bool(_REMOTE.match(location))


def require_git_lfs() -> None:
    """Fail clearly when git or git-lfs is missing (Parquet would be committed as blobs)."""
    for tool, hint in (
        ("git", "install git"),
        ("git-lfs", "install git-lfs: apt-get install git-lfs"),
    ):
        if shutil.which(tool) is None:
            raise PublishError(f"the git target needs {tool}, which is not installed ({hint})")


class GitTarget(ReleaseTarget):
    """A local path or any git remote URL."""

    def __init__(self, location: str | Path, *, load_name: str) -> None:
        require_git_lfs()  # before anything is created: without LFS, Parquet would be blobs
        text = str(location)
        self.remote = is_remote(text)
        self.location = text if self.remote else str(Path(text).expanduser().resolve())
        self.description = f"git repository {_redact(self.location)}"
        self.load_name = load_name
        self.clone_url = _redact(self.location)
        self._tmp: Path | None = None
        self._fetched = False
        self._branch: str | None = None
        if not self.remote:
            self._refuse_unusable_path(Path(self.location))

    def _refuse_unusable_path(self, path: Path) -> None:
        """A local path that can never hold the repository is said at once, naming it, so
        a dry run says it too (it was found only when the publish created the repository,
        after every check, as "Not a directory" or "File exists")."""
        if path.exists() and not path.is_dir():
            raise PublishError(f"the git target {path} is a file, not a git repository")
        blocker = next((p for p in path.parents if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise PublishError(
                f"the git target {path} cannot be created: {blocker} is a file, not a folder"
            )
        if path.is_dir() and any(path.iterdir()) and not self.exists():
            raise PublishError(
                f"the git target {path} is a folder with other files that is not a git "
                "repository: name an empty or missing folder, or a git repository"
            )

    # -- plumbing ----------------------------------------------------------------------
    def redact(self, text: str) -> str:
        return _redact(text)

    def _env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")
        }
        env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_LFS_SKIP_PUSH": "0"})
        return env

    def _git(
        self,
        *args: str,
        cwd: Path | None = None,
        input: bytes | None = None,
        stdout: int | None = subprocess.PIPE,
        check: bool = True,
        what: str | None = None,
        ceiling: bool = False,
    ) -> subprocess.CompletedProcess[bytes]:
        env = self._env()
        if ceiling:  # the target path itself, never a repository around it
            env["GIT_CEILING_DIRECTORIES"] = str(Path(self.location).parent)
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=input,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
        if check and proc.returncode != 0:
            raise PublishError(
                f"{what or 'git ' + args[0]} failed on {self.description}: "
                f"{_redact(self._stderr(proc))}"
            )
        return proc

    @staticmethod
    def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return " | ".join(lines[-4:]) or f"exit code {proc.returncode}"

    @property
    def _work(self) -> Path:
        """A private repository that fetches from and pushes to the target."""
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="builder-git-"))
            repo = self._tmp / "repo"
            self._git("init", "-q", "-b", BRANCH, str(repo))
            self._git("lfs", "install", "--local", cwd=repo, what="git lfs install")
            self._git("remote", "add", "origin", self.location, cwd=repo)
            self._git("config", "lfs.locksverify", "false", cwd=repo)
            for key, value in _IDENTITY.items():
                if self._git("config", "--get", key, cwd=repo, check=False).returncode != 0:
                    self._git("config", key, value, cwd=repo)
        return self._tmp / "repo"

    def _refs(self) -> dict[str, str]:
        proc = self._git("ls-remote", self.location, check=False)
        if proc.returncode != 0:
            raise PublishError(f"cannot read {self.description}: {_redact(self._stderr(proc))}")
        refs: dict[str, str] = {}
        for line in proc.stdout.decode().splitlines():
            sha, _, name = line.partition("\t")
            refs[name] = sha
        return refs

    def _fetch(self) -> None:
        self._git(
            "fetch",
            "-q",
            "--prune",
            "--prune-tags",
            "origin",
            *_FETCH_ALL,
            cwd=self._work,
            what="git fetch",
        )
        self._fetched = True

    def _resolve(self, revision: str) -> str:
        """Branch, tag or commit id -> commit id, fetching what is needed."""
        refs = self._refs()
        for name in (
            f"refs/tags/{revision}^{{}}",
            f"refs/tags/{revision}",
            f"refs/heads/{revision}",
        ):
            if name in refs:
                sha = refs[name]
                break
        else:
            if not re.fullmatch(r"[0-9a-f]{7,40}", revision):
                raise PublishError(f"{self.description} has no revision {revision!r}")
            sha = revision
        if self._git("cat-file", "-e", f"{sha}^{{commit}}", cwd=self._work, check=False).returncode:
            self._fetch()
            if self._git(
                "cat-file", "-e", f"{sha}^{{commit}}", cwd=self._work, check=False
            ).returncode:
                raise PublishError(f"{self.description} has no commit {revision!r}")
        return sha

    # -- the interface -----------------------------------------------------------------
    def exists(self) -> bool:
        if not self.remote and not Path(self.location).exists():
            return False
        return self._git("ls-remote", self.location, check=False).returncode == 0

    def create(self, *, private: bool) -> None:
        if self.exists():
            return
        if self.remote:
            raise PublishError(
                f"{self.description} cannot be reached or does not exist; create it on its host first"
            )
        path = Path(self.location)
        if path.exists() and any(path.iterdir()):
            if self.exists():  # another publish created it since the check above
                return
            raise PublishError(f"{path} exists but is not a git repository")
        path.parent.mkdir(parents=True, exist_ok=True)
        # made aside, then renamed into place: another publish creating the same repository
        # at the same time never sees (nor makes) a half-made one
        aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.creating-", dir=path.parent))
        try:
            self._git("init", "-q", "--bare", "-b", BRANCH, str(aside), what="git init --bare")
            # mkdtemp made it private (0700): a repository teammates clone from, or a web
            # server serves, gets the mode `git init` gives a folder it makes itself
            give_default_mode(aside, folder=True)
            try:
                os.rename(aside, path)  # replaces an empty folder, fails on a filled one
            except OSError:
                if not self.exists():
                    raise PublishError(f"{path} exists but is not a git repository") from None
        finally:
            shutil.rmtree(aside, ignore_errors=True)

    @property
    def branch(self) -> str:
        """The repository's default branch, read once: ``main`` for a repository that
        does not exist yet (created with it) or whose HEAD cannot be read."""
        if self._branch is not None:
            return self._branch
        found = self._default_branch()
        if found is None and not self.exists():
            return BRANCH  # not cached: the repository may be created (or appear) later
        self._branch = found or BRANCH
        return self._branch

    def _default_branch(self) -> str | None:
        """The branch the repository's HEAD names, even before its first commit."""
        if not self.remote:
            if not Path(self.location).is_dir():
                return None
            # a local repository's HEAD is readable when it is unborn (an empty repository
            # made by an older git: master); ls-remote shows no HEAD then
            proc = self._git(
                "-C", self.location, "symbolic-ref", "-q", "HEAD", check=False, ceiling=True
            )
            name = proc.stdout.decode("utf-8", "replace").strip()
            if proc.returncode == 0 and name.startswith("refs/heads/"):
                return name.removeprefix("refs/heads/")
        proc = self._git("ls-remote", "--symref", self.location, "HEAD", check=False)
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            found = re.fullmatch(r"ref: refs/heads/(\S+)\tHEAD", line)
            if found is not None:
                return found.group(1)
        return None

    def head(self) -> str | None:
        return self._refs().get(f"refs/heads/{self.branch}")

    def tags(self) -> dict[str, str]:
        refs = self._refs()
        out: dict[str, str] = {}
        for name, sha in refs.items():
            if name.startswith("refs/tags/") and not name.endswith("^{}"):
                tag = name[len("refs/tags/") :]
                out[tag] = refs.get(f"{name}^{{}}", sha)
        return out

    def commit_info(self, revision: str) -> CommitRef:
        sha = self._resolve(revision)
        proc = self._git("log", "-1", "--format=%H%x00%ct%x00%B", sha, cwd=self._work)
        commit_id, stamp, message = proc.stdout.decode("utf-8", "replace").split("\0", 2)
        date = dt.datetime.fromtimestamp(int(stamp), tz=dt.timezone.utc).date().isoformat()
        return CommitRef(commit_id, message.strip(), date)

    def fetch_file(self, revision: str, path: str, dest: Path) -> bool:
        sha = self._resolve(revision)
        spec = f"{sha}:{path}"
        if self._git("cat-file", "-e", spec, cwd=self._work, check=False).returncode:
            return False
        dest.parent.mkdir(parents=True, exist_ok=True)
        head = self._git("cat-file", "-s", spec, cwd=self._work).stdout
        pointer = int(head) < 1024 and self._git(
            "cat-file", "blob", spec, cwd=self._work
        ).stdout.startswith(_LFS_POINTER)
        with dest.open("wb") as out:
            if not pointer:
                self._git("cat-file", "blob", spec, cwd=self._work, stdout=out.fileno())
                return True
            blob = self._git("cat-file", "blob", spec, cwd=self._work).stdout
            self._git(
                "lfs",
                "smudge",
                "--",
                path,
                cwd=self._work,
                input=blob,
                stdout=out.fileno(),
                what="git lfs smudge",
            )
        return True

    def history(self, revision: str, *, stop: str | None) -> Iterator[CommitRef]:
        sha = self._resolve(revision)
        spec = [sha] if stop is None else [sha, f"^{self._resolve(stop)}"]
        proc = self._git(
            "log", "--first-parent", "--format=%H%x00%ct%x00%B%x1e", *spec, "--", cwd=self._work
        )
        for chunk in proc.stdout.decode("utf-8", "replace").split("\x1e"):
            if not chunk.strip():
                continue
            commit_id, stamp, message = chunk.lstrip("\n").split("\0", 2)
            date = dt.datetime.fromtimestamp(int(stamp), tz=dt.timezone.utc).date().isoformat()
            yield CommitRef(commit_id, message.strip(), date)

    def on_branch(self, commit: str, head: str) -> bool | None:
        ancestor, tip = self._resolve(commit), self._resolve(head)
        proc = self._git("merge-base", "--is-ancestor", ancestor, tip, cwd=self._work, check=False)
        return {0: True, 1: False}.get(proc.returncode)

    def list_files(self, revision: str) -> list[str]:
        sha = self._resolve(revision)
        out = self._git("ls-tree", "-r", "-z", "--name-only", sha, cwd=self._work).stdout
        return sorted(p.decode() for p in out.split(b"\0") if p)

    def file_stats(self, revision: str) -> dict[str, FileStat]:
        """Sizes and blob ids from ``git ls-tree -l``; an LFS file's size and sha256 from its
        pointer blob (a few hundred bytes each): no LFS object is fetched."""
        sha = self._resolve(revision)
        out = self._git("ls-tree", "-r", "-l", "-z", sha, cwd=self._work).stdout
        blobs: dict[str, tuple[str, int]] = {}
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, _, path = item.decode("utf-8", "surrogateescape").partition("\t")
            _mode, kind, blob, size = meta.split()
            if kind == "blob":
                blobs[path] = (blob, int(size))
        pointers = self._lfs_pointers({b for b, n in blobs.values() if n < _POINTER_MAX})
        stats: dict[str, FileStat] = {}
        for path, (blob, size) in blobs.items():
            pointer = pointers.get(blob)
            if pointer is not None:
                stats[path] = FileStat(size=pointer[1], sha256=pointer[0], blob_id=blob)
            else:
                stats[path] = FileStat(size=size, sha256=None, blob_id=blob)
        return stats

    def _lfs_pointers(self, blobs: set[str]) -> dict[str, tuple[str, int]]:
        """blob id -> (sha256, size) for those of ``blobs`` that are LFS pointers."""
        if not blobs:
            return {}
        order = sorted(blobs)
        proc = self._git(
            "cat-file", "--batch", cwd=self._work, input="".join(f"{b}\n" for b in order).encode()
        )
        found: dict[str, tuple[str, int]] = {}
        data, at = proc.stdout, 0
        for blob in order:
            header_end = data.index(b"\n", at)
            size = int(data[at:header_end].split()[2])
            body = data[header_end + 1 : header_end + 1 + size]
            at = header_end + 1 + size + 1  # the content is followed by a newline
            parsed = _parse_pointer(body)
            if parsed is not None:
                found[blob] = parsed
        return found

    def commit(
        self,
        staged: Path,
        files: list[str],
        *,
        message: str,
        description: str,
        parent: str | None,
        delete: Collection[str] = (),
        attempt: int = 1,  # git errors are not retried: there is no backoff to grow
    ) -> str:
        repo = self._work
        if parent is not None:
            self._resolve(parent)
        assert self._tmp is not None
        tree = Path(tempfile.mkdtemp(prefix="tree-", dir=self._tmp))
        for rel in files:
            link_or_copy(staged / rel, tree / rel)
        (tree / ".gitattributes").write_text(self._gitattributes(parent, files), encoding="utf-8")
        # the index starts as the parent's tree: files this release does not delete stay
        git = ("--literal-pathspecs", "--work-tree", str(tree))
        self._git("symbolic-ref", "HEAD", "refs/heads/release", cwd=repo)
        if parent is not None:
            self._git("update-ref", "refs/heads/release", parent, cwd=repo)
            self._git(*git, "read-tree", parent, cwd=repo)
        else:
            self._git("update-ref", "-d", "refs/heads/release", cwd=repo, check=False)
            self._git(*git, "read-tree", "--empty", cwd=repo)
        gone = sorted(set(delete) - set(files) - {".gitattributes"})
        if gone:
            self._git(
                *git,
                "rm",
                "-q",
                "--cached",
                "--ignore-unmatch",
                "--pathspec-from-file=-",
                "--pathspec-file-nul",
                cwd=repo,
                input="\0".join(gone).encode(),
                what="git rm",
            )
        # -f: a .gitignore kept in the repository must not keep data files out
        self._git(*git, "add", "-f", "--ignore-removal", ".", cwd=repo, what="git add")
        msg = tree.parent / "message.txt"
        msg.write_text(f"{message}\n\n{description}\n", encoding="utf-8")
        self._git(
            *git,
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-F",
            str(msg),
            cwd=repo,
            what="git commit",
        )
        new = self._git("rev-parse", "HEAD", cwd=repo).stdout.decode().strip()
        branch = self.branch
        lease = f"--force-with-lease=refs/heads/{branch}:{parent or ''}"
        proc = self._git(
            "push",
            "-q",
            "--porcelain",
            lease,
            "origin",
            f"{new}:refs/heads/{branch}",
            cwd=repo,
            check=False,
        )
        if proc.returncode != 0:
            text = _redact(self._stderr(proc) + " " + proc.stdout.decode("utf-8", "replace"))
            if "stale info" in text or "fetch first" in text or "non-fast-forward" in text:
                raise ConcurrentPublishError(
                    f"{self.description}: {branch} moved since it was read "
                    f"(expected {parent or 'no branch'}); nothing was pushed"
                )
            reason = _remote_rejection(proc.stdout)
            if _lost_ref_race(proc.stderr.decode("utf-8", "replace")):
                raise ConcurrentPublishError(
                    f"{self.description}: another push was updating {branch} at the same "
                    f"time (its ref was locked or had moved); nothing of this release was "
                    f"pushed. If publishing again fails the same way, a crashed git left "
                    f"refs/heads/{branch}.lock in that repository: remove it"
                )
            if reason is not None:
                raise PublishError(self._refused(reason, _remote_errors(proc.stderr)))
            raise PublishError(f"git push failed on {self.description}: {text}")
        shutil.rmtree(tree, ignore_errors=True)
        return new

    def _gitattributes(self, parent: str | None, files: Collection[str] = ()) -> str:
        """The parent's .gitattributes with the lines a release needs appended where missing:
        a teammate's rules (their own LFS patterns, line ends) are kept, and ours come last,
        so they win for Parquet whatever an earlier line says. When their rules convert line
        ends (``* text=auto eol=crlf``), the release's files are exempted (``-text``): a
        checkout must hold the bytes the manifest lists, or every clone fails ``verify``."""
        spec = f"{parent}:.gitattributes"
        if (
            parent is None
            or self._git("cat-file", "-e", spec, cwd=self._work, check=False).returncode
        ):
            return GITATTRIBUTES
        theirs = self._git("cat-file", "blob", spec, cwd=self._work).stdout.decode(
            "utf-8", "replace"
        )
        present = set(theirs.splitlines())
        ours = [*_exempt_from_conversion(theirs, files), *GITATTRIBUTES.splitlines()]
        missing = [line for line in ours if line not in present]
        if not missing:
            return theirs
        if theirs and not theirs.endswith("\n"):
            theirs += "\n"
        return theirs + "".join(f"{line}\n" for line in missing)

    def _refused(self, reason: str, said: str = "") -> str:
        """The message for a push the receiving repository refused (see _remote_rejection);
        ``said``: what its hook or policy printed."""
        hint = (
            f"publish to a bare repository instead (git clone --bare {self.clone_url} "
            f"<path>.git), or check out another branch in {self.clone_url}"
            if "checked out" in reason or "changes" in reason or "Working directory" in reason
            else "check that repository's hooks and settings"
        )
        detail = f" (it said: {_redact(said)})" if said and "checked out" not in reason else ""
        return (
            f"{self.description} refused the push of {self.branch}: {_redact(reason)}{detail}; "
            f"nothing was committed. It is a work tree or has a hook that refuses pushes: {hint}"
        )

    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        existing = self.tags()
        if tag in existing:
            raise TagExistsError(
                f"tag {tag} already exists on {self.description} ({existing[tag]})"
            )
        repo = self._work
        self._resolve(commit)
        self._git("tag", "-f", "-a", tag, "-m", message, commit, cwd=repo, what="git tag")
        proc = self._git(
            "push",
            "-q",
            "--porcelain",
            "origin",
            f"refs/tags/{tag}:refs/tags/{tag}",
            cwd=repo,
            check=False,
        )
        if proc.returncode != 0:
            text = _redact(self._stderr(proc) + " " + proc.stdout.decode("utf-8", "replace"))
            if "already exists" in text or "rejected" in text:
                raise TagExistsError(f"tag {tag} already exists on {self.description}")
            raise PublishError(f"git push of tag {tag} failed on {self.description}: {text}")

    def materialize(self, revision: str, dest: Path) -> list[str]:
        sha = self._resolve(revision)
        dest.mkdir(parents=True, exist_ok=True)
        clone = dest
        self._git("init", "-q", str(clone))
        self._git("lfs", "install", "--local", cwd=clone, what="git lfs install")
        self._git("remote", "add", "origin", self.location, cwd=clone)
        self._git("config", "lfs.locksverify", "false", cwd=clone)
        self._git("fetch", "-q", "origin", *_FETCH_ALL, cwd=clone, what="git fetch")
        self._git(*_LFS_CONFIG, "checkout", "-q", sha, cwd=clone, what="git checkout (with lfs)")
        return self.list_files(sha)

    def close(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
