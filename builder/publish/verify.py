"""Check a dataset folder against its manifest: every byte, every row count, every feature.

Used on a local build folder, on the staged copy before publishing, and on a
published revision materialized from a target. Each problem is one
:class:`Mismatch`; an empty list means the folder is exactly what its
manifest says.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..manifest import MANIFEST_NAME, sha256_file
from ..utf8 import read_utf8
from .manifest_shape import manifest_problems

if TYPE_CHECKING:
    from .target import ReleaseTarget

__all__ = [
    "IGNORED",
    "Mismatch",
    "card_configs",
    "read_card",
    "verify_folder",
    "verify_revision",
]

IGNORED = frozenset({".gitattributes"})
"""Files a host adds to every repository; they are not part of a release."""
_SKIP_DIRS = frozenset({".git", ".cache"})


@dataclass(frozen=True)
class Mismatch:
    """One way the folder differs from its manifest."""

    path: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.check}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "check": self.check, "message": self.message}


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in filenames:
            found.append((Path(dirpath) / name).relative_to(root).as_posix())
    return sorted(found)


def read_card(text: str) -> Any:
    """Parse a card with huggingface_hub (DatasetCard / DatasetCardData); ValueError if invalid."""
    from huggingface_hub import DatasetCard

    try:
        return DatasetCard(text, ignore_metadata_errors=False).data
    except Exception as exc:  # the library raises several types for bad YAML
        raise ValueError(f"invalid card metadata: {exc}") from None


def card_configs(card_data: Any) -> list[dict[str, Any]]:
    configs = card_data.to_dict().get("configs") or []
    return [c for c in configs if isinstance(c, Mapping)]


def _patterns(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """split -> data_files patterns of one card config."""
    files = config.get("data_files", [])
    if isinstance(files, str):
        return {"train": [files]}
    out: dict[str, list[str]] = {}
    for item in files:
        if isinstance(item, Mapping):
            path = item.get("path", [])
            out.setdefault(str(item.get("split", "train")), []).extend(
                [path] if isinstance(path, str) else list(path)
            )
        else:
            out.setdefault("train", []).append(str(item))
    return out


def verify_folder(
    root: Path, *, ignore: Iterable[str] = IGNORED, records: bool = True
) -> list[Mismatch]:
    """Every mismatch between ``root`` and ``root/manifest.json``.

    ``records``: a listed record digest (``records.jsonl.gz``) is also compared with the
    rows of the Parquet shards, which takes a read of every row."""
    root = Path(root)
    try:
        manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [Mismatch(MANIFEST_NAME, "missing", f"no {MANIFEST_NAME} in {root}")]
    except (ValueError, UnicodeDecodeError) as exc:
        return [Mismatch(MANIFEST_NAME, "manifest", f"not valid JSON: {exc}")]
    shape = manifest_problems(manifest)
    if shape:
        return [
            Mismatch(MANIFEST_NAME, "manifest", f"{pointer}: {why}" if pointer else why)
            for pointer, why in shape
        ]
    problems: list[Mismatch] = []
    listed = {o["path"]: o for o in manifest["outputs"]}
    present = set(_walk(root))
    rows: dict[str, int] = {}
    for path, entry in listed.items():
        problems.extend(_check_file(root, path, entry, present, rows))
    for path in sorted(present - set(listed) - {MANIFEST_NAME} - set(ignore)):
        problems.append(Mismatch(path, "extra", "file is not listed in the manifest"))
    # A shard whose footer cannot be read is reported once: its split's counts and the
    # card's patterns are not checked against a total that silently leaves it out.
    unreadable = {m.path for m in problems if m.check == "parquet"}
    uncounted = set(_split_files(dict.fromkeys(unreadable, 0)))  # splits they belong to
    problems.extend(_check_splits(manifest, rows, uncounted))
    problems.extend(_check_features(root, manifest, rows, unreadable, uncounted))
    if records and not problems:
        problems.extend(_check_records(root, listed))
    return problems


def _check_records(root: Path, listed: Mapping[str, Any]) -> list[Mismatch]:
    """The record digest against the shards' rows: its hash in the manifest says only that
    it is the file the manifest was written with, not that it describes these shards."""
    from .records import RECORDS_NAME, digest_mismatch  # pyarrow: imported when needed

    if RECORDS_NAME not in listed:
        return []
    why = digest_mismatch(root / RECORDS_NAME, root / "data")
    if why is None:
        return []
    return [
        Mismatch(
            RECORDS_NAME,
            "records",
            f"does not describe the Parquet shards: {why} (the folder mixes two builds, "
            "or the digest was edited)",
        )
    ]


def _check_file(
    root: Path, path: str, entry: Mapping[str, Any], present: set[str], rows: dict[str, int]
) -> list[Mismatch]:
    if path not in present:
        return [Mismatch(path, "missing", "listed in the manifest but not present")]
    file = root / path
    out: list[Mismatch] = []
    size = file.stat().st_size
    if "bytes" in entry and size != entry["bytes"]:
        # a file of another size has another digest: one change, one mismatch
        out.append(Mismatch(path, "bytes", f"expected {entry['bytes']} bytes, found {size}"))
    elif (digest := sha256_file(file)) != entry.get("sha256"):
        out.append(
            Mismatch(path, "sha256", f"expected sha256 {entry.get('sha256')}, found {digest}")
        )
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        try:
            found = pq.ParquetFile(file).metadata.num_rows
        except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for non-Parquet bytes
            out.append(Mismatch(path, "parquet", f"cannot read the Parquet footer: {exc}"))
        else:
            rows[path] = found
            if "rows" in entry and found != entry["rows"]:
                out.append(Mismatch(path, "rows", f"expected {entry['rows']} rows, found {found}"))
    return out


def _split_files(rows: Mapping[str, int]) -> dict[str, list[str]]:
    from .records import split_of

    out: dict[str, list[str]] = {}
    for path in rows:
        out.setdefault(split_of(Path(path)), []).append(path)
    return out


def _check_splits(
    manifest: Mapping[str, Any], rows: Mapping[str, int], uncounted: set[str]
) -> list[Mismatch]:
    out: list[Mismatch] = []
    by_split = _split_files(rows)
    named = manifest.get("splits", {})
    for split in sorted(set(by_split) - set(named) - uncounted):
        # load_dataset reads the splits the card names, the diff every shard: neither
        # may see rows the other does not
        out.extend(
            Mismatch(path, "splits", f"split {split!r} is not one of the manifest's splits")
            for path in sorted(by_split[split])
        )
    for split, info in named.items():
        if split in uncounted:
            continue
        found = sum(rows[p] for p in by_split.get(split, []))
        if found != info.get("num_examples"):
            out.append(
                Mismatch(
                    MANIFEST_NAME,
                    "splits",
                    f"split {split!r}: manifest says {info.get('num_examples')} examples, "
                    f"the Parquet footers hold {found}",
                )
            )
    return out


def _check_features(
    root: Path,
    manifest: Mapping[str, Any],
    rows: Mapping[str, int],
    unreadable: set[str],
    uncounted: set[str],
) -> list[Mismatch]:
    import datasets
    import pyarrow.parquet as pq
    from datasets.info import DatasetInfosDict

    out: list[Mismatch] = []
    try:
        expected = datasets.Features.from_dict(manifest.get("features", {}))
    except Exception as exc:
        return [Mismatch(MANIFEST_NAME, "features", f"cannot read the manifest features: {exc}")]
    for path in sorted(rows):
        found = datasets.Features.from_arrow_schema(pq.read_schema(root / path))
        if found != expected:
            out.append(Mismatch(path, "features", "the file's features differ from the manifest's"))
    card_path = root / "README.md"
    if not card_path.is_file():
        return [*out, Mismatch("README.md", "card", "no dataset card")]
    try:
        data = read_card(read_utf8(card_path))
    except ValueError as exc:
        return [*out, Mismatch("README.md", "card", str(exc))]
    infos = DatasetInfosDict.from_dataset_card_data(data)
    if not infos:
        out.append(Mismatch("README.md", "card", "the card metadata has no dataset_info"))
    by_split = _split_files(rows)
    for name, info in infos.items():
        if info.features != expected:
            out.append(
                Mismatch(
                    "README.md",
                    "features",
                    f"config {name!r}: the card's features differ from the data files'",
                )
            )
        for split, split_info in (info.splits or {}).items():
            if split in uncounted:
                continue
            found = sum(rows[p] for p in by_split.get(split, []))
            if split_info.num_examples != found:
                out.append(
                    Mismatch(
                        "README.md",
                        "splits",
                        f"config {name!r} split {split!r}: the card says "
                        f"{split_info.num_examples} examples, the files hold {found}",
                    )
                )
    for config in card_configs(data):
        for split, patterns in _patterns(config).items():
            matched = [
                p
                for p in [*rows, *unreadable]
                if any(fnmatch.fnmatchcase(p, pat) for pat in patterns)
            ]
            if not matched:
                out.append(
                    Mismatch(
                        "README.md",
                        "configs",
                        f"config {config.get('config_name')!r} split {split!r}: "
                        f"no data file matches {', '.join(patterns)}",
                    )
                )
            out.extend(_other_splits_read(config, split, matched))
    return out


def _other_splits_read(config: Mapping[str, Any], split: str, matched: list[str]) -> list[Mismatch]:
    """A card split whose patterns also match another split's shards: load_dataset reads
    those rows into it, and fails on the card's own count (NonMatchingSplitsSizesError)."""
    from .records import split_of

    others = sorted(p for p in matched if split_of(Path(p)) != split)
    if not others:
        return []
    return [
        Mismatch(
            "README.md",
            "configs",
            f"config {config.get('config_name')!r} split {split!r} also reads "
            f"{', '.join(others)}, shards of another split",
        )
    ]


def verify_revision(target: ReleaseTarget, revision: str) -> tuple[str, list[Mismatch]]:
    """Download a published revision file by file and verify it; (commit id, mismatches)."""
    import tempfile

    commit = target.tags().get(revision) or target.commit_info(revision).id
    with tempfile.TemporaryDirectory(prefix="builder-verify-") as tmp:
        dest = Path(tmp) / "revision"
        files = target.materialize(commit, dest)
        return commit, verify_folder(dest, ignore=IGNORED | _kept_files(dest, files))


def _kept_files(root: Path, files: Iterable[str]) -> set[str]:
    """Files of a revision that publishing kept because no release listed them (a
    teammate's LICENSE, a script): not part of the release, so not mismatches, as
    long as they are not where data files are loaded from."""
    try:
        listed = {o["path"] for o in json.loads((root / MANIFEST_NAME).read_text())["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {
        f
        for f in files
        if f not in listed and not f.startswith("data/") and not f.endswith(".parquet")
    }
