"""Counters gathered per batch and merged: every record read is accounted for."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["UNKNOWN_PUBLISHER", "BuildStats", "StageTimings"]

UNKNOWN_PUBLISHER = "(unknown publisher)"


def _nested() -> defaultdict[str, Counter[str]]:
    return defaultdict(Counter)


@dataclass
class StageTimings:
    """CPU seconds and records per stage (as datatrove's per-step stats).

    CPU time of the process that ran the stage (a worker's, or the parent's), so
    stages in workers add up across workers. Not deterministic, so kept out of
    :meth:`BuildStats.to_dict` (``build_report.json`` must be byte-identical
    across rebuilds); ``builder build --profile`` prints and writes them.
    """

    seconds: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    #: stage -> where it runs ("worker" or "parent"), in first-seen order
    where: dict[str, str] = field(default_factory=dict)

    def timed(
        self,
        stage: str,
        records: int = 1,
        *,
        where: str = "worker",
        clock: Callable[[], float] = time.process_time,
    ) -> _Timed:
        """Count the CPU seconds of the block under ``stage``: the whole process's
        (pyarrow's threads work for the caller), or ``clock=time.thread_time`` for a
        stage that runs beside a thread of other work."""
        return _Timed(self, stage, records, where, clock)

    def merge(self, other: StageTimings) -> None:
        self.seconds.update(other.seconds)
        self.records.update(other.records)
        for stage, where in other.where.items():
            self.where.setdefault(stage, where)

    def to_dict(self) -> dict[str, Any]:
        total = sum(self.seconds.values()) or 1.0
        return {
            stage: {
                "where": where,
                "cpu_seconds": round(self.seconds[stage], 4),
                "records": self.records[stage],
                "ms_per_record": round(1000 * self.seconds[stage] / max(1, self.records[stage]), 4),
                "share": round(self.seconds[stage] / total, 4),
            }
            for stage, where in self.where.items()
        }


class _Timed:
    """The block of :meth:`StageTimings.timed`: a plain object, not a generator-based
    context manager, as a build enters some 35,000 of them (seven per article), and
    ``contextlib``'s generator machinery cost about 5 µs each (0.2 CPU s on 5,000
    articles) outside every stage."""

    __slots__ = ("_clock", "_records", "_stage", "_start", "_timings", "_where")

    def __init__(
        self,
        timings: StageTimings,
        stage: str,
        records: int,
        where: str,
        clock: Callable[[], float],
    ) -> None:
        self._timings = timings
        self._stage = stage
        self._records = records
        self._where = where
        self._clock = clock
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = self._clock()

    def __exit__(self, *exc: object) -> None:
        timings = self._timings
        stage = self._stage
        timings.seconds[stage] += self._clock() - self._start
        timings.records[stage] += self._records
        if stage not in timings.where:
            timings.where[stage] = self._where


@dataclass
class BuildStats:
    """Record counts per stage, per source, per cleaning rule and per anchoring status."""

    stages: Counter[str] = field(default_factory=Counter)  # read, cleaned, rejected, written
    per_source: defaultdict[str, Counter[str]] = field(default_factory=_nested)
    rule_edits: defaultdict[str, Counter[str]] = field(
        default_factory=_nested
    )  # publisher -> rule -> edits
    rule_chars: defaultdict[str, Counter[str]] = field(
        default_factory=_nested
    )  # publisher -> rule -> chars
    spans: Counter[str] = field(default_factory=Counter)  # anchored, moved, orphaned, dropped
    dropped_reasons: Counter[str] = field(default_factory=Counter)
    anchor_methods: Counter[str] = field(default_factory=Counter)  # position, quote, fuzzy
    orphan_reasons: Counter[str] = field(default_factory=Counter)
    labels: defaultdict[str, Counter[str]] = field(
        default_factory=_nested
    )  # label set -> label -> count
    text_forms: Counter[str] = field(default_factory=Counter)
    timings: StageTimings = field(default_factory=StageTimings)

    def merge(self, other: BuildStats) -> None:
        self.stages.update(other.stages)
        self.timings.merge(other.timings)
        self.spans.update(other.spans)
        self.dropped_reasons.update(other.dropped_reasons)
        self.anchor_methods.update(other.anchor_methods)
        self.orphan_reasons.update(other.orphan_reasons)
        self.text_forms.update(other.text_forms)
        for mine, theirs in (
            (self.per_source, other.per_source),
            (self.rule_edits, other.rule_edits),
            (self.rule_chars, other.rule_chars),
            (self.labels, other.labels),
        ):
            for key, counter in theirs.items():
                mine[key].update(counter)

    def rules_total(self) -> dict[str, dict[str, int]]:
        """rule -> {edits, chars} over all sources."""
        out: dict[str, dict[str, int]] = {}
        for publisher, counter in self.rule_edits.items():
            for rule, n in counter.items():
                entry = out.setdefault(rule, {"edits": 0, "chars": 0})
                entry["edits"] += n
                entry["chars"] += self.rule_chars[publisher][rule]
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        def plain(d: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
            return {k: dict(sorted(v.items())) for k, v in sorted(d.items())}

        return {
            "stages": dict(sorted(self.stages.items())),
            "per_source": plain(self.per_source),
            "cleaning": {
                "rules": self.rules_total(),
                "edits_per_source": plain(self.rule_edits),
                "chars_per_source": plain(self.rule_chars),
            },
            # The three outcomes always, so a zero reads as zero, not as unknown.
            "spans": dict(sorted({"anchored": 0, "moved": 0, "orphaned": 0, **self.spans}.items())),
            "dropped_span_reasons": dict(sorted(self.dropped_reasons.items())),
            "anchoring": {
                "methods": dict(sorted(self.anchor_methods.items())),
                "orphan_reasons": dict(sorted(self.orphan_reasons.items())),
            },
            "labels": plain(self.labels),
            "text_forms": dict(sorted(self.text_forms.items())),
        }
