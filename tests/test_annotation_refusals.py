"""Exports the importers cannot read fully fail with a located message, never an empty import.

Also: the entry options (label mapping, speaker relations, predictions, label
tables, labeling config) and the smaller shapes (text classification, doccano
1.0 categories, JSON-MIN choice shapes), read directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    SEED_QUOTES,
    STOCK_LABELS,
    Style,
    doccano_label_ids_v1,
    doccano_relation_extraction,
    doccano_sequence_labeling,
    label_config_xml,
    label_studio_json,
    label_studio_json_min,
    published_rows,
    use_annotations,
    write_export,
)

from builder.annotations import read_annotations
from builder.config import load_config
from builder.errors import DataError
from builder.pipeline import build

STOCK = Style(label_names=STOCK_LABELS)
STOCK_MAP = {v: k for k, v in STOCK_LABELS.items()}
# Label Studio's NER template: span control "label", text under data.ner ($ner).
TEMPLATE = Style(
    span_control="label",
    text_key="ner",
    label_names=STOCK_LABELS,
    genre_control="category",
    form_control="form",
)


# -- failing shapes: located errors, never an empty import ---------------------------------
def _read(path: Path, fmt: str, seeds: Path, entry: dict[str, Any] | None = None) -> list[Any]:
    """Read ``path`` with the options a dataset.yaml entry gives (config built from the seeds)."""
    config_dir = path.parent
    if entry is not None:
        use_annotations(config_dir, {"path": path.name, "format": fmt, **entry})
        options = load_config(config_dir).annotation_inputs[0].options
    else:
        options = None
    return [i for _, _, issues in read_annotations(path, fmt, options=options) for i in issues]


def _errors(issues: list[Any]) -> list[Any]:
    return [i for i in issues if i.severity == "error"]


def test_doccano_label_ids_without_the_label_table_are_refused(seeds_copy: Path) -> None:
    lines, _ = doccano_label_ids_v1(seeds_copy)
    path = write_export(seeds_copy / "old.jsonl", lines, jsonl=True)
    errors = _errors(_read(path, "doccano", seeds_copy))
    assert len({i.line for i in errors}) == 5  # every line, none silently empty
    first = errors[0]
    assert first.file == "old.jsonl" and first.line == 1 and first.record == "000_1be5c9577093f905"
    assert first.pointer == "/annotations/0/label" and "label_table" in first.message


def test_doccano_spans_under_an_unknown_key_are_an_error(seeds_copy: Path) -> None:
    lines = doccano_sequence_labeling(seeds_copy)
    for line in lines:
        line["spans"] = line.pop("label")
    path = write_export(seeds_copy / "odd.jsonl", lines, jsonl=True)
    errors = _errors(_read(path, "doccano", seeds_copy))
    assert [(i.line, i.pointer) for i in errors] == [(n, "/spans") for n in range(1, 6)]
    assert "holds spans this importer does not read" in errors[0].message


def test_doccano_mentions_relation_is_not_a_speaker(seeds_copy: Path) -> None:
    lines = doccano_relation_extraction(seeds_copy, Style(relation_label="mentions"))
    path = write_export(seeds_copy / "rel.jsonl", lines, jsonl=True)
    records = list(read_annotations(path, "doccano"))
    assert all(r is not None for _, r, _ in records)
    assert all(q["speaker"] is None for _, r, _ in records for q in r["quotes"])
    warnings = [i for _, _, issues in records for i in issues if i.rule == "relation"]
    assert len(warnings) == 25 and all(i.severity == "warning" for i in warnings)
    assert "'mentions' is not a speaker relation" in warnings[0].message


def test_unmapped_labels_are_located_errors(seeds_copy: Path) -> None:
    tasks = label_studio_json(seeds_copy, STOCK)
    path = write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    partial = {k: v for k, v in STOCK_MAP.items() if k != "Organization"}
    errors = _errors(_read(path, "label-studio", seeds_copy, {"labels": partial}))
    assert errors and all(i.rule == "label-map" for i in errors)
    assert all(
        "'Organization' is not mapped by inputs.annotations[0].labels" in i.message for i in errors
    )
    assert errors[0].file == "ls.json" and errors[0].pointer.startswith("/annotations/0/result/")
    # Without a mapping, the stock labels reach the label-set check (one error per span).
    use_annotations(seeds_copy, {"path": "ls.json", "format": "label-studio"})
    with pytest.raises(DataError) as exc:
        build(seeds_copy, seeds_copy.parent / "out")
    assert {i.rule for i in exc.value.report.issues if i.severity == "error"} == {"label-set"}


def test_label_studio_hardening(seeds_copy: Path) -> None:
    """A 42 in result, an integer data.text, choices as a bare string."""
    tasks = label_studio_json(seeds_copy)
    tasks[0]["annotations"][0]["result"].insert(0, 42)
    tasks[1]["data"]["text"] = 12345
    for r in tasks[2]["annotations"][0]["result"]:
        if r["type"] == "choices":
            r["value"]["choices"] = r["value"]["choices"][0]
    path = write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    records = list(read_annotations(path, "label-studio"))
    (_, r1, i1), (_, r2, i2), (_, r3, _) = records[:3]
    assert r1 is None and "result 0 is not an object (42)" in i1[0].message
    assert i1[0].pointer == "/annotations/0/result/0" and i1[0].record == "000_1be5c9577093f905"
    assert (
        r2 is None
        and "data.text is not a string (int)" in i2[0].message
        and i2[0].pointer == "/data/text"
    )
    assert r3 is not None and r3["labels"] == {"genre": "aggregator_rewrite", "text_form": "cased"}


@pytest.mark.parametrize("bad_type", [7, True, 1e400, ["labels"]])
def test_label_studio_result_type_not_a_string_is_an_error(seeds_copy: Path, bad_type: Any) -> None:
    """A span whose ``type`` is no string is an error, not a result kind passed over unread
    (an unknown type *name* is a warning: Label Studio adds control tags)."""
    tasks = label_studio_json(seeds_copy)
    results = tasks[1]["annotations"][0]["result"]
    at = next(j for j, r in enumerate(results) if r["type"] == "labels")
    results[at]["type"] = bad_type
    results[at + 1]["type"] = "paragraphs_summary"
    path = write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    issues = [i for i in _read(path, "label-studio", seeds_copy) if i.line == 2]
    errors = _errors(issues)
    assert len(errors) == 1 and "result type must be a string" in errors[0].message
    assert errors[0].pointer == f"/annotations/0/result/{at}"
    assert [i.severity for i in issues if "'paragraphs_summary' is not read" in i.message] == [
        "warning"
    ]


def test_label_studio_unreadable_spans_are_errors(seeds_copy: Path) -> None:
    # JSON: a region type whose offsets are not text positions.
    tasks = label_studio_json(seeds_copy)
    for r in tasks[0]["annotations"][0]["result"]:
        if r["type"] == "labels":
            r["type"] = "hypertextlabels"
    path = write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    errors = _errors(_read(path, "label-studio", seeds_copy))
    assert (
        errors
        and {i.line for i in errors} == {1}
        and "hypertextlabels regions" in errors[0].message
    )
    # JSON-MIN: spans whose labels are under a key the importer does not know.
    flat = label_studio_json_min(seeds_copy)
    for record in flat:
        for span in record["label"]:
            span["ner_tags"] = span.pop("labels")
    path = write_export(seeds_copy / "min.json", flat, jsonl=False)
    errors = _errors(_read(path, "label-studio", seeds_copy))
    assert {i.line for i in errors} == {1, 2, 3, 4, 5}
    assert "a span needs exactly one label" in errors[0].message and errors[0].pointer == "/label/0"


def test_predictions_are_read_only_when_asked(seeds_copy: Path) -> None:
    tasks = label_studio_json(seeds_copy, as_predictions=True)
    path = write_export(seeds_copy / "pre.json", tasks, jsonl=False)
    errors = _errors(_read(path, "label-studio", seeds_copy))
    assert (
        len(errors) == 5
        and "read only with inputs.annotations[].predictions: true" in errors[0].message
    )
    records = list(
        read_annotations(path, "label-studio", options=_options(seeds_copy, predictions=True))
    )
    annotator = records[0][1]["annotator"]
    assert annotator["kind"] == "model" and "ner-gazetteer-v1" in annotator["name"]


def test_label_studio_relation_labels_come_from_configuration(seeds_copy: Path) -> None:
    tasks = label_studio_json(seeds_copy)
    # A second relation, "mentions", from a quote to another entity: never a speaker.
    result = tasks[3]["annotations"][0]["result"]
    quote = next(r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["QUOTE"])
    entity = next(r for r in result if r["type"] == "labels" and r["value"]["labels"] != ["QUOTE"])
    result.append(
        {
            "from_id": quote["id"],
            "to_id": entity["id"],
            "type": "relation",
            "direction": "right",
            "labels": ["mentions"],
        }
    )
    path = write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    records = list(read_annotations(path, "label-studio"))
    assert all(r is not None for _, r, _ in records)
    warnings = [i for _, _, issues in records for i in issues if i.rule == "relation"]
    assert len(warnings) == 1 and "['mentions'] is not a speaker relation" in warnings[0].message
    # With speaker_relations naming another label, said_by is no longer a speaker.
    opts = _options(seeds_copy, speaker_relations=["attributed_to"])
    records = list(read_annotations(path, "label-studio", options=opts))
    assert all(q["speaker"] is None for _, r, _ in records for q in r["quotes"])


def _options(seeds: Path, **entry: Any) -> Any:
    use_annotations(seeds, {"path": "x.json", "format": "label-studio", **entry})
    return load_config(seeds).annotation_inputs[0].options


def test_label_config_gives_control_names_and_text_key(tmp_path: Path) -> None:
    from builder.annotations.lsconfig import read_label_config

    path = tmp_path / "c.xml"
    path.write_text(label_config_xml(TEMPLATE), encoding="utf-8")
    parsed = read_label_config(path)
    assert parsed.text_key == "ner"
    assert parsed.controls == {"label": "labels", "category": "choices", "form": "choices"}
    path.write_text("<View><Labels", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable labeling config"):
        read_label_config(path)


def test_config_refuses_options_of_another_format(seeds_copy: Path) -> None:
    for entry, key in [
        ({"format": "doccano", "text_key": "content"}, "text_key"),
        ({"format": "label-studio", "label_table": {"1": "PERSON"}}, "label_table"),
        ({"format": "native", "predictions": True}, "predictions"),
    ]:
        use_annotations(seeds_copy, {"path": "a.json", **entry})
        with pytest.raises(DataError) as exc:
            load_config(seeds_copy)
        (issue,) = exc.value.report.issues
        assert issue.pointer == f"/inputs/annotations/0/{key}" and "files only" in issue.message


# -- smaller shapes, read directly -----------------------------------------------------------
def _one(path: Path, fmt: str, options: Any = None) -> tuple[Any, list[Any]]:
    ((_, record, issues),) = list(read_annotations(path, fmt, options=options))
    return record, issues


def test_doccano_text_classification_and_1_0_categories(seeds_copy: Path) -> None:
    text = "Iran launched drones at Israel."
    options = _options(seeds_copy)  # the seeds' label sets: genre and text_form declared
    path = write_export(
        seeds_copy / "tc.jsonl",
        [
            {
                "id": 1,
                "text": text,
                "article_id": "a1",
                "label": ["analysis", "cased"],
                "Comments": [],
            }
        ],
        jsonl=True,
    )
    record, issues = _one(path, "doccano", options)
    assert issues == [] and record["labels"] == {"genre": "analysis", "text_form": "cased"}
    old = {
        "id": 2591,
        "text": text,
        "annotations": [{"label": 15, "user": 1}, {"label": 15, "user": 2}],
        "meta": {"article_id": "a1"},
        "annotation_approver": None,
    }
    path = write_export(seeds_copy / "old.jsonl", [old], jsonl=True)
    use_annotations(
        seeds_copy, {"path": "old.jsonl", "format": "doccano", "label_table": {15: "news_report"}}
    )
    record, issues = _one(path, "doccano", load_config(seeds_copy).annotation_inputs[0].options)
    assert record["labels"] == {"genre": "news_report"}
    assert [i.severity for i in issues] == ["warning"] and "2 users" in issues[0].message
    # A category in no declared set, and two genres for one article: located errors.
    path = write_export(
        seeds_copy / "bad.jsonl",
        [
            {
                "id": 3,
                "text": text,
                "article_id": "a1",
                "cats": ["poetry", "analysis", "news_report"],
            }
        ],
        jsonl=True,
    )
    record, issues = _one(path, "doccano", options)
    assert record is None and [i.pointer for i in issues] == ["/cats/0", "/cats/2"]
    assert "'poetry', which is in no declared document label set" in issues[0].message
    assert "a second genre" in issues[1].message


def test_label_studio_json_min_choice_shapes_and_shared_regions(seeds_copy: Path) -> None:
    text = "Iran launched drones at Israel."
    span = {"start": 0, "end": 4, "text": "Iran", "labels": ["GPE"]}
    flat = [
        {"id": 1, "text": text, "article_id": "a1", "label": [span], "genre": ["analysis"]},
        {
            "id": 2,
            "text": text,
            "article_id": "a2",
            "label": [span],
            "category": {"choices": ["analysis", "cased"]},
        },
    ]
    path = write_export(seeds_copy / "min.json", flat, jsonl=False)
    opts = _options(seeds_copy, choices={"category": "genre"})
    records = list(read_annotations(path, "label-studio", options=opts))
    assert records[0][1]["labels"] == {"genre": "analysis"}
    # Two choices in a control whose set holds one label per article: refused, located.
    assert records[1][1] is None and records[1][2][0].pointer == "/category"
    assert "a second genre ('cased' after 'analysis')" in records[1][2][0].message
    # JSON: one region labelled by two controls gives two results with one id; both are kept.
    task = {
        "id": 9,
        "data": {"text": text, "article_id": "a1"},
        "annotations": [
            {
                "id": 1,
                "result": [
                    {
                        "id": "r1",
                        "type": "labels",
                        "from_name": "label",
                        "to_name": "text",
                        "value": span,
                    },
                    {
                        "id": "r1",
                        "type": "labels",
                        "from_name": "topic",
                        "to_name": "text",
                        "value": {**span, "labels": ["LOC"]},
                    },
                ],
            }
        ],
    }
    path = write_export(seeds_copy / "two.json", [task], jsonl=False)
    record, issues = _one(path, "label-studio")
    assert issues == [] and sorted(e["label"] for e in record["entities"]) == ["GPE", "LOC"]


def test_doccano_keys_of_the_wrong_type_and_label_ids_in_triples(seeds_copy: Path) -> None:
    text = "Iran launched drones at Israel."
    path = write_export(
        seeds_copy / "bad.jsonl",
        [{"id": 1, "text": text, "article_id": "a1", "entities": {"0": [0, 4, "GPE"]}}],
        jsonl=True,
    )
    record, issues = _one(path, "doccano")
    assert (
        record is None
        and issues[0].pointer == "/entities"
        and "not a list (dict)" in issues[0].message
    )
    path = write_export(
        seeds_copy / "ids.jsonl",
        [{"id": 1, "text": text, "article_id": "a1", "label": [[0, 4, 12]]}],
        jsonl=True,
    )
    record, issues = _one(path, "doccano")
    assert record is None and issues[0].rule == "label-table" and issues[0].pointer == "/label/0"
    use_annotations(
        seeds_copy, {"path": "ids.jsonl", "format": "doccano", "label_table": {12: "GPE"}}
    )
    record, issues = _one(path, "doccano", load_config(seeds_copy).annotation_inputs[0].options)
    assert issues == [] and [(e["text"], e["label"]) for e in record["entities"]] == [
        ("Iran", "GPE")
    ]


def test_quotes_only_dataset_declares_no_label_set(seeds_copy: Path, tmp_path: Path) -> None:
    """labels: {} — no entity, genre or text_form set; quotes only; loads with datasets."""
    import datasets
    import yaml

    lines = doccano_sequence_labeling(seeds_copy)
    for line in lines:
        line["label"] = [x for x in line["label"] if x[2] == "QUOTE"]
    write_export(seeds_copy / "export.jsonl", lines, jsonl=True)
    use_annotations(seeds_copy, {"path": "export.jsonl", "format": "doccano"})
    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text())
    config["labels"] = {}
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    result = build(seeds_copy, tmp_path / "out")
    assert result.ok
    rows = published_rows(tmp_path / "out")
    assert sum(len(r["quotes"]) for r in rows.values()) == SEED_QUOTES
    assert all(r["entities"] == [] and r["genre"] is None for r in rows.values())
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "No entity label set is declared" in card and "No genre label set is declared" in card
    loaded = datasets.load_dataset(
        "parquet", data_files=str(tmp_path / "out" / "data" / "*.parquet")
    )
    assert loaded["train"].num_rows >= 1
    # An entity span in a dataset that declares no entity set is an error, named as such.
    line = {"id": 1, "text": "Iran said no.", "article_id": "a1", "label": [[0, 4, "GPE"]]}
    path = write_export(seeds_copy / "one.jsonl", [line], jsonl=True)
    from builder.validate.checks import check_annotation

    ((_, record, _),) = list(read_annotations(path, "doccano"))
    issues = check_annotation(
        record, line["text"], {"entity": [], "genre": [], "text_form": []}, file="one.jsonl", line=1
    )
    assert [i.rule for i in issues] == ["label-set"]


def test_native_records_whose_spans_cannot_be_read_fail_the_build(
    seeds_copy: Path, tmp_path: Path
) -> None:
    lines = (seeds_copy / "annotations.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["spans"] = first.pop("entities")  # a key the native schema does not know
    lines[0] = json.dumps(first)
    (seeds_copy / "annotations.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        build(seeds_copy, tmp_path / "out")
    errors = [i for i in exc.value.report.issues if i.severity == "error"]
    assert errors and all(i.file == "annotations.jsonl" and i.line == 1 for i in errors)
    assert not (tmp_path / "out").exists()


def test_label_mapping_applies_to_readers_that_do_not_take_options(
    seeds_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import annotations

    record = json.loads((seeds_copy / "annotations.jsonl").read_text().splitlines()[0])
    record["entities"][0]["label"] = "Organization"
    record["entities"][1]["label"] = "Nation"
    path = write_export(seeds_copy / "n.jsonl", [record], jsonl=True)
    use_annotations(
        seeds_copy,
        {"path": "n.jsonl", "labels": {"Organization": "ORG"}, "speaker_relations": ["x"]},
    )
    options = load_config(seeds_copy).annotation_inputs[0].options
    ((_, mapped, issues),) = list(read_annotations(path, "native", options=options))
    assert mapped["entities"][0]["label"] == "ORG"
    (issue,) = issues
    assert (issue.rule, issue.pointer, issue.line) == ("label-map", "/entities/1/label", 1)
    # A reader taking speaker_relations (the brat reader) is given the entry's.
    seen: dict[str, Any] = {}

    def reader(p: Path, *, speaker_relations: Any = None) -> Any:
        seen["speaker_relations"] = speaker_relations
        return iter(())

    monkeypatch.setitem(annotations.READERS, "fake", reader)
    list(read_annotations(path, "fake", options=options))
    assert seen == {"speaker_relations": frozenset({"x"})}


def _build_errors(root: Path, tmp: Path) -> list[Any]:
    with pytest.raises(DataError) as caught:
        build(root, tmp / "out")
    return caught.value.report.errors


@pytest.mark.parametrize("where", ["data", "data.meta", "task meta"])
def test_label_studio_errors_point_into_the_task_not_the_converted_record(
    seeds_copy: Path, tmp_path: Path, where: str
) -> None:
    """A schema error on a task's article id pointed at ``/article_id`` (the record the
    importer made) where the task holds it at ``/data/article_id``; a span whose text is
    not at its offsets pointed at ``/entities/0/text``. Every pointer now locates the
    value in the export the user has."""
    tasks = label_studio_json(seeds_copy)
    data = tasks[0]["data"]
    data.pop("article_id", None)
    if where == "data":
        data["article_id"], pointer = "bad id", "/data/article_id"
    elif where == "data.meta":
        data["meta"], pointer = {"article_id": "bad id"}, "/data/meta/article_id"
    else:
        tasks[0]["meta"], pointer = {"article_id": "bad id"}, "/meta/article_id"
    results = tasks[1]["annotations"][0]["result"]
    at = next(j for j, r in enumerate(results) if r["type"] == "labels")
    value = results[at]["value"]
    tasks[1]["data"]["text"] = tasks[1]["data"]["text"].replace(
        value["text"], "X" * len(value["text"]), 1
    )
    tasks[2]["data"]["article_id"] = True  # no id at all: the message said where, not the pointer
    write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    use_annotations(seeds_copy, {"path": "ls.json", "format": "label-studio"})

    errors = _build_errors(seeds_copy, tmp_path)
    (bad_id,) = [i for i in errors if i.record == "bad id"]
    assert (bad_id.line, bad_id.pointer) == (1, pointer)
    (no_id,) = [i for i in errors if i.line == 3]
    assert no_id.pointer == "/data/article_id" and "not an article id" in no_id.message
    in_task_2 = [i for i in errors if i.line == 2]
    assert in_task_2, errors
    for issue in in_task_2:
        assert issue.pointer.startswith("/annotations/0/result/"), issue


def test_doccano_errors_point_into_the_line_not_the_converted_record(
    seeds_copy: Path, tmp_path: Path
) -> None:
    lines = doccano_sequence_labeling(seeds_copy)
    lines[0]["meta"] = {"article_id": "bad id"}
    lines[0].pop("article_id", None)
    write_export(seeds_copy / "dc.jsonl", lines, jsonl=True)
    use_annotations(seeds_copy, {"path": "dc.jsonl", "format": "doccano"})

    errors = _build_errors(seeds_copy, tmp_path)
    (bad_id,) = [i for i in errors if i.record == "bad id"]
    assert (bad_id.line, bad_id.pointer) == (1, "/meta/article_id")


@pytest.mark.parametrize("multi_label", [None, "split"])
def test_a_label_studio_region_of_several_labels_says_what_to_do_or_is_split(
    seeds_copy: Path, tmp_path: Path, multi_label: str | None
) -> None:
    """A region with several labels (``<Labels choice="multiple">``) was "a span needs
    exactly one label", with nothing to do about it. Label Studio's converters keep the
    first label and drop the others; here it is an error saying what to do, or, with
    ``multi_label: split``, one span per label at the same offsets, with a warning."""
    tasks = label_studio_json(seeds_copy)
    results = tasks[0]["annotations"][0]["result"]
    at = next(j for j, r in enumerate(results) if r["type"] == "labels")
    first = results[at]["value"]["labels"][0]
    other = "ORG" if first != "ORG" else "GPE"
    results[at]["value"]["labels"] = [first, other, first]  # the same label twice is one
    write_export(seeds_copy / "ls.json", tasks, jsonl=False)
    entry = {"path": "ls.json", "format": "label-studio"}
    if multi_label:
        entry["multi_label"] = multi_label
    use_annotations(seeds_copy, entry)

    if multi_label is None:
        (error,) = _build_errors(seeds_copy, tmp_path)
        assert (error.line, error.pointer) == (1, f"/annotations/0/result/{at}")
        assert "multi_label: split" in error.message and str([first, other]) in error.message
        return
    result = build(seeds_copy, tmp_path / "out")
    value = results[at]["value"]
    row = published_rows(tmp_path / "out")[tasks[0]["data"]["article_id"]]
    by_place: dict[tuple[int, int], set[Any]] = {}
    for e in row["entities"]:
        if e["text"] == value["text"]:
            by_place.setdefault((e["start"], e["end"]), set()).add(e["label"])
    assert sorted(map(len, by_place.values()))[-1] == 2  # (labels are class ids in rows)
    (warning,) = [w for w in result.report.warnings if "several labels" in w.message]
    assert warning.line == 1 and "1 region(s)" in warning.message
