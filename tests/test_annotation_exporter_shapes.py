"""Shapes the tools' own exporters write that the stock projects do not show.

* doccano writes the imported columns back with their JSON types, through pandas
  (``backend/data_export/models.py`` ``ExportedExample.to_dict``,
  ``pipeline/writers.py`` ``DataFrame.to_json``): an ``article_id`` imported as a
  number is a number, and a float when some line lacks it;
* Label Studio tasks whose ``data`` holds a file reference (a storage URI or a path
  it serves) instead of the text; spans whose ``to_name`` is another text object;
  per-region choices (``perRegion="true"``), which are no document label.

Readable shapes are read; the others fail with the file, the record and a pointer,
and the build exits non-zero.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    doccano_intent_detection,
    doccano_numeric_ids,
    doccano_seq2seq,
    doccano_sequence_labeling,
    doccano_text_classification_csv,
    label_studio_conll,
    label_studio_file_reference,
    label_studio_json,
    label_studio_json_min,
    use_annotations,
    write_export,
)
from typer.testing import CliRunner

from builder.annotations import read_annotations
from builder.annotations.lsconfig import read_label_config
from builder.annotations.lstasks import text_url, url_article_id
from builder.annotations.options import ImportOptions
from builder.cli import app
from builder.config import load_config

TEXT = "Maria Lopez told reporters in Ankara that talks would resume."


def _write(path: Path, content: Any, *, jsonl: bool) -> Path:
    return write_export(path, content, jsonl=jsonl)


def _read(path: Path, fmt: str, options: Any = None) -> list[tuple[Any, Any, list[Any]]]:
    return list(read_annotations(path, fmt, options=options))


def _configured_export(
    seeds: Path, name: str, content: Any, fmt: str, *, jsonl: bool
) -> list[tuple[Any, Any, list[Any]]]:
    """The seeds copy's only annotation input made ``content`` (as ``name``), read with
    the options its configuration gives."""
    write_export(seeds / name, content, jsonl=jsonl)
    use_annotations(seeds, {"path": name, "format": fmt})
    return _read(seeds / name, fmt, load_config(seeds).annotation_inputs[0].options)


def _errors(results: list[tuple[Any, Any, list[Any]]]) -> list[Any]:
    return [i for _, _, issues in results for i in issues if i.severity == "error"]


def _doccano_line(n: int, article_id: Any) -> dict[str, Any]:
    return {
        "id": n,
        "text": TEXT,
        "article_id": article_id,
        "label": [[0, 11, "PERSON"], [29, 35, "GPE"]],
        "Comments": [],
    }


# -- article ids with the types the tools keep ---------------------------------------------
def test_doccano_numeric_article_ids_are_read_as_their_digits(tmp_path: Path) -> None:
    # an int column, and pandas' float for an int column with a missing value
    lines = [_doccano_line(1, 40213), _doccano_line(2, 40214.0), _doccano_line(3, "x-9")]
    results = _read(_write(tmp_path / "e.jsonl", lines, jsonl=True), "doccano")
    assert [r["article_id"] for _, r, _ in results] == ["40213", "40214", "x-9"]
    assert not _errors(results)


@pytest.mark.parametrize("bad", [40213.5, 2.0**60, True, [1], {"id": 1}, ""])
def test_doccano_article_id_that_is_no_id_is_a_located_error(tmp_path: Path, bad: Any) -> None:
    lines = [_doccano_line(1, "ok-1"), _doccano_line(2, bad)]
    results = _read(_write(tmp_path / "e.jsonl", lines, jsonl=True), "doccano")
    assert results[0][1] is not None and results[1][1] is None
    (error,) = _errors(results)
    assert (error.file, error.line, error.pointer) == ("e.jsonl", 2, "/article_id")


def test_doccano_null_article_id_column_falls_back_to_meta(tmp_path: Path) -> None:
    # pandas writes null for a column a line lacks; doccano 1.x kept ids in meta
    line = {**_doccano_line(1, None), "meta": {"article_id": 7}}
    ((_, record, issues),) = _read(_write(tmp_path / "e.jsonl", [line], jsonl=True), "doccano")
    assert record["article_id"] == "7" and not issues


def test_doccano_numeric_ids_fixture_reads_as_the_seed_ids(seeds_copy: Path) -> None:
    lines = doccano_sequence_labeling(seeds_copy)
    ids = {line["article_id"]: 1000 + n for n, line in enumerate(lines)}
    path = _write(seeds_copy / "e.jsonl", doccano_numeric_ids(lines, ids), jsonl=True)
    assert [r["article_id"] for _, r, _ in _read(path, "doccano")] == [str(v) for v in ids.values()]


def _ls_task(data: dict[str, Any], value: dict[str, Any], to_name: str = "text") -> dict[str, Any]:
    result = {
        "id": "r1",
        "type": "labels",
        "from_name": "label",
        "to_name": to_name,
        "origin": "manual",
        "value": value,
    }
    return {
        "id": 5,
        "data": data,
        "annotations": [{"id": 9, "completed_by": 1, "result": [result]}],
    }


def test_label_studio_numeric_article_id_is_read(tmp_path: Path) -> None:
    value = {"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["PERSON"]}
    tasks = [_ls_task({"text": TEXT, "article_id": 40213}, value)]
    tasks.append(_ls_task({"text": TEXT, "article_id": False}, value))
    results = _read(_write(tmp_path / "t.json", tasks, jsonl=False), "label-studio")
    assert results[0][1]["article_id"] == "40213"
    (error,) = _errors(results)
    assert error.line == 2 and "is not an article id" in error.message


# -- Label Studio: the text as a file reference ----------------------------------------------
@pytest.mark.parametrize(
    ("url", "article_id"),
    [
        ("s3://bucket/news/a77.txt", "a77"),
        ("gs://bucket/a77.txt", "a77"),
        ("azure-blob://container/dir/a77.txt", "a77"),
        ("https://files.example.org/corpus/a77.txt?sig=abc", "a77"),
        ("/data/upload/3/1a2b3c4d-a77.txt", "a77"),
        ("/data/local-files/?d=corpus/news/a%2077.txt", "a 77"),
        ("s3://bucket/news/a77.html", None),
    ],
)
def test_file_references_and_the_article_they_name(url: str, article_id: str | None) -> None:
    assert text_url(url) == url
    assert url_article_id(url) == article_id


def test_a_text_with_a_url_in_it_is_a_text() -> None:
    assert text_url("Read more at https://example.org/a.txt today.") is None
    assert text_url(TEXT) is None


def test_file_reference_with_the_span_texts_is_read(tmp_path: Path) -> None:
    value = {"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["PERSON"]}
    task = _ls_task({"text": "s3://bucket/news/a77.txt"}, value)
    ((_, record, issues),) = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    assert record["article_id"] == "a77" and "text_sha256" not in record
    assert [(e["start"], e["end"], e["text"]) for e in record["entities"]] == [
        (0, 11, "Maria Lopez")
    ]
    (warning,) = issues
    assert warning.severity == "warning" and warning.pointer == "/data/text"


def test_file_reference_without_span_texts_fails_the_build(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """``<Text valueType="url">`` saves no value.text by default: nothing to check the
    offsets against, so every span is a located error and the build exits 1."""
    tasks = label_studio_file_reference(seeds_copy)
    results = _configured_export(seeds_copy, "export.json", tasks, "label-studio", jsonl=False)
    assert all(record is None for _, record, _ in results) and len(results) == 5
    first = _errors(results)[0]
    assert (first.file, first.line, first.pointer) == ("export.json", 1, "/annotations/0/result/0")
    assert first.record == "000_1be5c9577093f905" and "saveTextResult" in first.message
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["build", "-i", str(seeds_copy), "-o", str(out)])
    assert run.exit_code == 1, run.stdout


def test_doccano_seq2seq_texts_are_refused_as_texts(seeds_copy: Path, tmp_path: Path) -> None:
    """A summary in ``label`` is no genre: each line is a located error that says the
    export holds texts, and the build exits 1 without a traceback."""
    lines = doccano_seq2seq(seeds_copy)
    results = _configured_export(seeds_copy, "s2s.jsonl", lines, "doccano", jsonl=True)
    assert all(record is None for _, record, _ in results) and len(results) == 5
    first = _errors(results)[0]
    assert (first.file, first.line, first.pointer) == ("s2s.jsonl", 1, "/label/0")
    assert first.record == "000_1be5c9577093f905" and "sequence-to-sequence" in first.message
    run = CliRunner().invoke(app, ["build", "-i", str(seeds_copy), "-o", str(tmp_path / "o")])
    assert run.exit_code == 1 and "sequence-to-sequence" in run.stdout + run.stderr


def test_a_short_unknown_category_gets_no_text_hint(tmp_path: Path) -> None:
    line = {**_doccano_line(1, "a1"), "label": ["Breaking news"]}
    path = _write(tmp_path / "c.jsonl", [line], jsonl=True)
    options = ImportOptions(doc_label_sets={"genre": ["news_report"]})
    (error,) = _errors(_read(path, "doccano", options))
    assert "no declared document label set" in error.message
    assert "sequence-to-sequence" not in error.message


# -- Label Studio: spans of another text object --------------------------------------------
def test_span_on_another_text_object_says_which_field(tmp_path: Path) -> None:
    value = {"start": 0, "end": 5, "text": "Lopez", "labels": ["PERSON"]}
    data = {"text": TEXT, "title": "Lopez: talks resume", "article_id": "a1"}
    task = _ls_task(data, value, to_name="title")
    results = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    (error,) = _errors(results)
    assert error.pointer == "/annotations/0/result/0" and error.record == "a1"
    assert "data.title (to_name 'title')" in error.message


# -- Label Studio: per-region choices are no document label --------------------------------
PER_REGION_XML = """<View>
  <Labels name="label" toName="text"><Label value="PERSON"/></Labels>
  <Text name="text" value="$text"/>
  <Choices name="genre" toName="text"><Choice value="news_report"/><Choice value="analysis"/></Choices>
  <Choices name="salience" toName="text" perRegion="true">
    <Choice value="news_report"/><Choice value="analysis"/>
  </Choices>
</View>"""


def test_per_region_controls_are_known_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text(PER_REGION_XML, encoding="utf-8")
    controls = read_label_config(path).controls
    assert controls["salience"] == "perregion:choices" and controls["genre"] == "choices"


def test_json_min_per_region_choice_fills_no_document_label(seeds_copy: Path) -> None:
    """JSON-MIN writes a single per-region choice as a bare string (``prettify_result``),
    like a document choice: the config's perRegion tells them apart."""
    tasks = label_studio_json_min(seeds_copy)
    for task in tasks:
        task["salience"] = "analysis" if task["genre"] != "analysis" else "news_report"
    write_export(seeds_copy / "export.json", tasks, jsonl=False)
    (seeds_copy / "label_config.xml").write_text(PER_REGION_XML, encoding="utf-8")
    use_annotations(
        seeds_copy,
        {"path": "export.json", "format": "label-studio", "label_config": "label_config.xml"},
    )
    options = load_config(seeds_copy).annotation_inputs[0].options
    results = _read(seeds_copy / "export.json", "label-studio", options)
    assert not _errors(results)
    assert [r["labels"]["genre"] for _, r, _ in results] == [t["genre"] for t in tasks]
    notes = [i for _, _, issues in results for i in issues if i.pointer == "/salience"]
    assert len(notes) == 5 and all(i.severity == "warning" for i in notes)


def test_json_per_region_choice_fills_no_document_label(tmp_path: Path) -> None:
    span = {"start": 0, "end": 11, "text": "Maria Lopez"}
    task = _ls_task({"text": TEXT, "article_id": "a1"}, {**span, "labels": ["PERSON"]})
    task["annotations"][0]["result"].append(
        {
            "id": "r1",
            "type": "choices",
            "from_name": "salience",
            "to_name": "text",
            "value": {**span, "choices": ["analysis"]},
        }
    )
    ((_, record, issues),) = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    assert record["labels"] == {} and len(record["entities"]) == 1
    (note,) = issues
    assert note.severity == "warning" and note.pointer == "/annotations/0/result/1"
    assert json.dumps(record)  # a plain record


# -- the tools' other export formats, given by mistake ---------------------------------------
def test_a_csv_or_conll_export_is_one_located_error(seeds_copy: Path) -> None:
    """Not one "malformed JSON" per line: one error at line 1 naming what the file is."""
    csv_path = seeds_copy / "export.csv"
    csv_path.write_text(
        doccano_text_classification_csv(doccano_intent_detection(seeds_copy)), encoding="utf-8"
    )
    conll_path = seeds_copy / "export.conll"
    conll_path.write_text(label_studio_conll(label_studio_json(seeds_copy)), encoding="utf-8")
    for path, fmt, looks in [
        (csv_path, "doccano", "a CSV/TSV file"),
        (conll_path, "label-studio", "a CoNLL file"),
    ]:
        ((line, record, issues),) = _read(path, fmt)
        (error,) = issues
        assert (line, record, error.file, error.line) == (1, None, path.name, 1)
        assert error.severity == "error" and error.message.startswith(looks)


# -- doccano: a project counting grapheme clusters -----------------------------------------
# A decomposed accent, a ZWJ family emoji and a flag: one user-perceived character each,
# 2, 8 and 4 UTF-16 units.
GRAPHEME_TEXT = "Cafe\u0301 owner 👩\u200d👩\u200d👧 Maria Lopez met 🇹🇷 officials in Ankara."


def _grapheme_line(unit: str) -> dict[str, Any]:
    """A sequence-labeling line as doccano exports it from a project whose offsets count
    ``unit`` ("Count grapheme clusters as one character" on: graphemes)."""
    from builder.annotations.common import OffsetConverter

    def offset(cp: int) -> int:
        if unit == "utf-16":
            return len(GRAPHEME_TEXT[:cp].encode("utf-16-le")) // 2
        table = OffsetConverter(GRAPHEME_TEXT, "graphemes")
        return next(u for u in range(cp + 1) if table.to_code_points(u) == cp)

    spans = []
    for word, label in [("Maria Lopez", "PERSON"), ("Ankara", "GPE")]:
        start = GRAPHEME_TEXT.index(word)
        spans.append([offset(start), offset(start + len(word)), label])
    return {"id": 3, "text": GRAPHEME_TEXT, "article_id": "g1", "label": spans, "Comments": []}


def test_doccano_grapheme_counts_are_an_error_asking_which(tmp_path: Path) -> None:
    path = _write(tmp_path / "g.jsonl", [_grapheme_line("graphemes")], jsonl=True)
    ((_, record, issues),) = _read(path, "doccano")
    (error,) = issues
    assert record is None and (error.line, error.pointer) == (1, "/label/0")
    assert "offsets: graphemes" in error.message
    ((_, record, issues),) = list(read_annotations(path, "doccano", offsets="graphemes"))
    assert [GRAPHEME_TEXT[e["start"] : e["end"]] for e in record["entities"]] == [
        "Maria Lopez",
        "Ankara",
    ]


def test_doccano_utf16_counts_over_the_same_text_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "u.jsonl", [_grapheme_line("utf-16")], jsonl=True)
    ((_, record, issues),) = _read(path, "doccano")
    assert not issues
    assert [GRAPHEME_TEXT[e["start"] : e["end"]] for e in record["entities"]] == [
        "Maria Lopez",
        "Ankara",
    ]


def test_file_reference_under_the_undefined_data_key(tmp_path: Path) -> None:
    """An uploaded file as one task: ``data: {"$undefined$": "/data/upload/..."}``
    (label-studio ``settings.DATA_UNDEFINED_NAME``), the article named by the upload."""
    value = {"start": 0, "end": 11, "text": "Maria Lopez", "labels": ["PERSON"]}
    task = _ls_task({"$undefined$": "/data/upload/7/0f3c9a1e-b12.txt"}, value)
    task["file_upload"] = "0f3c9a1e-b12.txt"
    ((_, record, issues),) = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    assert record["article_id"] == "b12" and record["entities"][0]["text"] == "Maria Lopez"
    (warning,) = issues
    assert warning.severity == "warning" and warning.pointer == "/data/$undefined$"
    del value["text"]  # saveTextResult="no": nothing to check the offsets against
    ((_, record, issues),) = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    assert record is None and "is a file reference" in _errors([(0, None, issues)])[0].message


# -- Label Studio: classifications beside the spans (TextArea, Rating, Taxonomy) ------------
def _per_region(span: dict[str, Any], **value: Any) -> dict[str, Any]:
    """A per-region control's value as Label Studio saves it: the region's offsets and
    text, then the control's own value (a TextArea's ``text`` list replaces the text)."""
    return {"start": span["start"], "end": span["end"], "text": span["text"], **value}


def test_json_min_per_region_text_areas_and_ratings_are_no_spans(seeds_copy: Path) -> None:
    """``convert_to_json_min`` writes per-region results under their control's key with the
    region's offsets and no ``labels``: a ``<TextArea perRegion>`` with one region as the
    bare object, with more as a list; a ``<Rating perRegion>`` as a list. Without a labeling
    config they are known by their value (no labels, a control's value): not spans."""
    tasks = label_studio_json_min(seeds_copy)
    for n, task in enumerate(tasks):
        notes = [_per_region(s, text=["checked"]) for s in task["label"][: 1 + n % 2]]
        task["note"] = notes[0] if len(notes) == 1 else notes
        task["confidence"] = [_per_region(s, rating=4) for s in task["label"][:2]]
    write_export(seeds_copy / "export.json", tasks, jsonl=False)
    results = _read(seeds_copy / "export.json", "label-studio")
    assert not _errors(results)
    assert [len(r["entities"]) + len(r["quotes"]) for _, r, _ in results] == [
        len(t["label"]) for t in tasks
    ]
    notes = [i for _, _, issues in results for i in issues if i.pointer.startswith("/note")]
    rated = [i for _, _, issues in results for i in issues if i.pointer.startswith("/confidence")]
    assert len(notes) == 7 and len(rated) == 10
    assert all(i.severity == "warning" and "'textarea' is not read" in i.message for i in notes)
    assert all("'rating' is not read" in i.message for i in rated)


def test_a_span_without_labels_among_spans_is_still_an_error(seeds_copy: Path) -> None:
    """Only a control's value makes an object with offsets a per-region result: a span that
    lost its labels is a broken span, never passed over."""
    tasks = label_studio_json_min(seeds_copy)
    del tasks[1]["label"][0]["labels"]
    write_export(seeds_copy / "export.json", tasks, jsonl=False)
    (error,) = _errors(_read(seeds_copy / "export.json", "label-studio"))
    assert error.line == 2 and error.pointer == "/label/0"
    assert "exactly one label" in error.message


def test_a_taxonomy_of_the_whole_text_is_a_document_result_not_read(tmp_path: Path) -> None:
    """``<Taxonomy>`` on the text classifies the document (``value: {"taxonomy": [[...]]}``,
    no offsets): passed over with a warning like a TextArea, not refused as a region; a
    taxonomy with offsets (``labeling="true"``, a span labelled by a path) stays an error."""
    span = {"start": 0, "end": 11, "text": "Maria Lopez"}
    task = _ls_task({"text": TEXT, "article_id": "a1"}, {**span, "labels": ["PERSON"]})
    topic = {"type": "taxonomy", "from_name": "topic", "to_name": "text"}
    task["annotations"][0]["result"].append(
        {**topic, "id": "t1", "value": {"taxonomy": [["Politics", "Diplomacy"]]}}
    )
    ((_, record, issues),) = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    assert record is not None and len(record["entities"]) == 1
    (note,) = issues
    assert note.severity == "warning" and note.pointer == "/annotations/0/result/1"
    task["annotations"][0]["result"][1]["value"] = {**span, "taxonomy": [["Politics"]]}
    ((_, record, issues),) = _read(_write(tmp_path / "t.json", [task], jsonl=False), "label-studio")
    assert record is None and _errors([(0, None, issues)])[0].pointer == "/annotations/0/result/1"
