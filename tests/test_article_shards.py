"""Articles as shards: JSON Lines (plain, gzip, zstd) and Parquet, and compressed side inputs.

The same texts must give the same dataset whatever they came in: the seeds as
one ``articles.jsonl.gz`` or one Parquet file build Parquet byte-identical to
the seeds as ``.txt`` files. A broken record is reported with its shard and line.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
import zstandard
from corpus_helpers import make_corpus

from builder.errors import DataError
from builder.manifest import load_manifest, sha256_file
from builder.pipeline import build


def _seed_texts(seeds: Path) -> list[tuple[str, str]]:
    """(id, text) of every seed article, in reverse id order (the build must sort)."""
    paths = sorted((seeds / "articles").glob("*.txt"), reverse=True)
    return [(p.stem, p.read_bytes().decode("utf-8")) for p in paths]


def _set_articles(root: Path, value: Any) -> None:
    config = yaml.safe_load((root / "dataset.yaml").read_text(encoding="utf-8"))
    config["inputs"]["articles"] = value
    (root / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def _corpus_in_one_shard(root: Path, n: int) -> Any:
    """A generated corpus whose articles are one JSON Lines shard, ``a.jsonl``."""
    corpus = make_corpus(root, n=n)
    lines = [json.dumps({"id": a, "text": t}) for a, t in corpus.texts.items()]
    (corpus.root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(corpus.articles)
    corpus.config["inputs"]["articles"] = "a.jsonl"
    corpus.write_config()
    return corpus


def _data_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "data").glob("*.parquet"))}


def _as_jsonl_gz(root: Path) -> Path:
    shard = root / "articles.jsonl.gz"
    with gzip.open(shard, "wt", encoding="utf-8") as handle:
        for aid, text in _seed_texts(root):
            handle.write(json.dumps({"id": aid, "text": text}) + "\n")
    shutil.rmtree(root / "articles")
    _set_articles(root, "articles.jsonl.gz")
    return shard


def _as_parquet(root: Path) -> Path:
    texts = _seed_texts(root)
    # Two row groups and other column names: both must be read.
    # The text as a binary column: raw bytes, checked as a file's would be.
    table = pa.table(
        {
            "doc": [t[0] for t in texts],
            "body": pa.array([t[1].encode() for t in texts], pa.binary()),
        }
    )
    shard = root / "shards" / "part-0.parquet"
    shard.parent.mkdir()
    pq.write_table(table, shard, row_group_size=3)
    shutil.rmtree(root / "articles")
    _set_articles(root, {"files": "shards/*.parquet", "id": "doc", "text": "body"})
    return shard


@pytest.mark.parametrize("make_shard", [_as_jsonl_gz, _as_parquet], ids=["jsonl.gz", "parquet"])
def test_seeds_as_one_shard_build_byte_identical_parquet(
    make_shard: Any, seeds_copy: Path, seed_build: Path, tmp_path: Path
) -> None:
    shard = make_shard(seeds_copy)
    out = tmp_path / "out"
    build(seeds_copy, out)
    assert _data_files(out) == _data_files(seed_build)
    inputs = {e["path"]: e["sha256"] for e in load_manifest(out)["inputs"]}
    rel = shard.relative_to(seeds_copy).as_posix()
    assert inputs[rel] == sha256_file(shard)
    assert not any(p.endswith(".txt") for p in inputs)


def test_zstd_shards_with_source_column_and_compressed_annotations(tmp_path: Path) -> None:
    """Several zstd shards by glob, the source record in the shard itself (no
    sources file), annotations gzip-compressed: same rows as the folder corpus."""
    # With the publisher pre-pass on: it reads every article once more, from the store.
    config = {"cleaning": {"publisher_repetition": {"enabled": True}}}
    plain = make_corpus(tmp_path / "plain", n=12, config=config)
    build(plain.root, tmp_path / "out-plain")

    corpus = make_corpus(tmp_path / "shards", n=12, config=config)
    shutil.rmtree(corpus.articles)
    (corpus.root / "sources.jsonl").unlink()
    by_id = {s["article_id"]: s for s in corpus.sources}
    compressor = zstandard.ZstdCompressor()
    for part, ids in enumerate([corpus.ids[1::2], corpus.ids[0::2]]):
        lines = []
        for aid in ids:
            source = {k: v for k, v in by_id[aid].items() if k != "article_id"}
            lines.append(json.dumps({"key": aid, "body": corpus.texts[aid], "meta": source}))
        data = ("\n".join(lines) + "\n").encode()
        (corpus.root / f"part-{part}.jsonl.zst").write_bytes(compressor.compress(data))
    annotations = corpus.root / "annotations.jsonl"
    (corpus.root / "annotations.jsonl.gz").write_bytes(gzip.compress(annotations.read_bytes()))
    annotations.unlink()
    corpus.config["inputs"] = {
        "articles": {"files": ["part-*.jsonl.zst"], "id": "key", "text": "body", "source": "meta"},
        "annotations": [{"path": "annotations.jsonl.gz", "format": "native"}],
    }
    corpus.write_config()
    result = build(corpus.root, tmp_path / "out-shards")
    assert result.stats.stages["accepted"] == 12
    assert _data_files(tmp_path / "out-shards") == _data_files(tmp_path / "out-plain")


def test_a_sources_file_the_shards_make_unread_is_not_listed_as_an_input(
    tmp_path: Path,
) -> None:
    """Shards that carry each article's source, beside a sources.jsonl left from the
    folder layout: it is not read, so the manifest must not say the dataset was built
    from it (it listed and hashed it, and a later edit of it failed the input check)."""
    corpus = make_corpus(tmp_path / "c", n=3)
    shutil.rmtree(corpus.articles)
    by_id = {s["article_id"]: s for s in corpus.sources}
    lines = [
        json.dumps(
            {
                "id": aid,
                "text": corpus.texts[aid],
                "meta": {k: v for k, v in by_id[aid].items() if k != "article_id"},
            }
        )
        for aid in corpus.ids
    ]
    (corpus.root / "part-0.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus.config["inputs"]["articles"] = {
        "files": "part-*.jsonl",
        "id": "id",
        "text": "text",
        "source": "meta",
    }
    del corpus.config["inputs"]["sources"]
    corpus.write_config()
    assert (corpus.root / "sources.jsonl").is_file()
    build(corpus.root, tmp_path / "out")
    listed = {e["path"] for e in load_manifest(tmp_path / "out")["inputs"]}
    assert "part-0.jsonl" in listed and "sources.jsonl" not in listed, listed


def test_bad_shard_records_name_their_file_and_line(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c", n=3)
    shutil.rmtree(corpus.articles)
    ids = corpus.ids
    lines = [
        json.dumps({"id": ids[0], "text": corpus.texts[ids[0]]}),
        json.dumps({"text": "no id here"}),
        "{not json",
        json.dumps({"id": ids[1], "text": 17}),
        json.dumps({"id": ids[2], "text": corpus.texts[ids[2]]}),
        json.dumps({"id": ids[0], "text": "a second copy"}),
    ]
    (corpus.root / "a.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    corpus.config["inputs"]["articles"] = "a.jsonl.gz"
    corpus.write_config()
    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    found = {(i.file, i.line, i.rule, i.record) for i in caught.value.report.errors}
    assert ("a.jsonl.gz", 2, "id", None) in found
    assert ("a.jsonl.gz", 3, "json-syntax", None) in found
    assert ("a.jsonl.gz", 4, "text", ids[1]) in found
    assert ("a.jsonl.gz", 6, "unique-id", ids[0]) in found
    assert not (tmp_path / "out").exists()

    # Quarantine: the unusable lines and the articles they name are set aside.
    result = build(corpus.root, tmp_path / "out", quarantine=True)
    assert result.stats.stages["accepted"] == 1  # ids[2]; ids[0] is ambiguous, ids[1] has no text
    rejects = [
        json.loads(line)
        for line in (tmp_path / "out" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {(r["kind"], r.get("line")) for r in rejects} >= {
        ("article-line", 2),
        ("article-line", 3),
        ("article-line", 6),
    }
    assert {r["id"] for r in rejects if r["kind"] == "article"} == {ids[0], ids[1]}
    assert {r["file"] for r in rejects if r["id"] == ids[1]} == {"a.jsonl.gz"}
    # ids[0] is rejected unread (its second copy was): named by its shard and line, not a file.
    assert [
        (r["file"], r["line"]) for r in rejects if r["id"] == ids[0] and r["kind"] == "article"
    ] == [("a.jsonl.gz", 1)]


def test_case_collisions_in_a_shard_name_the_shard_and_row(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c", n=3)
    shutil.rmtree(corpus.articles)
    ids = corpus.ids
    upper = ids[2].upper()
    assert upper != ids[2]
    texts = [corpus.texts[i] for i in ids]
    pq.write_table(
        pa.table({"id": [*ids, upper], "text": [*texts, texts[2]]}), corpus.root / "a.parquet"
    )
    corpus.config["inputs"]["articles"] = "a.parquet"
    corpus.write_config()
    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    collisions = {
        (i.file, i.line, i.record) for i in caught.value.report.errors if i.rule == "unique-id"
    }
    assert collisions == {("a.parquet", 3, ids[2]), ("a.parquet", 4, upper)}

    result = build(corpus.root, tmp_path / "out", quarantine=True)
    assert result.stats.stages["accepted"] == 2
    rejects = [
        json.loads(line)
        for line in (tmp_path / "out" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert sorted((r["id"], r["file"], r["line"]) for r in rejects) == sorted(
        [(ids[2], "a.parquet", 3), (upper, "a.parquet", 4)]
    )


def test_a_corrupt_gzip_shard_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c", n=2)
    shutil.rmtree(corpus.articles)
    data = gzip.compress(
        b"".join(json.dumps({"id": a, "text": t}).encode() + b"\n" for a, t in corpus.texts.items())
    )
    (corpus.root / "a.jsonl.gz").write_bytes(data[: len(data) // 2])
    corpus.config["inputs"]["articles"] = "a.jsonl.gz"
    corpus.write_config()
    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    rules = {(i.file, i.rule) for i in caught.value.report.errors}
    assert ("a.jsonl.gz", "compression") in rules


def test_parquet_errors_name_row_group_and_row_and_missing_shards_are_errors(
    tmp_path: Path,
) -> None:
    corpus = make_corpus(tmp_path / "c", n=4)
    shutil.rmtree(corpus.articles)
    ids = corpus.ids
    table = pa.table(
        {
            "id": [ids[0], ids[1], None, ids[3]],
            "text": [corpus.texts[i] for i in ids],
        }
    )
    pq.write_table(table, corpus.root / "a.parquet", row_group_size=2)
    corpus.config["inputs"]["articles"] = {"files": ["a.parquet", "more/*.parquet"]}
    corpus.write_config()
    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    errors = caught.value.report.errors
    bad_id = [i for i in errors if i.rule == "id"]
    assert [(i.file, i.line) for i in bad_id] == [("a.parquet", 3)]
    assert bad_id[0].message.startswith("row group 1, row 1: ")
    assert any(i.rule == "missing-file" and i.file == "more/*.parquet" for i in errors)


@pytest.mark.parametrize("articles", ["*.jsonl", {"files": ["**/*.jsonl"]}])
def test_a_shard_pattern_matching_the_sources_or_annotations_is_an_error_naming_them(
    seeds_copy: Path, tmp_path: Path, articles: Any
) -> None:
    """``articles: "*.jsonl"`` beside sources.jsonl and annotations.jsonl read both as
    article shards: a record 'id' missing on every line of them, then "source record
    for X, but there is no article X.txt", nothing saying the pattern was too wide."""
    shard = seeds_copy / "articles.jsonl"
    shard.write_text(
        "".join(json.dumps({"id": a, "text": t}) + "\n" for a, t in _seed_texts(seeds_copy)),
        encoding="utf-8",
    )
    shutil.rmtree(seeds_copy / "articles")
    _set_articles(seeds_copy, articles)

    with pytest.raises(DataError) as caught:
        build(seeds_copy, tmp_path / "out")
    errors = caught.value.report.errors
    overlaps = {i.file: i.message for i in errors if i.rule == "shard-is-input"}
    assert set(overlaps) == {"sources.jsonl", "annotations.jsonl"}, errors
    assert "inputs.sources" in overlaps["sources.jsonl"]
    assert "inputs.annotations" in overlaps["annotations.jsonl"]
    # they are not read as shards: no record of theirs is reported
    assert all(i.rule == "shard-is-input" for i in errors if i.file != "articles.jsonl"), errors


def test_a_text_or_id_of_another_json_type_is_named_by_its_json_type(tmp_path: Path) -> None:
    """A JSON Lines user wrote a number, an array or an object: the message said
    "is a int", "a list", "a dict" (Python's names)."""
    corpus = make_corpus(tmp_path / "c", n=1)
    shutil.rmtree(corpus.articles)
    lines = [
        {"id": "a1", "text": 42},
        {"id": "a2", "text": ["one", "two"]},
        {"id": "a3", "text": {"body": "x"}},
        {"id": "a4", "text": True},
        {"id": 5, "text": "x"},
    ]
    (corpus.root / "a.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    corpus.config["inputs"]["articles"] = "a.jsonl"
    corpus.write_config()
    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    said = {i.line: i.message for i in caught.value.report.errors if i.file == "a.jsonl"}
    assert said == {
        1: "the text field 'text' is a number, not a string",
        2: "the text field 'text' is an array, not a string",
        3: "the text field 'text' is an object, not a string",
        4: "the text field 'text' is a boolean, not a string",
        5: "the id field 'id' is a number, not a string",
    }


@pytest.mark.parametrize(
    ("articles", "expected"),
    [
        (None, "there is no article ghost.txt in articles/"),
        (
            {"files": "shards/*.jsonl", "id": "doc_id"},
            "there is no article 'ghost' in shards/*.jsonl: no record in them has doc_id = 'ghost'",
        ),
        ({"files": "pages/*.html"}, "no HTML file is named so"),
        ({"files": "crawl/*.warc.gz"}, "no WARC record's id gives it"),
    ],
    ids=["folder", "jsonl", "html", "warc"],
)
def test_a_side_record_of_no_article_is_told_in_the_terms_of_the_article_input(
    tmp_path: Path, articles: dict | None, expected: str
) -> None:
    """A source or annotation record whose article id is in no input said "there is no
    article ghost.txt" in shard builds too, where articles are no files."""
    corpus = make_corpus(tmp_path / "c", n=2)
    if articles is not None:
        shards = corpus.root / "shards"
        shards.mkdir()
        lines = [json.dumps({"doc_id": a, "text": t}) for a, t in corpus.texts.items()]
        (shards / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        shutil.rmtree(corpus.articles)
        corpus.config["inputs"]["articles"] = {"files": "shards/*.jsonl", "id": "doc_id"}
        corpus.write_config()
    sources = corpus.root / "sources.jsonl"
    ghost = json.loads(sources.read_text(encoding="utf-8").splitlines()[0])
    ghost["article_id"] = "ghost"
    sources.write_text(sources.read_text(encoding="utf-8") + json.dumps(ghost) + "\n")
    if articles is None or "id" in articles:
        with pytest.raises(DataError) as caught:
            build(corpus.root, tmp_path / "out")
        (issue,) = [i for i in caught.value.report.errors if i.rule == "unknown-article"]
        assert issue.record == "ghost" and issue.file == "sources.jsonl"
        assert expected in issue.message
        assert ".txt" not in issue.message or articles is None
    else:
        from builder.article_inputs import parse_article_input

        message = parse_article_input(articles, tmp_path).no_article("ghost")
        assert expected in message and ".txt" not in message


@pytest.mark.parametrize("kind", ["jsonl", "jsonl-slash", "parquet", "html"])
def test_a_shard_id_that_is_no_article_id_is_one_error_where_the_id_is(
    tmp_path: Path, kind: str
) -> None:
    """A shard record whose id cannot be an article id (``bad id``, a page file named
    ``Breaking News.html``) gave two errors, neither where the id is: the article's at
    ``/id`` with no line (the id column was ``doc_id``), and, for a page, its made-up
    source record's at ``/article_id``. Now one error at the record: its line and id
    field, or the page's file name."""
    corpus = make_corpus(tmp_path / "c", n=2)
    texts = list(corpus.texts.items())
    shutil.rmtree(corpus.articles)
    rows = [("bad id", texts[0][1]), texts[1]]
    if kind.startswith("jsonl"):
        # an id field named with a slash is pointed at as one key (RFC 6901: ~1)
        field, pointer = ("doc/id", "/doc~1id") if kind == "jsonl-slash" else ("doc_id", "/doc_id")
        lines = [json.dumps({field: a, "text": t}) for a, t in rows]
        (corpus.root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        corpus.config["inputs"]["articles"] = {"files": "a.jsonl", "id": field}
        where = ("a.jsonl", 1, pointer)
    elif kind == "parquet":
        table = pa.table({"doc_id": [a for a, _ in rows], "text": [t for _, t in rows]})
        pq.write_table(table, corpus.root / "a.parquet")
        corpus.config["inputs"]["articles"] = {"files": "a.parquet", "id": "doc_id"}
        where = ("a.parquet", 1, "")
    else:
        (corpus.root / "pages").mkdir()
        for aid, text in rows:
            body = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
            page = (
                f"<html><head><title>t</title></head><body><article>{body}</article></body></html>"
            )
            (corpus.root / "pages" / f"{aid}.html").write_text(page, encoding="utf-8")
        source = json.loads((corpus.root / "sources.jsonl").read_text().splitlines()[0])
        corpus.config["inputs"]["articles"] = {
            "files": "pages/*.html",
            "source_defaults": {k: source[k] for k in ("publisher", "language", "rights")},
        }
        (corpus.root / "sources.jsonl").unlink()
        where = ("pages/bad id.html", 1, "")
    if kind != "html":
        sources = corpus.root / "sources.jsonl"
        first = json.loads(sources.read_text().splitlines()[0])
        first["article_id"] = "bad-id-source"  # not the shard's: only the shard's error
        sources.write_text(
            "\n".join([json.dumps(first), *sources.read_text().splitlines()[1:]]) + "\n"
        )
    corpus.config["inputs"]["annotations"] = []
    corpus.write_config()

    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    errors = [i for i in caught.value.report.errors if i.record == "bad id"]
    assert len(errors) == 1, errors
    (error,) = errors
    assert (error.file, error.line, error.pointer) == where
    assert "not allowed here" in error.message
    assert ("rename the file" in error.message) == (kind == "html")


@pytest.mark.parametrize("quarantine", [False, True])
def test_a_shard_article_whose_source_record_is_rejected_is_no_internal_error(
    tmp_path: Path, quarantine: bool
) -> None:
    """An article of a shard whose source record was rejected (a date that is no date)
    is rejected with no issue of its own (the source's error says why): the batch then
    named its place by its first issue, and there was none: IndexError, exit 3, for
    ``builder validate`` and ``builder build`` of any shard build (WARC pages whose
    WARC-Date is no date too)."""
    corpus = _corpus_in_one_shard(tmp_path / "c", n=2)
    sources = corpus.root / "sources.jsonl"
    records = [json.loads(line) for line in sources.read_text().splitlines()]
    records[0]["captured"] = {"earliest": "2024-13-45", "latest": None, "note": None}
    sources.write_text("".join(json.dumps(r) + "\n" for r in records))

    if not quarantine:
        with pytest.raises(DataError) as caught:
            build(corpus.root, tmp_path / "out")
        (error,) = caught.value.report.errors
        assert (error.file, error.pointer) == ("sources.jsonl", "/captured/earliest")
        return
    build(corpus.root, tmp_path / "out", quarantine=True)
    rejects = [json.loads(x) for x in (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()]
    articles = [(r["id"], r["file"]) for r in rejects if r["kind"] == "article"]
    assert articles == [(records[0]["article_id"], "a.jsonl")]


def test_a_source_column_is_checked_where_it_is_and_holds_its_rows_article(
    tmp_path: Path,
) -> None:
    """A source column's errors pointed at ``/captured/earliest``, not at
    ``/provenance/captured/earliest`` in the line; and an ``article_id`` of its own
    made the record another article's, silently: the row's article then had "no
    source record" in a sources.jsonl the build does not read."""
    corpus = make_corpus(tmp_path / "c", n=2)
    records = [json.loads(x) for x in (corpus.root / "sources.jsonl").read_text().splitlines()]
    (corpus.root / "sources.jsonl").unlink()
    records[0]["captured"] = {"earliest": "2024-13-45", "latest": None, "note": None}
    records[1]["article_id"] = "someone-else"
    lines = [
        json.dumps({"id": a, "text": t, "provenance": s})
        for (a, t), s in zip(corpus.texts.items(), records, strict=True)
    ]
    (corpus.root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(corpus.articles)
    corpus.config["inputs"]["articles"] = {"files": "a.jsonl", "source": "provenance"}
    corpus.config["inputs"].pop("sources", None)
    corpus.write_config()

    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    found = sorted((i.line or 0, i.pointer, i.rule) for i in caught.value.report.errors)
    assert found == [
        (1, "/provenance/captured/earliest", "format"),
        (2, "/provenance/article_id", "source-id"),
    ]


def test_an_article_of_a_shard_without_a_source_record_is_named_by_its_id(
    tmp_path: Path,
) -> None:
    """ "article a.jsonl has no source record" named the whole shard as the article."""
    corpus = _corpus_in_one_shard(tmp_path / "c", n=2)
    sources = corpus.root / "sources.jsonl"
    sources.write_text(sources.read_text().splitlines()[0] + "\n")
    missing = list(corpus.texts)[1]

    with pytest.raises(DataError) as caught:
        build(corpus.root, tmp_path / "out")
    (error,) = caught.value.report.errors
    assert error.rule == "missing-source"
    assert error.message == f"article {missing!r} of a.jsonl has no source record"


def test_shard_field_names_with_a_slash_are_pointed_at_as_one_key(tmp_path: Path) -> None:
    """``id: doc/id``, ``source: prov/x``: pointers escape them (RFC 6901), not two levels."""
    from builder.article_inputs import parse_article_input
    from builder.shard_readers import _from_mapping

    spec = parse_article_input({"files": "a.jsonl", "id": "doc/id", "source": "prov/x"}, tmp_path)
    missing_id = _from_mapping(spec, 1, {"text": "x"}, "a.jsonl")
    assert [i.pointer for i in missing_id.issues] == ["/doc~1id"]
    bad_source = _from_mapping(spec, 2, {"doc/id": "a", "text": "x", "prov/x": 5}, "a.jsonl")
    assert [i.pointer for i in bad_source.issues] == ["/prov~1x"]
