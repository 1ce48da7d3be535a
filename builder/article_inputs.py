"""Article inputs: a folder of ``.txt`` files, or shards (JSON Lines, Parquet, HTML, WARC).

A folder is read as it always was: one file per article, read by the worker
that processes it. Shards are read once, in the staging pass, one record at a
time: each article's raw bytes go into an SQLite store beside the staging
database (:class:`ArticleStore`), which workers open read-only and query by id,
so no worker re-parses or decompresses a shard, and memory stays flat whatever
the shard's size. An article from a shard is then checked exactly as a file
would be (:func:`~builder.ingest.article_from_bytes`), so the same text gives
the same row, whether it came as ``<id>.txt`` or as a line of ``.jsonl.gz``.

Every record keeps its place: the shard (relative to the configuration), and
its line (JSON Lines), row (Parquet, counted from 1 through the row groups) or
record number (WARC), in every issue about it.
"""

from __future__ import annotations

import glob
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ingest import (
    RawArticle,
    article_from_bytes,
    article_path,
    read_article,
    read_jsonl,
)
from .validate.report import Issue

__all__ = [
    "SHARD_SUFFIXES",
    "ArticleInput",
    "ArticleReader",
    "ArticleStore",
    "ShardRecord",
    "iter_shard",
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
    ".warc": "warc",
    ".warc.gz": "warc",
}
FORMATS = ("jsonl", "parquet", "html", "warc")
#: Parquet rows decoded at a time (memory: one such batch of texts).
PARQUET_BATCH_ROWS = 1024


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

    def shards(self) -> tuple[list[Path], list[str]]:
        """Shard files in sorted order (each once), and the patterns that matched none."""
        found: dict[Path, None] = {}
        unmatched = []
        for pattern in self.patterns:
            full = str(self.root / pattern)
            matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(full) else [full]
            matches = [m for m in matches if os.path.isfile(m)]
            if not matches:
                unmatched.append(pattern)
            for m in matches:
                found.setdefault(Path(m), None)
        return sorted(found), unmatched

    def format_of(self, path: Path) -> str | None:
        return self.format or shard_format(path)

    def rel(self, path: Path) -> str:
        return (
            path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        )


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


# -- reading shards -----------------------------------------------------------------------
@dataclass
class ShardRecord:
    """One record of a shard, as staged: its id, raw text bytes and source record."""

    line: int  # line (JSON Lines), row (Parquet) or record (WARC) number, from 1
    article_id: str | None
    data: bytes | None  # the raw text, UTF-8; None when it cannot be had (see issues)
    source: dict[str, Any] | None = None
    issues: list[Issue] = field(default_factory=list)
    #: why ``data`` is missing, said again by the worker that rejects the article
    problem: str | None = None
    #: ``html`` or ``warc``: not copied; the worker reads the page (the file, or the
    #: WARC record at ``offset``) and extracts its main text
    kind: str | None = None
    offset: int | None = None


def _field_problem(name: str, value: Any, what: str) -> str:
    got = "missing" if value is None else f"a {type(value).__name__}, not a string"
    return f"the {what} field {name!r} is {got}"


def _from_mapping(
    spec: ArticleInput, number: int, record: dict[str, Any], file: str
) -> ShardRecord:
    raw_id, text = record.get(spec.id_field), record.get(spec.text_field)
    if not isinstance(raw_id, str):
        issue = Issue(
            file=file,
            line=number,
            pointer=f"/{spec.id_field}",
            rule="id",
            message=_field_problem(spec.id_field, raw_id, "id"),
        )
        return ShardRecord(number, None, None, issues=[issue])
    out = ShardRecord(number, raw_id, None)
    if isinstance(text, str):
        try:
            out.data = text.encode("utf-8")
        except UnicodeEncodeError:
            out.problem = "the text holds an unpaired surrogate (\\ud800-\\udfff): not a character"
    elif isinstance(text, bytes):  # a Parquet binary column: the raw bytes, checked as a file's
        out.data = text
    else:
        out.problem = _field_problem(spec.text_field, text, "text")
    if spec.source_field is not None:
        source = record.get(spec.source_field)
        if isinstance(source, str):
            try:
                source = json.loads(source)
            except json.JSONDecodeError as exc:
                source = None
                out.issues.append(
                    Issue(
                        file=file,
                        line=number,
                        record=raw_id,
                        pointer=f"/{spec.source_field}",
                        rule="json-syntax",
                        message=f"the source column is not JSON: {exc.msg}",
                    )
                )
        if isinstance(source, dict):
            out.source = {"article_id": raw_id, **source}
        elif not out.issues:
            out.issues.append(
                Issue(
                    file=file,
                    line=number,
                    record=raw_id,
                    pointer=f"/{spec.source_field}",
                    rule="missing-source",
                    message=f"no source record in the column {spec.source_field!r}",
                )
            )
    return out


def _iter_jsonl(
    spec: ArticleInput, path: Path, file: str, max_line_bytes: int
) -> Iterator[ShardRecord]:
    for number, record, issues in read_jsonl(path, name=file, max_line_bytes=max_line_bytes):
        if record is None:
            yield ShardRecord(number, None, None, issues=issues)
            continue
        out = _from_mapping(spec, number, record, file)
        out.issues[:0] = issues
        yield out


def _iter_parquet(spec: ArticleInput, path: Path, file: str) -> Iterator[ShardRecord]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        yield ShardRecord(
            1,
            None,
            None,
            issues=[Issue(file=file, rule="parquet", message=f"not a Parquet file: {exc}")],
        )
        return
    wanted = [spec.id_field, spec.text_field, *([spec.source_field] if spec.source_field else [])]
    missing = [c for c in wanted if c not in parquet.schema_arrow.names]
    if missing:
        message = f"no column {missing} (columns: {parquet.schema_arrow.names})"
        yield ShardRecord(
            1, None, None, issues=[Issue(file=file, rule="parquet-column", message=message)]
        )
        return
    number = 0
    for group in range(parquet.metadata.num_row_groups):
        row = 0
        try:
            for batch in parquet.iter_batches(
                batch_size=PARQUET_BATCH_ROWS, row_groups=[group], columns=wanted
            ):
                for record in batch.to_pylist():
                    number += 1
                    row += 1
                    out = _from_mapping(spec, number, record, file)
                    for i, issue in enumerate(out.issues):
                        out.issues[i] = _in_row_group(issue, group, row)
                    yield out
        except (pa.ArrowException, OSError) as exc:
            issue = Issue(
                file=file,
                line=number + 1,
                rule="parquet",
                message=f"row group {group} cannot be read ({exc}); the rest of the file is not read",
            )
            yield ShardRecord(number + 1, None, None, issues=[issue])
            return


def _in_row_group(issue: Issue, group: int, row: int) -> Issue:
    from dataclasses import replace

    return replace(issue, message=f"row group {group}, row {row}: {issue.message}")


def iter_shard(spec: ArticleInput, path: Path, *, max_line_bytes: int) -> Iterator[ShardRecord]:
    """The records of one shard, streamed, each with its place and any problem."""
    file = spec.rel(path)
    fmt = spec.format_of(path)
    if fmt == "jsonl":
        yield from _iter_jsonl(spec, path, file, max_line_bytes)
    elif fmt == "parquet":
        yield from _iter_parquet(spec, path, file)
    elif fmt in ("html", "warc"):
        from .web_inputs import iter_html, iter_warc, missing_web_extra

        if (missing := missing_web_extra()) is not None:
            yield ShardRecord(
                1, None, None, issues=[Issue(file=file, rule="format", message=missing)]
            )
            return
        yield from (iter_html if fmt == "html" else iter_warc)(spec, path, file)
    else:
        message = f"unknown shard format: name it in inputs.articles.format, one of {list(FORMATS)}"
        yield ShardRecord(1, None, None, issues=[Issue(file=file, rule="format", message=message)])


# -- the store --------------------------------------------------------------------------
_STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS texts (
    id TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER, data BLOB, problem TEXT,
    kind TEXT, offset INTEGER
);
"""


class ArticleStore:
    """Raw article bytes read from shards, by id: written once, read by every worker."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path)
            self.db.executescript(_STORE_SCHEMA)
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("PRAGMA journal_mode=OFF")

    def add(self, file: str, rec: ShardRecord) -> tuple[str, int | None] | None:
        """Store a record; the ``(file, line)`` of the earlier one with its id, if any."""
        try:
            self.db.execute(
                "INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (rec.article_id, file, rec.line, rec.data, rec.problem, rec.kind, rec.offset),
            )
        except sqlite3.IntegrityError:
            return self.db.execute(
                "SELECT file, line FROM texts WHERE id = ?", (rec.article_id,)
            ).fetchone()
        return None

    def get(
        self, article_id: str
    ) -> tuple[str, int | None, bytes | None, str | None, str | None, int | None] | None:
        return self.db.execute(
            "SELECT file, line, data, problem, kind, offset FROM texts WHERE id = ?",
            (article_id,),
        ).fetchone()

    def has_markup(self) -> bool:
        """Some articles are pages whose text is extracted (the manifest names the extractor)."""
        return bool(
            self.db.execute("SELECT 1 FROM texts WHERE kind IS NOT NULL LIMIT 1").fetchone()
        )

    def files(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT file FROM texts ORDER BY file")]

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()


class ArticleReader:
    """Reads one article by id, from its file in the folder or from the shard store."""

    def __init__(self, articles: ArticleInput, store_path: str | None, *, max_bytes: int) -> None:
        self.articles = articles
        self.max_bytes = max_bytes
        self.store = ArticleStore(Path(store_path), readonly=True) if store_path else None

    def read(
        self, article_id: str, path: Path | None = None
    ) -> tuple[RawArticle | None, list[Issue]]:
        if self.store is None:
            folder = self.articles.folder
            assert folder is not None
            return read_article(
                article_id,
                path or article_path(folder, article_id),
                root=folder,
                max_bytes=self.max_bytes,
            )
        found = self.store.get(article_id)
        if found is None:  # staged ids all come from the store: a bug if reached
            raise KeyError(f"article {article_id!r} is not in the shard store")
        file, line, data, problem, kind, offset = found
        where = {"file": file, "line": line, "record": article_id}
        if kind is not None:
            data, problem = self._extract(file, kind, offset)
        if data is None:
            return None, [Issue(**where, rule="text", message=problem or "no text")]
        if len(data) > self.max_bytes:
            message = f"{len(data)} bytes is over the limit of {self.max_bytes} bytes (limits.max_article_bytes)"
            return None, [Issue(**where, rule="size-limit", message=message)]
        return article_from_bytes(article_id, data, file=file, line=line)

    def _extract(self, file: str, kind: str, offset: int | None) -> tuple[bytes | None, str | None]:
        from .web_inputs import extract_main_text, read_html

        try:
            html = read_html(self.articles.root, file, kind, offset)
        except OSError as exc:
            return None, f"cannot read the page again: {exc.strerror or exc}"
        text = extract_main_text(html)
        if text is None:
            return None, "no main text found in the page (trafilatura)"
        return text.encode("utf-8"), None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> ArticleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
