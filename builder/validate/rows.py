"""Validation of published rows: the schema, then what a schema cannot say.

One function for one row (as the build checks each row it makes) and one for a
batch of rows; both locate every error by file, record and JSON pointer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..span_columns import plain_row
from .checks import LabelSets, check_row
from .report import Issue
from .schemas import SchemaStore

if TYPE_CHECKING:
    import pyarrow as pa

    from .table import TableCheck

__all__ = ["check_rows", "row_issues", "table_row_issues"]


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


def table_row_issues(
    check: TableCheck,
    store: SchemaStore,
    rows: Sequence[dict[str, Any]],
    files: Sequence[str],
    *,
    cross_check: Sequence[bool],
    encoded: tuple[pa.Table | None, Any] | None = None,
) -> tuple[list[list[Issue]], pa.Table | None]:
    """The issues of each row of a batch, exactly as :func:`row_issues` gives them,
    and the batch's Arrow table (None when the encoder refused a row).

    The batch is encoded and checked on its table first (``validate/table.py``);
    only the rows it flags, and those picked for the cross-check
    (``cross_check[i]``: the reference re-checks row ``i`` even when it passes),
    go through :func:`row_issues`. ``encoded``: what ``check.encode(rows)`` gave,
    when the caller made it."""
    if encoded is None:
        encoded = check.encode(rows)
    todo = set(check.flagged(encoded, len(rows)).tolist())
    todo.update(i for i, c in enumerate(cross_check) if c)
    out: list[list[Issue]] = [[] for _ in rows]
    sets = check.codec.label_sets
    for i in sorted(todo):
        row = plain_row(rows[i])  # the row's JSON form (its spans as dicts)
        out[i] = row_issues(store, row, sets, file=files[i], cross_check=cross_check[i])
    return out, encoded[0]


def check_rows(
    store: SchemaStore, rows: Iterable[tuple[str, dict[str, Any]]], sets: LabelSets
) -> list[Issue]:
    """Every problem of a batch of ``(file, row)`` pairs, in row order."""
    issues: list[Issue] = []
    for file, row in rows:
        issues += row_issues(store, row, sets, file=file)
    return issues
