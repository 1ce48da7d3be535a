"""Annotations follow their text through cleaning.

A span placed in the raw text (as given, or found again by its quote when the
record was made on another version of the text: :mod:`builder.reanchor`) is mapped
through the edit log of cleaning onto the clean text by :func:`anchor_annotation`.
Cleaning that deletes every character of a span orphans it (reason: the rules that
removed it).

Each span ends ``anchored`` (found at its position, characters untouched by
cleaning; offsets may shift), ``moved`` (found by its quote, or its characters
or edges changed by cleaning) or ``orphaned``. Orphans fail the build, or, when
the configuration says ``drop`` (``annotations.on_orphan`` for spans not found,
``annotations.on_removed_span`` for spans cleaned away), are dropped and counted
with their reason. Nothing is dropped silently.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .clean.edits import RawEdit, map_span
from .reanchor import Placed
from .span_columns import SpanColumns, span_list
from .validate.checks import CheckedColumns
from .validate.report import Issue

__all__ = ["AnchoredSpans", "anchor_annotation"]

ENTITY_KEYS = ("id", "start", "end", "text", "label")
QUOTE_KEYS = ("id", "start", "end", "text", "speaker_id")


def _no_spans(*keys: str) -> Callable[[], SpanColumns]:
    return lambda: SpanColumns.trusted({k: [] for k in keys}, 0)


@dataclass
class AnchoredSpans:
    #: the kept entity spans on the clean text: id, start, end, text, label
    entity_columns: SpanColumns = field(default_factory=_no_spans(*ENTITY_KEYS))
    #: the kept quote spans on the clean text: id, start, end, text, speaker_id
    quote_columns: SpanColumns = field(default_factory=_no_spans(*QUOTE_KEYS))
    #: status -> count: anchored, moved, orphaned (and dropped, speaker_dropped)
    status: Counter[str] = field(default_factory=Counter)
    #: how the kept spans were placed in the raw text: position, quote, fuzzy
    methods: Counter[str] = field(default_factory=Counter)
    #: reason -> count of orphaned spans ("removed by boilerplate.x", "not found ...")
    orphan_reasons: Counter[str] = field(default_factory=Counter)
    #: reason of removal -> count of dropped spans
    dropped_reasons: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The entity spans as dicts (the published row's JSON form)."""
        return self.entity_columns.dicts()

    @property
    def quotes(self) -> list[dict[str, Any]]:
        return self.quote_columns.dicts()


def _removal_reason(reasons: Sequence[str]) -> str:
    """The rules that removed a span; white-space trimming around them is not a reason."""
    parts = list(dict.fromkeys(r for reason in reasons for r in reason.split("+")))
    kept = [r for r in parts if not r.startswith("whitespace.")]
    return "+".join(kept or parts)


#: past the last edit: no edit starts there
_NO_EDIT = np.iinfo(np.int64).max


def _shift_untouched(
    edits: Sequence[RawEdit], starts: list[int], ends: list[int]
) -> tuple[list[int], list[int], list[int]]:
    """Clean offsets of every span no edit touches, by one ``searchsorted`` over the
    edit log; returns (starts, ends, indices of the spans an edit touches), whose
    offsets :func:`map_span` computes one at a time (they need its full rules)."""
    if not edits or not starts:
        return starts, ends, []
    n = len(edits)
    # One array of the log's offsets (a row per edit), then a few numpy calls per
    # record: a record has ~100 spans and a handful of edits, so the calls are the cost.
    offsets = np.array(list(map(_EDIT_OFFSETS, edits)), dtype=np.int64)
    # raw start of edit i, and past the last edit: no edit
    next_start = np.empty(n + 1, dtype=np.int64)
    next_start[:n] = offsets[:, 0]
    next_start[n] = _NO_EDIT
    # clean - raw in the gap before edit i (0 before the first)
    shifts = np.empty(n + 1, dtype=np.int64)
    shifts[0] = 0
    np.subtract(offsets[:, 2], offsets[:, 1], out=shifts[1:])
    s = np.array(starts, dtype=np.int64)
    e = np.array(ends, dtype=np.int64)
    lo = np.ascontiguousarray(offsets[:, 1]).searchsorted(
        s, side="right"
    )  # map_span's bisect_right
    # An edit from lo on starts before the span ends: touched (an empty span, too).
    touched = (next_start[lo] < e) | (s >= e)
    shift = shifts[lo]
    return (
        (s + shift).tolist(),
        (e + shift).tolist(),
        touched.nonzero()[0].tolist() if touched.any() else [],
    )


_EDIT_OFFSETS = operator.attrgetter("raw_start", "raw_end", "clean_end")


def _map(
    spans: Sequence[Mapping[str, Any]],
    kind: str,
    edits: Sequence[RawEdit],
    out: AnchoredSpans,
    *,
    on_removed: str,
    methods: Mapping[str, str],
    where: dict[str, Any],
) -> tuple[Sequence[Mapping[str, Any]], list[int], list[int], bool]:
    """The kept spans, their clean starts and ends, counted in ``out``, and whether
    every kept span's characters are untouched by cleaning (its clean text is then
    the quote it came with, see :func:`_clean_texts`)."""
    starts = list(map(_START, spans))
    ends = list(map(_END, spans))
    new_starts, new_ends, touched = _shift_untouched(edits, starts, ends)
    if not touched and not methods:
        # The common case: every span kept where it was, its text untouched. Counted
        # as the loop below counts each (method first, then status).
        if spans:
            out.methods["position"] += len(spans)
            out.status["anchored"] += len(spans)
        return spans, new_starts, new_ends, True
    mapped_by_index = {i: map_span(edits, starts[i], ends[i]) for i in touched}
    kept: list[Mapping[str, Any]] = []
    kept_starts: list[int] = []
    kept_ends: list[int] = []
    for i, span in enumerate(spans):
        mapped = mapped_by_index.get(i)
        if mapped is None:
            start, end, changed = new_starts[i], new_ends[i], False
        elif mapped.status == "removed":
            reasons = _removal_reason(mapped.reasons)
            out.status["orphaned"] += 1
            out.orphan_reasons[f"removed by {reasons}"] += 1
            if on_removed == "drop":
                out.status["dropped"] += 1
                out.dropped_reasons[reasons] += 1
                out.issues.append(
                    Issue(
                        **where,
                        pointer=f"/{kind}/{i}",
                        rule="span-dropped",
                        severity="warning",
                        message=f"span {span['id']} {span['text']!r} lies in text removed by {reasons}; dropped as configured",
                    )
                )
            else:
                out.issues.append(
                    Issue(
                        **where,
                        pointer=f"/{kind}/{i}",
                        rule="span-removed",
                        message=f"span {span['id']} {span['text']!r} lies in text removed by {reasons} (set annotations.on_removed_span: drop to drop such spans)",
                    )
                )
            continue
        else:
            start, end, changed = mapped.start, mapped.end, mapped.status == "moved"
        method = methods.get(str(span["id"]), "position") if methods else "position"
        out.methods[method] += 1
        if method != "position":
            out.status[f"reanchored_{method}"] += 1
        moved = changed or method != "position"
        out.status["moved" if moved else "anchored"] += 1
        kept.append(span)
        kept_starts.append(start)
        kept_ends.append(end)
    return kept, kept_starts, kept_ends, False


def anchor_annotation(
    ann: Mapping[str, Any],
    clean: str,
    edits: Sequence[RawEdit],
    *,
    on_removed: str = "fail",
    placed: Placed | None = None,
    file: str = "",
    line: int | None = None,
    entity_columns: CheckedColumns | None = None,
    quote_columns: CheckedColumns | None = None,
) -> AnchoredSpans:
    """Map one annotation record's raw spans through the edit log onto ``clean``.

    ``placed`` is the result of :func:`place_annotation` for this record (its
    record is the one to pass as ``ann``); its counts are carried over.
    ``ann`` is a record ``check_annotation`` found no error in (its sole caller,
    :func:`builder.article_stages.process_article`, anchors no other): every span's
    ``text`` equals its raw characters, so a span no edit touches keeps it.
    ``entity_columns``, ``quote_columns``: the record's spans as ``check_annotation``
    found them (no issue): when no edit touches any of them, they are the published
    columns as they are, offsets shifted (else the spans are read again from the
    record, whose span lists may be columns: :func:`builder.staging.load_columns`).
    """
    out = AnchoredSpans()
    methods = placed.methods if placed is not None else {}
    if placed is not None:
        out.status.update(placed.status)
        out.orphan_reasons.update(placed.orphan_reasons)
        if placed.status["dropped"]:  # only orphans not found are dropped while placing
            out.dropped_reasons["not found in the raw text"] += placed.status["dropped"]
    where = {"file": file, "line": line, "record": ann.get("article_id")}
    kw = {"on_removed": on_removed, "methods": methods, "where": where}
    # both lists' offsets shifted by one pass over the edit log (counted below, in order)
    entity_shift, quote_shift = (
        _shift_checked(edits, entity_columns, quote_columns) if not methods else (None, None)
    )
    shifted = _shifted(entity_columns, entity_shift, out)
    if shifted is not None:
        assert entity_columns is not None
        ids, starts = entity_columns.ids, shifted[0]
        entities = SpanColumns.trusted(
            {
                "id": ids,
                "start": starts,
                "end": shifted[1],
                "text": entity_columns.texts,
                "label": entity_columns.labels,
            },
            len(ids),
        )
        # unshifted (no edit): the order check_annotation saw
        entity_increasing = (
            entity_columns.increasing if starts is entity_columns.starts else _increasing(starts)
        )
    else:
        spans, starts, ends, untouched = _map(
            span_list(ann.get("entities", [])), "entities", edits, out, **kw
        )
        ids = list(map(_ID, spans))
        entities = SpanColumns.trusted(
            {
                "id": ids,
                "start": starts,
                "end": ends,
                "text": _clean_texts(clean, spans, starts, ends, untouched),
                "label": list(map(_LABEL, spans)),
            },
            len(ids),
        )
        entity_increasing = _increasing(starts)
    record_quotes = ann.get("quotes", [])
    shifted = _shifted(quote_columns, quote_shift, out)
    if shifted is not None:
        assert quote_columns is not None
        quote_ids, (starts, ends) = quote_columns.ids, shifted
        texts = quote_columns.texts
        speakers = _speakers(record_quotes)
        quote_increasing = (
            quote_columns.increasing if starts is quote_columns.starts else _increasing(starts)
        )
    else:
        spans, starts, ends, untouched = _map(span_list(record_quotes), "quotes", edits, out, **kw)
        quote_ids, texts = (
            list(map(_ID, spans)),
            _clean_texts(clean, spans, starts, ends, untouched),
        )
        speakers = list(map(_SPEAKER, spans))
        quote_increasing = _increasing(starts)
    kept_ids = set(ids) if speakers else set()
    for i, speaker in enumerate(speakers):
        if speaker is not None and speaker not in kept_ids:
            out.status["speaker_dropped"] += 1
            speakers[i] = None
    quotes = SpanColumns.trusted(
        {"id": quote_ids, "start": starts, "end": ends, "text": texts, "speaker_id": speakers},
        len(speakers),
    )
    # Published span order: by position, then id, so rows are deterministic (spans
    # already in order of strictly increasing start, the usual case, need no sort).
    out.entity_columns = entities if entity_increasing else _sorted(entities)
    out.quote_columns = quotes if quote_increasing else _sorted(quotes)
    return out


#: (clean starts, clean ends, indices of the spans an edit touches) of a span list
Shift = tuple[list[int], list[int], list[int]]


def _shift_checked(
    edits: Sequence[RawEdit], *columns: CheckedColumns | None
) -> tuple[Shift | None, ...]:
    """:func:`_shift_untouched` of each of the checked span lists (None: not checked,
    or without texts), all in one call (its numpy calls are the cost, not the spans)."""
    usable = [c if c is not None and c.texts is not None else None for c in columns]
    if not edits:  # nothing cleaned: the offsets as they are (the same lists)
        return tuple(None if c is None else (c.starts, c.ends, []) for c in usable)
    starts = [s for c in usable if c is not None for s in c.starts]
    ends = [e for c in usable if c is not None for e in c.ends]
    new_starts, new_ends, touched = _shift_untouched(edits, starts, ends)
    out: list[Shift | None] = []
    at = 0
    for c in usable:
        if c is None:
            out.append(None)
            continue
        n = len(c.starts)
        mine = [i - at for i in touched if at <= i < at + n]
        out.append((new_starts[at : at + n], new_ends[at : at + n], mine))
        at += n
    return tuple(out)


def _shifted(
    columns: CheckedColumns | None, shift: Shift | None, out: AnchoredSpans
) -> tuple[list[int], list[int]] | None:
    """The clean starts and ends of the spans ``check_annotation`` checked (their
    :class:`CheckedColumns`, ``shift`` their :func:`_shift_checked`), when no edit
    touches any of them (counted in ``out`` as :func:`_map` counts them), else None
    (the spans go the full way)."""
    if columns is None or shift is None or shift[2]:
        return None
    if columns.ids:
        out.methods["position"] += len(columns.ids)
        out.status["anchored"] += len(columns.ids)
    return shift[0], shift[1]


def _speakers(quotes: Sequence[Mapping[str, Any]] | SpanColumns) -> list[Any]:
    """Each quote's speaker (None when it has none), a new list."""
    if type(quotes) is SpanColumns:
        found = quotes.fields.get("speaker")
        return [None] * len(quotes) if found is None else list(found)
    return list(map(_SPEAKER, quotes))


def _clean_texts(
    clean: str,
    spans: Sequence[Mapping[str, Any]],
    starts: list[int],
    ends: list[int],
    untouched: bool,
) -> list[str]:
    """Each kept span's characters in the clean text: ``clean[start:end]``.

    When no edit touches any of the spans (``untouched``, most records), those are
    the raw characters each span's quote ``text`` was checked against
    (``check_annotation``, before cleaning: an article with a span whose text
    differs is rejected there), so the quotes themselves are taken: no new string
    per span (slicing a non-ASCII text costs about 0.4 µs a span). The row check
    compares every published span's text with the clean text again (``span-text``,
    ``validate/table.py``), so a record that broke that rule could not publish it."""
    if untouched:
        try:
            texts = list(map(_TEXT, spans))
        except (KeyError, TypeError):
            texts = None
        if texts is not None and _all_str(texts):
            return texts
    return _slices(clean, starts, ends)


def _all_str(values: list[Any]) -> bool:
    """Every value a ``str``, in one pass in C (a None or a number makes ``join`` raise)."""
    try:
        "".join(values)
    except TypeError:
        return False
    return True


def _slices(text: str, starts: list[int], ends: list[int]) -> list[str]:
    """``text[s:e]`` for each span (a comprehension: a third faster than
    ``map(text.__getitem__, map(slice, ...))``, which makes a slice object each)."""
    return [text[s:e] for s, e in zip(starts, ends, strict=True)]


def _sorted(spans: SpanColumns) -> SpanColumns:
    """The spans by (start, end, id), stably (the order of ``list.sort`` on their dicts)."""
    keys = list(zip(spans.column("start"), spans.column("end"), spans.column("id"), strict=True))
    return spans.taken(sorted(range(len(keys)), key=keys.__getitem__))


def _increasing(values: list[int]) -> bool:
    return all(map(operator.lt, values, values[1:]))


_ID = operator.itemgetter("id")
_LABEL = operator.itemgetter("label")
_SPEAKER = operator.methodcaller("get", "speaker")
_TEXT = operator.itemgetter("text")
_START = operator.itemgetter("start")
_END = operator.itemgetter("end")
