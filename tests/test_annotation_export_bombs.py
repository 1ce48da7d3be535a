"""Annotation exports whose reading cost must stay in proportion to their size.

Counted, not timed: the buffers the JSON decoder is handed, and how much of them it
is asked to decode, while an export is read in small chunks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from builder.annotations import export_files
from builder.annotations.export_files import _iter_json_array, _iter_json_objects


class _Counted(json.JSONDecoder):
    """A decoder that keeps every buffer it is handed and the characters after the start."""

    buffers: ClassVar[list[str]] = []
    decoded: ClassVar[list[int]] = []

    def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
        _Counted.buffers.append(s)
        _Counted.decoded.append(len(s) - idx)
        return super().raw_decode(s, idx)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[_Counted]:
    _Counted.buffers, _Counted.decoded = [], []
    monkeypatch.setattr(export_files.json, "JSONDecoder", _Counted)
    return _Counted


def test_objects_one_after_another_are_not_copied_per_task(tmp_path: Path, counted) -> None:
    # The buffer was cut after each task (and stripped): a copy of the rest of the chunk
    # per task, 7.7 s for 200,000 tiny objects with 1 MB chunks.
    path = tmp_path / "export.json"
    path.write_text('{\n "id": "first"\n}\n' + '{"id": "a"}\n' * 5000, encoding="utf-8")
    chunks = path.stat().st_size // 4096 + 1
    tasks = list(_iter_json_objects(path, "export.json", chunk=4096))
    assert len(tasks) == 5001 and not any(t.issues for t in tasks)
    assert tasks[0].data == {"id": "first"} and tasks[-1].data == {"id": "a"}
    assert len({id(b) for b in counted.buffers}) <= chunks + 2


def test_objects_error_line_is_still_counted_from_the_file_start(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{\n "id": "a"\n}\n\n{\n "id": "b",\n oops\n}\n', encoding="utf-8")
    tasks = list(_iter_json_objects(path, "export.json", chunk=8))
    assert tasks[0].data == {"id": "a"}
    assert "invalid JSON at line 7" in tasks[1].issues[0].message


def _long_task(results: int) -> str:
    item = '{"type": "labels", "value": {"start": 0, "end": 1, "labels": ["X"]}}'
    return (
        '{"data": {"text": "a"}, "annotations": [{"result": ['
        + ", ".join([item] * results)
        + "]}]}"
    )


@pytest.mark.parametrize("layout", ["array", "objects"])
def test_a_task_longer_than_a_chunk_is_not_decoded_again_each_chunk(
    tmp_path: Path, counted, layout: str
) -> None:
    # Each chunk read had the task decoded again from its start: a 12 MB task took 2.4 s.
    task = _long_task(3000)
    path = tmp_path / "export.json"
    if layout == "array":
        path.write_text("[" + task + "]", encoding="utf-8")
        tasks = list(_iter_json_array(path, "export.json", chunk=4096))
    else:
        path.write_text("{\n" + task[1:], encoding="utf-8")
        tasks = list(_iter_json_objects(path, "export.json", chunk=4096))
    assert len(tasks) == 1 and len(tasks[0].data["annotations"][0]["result"]) == 3000
    assert sum(counted.decoded) <= 4 * len(task)


def test_a_task_over_the_record_limit_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("[" + _long_task(3000) + "]", encoding="utf-8")
    tasks = list(_iter_json_array(path, "export.json", max_bytes=50_000, chunk=4096))
    assert tasks[-1].issues and "limits.max_record_bytes" in tasks[-1].issues[0].message
