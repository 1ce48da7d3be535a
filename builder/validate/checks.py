"""Checks a JSON Schema cannot express: spans against their text, labels, references.

The same span checks run twice: on annotations against the raw text, and on
published rows against the clean text, so a bug in anchoring cannot publish a
span that points at the wrong characters.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ..span_columns import SpanColumns
from .report import MAX_MESSAGE_CHARS, Issue, shortened

__all__ = [
    "CheckedColumns",
    "LabelSets",
    "check_annotation",
    "check_row",
    "check_source_dates",
    "check_spans",
]

LabelSets = Mapping[str, Sequence[str]]


def check_spans(
    spans: Iterable[Mapping[str, Any]] | SpanColumns,
    text: str | None,
    *,
    pointer: str,
    where: dict[str, Any],
    label_set: Sequence[str] | None = None,
    seen_ids: set[str],
    columns: dict[str, CheckedColumns] | None = None,
) -> list[Issue]:
    """Bounds, order, text equality, label membership and id uniqueness of spans.

    ``spans``: a list of span dicts, or the spans as columns (a stored record's:
    :func:`builder.staging.load_columns`), checked column-wise, or, on any doubt,
    as dicts by the located loop (:func:`_located_issues`). ``columns``: when given,
    spans with no issue, checked by the whole-list pass, leave there under
    ``pointer`` their :class:`CheckedColumns` (the anchoring takes them from there).

    Spans that are not a list, a span that is not an object and a text that is not
    a string are the schema's to report: skipped here (the text taken as unusable),
    so a record of the wrong shape gets its located schema errors, not an exception."""
    labels = set(label_set) if label_set is not None else None
    if not isinstance(text, str):
        text = None
    if type(spans) is SpanColumns:
        checked = _none_found_in_columns(spans, text, labels, seen_ids)
        if checked is not None:
            if columns is not None:
                columns[pointer] = checked
            return []
        spans = spans.dicts()
    elif type(spans) is list:
        found = _none_found(spans, text, labels, seen_ids)
        if found is not None:
            if columns is not None:
                columns[pointer] = _columns(*found)
            return []
    elif not _many(spans):
        return []
    return _located_issues(spans, text, labels, pointer=pointer, where=where, seen_ids=seen_ids)


def _located_issues(
    spans: Iterable[Any],
    text: str | None,
    labels: set[str] | None,
    *,
    pointer: str,
    where: dict[str, Any],
    seen_ids: set[str],
) -> list[Issue]:
    """:func:`check_spans`'s located loop: each issue of each span, in span order, at
    its span's pointer (formatted only when the span has an issue: most have none)."""
    issues: list[Issue] = []
    # Spans labelled when the dataset declares no entity set: one issue for the record,
    # at the first (the set is missing once, in dataset.yaml; an issue per span was
    # hundreds, each saying the same).
    undeclared: dict[int, Any] = {}
    undeclared_at = 0
    for i, span in enumerate(spans):
        if not isinstance(span, Mapping):
            continue
        sid = span.get("id")
        if _seen_before(sid, seen_ids):
            issues.append(
                Issue(
                    **where,
                    pointer=f"{pointer}/{i}/id",
                    rule="unique-span-id",
                    message=f"span id {sid!r} is used twice",
                )
            )
        if labels and not _among(span.get("label"), labels):
            issues.append(
                Issue(
                    **where,
                    pointer=f"{pointer}/{i}/label",
                    rule="label-set",
                    message=f"label {span.get('label')!r} is not in the label set {sorted(labels)}",
                )
            )
        elif labels is not None and not labels:
            if not undeclared:
                undeclared_at = len(issues)
            undeclared[i] = span.get("label")
        offsets = _offsets_issue(span, text, where=where, pointer=pointer, i=i)
        if offsets is not None:
            issues.append(offsets)
    if undeclared:
        issues.insert(undeclared_at, _undeclared_entity_set(undeclared, where, pointer))
    return issues


def _seen_before(sid: Any, seen_ids: set[str]) -> bool:
    """Whether ``sid`` is already in ``seen_ids`` (a new id is added there). A value
    that is not an id to compare (unhashable: the schema reports its type) is neither."""
    if not _hashable(sid):
        return False
    if sid in seen_ids:
        return True
    seen_ids.add(sid)
    return False


def _offsets_issue(
    span: Mapping[str, Any], text: str | None, *, where: dict[str, Any], pointer: str, i: int
) -> Issue | None:
    """The first issue of span ``i``'s offsets: ``start`` before ``end``, then, when
    the text is usable, ``end`` within it and the span's ``text`` the text there
    (offsets that are not integers are the schema's to report)."""
    start, end = span.get("start"), span.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None  # the schema reports the type
    if start >= end:
        return Issue(
            **where,
            pointer=f"{pointer}/{i}",
            rule="span-order",
            message=f"start {start} is not before end {end}",
        )
    if text is None:
        return None
    if end > len(text):
        return Issue(
            **where,
            pointer=f"{pointer}/{i}/end",
            rule="span-bounds",
            message=f"end {end} is past the end of the text ({len(text)} characters)",
        )
    expected = span.get("text")
    if expected is not None and not _same_text(text, start, end, expected):
        found = _excerpt(text, start, end)
        return Issue(
            **where,
            pointer=f"{pointer}/{i}/text",
            rule="span-text",
            message=f"span text {shortened(repr(expected))} does not match the text at [{start}, {end}): {found}",
        )
    return None


def _same_text(text: str, start: int, end: int, expected: Any) -> bool:
    """Whether ``text[start:end]`` is ``expected``, the lengths compared first: a span over
    a whole article with a one-character ``text`` copied the article once a span."""
    if not isinstance(expected, str) or len(expected) != end - start:
        return False
    return text[start:end] == expected


def _excerpt(text: str, start: int, end: int, limit: int = MAX_MESSAGE_CHARS // 2) -> str:
    """``text[start:end]`` quoted, its start and end only when it is longer than ``limit``
    (the whole of it was copied into each message)."""
    if end - start <= limit:
        return repr(text[start:end])
    head, tail = limit * 3 // 4, limit // 4
    hidden = end - start - head - tail
    return f"{text[start : start + head]!r} … ({hidden} characters not shown) … {text[end - tail : end]!r}"


def _undeclared_entity_set(
    undeclared: Mapping[int, Any], where: dict[str, Any], pointer: str
) -> Issue:
    first = min(undeclared)
    names = sorted({repr(v) for v in undeclared.values()})
    more = f" and {len(undeclared) - 1} more span(s)" if len(undeclared) > 1 else ""
    return Issue(
        **where,
        pointer=f"{pointer}/{first}/label",
        rule="label-set",
        message=f"label {undeclared[first]!r}{more} (labels {', '.join(names[:10])}"
        f"{', ...' if len(names) > 10 else ''}), but the dataset declares no entity label set"
        " (labels.entity in dataset.yaml)",
    )


def _many(values: Any) -> bool:
    """Whether ``values`` is a collection of items to check (a JSON array; not a
    string, an object or a number, whose type the schema reports)."""
    return isinstance(values, Iterable) and not isinstance(values, (str, bytes, Mapping))


def _hashable(value: Any) -> bool:
    """Whether ``value`` can be a set's member (a JSON value: not a list or an object)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _among(value: Any, members: set[Any]) -> bool:
    """``value in members``; an unhashable value (a list, an object) is in no set."""
    return _hashable(value) and value in members


#: a span's values the checks read, as one tuple made in C (KeyError: a key missing)
_FIELDS = operator.itemgetter("id", "start", "end", "text")
_LABEL = operator.itemgetter("label")


class CheckedColumns(NamedTuple):
    """A span list's values as :func:`check_spans` found them with no issue (each
    list the spans' own values, in the record's order)."""

    ids: list[Any]
    starts: list[int]
    ends: list[int]
    #: None when a span has no text (only a span with a text had it compared)
    texts: list[str] | None
    #: None without a label set (quotes)
    labels: list[Any] | None
    #: the starts strictly increasing (the published order needs no sort)
    increasing: bool


def _columns(rows: list[tuple[Any, ...]], labels: list[Any] | None) -> CheckedColumns:
    if not rows:
        return CheckedColumns([], [], [], [], None if labels is None else [], True)
    ids, starts, ends, texts = map(list, zip(*rows, strict=True))
    increasing = all(map(operator.lt, starts, starts[1:]))
    return CheckedColumns(ids, starts, ends, None if None in texts else texts, labels, increasing)


def _none_found(
    spans: list[Mapping[str, Any]], text: str | None, labels: set[str] | None, seen: set[str]
) -> tuple[list[tuple[Any, ...]], list[Any] | None] | None:
    """Each span's values (id, start, end, text) and labels (None without a label
    set), with the span ids added to ``seen``, when :func:`check_spans`'s located
    loop (:func:`_located_issues`) would find no issue: the same rules on each
    span's values taken as one tuple (one call per span, not four ``get``), nothing
    located. Anything else (a key missing, a value not an ``int``, a rule broken)
    gives None, ``seen`` untouched, and the loop then finds and locates each issue
    as it always has."""
    try:
        rows = list(map(_FIELDS, spans))
        found = list(map(_LABEL, spans)) if labels is not None else None
        if labels is not None and not labels.issuperset(found):  # type: ignore[arg-type]
            return None
    except (KeyError, TypeError):  # a key missing (the schema's), a span not a dict,
        return None  # an unhashable label
    length = len(text) if text is not None else 0
    ids: set[str] = set()
    add = ids.add
    try:
        for sid, start, end, expected in rows:
            if sid in ids or sid in seen:
                return None
            add(sid)
            if type(start) is not int or type(end) is not int or start >= end:
                return None
            if text is not None and (
                end > length or (expected is not None and text[start:end] != expected)
            ):
                return None
    except TypeError:  # an unhashable id: the loop says what it says of it
        return None
    seen.update(ids)
    return rows, found


_INT = {int}


def _none_found_in_columns(
    spans: SpanColumns, text: str | None, labels: set[str] | None, seen: set[str]
) -> CheckedColumns | None:
    """:func:`_none_found` on spans as columns: the same rules, each a pass in C over
    a whole column (one set of the ids, one ``issuperset`` of the labels, one type
    set per offset column, a ``map`` of ``<``, one ``max``, and the text slices
    compared as one list). Anything in doubt (a key missing, a rule broken) gives
    None, ``seen`` untouched: the located loop then runs on the spans as dicts."""
    fields = spans.fields
    try:
        ids, starts, ends, texts = fields["id"], fields["start"], fields["end"], fields["text"]
        found = fields["label"] if labels is not None else None
        if labels is not None and not labels.issuperset(found):  # type: ignore[arg-type]
            return None
        unique = set(ids)
    except (KeyError, TypeError):  # a key missing, an unhashable id or label
        return None
    if len(unique) != len(ids) or not unique.isdisjoint(seen):
        return None
    if not ids:
        return CheckedColumns([], [], [], [], None if labels is None else [], True)
    if set(map(type, starts)) != _INT or set(map(type, ends)) != _INT:
        return None
    if not all(map(operator.lt, starts, ends)):
        return None
    if text is not None:
        if max(ends) > len(text):
            return None
        slices = [text[s:e] for s, e in zip(starts, ends, strict=True)]
        if slices != texts and (
            None not in texts
            # a span without a text has none compared (the loop's rule)
            or any(t is not None and t != c for t, c in zip(texts, slices, strict=True))
        ):
            return None
    seen.update(unique)
    increasing = all(map(operator.lt, starts, starts[1:]))
    return CheckedColumns(ids, starts, ends, None if None in texts else texts, found, increasing)


def _check_doc_labels(
    labels: Mapping[str, Any], sets: LabelSets, where: dict[str, Any], pointer: str
) -> list[Issue]:
    issues: list[Issue] = []
    if not isinstance(labels, Mapping):
        return issues  # the schema reports the type
    for name in ("genre", "text_form"):
        value = labels.get(name)
        if value is not None and not sets[name]:
            issues.append(
                Issue(
                    **where,
                    pointer=f"{pointer}/{name}",
                    rule="label-set",
                    message=f"{name} {value!r}, but the dataset declares no {name} label set"
                    f" (labels.{name} in dataset.yaml)",
                )
            )
        elif value is not None and value not in sets[name]:
            issues.append(
                Issue(
                    **where,
                    pointer=f"{pointer}/{name}",
                    rule="label-set",
                    message=f"{name} {value!r} is not in the label set {list(sets[name])}",
                )
            )
    return issues


def _check_speakers(
    quotes: Sequence[Mapping[str, Any]] | SpanColumns,
    entity_ids: set[str],
    where: dict[str, Any],
    pointer: str,
    key: str,
) -> list[Issue]:
    if type(quotes) is SpanColumns:
        try:
            unknown = set(quotes.fields.get(key) or ()) - entity_ids - {None}
        except TypeError:  # an unhashable speaker: the loop says what it says of it
            unknown = None
        if unknown == set():
            return []
        quotes = quotes.dicts()
    if not _many(quotes):
        return []  # the schema reports the type
    return [
        Issue(
            **where,
            pointer=f"{pointer}/{i}/{key}",
            rule="speaker-ref",
            message=f"speaker {q[key]!r} is not an entity id of this article",
        )
        for i, q in enumerate(quotes)
        if isinstance(q, Mapping)
        and (speaker := q.get(key)) is not None
        and not _among(speaker, entity_ids)
    ]


def check_annotation(
    ann: Mapping[str, Any],
    raw: str | None,
    sets: LabelSets,
    *,
    file: str,
    line: int | None,
    columns: dict[str, CheckedColumns] | None = None,
) -> list[Issue]:
    """An annotation record against its article's raw text (``None``: text unusable).

    ``columns``: gets the entity and quote spans' :class:`CheckedColumns` under
    ``/entities`` and ``/quotes`` when they have no issue (see :func:`check_spans`).
    A record that is not an object has nothing to check here (the schema reports it)."""
    if not isinstance(ann, Mapping):
        return []
    where = {"file": file, "line": line, "record": ann.get("article_id")}
    seen: set[str] = set()
    entities = ann.get("entities", [])
    quotes = ann.get("quotes", [])
    issues = check_spans(
        entities,
        raw,
        pointer="/entities",
        where=where,
        label_set=sets["entity"],
        seen_ids=seen,
        columns=columns,
    )
    entity_ids = set(seen)
    issues += check_spans(
        quotes, raw, pointer="/quotes", where=where, seen_ids=seen, columns=columns
    )
    issues += _check_speakers(quotes, entity_ids, where, "/quotes", "speaker")
    issues += _check_doc_labels(ann.get("labels", {}), sets, where, "/labels")
    return issues


def check_row(row: Mapping[str, Any], sets: LabelSets, *, file: str = "<row>") -> list[Issue]:
    """A published row against its own clean text (a row that is not an object has
    nothing to check here: the schema reports it)."""
    if not isinstance(row, Mapping):
        return []
    where = {"file": file, "line": None, "record": row.get("id")}
    seen: set[str] = set()
    text = row.get("text")
    issues = check_spans(
        row.get("entities", []),
        text,
        pointer="/entities",
        where=where,
        label_set=sets["entity"],
        seen_ids=seen,
    )
    entity_ids = set(seen)
    issues += check_spans(
        row.get("quotes", []), text, pointer="/quotes", where=where, seen_ids=seen
    )
    issues += _check_speakers(row.get("quotes", []), entity_ids, where, "/quotes", "speaker_id")
    issues += _check_doc_labels(row, sets, where, "")
    return issues


def check_source_dates(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(pointer, message) for every date window of a source record whose earliest
    date is after its latest (the schema checks each date, not the pair)."""
    import datetime as dt

    out = []
    for key in ("published", "captured"):
        window = record.get(key)
        if not isinstance(window, Mapping):
            continue
        earliest, latest = window.get("earliest"), window.get("latest")
        if not (isinstance(earliest, str) and isinstance(latest, str)):
            continue
        try:
            first, last = dt.date.fromisoformat(earliest), dt.date.fromisoformat(latest)
        except ValueError:
            continue  # the schema's format check reports it
        if first > last:
            out.append(
                (f"/{key}", f"the window's earliest date {earliest} is after its latest {latest}")
            )
    return out
