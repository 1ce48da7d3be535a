"""What the published sources allow: redistribution terms per publisher, and how texts were obtained.

Gathered once per build from the published articles' source records (streamed,
one entry per publisher kept) and written to ``manifest.json`` under
``rights``; the publish step reads it there to decide whether full texts may go
to a public repository (:mod:`builder.publish.licensing`), and the card and
``croissant.json`` state it.

A publisher is *restricted* when the full text of at least one of its published
articles is in the build (``publish_full_text`` is not false) and that
article's ``redistribution`` is ``unknown`` or ``no``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .stats import UNKNOWN_PUBLISHER

__all__ = ["RESTRICTED_TERMS", "RightsSummary", "summarize_rights"]

#: Redistribution values under which publishing a full text needs the maintainer's decision.
RESTRICTED_TERMS = ("unknown", "no")


@dataclass
class _Publisher:
    articles: int = 0
    full_text: int = 0
    #: redistribution value -> articles published with full text under it
    terms: Counter[str] = field(default_factory=Counter)


@dataclass
class RightsSummary:
    """Per-publisher rights facts of one build."""

    publishers: dict[str, _Publisher] = field(default_factory=dict)
    #: ``obtained.method`` -> articles
    methods: Counter[str] = field(default_factory=Counter)
    withheld: int = 0

    def add(self, record: Mapping[str, Any]) -> None:
        rights = record.get("rights") or {}
        name = record.get("publisher") or UNKNOWN_PUBLISHER
        entry = self.publishers.setdefault(name, _Publisher())
        entry.articles += 1
        obtained = record.get("obtained") or {}
        self.methods[str(obtained.get("method") or "unknown")] += 1
        if rights.get("publish_full_text") is False:
            self.withheld += 1
            return
        entry.full_text += 1
        entry.terms[str(rights.get("redistribution") or "unknown")] += 1

    def restricted(self) -> list[dict[str, Any]]:
        """Publishers whose full texts are published under unknown or refused terms."""
        out = []
        for name, entry in sorted(self.publishers.items()):
            terms = {t: n for t, n in sorted(entry.terms.items()) if t in RESTRICTED_TERMS}
            if terms:
                out.append({"publisher": name, "articles": sum(terms.values()), "terms": terms})
        return out

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``rights`` entry."""
        return {
            "restricted_terms": list(RESTRICTED_TERMS),
            "restricted_full_text": self.restricted(),
            "withheld_articles": self.withheld,
            "publishers": len(self.publishers),
            "obtained": dict(sorted(self.methods.items())),
        }


def summarize_rights(records: Iterable[Mapping[str, Any]]) -> RightsSummary:
    """Summarise the source records of the published articles."""
    summary = RightsSummary()
    for record in records:
        summary.add(record)
    return summary
