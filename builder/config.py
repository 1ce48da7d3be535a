"""The dataset configuration: one YAML file beside the inputs, checked by schema."""

from __future__ import annotations

import codecs
import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .annotations.options import ImportOptions
from .article_inputs import ArticleInput, parse_article_input
from .article_store import DEFAULT_MAX_PAGE_TAGS
from .clean.options import MIN_DOCS, MIN_SHARE
from .config_checks import (
    check_compression,
    check_inside,
    check_references,
    check_source_defaults,
    check_splits,
    value_at,
    yaml_typed_hint,
)
from .errors import DataError, UsageError
from .hub_metadata import check_hub_metadata, repo_id_problem
from .jsonl import DEFAULT_MAX_RECORD_BYTES
from .names import CONFIG_FILENAME
from .pii import PRIVACY_KINDS
from .utf8 import bad_utf8_in
from .validate.report import Issue, ValidationReport, json_pointer
from .validate.schemas import SchemaError, SchemaStore
from .yamlio import YamlError, load_yaml

__all__ = [
    "CONFIG_FILENAME",
    "AnnotationInput",
    "DatasetConfig",
    "config_as_read",
    "load_config",
]

#: ``limits.max_article_lines``'s default: the development pages have at most some 1,100
#: lines; the cleaner holds 100-300 bytes a line (a 16 MiB text of "x\n" lines: 2 GB)
DEFAULT_MAX_ARTICLE_LINES = 100_000

#: The text forms the cleaner detects: the text_form label set when none is declared.
DEFAULT_TEXT_FORMS = ["cased", "lowercased_tokenized"]


@dataclass(frozen=True, slots=True)
class AnnotationInput:
    path: Path
    format: str = "native"
    #: offset unit of a doccano file (None: the reader's default)
    offsets: str | None = None
    #: the entry's label mapping, relations, controls, ... (see ``annotations.options``)
    options: ImportOptions | None = None


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
    #: annotations.reanchor: which records are re-anchored (see reanchor.needs_reanchoring)
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
    #: ``output.compression`` and ``output.compression_level`` (None: the codec's default,
    #: see :class:`builder.parquet.Compression`)
    compression: str = "zstd"
    compression_level: int | None = None
    max_article_bytes: int = 10_000_000
    max_page_tags: int = DEFAULT_MAX_PAGE_TAGS
    #: ``limits.max_article_lines``: the cleaner holds some 100-300 bytes a line
    max_article_lines: int = DEFAULT_MAX_ARTICLE_LINES
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
    #: ``inputs.articles``: the folder, or the shards and their columns
    article_input: ArticleInput | None = None

    #: the label sets ``dataset.yaml`` declares (the others are empty or defaulted)
    declared_label_sets: tuple[str, ...] = ("entity", "genre", "text_form")

    @property
    def reads_shards(self) -> bool:
        """``inputs.articles`` names shard files (JSONL, Parquet, HTML, WARC), not a folder."""
        return self.article_input is not None and not self.article_input.is_folder

    @property
    def reads_sources_file(self) -> bool:
        """Whether ``sources_path`` is an input: always, but when the article shards
        carry each article's source and ``inputs.sources`` names no file."""
        return not (
            self.reads_shards
            and self.article_input is not None
            and self.article_input.carries_sources
            and "sources" not in self.raw.get("inputs", {})
        )

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
        # the folder itself missing is most often the default ``-i seeds`` run elsewhere
        missing = next((p for p in (path.parent, path) if not p.exists()), None)
        why = (
            f" ({missing} does not exist; name the dataset's folder with -i DIR)" if missing else ""
        )
        raise UsageError(f"no dataset configuration at {path}{why}")
    return path


def _label_table(value: Any, root: Path) -> dict[str, str]:
    """A doccano label table: a mapping, or the labels JSON a doccano project exports."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    path = root / value
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(
        isinstance(x, dict) and "id" in x and isinstance(x.get("text"), str) for x in data
    ):
        raise ValueError("expected a JSON list of labels, each with an id and a text")
    return {str(x["id"]): x["text"] for x in data}


def _import_options(
    entry: dict[str, Any],
    index: int,
    *,
    root: Path,
    file: str,
    doc_sets: dict[str, list[str]],
    entity_labels: list[str],
) -> tuple[ImportOptions, list[Issue]]:
    """The :class:`ImportOptions` of ``inputs.annotations[index]``."""
    from .annotations.lsconfig import LabelConfigError, read_label_config

    issues: list[Issue] = []
    where = f"/inputs/annotations/{index}"
    controls: dict[str, str] = {}
    text_key = entry.get("text_key")
    if "label_config" in entry:
        try:
            parsed = read_label_config(root / entry["label_config"])
            controls, text_key = parsed.controls, text_key or parsed.text_key
        except (OSError, LabelConfigError) as exc:
            issues.append(
                Issue(
                    file=file,
                    pointer=f"{where}/label_config",
                    rule="label-config",
                    message=f"cannot read the labeling config {entry['label_config']}: {exc}",
                )
            )
    table: dict[str, str] = {}
    if "label_table" in entry:
        try:
            table = _label_table(entry["label_table"], root)
        except (OSError, ValueError) as exc:
            issues.append(
                Issue(
                    file=file,
                    pointer=f"{where}/label_table",
                    rule="label-table",
                    message=f"cannot read the label table {entry['label_table']}: {exc}",
                )
            )
    speakers = entry.get("speaker_relations")
    options = ImportOptions(
        offsets=entry.get("offsets"),
        label_map=dict(entry.get("labels", {})),
        speaker_relations=frozenset(speakers) if speakers is not None else None,
        choices=dict(entry.get("choices", {})),
        text_key=text_key,
        controls=controls,
        label_table=table,
        predictions=bool(entry.get("predictions", False)),
        split_multi_label=entry.get("multi_label", "error") == "split",
        entity_labels=frozenset(entity_labels),
        doc_label_sets=doc_sets,
        origin=f"inputs.annotations[{index}]",
    )
    return options, issues


def _encoding_issue(name: str, data: bytes, exc: UnicodeDecodeError) -> Issue:
    """Where a configuration stops being UTF-8: the line and column an editor shows,
    and what it is when a byte order mark says (a UTF-16 file saved by Notepad)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        message = "the file is UTF-16 (it starts with a byte order mark for it); save it as UTF-8"
        return Issue(file=name, line=1, rule="encoding", message=message)
    bad = bad_utf8_in(data, exc)
    return Issue(file=name, line=bad.line, rule="encoding", message=str(bad))


def _value_kind(value: Any) -> Hashable:
    """What the schema sees of a value (``True`` is not ``1``, nor ``1.0``); an unhashable
    one (a list, a mapping) is its own kind."""
    try:
        hash(value)
    except TypeError:
        return ("unhashable", id(value))
    return (type(value), value)


def _schema_errors(store: SchemaStore, raw: dict[str, Any]) -> list[SchemaError]:
    """The configuration's schema errors, located, as the validator finds them; but
    ``splits.assignment`` (users pin a previous release's test set: 400,000 article
    ids) is checked by its distinct values, a handful of split names: the validator
    walked every entry, 9 s for 400,000. The schema says nothing of its keys, so an
    entry's errors are those of its value, found once and located at every key that
    holds it."""
    splits = raw.get("splits")
    assignment = splits.get("assignment") if isinstance(splits, dict) else None
    if not isinstance(assignment, dict) or len(assignment) < 2:
        return store.errors("config", raw)
    keys_of: dict[Hashable, list[Any]] = {}
    for key, value in assignment.items():
        keys_of.setdefault(_value_kind(value), []).append(key)
    one_each = {keys[0]: assignment[keys[0]] for keys in keys_of.values()}
    errors = store.errors("config", {**raw, "splits": {**splits, "assignment": one_each}})
    keys_at = {json_pointer("splits", "assignment", keys[0]): keys for keys in keys_of.values()}
    located: list[SchemaError] = []
    at = 0
    entries: list[tuple[str, str, str, SchemaError]] = []
    for err in errors:
        entry, rest = _entry_and_rest(err.pointer)
        if entry not in keys_at:
            located.append(err)
            continue
        if not entries:
            at = len(located)  # where the validator's order puts the assignment's errors
        for key in keys_at[entry]:
            pointer = json_pointer("splits", "assignment", key) + rest
            entries.append((str(key), rest, err.rule, SchemaError(pointer, err.rule, err.message)))
    if entries:
        entries.sort(key=lambda e: e[:3])
        located[at:at] = [e[3] for e in entries]
    return located


def _entry_and_rest(pointer: str) -> tuple[str, str]:
    """``/splits/assignment/KEY`` and what follows it in ``pointer`` (a key's ``/`` is
    escaped in a pointer: the fourth part is the whole key)."""
    parts = pointer.split("/", 4)
    return "/".join(parts[:4]), "/" + parts[4] if len(parts) > 4 else ""


def load_config(path: Path, *, store: SchemaStore | None = None) -> DatasetConfig:
    """Read and validate a configuration file (or the ``dataset.yaml`` in a folder).

    Raises :class:`DataError` listing every problem when the file is invalid.
    """
    path = _find_config(Path(path))
    data = path.read_bytes()
    config = _config_of(path, data, store or SchemaStore.default())
    global _last_read
    _last_read = (path, data, config)
    return config


#: the configuration :func:`load_config` read last: its file, that file's bytes then,
#: and the configuration made of them
_last_read: tuple[Path, bytes, DatasetConfig] | None = None


def config_as_read(path: Path) -> DatasetConfig:
    """:func:`load_config`, but when the file holds the bytes ``load_config`` read last,
    the configuration made of them then. A build reads its configuration in each stage
    (the plan, the card's context, a batch run inline; a worker forked from the pool's
    server, which read it): a 400,000-entry ``splits.assignment`` took 15 s a read, three
    times. The files the configuration names were checked by that read, not again: a
    run's first read is :func:`load_config`'s own."""
    found = _find_config(Path(path))
    data = found.read_bytes()
    if _last_read is not None and _last_read[0] == found and _last_read[1] == data:
        return _last_read[2]
    return load_config(found)


def _config_of(path: Path, data: bytes, store: SchemaStore) -> DatasetConfig:
    """The configuration ``data`` (the bytes of ``path``) holds, checked: against its
    schema first, then for what the schema cannot say (all such issues at once)."""
    raw = _yaml_mapping(path.name, data)
    report = ValidationReport()
    for err in _schema_errors(store, raw):
        wants_text = err.rule == "type" and "'string'" in err.message
        hint = yaml_typed_hint(value_at(raw, err.pointer), wants_text)
        report.add(
            Issue(file=path.name, pointer=err.pointer, rule=err.rule, message=err.message + hint)
        )
    if not report.ok:
        raise DataError(f"invalid configuration {path}", report)
    article_input = parse_article_input(raw.get("inputs", {}).get("articles"), path.parent)
    ann_inputs = _annotation_inputs(raw, path, report)
    report.extend(_semantic_issues(raw, path, store, article_input))
    if not report.ok:
        raise DataError(f"invalid configuration {path}", report)
    return _dataset_config(raw, path, article_input, ann_inputs)


def _yaml_mapping(name: str, data: bytes) -> dict[str, Any]:
    """The configuration file's YAML, which must be a mapping."""
    try:
        raw = load_yaml(data.decode("utf-8"))
    except YamlError as exc:
        raise DataError.single(
            Issue(file=name, line=exc.line, rule="yaml-syntax", message=str(exc))
        ) from None
    except UnicodeDecodeError as exc:
        raise DataError.single(_encoding_issue(name, data, exc)) from None
    if not isinstance(raw, dict):
        raise DataError.single(
            Issue(file=name, rule="type", message="the configuration must be a YAML mapping")
        )
    return raw


def _annotation_inputs(
    raw: dict[str, Any], path: Path, report: ValidationReport
) -> list[AnnotationInput]:
    """The annotation files to read, each with its import options (their issues go
    into ``report``)."""
    labels = raw["labels"]
    doc_sets = {n: list(labels[n]) for n in ("genre", "text_form") if n in labels}
    doc_sets.setdefault("text_form", list(DEFAULT_TEXT_FORMS))
    root = path.parent
    inputs = []
    for i, a in enumerate(
        raw.get("inputs", {}).get("annotations", [{"path": "annotations.jsonl"}])
    ):
        options, option_issues = _import_options(
            a,
            i,
            root=root,
            file=path.name,
            doc_sets=doc_sets,
            entity_labels=labels.get("entity", []),
        )
        report.extend(option_issues)
        inputs.append(
            AnnotationInput(root / a["path"], a.get("format", "native"), a.get("offsets"), options)
        )
    return inputs


def _semantic_issues(
    raw: dict[str, Any], path: Path, store: SchemaStore, article_input: ArticleInput
) -> list[Issue]:
    """What a schema-valid configuration can still get wrong: splits, source defaults,
    paths outside its folder, compression, split pins, references, Hub metadata and
    repo id, ratios that do not sum to 1."""
    name, splits, publish = path.name, raw["splits"], raw.get("publish", {})
    issues = [
        *check_splits(splits, file=name),
        *check_source_defaults(
            article_input, store, file=name, pointer="/inputs/articles/source_defaults"
        ),
        *check_inside(raw, root=path.parent, file=name),
        *check_compression(raw.get("output", {}), file=name),
    ]
    split_names = set(splits["ratios"])
    for key, split in splits.get("assignment", {}).items():
        if split not in split_names:
            issues.append(
                Issue(
                    file=name,
                    pointer=f"/splits/assignment/{key}",
                    rule="split-name",
                    message=f"split {split!r} is not one of {sorted(split_names)}",
                )
            )
    issues += check_references(raw, root=path.parent, file=name)
    issues += check_hub_metadata(raw, file=name)
    if isinstance(repo_id := publish.get("repo_id"), str) and (problem := repo_id_problem(repo_id)):
        message = f"{repo_id!r} is not a Hub dataset repo id: {problem}"
        issues.append(Issue(file=name, pointer="/publish/repo_id", rule="repo-id", message=message))
    total = sum(splits["ratios"].values())
    if not abs(total - 1.0) <= 1e-6:  # NaN fails too
        issues.append(
            Issue(
                file=name,
                pointer="/splits/ratios",
                rule="ratios",
                message=f"ratios must sum to 1; these sum to {total:.6g}",
            )
        )
    return issues


def _dataset_config(
    raw: dict[str, Any],
    path: Path,
    article_input: ArticleInput,
    ann_inputs: list[AnnotationInput],
) -> DatasetConfig:
    """The checked configuration's values, with their defaults."""
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
    return DatasetConfig(
        root=root,
        path=path,
        raw=raw,
        name=raw["name"],
        pretty_name=raw["pretty_name"],
        version=raw["version"],
        license=raw["license"],
        language=list(raw["language"]),
        entity_labels=list(labels.get("entity", [])),
        genre_labels=list(labels.get("genre", [])),
        text_form_labels=list(labels.get("text_form", DEFAULT_TEXT_FORMS)),
        declared_label_sets=tuple(n for n in ("entity", "genre", "text_form") if n in labels),
        # For shards, the folder their paths are relative to.
        articles_dir=article_input.folder or root,
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
        compression=output.get("compression", "zstd"),
        compression_level=output.get("compression_level"),
        max_article_bytes=limits.get("max_article_bytes", 10_000_000),
        max_page_tags=limits.get("max_page_tags", DEFAULT_MAX_PAGE_TAGS),
        max_article_lines=limits.get("max_article_lines", DEFAULT_MAX_ARTICLE_LINES),
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
        article_input=article_input,
    )
