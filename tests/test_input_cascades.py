"""One bad input, one root error: an export of another tool, a file none of whose
records can be read, is reported once where it is, not again by every task and
every article that follows from it (and never read as an export with no spans)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    doccano_sequence_labeling,
    label_studio_json,
    label_studio_json_min,
    seed_records,
    use_annotations,
    write_export,
)

from builder.errors import DataError
from builder.pipeline import build
from builder.validate.report import Issue


def _build_issues(seeds: Path, out: Path) -> list[Issue]:
    with pytest.raises(DataError) as failed:
        build(seeds, out)
    assert not out.exists()
    return list(failed.value.report.issues)


def _errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


#: (export written as, its content, its JSON Lines layout)
SHAPES: dict[str, tuple[Callable[[Path], list[dict[str, Any]]], bool]] = {
    "doccano": (doccano_sequence_labeling, True),
    "label-studio": (label_studio_json, False),
    "label-studio-min": (label_studio_json_min, False),
    "native": (seed_records, True),
}


@pytest.mark.parametrize(
    ("shape", "given_as"),
    [
        ("doccano", "label-studio"),  # built with no spans at all, exit 0
        ("label-studio", "doccano"),  # one "no article_id" error per task
        ("label-studio-min", "doccano"),
        ("native", "label-studio"),  # one error per span
        ("label-studio", "native"),  # five schema errors per task
        ("doccano", "native"),
    ],
)
def test_an_export_of_another_tool_is_one_error_naming_it(
    seeds_copy: Path, tmp_path: Path, shape: str, given_as: str
) -> None:
    make, jsonl = SHAPES[shape]
    content = make(seeds_copy)
    write_export(seeds_copy / "export.json", content, jsonl=jsonl)
    use_annotations(seeds_copy, {"path": "export.json", "format": given_as})
    issues = _build_issues(seeds_copy, tmp_path / "out")
    (error,) = _errors(issues)
    assert error.file == "export.json" and error.line == 1 and error.rule == "export-format"
    tool = shape.removesuffix("-min")
    assert f"format: {tool}" in error.message, error.message
    # and the articles are not processed to say each has no annotation record
    assert not [i for i in issues if i.rule == "no-annotations"]


def test_a_sources_file_none_of_whose_lines_is_read_is_not_repeated_per_article(
    seeds_copy: Path, tmp_path: Path
) -> None:
    (seeds_copy / "sources.jsonl").write_text("publisher,url\nBBC,https://bbc.co.uk\n")
    issues = _build_issues(seeds_copy, tmp_path / "out")
    assert {i.file for i in _errors(issues)} == {"sources.jsonl"}
    assert not [i for i in issues if i.rule == "missing-source"], issues


def test_an_export_that_is_not_json_is_not_repeated_per_article(
    seeds_copy: Path, tmp_path: Path
) -> None:
    (seeds_copy / "export.jsonl").write_text("text,label\nhello,PERSON\n")
    use_annotations(seeds_copy, {"path": "export.jsonl", "format": "doccano"})
    issues = _build_issues(seeds_copy, tmp_path / "out")
    assert len(_errors(issues)) == 1
    assert not [i for i in issues if i.rule == "no-annotations"], issues


@pytest.mark.parametrize("content", ["", "\n \n\t\n"])
def test_an_empty_sources_file_is_one_error_not_one_per_article(
    seeds_copy: Path, tmp_path: Path, content: str
) -> None:
    (seeds_copy / "sources.jsonl").write_text(content)
    issues = _build_issues(seeds_copy, tmp_path / "out")
    (error,) = _errors(issues)
    assert (error.file, error.rule) == ("sources.jsonl", "empty-file")
    assert "holds no record" in error.message


@pytest.mark.parametrize(("fmt", "content"), [("doccano", ""), ("label-studio", "[]")])
def test_an_empty_export_is_said_once_for_the_file(
    seeds_copy: Path, tmp_path: Path, fmt: str, content: str
) -> None:
    (seeds_copy / "export.json").write_text(content)
    use_annotations(seeds_copy, {"path": "export.json", "format": fmt})
    report = build(seeds_copy, tmp_path / "out").report
    (said,) = [i for i in report.issues if i.rule == "empty-file"]
    assert (said.file, said.severity) == ("export.json", "warning")
    assert "holds no record" in said.message


def _shards(seeds: Path, second: bytes) -> None:
    """The seed articles as two shards, the second's bytes given; the folder removed."""
    import json

    import yaml

    texts = sorted((seeds / "articles").glob("*.txt"))
    lines = [json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) for p in texts]
    (seeds / "shards").mkdir()
    (seeds / "shards" / "a.jsonl").write_text("".join(f"{x}\n" for x in lines[:3]))
    (seeds / "shards" / "b.jsonl.gz").write_bytes(second)
    for path in texts:
        path.unlink()
    (seeds / "articles").rmdir()
    config = yaml.safe_load((seeds / "dataset.yaml").read_text(encoding="utf-8"))
    config["inputs"]["articles"] = {"files": ["shards/*.jsonl", "shards/*.jsonl.gz"]}
    (seeds / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.mark.parametrize("damage", ["cut", "csv"])
def test_an_unreadable_shard_is_not_repeated_by_each_side_record_of_its_articles(
    seeds_copy: Path, tmp_path: Path, damage: str
) -> None:
    """The sources and annotation records of the articles in a shard that cannot be read
    were each an "unknown-article" error (two per article of a shard of millions)."""
    import gzip
    import json

    texts = sorted((seeds_copy / "articles").glob("*.txt"))[3:]
    body = "".join(
        json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) + "\n" for p in texts
    ).encode()
    packed = gzip.compress(body)
    _shards(seeds_copy, packed[: len(packed) // 3] if damage == "cut" else gzip.compress(b"a,b\n"))
    issues = _build_issues(seeds_copy, tmp_path / "out")
    assert {i.file for i in _errors(issues)} == {"shards/b.jsonl.gz"}, _errors(issues)
    unknown = [i for i in issues if i.rule == "unknown-article"]
    assert sorted(i.file for i in unknown) == ["annotations.jsonl", "sources.jsonl"]
    assert all(i.severity == "warning" and "2 " in i.message for i in unknown), unknown


def test_an_undeclared_entity_set_is_one_error_per_record_not_per_span(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """dataset.yaml without labels.entity: one error per record, at its first span, with
    how many more and which labels (557 errors before, one per span of the seeds)."""
    import yaml

    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text(encoding="utf-8"))
    del config["labels"]["entity"]
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    errors = _errors(_build_issues(seeds_copy, tmp_path / "out"))
    assert len(errors) == len(seed_records(seeds_copy)), [str(e) for e in errors][:3]
    first = next(e for e in errors if e.record == "000_1be5c9577093f905")
    assert first.pointer == "/entities/0/label" and "more span(s)" in first.message
    assert "labels.entity in dataset.yaml" in first.message and "'GPE'" in first.message


@pytest.mark.parametrize("shape", ["array", "indented", "csv"])
def test_a_sources_file_that_is_not_json_lines_is_one_error(
    seeds_copy: Path, tmp_path: Path, shape: str
) -> None:
    """A sources file written as a JSON array or as indented objects gave an error per
    line of it (157 for the seeds' five records); a CSV one per row."""
    import json

    path = seeds_copy / "sources.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if shape == "array":
        path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    elif shape == "indented":
        path.write_text("\n".join(json.dumps(r, indent=2) for r in records), encoding="utf-8")
    else:
        path.write_text("".join(f"{r['article_id']},{r['publisher']}\n" for r in records))
    (error,) = _errors(_build_issues(seeds_copy, tmp_path / "out"))
    assert error.file == "sources.jsonl" and error.line == 1
    assert "JSON Lines" in error.message


def test_a_binary_file_given_as_an_export_is_one_error(seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / "export.jsonl").write_bytes(bytes(range(256)) * 40)
    use_annotations(seeds_copy, {"path": "export.jsonl", "format": "doccano"})
    (error,) = _errors(_build_issues(seeds_copy, tmp_path / "out"))
    assert error.line == 1 and "binary" in error.message


def test_a_storage_folder_holding_no_json_file_is_one_error(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """A label-studio path naming a folder of other files (the articles folder, by a
    slip) gave an error per file ("not a JSON file"), thousands for a corpus."""
    use_annotations(seeds_copy, {"path": "articles", "format": "label-studio"})
    (error,) = _errors(_build_issues(seeds_copy, tmp_path / "out"))
    assert error.file == "articles" and "none of its 5 files" in error.message
