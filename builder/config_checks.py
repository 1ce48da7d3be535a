"""What a schema cannot say about ``dataset.yaml``: names that must exist (cleaning
steps, annotation formats, rule files), options of one format only, split names that
become file names, and paths that must stay inside the input folder and be usable.

Each check returns located issues (``file`` and ``pointer``), so a typo fails at once
with its place in the file, not as a traceback deep in the first batch.
"""

from __future__ import annotations

import errno
import glob
import math
import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clean.options import STEP_NAMES
from .ingest import real_outside
from .names import split_name_problem
from .validate.report import Issue, json_pointer

if TYPE_CHECKING:
    from .article_inputs import ArticleInput
    from .validate.schemas import SchemaStore

__all__ = [
    "check_compression",
    "check_inside",
    "check_references",
    "check_source_defaults",
    "check_splits",
    "value_at",
    "yaml_typed_hint",
]

#: the levels each Parquet codec takes (``output.compression_level``); one not named has none
COMPRESSION_LEVELS = {"zstd": range(1, 23), "gzip": range(1, 10), "brotli": range(1, 12)}


class _Found(list[Issue]):
    """The issues found in one configuration file, each added at its key path."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def at(self, pointer: str, rule: str, message: str) -> None:
        self.append(Issue(file=self.file, pointer=pointer, rule=rule, message=message))


def check_references(raw: dict[str, Any], *, root: Path, file: str) -> list[Issue]:
    """What the schema cannot know: step names, annotation formats, rule files.

    Checked here so that a typo fails at once, with its place in the file, not
    as a traceback deep in the first batch.
    """
    from .annotations import READERS
    from .clean.rules import load_rules

    issues = _Found(file)
    for i, step in enumerate(raw.get("cleaning", {}).get("steps", [])):
        if step not in STEP_NAMES:
            issues.at(
                f"/cleaning/steps/{i}",
                "cleaning-step",
                f"unknown cleaning step {step!r}; known: {list(STEP_NAMES)}",
            )
    listed: dict[str, int] = {}
    for i, ann in enumerate(raw.get("inputs", {}).get("annotations", [])):
        # the same file twice: each record would be "a second record" of itself
        same = listed.setdefault(os.path.realpath(root / ann["path"]), i)
        if same != i:
            issues.at(
                f"/inputs/annotations/{i}/path",
                "annotation-input",
                f"{ann['path']!r} is read already, as /inputs/annotations/{same}",
            )
        fmt = ann.get("format", "native")
        if fmt not in READERS:
            issues.at(
                f"/inputs/annotations/{i}/format",
                "annotation-format",
                f"no reader for annotation format {fmt!r}; available: {sorted(READERS)}",
            )
        if "offsets" in ann and fmt != "doccano":
            issues.at(
                f"/inputs/annotations/{i}/offsets",
                "annotation-offsets",
                f"offsets applies to doccano files only, not {fmt!r}: native offsets"
                " are code points, and Label Studio's are detected span by span",
            )
    issues += check_annotation_options(raw, file=file)
    for i, rel in enumerate(raw.get("cleaning", {}).get("rules", [])):
        rule_path = root / rel
        if not rule_path.is_file():
            issues.at(f"/cleaning/rules/{i}", "missing-file", f"no rule file {rule_path}")
            continue
        try:
            load_rules(rule_path)
        except (re.error, KeyError, TypeError, AttributeError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            issues.at(f"/cleaning/rules/{i}", "rule-file", f"invalid rule file {rel}: {first}")
    return issues


#: entry keys that only one annotation format reads
_FORMAT_KEYS = {
    "text_key": ("label-studio",),
    "label_config": ("label-studio",),
    "predictions": ("label-studio",),
    "multi_label": ("label-studio",),
    "label_table": ("doccano",),
}


def check_annotation_options(raw: dict[str, Any], *, file: str) -> list[Issue]:
    issues = _Found(file)
    declared = raw.get("labels", {})
    for i, ann in enumerate(raw.get("inputs", {}).get("annotations", [])):
        fmt = ann.get("format", "native")
        for key, formats in _FORMAT_KEYS.items():
            if key in ann and fmt not in formats:
                issues.at(
                    json_pointer("inputs", "annotations", i, key),
                    "annotation-option",
                    f"{key} applies to {' and '.join(formats)} files only, not {fmt!r}",
                )
        for control, label_set in ann.get("choices", {}).items():
            if label_set not in declared:
                issues.at(
                    json_pointer("inputs", "annotations", i, "choices", control),
                    "annotation-option",
                    f"choices maps {control!r} to {label_set}, but labels.{label_set}"
                    " is not declared",
                )
    return issues


def check_splits(splits: dict[str, Any], *, file: str) -> list[Issue]:
    """Split names become file names and Hub patterns: the schema checks them, and so
    does this (whatever regex engine the schema validator uses); ratios are finite."""
    issues = _Found(file)
    by_folded: dict[str, str] = {}
    for split, ratio in splits["ratios"].items():
        pointer = json_pointer("splits", "ratios", split)
        problem = split_name_problem(split)
        if problem:
            issues.at(pointer, "split-name", problem)
        # Train-00000-of-00001.parquet and train-00000-of-00001.parquet are one file
        # on macOS and Windows (and the Hub's clones there): one split overwrites the other
        other = by_folded.setdefault(split.casefold(), split)
        if other != split:
            issues.at(
                pointer,
                "split-name",
                f"split {split!r} differs from split {other!r} only by case: "
                "their files would be one file on case-insensitive file systems",
            )
        if isinstance(ratio, float) and not math.isfinite(ratio):
            issues.at(pointer, "ratios", f"ratio {ratio} is not a number in (0, 1]")
    for key in splits.get("assignment", {}):
        # article ids and group keys are text: a key YAML typed matches none, and its
        # assignment was not applied, without a word
        if not isinstance(key, str):
            issues.at(
                json_pointer("splits", "assignment", key),
                "type",
                f"the key {key!r} is not text (an article id or group key)"
                + yaml_typed_hint(key, True),
            )
    return issues


def check_compression(output: dict[str, Any], *, file: str) -> list[Issue]:
    """A level the codec takes: the schema knows each setting alone, not the pair."""
    codec, level = output.get("compression", "zstd"), output.get("compression_level")
    if level is None:
        return []
    levels = COMPRESSION_LEVELS.get(codec)
    if levels is None:
        problem = f"{codec} has no compression level: drop output.compression_level"
    elif level not in levels:
        problem = f"{codec} takes a level from {levels.start} to {levels.stop - 1}, not {level}"
    else:
        return []
    issues = _Found(file)
    issues.at("/output/compression_level", "compression", problem)
    return issues


def check_inside(raw: dict[str, Any], *, root: Path, file: str) -> list[Issue]:
    """Every input is read inside the input folder: a path (or a symlink) leading out of
    it is an error here, not a surprise at manifest time or a file published by mistake."""
    inputs = raw.get("inputs", {})
    named: list[tuple[str, str]] = (
        [("/inputs/sources", inputs["sources"])] if "sources" in inputs else []
    )
    articles = inputs.get("articles")
    patterns: list[tuple[str, str]] = []
    if isinstance(articles, str):
        patterns.append(("/inputs/articles", articles))
    elif isinstance(articles, dict):
        files = articles.get("files", [])
        for i, pattern in enumerate([files] if isinstance(files, str) else files):
            pointer = "/inputs/articles/files" + ("" if isinstance(files, str) else f"/{i}")
            patterns.append((pointer, pattern))
    for pointer, pattern in patterns:
        named.append((pointer, pattern))
        # A glob's matches are checked one by one: any of them may be a link out (a
        # glob given as the articles string too: it names shards as files: does).
        if glob.has_magic(pattern):
            matches = sorted(glob.glob(str(root / pattern), recursive=True))
            # absolute: a match of a relative input folder ("in/shards/b.jsonl") joined to
            # it again below ("in/in/...") named nothing, and its link out went unchecked
            named += [(f"{pointer} ({_shown_match(m, root)})", os.path.abspath(m)) for m in matches]
    named += [
        (f"/inputs/annotations/{i}/path", a["path"])
        for i, a in enumerate(inputs.get("annotations", []))
    ]
    named += [
        (f"/cleaning/rules/{i}", r) for i, r in enumerate(raw.get("cleaning", {}).get("rules", []))
    ]
    named += [("/inputs/articles", "articles"), ("/inputs/sources", "sources.jsonl")]
    issues, seen, top = _Found(file), set(), Path(os.path.realpath(root))
    for pointer, rel in named:
        if pointer in seen:
            continue
        seen.add(pointer)
        unusable = _unusable_path(root / rel)
        if unusable is not None:
            shown = repr(rel) if len(rel) <= 80 else f"{rel[:60]!r}... ({len(rel)} characters)"
            issues.at(pointer, "bad-path", f"{shown} cannot be a path here: {unusable}")
            continue
        real = real_outside(root / rel, root)
        if real is not None:
            issues.at(
                pointer,
                "outside-input",
                f"{rel} leads to {real}, outside the input folder {top}; "
                "inputs are read only inside it",
            )
    return issues


def _shown_match(match: str, root: Path) -> str:
    """A glob's match as the pointer shows it: relative to the input folder when it is
    under it (an absolute pattern's matches are not, and are refused as outside)."""
    path = Path(match)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else match


def _unusable_path(path: Path) -> str | None:
    """Why the system refuses ``path`` whatever is on disk (a name over its length limit,
    a NUL), or None; a path missing, unreadable or looping is for the read to report."""
    try:
        os.lstat(path)
    except OSError as exc:
        return exc.strerror if exc.errno == errno.ENAMETOOLONG else None
    except ValueError as exc:  # an embedded NUL
        return str(exc)
    return None


def yaml_typed_hint(value: Any, wants_text: bool) -> str:
    """Why a value written as text may not be text, where text is wanted: YAML reads an
    unquoted ``no`` (a language code: Norwegian), ``on`` or ``yes`` as a boolean, ``2024-04-15`` as a date and ``1.0`` as a number, and the
    schema then names the value as Python shows it (``False``), not as it was written.
    Empty when the value is not such a one, or no text is wanted."""
    if not wants_text:
        return ""
    if isinstance(value, bool):
        what = "a boolean (YAML 1.1 reads unquoted yes/no/on/off/true/false so)"
    elif isinstance(value, date):
        what = "a date (YAML reads an unquoted 2024-04-15 so)"
    elif isinstance(value, int | float):
        what = "a number"
    else:
        return ""
    return f"; it was read as {what}: quote it if it is text"


def check_source_defaults(
    spec: ArticleInput, store: SchemaStore, *, file: str, pointer: str
) -> list[Issue]:
    """``source_defaults`` no page's source record can be valid with (a setting of the
    wrong type, a required field missing), named at the setting (``pointer``): else
    every page is rejected with a message naming the page, none the setting."""
    if not spec.has_pages:
        return []
    from .web_inputs import default_source

    record = default_source(spec)
    issues = _Found(file)
    for error in store.iter_errors("source", record):
        field = error.pointer.split("/")[1] if error.pointer else ""
        if field and field not in spec.source_defaults:
            continue  # what the capture gives, checked with each page
        typed = error.rule == "type"
        wants_text = typed and "'string'" in error.message
        hint = yaml_typed_hint(value_at(record, error.pointer), wants_text)
        issues.at(pointer + error.pointer, error.rule, f"source_defaults: {error.message}{hint}")
    return issues


def value_at(document: Any, pointer: str) -> Any:
    """The value a JSON pointer names (None: none there)."""
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            document = document.get(key)
        elif isinstance(document, list) and key.isdigit() and int(key) < len(document):
            document = document[int(key)]
        else:
            return None
    return document
