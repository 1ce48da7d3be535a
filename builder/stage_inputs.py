"""Staging the inputs: side records (sources, annotations) checked and stored, article
ids listed (a folder of ``*.txt``) or read with their texts (shards), before any batch.
(One side-record file is read, checked and staged by :mod:`builder.stage_side`.)

Every side-record line read is accounted for: read = accepted + rejected, per file.
A line that cannot be used (malformed JSON, schema errors, a duplicate, an unknown
article) is an error, or in quarantine a reject that taints the article it names.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .annotations import read_annotations
from .annotations.export_files import file_layout, first_tool, not_json
from .article_inputs import ArticleInput
from .article_store import ArticleStore
from .build_run import BuildRun, quarantined, store_path
from .config import AnnotationInput
from .ingest import ignored_entries, iter_article_ids
from .jsonl import read_jsonl
from .names import setting
from .shard_readers import ShardRecord, iter_shard
from .side_chunks import is_plain
from .stage_side import stage_side, stage_side_file
from .stats import UNKNOWN_PUBLISHER
from .validate.report import Issue, json_pointer

__all__ = ["kept_ids", "reject_tainted", "stage_inputs"]


def _not_there(path: Path) -> str:
    """Why an input named by the configuration cannot be read as what it should be."""
    if path.is_dir():
        return "is a folder, not a file"
    if path.exists():
        return "is not a folder" if path.is_file() else "is not a regular file or folder"
    return "is a symbolic link that leads nowhere" if path.is_symlink() else "does not exist"


def _sources_hold_nothing(run: BuildRun, articles: int) -> None:
    """One error for a sources file with no record in it (empty, or blank lines only)
    when there are articles, which each need one: not a "no source record" per article.
    With no article at all, that the dataset is empty is the error to read."""
    config = run.config
    if not (articles and config.reads_sources_file and config.sources_path.is_file()):
        return
    counts = run.side_lines.get(config.sources_path.name)
    if counts is None or counts["read"]:
        return
    message = "the sources file holds no record (it is empty or blank); every article needs one"
    run.report.add(Issue(file=config.sources_path.name, rule="empty-file", message=message))
    run.inputs_unread = True


def _stage_articles(run: BuildRun) -> int:
    """Stage the ids of the articles folder; returns how many there are.

    The listing streams into the staging database, which sorts it and finds
    case collisions, so no list of every id is held (a million: about 60 MB,
    and more while it was sorted and folded).
    """
    config = run.config
    folder = config.articles_dir.name
    run.staging.add_article_ids(iter_article_ids(config.articles_dir))
    anns = config.annotation_inputs
    for name in ignored_entries(
        config.articles_dir,
        inputs=[config.sources_path, *(a.path for a in anns)],
        brat_folders=[a.path for a in anns if a.format == "brat"],
    ):
        run.report.add(
            Issue(
                file=f"{folder}/{name}",
                rule="ignored-file",
                severity="warning",
                message="not read: articles are the *.txt files (not hidden) in the articles folder",
            )
        )
    return _check_case_collisions(run)


def _check_case_collisions(run: BuildRun) -> int:
    """Ids equal but for case are one file on some systems: an error. The article count."""
    groups = list(run.staging.case_collisions())
    places = _article_places(run, itertools.chain.from_iterable(groups))
    for group in groups:
        for article_id in group:
            issue = Issue(
                **places[article_id],
                record=article_id,
                rule="unique-id",
                message=f"ids {group} differ only in letter case: one file on case-insensitive file systems",
            )
            if run.quarantine:
                run.tainted.setdefault(article_id, []).append(issue)
            else:
                run.report.add(issue)
    return run.staging.article_count()


def _article_places(run: BuildRun, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Where each article came from: ``{"file": "<id>.txt"}``, or its shard and line
    (JSON Lines), row (Parquet) or record (WARC)."""
    if not run.config.reads_shards:
        return {i: {"file": f"{i}.txt"} for i in ids}
    store = ArticleStore(store_path(run), readonly=True)
    try:
        places = {i: store.place(i) for i in ids}
    finally:
        store.close()
    # Every staged id of a shard build is in the store.
    return {
        i: {"file": p[0], "line": p[1]} if p else {"file": f"{i}.txt"} for i, p in places.items()
    }


def _reject_article_line(
    run: BuildRun, file: str, line: int | None, article_id: str | None, issues: list[Issue]
) -> None:
    """A shard record that is unusable as it stands (no id, a second copy of an id, a
    broken source column): an error, or in quarantine a reject (and its article with it)."""
    run.reject_record(
        "article-line", "rejected-article-line", "its record", file, line, article_id, issues
    )


def _other_inputs(run: BuildRun) -> dict[str, str]:
    """The files the configuration names as other inputs (normalised paths), with the
    setting that names each: a shard pattern must not match them."""
    config = run.config
    others = {
        os.path.normpath(a.path): f"entry {n} of {setting('inputs.annotations')}"
        for n, a in enumerate(config.annotation_inputs)
    }
    if config.reads_sources_file:
        others[os.path.normpath(config.sources_path)] = setting("inputs.sources")
    return others


def _shard_is_input(file: str, what: str) -> Issue:
    """A shard pattern matched another input (``articles: "*.jsonl"`` beside
    sources.jsonl): read as articles, each of its records was an error of its own
    (no id), none saying the pattern was too wide. It is not read as a shard."""
    return Issue(
        file=file,
        rule="shard-is-input",
        message=f"{setting('inputs.articles')} matches this file, which is {what}: "
        "it is not read as an article shard; narrow the pattern (e.g. articles/*.jsonl)",
    )


def _stage_shard_records(run: BuildRun, store: ArticleStore) -> Iterator[str]:
    """Read every shard once: texts into the store, source records into staging; the ids."""
    spec = run.config.article_input
    assert spec is not None
    shards, unmatched, refused = spec.shards()
    for path, why in refused.items():
        run.articles_unread = run.articles_unread or spec.rel(path)
        run.report.add(Issue(file=spec.rel(path), rule="not-a-file", message=why))
    for pattern in unmatched:
        run.articles_unread = run.articles_unread or pattern
        run.report.add(
            Issue(
                file=pattern,
                rule="missing-file",
                message=f"no article shard matches {pattern!r} ({setting('inputs.articles')})",
            )
        )
    others = _other_inputs(run)
    for path in shards:
        file = spec.rel(path)
        if (what := others.get(os.path.normpath(path))) is not None:
            run.report.add(_shard_is_input(file, what))
            continue
        for rec in iter_shard(spec, path, max_line_bytes=run.config.max_record_bytes):
            if rec.article_id is None:
                if any(i.severity == "error" for i in rec.issues):
                    run.articles_unread = run.articles_unread or file
                    _reject_article_line(run, file, rec.line, None, rec.issues)
                else:
                    run.report.extend(rec.issues)
                continue
            bad_id = _shard_id_issues(run, spec, file, rec)
            if bad_id:
                _reject_article_line(run, file, rec.line, rec.article_id, [*rec.issues, *bad_id])
                continue
            earlier = store.add(file, rec)
            if earlier is not None:
                issue = Issue(
                    file=file,
                    line=rec.line,
                    record=rec.article_id,
                    rule="unique-id",
                    message=f"a second article {rec.article_id!r} (the first is at {earlier[0]}:{earlier[1]})",
                )
                _reject_article_line(run, file, rec.line, rec.article_id, [*rec.issues, issue])
                continue
            if any(i.severity == "error" for i in rec.issues):
                _reject_article_line(run, file, rec.line, rec.article_id, rec.issues)
            else:
                run.report.extend(rec.issues)
            if rec.source is not None:
                stage_side(
                    run,
                    kind="source",
                    records=iter([(rec.line, rec.source, [])]),
                    file=file,
                )
            yield rec.article_id


def _shard_id_issues(run: BuildRun, spec: ArticleInput, file: str, rec: ShardRecord) -> list[Issue]:
    """Why a shard record's id cannot be an article id, said where the id is: its id
    field (``/doc_id``) at its line, or the page's file name. Checked later, it gave one
    error at ``/id`` of the article record and, for a page, one at ``/article_id`` of
    the source record made for it: neither a place in the user's files."""
    errors = run.store.article_id_errors(rec.article_id)
    if not errors:
        return []
    if rec.kind == "html":
        what, pointer, hint = "the article id is the file name", "", "; rename the file"
    elif spec.format_of(Path(file)) == "parquet":
        what, pointer, hint = f"the id column {spec.id_field!r}", "", ""
    else:
        what, pointer, hint = f"the id field {spec.id_field!r}", json_pointer(spec.id_field), ""
    return [
        Issue(
            file=file,
            line=rec.line,
            record=rec.article_id,
            pointer=pointer,
            rule=e.rule,
            message=f"{what}: {e.message.rstrip('.')}{hint}",
        )
        for e in errors
    ]


def _stage_shards(run: BuildRun) -> None:
    store = ArticleStore(store_path(run))
    try:
        run.staging.add_article_ids(_stage_shard_records(run, store))
        store.commit()
    finally:
        store.close()


def _not_json_lines(path: Path) -> Issue | None:
    """One issue for a sources file that is no JSON Lines (None when it is, or is not
    there): read a line at a time, a JSON array or indented records, a CSV, gave an
    error per line, none saying what the file is."""
    if not path.is_file():
        return None
    wanted = "give one JSON object per line (JSON Lines)"
    wrong = not_json(path, path.name, wanted)
    if wrong is not None:
        return wrong
    layout = file_layout(path)
    if layout == "lines":
        return None
    what = "a JSON array" if layout == "array" else "JSON objects written over several lines"
    message = f"{what}, not JSON Lines; nothing in it is read: {wanted}"
    return Issue(file=path.name, line=1, rule="json", message=message)


def stage_inputs(run: BuildRun) -> int:
    """Stage side records and article ids; returns the number of articles."""
    _stage_sources(run)
    _stage_annotations(run)
    articles = _stage_article_ids(run)
    if articles is None:
        return 0  # no articles folder: its error is the build's, nothing is committed
    _sources_hold_nothing(run, articles)
    for kind in ("source", "annotation"):
        _reject_side_without_article(run, kind)
    run.staging.commit()
    return articles


def _stage_sources(run: BuildRun) -> None:
    """The sources file's records staged, or why it cannot be read reported."""
    config, report = run.config, run.report
    if not config.reads_sources_file:
        pass  # the article shards carry them
    elif (wrong := _not_json_lines(config.sources_path)) is not None:
        run.inputs_unread = True
        report.add(wrong)
    elif config.sources_path.is_file():
        stage_side_file(
            run,
            kind="source",
            file=config.sources_path.name,
            path=config.sources_path,
            max_line_bytes=config.max_record_bytes,
            read=lambda: read_jsonl(config.sources_path, max_line_bytes=config.max_record_bytes),
        )
    else:
        run.inputs_unread = True
        report.add(
            Issue(
                file=config.sources_path.name,
                rule="missing-file",
                message=f"sources file {config.sources_path} {_not_there(config.sources_path)}"
                f" ({setting('inputs.sources')})",
            )
        )


def _stage_annotations(run: BuildRun) -> None:
    """Each annotation input's records staged, or why its path cannot be read reported."""
    config = run.config
    for i, ann in enumerate(config.annotation_inputs):
        if (missing := _annotation_path_missing(ann, i)) is not None:
            run.inputs_unread = True
            run.report.add(missing)
            continue
        stage_side_file(
            run,
            kind="annotation",
            file=ann.path.name,
            path=ann.path if _native_lines(ann) else None,
            max_line_bytes=config.max_record_bytes,
            read=lambda ann=ann: read_annotations(
                ann.path,
                ann.format,
                options=ann.options,
                root=config.root,
                max_line_bytes=config.max_record_bytes,
            ),
        )


def _annotation_path_missing(ann: AnnotationInput, i: int) -> Issue | None:
    """Why the ``i``-th annotation input's path is not what its format reads, or None."""
    # brat and Label Studio (a target-storage folder) read a folder too
    folder_ok = ann.format in ("brat", "label-studio")
    if ann.path.exists() if folder_ok else ann.path.is_file():
        return None
    return Issue(
        file=ann.path.name,
        rule="missing-file",
        message=(
            f"annotation path {ann.path} is a folder; format {ann.format} reads one export file"
            if ann.path.is_dir()
            else f"annotation file {ann.path} {_not_there(ann.path)}"
        )
        + f" ({setting(f'inputs.annotations[{i}].path')})",
    )


def _native_lines(ann: AnnotationInput) -> bool:
    """The input is the project's own records, one per line of a plain file: its lines
    are read and checked as sources are (:func:`~builder.stage_side.stage_side_file` given its path)."""
    return (
        ann.format == "native"
        and not (ann.options and ann.options.label_map)
        and ann.path.is_file()
        and is_plain(ann.path)
        and file_layout(ann.path) == "lines"
        # another tool's export is one error from the reader, not one per line
        and first_tool(ann.path) in (None, "native")
    )


def _stage_article_ids(run: BuildRun) -> int | None:
    """The article ids listed (a folder) or staged with their texts (shards): how
    many articles; None when the articles folder is missing (reported)."""
    config = run.config
    if config.reads_shards:
        _stage_shards(run)
        return _check_case_collisions(run)
    if not config.articles_dir.is_dir():
        run.report.add(
            Issue(
                file=str(config.articles_dir.name),
                rule="missing-file",
                message=f"articles folder {config.articles_dir} {_not_there(config.articles_dir)}"
                f" ({setting('inputs.articles')})",
            )
        )
        return None
    return _stage_articles(run)


def _reject_side_without_article(run: BuildRun, kind: str) -> None:
    """Side records of ``kind`` whose article is not among the inputs: each rejected,
    its line's accepted count taken back."""
    if run.articles_unread is not None and not run.quarantine:
        # (in quarantine each is set aside as ever: the rejects list them)
        _side_without_article_unread(run, kind)
        return
    article_input = run.config.article_input or ArticleInput(
        root=run.config.root, folder=run.config.articles_dir
    )
    no_article = article_input.no_article
    for article_id, file, line in run.staging.side_without_article(kind):
        counts = run.side_lines.setdefault(file, Counter())
        counts["accepted"] -= 1
        run.reject_line(
            kind,
            file,
            line,
            None,  # no such article: nothing else to reject
            [
                Issue(
                    file=file,
                    line=line,
                    record=article_id,
                    rule="unknown-article",
                    message=f"{kind} record for {article_id!r}, but {no_article(article_id)}",
                )
            ],
        )


def _side_without_article_unread(run: BuildRun, kind: str) -> None:
    """Side records naming no article read, when a shard was not read whole: one warning
    per file, not an error per record (two per article of a shard that cannot be read,
    whose own error says what is wrong); each is still not staged."""
    found: dict[str, list[tuple[str, int | None]]] = {}
    for article_id, file, line in run.staging.side_without_article(kind):
        run.side_lines.setdefault(file, Counter())["accepted"] -= 1
        run.side_lines[file]["rejected"] += 1
        found.setdefault(file, []).append((article_id, line))
    for file, records in found.items():
        article_id, line = records[0]
        run.report.add(
            Issue(
                file=file,
                line=line,
                record=article_id,
                rule="unknown-article",
                severity="warning",
                message=f"{len(records)} {kind} record(s) name an article not read (the first:"
                f" {article_id!r}); not reported one by one, as {run.articles_unread} was not"
                " read whole",
            )
        )


def reject_tainted(run: BuildRun, articles: int) -> int:
    """Quarantine: articles whose side records were rejected are rejected unread.

    Returns how many articles are left; :func:`kept_ids` lists them.
    """
    if not run.tainted:
        return articles
    places = _article_places(run, run.tainted)
    for article_id in run.staging.article_ids():
        why = run.tainted.get(article_id)
        if why is None:
            continue
        articles -= 1
        source = run.staging.side("source", article_id)
        publisher = (source.record.get("publisher") if source else None) or UNKNOWN_PUBLISHER
        for stage in ("read", "rejected"):
            run.stats.stages[stage] += 1
            run.stats.per_source[publisher][stage] += 1
        run.report.extend(quarantined(i) for i in why)
        run.rejects.add(
            {
                "kind": "article",
                "id": article_id,
                **places[article_id],
                "publisher": publisher,
            },
            why,
        )
    return articles


def kept_ids(run: BuildRun) -> Iterator[str]:
    """The staged ids in sorted order, bar those :func:`reject_tainted` rejected."""
    return (i for i in run.staging.article_ids() if i not in run.tainted)
