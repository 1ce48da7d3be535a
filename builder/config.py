"""The dataset configuration: one YAML file beside the inputs, checked by schema."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clean.repetition import MIN_DOCS, MIN_SHARE
from .errors import DataError, UsageError
from .ingest import DEFAULT_MAX_RECORD_BYTES
from .names import split_name_problem
from .pii import PRIVACY_KINDS
from .validate.report import Issue, ValidationReport
from .validate.schemas import SchemaStore
from .yamlio import YamlError, load_yaml

__all__ = ["CONFIG_FILENAME", "AnnotationInput", "DatasetConfig", "load_config"]

CONFIG_FILENAME = "dataset.yaml"


@dataclass(frozen=True, slots=True)
class AnnotationInput:
    path: Path
    format: str = "native"
    #: offset unit of a doccano file (None: the reader's default)
    offsets: str | None = None


@dataclass(frozen=True)
class DatasetConfig:
    """Typed view of ``dataset.yaml`` with every default filled in."""

    root: Path
    path: Path
    raw: dict[str, Any]
    name: str
    pretty_name: str
    version: str
    license: str
    language: list[str]
    entity_labels: list[str]
    genre_labels: list[str]
    text_form_labels: list[str]
    articles_dir: Path
    sources_path: Path
    annotation_inputs: list[AnnotationInput]
    cleaning_steps: list[str] | None = None
    rule_files: list[Path] = field(default_factory=list)
    detokenize: bool = False
    #: ``cleaning.publisher_repetition``: remove lines a publisher repeats across
    #: its documents (a pre-pass counts them; see :mod:`builder.publisher_lines`).
    publisher_repetition: bool = False
    repetition_min_documents: int = MIN_DOCS
    repetition_min_share: float = MIN_SHARE
    on_removed_span: str = "fail"
    on_orphan: str = "fail"
    #: annotations.reanchor: which records are re-anchored (see anchor.needs_reanchoring)
    reanchor: str = "changed"
    split_ratios: dict[str, float] = field(default_factory=dict)
    group_by: str = "id"
    near_duplicates: bool = True
    near_duplicate_threshold: float = 0.8
    split_salt: str = ""
    split_assignment: dict[str, str] = field(default_factory=dict)
    shard_max_bytes: int = 256 * 2**20
    row_group_max_bytes: int = 64 * 2**20
    batch_size: int = 256
    max_article_bytes: int = 10_000_000
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    quarantine: bool = False
    max_rejected_fraction: float = 1.0
    privacy_scan: bool = True
    privacy_kinds: tuple[str, ...] = PRIVACY_KINDS
    phone_regions: tuple[str, ...] = ("US", "GB")
    privacy_allow: frozenset[str] = frozenset()
    block_publish_on_findings: bool = False
    repo_id: str | None = None
    git_target: str | None = None

    def label_set(self, name: str) -> list[str]:
        return {
            "entity": self.entity_labels,
            "genre": self.genre_labels,
            "text_form": self.text_form_labels,
        }[name]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


def _find_config(path: Path) -> Path:
    if path.is_dir():
        path = path / CONFIG_FILENAME
    if not path.is_file():
        raise UsageError(f"no dataset configuration at {path}")
    return path


def _check_references(raw: dict[str, Any], *, root: Path, file: str) -> list[Issue]:
    """What the schema cannot know: step names, annotation formats, rule files.

    Checked here so that a typo fails at once, with its place in the file, not
    as a traceback deep in the first batch.
    """
    from .annotations import READERS
    from .clean.pipeline import STEP_NAMES
    from .clean.rules import load_rules

    issues = []
    for i, step in enumerate(raw.get("cleaning", {}).get("steps", [])):
        if step not in STEP_NAMES:
            issues.append(
                Issue(
                    file=file,
                    pointer=f"/cleaning/steps/{i}",
                    rule="cleaning-step",
                    message=f"unknown cleaning step {step!r}; known: {list(STEP_NAMES)}",
                )
            )
    for i, ann in enumerate(raw.get("inputs", {}).get("annotations", [])):
        fmt = ann.get("format", "native")
        if fmt not in READERS:
            issues.append(
                Issue(
                    file=file,
                    pointer=f"/inputs/annotations/{i}/format",
                    rule="annotation-format",
                    message=f"no reader for annotation format {fmt!r}; available: {sorted(READERS)}",
                )
            )
        if "offsets" in ann and fmt != "doccano":
            issues.append(
                Issue(
                    file=file,
                    pointer=f"/inputs/annotations/{i}/offsets",
                    rule="annotation-offsets",
                    message=f"offsets applies to doccano files only, not {fmt!r}: native offsets"
                    " are code points, and Label Studio's are detected span by span",
                )
            )
    for i, rel in enumerate(raw.get("cleaning", {}).get("rules", [])):
        where = {"file": file, "pointer": f"/cleaning/rules/{i}"}
        rule_path = root / rel
        if not rule_path.is_file():
            issues.append(Issue(**where, rule="missing-file", message=f"no rule file {rule_path}"))
            continue
        try:
            load_rules(rule_path)
        except (re.error, KeyError, TypeError, AttributeError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            issues.append(
                Issue(**where, rule="rule-file", message=f"invalid rule file {rel}: {first}")
            )
    return issues


def _check_splits(splits: dict[str, Any], *, file: str) -> list[Issue]:
    """Split names become file names and Hub patterns: the schema checks them, and so
    does this (whatever regex engine the schema validator uses); ratios are finite."""
    issues = []
    for split, ratio in splits["ratios"].items():
        pointer = "/splits/ratios/" + split.replace("~", "~0").replace("/", "~1")
        problem = split_name_problem(split)
        if problem:
            issues.append(Issue(file=file, pointer=pointer, rule="split-name", message=problem))
        if isinstance(ratio, float) and not math.isfinite(ratio):
            issues.append(
                Issue(
                    file=file,
                    pointer=pointer,
                    rule="ratios",
                    message=f"ratio {ratio} is not a number in (0, 1]",
                )
            )
    return issues


def _check_inside(raw: dict[str, Any], *, root: Path, file: str) -> list[Issue]:
    """Every input is read inside the input folder: a path (or a symlink) leading out of
    it is an error here, not a surprise at manifest time or a file published by mistake."""
    inputs = raw.get("inputs", {})
    named: list[tuple[str, str]] = [
        (f"/inputs/{key}", inputs[key]) for key in ("articles", "sources") if key in inputs
    ]
    named += [
        (f"/inputs/annotations/{i}/path", a["path"])
        for i, a in enumerate(inputs.get("annotations", []))
    ]
    named += [
        (f"/cleaning/rules/{i}", r) for i, r in enumerate(raw.get("cleaning", {}).get("rules", []))
    ]
    named += [("/inputs/articles", "articles"), ("/inputs/sources", "sources.jsonl")]
    issues, seen, top = [], set(), Path(os.path.realpath(root))
    for pointer, rel in named:
        if pointer in seen:
            continue
        seen.add(pointer)
        real = Path(os.path.realpath(root / rel))  # never raises, even on a link loop
        if not real.is_relative_to(top):
            issues.append(
                Issue(
                    file=file,
                    pointer=pointer,
                    rule="outside-input",
                    message=f"{rel} leads to {real}, outside the input folder {top}; "
                    "inputs are read only inside it",
                )
            )
    return issues


def load_config(path: Path, *, store: SchemaStore | None = None) -> DatasetConfig:
    """Read and validate a configuration file (or the ``dataset.yaml`` in a folder).

    Raises :class:`DataError` listing every problem when the file is invalid.
    """
    path = _find_config(Path(path))
    store = store or SchemaStore.default()
    name = path.name
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except YamlError as exc:
        raise DataError.single(
            Issue(file=name, line=exc.line, rule="yaml-syntax", message=str(exc))
        ) from None
    except UnicodeDecodeError as exc:
        raise DataError.single(
            Issue(
                file=name, rule="encoding", message=f"not UTF-8: {exc.reason} at byte {exc.start}"
            )
        ) from None
    if not isinstance(raw, dict):
        raise DataError.single(
            Issue(file=name, rule="type", message="the configuration must be a YAML mapping")
        )
    report = ValidationReport()
    for err in store.iter_errors("config", raw):
        report.add(Issue(file=name, pointer=err.pointer, rule=err.rule, message=err.message))
    if not report.ok:
        raise DataError(f"invalid configuration {path}", report)

    root = path.parent
    inputs = raw.get("inputs", {})
    labels = raw["labels"]
    cleaning = raw.get("cleaning", {})
    repetition = cleaning.get("publisher_repetition", {})
    ann = raw.get("annotations", {})
    splits = raw["splits"]
    output = raw.get("output", {})
    publish = raw.get("publish", {})
    limits = raw.get("limits", {})
    quarantine = raw.get("quarantine", {})
    privacy = raw.get("privacy", {})
    ann_inputs = [
        AnnotationInput(root / a["path"], a.get("format", "native"), a.get("offsets"))
        for a in inputs.get("annotations", [{"path": "annotations.jsonl"}])
    ]
    report.extend(_check_splits(splits, file=name))
    report.extend(_check_inside(raw, root=root, file=name))
    split_names = set(splits["ratios"])
    for key, split in splits.get("assignment", {}).items():
        if split not in split_names:
            report.add(
                Issue(
                    file=name,
                    pointer=f"/splits/assignment/{key}",
                    rule="split-name",
                    message=f"split {split!r} is not one of {sorted(split_names)}",
                )
            )
    report.extend(_check_references(raw, root=path.parent, file=name))
    if not abs(sum(splits["ratios"].values()) - 1.0) <= 1e-6:  # NaN fails too
        report.add(
            Issue(
                file=name, pointer="/splits/ratios", rule="ratios", message="ratios must sum to 1"
            )
        )
    if not report.ok:
        raise DataError(f"invalid configuration {path}", report)
    return DatasetConfig(
        root=root,
        path=path,
        raw=raw,
        name=raw["name"],
        pretty_name=raw["pretty_name"],
        version=raw["version"],
        license=raw["license"],
        language=list(raw["language"]),
        entity_labels=list(labels["entity"]),
        genre_labels=list(labels["genre"]),
        text_form_labels=list(labels["text_form"]),
        articles_dir=root / inputs.get("articles", "articles"),
        sources_path=root / inputs.get("sources", "sources.jsonl"),
        annotation_inputs=ann_inputs,
        cleaning_steps=cleaning.get("steps"),
        rule_files=[root / p for p in cleaning.get("rules", [])],
        detokenize=cleaning.get("detokenize", False),
        publisher_repetition=repetition.get("enabled", False),
        repetition_min_documents=repetition.get("min_documents", MIN_DOCS),
        repetition_min_share=repetition.get("min_share", MIN_SHARE),
        on_removed_span=ann.get("on_removed_span", "fail"),
        on_orphan=ann.get("on_orphan", "fail"),
        reanchor=ann.get("reanchor", "changed"),
        split_ratios=dict(splits["ratios"]),
        group_by=splits.get("group_by", "id"),
        near_duplicates=splits.get("near_duplicates", True),
        near_duplicate_threshold=splits.get("near_duplicate_threshold", 0.8),
        split_salt=splits.get("salt", ""),
        split_assignment=dict(splits.get("assignment", {})),
        shard_max_bytes=output.get("shard_max_bytes", 256 * 2**20),
        row_group_max_bytes=output.get("row_group_max_bytes", 64 * 2**20),
        batch_size=output.get("batch_size", 256),
        max_article_bytes=limits.get("max_article_bytes", 10_000_000),
        max_record_bytes=limits.get("max_record_bytes", DEFAULT_MAX_RECORD_BYTES),
        quarantine=quarantine.get("enabled", False),
        max_rejected_fraction=quarantine.get("max_rejected_fraction", 1.0),
        privacy_scan=privacy.get("scan", True),
        privacy_kinds=tuple(privacy.get("kinds", PRIVACY_KINDS)),
        phone_regions=tuple(privacy.get("phone_regions", ("US", "GB"))),
        privacy_allow=frozenset(privacy.get("allow", ())),
        block_publish_on_findings=privacy.get("block_publish_on_findings", False),
        repo_id=publish.get("repo_id"),
        git_target=publish.get("git_target"),
    )
