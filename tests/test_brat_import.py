"""brat standoff collections (``.ann`` beside ``.txt``), read as native records and built."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from brat_helpers import seeds_to_brat

from builder.annotations import READERS, read_annotations
from builder.annotations.brat import read_brat
from builder.errors import DataError
from builder.reanchor import text_digest

TEXT = "Crowds 😀 cheered as Maria\nLopez said “we will rebuild” on Monday.\n"


def _collection(tmp_path: Path, ann: str, *, text: str | None = TEXT, stem: str = "a1") -> Path:
    folder = tmp_path / "brat"
    folder.mkdir(exist_ok=True)
    (folder / f"{stem}.ann").write_text(ann, encoding="utf-8")
    if text is not None:
        with (folder / f"{stem}.txt").open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return folder


def _at(s: str) -> tuple[int, int]:
    start = TEXT.index(s)
    return start, start + len(s)


def _one(folder: Path, **kw: Any) -> tuple[dict[str, Any] | None, list]:
    ((_line, record, issues),) = list(read_brat(folder, **kw))
    return record, issues


QUOTE = "“we will rebuild”"
# "Maria\nLopez" crosses a line break: brat stores it as two fragments.
ANN = (
    f"T1\tPERSON 20 25;26 31\tMaria Lopez\n"
    f"T2\tQuote {_at(QUOTE)[0]} {_at(QUOTE)[1]}\t{QUOTE}\n"
    "R1\tSpeaker Arg1:T2 Arg2:T1\n"
    "T3\tDocument 0 6\tCrowds\n"
    "A1\tgenre T3 news_report\n"
)


def test_brat_is_registered() -> None:
    assert READERS["brat"] is read_brat


def test_spans_fragments_relations_and_document_labels(tmp_path: Path) -> None:
    record, issues = _one(_collection(tmp_path, ANN))
    assert issues == []
    assert record is not None
    (person,) = record["entities"]
    (quote,) = record["quotes"]
    assert TEXT[person["start"] : person["end"]] == "Maria\nLopez" == person["text"]
    assert person["label"] == "PERSON" and person["id"] == "T1"
    assert (quote["start"], quote["end"]) == _at(QUOTE) and quote["speaker"] == "T1"
    assert record["labels"] == {"genre": "news_report"}
    assert record["article_id"] == "a1"
    assert record["text_sha256"] == text_digest(TEXT)
    assert person["prefix"] == TEXT[: person["start"]][-32:]


def test_offsets_count_every_character_of_the_txt_including_cr(tmp_path: Path) -> None:
    text = "Crowds cheered.\r\nMaria\r\nLopez spoke.\r\n"
    ann = "T1\tPERSON 17 22;24 29\tMaria Lopez\nT2\tGPE 0 6\tCrowds\n"
    record, issues = _one(_collection(tmp_path, ann, text=text))
    assert issues == [] and record is not None
    person = next(e for e in record["entities"] if e["id"] == "T1")
    assert (person["start"], person["end"], person["text"]) == (17, 29, "Maria\r\nLopez")
    assert record["text_sha256"] == text_digest(text)


def test_a_lone_cr_inside_a_span_is_text_of_its_line_not_a_line_end(tmp_path: Path) -> None:
    """A text with classic Mac line ends (lone CR): brat splits fragments at LF only, so a
    span across a CR keeps it in its text column. Lines of a ``.ann`` end at LF (CR LF
    too); a CR inside one is the span's text, not the start of a line that is none."""
    text = "Crowds cheered.\rMaria\rLopez spoke on Monday.\r"
    ann = "T1\tPERSON 16 27\tMaria\rLopez\r\nT2\tDATE 37 43\tMonday\r\n"
    record, issues = _one(_collection(tmp_path, ann, text=text))
    assert issues == [] and record is not None
    assert [(e["id"], e["text"]) for e in record["entities"]] == [
        ("T1", "Maria\rLopez"),
        ("T2", "Monday"),
    ]


def test_an_ann_with_lone_cr_line_ends_is_an_error_that_says_so(tmp_path: Path) -> None:
    """Lines separated by lone CRs read as one line: an error, at line 1, that names the
    cause (as a JSON Lines file with lone CR line ends is), not a bare mismatch."""
    ann = "T1\tPERSON 20 25\tMaria\rT2\tGPE 0 6\tCrowds\r"
    record, issues = _one(_collection(tmp_path, ann))
    assert record is None and issues and all(i.line == 1 for i in issues)
    assert "lone CR" in issues[0].message


def test_without_the_txt_offsets_are_taken_as_given_and_no_digest(tmp_path: Path) -> None:
    record, issues = _one(_collection(tmp_path, "T1\tPERSON 20 25\tMaria\n", text=None))
    assert issues == [] and record is not None
    assert "text_sha256" not in record
    assert record["entities"][0]["text"] == "Maria"
    # What lies between fragments cannot be known without the text: refused, not guessed.
    record, (issue,) = _one(_collection(tmp_path, ANN, text=None))
    assert record is None and issue.line == 1 and "no .txt beside the .ann" in issue.message


def test_speaker_relation_types_can_be_named(tmp_path: Path) -> None:
    ann = ANN.replace("R1\tSpeaker", "R1\tMentions")
    record, issues = _one(_collection(tmp_path, ann), speaker_relations={"speaker"})
    assert record is not None and record["quotes"][0]["speaker"] is None
    (warning,) = issues
    assert warning.severity == "warning" and warning.line == 3
    assert "Mentions" in warning.message and "not a speaker" in warning.message
    # By default any quote-entity relation is the speaker, as the Label Studio importer reads it.
    record, _ = _one(_collection(tmp_path, ann))
    assert record is not None and record["quotes"][0]["speaker"] == "T1"


def test_lines_not_read_are_reported_never_dropped(tmp_path: Path) -> None:
    ann = ANN + (
        "A2\tNegated T1\n"
        "M3\tConfidence T2 High\n"
        "#1\tAnnotatorNotes T1\tcheck the name\n"
        "N1\tReference T1 Wikidata:Q42\tMaria Lopez\n"
        "E1\tSay:T2 Agent:T1\n"
        "*\tEquiv T1 T1\n"
    )
    record, issues = _one(_collection(tmp_path, ann))
    assert record is not None and len(record["entities"]) == 1
    assert [i.severity for i in issues] == ["warning"] * 6
    assert sorted(i.line for i in issues) == [6, 7, 8, 9, 10, 11]
    assert all(i.file == "brat/a1.ann" and i.record == "a1" for i in issues)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("T9\tPERSON 20 31\tMaria Lopez", "is not the text at 20 31"),
        ("T9\tPERSON 7 8;20 25\t😀 Maria", "lies between its fragments"),
        ("T9\tPERSON 20 999\tMaria", "past the end of the text"),
        ("T9\tPERSON 25 20\tMaria", "start is not before the end"),
        ("T9\tPERSON twenty 25\tMaria", "are not 'START END' pairs"),
        ("T9 PERSON 20 25 Maria", "expected 'ID<TAB>TYPE START END<TAB>TEXT'"),
        ("R9\tSpeaker Arg1:T2 Arg2:T7", "T7 is not an annotation of this file"),
        ("X9\tsomething", "not a brat annotation line"),
        ("T1\tPERSON 20 25\tMaria", "id T1 is used again (first at line 1)"),
    ],
)
def test_a_line_that_cannot_be_read_is_an_error_naming_file_and_line(
    tmp_path: Path, line: str, expected: str
) -> None:
    record, issues = _one(_collection(tmp_path, ANN + line + "\n"))
    assert record is None
    errors = [i for i in issues if i.severity == "error"]
    assert len(errors) == 1, issues
    assert errors[0].file == "brat/a1.ann" and errors[0].line == 6 and errors[0].record == "a1"
    assert expected in errors[0].message


def test_a_quote_with_two_speakers_is_an_error(tmp_path: Path) -> None:
    ann = ANN + "T4\tPERSON 0 6\tCrowds\nR2\tSpeaker Arg1:T2 Arg2:T4\n"
    record, issues = _one(_collection(tmp_path, ann))
    assert record is None
    assert [(i.line, "already has speaker T1" in i.message) for i in issues] == [(7, True)]


def test_sub_folders_are_read_and_named(tmp_path: Path) -> None:
    folder = _collection(tmp_path, ANN)
    (folder / "batch-2").mkdir()
    (folder / "batch-2" / "b2.ann").write_text("T1\tGPE 0 4\tIran\n", encoding="utf-8")
    (folder / "batch-2" / "b2.txt").write_text("Iran said.", encoding="utf-8")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.ann").write_text("nonsense\n", encoding="utf-8")
    records = {r["article_id"]: r for _, r, _ in read_brat(folder) if r is not None}
    assert records.keys() == {"a1", "b2"}
    broken = folder / "batch-2" / "b3.ann"
    broken.write_text("T1\tGPE 0 4\tIraq\n", encoding="utf-8")
    (folder / "batch-2" / "b3.txt").write_text("Iran said.", encoding="utf-8")
    issues = [i for _, r, found in read_brat(folder) if r is None for i in found]
    assert [(i.file, i.line) for i in issues] == [("brat/batch-2/b3.ann", 1)]


def test_an_ann_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    folder = _collection(tmp_path, "")
    (folder / "a1.ann").write_bytes(b"T1\tPERSON 20 25\tMar\xe9a\n")
    record, (issue,) = _one(folder)
    assert record is None and issue.rule == "encoding" and issue.file == "brat/a1.ann"


@pytest.mark.parametrize("suffix", [".ann", ".txt"])
def test_bad_utf8_names_its_line_and_column_in_the_file(tmp_path: Path, suffix: str) -> None:
    """The .ann named a byte offset in the reader's 8 KB chunk, not in the file, and no
    line: here the bad byte is on line 901, past the reader's first chunks."""
    lines = [f"T{n}\tPERSON 0 5\tCrowd" for n in range(1, 901)]
    ann = "\n".join(lines) + "\n"
    folder = _collection(tmp_path, ann if suffix == ".txt" else "", text="Crowds cheered.\n" * 700)
    bad = (ann.encode() if suffix == ".ann" else b"Crowds cheered.\n" * 900) + b"Mar\xe9a\n"
    (folder / f"a1{suffix}").write_bytes(bad)
    record, (issue,) = _one(folder)
    assert record is None and (issue.rule, issue.file) == ("encoding", f"brat/a1{suffix}")
    assert issue.line == 901, issue
    assert f"line 901, column 4 (byte {len(bad) - 3}: invalid continuation byte)" in issue.message


# -- end to end: the seeds as a brat collection ----------------------------------------------
def _published(build: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in sorted((build / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


def _spans(row: dict[str, Any]) -> list[tuple]:
    return sorted(
        [(e["start"], e["end"], e["text"], e["label"]) for e in row["entities"]]
        + [(q["start"], q["end"], q["text"], q["speaker_id"] is not None) for q in row["quotes"]]
    )


def _use_brat(seeds: Path, folder: str = "brat") -> None:
    (seeds / "annotations.jsonl").unlink()
    config = yaml.safe_load((seeds / "dataset.yaml").read_text())
    config["inputs"]["annotations"] = [{"path": folder, "format": "brat"}]
    (seeds / "dataset.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))


def test_the_seeds_build_from_brat_with_every_span(
    seeds_copy: Path, seed_build: Path, tmp_path: Path
) -> None:
    from builder.pipeline import build

    assert seeds_to_brat(seeds_copy, seeds_copy / "brat") == 557 + 30
    _use_brat(seeds_copy)
    out = tmp_path / "out"
    result = build(seeds_copy, out)
    assert result.ok, [str(i) for i in result.report.errors]
    native, imported = _published(seed_build), _published(out)
    assert native.keys() == imported.keys()
    assert sum(len(r["entities"]) for r in imported.values()) == 557
    assert sum(len(r["quotes"]) for r in imported.values()) == 30
    for article_id in native:
        assert _spans(imported[article_id]) == _spans(native[article_id]), article_id
        assert imported[article_id]["genre"] == native[article_id]["genre"]


def _break_line_5(seeds: Path) -> None:
    seeds_to_brat(seeds, seeds / "brat")
    ann = seeds / "brat" / "002_a8446556a3208bd8.ann"
    lines = ann.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("\t", " ", 1)
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _use_brat(seeds)


def test_a_broken_ann_fails_the_build_naming_file_and_line(
    seeds_copy: Path, tmp_path: Path
) -> None:
    from builder.pipeline import build

    _break_line_5(seeds_copy)
    with pytest.raises(DataError) as failed:
        build(seeds_copy, tmp_path / "out")
    (error,) = [i for i in failed.value.report.errors if i.file.endswith(".ann")]
    assert (error.file, error.line) == ("brat/002_a8446556a3208bd8.ann", 5)
    assert not (tmp_path / "out").exists()


def test_the_cli_names_the_broken_line_without_a_traceback(run_cli, seeds_copy: Path) -> None:
    _break_line_5(seeds_copy)
    result = run_cli("validate", "--input", str(seeds_copy), "--json")
    assert result.code == 1
    errors = [i for i in json.loads(result.stdout)["report"]["issues"] if i["severity"] == "error"]
    assert [(i["file"], i["line"]) for i in errors] == [("brat/002_a8446556a3208bd8.ann", 5)]
    assert "Traceback" not in result.stderr


def test_a_missing_brat_folder_is_reported(seeds_copy: Path, tmp_path: Path) -> None:
    from builder.pipeline import build

    _use_brat(seeds_copy, "no-such-folder")
    with pytest.raises(DataError) as failed:
        build(seeds_copy, tmp_path / "out")
    assert [i.rule for i in failed.value.report.errors] == ["missing-file"]


def test_records_pass_the_annotation_schema_reader(tmp_path: Path) -> None:
    folder = _collection(tmp_path, ANN)
    ((_, record, _),) = list(read_annotations(folder, "brat"))
    assert json.loads(json.dumps(record)) == record


@pytest.mark.parametrize("folder", ["articles", "articles/brat"])
def test_ann_files_in_the_articles_folder_are_not_reported_as_ignored(
    seeds_copy: Path, tmp_path: Path, folder: str
) -> None:
    """A brat collection in (or inside) the articles folder is an input, not stray files;
    anything else there is still reported."""
    from builder.pipeline import build

    seeds_to_brat(seeds_copy, seeds_copy / folder, with_text=folder != "articles")
    (seeds_copy / "articles" / "notes.md").write_text("not an article\n", encoding="utf-8")
    (seeds_copy / "articles" / ".hidden.ann").write_text("T1\tX 0 1\tx\n", encoding="utf-8")
    _use_brat(seeds_copy, folder)
    result = build(seeds_copy, tmp_path / "out")
    assert result.ok, [str(i) for i in result.report.errors]
    ignored = sorted(i.file for i in result.report.issues if i.rule == "ignored-file")
    assert ignored == ["articles/.hidden.ann", "articles/notes.md"]
    assert sum(len(r["entities"]) for r in _published(tmp_path / "out").values()) == 557


@pytest.mark.parametrize("large", ["a1.ann", "a1.txt"])
def test_a_file_over_the_record_limit_is_one_error_and_not_read(tmp_path: Path, large: str) -> None:
    start, end = _at("Crowds")
    folder = _collection(tmp_path, f"T1\tPERSON {start} {end}\tCrowds\n")
    limit = 4096
    with (folder / large).open("a", encoding="utf-8") as handle:
        handle.write("\n" * (limit + 1))
    record, issues = _one(folder, max_line_bytes=limit)
    assert record is None
    ((issue,),) = [issues]
    assert (issue.file, issue.record, issue.rule) == (f"brat/{large}", "a1", "size-limit")
    assert f"over the limit of {limit} bytes (limits.max_record_bytes" in issue.message
    # the configured limit reaches the reader
    ((_, record, issues),) = list(read_annotations(folder, "brat", max_line_bytes=limit))
    assert record is None and issues[0].rule == "size-limit"
    ((_, record, issues),) = list(read_annotations(folder, "brat", max_line_bytes=10 * limit))
    assert record is not None, issues
