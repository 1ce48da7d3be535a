"""``builder diff A B``: what changed between two builds or releases, and the bump it needs.

A and B are build folders, or revisions (tags, commits) of a release target
(the Hub or a git repository), which are materialized into a temporary folder
first. The comparison is the publish guard's own (:func:`.versioning.classify`
over the manifests, :func:`.records.diff_digests` over the rows), with one
addition: each row is hashed per part (text, spans, labels, source, and any
other field by name), so a changed record says what in it changed. Rows are
streamed in id order from both sides, so memory stays flat; only the first
``limit`` records are itemized, the counts are always complete.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, UsageError
from ..manifest import MANIFEST_NAME
from ..utf8 import read_utf8
from ..validate.report import Issue, ValidationReport
from .manifest_shape import manifest_problems
from .records import RecordDiff, RecordDigest, diff_digests, digest_parquet, row_sha256
from .target import PublishError, ReleaseTarget
from .verify import card_configs, read_card
from .versioning import Change, Level, check_bump, classify, feature_leaves, parse_version

__all__ = [
    "DiffSide",
    "LabelSetChange",
    "RecordChange",
    "ReleaseDiff",
    "diff_folders",
    "diff_releases",
    "row_parts",
]

# Columns that are the text or derived from it: a change in any is a change of the text.
_TEXT_COLUMNS = frozenset({"text", "text_sha256", "raw_sha256", "edits"})
_SEP = ";"


def _label_paths(*manifests: Mapping[str, Any]) -> frozenset[str]:
    """Dotted paths of the ClassLabel leaves (``genre``, ``entities.label``) of either side."""
    return frozenset(
        path
        for manifest in manifests
        for path, _type, names in feature_leaves(manifest.get("features", {}))
        if names is not None
    )


def _span_columns(*manifests: Mapping[str, Any]) -> frozenset[str]:
    """Top-level list columns whose items have a ``start`` offset (``entities``, ``quotes``)."""
    return frozenset(
        path.split(".", 1)[0]
        for manifest in manifests
        for path, kind, _names in feature_leaves(manifest.get("features", {}))
        if path.count(".") == 1 and path.endswith(".start") and kind.startswith("list<")
    )


def row_parts(
    row: Mapping[str, Any],
    label_paths: frozenset[str],
    span_columns: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Part name -> sha256 of what the row holds for that part.

    Parts: ``text`` (text, its hashes, the edit log), ``spans`` (the span lists
    ``span_columns`` without their labels), ``labels`` (every ClassLabel, span
    labels included), and every other column under its own name (``source``...).
    """
    parts: dict[str, dict[str, Any]] = {}

    def put(part: str, column: str, value: Any) -> None:
        parts.setdefault(part, {})[column] = value

    for column, value in row.items():
        keys = {p.split(".", 1)[1] for p in label_paths if p.startswith(f"{column}.")}
        rest_part = "spans" if column in span_columns else column
        if column in _TEXT_COLUMNS:
            put("text", column, value)
        elif column in label_paths:
            put("labels", column, value)
        elif keys and isinstance(value, list):
            items = [v if isinstance(v, dict) else {"": v} for v in value]
            put(rest_part, column, [{k: v for k, v in i.items() if k not in keys} for i in items])
            put("labels", column, [{k: v for k, v in i.items() if k in keys} for i in items])
        elif keys and isinstance(value, dict):
            # A struct of document labels (and maybe other fields): its labels are labels.
            put("labels", column, {k: v for k, v in value.items() if k in keys})
            rest = {k: v for k, v in value.items() if k not in keys}
            if rest:
                put(column, column, rest)
        else:
            put(rest_part, column, value)
    return {part: row_sha256(content) for part, content in parts.items()}


def _encode(parts: Mapping[str, str]) -> str:
    return _SEP.join(f"{name}={digest}" for name, digest in sorted(parts.items()))


def _decode(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(_SEP) if item)


@dataclass(frozen=True)
class RecordChange:
    """One record added, removed or changed; for a change, which parts changed."""

    id: str
    kind: str  # added | removed | changed
    split_old: str | None
    split_new: str | None
    parts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "split_old": self.split_old,
            "split_new": self.split_new,
            "parts": list(self.parts),
        }


@dataclass(frozen=True)
class LabelSetChange:
    """A ClassLabel field whose names differ (or that exists on one side only)."""

    path: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    reordered: bool
    status: str  # changed | added | removed

    def describe(self) -> str:
        if self.status != "changed":
            return f"{self.path}: label set {self.status} ({', '.join(self.added or self.removed)})"
        bits = [f"+{n}" for n in self.added] + [f"-{n}" for n in self.removed]
        if self.reordered:
            bits.append("order changed (ClassLabel ids now mean other names)")
        return f"{self.path}: " + ", ".join(bits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "added": list(self.added),
            "removed": list(self.removed),
            "reordered": self.reordered,
        }


@dataclass(frozen=True)
class DiffSide:
    """One side of a diff: a folder (a build, or a revision written to a temporary one)."""

    label: str
    path: Path
    manifest: dict[str, Any]
    configs: list[str]

    @property
    def version(self) -> str | None:
        value = self.manifest.get("dataset", {}).get("version")
        return str(value) if value is not None else None


@dataclass
class ReleaseDiff:
    """What changed from ``old`` to ``new``, as the publish guard sees it, itemized."""

    old: str
    new: str
    old_version: str | None
    new_version: str | None
    change: Change
    records: list[RecordChange] = field(default_factory=list)
    truncated: bool = False
    label_sets: list[LabelSetChange] = field(default_factory=list)
    parts_changed: dict[str, int] = field(default_factory=dict)

    @property
    def level(self) -> Level:
        """The smallest bump the change allows (the publish guard's rule)."""
        return self.change.level

    @property
    def minimum_version(self) -> str | None:
        """The smallest version ``new`` may have, given ``old``'s version."""
        if self.old_version is None:
            return None
        try:
            old = parse_version(self.old_version)
        except PublishError:
            return None
        bumped = {
            Level.MAJOR: old.bump_major,
            Level.MINOR: old.bump_minor,
            Level.PATCH: old.bump_patch,
        }[self.level]()
        return str(bumped)

    @property
    def version_problem(self) -> str | None:
        """Why publishing ``new``'s version after ``old``'s would be refused, if it would."""
        if self.old_version is None or self.new_version is None:
            return None
        try:
            check_bump(
                parse_version(self.old_version), parse_version(self.new_version), self.change
            )
        except PublishError as exc:
            return str(exc).splitlines()[0]
        return None

    def to_dict(self) -> dict[str, Any]:
        counts = self.change.records.to_dict() if self.change.records else None
        if counts is not None:
            counts.pop("examples", None)
        return {
            "old": {"source": self.old, "version": self.old_version},
            "new": {"source": self.new, "version": self.new_version},
            "records": {
                **(counts or {}),
                "parts_changed": self.parts_changed,
                "items": [r.to_dict() for r in self.records],
                "truncated": self.truncated,
            },
            "fields": {
                "added": self.change.fields_added,
                "removed": self.change.fields_removed,
                "retyped": self.change.fields_retyped,
            },
            "label_sets": [c.to_dict() for c in self.label_sets],
            "splits": {"added": self.change.splits_added, "removed": self.change.splits_removed},
            "configs": {
                "added": self.change.configs_added,
                "removed": self.change.configs_removed,
            },
            "bump": {
                "level": self.level.label,
                "reasons": [
                    {"level": lvl.label, "reason": text} for lvl, text in self.change.reasons()
                ],
                "minimum_version": self.minimum_version,
                "new_version_refused": self.version_problem,
            },
        }

    def lines(self) -> Iterator[str]:
        """The human-readable report."""
        yield f"old: {self.old}" + (f" (version {self.old_version})" if self.old_version else "")
        yield f"new: {self.new}" + (f" (version {self.new_version})" if self.new_version else "")
        records = self.change.records or RecordDiff()
        yield (
            f"records: {records.added} added, {records.removed} removed, "
            f"{records.changed} changed ({records.moved} moved between splits), "
            f"{records.unchanged} unchanged"
        )
        for r in self.records:
            where = r.split_new or r.split_old
            if r.kind == "changed":
                moved = f" ({r.split_old} -> {r.split_new})" if r.split_old != r.split_new else ""
                yield f"  changed  {r.id} [{where}]{moved}: {', '.join(r.parts)}"
            else:
                yield f"  {r.kind:<8} {r.id} [{where}]"
        if self.truncated:
            yield "  ... (more records; raise --limit to list them)"
        c = self.change
        for title, items in (
            ("fields added", c.fields_added),
            ("fields removed", c.fields_removed),
            ("fields retyped", c.fields_retyped),
            ("splits added", c.splits_added),
            ("splits removed", c.splits_removed),
            ("configs added", c.configs_added),
            ("configs removed", c.configs_removed),
        ):
            if items:
                yield f"{title}: {', '.join(items)}"
        for label_set in self.label_sets:
            yield f"label set {label_set.describe()}"
        if not (c.fields_added or c.fields_removed or c.fields_retyped or self.label_sets):
            yield "fields and label sets: unchanged"
        bump = f"smallest allowed bump: {self.level.label}"
        if self.minimum_version:
            bump += f" (from {self.old_version}: {self.minimum_version} or higher)"
        yield bump
        for lvl, text in c.reasons():
            yield f"  - {lvl.label}: {text}"
        problem = self.version_problem
        if problem:
            yield f"publishing {self.new_version} after {self.old_version} would be refused: {problem}"


def _label_sets(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[LabelSetChange]:
    before = {p: n for p, _t, n in feature_leaves(old.get("features", {})) if n is not None}
    after = {p: n for p, _t, n in feature_leaves(new.get("features", {})) if n is not None}
    out: list[LabelSetChange] = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a is None:
            out.append(LabelSetChange(path, tuple(b or ()), (), False, "added"))
        elif b is None:
            out.append(LabelSetChange(path, (), tuple(a), False, "removed"))
        elif a != b:
            added = tuple(n for n in b if n not in a)
            removed = tuple(n for n in a if n not in b)
            common_a = [n for n in a if n in b]
            common_b = [n for n in b if n in a]
            # Ids are positions: a name that moved, or a name inserted before others, renumbers.
            renumbered = common_a != common_b or any(b.index(n) != a.index(n) for n in common_a)
            out.append(LabelSetChange(path, added, removed, renumbered, "changed"))
    return out


def _read_side(label: str, folder: Path, *, local: bool = True) -> DiffSide:
    """One side of the diff. What it holds is data, not the command line: a manifest or
    card that cannot be read is a :class:`DataError` naming the file (exit 1)."""

    def name(file: str) -> str:
        return str(folder / file) if local else f"{file} of {label}"

    def refused(file: str, problems: list[tuple[str, str]], rule: str) -> DataError:
        issues = [Issue(file=name(file), pointer=p, rule=rule, message=m) for p, m in problems]
        if len(issues) == 1:
            return DataError.single(issues[0])
        report = ValidationReport()
        for issue in issues:
            report.add(issue)
        return DataError(f"{name(file)}: {len(issues)} problems; not a build", report)

    manifest_path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{label}: no {MANIFEST_NAME}: not a build or a release") from None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise refused(MANIFEST_NAME, [("", f"cannot read it: {why}")], "manifest") from None
    shape = manifest_problems(manifest)
    if shape:
        raise refused(MANIFEST_NAME, shape, "manifest")
    configs: list[str] = []
    card = folder / "README.md"
    if card.is_file():
        try:
            data = read_card(read_utf8(card))
            configs = [str(c.get("config_name", "default")) for c in card_configs(data)]
        except (OSError, ValueError) as exc:  # NotUtf8 is a ValueError
            raise refused("README.md", [("", str(exc))], "card") from None
    if not (folder / "data").is_dir():
        raise refused("data", [("", "no data/ folder: not a build or a release")], "missing")
    return DiffSide(label=label, path=folder, manifest=manifest, configs=configs)


def diff_folders(old: DiffSide, new: DiffSide, *, limit: int | None = 100) -> ReleaseDiff:
    """Compare two folders; itemize at most ``limit`` records (None: all)."""
    labels = _label_paths(old.manifest, new.manifest)
    spans = _span_columns(old.manifest, new.manifest)

    def digest(row: Mapping[str, Any]) -> str:
        return _encode(row_parts(row, labels, spans))

    items: list[RecordChange] = []
    parts_changed: dict[str, int] = {}
    truncated = False

    def visit(kind: str, a: RecordDigest | None, b: RecordDigest | None) -> None:
        nonlocal truncated
        record = b or a
        assert record is not None
        parts: tuple[str, ...] = ()
        if kind == "changed" and a is not None and b is not None:
            pa, pb = _decode(a.sha256), _decode(b.sha256)
            parts = tuple(p for p in sorted(pa.keys() | pb.keys()) if pa.get(p) != pb.get(p))
            if a.split != b.split:
                parts += ("split",)
            for part in parts:
                parts_changed[part] = parts_changed.get(part, 0) + 1
        if limit is not None and len(items) >= limit:
            truncated = True
            return
        items.append(
            RecordChange(
                id=record.id,
                kind=kind,
                split_old=a.split if a else None,
                split_new=b.split if b else None,
                parts=parts,
            )
        )

    records = diff_digests(
        digest_parquet(old.path / "data", digest),
        digest_parquet(new.path / "data", digest),
        visit,
    )
    change = classify(
        previous_tag=old.label,
        previous_manifest=old.manifest,
        manifest=new.manifest,
        records=records,
        previous_configs=old.configs,
        configs=new.configs,
    )
    return ReleaseDiff(
        old=old.label,
        new=new.label,
        old_version=old.version,
        new_version=new.version,
        change=change,
        records=items,
        truncated=truncated,
        label_sets=_label_sets(old.manifest, new.manifest),
        parts_changed=dict(sorted(parts_changed.items())),
    )


def _is_folder(value: str) -> bool:
    return (Path(value) / MANIFEST_NAME).is_file()


def diff_releases(
    old: str,
    new: str,
    *,
    target: ReleaseTarget | None = None,
    limit: int | None = 100,
) -> ReleaseDiff:
    """Compare ``old`` and ``new``: build folders, or revisions of ``target``.

    An argument naming a folder with a ``manifest.json`` is that folder; any other
    is a revision (tag, branch, commit) of ``target``, written to a temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix="builder-diff-") as tmp:
        sides: list[DiffSide] = []
        for n, value in enumerate((old, new)):
            if _is_folder(value):
                sides.append(_read_side(value, Path(value)))
                continue
            if target is None:
                raise UsageError(
                    f"{value!r} is not a build folder (no {MANIFEST_NAME}); to compare "
                    "revisions, name their target with --repo ORG/NAME or --git PATH_OR_URL"
                )
            if value not in target.tags():
                try:
                    target.commit_info(value)
                except PublishError as exc:
                    raise UsageError(
                        f"{value!r} is neither a build folder nor a revision of "
                        f"{target.description}: {exc}"
                    ) from None
            folder = Path(tmp) / f"side-{n}"
            target.materialize(value, folder)
            sides.append(_read_side(f"{value} on {target.description}", folder, local=False))
        return diff_folders(sides[0], sides[1], limit=limit)
