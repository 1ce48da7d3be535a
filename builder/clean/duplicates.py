"""A block of the page printed a second time: the later copy goes, as one edit.

Extractors sometimes give a page's text twice: a tab or accordion holding the article
again, a print or AMP copy, a summary box that repeats the list above it, a "Quick
look" that repeats the product cards. Every line of the second copy was read before,
word for word, and no article says four or more of its lines again in a row. This step
finds runs of ``MIN_LINES`` consecutive non-blank lines each of which is a line
already seen higher on the page (the same text, spaces at its edges aside: a copy is
made by the same extractor from the same markup, so a lowercased tokenized page repeats
its lines just as exactly), holding ``MIN_WORDS`` words or more, and removes each run
as ONE edit (``duplicates.repeated_block``). The first copy stays where it is.

(Comparing the lines' words instead, case and marks ignored, found the same copies on
the development pages at 20 times the cost: a regex pass over every line. The exact
test is a set lookup per line, ~5 us per 5 KB article.)

A single repeated line, or two or three (a refrain, a schedule's "Rest day", a
pull quote), is left alone: the measure on the development pages (real pages, both
extractors) was that runs of four lines and 60 words remove repeated text only, while
single lines also take the article's own repeated lines.
"""

from __future__ import annotations

from .edits import Edit
from .steps import CleaningStep, DocumentContext, iter_lines

__all__ = ["MIN_LINES", "MIN_WORDS", "RepeatedBlock"]

#: Consecutive repeated lines (blank lines between them do not count or break a run).
MIN_LINES = 4
#: Words in the run (split at white space), at least: a few short labels repeated
#: ("Price", "Rating") are not a copy.
MIN_WORDS = 60


class RepeatedBlock(CleaningStep):
    """Remove runs of lines that repeat lines seen earlier on the page (a second copy)."""

    name = "duplicates"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        seen: set[str] = set()
        edits: list[Edit] = []
        # the open run: its first line's start, its last line's end, lines, words
        start = end = lines = words = 0
        for s, e, line in iter_lines(text):
            key = line.strip()
            if not key:
                continue
            if key in seen:
                if not lines:
                    start = s
                end, lines, words = e, lines + 1, words + len(key.split())
                continue
            if lines >= MIN_LINES and words >= MIN_WORDS:
                edits.append(self.edit(start, end, "", "repeated_block"))
            lines = words = 0
            seen.add(key)
        if lines >= MIN_LINES and words >= MIN_WORDS:
            edits.append(self.edit(start, end, "", "repeated_block"))
        return edits
