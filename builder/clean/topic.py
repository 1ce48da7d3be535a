"""What a line is about: its words, less the ones too common to tell.

Shared by the steps that compare a line with the article around it (the repeated
header, the trailing teasers, the boilerplate lines' subheadings).
"""

from __future__ import annotations

import re

__all__ = [
    "ASKING",
    "LIST_MARKER",
    "SENTENCE_END",
    "TOPIC_OVERLAP",
    "casefolded_words",
    "content_words",
    "stem",
]


def casefolded_words(line: str) -> list[str]:
    return re.findall(r"\w+", line.casefold())


SENTENCE_END = re.compile(r"[.!?…:;\"”’')\]]\s*$")

#: Words too common to tell what a line is about.
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "as",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "that",
        "this",
        "it",
        "its",
        "his",
        "her",
        "their",
        "they",
        "he",
        "she",
        "we",
        "you",
        "i",
        "not",
        "but",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "should",
        "said",
        "says",
        "after",
        "over",
        "into",
        "about",
        "than",
        "more",
        "most",
        "also",
    ]
)


#: Words that make a line a question without saying what it asks about.
ASKING = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "why",
        "when",
        "where",
        "can",
        "does",
        "did",
        "may",
        "might",
        "must",
        "shall",
        "happens",
        "next",
        "now",
        "need",
        "know",
    ]
)


#: A list item's marker: a bullet or a number ("- Lisbon", "• Porto", "2. Madeira").
LIST_MARKER = re.compile(r"([-–•*·▪►]|\d{1,2}[.)])\s")
#: A line sharing this share of its content words with the article is about it.
TOPIC_OVERLAP = 0.34


def stem(word: str) -> str:
    """A word without its plural ending, so "emails" meets "email"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def content_words(text: str) -> set[str]:
    """The words that say what a text is about: no stop words, three letters and more."""
    return {w for w in casefolded_words(text) if w not in _STOP and len(w) > 2}
