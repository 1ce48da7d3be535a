"""JSON-MIN files, for :mod:`.labelstudio`: ``convert_to_json_min`` writes one record
per annotation, a task's records one after another with the task's ``id``; of each
task's, one is read (the latest with results), with a warning naming the others."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..validate.report import Issue

__all__ = ["min_task_id", "one_per_task"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]


def min_task_id(data: Any) -> Any:
    """The task id of a JSON-MIN record (None for a JSON task or anything else)."""
    if not isinstance(data, Mapping) or "annotation_id" not in data:
        return None
    if any(k in data for k in ("annotations", "completions", "predictions")):
        return None
    task_id = data.get("id")
    # Label Studio's ids are integers; ``true == 1`` and ``1.0 == 1`` in Python, so any
    # other type would join a record to the task before it and one of them be skipped.
    if type(task_id) is int or type(task_id) is str:
        return task_id
    return None


def one_per_task(group: list[tuple[Any, Result]], file: str) -> Iterator[Result]:
    """JSON-MIN writes one record per annotation, the task's records one after another:
    of a task's readable records, read the latest with spans or choices (as JSON tasks
    are read), say so, and skip the others."""
    readable = [(data, r) for data, r in group if r[1] is not None]
    if len(group) == 1 or not readable:
        for _, result in group:
            yield result
        return

    def rank(item: tuple[int, tuple[Any, Result]]) -> tuple[bool, str, int]:
        i, (data, (_, record, _)) = item
        assert record is not None
        filled = bool(record["entities"] or record["quotes"] or record["labels"])
        return filled, str(data.get("updated_at") or data.get("created_at") or ""), -i

    _, (chosen, (number, record, issues)) = max(enumerate(readable), key=rank)
    ids = [str(data.get("annotation_id")) for data, _ in group]
    note = Issue(
        file=file,
        line=number,
        record=record["article_id"] if record else None,
        rule="label-studio",
        severity="warning",
        message=(
            f"task {number} (id {chosen.get('id')}): JSON-MIN holds {len(group)} annotations of"
            f" this task (annotation_id {', '.join(ids)}); read annotation_id"
            f" {chosen.get('annotation_id')} (the latest with results) and skipped the others"
        ),
    )
    yield number, record, [*issues, note]
