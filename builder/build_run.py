"""The state of one build or validation while inputs are staged and batches run,
and the quarantine: ``rejects.jsonl`` streamed as records are rejected.

In strict mode a rejected record's errors go to the report (and fail the build);
in quarantine mode they become warnings, the record goes to ``rejects.jsonl`` with
its reasons, and an article named by a rejected side record is *tainted*: rejected
unread (:func:`builder.stage_inputs.reject_tainted`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import DatasetConfig
from .pii import PrivacySummary
from .processes import LazyPool
from .staging import Staging
from .stats import BuildStats
from .validate.report import Issue, ValidationReport
from .validate.schemas import SchemaStore

if TYPE_CHECKING:
    from .splits import SplitPlanner

__all__ = ["BuildRun", "Rejects", "quarantined", "store_path"]


class Rejects:
    """``rejects.jsonl``, streamed to the workspace as records are rejected (flat memory)."""

    def __init__(self, path: Path, *, enabled: bool) -> None:
        self.path = path
        self.enabled = enabled
        self.count = 0
        self._handle = path.open("w", encoding="utf-8") if enabled else None

    def add(self, entry: dict[str, Any], issues: Iterable[Issue]) -> None:
        self.count += 1
        if self._handle is not None:
            reasons = [asdict(i) for i in issues if i.severity == "error"]
            self._handle.write(json.dumps({**entry, "reasons": reasons}, ensure_ascii=False))
            self._handle.write("\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def quarantined(issue: Issue) -> Issue:
    """An error that rejected its record instead of the build: kept, as a warning."""
    if issue.severity != "error":
        return issue
    return replace(issue, severity="warning", message=f"quarantined: {issue.message}")


@dataclass
class BuildRun:
    """State of one build or validation while inputs are staged and batches run."""

    config: DatasetConfig
    store: SchemaStore
    report: ValidationReport
    staging: Staging
    rejects: Rejects
    quarantine: bool
    stats: BuildStats = field(default_factory=BuildStats)
    side_lines: dict[str, Counter[str]] = field(default_factory=dict)
    #: article id -> why it is rejected before it is read (quarantine only)
    tainted: dict[str, list[Issue]] = field(default_factory=dict)
    privacy: PrivacySummary = field(default_factory=PrivacySummary)
    pool: LazyPool = field(default_factory=lambda: LazyPool(1))
    #: the cleaning steps' names, as the batches report them (the card's, through
    #: :attr:`BuildResult.cleaning_steps`: the parent builds no cleaner to name them)
    cleaning_steps: tuple[str, ...] = ()
    #: the split plan's index, given each batch's facts as they come (None: not planned)
    planner: SplitPlanner | None = None
    #: a side-input file the configuration names is not there, or none of its records
    #: could be read (an error): the articles are then not processed, as each would only
    #: repeat that error ("no source record", "no annotation record")
    inputs_unread: bool = False
    #: an article shard (or pattern) whose articles were not all read, for messages: a
    #: side record naming no article read is then not an error of its own (its article
    #: may be in that shard)
    articles_unread: str | None = None

    def reject_line(
        self, kind: str, file: str, line: int | None, article_id: str | None, issues: list[Issue]
    ) -> None:
        """A side-record line that cannot be used."""
        self.side_lines.setdefault(file, Counter())["rejected"] += 1
        self.reject_record(
            f"{kind}-line", f"rejected-{kind}", f"its {kind} record", file, line, article_id, issues
        )

    def reject_record(
        self,
        kind: str,
        rule: str,
        what: str,
        file: str,
        line: int | None,
        article_id: str | None,
        issues: list[Issue],
    ) -> None:
        """An input record that is unusable as it stands: its issues are errors, or in
        quarantine a reject of kind ``kind``, and its article (if it names one) is
        rejected with it (``rule``), as ``what`` ("its source record") at ``file:line``."""
        if not self.quarantine:
            self.report.extend(issues)
            return
        self.report.extend(quarantined(i) for i in issues)
        self.rejects.add({"kind": kind, "file": file, "line": line, "id": article_id}, issues)
        if article_id is not None:
            rules = sorted({i.rule for i in issues if i.severity == "error"})
            self.tainted.setdefault(article_id, []).append(
                Issue(
                    file=file,
                    line=line,
                    record=article_id,
                    rule=rule,
                    message=f"{what} at {file}:{line} was rejected ({', '.join(rules)})",
                )
            )


def store_path(run: BuildRun) -> Path:
    """The shard store: raw texts read from shards, beside the staging database."""
    return run.staging.path.with_name("articles.sqlite")
