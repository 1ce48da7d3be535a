"""Checks on the build folder that run before anything is sent anywhere.

Everything here is local: the folder verifies against its manifest, no
privacy finding blocks it, the card's YAML parses with huggingface_hub, and
the version is valid semver and the one the build was made for (the card
and manifest state it, so publishing a build under another version would
make them lie). The checks against the target (newer than the newest tag,
bump big enough) live in :mod:`.release` and :mod:`.versioning`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..card_versions import unpublished_version
from ..errors import UsageError
from ..hub_metadata import check_hub_metadata
from ..listing import first_and_more
from ..manifest import MANIFEST_NAME
from .target import PublishError
from .verify import card_configs, read_card, verify_folder
from .versioning import parse_version

__all__ = ["BuildInfo", "check_build", "check_privacy"]

_MAX_LISTED = 20


@dataclass(frozen=True)
class BuildInfo:
    """A build folder that passed the local pre-flight checks."""

    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str  # identity of the build: same inputs, same manifest, same hash
    version: semver.Version
    card: str
    configs: list[str]


def _total_findings(privacy: dict[str, Any]) -> int:
    total = privacy.get("total_findings")
    if isinstance(total, int):
        return total
    findings = privacy.get("findings")
    if isinstance(findings, dict):
        return sum(v for v in findings.values() if isinstance(v, int))
    return findings if isinstance(findings, int) else 0


def check_privacy(manifest: dict[str, Any]) -> None:
    """Refuse a build whose privacy scan found something and asked to block publishing.

    Reads the manifest's ``privacy`` block: ``publish_blocked``, or a
    ``block_publish`` / ``block_publish_on_findings`` flag with findings > 0.
    """
    privacy = manifest.get("privacy")
    if not isinstance(privacy, dict):
        return
    total = _total_findings(privacy)
    flag = privacy.get("block_publish") or privacy.get("block_publish_on_findings")
    if privacy.get("publish_blocked") or (flag and total > 0):
        kinds = privacy.get("findings")
        detail = (
            " (" + ", ".join(f"{k}: {v}" for k, v in kinds.items() if v) + ")"
            if isinstance(kinds, dict) and any(kinds.values())
            else ""
        )
        raise PublishError(
            f"the build's privacy scan found {total} finding(s){detail} and blocks publishing "
            "(manifest.json 'privacy'); review them in the build report, fix the inputs "
            "and rebuild"
        )


def _stated_versions(build_dir: Path, manifest: dict[str, Any], card: str) -> dict[str, str]:
    """file -> the dataset version it states, for the files the build wrote it into."""
    stated: dict[str, str] = {}
    if (in_card := unpublished_version(card)) is not None:
        stated["README.md"] = in_card
    listed = {o.get("path") for o in manifest.get("outputs", []) if isinstance(o, dict)}
    if "croissant.json" in listed:
        try:
            doc = json.loads((build_dir / "croissant.json").read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            doc = None  # not the build's: verify_folder compared its hash already
        if isinstance(doc, dict) and isinstance(doc.get("version"), str):
            stated["croissant.json"] = doc["version"]
    return stated


def _check_stated_versions(
    build_dir: Path, manifest: dict[str, Any], card: str, version: str
) -> None:
    """The manifest's version is the one the card and croissant.json state.

    The manifest lists every file's hash but not its own, so a version edited into
    manifest.json by hand (a re-version without a rebuild) passes verify_folder and
    would publish a release whose card and metadata name another version."""
    other = {f: v for f, v in _stated_versions(build_dir, manifest, card).items() if v != version}
    if other:
        listed = ", ".join(f"{f} says {v}" for f, v in sorted(other.items()))
        raise PublishError(
            f"{build_dir / MANIFEST_NAME} says version {version} but {listed}: the manifest "
            "was edited after the build. Set `version` in dataset.yaml and rebuild"
        )


def check_build(build_dir: Path, version: str | None = None) -> BuildInfo:
    """Run the local pre-flight checks; PublishError (with every problem) if one fails."""
    build_dir = Path(build_dir)
    manifest_path = build_dir / MANIFEST_NAME
    if build_dir.exists() and not build_dir.is_dir():
        raise UsageError(
            f"{build_dir} is a file, not a build folder (the folder `builder build` writes)"
        )
    if not build_dir.is_dir():
        raise UsageError(f"no build folder at {build_dir} (run `builder build` first)")
    if not manifest_path.is_file():
        raise UsageError(f"{build_dir} has no {MANIFEST_NAME}: it is not a build folder")
    raw = manifest_path.read_bytes()
    mismatches = verify_folder(build_dir)
    if mismatches:
        listed = first_and_more(
            mismatches,
            limit=_MAX_LISTED,
            join=lambda shown: "".join(f"\n  - {m}" for m in shown),
            more="\n  ... and {} more",
        )
        raise PublishError(
            f"{build_dir} does not match its manifest ({len(mismatches)} problem(s)); "
            f"rebuild it:{listed}"
        )
    manifest = json.loads(raw)
    check_privacy(manifest)
    card = (build_dir / "README.md").read_text(encoding="utf-8")
    try:
        data = read_card(card)
    except ValueError as exc:
        raise PublishError(f"{build_dir / 'README.md'}: {exc}") from None
    bad = check_hub_metadata(data.to_dict(), file=str(build_dir / "README.md"))
    if bad:
        listed = "\n".join(f"  - {i.file}: {i.pointer}: {i.message}" for i in bad)
        raise PublishError(
            f"the card metadata has {len(bad)} value(s) the Hub would reject or ignore; "
            f"fix dataset.yaml and rebuild:\n{listed}"
        )
    built = str(manifest.get("dataset", {}).get("version", ""))
    # an empty --version is a careless value, not 'the build's version'
    wanted = parse_version(version) if version is not None else None
    if not built:
        raise PublishError(f"{manifest_path} names no dataset version")
    try:
        built_version = parse_version(built)
    except PublishError as exc:
        raise PublishError(f"{manifest_path}: {exc}") from None
    _check_stated_versions(build_dir, manifest, card, str(built_version))
    if wanted is not None and wanted != built_version:
        raise PublishError(
            f"the build in {build_dir} is version {built_version} (its card and manifest say so), "
            f"not {wanted}: set `version: {wanted}` in dataset.yaml and rebuild"
        )
    return BuildInfo(
        path=build_dir,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        version=built_version,
        card=card,
        configs=[str(c.get("config_name", "default")) for c in card_configs(data)],
    )
