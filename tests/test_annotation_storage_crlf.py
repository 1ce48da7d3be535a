"""Label Studio target-storage folders, doccano lines without an article id, doccano CR LF texts.

Fixtures are made in the shapes the tools write:

* Label Studio's export storage (``label_studio/io_storages/base_models.py``,
  ``ExportStorage._get_serialized_data`` and ``ExportStorageLink.get_key``): by
  default one file per annotation, named by its id without extension, holding
  ``StorageAnnotationSerializer`` (``io_storages/serializers.py``): the annotation
  with ``completed_by`` as ``{id, first_name, last_name, email}`` and the task
  nested as ``task`` without its annotations; with ``FUTURE_SAVE_TASK_TO_STORAGE``
  one file per task, ``TASK_ID.json``, holding the task as the JSON export does.
* doccano's exporter (``backend/data_export``): ``{"id": <example id>, "text",
  ...imported columns, "label": [[start, end, label]]}``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from test_hardening import assert_clean_failure
from tool_exports import label_studio_json, published_rows, use_annotations, write_export

from builder.annotations import read_annotations
from builder.pipeline import build


def _annotation_files(tasks: list[dict[str, Any]], folder: Path) -> Path:
    """Each annotation as Label Studio's default target storage writes it."""
    folder.mkdir()
    for task in tasks:
        nested = {k: v for k, v in task.items() if k not in ("annotations", "predictions")}
        for a in task["annotations"]:
            user = {"id": a["completed_by"], "first_name": "", "last_name": "", "email": "a@b.c"}
            record = {**a, "completed_by": user, "task": nested, "project": 3}
            (folder / str(a["id"])).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return folder


def _records(path: Path) -> list[tuple[Any, list[str]]]:
    out = []
    for _, record, issues in read_annotations(path, "label-studio"):
        if record is not None:
            record = {**record, "annotator": {**record["annotator"], "note": ""}}
        out.append((record, [str(i) for i in issues if i.severity == "error"]))
    return out


def test_a_target_storage_folder_reads_as_the_json_export(seeds_copy: Path, tmp_path: Path) -> None:
    tasks = label_studio_json(seeds_copy)
    export = write_export(tmp_path / "export.json", tasks, jsonl=False)
    folder = _annotation_files(tasks, tmp_path / "storage")
    assert _records(folder) == _records(export)  # same spans, same order (by task id)
    # The newer shape: one TASK_ID.json per task holding the whole task.
    whole = tmp_path / "tasks"
    whole.mkdir()
    for task in tasks:
        (whole / f"{task['id']}.json").write_text(json.dumps(task), encoding="utf-8")
    assert _records(whole) == _records(export)


def test_a_target_storage_folder_builds(seeds_copy: Path, seed_build: Path, tmp_path: Path) -> None:
    _annotation_files(label_studio_json(seeds_copy), seeds_copy / "ls-storage")
    use_annotations(seeds_copy, {"path": "ls-storage", "format": "label-studio"})
    result = build(seeds_copy, tmp_path / "out")
    assert result.ok, [str(i) for i in result.report.issues if i.severity == "error"][:5]
    native, imported = published_rows(seed_build), published_rows(tmp_path / "out")
    for article_id, row in imported.items():
        assert [(e["start"], e["end"]) for e in row["entities"]] == [
            (e["start"], e["end"]) for e in native[article_id]["entities"]
        ]
    # The manifest lists every file of the folder with its digest, as for a one-file export.
    (seeds_copy / "ls-storage" / ".DS_Store").write_bytes(b"\0")  # left out, as the reader does
    build(seeds_copy, tmp_path / "out2")
    manifest = json.loads((tmp_path / "out2" / "manifest.json").read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["inputs"] if e["path"].startswith("ls-")}
    stored = sorted((seeds_copy / "ls-storage").iterdir())
    assert listed == {
        f"ls-storage/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in stored
        if not p.name.startswith(".")
    }
    assert len(listed) == len(stored) - 1 > 0


def _task(text: str, **data: Any) -> dict[str, Any]:
    return {"id": 7, "data": {"text": text, "article_id": "a1", **data}, "meta": {}, "project": 3}


def _span(rid: str, start: int, end: int, text: str, label: str = "Location") -> dict[str, Any]:
    value = {"start": start, "end": end, "text": text, "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def _write_annotation(folder: Path, aid: int, task: dict[str, Any], **fields: Any) -> None:
    record = {
        "id": aid,
        "result": [],
        "completed_by": {"id": 2, "first_name": "", "last_name": "", "email": "x@y.z"},
        "was_cancelled": False,
        "ground_truth": False,
        "updated_at": "2024-01-01T00:00:00Z",
        "task": task,
        **fields,
    }
    (folder / str(aid)).write_text(json.dumps(record), encoding="utf-8")


def test_a_tasks_annotations_in_several_files_are_picked_as_in_a_json_export(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    task = _task("Iran said hello to Oman.")
    _write_annotation(folder, 12, task, result=[_span("a", 0, 4, "Iran")], ground_truth=True)
    later = [_span("b", 19, 23, "Oman")]
    _write_annotation(folder, 13, task, result=later, updated_at="2024-05-01T00:00:00Z")
    _write_annotation(folder, 14, task, was_cancelled=True, updated_at="2024-06-01T00:00:00Z")
    [(_, record, issues)] = list(read_annotations(folder, "label-studio"))
    assert record is not None and [e["text"] for e in record["entities"]] == ["Iran"]
    assert record["annotator"]["name"] == "Label Studio annotator 2"  # never the e-mail
    [note] = issues
    assert note.severity == "warning" and note.file == "store/12"
    assert "read annotation 12" in note.message and "others in 13, 14" in note.message
    # Without the ground truth, the latest with results.
    _write_annotation(folder, 12, task, result=[_span("a", 0, 4, "Iran")])
    [(_, record, _)] = list(read_annotations(folder, "label-studio"))
    assert record is not None and [e["text"] for e in record["entities"]] == ["Oman"]


def test_a_bad_file_in_a_target_storage_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    (folder / "sub").mkdir(parents=True)
    task = _task("Iran said hello.")
    _write_annotation(folder, 12, task, result=[_span("a", 0, 4, "Iraq")])
    (folder / "sub" / "13").write_text("{oops", encoding="utf-8")
    (folder / "14").write_text(json.dumps({"id": 14, "result": [], "task": 7}), encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0\1")  # hidden: not read
    results = list(read_annotations(folder, "label-studio"))
    issues = [i for _, _, found in results for i in found]
    assert [(i.file, i.pointer) for i in issues] == [
        ("store/14", ""),
        ("store/sub/13", ""),
        ("store/12", "/result/0"),
    ]
    assert "only its id" in issues[0].message and "export the project as JSON" in issues[0].message
    assert "not a JSON file" in issues[1].message
    assert issues[2].record == "a1" and "'Iraq' is not at [0, 4)" in issues[2].message
    assert issues[2].message.startswith("task 7, annotation 12, result a")
    assert all(record is None for _, record, _ in results)


def test_a_bad_target_storage_folder_fails_the_cli_cleanly(
    seeds_copy: Path, tmp_path: Path, run_cli: Any
) -> None:
    folder = _annotation_files(label_studio_json(seeds_copy), seeds_copy / "ls-storage")
    first = sorted(folder.iterdir())[0]
    record = json.loads(first.read_text(encoding="utf-8"))
    record["task"]["data"]["text"] = 12345
    first.write_text(json.dumps(record), encoding="utf-8")
    use_annotations(seeds_copy, {"path": "ls-storage", "format": "label-studio"})
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(tmp_path / "out"))
    assert result.code != 0
    assert_clean_failure(result, result.code, f"ls-storage/{first.name}", "/task/data/text")


# -- doccano --------------------------------------------------------------------------


def _doccano(tmp_path: Path, *lines: dict[str, Any]) -> list[tuple[Any, list[Any]]]:
    path = write_export(tmp_path / "admin.jsonl", list(lines), jsonl=True)
    return [(record, issues) for _, record, issues in read_annotations(path, "doccano")]


def test_doccano_lines_of_texts_imported_without_article_id_say_how_to_add_it(
    tmp_path: Path,
) -> None:
    [(record, [issue])] = _doccano(tmp_path, {"id": 41, "text": "Iran", "label": [[0, 4, "LOC"]]})
    assert record is None and issue.file == "admin.jsonl" and issue.line == 1
    assert issue.pointer == "/article_id"
    assert "id 41 is doccano's own example number" in issue.message
    assert "import the texts with an article_id column" in issue.message


def test_doccano_article_id_missing_fails_the_cli_cleanly(
    seeds_copy: Path, tmp_path: Path, run_cli: Any
) -> None:
    write_export(seeds_copy / "admin.jsonl", [{"id": 3, "text": "x", "label": []}], jsonl=True)
    use_annotations(seeds_copy, {"path": "admin.jsonl", "format": "doccano"})
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(tmp_path / "out"))
    assert result.code != 0
    assert_clean_failure(result, result.code, "admin.jsonl:1", "doccano's own example number")


TEXT = "Tehran, Monday.\r\nIran 🙂 said so.\r\n\r\nOman agreed."


def _at(text: str, word: str, *, crlf_as_one: bool, utf16: bool) -> tuple[int, int]:
    """Offsets of ``word`` as a tool counting so would write them."""
    seen = text.replace("\r\n", "\n") if crlf_as_one else text
    start = seen.index(word)
    if utf16:
        start = len(seen[:start].encode("utf-16-le")) // 2
    return start, start + len(word)


@pytest.mark.parametrize("crlf_as_one", [True, False])
def test_doccano_crlf_offsets_land_on_the_words(tmp_path: Path, crlf_as_one: bool) -> None:
    """doccano/doccano#2114: offsets early by one per CR LF before them (the pair counted as
    one); offsets counting both characters stay as they are."""
    spans = [[*_at(TEXT, w, crlf_as_one=crlf_as_one, utf16=True), "LOC"] for w in ("Iran", "Oman")]
    line = {"id": 1, "article_id": "a1", "text": TEXT, "label": spans}
    [(record, issues)] = _doccano(tmp_path, line)
    assert record is not None
    assert [(e["text"], e["start"]) for e in record["entities"]] == [
        ("Iran", TEXT.index("Iran")),
        ("Oman", TEXT.index("Oman")),
    ]
    # The re-reading is never silent: a warning, located, says how the offsets were read.
    if crlf_as_one:
        [note] = issues
        assert (note.severity, note.file, note.line) == ("warning", "admin.jsonl", 1)
        assert note.pointer == "/label/0" and "each CR LF as one character" in note.message
    else:
        assert issues == []


def test_doccano_crlf_with_grapheme_offsets(tmp_path: Path) -> None:
    """Counted in grapheme clusters a CR LF is one already (Unicode's GB3)."""
    start = TEXT.replace("\r\n", "\n").replace("🙂", "x").index("Oman")
    line = {"id": 1, "article_id": "a1", "text": TEXT, "label": [[start, start + 4, "LOC"]]}
    path = write_export(tmp_path / "g.jsonl", [line], jsonl=True)
    from builder.annotations.options import ImportOptions

    [(_, record, _)] = list(
        read_annotations(path, "doccano", options=ImportOptions(offsets="graphemes"))
    )
    assert record is not None and record["entities"][0]["text"] == "Oman"


def test_a_folder_for_a_format_that_reads_one_file_is_named_so(
    seeds_copy: Path, tmp_path: Path, run_cli: Any
) -> None:
    (seeds_copy / "exports").mkdir()
    use_annotations(seeds_copy, {"path": "exports", "format": "doccano"})
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(tmp_path / "out"))
    assert result.code != 0
    assert_clean_failure(result, result.code, "is a folder; format doccano reads one export file")


def test_task_files_without_an_id_are_tasks_of_their_own(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    for name, article, word in (("a.json", "a1", "Iran"), ("b.json", "a2", "Oman")):
        annotation = {"id": 1, "result": [_span("s", 0, 4, word)], "completed_by": 1}
        task = {
            "data": {"text": f"{word} said.", "article_id": article},
            "annotations": [annotation],
        }
        (folder / name).write_text(json.dumps(task), encoding="utf-8")
    records = [r for _, r, _ in read_annotations(folder, "label-studio")]
    assert [(r["article_id"], r["entities"][0]["text"]) for r in records if r] == [
        ("a1", "Iran"),
        ("a2", "Oman"),
    ]


def test_doccano_crlf_and_an_emoji_that_cancel_out_are_still_utf16(tmp_path: Path) -> None:
    """One emoji (two UTF-16 units) and one CR LF (one, counted so) before a span: its
    offsets equal its code points, which must not be mistaken for a code-point count."""
    text = "🙂 Tehran.\r\nIran said so."
    start, end = _at(text, "Iran", crlf_as_one=True, utf16=True)
    assert text[start:end] == "Iran"  # the coincidence
    later = _at(text, "said", crlf_as_one=True, utf16=True)
    line = {"id": 1, "article_id": "a1", "text": text, "label": [[start, end, "LOC"]]}
    [(record, issues)] = _doccano(tmp_path, line)
    assert record is not None and record["entities"][0]["text"] == "Iran"
    assert [(i.severity, i.rule) for i in issues] == [("warning", "span-offsets")]
    line["label"] = [[start, end, "LOC"], [*later, "LOC"]]
    [(record, issues)] = _doccano(tmp_path, line)
    assert [e["text"] for e in record["entities"]] == ["Iran", "said"]


def test_a_task_with_no_usable_annotation_or_a_broken_one_is_named_in_its_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    task = _task("Iran said hello.")
    _write_annotation(folder, 12, task, was_cancelled=True)
    _write_annotation(folder, 13, task, was_cancelled=True)
    [(_, record, [issue])] = list(read_annotations(folder, "label-studio"))
    assert record is None and issue.file == "store/12" and issue.record == "a1"
    assert "has no annotation that was not cancelled" in issue.message
    # The newer shape: a task file whose annotations hold a 42.
    whole = tmp_path / "tasks"
    whole.mkdir()
    good = {"id": 5, "result": [_span("s", 0, 4, "Iran")], "completed_by": 1}
    (whole / "7.json").write_text(json.dumps({**task, "annotations": [42, good]}))
    [(_, record, issues)] = list(read_annotations(whole, "label-studio"))
    errors = [i for i in issues if i.severity == "error"]
    assert record is None and [(i.file, i.pointer) for i in errors] == [
        ("tasks/7.json", "/annotations/0")
    ]


def test_task_ids_beyond_64_bits_are_read_in_order(tmp_path: Path) -> None:
    """JSON allows any integer: one past SQLite's 64 bits sorts after the others, as text."""
    folder = tmp_path / "store"
    folder.mkdir()
    for aid, task_id in ((1, 10**24), (2, 7), (3, -(2**63) - 1)):
        task = {**_task("Iran said hello."), "id": task_id}
        task["data"] = {**task["data"], "article_id": f"a{aid}"}
        _write_annotation(folder, aid, task, result=[_span("x", 0, 4, "Iran")])
    read = [(record, issues) for _, record, issues in read_annotations(folder, "label-studio")]
    assert [r["article_id"] for r, _ in read if r is not None] == ["a2", "a3", "a1"]
    assert not [i for _, issues in read for i in issues if i.severity == "error"]
