"""Exceptions that carry a report instead of a traceback to the user."""

from __future__ import annotations

from .validate.report import Issue, ValidationReport

__all__ = ["BuildError", "DataError", "UsageError"]


class BuildError(Exception):
    """Base class: an expected failure that the CLI reports without a traceback."""

    exit_code = 1


class DataError(BuildError):
    """The input data is invalid; ``report`` lists every issue found."""

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report or ValidationReport()
        #: the one issue the message is (:meth:`single`), which the printed report shows
        self.issue: Issue | None = None

    @classmethod
    def single(cls, issue: Issue) -> DataError:
        report = ValidationReport()
        report.add(issue)
        error = cls(str(issue), report)
        error.issue = issue
        return error


class UsageError(BuildError):
    """The command was called wrongly (bad option, missing path)."""

    exit_code = 2
