"""The cleaner takes any page with wordless lines ("***", "—", "|") anywhere in it: it
neither raises nor loses a character of the raw text (the edit log rebuilds it).

Real pages carry such lines as rules between blocks, and a rule that reads a line's
first word must not assume it has one: a rule line under an author's bio once raised
IndexError. Each of our own evaluation pages (cased and lowercased-tokenized) is tried
with such lines inserted at random places, seeded, so a failure is reproducible.
"""

from __future__ import annotations

import random

import pytest

from builder.clean.edits import rebuild_raw
from builder.clean.pipeline import Cleaner
from eval.corpus import generate

WORDLESS = ["***", "* * *", "—", "|", "•", ":", "...", "#", "-", "©", "• • •", "_____"]
VARIANTS = 8


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.default()


def _variants(raw: str, rng: random.Random) -> list[str]:
    out = []
    for _ in range(VARIANTS):
        lines = raw.split("\n")
        for _ in range(rng.randint(1, 6)):
            lines.insert(rng.randint(0, len(lines)), rng.choice(WORDLESS))
        out.append("\n".join(lines))
    return out


def test_wordless_lines_anywhere_neither_raise_nor_lose_text(cleaner: Cleaner) -> None:
    rng = random.Random(0)
    docs = generate()
    assert {d.form for d in docs} >= {"cased", "lowercased_tokenized"}
    tried = 0
    for doc in docs:
        for text in _variants(doc.raw, rng):
            result = cleaner.clean(text)
            assert rebuild_raw(result.text, result.edits) == text, doc.id
            tried += 1
    assert tried == VARIANTS * len(docs)
