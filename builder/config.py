"""The dataset configuration: one YAML file beside the inputs, checked by schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError, UsageError
from .validate.report import Issue, ValidationReport
from .validate.schemas import SchemaStore

__all__ = ["CONFIG_FILENAME", "AnnotationInput", "DatasetConfig", "load_config"]

CONFIG_FILENAME = "dataset.yaml"


@dataclass(frozen=True, slots=True)
class AnnotationInput:
    path: Path
    format: str = "native"


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
    on_removed_span: str = "fail"
    on_orphan: str = "fail"
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


def load_config(path: Path, *, store: SchemaStore | None = None) -> DatasetConfig:
    """Read and validate a configuration file (or the ``dataset.yaml`` in a folder).

    Raises :class:`DataError` listing every problem when the file is invalid.
    """
    path = _find_config(Path(path))
    store = store or SchemaStore.default()
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataError.single(
            Issue(file=name, line=line, rule="yaml-syntax", message=str(exc).splitlines()[0])
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
    ann = raw.get("annotations", {})
    splits = raw["splits"]
    output = raw.get("output", {})
    publish = raw.get("publish", {})
    ann_inputs = [
        AnnotationInput(root / a["path"], a.get("format", "native"))
        for a in inputs.get("annotations", [{"path": "annotations.jsonl"}])
    ]
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
    if abs(sum(splits["ratios"].values()) - 1.0) > 1e-6:
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
        on_removed_span=ann.get("on_removed_span", "fail"),
        on_orphan=ann.get("on_orphan", "fail"),
        split_ratios=dict(splits["ratios"]),
        group_by=splits.get("group_by", "id"),
        near_duplicates=splits.get("near_duplicates", True),
        near_duplicate_threshold=splits.get("near_duplicate_threshold", 0.8),
        split_salt=splits.get("salt", ""),
        split_assignment=dict(splits.get("assignment", {})),
        shard_max_bytes=output.get("shard_max_bytes", 256 * 2**20),
        row_group_max_bytes=output.get("row_group_max_bytes", 64 * 2**20),
        batch_size=output.get("batch_size", 256),
        max_article_bytes=raw.get("limits", {}).get("max_article_bytes", 10_000_000),
        repo_id=publish.get("repo_id"),
        git_target=publish.get("git_target"),
    )
