"""A schema folder (``$BUILDER_SCHEMA_DIR``) with a broken file is reported with the
file and line, as bad input is, not as an internal error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.errors import DataError
from builder.validate.schemas import SchemaStore, schema_dir

ROOT = Path(__file__).resolve().parents[1]

BROKEN = [
    ('{"$id": ', 2, "not valid JSON"),  # cut short: the error is at the start of line 2
    ('{\n  "$id": "x",\n  "type": "object",,\n}', 3, "not valid JSON"),
    ("[1, 2]", None, 'string "$id"'),
    ('{"type": "object"}', None, 'string "$id"'),
]


@pytest.mark.parametrize(("text", "line", "says"), BROKEN)
def test_a_broken_schema_file_is_located(
    tmp_path: Path, text: str, line: int | None, says: str
) -> None:
    shutil.copytree(schema_dir(), tmp_path, dirs_exist_ok=True)
    (tmp_path / "row.schema.json").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        SchemaStore(tmp_path)
    (issue,) = caught.value.report.issues
    assert (issue.file, issue.line, issue.rule) == (
        str(tmp_path / "row.schema.json"),
        line,
        "schema-file",
    )
    assert says in issue.message


def test_the_cli_reports_a_broken_schema_file_as_bad_input(tmp_path: Path) -> None:
    shutil.copytree(schema_dir(), tmp_path / "schema")
    (tmp_path / "schema" / "annotation.schema.json").write_bytes(b'{"$id": "\xff"}')
    proc = subprocess.run(
        [sys.executable, "-m", "builder", "validate", "--input", str(ROOT / "seeds")],
        capture_output=True,
        text=True,
        env={**os.environ, "BUILDER_SCHEMA_DIR": str(tmp_path / "schema")},
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "annotation.schema.json" in proc.stderr and "not valid UTF-8 at line" in proc.stderr
