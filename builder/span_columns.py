"""An article's spans as columns: one list per key, not a dict per span.

An article has ~109 spans; as dicts, each span was parsed into a dict, checked,
anchored, copied when the text is withheld, and read back key by key by the
Arrow encoder and by the table check's audit. As :class:`SpanColumns` the spans
are one list per key from the side-record check to the Arrow table: the check's
schema predicate reads them as columns, the staging stores them so
(:func:`builder.staging.dump_record`), the worker checks them column-wise and
anchors them by whole columns, and the encoder chains each key's lists of a
group of rows into one flat child array, which the audit sees. Dicts are made
only where a reader wants them (the located checks, on a record with an issue;
re-anchoring; the per-row reference validator on the rows the table check flags
or samples).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["SpanColumns", "plain_row", "span_list"]


class SpanColumns:
    """Spans as ``{key: list of values}``, every list as long as the spans.

    Example:
        >>> cols = SpanColumns({"id": ["e1", "e2"], "start": [0, 5]})
        >>> len(cols), cols.dicts()
        (2, [{'id': 'e1', 'start': 0}, {'id': 'e2', 'start': 5}])
        >>> cols.replaced("start", [1, 6]).column("start")
        [1, 6]
    """

    __slots__ = ("fields", "length")

    def __init__(self, fields: dict[str, list[Any]], length: int | None = None) -> None:
        """``fields``: key -> values, in the key order of the spans' dicts;
        ``length``: the number of spans (needed only when there are no keys)."""
        sizes = {len(v) for v in fields.values()}
        if len(sizes) > 1:
            raise ValueError(f"span columns of different lengths: {sorted(sizes)}")
        self.fields = fields
        self.length = sizes.pop() if sizes else (length or 0)

    @classmethod
    def trusted(cls, fields: dict[str, list[Any]], length: int) -> SpanColumns:
        """Columns whose lists its maker knows to be ``length`` long (the anchor
        builds them from one list of spans): no lengths compared."""
        out = cls.__new__(cls)
        out.fields = fields
        out.length = length
        return out

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"SpanColumns({self.length} spans: {', '.join(self.fields)})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpanColumns):
            return self.fields == other.fields and self.length == other.length
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable lists inside

    def column(self, key: str) -> list[Any]:
        return self.fields[key]

    def replaced(self, key: str, values: list[Any]) -> SpanColumns:
        """The same spans with ``key``'s values replaced (key order kept)."""
        return SpanColumns({k: values if k == key else v for k, v in self.fields.items()})

    def taken(self, order: Sequence[int]) -> SpanColumns:
        """The spans in ``order`` (indices into these spans)."""
        return SpanColumns({k: [v[i] for i in order] for k, v in self.fields.items()}, len(order))

    def dicts(self) -> list[dict[str, Any]]:
        """One dict per span, keys in the columns' order."""
        keys = tuple(self.fields)
        return [
            dict(zip(keys, values, strict=True))
            for values in zip(*self.fields.values(), strict=True)
        ]


def plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its span columns as lists of dicts (the published row's JSON
    form, for the per-row validators)."""
    return {k: v.dicts() if isinstance(v, SpanColumns) else v for k, v in row.items()}


def span_list(spans: Any) -> Any:
    """``spans`` as a list of dicts when they are :class:`SpanColumns` (a stored
    record's, :func:`builder.staging.load_columns`), else as they are."""
    return spans.dicts() if type(spans) is SpanColumns else spans
