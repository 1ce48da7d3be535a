"""Semantic versions of releases, and what a change between two releases requires.

The parts mean what they mean in TensorFlow Datasets:

- MAJOR: a change that can break a consumer's code: a field removed, renamed
  (which is a removal plus an addition) or retyped, a changed label list
  (ClassLabel ids would mean other things), a removed split or config;
- MINOR: new data or new fields a consumer's code survives: a field, split or
  config added, records added, removed or changed;
- PATCH: nothing a client can see in the data changed (card text, file layout).

All functions here are pure: they compare two manifests' ``features`` and
``splits`` and a record diff computed elsewhere (:mod:`.records`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import semver

from .records import RecordDiff
from .target import PublishError

__all__ = [
    "IMPLICIT_CONFIG",
    "Change",
    "Level",
    "bump_level",
    "check_bump",
    "classify",
    "feature_leaves",
    "newest_release",
    "parse_version",
    "tag_name",
]

_STRICT = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_TAG = re.compile(r"^v((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))$")
IMPLICIT_CONFIG = "default"
"""The config a card without ``configs:`` has (datasets names it so)."""


class Level(enum.IntEnum):
    """How big a change (or a version bump) is."""

    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name


def parse_version(text: str, *, named: str = "version") -> semver.Version:
    """``X.Y.Z`` (a leading ``v`` is accepted) -> Version; PublishError otherwise,
    naming the value by ``named`` (the option or field that gave it)."""
    raw = text[1:] if text.startswith("v") else text
    if not _STRICT.match(raw):
        raise PublishError(
            f"{named} {text!r} is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.2.0)"
        )
    return semver.Version.parse(raw)


def tag_name(version: semver.Version | str) -> str:
    return f"v{version}"


def newest_release(tags: Iterable[str]) -> semver.Version | None:
    """The highest ``vX.Y.Z`` tag; other tags are not releases and are ignored."""
    versions = [semver.Version.parse(m.group(1)) for t in tags if (m := _TAG.match(t))]
    return max(versions) if versions else None


def bump_level(previous: semver.Version, new: semver.Version) -> Level | None:
    """The highest part that went up; None when ``new`` is not greater."""
    if new <= previous:
        return None
    if new.major != previous.major:
        return Level.MAJOR
    if new.minor != previous.minor:
        return Level.MINOR
    return Level.PATCH


# -- features -------------------------------------------------------------------------
def _type_name(node: Mapping[str, Any]) -> str:
    kind = node.get("_type")
    if kind == "Value":
        return str(node.get("dtype"))
    if kind == "ClassLabel":
        return "ClassLabel"
    return str(kind)


def feature_leaves(
    features: Mapping[str, Any], prefix: str = "", wrap: str = "{}"
) -> Iterator[tuple[str, str, tuple[str, ...] | None]]:
    """(dotted path, type, label names or None) for every leaf of a ``Features.to_dict()``.

    A list wraps its leaves' type (``list<int32>``), so turning a field into a
    list, or a list into something else, is a retype of each leaf.
    """
    for name, node in features.items():
        path = f"{prefix}.{name}" if prefix else name
        yield from _node_leaves(node, path, wrap)


def _node_leaves(
    node: Any, path: str, wrap: str
) -> Iterator[tuple[str, str, tuple[str, ...] | None]]:
    if isinstance(node, list):  # legacy [feature] list notation
        yield from _node_leaves(node[0], path, wrap.format("list<{}>"))
    elif isinstance(node, Mapping) and "_type" in node:
        kind = node["_type"]
        if kind in ("List", "Sequence", "LargeList"):
            yield from _node_leaves(node["feature"], path, wrap.format("list<{}>"))
        else:
            names = tuple(node["names"]) if kind == "ClassLabel" else None
            yield path, wrap.format(_type_name(node)), names
    elif isinstance(node, Mapping):  # a struct: a dict of sub-features
        yield from feature_leaves(node, path, wrap)


# -- the change ------------------------------------------------------------------------
@dataclass
class Change:
    """What differs between the previous release and this build, as a consumer sees it."""

    previous: str | None = None  # tag of the previous release; None for a first release
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)
    fields_retyped: list[str] = field(default_factory=list)
    labels_changed: list[str] = field(default_factory=list)
    splits_added: list[str] = field(default_factory=list)
    splits_removed: list[str] = field(default_factory=list)
    configs_added: list[str] = field(default_factory=list)
    configs_removed: list[str] = field(default_factory=list)
    records: RecordDiff | None = None  # None: unknown (the previous release has no digest)
    records_changed_unknown: bool = False  # data files differ but cannot be itemized
    unknown_previous: bool = False  # the previous release has no manifest it can read
    totals: dict[str, int] = field(default_factory=dict)  # examples per split in this build

    def reasons(self) -> list[tuple[Level, str]]:
        """Every difference with the level it requires, biggest first."""
        out: list[tuple[Level, str]] = []
        if self.unknown_previous:
            out.append(
                (
                    Level.MAJOR,
                    f"{self.previous} has no manifest.json this tool can read, so nothing can "
                    "be compared with it",
                )
            )
        for f in self.fields_removed:
            out.append(
                (Level.MAJOR, f"field {f!r} removed (a rename is a removal plus an addition)")
            )
        for f in self.fields_retyped:
            out.append((Level.MAJOR, f"field retyped: {f}"))
        for f in self.labels_changed:
            out.append((Level.MAJOR, f"label list changed: {f}"))
        for s in self.splits_removed:
            out.append((Level.MAJOR, f"split {s!r} removed"))
        for c in self.configs_removed:
            out.append((Level.MAJOR, f"config {c!r} removed"))
        for f in self.fields_added:
            out.append((Level.MINOR, f"field {f!r} added"))
        for s in self.splits_added:
            out.append((Level.MINOR, f"split {s!r} added"))
        for c in self.configs_added:
            out.append((Level.MINOR, f"config {c!r} added"))
        if self.records is not None and self.records.any:
            out.append((Level.MINOR, f"records: {self.records.describe()}"))
        if self.records_changed_unknown:
            out.append(
                (Level.MINOR, "data files differ (the previous release lists no record digests)")
            )
        return sorted(out, key=lambda r: -r[0])

    @property
    def level(self) -> Level:
        """The smallest bump this change allows (PATCH when nothing visible changed)."""
        reasons = self.reasons()
        return reasons[0][0] if reasons else Level.PATCH

    def summary(self) -> str:
        """One line for the changelog."""
        if self.previous is None:
            total = sum(self.totals.values())
            parts = ", ".join(f"{k} {v}" for k, v in self.totals.items())
            return f"first release: {total} records ({parts})"
        bits: list[str] = []
        if self.records is not None and self.records.any:
            bits.append(self.records.describe())
        if self.records_changed_unknown:
            bits.append("records changed")
        if self.fields_added:
            bits.append("fields added: " + ", ".join(self.fields_added))
        if self.fields_removed:
            bits.append("fields removed: " + ", ".join(self.fields_removed))
        if self.fields_retyped:
            bits.append(
                "fields retyped: " + ", ".join(f.split(":")[0] for f in self.fields_retyped)
            )
        if self.labels_changed:
            bits.append(
                "labels changed: " + ", ".join(f.split(":")[0] for f in self.labels_changed)
            )
        if self.splits_added:
            bits.append("splits added: " + ", ".join(self.splits_added))
        if self.splits_removed:
            bits.append("splits removed: " + ", ".join(self.splits_removed))
        if self.configs_added or self.configs_removed:
            bits.append(
                "configs: "
                + ", ".join(
                    [f"+{c}" for c in self.configs_added] + [f"-{c}" for c in self.configs_removed]
                )
            )
        if self.unknown_previous:
            bits.append(f"not comparable with {self.previous}")
        return "; ".join(bits) if bits else "no change to the data (card or packaging only)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous": self.previous,
            "level": self.level.label,
            "fields": {
                "added": self.fields_added,
                "removed": self.fields_removed,
                "retyped": self.fields_retyped,
                "labels_changed": self.labels_changed,
            },
            "splits": {"added": self.splits_added, "removed": self.splits_removed},
            "configs": {"added": self.configs_added, "removed": self.configs_removed},
            "records": self.records.to_dict() if self.records is not None else None,
            "records_changed_unknown": self.records_changed_unknown,
            "totals": self.totals,
        }


def classify(
    *,
    previous_tag: str | None,
    previous_manifest: Mapping[str, Any] | None,
    manifest: Mapping[str, Any],
    records: RecordDiff | None,
    previous_configs: Iterable[str] = (),
    configs: Iterable[str] = (),
) -> Change:
    """Compare this build's manifest with the previous release's.

    ``records`` is the per-record diff, or None when the previous release has no
    record digests: then differing Parquet checksums count as changed records.
    """
    totals = {name: s["num_examples"] for name, s in manifest.get("splits", {}).items()}
    change = Change(previous=previous_tag, totals=totals)
    if previous_tag is None:
        return change
    if previous_manifest is None:
        change.unknown_previous = True
        return change
    old = {p: (t, n) for p, t, n in feature_leaves(previous_manifest.get("features", {}))}
    new = {p: (t, n) for p, t, n in feature_leaves(manifest.get("features", {}))}
    change.fields_removed = [p for p in old if p not in new]
    change.fields_added = [p for p in new if p not in old]
    for path in (p for p in new if p in old):
        (old_type, old_names), (new_type, new_names) = old[path], new[path]
        if old_type != new_type:
            change.fields_retyped.append(f"{path}: {old_type} -> {new_type}")
        elif old_names != new_names:
            change.labels_changed.append(
                f"{path}: ({', '.join(old_names or ())}) -> ({', '.join(new_names or ())})"
            )
    old_splits = list(previous_manifest.get("splits", {}))
    change.splits_removed = [s for s in old_splits if s not in totals]
    change.splits_added = [s for s in totals if s not in old_splits]
    # A card without ``configs:`` still has one, implicit, named "default" (what
    # datasets loads): so none -> [default] is no change, none -> [a, b] adds them
    # (and drops "default" unless it is one), and [a, b] -> none removes them.
    old_configs = list(previous_configs) or [IMPLICIT_CONFIG]
    new_configs = list(configs) or [IMPLICIT_CONFIG]
    change.configs_removed = [c for c in old_configs if c not in new_configs]
    change.configs_added = [c for c in new_configs if c not in old_configs]
    change.records = records
    if records is None:
        change.records_changed_unknown = _data_checksums(previous_manifest) != _data_checksums(
            manifest
        )
    return change


def _data_checksums(manifest: Mapping[str, Any]) -> list[str]:
    return sorted(
        o["sha256"] for o in manifest.get("outputs", []) if o["path"].endswith(".parquet")
    )


def check_bump(
    previous: semver.Version | None, new: semver.Version, change: Change
) -> Level | None:
    """Refuse a version that is not greater, or a bump smaller than the change.

    Returns the bump level (None for a first release).
    """
    if previous is None:
        return None
    bump = bump_level(previous, new)
    if bump is None:
        raise PublishError(
            f"version {new} is not greater than the newest release v{previous}; "
            f"published versions never change: publish {previous.bump_patch()} or higher"
        )
    needed = change.level
    if bump < needed:
        minimum = previous.bump_major() if needed is Level.MAJOR else previous.bump_minor()
        lines = "\n".join(f"  - {lvl.label}: {text}" for lvl, text in change.reasons())
        raise PublishError(
            f"version {new} is a {bump.label} release, but what changed since v{previous} "
            f"needs a {needed.label} release (publish {minimum} or higher):\n{lines}"
        )
    return bump
