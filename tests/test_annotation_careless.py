"""Exports as real users hand them over: a byte order mark, CR LF, the other JSON layout,
several annotations per task, ids in other places. Every span is imported, or the
build fails naming the file and record; never exit 0 with fewer spans.

The fixtures are the seeds written in the tools' shapes (``tool_exports``), then
changed the way an editor, a spreadsheet or a second annotator changes them.
"""

from __future__ import annotations

import codecs
import gzip
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tool_exports import (
    SEED_ENTITIES,
    SEED_QUOTES,
    doccano_relation_extraction,
    label_studio_json,
    label_studio_json_min,
    published_rows,
    seed_records,
    use_annotations,
    write_export,
)

from builder.annotations import read_annotations
from builder.annotations.lstasks import span_offsets
from builder.errors import DataError
from builder.pipeline import build


def _read(path: Path, fmt: str) -> tuple[list[dict[str, Any]], list[Any]]:
    records, issues = [], []
    for _, record, found in read_annotations(path, fmt):
        issues += found
        if record is not None:
            records.append(record)
    return records, issues


def _counts(records: list[dict[str, Any]]) -> tuple[int, int]:
    return sum(len(r["entities"]) for r in records), sum(len(r["quotes"]) for r in records)


def _built_counts(seeds: Path, out: Path, entry: dict[str, Any]) -> tuple[int, int]:
    use_annotations(seeds, entry)
    result = build(seeds, out)
    assert result.ok, [str(i) for i in result.report.issues if i.severity == "error"][:5]
    rows = published_rows(out).values()
    return sum(len(r["entities"]) for r in rows), sum(len(r["quotes"]) for r in rows)


# -- a UTF-8 byte order mark (Notepad, Excel, PowerShell's Out-File) ------------------------
@pytest.mark.parametrize(
    ("fmt", "make"),
    [("doccano", doccano_relation_extraction), ("label-studio", label_studio_json)],
    ids=["doccano", "label-studio"],
)
def test_a_byte_order_mark_on_json_lines_keeps_the_first_record(
    seeds_copy: Path, tmp_path: Path, fmt: str, make: Any
) -> None:
    path = write_export(seeds_copy / "export.jsonl", make(seeds_copy), jsonl=True)
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes().replace(b"\n", b"\r\n"))
    records, issues = _read(path, fmt)
    assert len(records) == 5
    assert [i.rule for i in issues] == ["encoding.bom"]
    assert issues[0].severity == "warning"
    counts = _built_counts(seeds_copy, tmp_path / "out", {"path": path.name, "format": fmt})
    assert counts == (SEED_ENTITIES, SEED_QUOTES)


# -- several annotations per task ----------------------------------------------------------
def _second_annotation(tasks: list[dict[str, Any]], *, result: bool, when: str) -> None:
    for task in tasks:
        extra = dict(task["annotations"][0], id=task["annotations"][0]["id"] + 1000)
        extra.update(created_at=when, updated_at=when, result=[] if not result else extra["result"])
        task["annotations"].append(extra)


def test_a_newer_empty_annotation_does_not_replace_one_with_spans(seeds_copy: Path) -> None:
    """A second annotator who submitted nothing: the spans of the first are read, and said."""
    tasks = label_studio_json(seeds_copy)
    _second_annotation(tasks, result=False, when="2024-05-01T00:00:00.000000Z")
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    assert len(issues) == 5 and all(i.severity == "warning" for i in issues)
    assert "read annotation 101 " in issues[0].message and "(empty: 1101)" in issues[0].message
    # The ground truth is still the ground truth, even empty: a reviewer's decision.
    tasks[0]["annotations"][1]["ground_truth"] = True
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, _ = _read(path, "label-studio")
    assert records[0]["entities"] == [] and records[1]["entities"] != []


# -- where the article id is -----------------------------------------------------------------
def test_label_studio_article_ids_in_data_meta_or_the_task_meta(seeds_copy: Path) -> None:
    """Tasks imported with ``{"data": {"text", "meta": {...}}}`` or ``{"data", "meta"}``."""
    tasks = label_studio_json(seeds_copy)
    for n, task in enumerate(tasks):
        article_id = task["data"].pop("article_id")
        if n % 2:
            task["data"]["meta"] = {"article_id": article_id}
        else:
            task["meta"] = {"article_id": article_id}
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    for task in tasks:
        task.pop("meta")
        task["data"].pop("meta", None)
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert records == [] and len(issues) == 5
    assert "nor data.meta.article_id, the task's meta.article_id" in issues[0].message


def test_doccano_meta_as_a_json_string(seeds_copy: Path) -> None:
    lines = doccano_relation_extraction(seeds_copy)
    for line in lines:
        line["meta"] = json.dumps({"article_id": line.pop("article_id")})
    path = write_export(seeds_copy / "export.jsonl", lines, jsonl=True)
    records, issues = _read(path, "doccano")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)


def test_json_min_with_two_annotations_of_a_task_reads_one(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """The converter writes a record per annotation, newest first, all with the task's id:
    the latest with results is read (an empty one never wins), with a warning; no
    "second annotation record" error, no span lost."""
    records = []
    for record in label_studio_json_min(seeds_copy):
        empty = {k: v for k, v in record.items() if k not in ("label", "genre", "text_form")}
        empty.update(annotation_id=record["annotation_id"] + 1000, updated_at="2024-05-01T00:00Z")
        records += [empty, record]
    path = write_export(seeds_copy / "export.json", records, jsonl=False)
    read, issues = _read(path, "label-studio")
    assert len(read) == 5 and _counts(read) == (SEED_ENTITIES, SEED_QUOTES)
    assert len(issues) == 5 and all(i.severity == "warning" for i in issues)
    assert "annotation_id 1101, 101); read annotation_id 101" in issues[0].message
    assert _built_counts(
        seeds_copy, tmp_path / "out", {"path": path.name, "format": "label-studio"}
    ) == (
        SEED_ENTITIES,
        SEED_QUOTES,
    )


# -- Label Studio's value.text as the browser's selection gives it ---------------------------
def test_label_studio_value_text_with_white_space_folded_or_trimmed(seeds_copy: Path) -> None:
    """HumanSignal/label-studio#3078: value.text folds white space runs (a quote across a
    line break comes as one line) and may drop the selection's leading space that the
    offsets keep. The offsets are right: the spans are read at them."""
    tasks = label_studio_json(seeds_copy)
    widened = 0
    for task in tasks:
        text = task["data"]["text"]
        for result in task["annotations"][0]["result"]:
            value = result.get("value", {})
            if result["type"] != "labels":
                continue
            if value["start"] > 0 and text[value["start"] - 1] == " ":
                value["start"] -= 1  # the selection took the space before the word
                widened += 1
            value["text"] = " ".join(text[value["start"] : value["end"]].split())
    assert widened > 100
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    # A value.text with other words is still refused, naming the result.
    tasks[0]["annotations"][0]["result"][0]["value"]["text"] = "Tehran"
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert len(records) == 4 and [i.rule for i in issues] == ["span-offsets"]
    # The issue's own example: a double space inside the span, folded in value.text.
    value = {"start": 6, "end": 22, "text": "Berlin, Germany", "labels": ["LOC"]}
    assert span_offsets(value, "Text: Berlin,  Germany.", "text") == (6, 22)


# -- doccano's download: a zip ---------------------------------------------------------------
def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_doccanos_zip_download_is_read_when_it_holds_one_export(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """doccano's exporter zips one USER.jsonl per member (or all.jsonl): the zip as downloaded."""
    lines = write_export(
        tmp_path / "admin.jsonl", doccano_relation_extraction(seeds_copy), jsonl=True
    )
    archive = _zip(seeds_copy / "export.zip", {"admin.jsonl": lines.read_bytes()})
    records, issues = _read(archive, "doccano")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    entry = {"path": archive.name, "format": "doccano"}
    assert _built_counts(seeds_copy, tmp_path / "out", entry) == (SEED_ENTITIES, SEED_QUOTES)


def test_a_zip_of_several_users_exports_names_them_and_reads_none(
    seeds_copy: Path, tmp_path: Path
) -> None:
    lines = write_export(
        tmp_path / "admin.jsonl", doccano_relation_extraction(seeds_copy), jsonl=True
    )
    data = lines.read_bytes()
    archive = _zip(seeds_copy / "export.zip", {"admin.jsonl": data, "annotator2.jsonl": data})
    records, issues = _read(archive, "doccano")
    assert records == [] and [i.rule for i in issues] == ["zip"]
    assert issues[0].file == "export.zip" and "admin.jsonl, annotator2.jsonl" in issues[0].message
    # and a broken line inside a zipped export is named by archive and member
    broken = data.replace(b'"text"', b'"text" "', 1)
    archive = _zip(seeds_copy / "export.zip", {"all.jsonl": broken})
    records, issues = _read(archive, "doccano")
    assert len(records) == 4 and issues[0].file == "export.zip:all.jsonl" and issues[0].line == 1


def test_doccano_relation_labelled_under_label_is_read_as_its_label(seeds_copy: Path) -> None:
    """A relation whose label is under ``label`` instead of ``type`` is that label: a
    ``mentions`` relation is never taken as an unlabelled (speaker) one."""
    lines = doccano_relation_extraction(seeds_copy)
    for line in lines:
        for rel in line["relations"]:
            rel["label"] = "mentions" if rel["id"] % 2 else rel["type"]
            del rel["type"]
    path = write_export(seeds_copy / "export.jsonl", lines, jsonl=True)
    records, issues = _read(path, "doccano")
    assert _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    speakers = sum(1 for r in records for q in r["quotes"] if q["speaker"])
    mentions = [i for i in issues if "'mentions' is not a speaker relation" in i.message]
    assert speakers + len(mentions) == 25 and len(mentions) > 5


# -- gzip-compressed exports -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["export.json.gz", "export.json"])
def test_gzip_compressed_exports_are_read_whatever_their_name(seeds_copy: Path, name: str) -> None:
    plain = write_export(seeds_copy / "plain.json", label_studio_json(seeds_copy), jsonl=False)
    path = seeds_copy / name
    path.write_bytes(gzip.compress(plain.read_bytes()))
    records, issues = _read(path, "label-studio")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    lines = write_export(
        seeds_copy / "plain.jsonl", doccano_relation_extraction(seeds_copy), jsonl=True
    )
    path.write_bytes(gzip.compress(lines.read_bytes()))
    records, issues = _read(path, "doccano")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    path.write_bytes(gzip.compress(lines.read_bytes())[:-100])  # cut short in transfer
    records, issues = _read(path, "doccano")
    # read as it streams (as a cut .jsonl.gz shard is): the lines before the cut, then
    # one error where it stops
    assert len(records) < 5 and [(i.file, i.rule) for i in issues] == [(name, "compression")]


# -- objects written with indentation, one after another ------------------------------------
@pytest.mark.parametrize(
    ("fmt", "make"),
    [("doccano", doccano_relation_extraction), ("label-studio", label_studio_json)],
    ids=["doccano", "label-studio"],
)
def test_indented_objects_one_after_another_are_read_one_by_one(
    seeds_copy: Path, fmt: str, make: Any
) -> None:
    """doccano's own import examples are indented objects in a .jsonl; a JSON Lines reader
    gave an error per line (thousands). Each object is a task; a broken one is named."""
    path = seeds_copy / "export.jsonl"
    objects = [json.dumps(x, indent=4, ensure_ascii=False) for x in make(seeds_copy)]
    path.write_text("\n".join(objects) + "\n", encoding="utf-8")
    records, issues = _read(path, fmt)
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    path.write_text("\n".join(objects)[:-40], encoding="utf-8")  # the last one cut short
    records, issues = _read(path, fmt)
    assert len(records) == 4 and [(i.rule, i.line) for i in issues] == [("json", 5)]
    assert "the rest of the file is not read" in issues[0].message


def test_indented_objects_are_decoded_across_read_chunks(tmp_path: Path) -> None:
    from builder.annotations.export_files import _iter_json_objects

    objects = [{"id": n, "text": "é🙂 " * n, "label": [[0, 1, "X"]] * n} for n in range(1, 30)]
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + "\n".join(json.dumps(o, indent=2, ensure_ascii=False) for o in objects).encode()
    )
    tasks = list(_iter_json_objects(path, path.name, chunk=7))  # splits UTF-8 sequences too
    assert [t.data for t in tasks] == objects and [t.number for t in tasks] == list(range(1, 30))


def test_label_studio_task_uploaded_as_the_articles_txt_file_is_named_by_it(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """Each article uploaded to Label Studio as its .txt: the task's data is the text only,
    and file_upload is the stored name, 8 hex digits and a dash before the file's name."""
    tasks = label_studio_json(seeds_copy)
    for n, task in enumerate(tasks):
        task["file_upload"] = f"{n:08x}-{task['data'].pop('article_id')}.txt"
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    entry = {"path": path.name, "format": "label-studio"}
    assert _built_counts(seeds_copy, tmp_path / "out", entry) == (SEED_ENTITIES, SEED_QUOTES)


def test_native_records_as_a_json_array(seeds_copy: Path, tmp_path: Path) -> None:
    """Our own format given as a JSON array (a JSON dump of the records): read as JSON Lines."""
    records = json.loads(
        "[" + ",".join((seeds_copy / "annotations.jsonl").read_text().split("\n")[:-1]) + "]"
    )
    path = write_export(seeds_copy / "native.json", [*records, ["not", "a", "record"]], jsonl=False)
    read, issues = _read(path, "native")
    assert _counts(read) == (SEED_ENTITIES, SEED_QUOTES)
    assert [(i.line, i.rule) for i in issues] == [(6, "type")]
    write_export(path, records, jsonl=False)
    entry = {"path": path.name, "format": "native"}
    assert _built_counts(seeds_copy, tmp_path / "out", entry) == (SEED_ENTITIES, SEED_QUOTES)


# -- brat over a Windows text file -----------------------------------------------------------
def test_brat_offsets_counting_a_cr_lf_as_one_character(seeds_copy: Path, tmp_path: Path) -> None:
    """nlplab/brat#853: over a .txt with CR LF line ends brat's client counts each pair as
    one character (as does a .ann written from text read with universal newlines). The
    text column tells which count a span uses; both are read at the .txt's own positions."""
    from brat_helpers import seeds_to_brat

    from builder.annotations.brat import read_brat_file

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"John loves Mary.\r\nHe married her.\r\n")
    # brat#853's own example: He and her counted without the CR; Mary before it either way.
    ann = "T1\tPERSON 0 4\tJohn\nT2\tPERSON 11 15\tMary\nT3\tPERSON 17 19\tHe\nT4\tPERSON 28 31\ther\n"
    (folder / "a.ann").write_text(ann + "T5\tPERSON 18 20\tHe\n", encoding="utf-8")
    _, record, issues = read_brat_file(folder / "a.ann")
    assert issues == [] and record is not None
    got = {e["id"]: (e["start"], e["end"], e["text"]) for e in record["entities"]}
    assert got["T3"] == got["T5"] == (18, 20, "He") and got["T4"] == (29, 32, "her")
    # The seeds: each .txt with CR LF, offsets counted on the LF text.
    brat = seeds_copy / "brat"
    seeds_to_brat(seeds_copy, brat)
    for txt in brat.glob("*.txt"):
        txt.write_bytes(txt.read_bytes().replace(b"\n", b"\r\n"))
    entry = {"path": "brat", "format": "brat"}
    assert _built_counts(seeds_copy, tmp_path / "out", entry) == (SEED_ENTITIES, SEED_QUOTES)


def test_label_studio_offsets_counting_a_cr_lf_as_one_character(seeds_copy: Path) -> None:
    """A task text with CR LF line ends: the browser shows each pair as one line break
    and counts it so; value.text decides, and the spans land on data.text's positions."""
    tasks = label_studio_json(seeds_copy)
    for task in tasks:  # offsets stay counted on the LF text, data.text gets CR LF
        task["data"]["text"] = task["data"]["text"].replace("\n", "\r\n")
    path = write_export(seeds_copy / "export.json", tasks, jsonl=False)
    records, issues = _read(path, "label-studio")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    for record, task in zip(records, tasks, strict=True):
        text = task["data"]["text"]
        assert all(text[e["start"] : e["end"]] == e["text"] for e in record["entities"])
        assert all("\r" not in e["text"] for e in record["entities"])


# -- an emoji before the spans: code points or UTF-16 units ----------------------------------
def test_doccano_code_point_offsets_after_an_emoji_are_not_read_as_utf16(seeds_copy: Path) -> None:
    """A text pre-annotated in Python (code points) and exported by doccano unchanged: read
    as UTF-16 units every span after the emoji moved one character left, with exit 0."""
    natives = {r["article_id"]: r for r in seed_records(seeds_copy)}
    lines = doccano_relation_extraction(seeds_copy)
    units = [dict(line, entities=[dict(e) for e in line["entities"]]) for line in lines]
    for line, unit in zip(lines, units, strict=True):
        line["text"] = unit["text"] = "🙂 " + line["text"]
        for e in line["entities"]:
            e["start_offset"] += 2
            e["end_offset"] += 2
        for e in unit["entities"]:
            e["start_offset"] += 3
            e["end_offset"] += 3
    path = write_export(seeds_copy / "export.jsonl", lines, jsonl=True)
    records, issues = _read(path, "doccano")
    assert records == [] and len(issues) == 5 and {i.rule for i in issues} == {"span-offsets"}
    assert "look counted in code points" in issues[0].message
    assert "offsets: code-points" in issues[0].message
    use_annotations(seeds_copy, {"path": path.name, "format": "doccano", "offsets": "code-points"})
    from builder.config import load_config

    options = load_config(seeds_copy).annotation_inputs[0].options
    read = [r for _, r, _ in read_annotations(path, "doccano", options=options) if r]
    assert _counts(read) == (SEED_ENTITIES, SEED_QUOTES)
    for record in read:  # the spans' own words, not their neighbours
        want = sorted(e["text"] for e in natives[record["article_id"]]["entities"])
        assert sorted(e["text"] for e in record["entities"]) == want
    # The same spans counted in UTF-16 units, as doccano's browser does: read, no error.
    write_export(path, units, jsonl=True)
    records, issues = _read(path, "doccano")
    assert issues == [] and _counts(records) == (SEED_ENTITIES, SEED_QUOTES)
    assert [e["text"] for e in records[0]["entities"]] == [e["text"] for e in read[0]["entities"]]


@pytest.mark.parametrize("layout", ["array", "objects", "array-gz"])
def test_a_task_longer_than_the_record_limit_is_an_error_not_read_into_memory(
    tmp_path: Path, layout: str
) -> None:
    """A JSON Lines line over limits.max_record_bytes is an error at its line; a task of
    a JSON array (Label Studio) or of indented objects (doccano) was read whatever its
    size, re-parsed from its start at every megabyte (64 MB: 3 s, 256 MB: ~45 s) and held
    whole: a gzip bomb of one long string filled the memory. Now it is the same error,
    at the task, and the file is not read past it."""
    from builder.annotations.export_files import iter_tasks

    big = {"id": 2, "data": {"article_id": "b", "text": "word " * 300_000}, "annotations": []}
    small = {"id": 1, "data": {"article_id": "a", "text": "word"}, "annotations": []}
    if layout == "objects":
        body = "\n".join(json.dumps(t, indent=2) for t in (small, big, small)).encode()
    else:
        body = json.dumps([small, big, small]).encode()
    path = tmp_path / ("export.json.gz" if layout.endswith("gz") else "export.json")
    path.write_bytes(gzip.compress(body) if layout.endswith("gz") else body)

    tasks = list(iter_tasks(path, max_line_bytes=1_000_000))
    assert [t.number for t in tasks] == [1, 2]
    (issue,) = tasks[1].issues
    assert issue.line == 2 and "longer than 1000000 bytes" in issue.message
    assert "limits.max_record_bytes" in issue.message


def _scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary files go to while the test runs."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def _bytes_in(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@pytest.mark.parametrize("fmt", ["label-studio", "doccano", "native"])
def test_a_gzip_export_is_read_as_it_streams_not_decompressed_to_disk_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """A gzip-compressed export was decompressed whole into a temporary file before a
    task was read: a gzip bomb (1 MB of compressed white space is 1 GB) filled the disk
    first, whatever the record limit. It is read through the decompressor now, and a
    corrupt one is an error at the task where reading stops."""
    scratch = _scratch(tmp_path, monkeypatch)
    body = b"[" + b" " * 3_000_000 + b'{"x": 1}]' if fmt == "label-studio" else b"\n" * 3_000_000
    path = tmp_path / "export.json"  # no .gz: known by its first bytes
    path.write_bytes(gzip.compress(body + b'{"a": 1}\n'))
    written = [_bytes_in(scratch) for _ in read_annotations(path, fmt)]
    assert written and max(written) < 100_000, written

    path.write_bytes(gzip.compress(b'[{"id": 1}]' if fmt == "label-studio" else b'{"a": 1}\n')[:-6])
    issues = [i for _, _, found in read_annotations(path, fmt) for i in found]
    assert any("cannot decompress" in i.message for i in issues), issues


@pytest.mark.parametrize("fmt", ["label-studio", "doccano", "native"])
def test_a_zipped_export_is_read_as_it_streams_not_copied_to_disk_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """doccano's zip download: its member was copied whole into a temporary file before
    a task was read, so a zip bomb (a few MB that inflate to many GB) filled the disk
    first, whatever the record limit. It is read from the archive as it streams."""
    scratch = _scratch(tmp_path, monkeypatch)
    body = b"[" + b" " * 3_000_000 + b'{"x": 1}]' if fmt == "label-studio" else b"\n" * 3_000_000
    archive = _zip(tmp_path / "export.zip", {"admin.jsonl": body + b'{"a": 1}\n'})
    written = [_bytes_in(scratch) for _ in read_annotations(archive, fmt)]
    assert written and max(written) < 100_000, written


def _damaged_zip(path: Path, damage: str, data: bytes) -> Path:
    """A zip whose member cannot be read: its deflated bytes changed, its encryption
    flag set (no password), or its central directory cut off."""
    _zip(path, {"admin.jsonl": data})
    raw = bytearray(path.read_bytes())
    if damage == "corrupt":
        start = raw.find(b"admin.jsonl") + len("admin.jsonl") + 200
        raw[start : start + 50] = bytes(b ^ 0xFF for b in raw[start : start + 50])
    elif damage == "encrypted":
        for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            raw[raw.find(signature) + flags] |= 1
    else:  # the central directory's first entry damaged, the end record whole
        at = raw.find(b"PK\x01\x02")
        raw[at : at + 4] = b"XXXX"
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("damage", ["corrupt", "encrypted", "directory"])
def test_a_damaged_zip_is_an_error_naming_archive_and_member(
    seeds_copy: Path, tmp_path: Path, damage: str
) -> None:
    """A zip whose member is corrupt or encrypted was an internal error (a traceback's
    last line, exit 3): it is an error naming the archive (and member), the build fails."""
    lines = write_export(
        tmp_path / "admin.jsonl", doccano_relation_extraction(seeds_copy), jsonl=True
    )
    archive = _damaged_zip(seeds_copy / "export.zip", damage, lines.read_bytes())
    _, issues = _read(archive, "doccano")
    errors = [i for i in issues if i.severity == "error"]
    assert errors, issues
    assert errors[0].file.startswith("export.zip"), errors
    if damage != "directory":
        assert errors[0].file == "export.zip:admin.jsonl", errors
    if damage == "encrypted":
        assert "encrypted" in errors[0].message and "ZipInfo" not in errors[0].message
    entry = {"path": archive.name, "format": "doccano"}
    use_annotations(seeds_copy, entry)
    with pytest.raises(DataError):
        build(seeds_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()
