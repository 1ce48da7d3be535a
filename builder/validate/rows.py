"""Validation of published rows: the schema, then what a schema cannot say.

One function for one row (as the build checks each row it makes) and one for a
batch of rows; both locate every error by file, record and JSON pointer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .checks import LabelSets, check_row
from .report import Issue
from .schemas import SchemaStore

__all__ = ["check_rows", "row_issues"]


def row_issues(
    store: SchemaStore,
    row: dict[str, Any],
    sets: LabelSets,
    *,
    file: str,
    cross_check: bool = False,
) -> list[Issue]:
    """Every problem of one row: schema errors (fast path first, the reference
    locating them), then spans, labels and speaker references."""
    where = {"file": file, "record": row.get("id") if isinstance(row, dict) else None}
    issues = [
        Issue(**where, pointer=e.pointer, rule=e.rule, message=e.message)
        for e in store.check("row", row, cross_check=cross_check)
    ]
    return issues + check_row(row, sets, file=file)


def check_rows(
    store: SchemaStore, rows: Iterable[tuple[str, dict[str, Any]]], sets: LabelSets
) -> list[Issue]:
    """Every problem of a batch of ``(file, row)`` pairs, in row order."""
    issues: list[Issue] = []
    for file, row in rows:
        issues += row_issues(store, row, sets, file=file)
    return issues
