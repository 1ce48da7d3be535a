"""Reading article shards: each record streamed with its place and any problem.

Shards are read once, in the staging pass, one record at a time, so memory
stays flat whatever a shard's size. Every record keeps its place: the shard
(relative to the configuration), and its line (JSON Lines), row (Parquet,
counted from 1 through the row groups) or record number (WARC), in every issue
about it. HTML and WARC files are read by :mod:`builder.web_inputs`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .article_inputs import FORMATS, ArticleInput
from .jsonl import read_jsonl
from .validate.report import Issue, json_pointer

__all__ = ["PARQUET_BATCH_ROWS", "ShardRecord", "iter_shard"]

#: Parquet rows decoded at a time (memory: one such batch of texts).
PARQUET_BATCH_ROWS = 1024


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
    #: the page's sha256 (hex) as staged: the worker's read must find the same bytes
    digest: str | None = None


#: what a JSON Lines (or Parquet) user calls a value Python holds as each type
_JSON_TYPES = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "an array",
    dict: "an object",
}


def _field_problem(name: str, value: Any, what: str) -> str:
    # named as the shard's writer knows them: "is a int", "a dict" were Python's names
    kind = _JSON_TYPES.get(type(value), f"a {type(value).__name__}")
    got = "missing" if value is None else f"{kind}, not a string"
    return f"the {what} field {name!r} is {got}"


def _from_mapping(
    spec: ArticleInput, number: int, record: dict[str, Any], file: str
) -> ShardRecord:
    raw_id, text = record.get(spec.id_field), record.get(spec.text_field)
    if not isinstance(raw_id, str):
        issue = Issue(
            file=file,
            line=number,
            pointer=json_pointer(spec.id_field),
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
                        pointer=json_pointer(spec.source_field),
                        rule="json-syntax",
                        message=f"the source column is not JSON: {exc.msg}",
                    )
                )
        if isinstance(source, dict):
            out.source = _row_source(spec, source, raw_id, out, file, number)
        elif not out.issues:
            out.issues.append(
                Issue(
                    file=file,
                    line=number,
                    record=raw_id,
                    pointer=json_pointer(spec.source_field),
                    rule="missing-source",
                    message=f"no source record in the column {spec.source_field!r}",
                )
            )
    return out


def _row_source(
    spec: ArticleInput,
    source: dict[str, Any],
    raw_id: str,
    out: ShardRecord,
    file: str,
    number: int,
) -> dict[str, Any]:
    """The source record a row's source column holds, as the record of the row's
    article; its issues point into the column (``/provenance/captured/earliest``, not
    ``/captured/earliest``). An ``article_id`` of its own that is not the row's id is an
    error: it made the record another article's, and this one had "no source record"
    (in a sources file the build does not read)."""
    from .annotations.common import ImportedRecord

    column = json_pointer(spec.source_field)
    own = source.get("article_id", raw_id)
    if own != raw_id:
        out.issues.append(
            Issue(
                file=file,
                line=number,
                record=raw_id,
                pointer=f"{column}/article_id",
                rule="source-id",
                message=f"the source column's article_id {own!r} is not the record's"
                f" {spec.id_field} {raw_id!r}: a row's source record is its article's",
            )
        )
    record = ImportedRecord({**source, "article_id": raw_id})
    record.nested = column
    return record


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
