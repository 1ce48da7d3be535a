"""What a build or validation found and produced: :class:`BuildResult`, with the
record accounting (read = published + rejected) and the privacy entry the manifest
and the card state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import DatasetConfig
from .pii import PrivacySummary
from .splits import SplitPlan
from .stats import BuildStats
from .validate.report import ValidationReport

__all__ = ["BuildResult"]


@dataclass
class BuildResult:
    """What a build or validation found and produced."""

    config: DatasetConfig | None
    report: ValidationReport
    stats: BuildStats = field(default_factory=BuildStats)
    plan: SplitPlan | None = None
    out: Path | None = None
    manifest: dict[str, Any] | None = None
    quarantine: bool = False
    #: side-record file -> {"read", "accepted", "rejected"} line counts
    side_lines: dict[str, Counter[str]] = field(default_factory=dict)
    privacy: PrivacySummary | None = None
    #: the cleaning steps' names, in order, as the batches ran them (for the card)
    cleaning_steps: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.report.ok

    def accounting(self) -> dict[str, Any]:
        """Every record read and what became of it: read = published + rejected."""
        stages = self.stats.stages
        return {
            "mode": "quarantine" if self.quarantine else "strict",
            "articles": {
                "read": stages["read"],
                "published": stages["accepted"],
                "rejected": stages["rejected"],
                "per_source": {
                    pub: {
                        "read": c["read"],
                        "published": c["accepted"],
                        "rejected": c["rejected"],
                    }
                    for pub, c in sorted(self.stats.per_source.items())
                },
            },
            "side_records": {
                name: {k: c[k] for k in ("read", "accepted", "rejected")}
                for name, c in sorted(self.side_lines.items())
            },
        }

    def privacy_entry(self) -> dict[str, Any]:
        """What ``manifest.json`` says under ``privacy`` (the publish step reads it)."""
        config = self.config
        summary = self.privacy or PrivacySummary()
        scan = bool(config and config.privacy_scan)
        block = bool(config and config.block_publish_on_findings)
        return {
            "scan": scan,
            "kinds": list(config.privacy_kinds) if scan and config else [],
            **summary.to_dict(),
            "block_publish_on_findings": block,
            "publish_blocked": block and summary.total > 0,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "out": str(self.out) if self.out else None,
            "counts": dict(self.stats.stages),
            "accounting": self.accounting(),
            "privacy": self.privacy_entry(),
            "splits": self.manifest["splits"] if self.manifest else None,
            "report": self.report.to_dict(),
        }
