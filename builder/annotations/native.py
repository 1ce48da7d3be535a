"""The native annotation format: JSON Lines, one record per article.

A JSON array of records, or records written with indentation one after another,
is read the same way (:func:`~.export_files.iter_tasks`), as is a gzip-compressed file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..jsonl import DEFAULT_MAX_RECORD_BYTES
from ..validate.report import Issue
from .export_files import iter_tasks, of_format, unpacked

__all__ = ["read_native"]


def read_native(
    path: Path, *, max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[tuple[int | None, dict[str, Any] | None, list[Issue]]]:
    with unpacked(path) as (source, name, problems):
        if problems:
            yield None, None, problems
            return
        tasks = iter_tasks(source, name=name, max_line_bytes=max_line_bytes)
        for task in of_format(tasks, "native", name, "inputs.annotations[]"):
            if task.data is None or isinstance(task.data, dict):
                yield task.number, task.data, task.issues
                continue
            kind = type(task.data).__name__
            issue = Issue(
                file=name,
                line=task.number,
                rule="type",
                message=f"record {task.number}: expected a JSON object, got {kind}",
            )
            yield task.number, None, [*task.issues, issue]
