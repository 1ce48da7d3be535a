"""What publishing must not take on trust: files a build folder carries that describe other
files of it, and the state of the target repository it publishes to.

Real runs: the CLI or ``publish`` against a real local git repository (git + git-lfs).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from publish_helpers import Releases, clone_at, copy_seeds, git, set_config

from builder.manifest import MANIFEST_NAME, file_entry
from builder.publish.gitrepo import GitTarget
from builder.publish.records import RECORDS_NAME, write_build_digest
from builder.publish.release import publish
from builder.publish.target import PublishError

pytest_plugins = ["publish_helpers"]

LOAD_NAME = "local/news"


@pytest.fixture(autouse=True)
def _git_lfs_required(git_lfs: None) -> None:
    """Every test here needs git-lfs (the fixture fails loudly when it is missing)."""


def _list_in_manifest(build: Path, rel: str) -> None:
    """Add ``rel`` to the build's manifest with its real hash, as a careful editor would:
    the folder still verifies against its manifest."""
    path = build / MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    outputs = [o for o in manifest["outputs"] if o["path"] != rel]
    outputs.append(file_entry(build / rel, build))
    manifest["outputs"] = sorted(outputs, key=lambda o: o["path"])
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _with_digest_of(build: Path, shards_of: Path, dest: Path) -> Path:
    """A copy of ``build`` carrying the record digest of ``shards_of``'s Parquet shards."""
    shutil.copytree(build, dest)
    other = dest.parent / f"{dest.name}-digest-source"
    shutil.copytree(shards_of, other)
    shutil.move(write_build_digest(other), dest / RECORDS_NAME)
    _list_in_manifest(dest, RECORDS_NAME)
    return dest


# -- 1. a record digest the build folder carries ------------------------------------------
def test_a_stale_record_digest_in_the_build_is_refused_and_nothing_is_published(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    assert run_cli("publish", "-b", str(releases.v100), "--git", str(repo)).code == 0
    before = git("show-ref", cwd=repo)
    # v1.1.0's folder with v1.0.0's digest: it said "no change to the data" and let a
    # PATCH through for a release that adds and changes records
    stale = _with_digest_of(releases.v110, releases.v100, tmp_path / "stale")
    verified = run_cli("verify", str(stale))  # every hash its manifest lists matches
    assert verified.code == 1 and "records.jsonl.gz: records: does not describe" in verified.stderr
    result = run_cli("publish", "-b", str(stale), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert "records.jsonl.gz" in result.stderr and "does not describe" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert git("show-ref", cwd=repo) == before


def test_a_record_digest_that_matches_the_shards_is_published(
    releases: Releases, tmp_path: Path
) -> None:
    repo = tmp_path / "repo.git"
    carried = _with_digest_of(releases.v110, releases.v110, tmp_path / "carried")
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        assert publish(releases.v100, target).status == "published"
        result = publish(carried, target)
    assert result.change is not None
    assert result.change.summary().startswith("1 record added, 1 changed")


def test_an_edited_record_digest_is_refused(releases: Releases, tmp_path: Path) -> None:

    edited = _with_digest_of(releases.v110, releases.v110, tmp_path / "edited")
    lines = gzip.decompress((edited / RECORDS_NAME).read_bytes()).decode().splitlines()
    first = json.loads(lines[0])
    first["sha256"] = "0" * 64
    lines[0] = json.dumps(first)
    (edited / RECORDS_NAME).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    _list_in_manifest(edited, RECORDS_NAME)
    with (
        GitTarget(tmp_path / "repo.git", load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match=rf"does not describe.*{first['id']}"),
    ):
        publish(edited, target, dry_run=True)


def test_a_record_digest_that_is_not_one_is_refused_not_an_internal_error(
    releases: Releases, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(releases.v110, broken)
    (broken / RECORDS_NAME).write_bytes(b"not gzip at all\n")
    _list_in_manifest(broken, RECORDS_NAME)
    with (
        GitTarget(tmp_path / "repo.git", load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match=r"does not describe.*cannot be read"),
    ):
        publish(broken, target, dry_run=True)


# -- 2. the branch a git target's readers see ----------------------------------------------
def _bare_with_commit(path: Path, branch: str, tmp_path: Path) -> str:
    """A bare repository whose only branch ``branch`` (its HEAD) has a teammate's README."""
    git("init", "-q", "--bare", "-b", branch, str(path))
    work = tmp_path / f"{path.name}-work"
    git("clone", "-q", str(path), str(work))
    (work / "README.txt").write_text("team notes\n", encoding="utf-8")
    git("add", "README.txt", cwd=work)
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "init", cwd=work)
    git("push", "-q", "origin", f"HEAD:{branch}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


def _branches(repo: Path) -> list[str]:
    return git("for-each-ref", "refs/heads", "--format=%(refname:short)", cwd=repo).split()


def test_a_repository_whose_only_branch_is_master_gets_the_release_on_master(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "old.git"
    first = _bare_with_commit(repo, "master", tmp_path)
    dry = run_cli("publish", "-b", str(releases.v100), "--git", str(repo), "--dry-run")
    assert "branch master" in dry.stderr, dry.stderr
    result = run_cli("publish", "-b", str(releases.v100), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "branch master" in result.stderr
    assert _branches(repo) == ["master"]  # no second, unseen `main`
    assert git("rev-parse", "master~1", cwd=repo).strip() == first  # on top of their work
    assert git("rev-parse", "v1.0.0^{commit}", cwd=repo) == git("rev-parse", "master", cwd=repo)
    clone = tmp_path / "clone"  # what a reader sees: the default branch holds the release
    git("clone", "-q", "--no-checkout", str(repo), str(clone))
    seen = git("ls-tree", "-r", "--name-only", "HEAD", cwd=clone).split()
    assert "README.txt" in seen and MANIFEST_NAME in seen
    second = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert second.code == 0, second.stderr
    assert "1 record added, 1 changed" in second.stderr
    assert _branches(repo) == ["master"]


def test_an_empty_repository_whose_head_names_master_gets_master(
    releases: Releases, tmp_path: Path
) -> None:
    repo = tmp_path / "empty.git"
    git("init", "-q", "--bare", "-b", "master", str(repo))
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        result = publish(releases.v100, target)
    assert _branches(repo) == ["master"]
    assert git("rev-parse", "master", cwd=repo).strip() == result.commit


def test_a_head_naming_another_branch_is_followed_and_main_left_alone(
    releases: Releases, tmp_path: Path
) -> None:
    repo = tmp_path / "dev.git"
    theirs = _bare_with_commit(repo, "main", tmp_path)
    git("branch", "develop", "main", cwd=repo)
    git("symbolic-ref", "HEAD", "refs/heads/develop", cwd=repo)
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        result = publish(releases.v100, target)
    assert git("rev-parse", "develop", cwd=repo).strip() == result.commit
    assert git("rev-parse", "main", cwd=repo).strip() == theirs


def test_an_empty_folder_inside_another_repository_becomes_its_own_with_main(
    releases: Releases, tmp_path: Path
) -> None:
    """The default branch is read from the target path itself, never from a work tree
    around it (whose HEAD names master here)."""
    outer = tmp_path / "project"
    git("init", "-q", "-b", "master", str(outer))
    (outer / "releases").mkdir()
    with GitTarget(outer / "releases", load_name=LOAD_NAME) as target:
        result = publish(releases.v100, target)
    assert _branches(outer / "releases") == ["main"]
    assert git("rev-parse", "main", cwd=outer / "releases").strip() == result.commit


# -- a previous release this tool cannot read all of ---------------------------------------
def _rerelease(repo: Path, tag: str, edit: Callable[[Path], list[str]], tmp_path: Path) -> None:
    """Replace the release ``tag`` by one ``edit`` changed (as another tool, or an older
    version of this one, would have published it); ``edit`` returns the files it changed."""
    work = clone_at(repo, tag, tmp_path / "rerelease")
    git("add", *edit(work), cwd=work)
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "older tool", cwd=work)
    git("tag", "-d", tag, cwd=repo)
    git("-c", "user.name=a", "-c", "user.email=a@b", "tag", "-f", "-a", tag, "-m", tag, cwd=work)
    git("push", "-q", "origin", "HEAD:main", f"refs/tags/{tag}", cwd=work)


def _digest_replaced(digest: bytes) -> Callable[[Path], list[str]]:
    def edit(work: Path) -> list[str]:
        (work / RECORDS_NAME).write_bytes(digest)
        _list_in_manifest(work, RECORDS_NAME)
        return [RECORDS_NAME, MANIFEST_NAME]

    return edit


@pytest.mark.parametrize(
    "digest",
    [
        gzip.compress(b'{"id": "a", "digest": "x"}\n'),  # another format: no split, sha256
        b"not gzip\n",
        gzip.compress(
            b'{"id":"b","split":"train","sha256":"x"}\n{"id":"a","split":"train","sha256":"y"}\n'
        ),
    ],
    ids=["other-format", "not-gzip", "unsorted"],
)
def test_a_previous_digest_that_cannot_be_read_falls_back_to_checksums(
    releases: Releases, tmp_path: Path, run_cli: Callable, digest: bytes
) -> None:
    repo = tmp_path / "repo.git"
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        assert publish(releases.v100, target).status == "published"
    _rerelease(repo, "v1.0.0", _digest_replaced(digest), tmp_path)
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "records.jsonl.gz of v1.0.0 cannot be read" in result.stderr
    assert "records changed" in result.stderr  # the data checksums differ: still MINOR
    assert git("rev-parse", "v1.1.0^{commit}", cwd=repo) == git("rev-parse", "main", cwd=repo)


def _outputs_renamed(work: Path) -> list[str]:
    """A manifest whose files are listed under another key than ``path``."""
    manifest = json.loads((work / MANIFEST_NAME).read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        entry["file"] = entry.pop("path")
    (work / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return [MANIFEST_NAME]


def test_a_previous_manifest_of_another_shape_needs_a_major_release_not_an_internal_error(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        assert publish(releases.v100, target).status == "published"
    _rerelease(repo, "v1.0.0", _outputs_renamed, tmp_path)
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 1, result.stderr
    assert "internal error" not in result.stderr
    assert "manifest.json of v1.0.0 is not one this tool reads (/outputs/0/path" in result.stderr
    assert "needs a MAJOR release" in result.stderr
    assert "v1.1.0" not in git("tag", cwd=repo)


def test_verify_finds_a_published_digest_that_does_not_describe_the_release(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """A release published with another build's digest (as this tool did when it trusted
    one the build folder carried) verified: its hash is the one its manifest lists."""
    repo = tmp_path / "repo.git"
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        assert publish(releases.v100, target).status == "published"
    other = tmp_path / "other"
    shutil.copytree(releases.v110, other)
    _rerelease(repo, "v1.0.0", _digest_replaced(write_build_digest(other).read_bytes()), tmp_path)
    result = run_cli("verify", "--git", str(repo), "--revision", "v1.0.0")
    assert result.code == 1, result.stderr
    assert "records.jsonl.gz: records: does not describe the Parquet shards" in result.stderr


# -- a build folder another tool (or a hand) assembled --------------------------------------
def _with_shard(build: Path, dest: Path, name: str, rows: pa.Table) -> Path:
    shutil.copytree(build, dest)
    pq.write_table(rows, dest / "data" / name)
    _list_in_manifest(dest, f"data/{name}")
    return dest


def test_a_data_file_of_a_split_no_one_lists_is_a_mismatch(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """A listed shard of a split that neither the manifest's splits nor the card name:
    load_dataset never reads it, yet its rows were digested (an internal error, their ids
    being train's)."""
    train = pq.read_table(releases.v110 / "data" / "train-00000-of-00001.parquet")
    extra = _with_shard(releases.v110, tmp_path / "extra", "extra-00000-of-00001.parquet", train)
    result = run_cli("verify", str(extra))
    assert result.code == 1, result.stderr
    assert "data/extra-00000-of-00001.parquet: splits: split 'extra'" in result.stderr
    published = run_cli("publish", "-b", str(extra), "--git", str(tmp_path / "r.git"))
    assert published.code == 1 and "internal error" not in published.stderr


def test_an_id_in_two_splits_is_a_data_error_naming_it(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    folder = tmp_path / "leak"
    shutil.copytree(releases.v110, folder)
    train = pq.read_table(folder / "data" / "train-00000-of-00001.parquet", columns=["id"])
    leaked = train.column(0)[0].as_py()
    test_path = folder / "data" / "test-00000-of-00001.parquet"
    test = pq.read_table(test_path)
    ids = [leaked, *test.column("id").to_pylist()[1:]]
    ids_sorted = sorted(ids)
    test = test.set_column(test.schema.get_field_index("id"), "id", pa.array(ids))
    pq.write_table(test.take(pa.array([ids.index(i) for i in ids_sorted])), test_path)
    _list_in_manifest(folder, "data/test-00000-of-00001.parquet")
    for args in (
        ("publish", "-b", str(folder), "--git", str(tmp_path / "r.git"), "--dry-run"),
        ("diff", str(releases.v100), str(folder)),
    ):
        result = run_cli(*args)
        assert result.code == 1, result.stderr
        assert "internal error" not in result.stderr
        assert f"{leaked!r}" in result.stderr and "test" in result.stderr, result.stderr


# -- the dataset.yaml whose publish settings choose the target -------------------------------
def test_publish_settings_of_another_datasets_config_are_refused(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """`builder publish -b BUILD` reads ./seeds/dataset.yaml by default: a build made from
    another config would go to that project's release repository (and carry its repo_id in
    the card's load line)."""
    other = copy_seeds(tmp_path / "other")
    set_config(other, name="another-dataset")
    result = run_cli("publish", "-b", str(releases.v100), "-i", str(other))
    assert result.code == 2, result.stderr
    assert "'israel-iran-april-2024-news'" in result.stderr
    assert "'another-dataset'" in result.stderr and "--git" in result.stderr
    assert not (tmp_path / "out").exists()  # other's publish.git_target: ../out/release-repo
    hub = run_cli("publish", "-b", str(releases.v100), "-i", str(other), "--hub", "--dry-run")
    assert hub.code == 2 and "'another-dataset'" in hub.stderr
    named = run_cli("publish", "-b", str(releases.v100), "--git", str(tmp_path / "r.git"))
    assert named.code == 0, named.stderr  # -i defaults to ./seeds: the same dataset


# -- a card edited between build and publish (and the manifest re-hashed) --------------------
def test_a_card_whose_split_reads_another_splits_shards_is_a_mismatch(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """The card's train pattern widened to every shard: the folder verified, and the release
    could not be loaded (NonMatchingSplitsSizesError: the card says 3 rows, train reads 6)."""
    folder = tmp_path / "card"
    shutil.copytree(releases.v110, folder)
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert card.count("path: data/train-*") == 1
    (folder / "README.md").write_text(card.replace("path: data/train-*", "path: data/*-*"))
    _list_in_manifest(folder, "README.md")
    result = run_cli("verify", str(folder))
    assert result.code == 1, result.stderr
    assert "split 'train' also reads data/test-00000-of-00001.parquet" in result.stderr
    published = run_cli("publish", "-b", str(folder), "--git", str(tmp_path / "r.git"))
    assert published.code == 1 and "also reads" in published.stderr
    assert not (tmp_path / "r.git").exists()


# -- resuming onto a commit that is no longer what was committed ----------------------------
class _TagFails(GitTarget):
    def create_tag(self, tag: str, commit: str, *, message: str) -> None:
        raise PublishError("simulated crash between the commit and the tag")


def _rewrite_head_without(repo: Path, path: str) -> str:
    """Rewrite main's head commit (same message, same parent) without ``path``: what a
    history clean-up (filter-repo, BFG, an amended rebase) leaves."""
    tree = git("ls-tree", "main", cwd=repo)
    kept = "".join(line + "\n" for line in tree.splitlines() if not line.endswith(f"\t{path}"))
    new_tree = subprocess.run(
        ["git", "mktree"], cwd=repo, input=kept, capture_output=True, text=True, check=True
    ).stdout.strip()
    message = git("log", "-1", "--format=%B", "main", cwd=repo)
    commit = subprocess.run(
        ["git", "commit-tree", new_tree, "-p", "main~1", "-F", "-"],
        cwd=repo,
        input=message,
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "a",
            "GIT_AUTHOR_EMAIL": "a@b",
            "GIT_COMMITTER_NAME": "a",
            "GIT_COMMITTER_EMAIL": "a@b",
        },
    ).stdout.strip()
    git("update-ref", "refs/heads/main", commit, cwd=repo)
    return commit


def test_a_resumed_publish_does_not_tag_its_commit_rewritten_without_its_files(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    repo = tmp_path / "repo.git"
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        publish(releases.v100, target)
    with (
        _TagFails(repo, load_name=LOAD_NAME) as target,
        pytest.raises(PublishError, match="run the same publish again"),
    ):
        publish(releases.v110, target)
    rewritten = _rewrite_head_without(repo, RECORDS_NAME)  # the marker is in its message
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "is not its release (it lacks records.jsonl.gz)" in result.stderr
    tagged = git("rev-parse", "v1.1.0^{commit}", cwd=repo).strip()
    assert tagged != rewritten and git("rev-parse", f"{tagged}~1", cwd=repo).strip() == rewritten
    assert RECORDS_NAME in git("ls-tree", "--name-only", "v1.1.0", cwd=repo).split()
    assert run_cli("verify", "--git", str(repo), "--revision", "v1.1.0").code == 0


def test_a_git_url_whose_head_names_master_gets_the_release_on_master(
    releases: Releases, tmp_path: Path
) -> None:
    """A URL's default branch is what the server advertises for HEAD (ls-remote --symref)."""
    repo = tmp_path / "old.git"
    first = _bare_with_commit(repo, "master", tmp_path)
    with GitTarget(f"file://{repo}", load_name=LOAD_NAME) as target:
        result = publish(releases.v100, target)
    assert _branches(repo) == ["master"]
    assert git("rev-parse", "master~1", cwd=repo).strip() == first
    assert git("rev-parse", "master", cwd=repo).strip() == result.commit


# -- a teammate's .gitattributes that converts line ends on checkout -------------------------
@pytest.mark.parametrize("rule", ["* text=auto eol=crlf", "*.json text eol=crlf"])
def test_a_release_checks_out_as_published_whatever_line_end_rules_the_repository_has(
    releases: Releases, tmp_path: Path, run_cli: Callable, rule: str
) -> None:
    """`* text=auto eol=crlf` made every checkout of the release's JSON and card CRLF: not
    the bytes its manifest lists, so `verify` failed on every clone of a correct release."""
    repo = tmp_path / "repo.git"
    git("init", "-q", "--bare", "-b", "main", str(repo))
    work = tmp_path / "work"
    git("clone", "-q", str(repo), str(work))
    (work / ".gitattributes").write_text(rule + "\n", encoding="utf-8")
    git("add", ".gitattributes", cwd=work)
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "attrs", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        publish(releases.v100, target)
    result = run_cli("verify", "--git", str(repo), "--revision", "v1.0.0")
    assert result.code == 0, result.stderr
    attributes = git("show", "v1.0.0:.gitattributes", cwd=repo)
    assert attributes.startswith(rule + "\n")  # theirs kept, first


def test_a_release_on_another_branch_than_the_default_is_noted(
    releases: Releases, tmp_path: Path, run_cli: Callable
) -> None:
    """What an older version left: v1.0.0 on a `main` beside the default `master`."""
    repo = tmp_path / "old.git"
    _bare_with_commit(repo, "master", tmp_path)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=repo)
    with GitTarget(repo, load_name=LOAD_NAME) as target:
        publish(releases.v100, target)  # onto main, as the older version did
    git("symbolic-ref", "HEAD", "refs/heads/master", cwd=repo)
    result = run_cli("publish", "-b", str(releases.v110), "--git", str(repo))
    assert result.code == 0, result.stderr
    assert "note: v1.0.0 is not on master" in result.stderr
    assert git("rev-parse", "v1.1.0^{commit}", cwd=repo) == git("rev-parse", "master", cwd=repo)
    again = tmp_path / "again.git"
    with GitTarget(again, load_name=LOAD_NAME) as target:
        publish(releases.v100, target)
    second = run_cli("publish", "-b", str(releases.v110), "--git", str(again))
    assert "is not on" not in second.stderr
