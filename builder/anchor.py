"""Annotations follow their text: through raw-text changes and through cleaning.

Every annotation span is stored with a position (``start``, ``end`` in the raw
text) and a quote (its exact ``text`` with up to 32 characters of ``prefix`` and
``suffix``, as in the W3C Web Annotation TextQuoteSelector). Anchoring is two
stages:

1. :func:`place_annotation`, on the **raw** text, only for a record made on
   another version of it (its ``text_sha256`` differs, see
   :func:`needs_reanchoring`; other records' offsets are checked as given): a
   span stays where it is when the raw text still holds its quote there with
   the best context (``position``). Otherwise it is found again by its quote: every
   exact occurrence is scored by how much of the prefix and suffix it shares,
   ties going to the nearest (``quote``); failing that, approximately, within an
   edit distance of one character in ten (``fuzzy``, reported for review).
   A span found nowhere is an **orphan**.
2. :func:`anchor_annotation`, onto the **clean** text: the placed raw span is
   mapped through the edit log of cleaning. Cleaning that deletes every
   character of a span orphans it too (reason: the rules that removed it).

Each span ends ``anchored`` (found at its position, characters untouched by
cleaning; offsets may shift), ``moved`` (found by its quote, or its characters
or edges changed by cleaning) or ``orphaned``. Orphans fail the build, or, when
the configuration says ``drop`` (``annotations.on_orphan`` for spans not found,
``annotations.on_removed_span`` for spans cleaned away), are dropped and counted
with their reason. Nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .clean.edits import RawEdit, map_span
from .span_columns import SpanColumns, span_list
from .validate.checks import CheckedColumns
from .validate.report import Issue

__all__ = [
    "CONTEXT_CHARS",
    "AnchoredSpans",
    "Placed",
    "anchor_annotation",
    "locate",
    "needs_reanchoring",
    "place_annotation",
    "quote_selector",
    "text_digest",
]

#: Characters of prefix and suffix kept with each span (W3C TextQuoteSelector).
CONTEXT_CHARS = 32
#: Approximate matches: at most one edit per this many characters (plus one) ...
FUZZY_CHARS_PER_EDIT = 10
#: ... and only for quotes this long; shorter ones ("Iran") match exactly or not at all.
FUZZY_MIN_CHARS = 6
#: Where to look first for a moved quote: this far around its old position; the
#: whole text is searched approximately only when it is at most this long.
NEAR_WINDOW = 4096
FUZZY_MAX_TEXT = 500_000
KINDS = ("entities", "quotes")
ENTITY_KEYS = ("id", "start", "end", "text", "label")
QUOTE_KEYS = ("id", "start", "end", "text", "speaker_id")


def quote_selector(text: str, start: int, end: int) -> dict[str, str]:
    """The quote of ``text[start:end]``: exact text, prefix and suffix.

    Example:
        >>> quote_selector("Iran said no. Israel said yes.", 14, 20)
        {'text': 'Israel', 'prefix': 'Iran said no. ', 'suffix': ' said yes.'}
    """
    return {
        "text": text[start:end],
        "prefix": text[max(0, start - CONTEXT_CHARS) : start],
        "suffix": text[end : end + CONTEXT_CHARS],
    }


@dataclass(frozen=True)
class Location:
    start: int
    end: int
    method: str  # position | quote | fuzzy


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def _exact(text: str, quote: str, old_start: int, prefix: str, suffix: str) -> int | None:
    best: tuple[int, int] | None = None
    found: int | None = None
    pos = text.find(quote)
    while pos >= 0:
        key = (-_context_score(text, pos, pos + len(quote), prefix, suffix), abs(pos - old_start))
        if best is None or key < best:
            best, found = key, pos
        pos = text.find(quote, pos + 1)
    return found


def _fuzzy(text: str, quote: str, old_start: int, prefix: str, suffix: str) -> Location | None:
    if len(quote) < FUZZY_MIN_CHARS:
        return None
    bound = 1 + len(quote) // FUZZY_CHARS_PER_EDIT
    cutoff = 100.0 * (1 - bound / len(quote)) - 1
    lo = max(0, old_start - NEAR_WINDOW)
    windows = [(lo, text[lo : old_start + NEAR_WINDOW])]
    if len(text) <= FUZZY_MAX_TEXT:
        windows.append((0, text))
    for window_start, window in windows:
        # Context first: prefix + quote + suffix pins a short quote down.
        needle = prefix + quote + suffix
        hit = fuzz.partial_ratio_alignment(needle, window, score_cutoff=cutoff)
        if hit is not None:
            s = max(0, hit.dest_start + len(prefix) - bound)
            e = min(len(window), hit.dest_end - len(suffix) + bound)
            sub = fuzz.partial_ratio_alignment(quote, window[s:e], score_cutoff=cutoff)
            hit = None if sub is None else (s + sub.dest_start, s + sub.dest_end)
        else:
            plain = fuzz.partial_ratio_alignment(quote, window, score_cutoff=cutoff)
            hit = None if plain is None else (plain.dest_start, plain.dest_end)
        if hit is None:
            continue
        start, end = _refine(window, quote, *hit)
        if Levenshtein.distance(quote, window[start:end]) <= bound and start < end:
            return Location(window_start + start, window_start + end, "fuzzy")
    return None


def _refine(text: str, quote: str, start: int, end: int, slack: int = 3) -> tuple[int, int]:
    """Nudge an alignment's edges to the closest match (alignments can be a character off)."""
    best = (Levenshtein.distance(quote, text[start:end]), abs(end - start - len(quote)), start, end)
    for s in range(max(0, start - slack), start + slack + 1):
        for e in range(max(s + 1, end - slack), min(len(text), end + slack) + 1):
            cand = (Levenshtein.distance(quote, text[s:e]), abs(e - s - len(quote)), s, e)
            best = min(best, cand)
    return best[2], best[3]


def locate(text: str, span: Mapping[str, Any]) -> Location | None:
    """Where ``span`` is in ``text``: by position, then by quote, exactly then approximately.

    Example:
        >>> span = {"start": 0, "end": 6, "text": "Israel", "prefix": "", "suffix": " said"}
        >>> locate("Israel said yes.", span)
        Location(start=0, end=6, method='position')
        >>> locate("Earlier, Israel said yes.", span)
        Location(start=9, end=15, method='quote')
        >>> locate("Earlier, Isreal said yes.", {**span, "text": "Israel said"})
        Location(start=9, end=20, method='fuzzy')
        >>> locate("Nobody spoke.", span) is None
        True
    """
    start, end, quote = span.get("start"), span.get("end"), span.get("text")
    if not isinstance(quote, str) or not quote:
        return None
    prefix, suffix = span.get("prefix") or "", span.get("suffix") or ""
    at_position = (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end
        and text[start:end] == quote
    )
    if at_position and not (prefix or suffix):
        return Location(start, end, "position")
    old = start if isinstance(start, int) else 0
    # The quote at the old position is kept only if no other occurrence shares more
    # of its context: the text may have moved so another copy now sits there.
    found = _exact(text, quote, old, prefix, suffix)
    if found is not None:
        return Location(found, found + len(quote), "position" if found == start else "quote")
    return _fuzzy(text, quote, old, prefix, suffix)


def text_digest(text: str) -> str:
    """The ``text_sha256`` of an annotation record made on ``text`` (UTF-8, hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def needs_reanchoring(ann: Mapping[str, Any], raw: str, policy: str = "changed") -> bool:
    """Whether the spans of ``ann`` are to be found again in ``raw`` by their quotes.

    An annotation record says which text it was made on with ``text_sha256``. When
    that is the current raw text, or when the record does not say, its offsets are
    checked as given: a span out of bounds or with the wrong text is an error, not
    something to repair. Only a record made on another version of the text is
    re-anchored. ``policy`` is ``annotations.reanchor``: ``changed`` (the rule
    above), ``always`` (also records without ``text_sha256``) or ``never``.

    Example:
        >>> needs_reanchoring({"text_sha256": text_digest("old")}, "new")
        True
        >>> needs_reanchoring({"text_sha256": text_digest("new")}, "new")
        False
        >>> needs_reanchoring({}, "new"), needs_reanchoring({}, "new", "always")
        (False, True)
    """
    if policy == "never":
        return False
    made_on = ann.get("text_sha256")
    if not isinstance(made_on, str):
        return policy == "always"
    return made_on != text_digest(raw)


@dataclass
class Placed:
    """An annotation record with every span placed in the current raw text."""

    record: dict[str, Any]
    #: span id -> how it was placed (position, quote, fuzzy)
    methods: dict[str, str] = field(default_factory=dict)
    #: counts: orphaned, dropped, speaker_dropped
    status: Counter[str] = field(default_factory=Counter)
    orphan_reasons: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)


def place_annotation(
    ann: Mapping[str, Any],
    raw: str,
    *,
    on_orphan: str = "fail",
    file: str = "",
    line: int | None = None,
) -> Placed:
    """Place every span of ``ann`` in ``raw`` (see :func:`locate`).

    A span that cannot be placed is an orphan: an error naming it (its original
    position and text stay in the record, so the span checks that follow report
    it too), or, with ``on_orphan="drop"``, a warning and the span is dropped;
    a quote whose speaker was dropped keeps no speaker.
    """
    where = {"file": file, "line": line, "record": ann.get("article_id")}
    record: dict[str, Any] = {k: v for k, v in ann.items() if k not in KINDS}
    out = Placed(record)
    dropped: set[str] = set()
    moved = 0
    for kind in KINDS:
        kept = []
        for i, span in enumerate(ann.get(kind, [])):
            if not isinstance(span, Mapping):
                kept.append(span)  # the schema check reports it
                continue
            loc = locate(raw, span)
            if loc is None:
                out.status["orphaned"] += 1
                out.orphan_reasons["not found in the raw text"] += 1
                message = (
                    f"span {span.get('id')} {span.get('text')!r} is not at [{span.get('start')}, "
                    f"{span.get('end')}) and its quote is nowhere in the raw text"
                )
                if on_orphan == "drop":
                    out.status["dropped"] += 1
                    dropped.add(str(span.get("id")))
                    out.issues.append(
                        Issue(
                            **where,
                            pointer=f"/{kind}/{i}",
                            rule="span-orphaned",
                            severity="warning",
                            message=message + "; dropped as configured",
                        )
                    )
                    continue
                out.issues.append(
                    Issue(
                        **where,
                        pointer=f"/{kind}/{i}",
                        rule="span-orphaned",
                        message=message + " (set annotations.on_orphan: drop to drop such spans)",
                    )
                )
                kept.append(span)
                continue
            out.methods[str(span.get("id"))] = loc.method
            if loc.method == "position":
                kept.append(span)
                continue
            moved += 1
            new = {**span, "start": loc.start, "end": loc.end, "text": raw[loc.start : loc.end]}
            if loc.method == "fuzzy":
                out.issues.append(
                    Issue(
                        **where,
                        pointer=f"/{kind}/{i}",
                        rule="span-reanchored",
                        severity="warning",
                        message=f"span {span.get('id')} {span.get('text')!r} re-anchored approximately"
                        f" at [{loc.start}, {loc.end}): {new['text']!r}; please review",
                    )
                )
            kept.append(new)
        record[kind] = kept
    for q in record.get("quotes", []):
        if isinstance(q, dict) and q.get("speaker") in dropped:
            q["speaker"] = None
            out.status["speaker_dropped"] += 1
    if moved:
        out.issues.append(
            Issue(
                **where,
                rule="raw-text-changed",
                severity="warning",
                message=f"{moved} span(s) no longer at their recorded position were re-anchored by their quote",
            )
        )
    return out


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
    :func:`builder.process.process_article`, anchors no other): every span's
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
