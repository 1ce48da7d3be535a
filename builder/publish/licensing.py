"""Redistribution rights at publish time: who may receive the full texts.

Publishing full texts to a PUBLIC Hub repository stops, before anything is
uploaded, when any published source's redistribution terms are ``unknown`` or
``no`` (the build's ``manifest.json`` lists them under ``rights``), unless:

- the repository is private (``--private`` for a repository this publish
  creates; an existing repository's own visibility otherwise), or
- the maintainer takes the decision explicitly with
  ``--accept-redistribution-risk`` (``accept_redistribution_risk=True``).

Sources that withhold their text (``publish_full_text: false``) are never
counted: only hashes, offsets and labels of theirs are published.

Git targets are not stopped: whether a git repository is public cannot be
known from its path or URL (the embedded default target is a local folder),
so the publish says which sources are concerned and the card states it. The
card's "Rights" notice is rewritten with the decision taken, either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The notice itself is the build's (it writes the first one): a neutral module.
from ..card_notice import (
    ACCEPT_FLAG,
    NOTICE_END,
    NOTICE_START,
    build_notice,
    publisher_names,
    render_notice,
    replace_notice,
)
from .target import PublishError

__all__ = [
    "ACCEPT_FLAG",
    "NOTICE_END",
    "NOTICE_START",
    "RedistributionDecision",
    "build_notice",
    "decide",
    "render_notice",
    "replace_notice",
]


def _restricted(manifest: Mapping[str, Any], build_dir: Path | None) -> list[dict[str, Any]]:
    rights = manifest.get("rights")
    if not isinstance(rights, Mapping):
        # A build made before the manifest had a "rights" entry: read the rows themselves.
        return _restricted_in_rows(build_dir) if build_dir is not None else []
    return [r for r in rights.get("restricted_full_text") or [] if isinstance(r, Mapping)]


def _restricted_in_rows(build_dir: Path) -> list[dict[str, Any]]:
    """The same list as the build's, from the Parquet rows (batch by batch, three columns)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ..rights import RESTRICTED_TERMS
    from ..stats import UNKNOWN_PUBLISHER

    counts: dict[str, dict[str, int]] = {}
    for path in sorted((build_dir / "data").glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(columns=["text", "source"]):
            source = batch.column("source")
            keep = pc.is_valid(batch.column("text"))
            publishers = pc.filter(pc.struct_field(source, "publisher"), keep).to_pylist()
            terms = pc.filter(pc.struct_field(source, "redistribution"), keep).to_pylist()
            for publisher, term in zip(publishers, terms, strict=True):
                term = term or "unknown"
                if term in RESTRICTED_TERMS:
                    entry = counts.setdefault(publisher or UNKNOWN_PUBLISHER, {})
                    entry[term] = entry.get(term, 0) + 1
    return [
        {"publisher": name, "articles": sum(t.values()), "terms": dict(sorted(t.items()))}
        for name, t in sorted(counts.items())
    ]


def _terms(entry: Mapping[str, Any]) -> str:
    terms = entry.get("terms") or {}
    return "; ".join(f"{n} article(s) with redistribution: {t}" for t, n in terms.items())


@dataclass(frozen=True)
class RedistributionDecision:
    """What was decided for the full texts whose redistribution terms are unknown or refused."""

    restricted: list[dict[str, Any]]
    #: "public", "private" or "unknown" (a git repository)
    visibility: str
    accepted: bool

    def statement(self) -> str:
        """The card's notice for this release."""
        if not self.restricted:
            return build_notice({"restricted_full_text": []})
        articles = sum(int(r.get("articles", 0)) for r in self.restricted)
        what = (
            f"{articles} full text(s) from {len(self.restricted)} publisher(s) "
            f"({publisher_names(self.restricted)}) whose redistribution terms are unknown or refused"
        )
        if self.visibility == "private":
            return f"Published to a private repository: it holds {what}."
        if self.visibility == "public":
            return (
                f"Published to a public repository with {what}: the maintainer confirmed "
                f"this explicitly ({ACCEPT_FLAG}) and remains responsible for it. Each "
                "publisher remains the rights holder of its texts; ask for removal through "
                "the contact below."
            )
        return (
            f"Published to a git repository whose visibility this tool cannot know, with "
            f"{what}. Check the repository's audience before sharing it."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "visibility": self.visibility,
            "accepted_redistribution_risk": self.accepted,
            "restricted_full_text": self.restricted,
        }


def decide(
    manifest: Mapping[str, Any],
    *,
    visibility: str,
    accept: bool,
    where: str,
    build_dir: Path | None = None,
) -> RedistributionDecision:
    """The decision for one publish; PublishError when it must stop (nothing sent yet)."""
    restricted = _restricted(manifest, build_dir)
    decision = RedistributionDecision(restricted, visibility, accept and bool(restricted))
    if restricted and visibility == "public" and not accept:
        lines = "\n".join(f"  - {r.get('publisher')}: {_terms(r)} article(s)" for r in restricted)
        raise PublishError(
            f"refusing to publish full texts to the PUBLIC {where}: {len(restricted)} "
            f"publisher(s) have redistribution terms that are unknown or refused "
            f"({publisher_names(restricted)}):\n{lines}\n"
            "Nothing was uploaded. Publish to a private repository (--private), withhold "
            "those texts (publish_full_text: false in their source records, then rebuild), or "
            f"take the decision explicitly with {ACCEPT_FLAG} (the card will say so)."
        )
    return decision
