"""Annotations follow the text: raw-offset spans are mapped onto the clean text.

Each span ends as ``anchored`` (its characters untouched), ``moved`` (an edge or
a character inside was edited; the span now covers the edited region) or
``removed`` (all of it was cleaned away). A removed span is never dropped
silently: it fails the build, or, when the configuration says ``drop``, it is
dropped and counted with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clean.edits import RawEdit, map_span
from .validate.report import Issue

__all__ = ["AnchoredSpans", "anchor_annotation"]


@dataclass
class AnchoredSpans:
    entities: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    #: status -> count ("anchored", "moved", "removed", "dropped")
    status: Counter[str] = field(default_factory=Counter)
    #: reason of removal -> count of dropped spans
    dropped_reasons: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)


def _map(
    spans: Sequence[Mapping[str, Any]],
    kind: str,
    edits: Sequence[RawEdit],
    clean: str,
    out: AnchoredSpans,
    *,
    on_removed: str,
    where: dict[str, Any],
) -> list[tuple[Mapping[str, Any], dict[str, Any]]]:
    kept = []
    for i, span in enumerate(spans):
        mapped = map_span(edits, span["start"], span["end"])
        out.status[mapped.status] += 1
        if mapped.status == "removed":
            reasons = "+".join(mapped.reasons)
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
        kept.append(
            (
                span,
                {
                    "id": span["id"],
                    "start": mapped.start,
                    "end": mapped.end,
                    "text": clean[mapped.start : mapped.end],
                },
            )
        )
    return kept


def anchor_annotation(
    ann: Mapping[str, Any],
    clean: str,
    edits: Sequence[RawEdit],
    *,
    on_removed: str = "fail",
    file: str = "",
    line: int | None = None,
) -> AnchoredSpans:
    """Map one annotation record's spans through the edit log onto ``clean``."""
    out = AnchoredSpans()
    where = {"file": file, "line": line, "record": ann.get("article_id")}
    for src, new in _map(
        ann.get("entities", []), "entities", edits, clean, out, on_removed=on_removed, where=where
    ):
        out.entities.append({**new, "label": src["label"]})
    kept_ids = {e["id"] for e in out.entities}
    for src, new in _map(
        ann.get("quotes", []), "quotes", edits, clean, out, on_removed=on_removed, where=where
    ):
        speaker = src.get("speaker")
        if speaker is not None and speaker not in kept_ids:
            out.status["speaker_dropped"] += 1
            speaker = None
        out.quotes.append({**new, "speaker_id": speaker})
    # Published span order: by position, then id, so rows are deterministic.
    out.entities.sort(key=lambda s: (s["start"], s["end"], s["id"]))
    out.quotes.sort(key=lambda s: (s["start"], s["end"], s["id"]))
    return out
