"""Cases over ``builder publish``, ``verify`` and ``diff`` options given careless values,
and over build folders damaged after the build. A failed publish must leave its git
target as it was (absent here); nothing is sent anywhere but a local path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .model import Apply, Case

__all__ = ["publish_cases"]

TARGET = "{base}/target.git"


def _publish(*options: str) -> tuple[str, ...]:
    return ("publish", "--build", "{out}", "--git", TARGET, "--input", "{in}", *options)


def _hub(*options: str) -> tuple[str, ...]:
    """A dry run to a Hub repo: the options are refused before any request."""
    return ("publish", "--build", "{out}", "--repo", "org/x", *options, "--dry-run")


def _shard(out: Path) -> Path:
    return next((out / "data").glob("train-*.parquet"))


def _cut_shard(out: Path) -> None:
    shard = _shard(out)
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])


def _manifest(text: str) -> Apply:
    return lambda out: (out / "manifest.json").write_text(text, encoding="utf-8")


def _drop_card(out: Path) -> None:
    (out / "README.md").unlink()


def _card_yaml_broken(out: Path) -> None:
    card = out / "README.md"
    card.write_text(card.read_text(encoding="utf-8").replace("---\n", "---\n: [\n", 1))


def publish_cases() -> Iterator[Case]:
    careless: list[tuple[str, tuple[str, ...], str]] = [
        ("version-empty", _publish("--version", ""), "version"),
        ("version-two-parts", _publish("--version", "1.0"), "1.0"),
        ("version-negative", _publish("--version", "-1.0.0"), "version"),
        ("version-words", _publish("--version", "latest"), "latest"),
        ("version-other", _publish("--version", "9.0.0"), "9.0.0"),
        ("build-missing", ("publish", "--build", "{base}/nope", "--git", TARGET), "nope"),
        (
            "build-is-file",
            ("publish", "--build", "{in}/dataset.yaml", "--git", TARGET),
            "dataset.yaml",
        ),
        ("build-is-input", ("publish", "--build", "{in}", "--git", TARGET), "{in}"),
        (
            "git-empty",
            ("publish", "--build", "{out}", "--git", "", "--input", "{base}/none"),
            "--git",
        ),
        (
            "repo-spaces",
            ("publish", "--build", "{out}", "--repo", "my org/x y", "--dry-run"),
            "--repo 'my org/x y'",
        ),
        (
            "repo-double-dash",
            ("publish", "--build", "{out}", "--repo", "org/news--2024", "--dry-run"),
            "--repo 'org/news--2024'",
        ),
        ("repo-and-git", _publish("--repo", "org/x"), "--repo"),
        ("endpoint-ftp", _hub("--endpoint", "ftp://x"), "--endpoint"),
        ("endpoint-empty", _hub("--endpoint", ""), "--endpoint"),
    ]
    for name, argv, names in careless:
        yield Case(
            f"publish-{name}", lambda d: None, names, commands=("argv",), argv=argv, watch=TARGET
        )
    verify_careless: list[tuple[str, tuple[str, ...], str]] = [
        ("revision-on-folder", ("verify", "{out}", "--revision", "v1.0.0"), "--revision"),
        ("folder-missing", ("verify", "{base}/nope"), "nope"),
        ("manifest-as-folder", ("verify", "{out}/manifest.json"), "manifest.json"),
        ("git-missing", ("verify", "--git", "{base}/nope.git"), "nope.git"),
        ("repo-and-git", ("verify", "--repo", "org/x", "--git", "{base}/x.git"), "--repo"),
        ("diff-limit-negative", ("diff", "{out}", "{out}", "--limit", "-1"), "--limit"),
        ("diff-missing-side", ("diff", "{out}", "{base}/nope"), "nope"),
    ]
    for name, argv, names in verify_careless:
        watch = "{base}/nope.git" if "git" in name else "{out}"
        yield Case(
            f"verify-{name}", lambda d: None, names, commands=("argv",), argv=argv, watch=watch
        )
    damaged: list[tuple[str, Apply, str]] = [
        ("shard-cut", _cut_shard, "data/train-00000-of-00001.parquet"),
        ("manifest-list", _manifest("[]"), "manifest.json"),
        ("manifest-not-json", _manifest("{"), "manifest.json"),
        ("manifest-outputs-number", _manifest(json.dumps({"outputs": [3]})), "manifest.json"),
        ("card-missing", _drop_card, "README.md"),
        ("card-yaml-broken", _card_yaml_broken, "README.md"),
    ]
    for name, change, names in damaged:
        for command, argv, watch in (
            ("verify", ("verify", "{out}"), "{out}"),
            ("diff", ("diff", "{good}", "{out}"), "{out}"),
            ("publish", _publish(), TARGET),
        ):
            # diff compares records: a build without its card still has them
            expect = "any" if (name, command) == ("card-missing", "diff") else "fail"
            yield Case(
                f"damaged-{name}:{command}",
                lambda d: None,
                names,
                expect=expect,
                commands=("argv",),
                argv=argv,
                watch=watch,
                apply_out=change,
            )
