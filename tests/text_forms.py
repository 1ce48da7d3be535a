"""Text in the forms the cleaner's tests write a page in."""

from __future__ import annotations

import re
from collections.abc import Callable

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner, CleanResult

_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenized(text: str) -> str:
    """Lowercased and tokenized line by line, as older corpora have it
    (``Share: Facebook, X`` -> ``share : facebook , x``)."""
    return "\n".join(" ".join(_TOKEN.findall(ln.casefold())) for ln in text.split("\n"))


def in_form(lowercased: bool) -> Callable[[str], str]:
    """The page as written (cased) or as an older corpus has it (lowercased, tokenized)."""
    return tokenized if lowercased else (lambda text: text)


def clean_rebuilt(raw: str) -> CleanResult:
    """The default cleaner's result, whose edits must rebuild ``raw`` exactly."""
    result = Cleaner.default().clean(raw)
    assert rebuild_raw(result.text, result.edits) == raw
    return result
