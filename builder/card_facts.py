"""What the dataset card says, gathered from a finished build.

Streams over the staging index (a million published articles never become a
set in memory) and returns the Jinja2 context that ``dataset_card.md`` renders.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import __version__
from .batch_context import Context
from .card import sources_table
from .card_versions import render_load_snippet, render_versions
from .feature_types import field_table
from .rights import RightsSummary
from .staging import Staging
from .stats import UNKNOWN_PUBLISHER

if TYPE_CHECKING:
    from .pipeline import BuildResult

__all__ = ["SourceFacts", "add_splits", "card_context", "source_facts"]


@dataclass
class SourceFacts:
    """The published articles' source and annotation records as the card, ``croissant.json``
    and the manifest state them: one reading of every published source record.

    Independent of the splits, so a build takes them (:func:`source_facts`, in a thread
    of its own) while the split plan runs in the main thread, which leaves a core idle."""

    #: one row per publisher (:func:`builder.card.sources_table`), with its redistribution terms
    table: list[dict[str, Any]]
    rights: RightsSummary
    #: published articles whose redistribution is ``unknown``
    rights_unknown: int
    #: each annotator once, in the order of its first article
    annotators: list[dict[str, Any]]
    #: the CPU seconds the reading took (in the thread that took it)
    cpu_seconds: float = 0.0


def source_facts(staging: Staging) -> SourceFacts:
    """Read every published article's source record once (streamed: a table row per
    publisher is kept) and the distinct annotators; ``staging`` may be a read-only
    connection of the calling thread."""
    began = time.thread_time()
    rights = RightsSummary()
    redistribution: dict[str, set[str]] = {}
    rights_unknown = 0

    def source_rows() -> Iterator[dict[str, Any]]:
        """One row per published article, streamed (the table keeps one per publisher)."""
        nonlocal rights_unknown
        for rec in staging.published_sides("source"):
            r = rec.record
            rights.add(r)
            pub = r.get("published") or {}
            dates = "–".join(
                dict.fromkeys(d for d in (pub.get("earliest"), pub.get("latest")) if d)
            )
            row = {
                "publisher": r.get("publisher"),
                "published": dates or None,
                "rights": r["rights"]["statement"],
                "redistribution": r["rights"]["redistribution"],
                "url": r.get("url"),
            }
            key = row["publisher"] or UNKNOWN_PUBLISHER
            redistribution.setdefault(key, set()).add(row["redistribution"])
            rights_unknown += row["redistribution"] == "unknown"
            yield row

    table = sources_table(source_rows())
    for entry in table:
        entry["redistribution"] = ", ".join(sorted(redistribution.get(entry["publisher"], ())))
    annotators: dict[tuple[str, str], dict[str, Any]] = {}
    # each annotator once, in the order of its first article (stored apart from the records)
    for a in staging.published_card_fields("annotation"):
        annotators.setdefault(
            (a["kind"], a["name"]),
            {"kind": a["kind"], "name": a["name"], "note": a.get("note") or ""},
        )
    return SourceFacts(
        table=table,
        rights=rights,
        rights_unknown=rights_unknown,
        annotators=sorted(annotators.values(), key=lambda a: a["name"]),
        cpu_seconds=time.thread_time() - began,
    )


def card_context(ctx: Context, result: BuildResult, sources: SourceFacts) -> dict[str, Any]:
    """The card's context but for what needs the written Parquet (``metadata`` and
    ``splits``, set by :func:`add_splits`): taken while the splits are written.
    ``sources``: the published records' facts (:func:`source_facts`)."""
    config = ctx.config
    stats = result.stats
    plan = result.plan
    assert plan is not None
    rules = [{"rule": rule, **v} for rule, v in stats.rules_total().items()]
    per_source = [
        {"publisher": pub, "rule": rule, "edits": n, "chars": stats.rule_chars[pub][rule]}
        for pub, counter in sorted(stats.rule_edits.items())
        for rule, n in sorted(counter.items())
    ]
    return {
        "metadata": None,  # add_splits
        "card": config.raw.get("card", {}),
        "config": config,
        "toolkit_version": __version__,
        "counts": {
            "read": stats.stages["read"],
            "rejected": stats.stages["rejected"],
            "written": stats.stages["written"],
        },
        "sources": sources.table,
        "rights_unknown": sources.rights_unknown,
        "fields": field_table(ctx.store.schemas["row"], ctx.codec.features_dict),
        "splits": None,  # add_splits
        "split_policy": {
            "group_by": config.group_by,
            "threshold": config.near_duplicate_threshold,
            "salt": config.split_salt,
            "explicit": len(config.split_assignment),
        },
        "duplicates": {
            "exact": len(plan.exact_duplicates),
            "near_clusters": len(plan.near_duplicate_clusters),
            "near_articles": sum(map(len, plan.near_duplicate_clusters)),
        },
        "cleaning": {
            "steps": list(result.cleaning_steps) or ctx.step_names,
            "rules": rules,
            "per_source": per_source,
            "detokenize": config.detokenize,
        },
        "text_forms": dict(sorted(stats.text_forms.items())),
        "annotators": sources.annotators,
        "labels": {
            "entity": config.entity_labels,
            "genre": config.genre_labels,
            "text_form": config.text_form_labels,
        },
        "label_counts": {k: dict(sorted(v.items())) for k, v in stats.labels.items()}
        | {k: {} for k in ("entity", "genre", "quotes", "unlabelled") if k not in stats.labels},
        "declared_label_sets": list(config.declared_label_sets),
        "spans": dict(sorted(stats.spans.items())),
        "dropped_spans": dict(sorted(stats.dropped_reasons.items())),
        "accounting": {
            **result.accounting(),
            "per_source": [
                {"publisher": pub, **c}
                for pub, c in result.accounting()["articles"]["per_source"].items()
            ],
            "rejected_lines": sum(c["rejected"] for c in result.side_lines.values()),
        },
        "privacy": result.privacy_entry(),
        "load_snippet": render_load_snippet(
            load_name=config.repo_id or config.name, version=config.version
        ),
        "versions": render_versions(
            load_name=config.repo_id or config.name, version=config.version
        ),
    }


def add_splits(
    context: dict[str, Any], metadata: dict[str, Any], splits: dict[str, dict[str, int]]
) -> None:
    """The card's YAML metadata and its splits' figures, once the Parquet is written."""
    context["metadata"] = metadata
    context["splits"] = [{"name": n, **s} for n, s in splits.items()]
