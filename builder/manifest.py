"""The manifest: what went in, what came out, with checksums and counts.

``manifest.json`` is the contract between a build and everything after it
(publish, verify): it lists every input file with its SHA-256, the schemas'
SHA-256, every output file with SHA-256, bytes and (for Parquet) rows, and the
record counts per stage. It holds no timestamps, so identical builds have
identical manifests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq

__all__ = [
    "MANIFEST_NAME",
    "InputsListing",
    "file_entry",
    "load_manifest",
    "render_inputs",
    "sha256_file",
    "write_manifest",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path, root: Path, sha256: str | None = None) -> dict[str, Any]:
    """One output file: relative path, sha256, bytes, and rows for Parquet.
    ``sha256``: the file's digest when the caller has it already."""
    entry: dict[str, Any] = {
        "path": path.relative_to(root).as_posix(),
        "sha256": sha256 or sha256_file(path),
        "bytes": path.stat().st_size,
    }
    if path.suffix == ".parquet":
        entry["rows"] = pq.ParquetFile(path).metadata.num_rows
    return entry


@dataclass(frozen=True)
class InputsListing:
    """The manifest's ``inputs`` list, rendered into ``path`` ahead of the manifest
    (:func:`render_inputs`): the inputs do not depend on the splits, so a build lists
    and hashes them while it plans the splits, not after the Parquet is written."""

    path: Path
    count: int
    sha256: str
    #: the CPU seconds the listing took (in the thread that took it)
    cpu_seconds: float = 0.0


def _write_inputs(inputs: Iterable[dict[str, Any]], sink: IO[str]) -> tuple[int, str]:
    """The ``inputs`` list as it stands in the manifest, streamed entry by entry: its
    count and the SHA-256 of its entries (one JSON line each)."""
    digest = hashlib.sha256()
    count = 0
    sink.write("[")
    for entry in inputs:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        digest.update(line.encode() + b"\n")
        sink.write(("," if count else "") + "\n    " + line)
        count += 1
    sink.write("\n  ]" if count else "]")
    return count, digest.hexdigest()


def render_inputs(inputs: Iterable[dict[str, Any]], path: Path) -> InputsListing:
    """Render the manifest's ``inputs`` list into ``path`` (streamed: memory stays flat)
    for :func:`write_manifest`, which copies it in."""
    began = time.thread_time()
    with path.open("w", encoding="utf-8") as sink:
        count, digest = _write_inputs(inputs, sink)
    return InputsListing(path, count, digest, time.thread_time() - began)


def write_manifest(
    out_dir: Path,
    *,
    toolkit: dict[str, str],
    dataset: dict[str, Any],
    inputs: Iterable[dict[str, Any]] | InputsListing,
    schemas: list[dict[str, Any]],
    counts: dict[str, int],
    splits: dict[str, Any],
    features: dict[str, Any],
    extra: dict[str, Any] | None = None,
    known_sha256: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Write ``manifest.json`` describing every other file in ``out_dir``.

    ``inputs`` is consumed as a stream and written entry by entry, so a corpus
    of a million articles never has its listing in memory (or it was rendered
    already: :func:`render_inputs`, and is copied in); the returned dict
    carries the inputs' count and digest instead of the list. ``extra`` adds
    top-level entries (``privacy``, ``quarantine``) after the fixed ones.
    ``known_sha256``: digests already taken, by relative path (each file is hashed
    once per build).
    """
    known = known_sha256 or {}
    schema_digest = hashlib.sha256("".join(s["sha256"] for s in schemas).encode()).hexdigest()
    placeholder = "\x00inputs\x00"
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "toolkit": toolkit,
        "dataset": dataset,
        "schema_sha256": schema_digest,
        "schemas": schemas,
        "inputs": placeholder,
        "inputs_summary": placeholder,
        "outputs": placeholder,
        "counts": counts,
        "splits": splits,
        "features": features,
        **(extra or {}),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    quoted = json.dumps(placeholder)
    before, between, middle, after = text.split(quoted)
    with (out_dir / MANIFEST_NAME).open("w", encoding="utf-8") as sink:
        sink.write(before)
        if isinstance(inputs, InputsListing):
            with inputs.path.open(encoding="utf-8") as listing:
                shutil.copyfileobj(listing, sink)
            count, digest = inputs.count, inputs.sha256
        else:
            count, digest = _write_inputs(inputs, sink)
        summary = {"count": count, "sha256": digest}
        sink.write(between + json.dumps(summary) + middle)
        outputs = [
            file_entry(p, out_dir, known.get(p.relative_to(out_dir).as_posix()))
            for p in sorted(out_dir.rglob("*"))
            if p.is_file() and p.name != MANIFEST_NAME
        ]
        # the list as it stands in the whole document: a top-level key's value
        listed = json.dumps({"outputs": outputs}, indent=2, ensure_ascii=False)
        sink.write(listed[len('{\n  "outputs": ') : -len("\n}")] + after)
    manifest["outputs"] = outputs
    del manifest["inputs"]
    manifest["inputs_summary"] = summary
    return manifest


def load_manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
