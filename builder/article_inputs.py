"""Article inputs as the configuration names them (``inputs.articles``).

A folder of ``.txt`` files, or shards: JSON Lines, Parquet, HTML or WARC files
named by paths or globs, with the columns that hold each article's id, text and
source record. :mod:`builder.shard_readers` reads the shards' records, and
:mod:`builder.article_store` keeps their texts for the workers.
"""

from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FORMATS",
    "SHARD_SUFFIXES",
    "ArticleInput",
    "parse_article_input",
    "shard_format",
]

#: File name endings of shards, and the format each is read as.
SHARD_SUFFIXES: dict[str, str] = {
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".jsonl.zst": "jsonl",
    ".ndjson": "jsonl",
    ".ndjson.gz": "jsonl",
    ".ndjson.zst": "jsonl",
    ".parquet": "parquet",
    ".html": "html",
    ".htm": "html",
    # a crawler's pages saved compressed: decompressed when read (bounded by the limit)
    ".html.gz": "html",
    ".htm.gz": "html",
    ".html.zst": "html",
    ".htm.zst": "html",
    ".warc": "warc",
    ".warc.gz": "warc",
}
FORMATS = ("jsonl", "parquet", "html", "warc")
#: Parquet rows decoded at a time (memory: one such batch of texts).


def shard_format(path: Path | str) -> str | None:
    name = str(path).lower()
    for suffix in sorted(SHARD_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SHARD_SUFFIXES[suffix]
    return None


@dataclass(frozen=True)
class ArticleInput:
    """``inputs.articles``: a folder, or shard files (paths or globs) with their columns."""

    root: Path
    folder: Path | None = None
    patterns: tuple[str, ...] = ()
    format: str | None = None  # None: from each file's suffix
    id_field: str = "id"
    text_field: str = "text"
    #: column holding the article's source record (an object, or a JSON string)
    source_field: str | None = None
    #: HTML/WARC: fields of every source record the capture does not tell
    source_defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def is_folder(self) -> bool:
        return self.folder is not None

    @property
    def carries_sources(self) -> bool:
        """The shards hold the source records: no ``sources.jsonl`` is needed."""
        # Pages: the capture gives each source record (and source_defaults the rest).
        return self.source_field is not None or bool(self.source_defaults) or self.has_pages

    @property
    def has_pages(self) -> bool:
        """HTML or WARC shards: texts are extracted (the manifest names the extractor)."""
        return any((self.format or shard_format(p)) in ("html", "warc") for p in self.patterns)

    def shards(self) -> tuple[list[Path], list[str], dict[Path, str]]:
        """Shard files in sorted order (each once), the patterns that matched none, and
        what a pattern matched that is no file to read, with why (a link loop, a link to
        nothing, a named pipe: skipped without a word, their articles lost, and a pipe
        would block a read for ever). Folders a glob matches are not shards."""
        found: dict[Path, None] = {}
        unmatched = []
        refused: dict[Path, str] = {}
        for pattern in self.patterns:
            full = str(self.root / pattern)
            matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(full) else [full]
            files, odd = [], 0
            for m in matches:
                why = not_a_file(m)
                if why is None:
                    files.append(m)
                elif why:
                    refused[Path(m)] = why
                    odd += 1
            if not files and not odd:
                unmatched.append(pattern)
            for m in files:
                found.setdefault(Path(m), None)
        return sorted(found), unmatched, refused

    def no_article(self, article_id: str) -> str:
        """Why there is no article ``article_id``, in the input's own terms: a folder's
        missing ``.txt``, or no shard record, page or WARC record giving that id (a shard
        build's articles are no files: "no article ID.txt" sent users looking for one)."""
        if self.folder is not None:
            return f"there is no article {article_id}.txt in {self.rel(self.folder)}/"
        patterns = ", ".join(self.patterns)
        formats = {self.format} if self.format else {shard_format(p) for p in self.patterns}
        ways = []
        if formats & {"jsonl", "parquet", None}:
            ways.append(f"no record in them has {self.id_field} = {article_id!r}")
        if "html" in formats:
            ways.append("no HTML file is named so (its name without .html)")
        if "warc" in formats:
            ways.append("no WARC record's id gives it (warc-<uuid of its WARC-Record-ID>)")
        return f"there is no article {article_id!r} in {patterns}: " + ", and ".join(ways)

    def format_of(self, path: Path) -> str | None:
        return self.format or shard_format(path)

    def rel(self, path: Path) -> str:
        return (
            path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        )


#: Why a named pipe, socket or device is not read (a pipe would block the read for ever).
NOT_A_REGULAR_FILE = "not a regular file (a named pipe, socket or device): not read"


def not_a_file(path: str) -> str | None:
    """Why ``path`` is refused as a file to read: None for a regular file (read), "" for
    nothing there or a folder (not a shard, nothing to say), else the reason. One
    ``stat`` a path: a glob of a million shards stats each once."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if os.path.islink(path):  # a link to nothing, or a loop
            return f"a symbolic link that leads nowhere ({exc.strerror}): not read"
        return ""
    if stat.S_ISREG(mode):
        return None
    return "" if stat.S_ISDIR(mode) else NOT_A_REGULAR_FILE


def parse_article_input(value: Any, root: Path) -> ArticleInput:
    """From the (schema-checked) ``inputs.articles`` value: a string or a mapping."""
    if value is None:
        value = "articles"
    if isinstance(value, str):
        if shard_format(value) is None and not glob.has_magic(value):
            return ArticleInput(root=root, folder=root / value)
        return ArticleInput(root=root, patterns=(value,))
    files = value["files"]
    return ArticleInput(
        root=root,
        patterns=(files,) if isinstance(files, str) else tuple(files),
        format=value.get("format"),
        id_field=value.get("id", "id"),
        text_field=value.get("text", "text"),
        source_field=value.get("source"),
        source_defaults=dict(value.get("source_defaults", {})),
    )
