"""Text in the forms the cleaner's tests write a page in."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenized(text: str) -> str:
    """Lowercased and tokenized line by line, as older corpora have it
    (``Share: Facebook, X`` -> ``share : facebook , x``)."""
    return "\n".join(" ".join(_TOKEN.findall(ln.casefold())) for ln in text.split("\n"))
