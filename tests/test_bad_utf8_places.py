"""Invalid UTF-8 is named by its line and column in the file, whoever reads the file.

The readers named a byte offset (sometimes in the decoder's own chunk, not in the
file: a Label Studio export read 1 MiB at a time said nothing of where) or only the
reason. ``test_brat_import`` has the brat case.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builder.annotations.export_files import iter_tasks
from builder.clean.rules import RuleError, load_rules
from builder.cli import app
from builder.utf8 import bad_utf8_in, bad_utf8_of_stream

# the bad byte: line 3, column 14 (the two bytes of "\xc3\xa9" are one character)
BAD = b'  "x": 1,\n  "y": 2,\n  "z": "caf\xc3\xa9 \xffb"\n'
WHERE = "line 3, column 14"


def test_the_place_is_the_same_decoded_whole_or_by_lines() -> None:
    import io

    data = b"\xef\xbb\xbf" + BAD
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        whole = bad_utf8_in(data, exc)
    streamed = bad_utf8_of_stream(io.BytesIO(data))
    assert streamed is not None
    assert (whole.line, whole.column, whole.byte) == (streamed.line, streamed.column, streamed.byte)
    assert (whole.line, whole.column, data[whole.byte]) == (3, 14, 0xFF)


@pytest.mark.parametrize("layout", ["array", "objects", "array-gz"])
def test_a_json_export_names_the_line_past_the_decoders_chunk(tmp_path: Path, layout: str) -> None:
    indent = None if layout.startswith("array") else 1  # objects: each over lines
    task = json.dumps({"data": {"article_id": "a", "text": "x" * 1000}}, indent=indent)
    tasks = [task.encode()] * 1500  # 1.5 MB: the bad byte is in the second chunk
    bad = json.dumps({"data": {"article_id": "b", "text": "caf"}}, indent=indent).encode()
    bad = bad.replace(b"caf", b"caf\xff")
    joint = b",\n" if layout.startswith("array") else b"\n"
    body = joint.join([*tasks, bad]) + b"\n"
    if layout.startswith("array"):
        body = b"[" + body + b"]\n"
    line = body[: body.index(b"\xff")].count(b"\n") + 1
    path = tmp_path / ("ls.json.gz" if layout.endswith("gz") else "ls.json")
    path.write_bytes(gzip.compress(body) if layout.endswith("gz") else body)
    issues = [i for t in iter_tasks(path) for i in t.issues if i.rule == "encoding"]
    assert len(issues) == 1, issues
    assert f"line {line}, column" in issues[0].message, issues[0].message


def test_a_rule_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"rules:\n  - name: x\n    pattern: 'caf\xc3\xa9 \xffb'\n")
    with pytest.raises(RuleError, match=f"{path}: not valid UTF-8 at line 3, column 20"):
        load_rules(path)


def test_clean_names_the_line_of_its_input(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(BAD)
    result = CliRunner().invoke(app, ["clean", str(path)])
    assert result.exit_code == 1
    assert f"{path}: not valid UTF-8 at {WHERE}" in result.stderr, result.stderr


def test_a_label_config_names_the_line(tmp_path: Path) -> None:
    from builder.annotations.lsconfig import LabelConfigError, read_label_config

    path = tmp_path / "config.xml"
    path.write_bytes(
        b'<View>\n  <Text name="text" value="$text"/>\n  <Label value="caf\xe9"/>\n</View>\n'
    )
    with pytest.raises(LabelConfigError, match=r"config\.xml: .*line 3, column 20 "):
        read_label_config(path)


def test_publish_hub_names_the_line_of_its_dataset_yaml(tmp_path: Path) -> None:
    from builder.errors import UsageError
    from builder.publish.destination import open_target

    (tmp_path / "dataset.yaml").write_bytes(b"name: x\npublish:\n  repo_id: org/caf\xe9\n")
    with pytest.raises(UsageError, match=r"dataset\.yaml: not valid UTF-8 at line 3, column 19 "):
        open_target(hub=True, input_dir=tmp_path)


@pytest.mark.parametrize("command", ["verify", "diff"])
def test_a_build_card_not_utf8_names_its_line(
    command: str, seed_build: Path, tmp_path: Path, run_cli: Any
) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(seed_build, broken)
    card = broken / "README.md"
    lines = card.read_bytes().split(b"\n")
    lines[4] = lines[4] + b" \xff"
    card.write_bytes(b"\n".join(lines))
    args = [str(broken)] if command == "verify" else [str(seed_build), str(broken)]
    result = run_cli(command, *args)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr
    assert "README.md" in result.stdout + result.stderr
    assert "not valid UTF-8 at line 5, column" in result.stdout + result.stderr, result.stderr


def test_an_article_file_names_the_line_and_column(tmp_path: Path) -> None:
    from builder.ingest import read_article

    path = tmp_path / "a1.txt"
    path.write_bytes(BAD)
    article, issues = read_article("a1", path, root=tmp_path, max_bytes=1 << 20)
    assert article is None and [(i.rule, i.line, i.file) for i in issues] == [
        ("encoding", 3, "a1.txt")
    ]
    assert issues[0].message == f"not valid UTF-8 at {WHERE} (byte 34: invalid start byte)"


def test_a_nul_byte_in_an_article_names_the_line_and_column(tmp_path: Path) -> None:
    from builder.ingest import article_from_bytes

    _, issues = article_from_bytes("a1", b"one\ncaf\xc3\xa9 \x00x\n", file="a1.txt")
    assert "a NUL byte at line 2, column 6 (byte 10)" in issues[0].message, issues
    # a shard's record: the issue's line is the record's, the place is in its text
    _, issues = article_from_bytes("a1", BAD, file="s.parquet", line=7)
    assert issues[0].line == 7 and f"at {WHERE} (byte 34" in issues[0].message
    assert issues[0].message.endswith("of its text"), issues


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_a_jsonl_line_names_its_column_in_characters_and_the_files_byte(
    tmp_path: Path, suffix: str
) -> None:
    from builder.jsonl import read_jsonl

    first = b'\xef\xbb\xbf{"article_id": "a"}\n'
    body = first + b'{"article_id": "b"}\n{"article_id": "caf\xc3\xa9 \xffb"}\n'
    path = tmp_path / f"s{suffix}"
    path.write_bytes(gzip.compress(body) if suffix.endswith(".gz") else body)
    issues = [i for _, _, found in read_jsonl(path) for i in found if i.rule == "encoding"]
    byte = body.index(b"\xff")
    assert [(i.line, i.message) for i in issues] == [
        (3, f"not valid UTF-8 at line 3, column 22 (byte {byte}: invalid start byte)")
    ]


def test_a_piece_of_a_jsonl_file_names_the_files_byte(tmp_path: Path) -> None:
    """A file checked in pieces by the pool: the byte is the file's, not the piece's."""
    import io

    from builder.side_chunks import checked_lines

    piece = b'{"article_id": "caf\xc3\xa9 \xffb"}\n'
    lines = checked_lines(
        io.BytesIO(piece), "source", "s.jsonl", 1 << 20, first_line=40, first_byte=5000
    )
    ((line, record, issues),) = list(lines)
    assert (line, record) == (40, None)
    assert (
        issues[0].message == "not valid UTF-8 at line 40, column 22 (byte 5022: invalid start byte)"
    )
