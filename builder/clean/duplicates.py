"""A block of the page printed a second time, or a line printed twice in a row: the later
copy goes.

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

A single line repeated somewhere else on the page, or two or three (a refrain, a
schedule's "Rest day", a pull quote), is left alone: the measure on the development
pages (real pages, both extractors) was that runs of four lines and 60 words remove
repeated text only, while single lines also take the article's own repeated lines.

A line that says again, word for word, the non-blank line right above it is another
matter (``duplicates.repeated_line``): a picture's alt text followed by its caption, a
card's title printed by its link and by its heading, a heading printed by an anchor and
by the heading itself. Writers do not put the same line twice in a row; markup does.
The words are compared, case and marks aside (``Acer Nitro V 16 – Best laptop`` under
``Acer Nitro V 16 - Best laptop``, ``• Shibuya Scramble`` under ``Shibuya Scramble``),
but only for two lines of about the same length, so most lines cost a length test. A
line with no letter (a table's ``80%`` under ``80%``) stays: figures repeat in tables.
"""

from __future__ import annotations

import re

from .edits import Edit
from .steps import CleaningStep, DocumentContext, iter_lines

__all__ = ["MIN_LINES", "MIN_WORDS", "RepeatedBlock"]

#: Consecutive repeated lines (blank lines between them do not count or break a run).
MIN_LINES = 4
#: Words in the run (split at white space), at least: a few short labels repeated
#: ("Price", "Rating") are not a copy.
MIN_WORDS = 60
#: Two lines whose lengths differ by more than this are not compared word by word
#: (a bullet, a dash for a hyphen, a closing mark: a few characters).
_LENGTH_SLACK = 4

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")


def _same_words(line: str, above: str) -> bool:
    if line == above:
        return _LETTER.search(line) is not None
    if abs(len(line) - len(above)) > _LENGTH_SLACK:
        return False
    words = _WORD.findall(line.lower())
    return (
        bool(words) and words == _WORD.findall(above.lower()) and _LETTER.search(line) is not None
    )


class RepeatedBlock(CleaningStep):
    """Remove a page's second copy of a run of lines, and a line repeating the one above."""

    name = "duplicates"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        seen: set[str] = set()
        edits: list[Edit] = []
        # lines repeating the line right above them: (start, end), kept apart until the
        # block copies are known (a block edit already takes its own lines)
        twice: list[tuple[int, int]] = []
        above = ""
        # the open run: its first line's start, its last line's end, lines, words
        start = end = lines = words = 0
        for s, e, line in iter_lines(text):
            key = line.strip()
            if not key:
                continue
            if above and _same_words(key, above):
                twice.append((s, e))
            above = key
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
        if twice:
            blocks = [(x.start, x.end) for x in edits]
            for s, e in twice:
                if not any(bs <= s < be for bs, be in blocks):
                    edits.append(self.edit(s, e, "", "repeated_line"))
            edits.sort(key=lambda x: x.start)
        return edits
