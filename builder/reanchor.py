"""Annotations made on another version of the raw text, found again in the current one.

Every annotation span is stored with a position (``start``, ``end`` in the raw
text) and a quote (its exact ``text`` with up to 32 characters of ``prefix`` and
``suffix``, as in the W3C Web Annotation TextQuoteSelector).
:func:`place_annotation` runs only for a record made on another version of the raw
text (its ``text_sha256`` differs, see :func:`needs_reanchoring`; other records'
offsets are checked as given): a span stays where it is when the raw text still
holds its quote there with the best context (``position``). Otherwise it is found
again by its quote: every exact occurrence is scored by how much of the prefix and
suffix it shares, ties going to the nearest (``quote``); failing that,
approximately, within an edit distance of one character in ten (``fuzzy``,
reported for review). A span found nowhere is an **orphan**: an error, or dropped
and counted when ``annotations.on_orphan`` says ``drop``.

The placed spans then follow cleaning in :mod:`builder.anchor`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .validate.report import Issue

__all__ = [
    "CONTEXT_CHARS",
    "KINDS",
    "Placed",
    "locate",
    "needs_reanchoring",
    "place_annotation",
    "quote_selector",
    "text_digest",
]

#: The span lists of an annotation record.
KINDS = ("entities", "quotes")
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
