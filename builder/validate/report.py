"""Validation issues and the report that collects them (Frictionless style).

Every issue says where it is (file, line or record, JSON pointer), which rule it
broke and what is wrong, so a maintainer can fix the input without a debugger.

Example:
    >>> report = ValidationReport()
    >>> report.add(Issue(file="sources.jsonl", line=3, record="a1", pointer="/url",
    ...                  rule="format", message="'x' is not a 'uri'"))
    >>> report.ok
    False
    >>> report.issues[0].location
    'sources.jsonl:3 [a1] /url'
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..atomic_files import atomic_file

__all__ = ["MAX_MESSAGE_CHARS", "Issue", "ValidationReport", "json_pointer", "shortened"]


def json_pointer(*keys: str | int) -> str:
    """The JSON pointer (RFC 6901) of a value at ``keys``: ``~`` and ``/`` in a key are
    escaped, so a split named ``a/b`` is not read as two levels.

    >>> json_pointer("splits", "ratios", "a/b")
    '/splits/ratios/a~1b'
    """
    return "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in keys)


#: Longest message an issue keeps: a message quotes values from the input, and a value
#: can be megabytes (a span over a whole article, a label or url of 5 MB): 400 spans over
#: a 1 MB article, each with a wrong ``text``, held 400 MB of messages (946 MB peak RSS).
MAX_MESSAGE_CHARS = 2000


def shortened(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` when at most ``limit`` characters, else its start and end around a note of
    how much is not shown.

    >>> shortened("a" * 30 + "b" * 30, 40)
    'aaaaaaaaaaaaaaaaaaaaaa … (34 characters not shown) … bbbbbb'
    """
    if len(text) <= limit:
        return text
    head, tail = limit * 11 // 20, limit * 3 // 20
    return f"{text[:head]} … ({len(text) - head - tail} characters not shown) … {text[len(text) - tail :]}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the input or in a produced row."""

    file: str
    rule: str
    message: str
    line: int | None = None
    record: str | None = None
    pointer: str = ""
    severity: str = "error"  # "error" fails the build; "warning" is reported only

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE_CHARS:
            object.__setattr__(self, "message", shortened(self.message))

    @property
    def location(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        if self.record is not None:
            where += f" [{self.record}]"
        if self.pointer:
            where += f" {self.pointer}"
        return where

    def __str__(self) -> str:
        return f"{self.location}: {self.rule}: {self.message}"

    def log_line(self) -> str:
        """One line, as compilers and linters print them, for logs and grep:
        ``FILE:LINE: severity rule: message (record, pointer)``.

        Line breaks inside values are shown as ``\\n``, so an issue is always one line.
        """
        where = self.file + (f":{self.line}" if self.line is not None else "")
        context = ", ".join(p for p in (self.record, self.pointer) if p)
        text = f"{where}: {self.severity} {self.rule}: {self.message}"
        text += f" ({context})" if context else ""
        return text.replace("\r", "\\r").replace("\n", "\\n")


@dataclass
class ValidationReport:
    """Issues collected across a run; errors never stop collection early."""

    issues: list[Issue] = field(default_factory=list)
    max_issues: int = 10_000
    dropped: int = 0
    dropped_errors: int = 0

    def add(self, issue: Issue) -> None:
        if len(self.issues) >= self.max_issues:
            self.dropped += 1  # keep memory bounded on a corpus that is wrong everywhere
            self.dropped_errors += issue.severity == "error"
            return
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.dropped_errors

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def counts_by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(i.rule for i in self.errors).items()))

    def to_dict(self) -> dict[str, object]:
        return {
            "valid": self.ok,
            "error_count": len(self.errors) + self.dropped_errors,
            "warning_count": len(self.warnings) + self.dropped - self.dropped_errors,
            "errors_by_rule": self.counts_by_rule(),
            "issues_not_listed": self.dropped,
            "issues": [{k: v for k, v in asdict(i).items()} for i in self.issues],
        }

    def write_json(self, path: Path) -> None:
        """Written whole or not at all (a full disk left half a report, or an old one
        cut short): a temporary file beside it, renamed over it. A link, device or pipe
        (``/dev/stdout``) is written through as it is."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            path.write_bytes(data)
            return
        with atomic_file(path) as handle:
            handle.write(data)
