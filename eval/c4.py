"""C4-style line filtering, the baseline the cleaner is compared with.

The line rules of C4 (Raffel et al. 2020) as datatrove's ``C4QualityFilter``
applies them (``split_paragraph=True``, its defaults): a line is kept only if it
ends in terminal punctuation (``. ? ! " '``, not an ellipsis), has at least three
words, has no word over 1000 characters, and mentions neither "javascript" nor a
policy phrase ("terms of use", "privacy policy", "cookie policy", "uses cookies",
"use of cookies", "use cookies"); Wikipedia-style citation marks are removed.

C4 also drops whole pages (fewer than five sentences, "lorem ipsum", a curly
bracket). Those are document filters, not cleaning; :func:`c4_page_dropped` says
whether C4 would have dropped the page, and the evaluation reports the count.
"""

from __future__ import annotations

import re

__all__ = ["c4_clean", "c4_page_dropped"]

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
ELLIPSIS = "..."
POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
MIN_WORDS_PER_LINE = 3
MAX_WORD_LENGTH = 1000
MIN_SENTENCES = 5
# A plain sentence splitter stands in for nltk's punkt (only used to count sentences).
_SENTENCE = re.compile(r"[^.!?]+[.!?]+[\"'”’)]*")


def _kept_lines(text: str) -> list[str]:
    kept = []
    for line in text.splitlines():
        line = line.strip()
        words = line.split()
        if any(len(w) > MAX_WORD_LENGTH for w in words):
            continue
        line = CITATION.sub("", line)
        if not line.endswith(END_PUNCTUATION) or line.endswith(ELLIPSIS):
            continue
        if len(words) < MIN_WORDS_PER_LINE:
            continue
        lower = line.lower()
        if "javascript" in lower:
            continue
        if any(p in lower for p in POLICY_SUBSTRINGS):
            continue
        kept.append(line)
    return kept


def c4_clean(text: str) -> str:
    """The page after C4's line filters (lines joined by newlines)."""
    return "\n".join(_kept_lines(text)).strip()


def c4_page_dropped(text: str) -> bool:
    """Whether C4's page filters would drop the whole page."""
    lower = text.lower()
    if "lorem ipsum" in lower or "{" in text:
        return True
    sentences = sum(len(_SENTENCE.findall(line)) or 1 for line in _kept_lines(text))
    return sentences < MIN_SENTENCES
