"""Annotations from annotation tools: Label Studio and doccano exports, read as native records.

Offsets are code points in the native format. Label Studio (older releases) and
doccano count UTF-16 units in the browser; an emoji and a character outside the
Basic Multilingual Plane before a span show whether they are converted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from builder.annotations import READERS, read_annotations
from builder.annotations.common import OffsetConverter, OffsetError
from builder.annotations.export_files import iter_tasks

# 😀 (U+1F600) and 𝔸 (U+1D538) are outside the BMP: two UTF-16 units each.
TEXT = "😀 Crowds 𝔸 cheered as Maria Lopez said “we will rebuild” on Monday.\n"
NAME = "Maria Lopez"
QUOTE = "“we will rebuild”"


def _cp(s: str) -> tuple[int, int]:
    start = TEXT.index(s)
    return start, start + len(s)


def _utf16(s: str) -> tuple[int, int]:
    start, end = _cp(s)
    units = lambda i: len(TEXT[:i].encode("utf-16-le")) // 2  # noqa: E731
    return units(start), units(end)


def _ls_task(
    offsets: Any, *, annotations: list[dict[str, Any]] | None = None, **data: Any
) -> dict[str, Any]:
    (ns, ne), (qs, qe) = offsets(NAME), offsets(QUOTE)
    result = [
        {
            "id": "r1",
            "type": "labels",
            "from_name": "label",
            "to_name": "text",
            "value": {"start": ns, "end": ne, "text": NAME, "labels": ["PERSON"]},
        },
        {
            "id": "r2",
            "type": "labels",
            "from_name": "label",
            "to_name": "text",
            "value": {"start": qs, "end": qe, "text": QUOTE, "labels": ["Quote"]},
        },
        {"type": "relation", "from_id": "r2", "to_id": "r1", "direction": "right"},
        {
            "id": "c1",
            "type": "choices",
            "from_name": "genre",
            "to_name": "text",
            "value": {"choices": ["news_report"]},
        },
    ]
    return {
        "id": 7,
        "data": {"text": TEXT, "article_id": "a1", **data},
        "annotations": annotations
        if annotations is not None
        else [{"id": 70, "completed_by": 3, "result": result}],
    }


def _write(path: Path, content: Any, *, jsonl: bool = False) -> Path:
    if jsonl:
        path.write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in content), encoding="utf-8"
        )
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def _only(path: Path, fmt: str) -> tuple[dict[str, Any] | None, list]:
    ((_line, record, issues),) = list(read_annotations(path, fmt))
    return record, issues


def _check_spans(record: dict[str, Any]) -> None:
    (entity,) = record["entities"]
    (quote,) = record["quotes"]
    assert (entity["start"], entity["end"]) == _cp(NAME) and TEXT[
        entity["start"] : entity["end"]
    ] == NAME
    assert (quote["start"], quote["end"]) == _cp(QUOTE)
    assert quote["speaker"] == entity["id"]
    assert entity["label"] == "PERSON"
    # Every span carries its quote selector, for re-anchoring later.
    assert (
        entity["prefix"] == TEXT[: entity["start"]][-32:]
        and entity["suffix"] == TEXT[entity["end"] :][:32]
    )


def test_readers_are_registered() -> None:
    assert {"native", "label-studio", "doccano"} <= set(READERS)


@pytest.mark.parametrize("offsets", [_cp, _utf16], ids=["code-points", "utf-16"])
def test_label_studio_spans_relations_and_choices(tmp_path: Path, offsets: Any) -> None:
    record, issues = _only(_write(tmp_path / "export.json", [_ls_task(offsets)]), "label-studio")
    assert issues == [] and record is not None
    _check_spans(record)
    assert record["article_id"] == "a1"
    assert record["labels"] == {"genre": "news_report"}
    assert record["annotator"]["kind"] == "human" and "3" in record["annotator"]["name"]


def test_label_studio_offsets_that_match_neither_way_name_file_task_and_result(
    tmp_path: Path,
) -> None:
    task = _ls_task(_cp)
    task["annotations"][0]["result"][0]["value"]["start"] += 1
    record, issues = _only(_write(tmp_path / "export.json", [task]), "label-studio")
    assert record is None
    (issue,) = issues
    assert issue.file == "export.json" and issue.line == 1 and issue.record == "a1"
    assert issue.pointer == "/annotations/0/result/0"
    assert "task 1 (id 7), annotation 70, result r1" in issue.message


def test_label_studio_picks_one_annotation_and_says_so(tmp_path: Path) -> None:
    good = _ls_task(_cp)["annotations"][0]
    annotations = [
        {**good, "id": 1, "was_cancelled": True},
        {**good, "id": 2, "ground_truth": True, "updated_at": "2024-01-01T00:00:00Z"},
        {"id": 3, "result": [], "updated_at": "2024-06-01T00:00:00Z"},
    ]
    record, issues = _only(
        _write(tmp_path / "e.json", [_ls_task(_cp, annotations=annotations)]), "label-studio"
    )
    assert record is not None and len(record["entities"]) == 1  # the ground truth, not the latest
    assert [i.severity for i in issues] == ["warning"] and "annotation 2" in issues[0].message


def test_label_studio_json_min_and_missing_article_id(tmp_path: Path) -> None:
    start, end = _cp(NAME)
    flat = {
        "id": 1,
        "text": TEXT,
        "article_id": "a1",
        "label": [{"start": start, "end": end, "text": NAME, "labels": ["PERSON"]}],
    }
    record, issues = _only(_write(tmp_path / "min.json", [flat]), "label-studio")
    assert issues == [] and record is not None and record["entities"][0]["text"] == NAME
    no_id = _ls_task(_cp)
    del no_id["data"]["article_id"]
    record, issues = _only(_write(tmp_path / "noid.json", [no_id]), "label-studio")
    assert (
        record is None and "data.article_id" in issues[0].message and issues[0].file == "noid.json"
    )


def test_doccano_sequence_labeling_counts_utf16_units(tmp_path: Path) -> None:
    line = {
        "id": 12,
        "article_id": "a1",
        "text": TEXT,
        "label": [[*_utf16(NAME), "PERSON"], [*_utf16(QUOTE), "QUOTE"]],
        "cats": ["genre:analysis", "text_form:cased"],
    }
    record, issues = _only(_write(tmp_path / "d.jsonl", [line], jsonl=True), "doccano")
    assert issues == [] and record is not None
    assert [TEXT[e["start"] : e["end"]] for e in record["entities"]] == [NAME]
    assert [TEXT[q["start"] : q["end"]] for q in record["quotes"]] == [QUOTE]
    assert record["labels"] == {"genre": "analysis", "text_form": "cased"}


def test_doccano_relations_make_speakers(tmp_path: Path) -> None:
    (ns, ne), (qs, qe) = _utf16(NAME), _utf16(QUOTE)
    line = {
        "id": 5,
        "article_id": "a1",
        "text": TEXT,
        "entities": [
            {"id": 31, "label": "PERSON", "start_offset": ns, "end_offset": ne},
            {"id": 32, "label": "QUOTE", "start_offset": qs, "end_offset": qe},
        ],
        "relations": [{"id": 1, "from_id": 32, "to_id": 31, "type": "said_by"}],
        "cats": ["news_report"],
    }
    record, issues = _only(_write(tmp_path / "rel.jsonl", [line], jsonl=True), "doccano")
    assert issues == [] and record is not None
    _check_spans(record)
    assert record["labels"] == {"genre": "news_report"}


def test_doccano_offset_inside_a_character_names_file_line_and_span(tmp_path: Path) -> None:
    line = {"id": 5, "article_id": "a1", "text": TEXT, "label": [[1, 4, "PERSON"]]}  # 1 splits 😀
    record, issues = _only(_write(tmp_path / "bad.jsonl", [line], jsonl=True), "doccano")
    assert record is None
    (issue,) = issues
    assert (issue.file, issue.line, issue.record, issue.pointer) == (
        "bad.jsonl",
        1,
        "a1",
        "/label/0",
    )
    assert "line 1 (id 5), span 1" in issue.message and "inside a character" in issue.message
    record, issues = _only(
        _write(tmp_path / "noid.jsonl", [{"id": 9, "text": TEXT, "label": []}], jsonl=True),
        "doccano",
    )
    assert record is None and "article_id" in issues[0].message


def test_doccano_offsets_unit_comes_from_the_configuration(tmp_path: Path) -> None:
    family = "👨‍👩‍👧"  # one grapheme, five code points, eight UTF-16 units
    text = f"{family} {TEXT}"
    start = text.index(NAME) - 4  # in graphemes: the family's five code points count as one
    line = {"id": 1, "article_id": "a1", "text": text, "label": [[start, start + 11, "PERSON"]]}
    path = _write(tmp_path / "g.jsonl", [line], jsonl=True)
    ((_, record, issues),) = read_annotations(path, "doccano", offsets="graphemes")
    assert issues == [] and record is not None
    assert [text[e["start"] : e["end"]] for e in record["entities"]] == [NAME]
    ((_, wrong, _),) = read_annotations(path, "doccano")  # the default, UTF-16, lands elsewhere
    assert wrong is None or [text[e["start"] : e["end"]] for e in wrong["entities"]] != [NAME]
    with pytest.raises(ValueError, match="doccano files only"):
        read_annotations(path, "native", offsets="graphemes")


def test_grapheme_offsets_convert_too() -> None:
    family = "👨‍👩‍👧"  # one grapheme, five code points, eight UTF-16 units
    text = f"{family} Maria Lopez"
    assert text[OffsetConverter(text, "graphemes").to_code_points(2) :] == "Maria Lopez"
    assert text[OffsetConverter(text, "utf-16").to_code_points(9) :] == "Maria Lopez"
    with pytest.raises(OffsetError):
        OffsetConverter(text, "utf-16").to_code_points(1)


def test_a_json_array_export_is_streamed_task_by_task(tmp_path: Path) -> None:
    tasks = [{"id": i, "data": {"text": "x" * i}} for i in range(300)]
    path = _write(tmp_path / "big.json", tasks)
    assert [t.data for t in iter_tasks(path)] == tasks
    path.write_text(json.dumps(tasks)[:-40], encoding="utf-8")
    last = list(iter_tasks(path))[-1]
    assert last.data is None and last.issues and "invalid JSON" in last.issues[0].message


# -- end to end: the seeds' annotations through each tool's export ------------------------
def _seed_records(seeds: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (seeds / "annotations.jsonl").read_text().splitlines()]


def _to_label_studio(seeds: Path) -> list[dict[str, Any]]:
    tasks = []
    for n, rec in enumerate(_seed_records(seeds), start=1):
        text = (seeds / "articles" / f"{rec['article_id']}.txt").read_text(encoding="utf-8")
        units = lambda i, t=text: len(t[:i].encode("utf-16-le")) // 2  # noqa: E731
        result: list[dict[str, Any]] = []
        for span in rec["entities"] + rec["quotes"]:
            label = span.get("label", "QUOTE")
            result.append(
                {
                    "id": span["id"],
                    "type": "labels",
                    "from_name": "label",
                    "to_name": "text",
                    "value": {
                        "start": units(span["start"]),
                        "end": units(span["end"]),
                        "text": span["text"],
                        "labels": [label],
                    },
                }
            )
            if span.get("speaker"):
                result.append(
                    {
                        "type": "relation",
                        "from_id": span["id"],
                        "to_id": span["speaker"],
                        "direction": "right",
                    }
                )
        for name, value in rec["labels"].items():
            result.append(
                {
                    "id": f"c-{name}",
                    "type": "choices",
                    "from_name": name,
                    "to_name": "text",
                    "value": {"choices": [value]},
                }
            )
        tasks.append(
            {
                "id": n,
                "data": {"text": text, "article_id": rec["article_id"]},
                "annotations": [{"id": 100 + n, "completed_by": 1, "result": result}],
            }
        )
    return tasks


def _to_doccano(seeds: Path) -> list[dict[str, Any]]:
    lines = []
    for rec in _seed_records(seeds):
        text = (seeds / "articles" / f"{rec['article_id']}.txt").read_text(encoding="utf-8")
        units = lambda i, t=text: len(t[:i].encode("utf-16-le")) // 2  # noqa: E731
        ids = {s["id"]: n for n, s in enumerate(rec["entities"] + rec["quotes"], start=1)}
        entities = [
            {
                "id": ids[s["id"]],
                "label": s.get("label", "QUOTE"),
                "start_offset": units(s["start"]),
                "end_offset": units(s["end"]),
            }
            for s in rec["entities"] + rec["quotes"]
        ]
        relations = [
            {"id": n, "from_id": ids[q["id"]], "to_id": ids[q["speaker"]], "type": "speaker"}
            for n, q in enumerate(rec["quotes"])
            if q.get("speaker")
        ]
        cats = [f"{k}:{v}" for k, v in rec["labels"].items()]
        lines.append(
            {
                "id": len(lines) + 1,
                "article_id": rec["article_id"],
                "text": text,
                "entities": entities,
                "relations": relations,
                "cats": cats,
            }
        )
    return lines


def _published(build: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in sorted((build / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


def _spans(row: dict[str, Any]) -> list[tuple]:
    return sorted(
        [(e["start"], e["end"], e["text"], e["label"]) for e in row["entities"]]
        + [
            (q["start"], q["end"], q["text"], "QUOTE", q["speaker_id"] is not None)
            for q in row["quotes"]
        ]
    )


@pytest.mark.parametrize(
    ("fmt", "convert", "name"),
    [("label-studio", _to_label_studio, "export.json"), ("doccano", _to_doccano, "export.jsonl")],
)
def test_seed_annotations_imported_from_a_tool_publish_the_same_spans(
    seeds_copy: Path, seed_build: Path, tmp_path: Path, fmt: str, convert: Any, name: str
) -> None:
    from builder.pipeline import build

    _write(seeds_copy / name, convert(seeds_copy), jsonl=name.endswith(".jsonl"))
    (seeds_copy / "annotations.jsonl").unlink()
    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text())
    config["inputs"]["annotations"] = [{"path": name, "format": fmt}]
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    out = tmp_path / "out"
    result = build(seeds_copy, out)
    assert result.ok
    native, imported = _published(seed_build), _published(out)
    assert native.keys() == imported.keys()
    for article_id in native:
        assert _spans(imported[article_id]) == _spans(native[article_id]), article_id
        assert imported[article_id]["genre"] == native[article_id]["genre"]
