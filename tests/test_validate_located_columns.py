"""Issue 10's check on the rows as the build carries them: spans as columns.

``builder.rows.build_row`` gives each row its entities, quotes and edits as
:class:`SpanColumns`; the table path then audits and encodes them column-wise.
One error per rule injected into a 10,000-row batch must come back with its file,
record and pointer exactly as with dict rows (tests/test_validate_table.py).
"""

from __future__ import annotations

from typing import Any

from builder.span_columns import SpanColumns
from builder.validate.rows import table_row_issues
from builder.validate.schemas import SchemaStore
from tests.test_validate_table import INJECTED, _check, _row


def _as_columns(row: dict[str, Any]) -> dict[str, Any]:
    """Each span list as columns when its spans share one key order (as the build
    stores them; a list with two key sets stays dicts, tests/test_side_lines_once.py)."""
    out = dict(row)
    for key in ("entities", "quotes", "edits"):
        spans = row.get(key)
        if not isinstance(spans, list) or not all(type(s) is dict for s in spans):
            continue
        orders = {tuple(s) for s in spans}
        if len(orders) == 1:
            (keys,) = orders
            out[key] = SpanColumns({k: [s[k] for s in spans] for k in keys}, len(spans))
    return out


def test_one_error_per_rule_in_10000_column_rows_comes_back_located() -> None:
    store = SchemaStore.default()
    rows = [_row(i) for i in range(10_000)]  # ASCII and non-ASCII texts, alternating
    at = {}
    for k, (rule, path, value, pointer) in enumerate(INJECTED):
        i = 211 + 683 * k
        target: Any = rows[i]
        for key in path[:-1]:
            target = target[key]
        if rule == "required":
            del target[path[-1]]
        else:
            target[path[-1]] = value
        at[i] = (rule, pointer)
    rows = [_as_columns(r) for r in rows]
    assert sum(type(r["entities"]) is SpanColumns for r in rows) == len(rows)
    files = [f"articles/{r['id']}.txt" for r in rows]
    check = _check()
    found: list[Any] = []
    for s in range(0, len(rows), 256):
        got, _table = table_row_issues(
            check, store, rows[s : s + 256], files[s : s + 256], cross_check=[False] * 256
        )
        found += got
    assert {i for i, issues in enumerate(found) if issues} == set(at)
    for i, (rule, pointer) in at.items():
        (issue,) = found[i]
        assert (issue.file, issue.record, issue.pointer, issue.rule) == (
            files[i],
            rows[i]["id"],
            pointer,
            rule,
        )
