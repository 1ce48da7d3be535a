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

Nearly so (``duplicates.echoed_line``): of two lines in a row, the shorter one (of
``MIN_ECHO_WORDS`` to ``MAX_ECHO_WORDS`` words) when its words open or close the longer
one and the longer one has at most ``MAX_ECHO_EXTRA`` words more: alt text and its
caption with a few words added (``Product image of Asus TUF Dash 15`` over ``Asus TUF
Dash 15``), a title under a breadcrumb that ends in it, a numbered table-of-contents
entry over its heading. Every word of the shorter line is in the other, so it goes. Not
when the longer line is the shorter one with a byline after it (``Title by Dana Kim``:
the article's title said again with its author), nor code (``using System.Text;`` over
``using System.Text.Json;``). The few words added at an edge are what tells a copy from
a heading over its first sentence ("Full Service Catering" over "Full Service Catering
includes ..."): on the development pages, taking any short line held anywhere in its
neighbour took such headings (residual F1 -2 to -3 e-4 on each site half).
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
#: An echoed line has at least this many words, and its neighbour at most
#: ``MAX_ECHO_EXTRA`` more (a credit, a number, a breadcrumb's path).
MIN_ECHO_WORDS = 4
MAX_ECHO_EXTRA = 5
#: ... and at most this many: a caption or a title, not a sentence quoted again with
#: its speaker added (the gold keeps both copies of such a pull quote).
MAX_ECHO_WORDS = 20

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"[<>{};=]")


def _same_words(line: str, above: str) -> bool:
    if line == above:
        return _LETTER.search(line) is not None
    if abs(len(line) - len(above)) > _LENGTH_SLACK:
        return False
    words = _WORD.findall(line.lower())
    return (
        bool(words) and words == _WORD.findall(above.lower()) and _LETTER.search(line) is not None
    )


def _echo(line: str, above: str) -> int:
    """-1 when ``above`` echoes ``line`` (its words open or close it, a few words
    fewer), 1 when ``line`` echoes ``above``, 0 otherwise."""
    short, long_, side = (line, above, 1) if len(line) < len(above) else (above, line, -1)
    if len(short) < 12:
        return 0
    # a cheap test first: the shorter line's first word is somewhere in the longer one
    first = _WORD.search(short)
    if first is None or first[0].lower() not in long_.lower() or _CODE.search(short):
        return 0
    a = _WORD.findall(short.lower())
    b = _WORD.findall(long_.lower())
    n = len(a)
    if not MIN_ECHO_WORDS <= n <= MAX_ECHO_WORDS or not 0 < len(b) - n <= MAX_ECHO_EXTRA:
        return 0
    if b[:n] == a and b[n] != "by":
        return side
    return side if b[-n:] == a else 0


class RepeatedBlock(CleaningStep):
    """Remove a page's second copy of a run of lines, and a line repeating the one above."""

    name = "duplicates"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        seen: set[str] = set()
        edits: list[Edit] = []
        # lines repeating the line right above them: (start, end), kept apart until the
        # block copies are known (a block edit already takes its own lines)
        twice: list[tuple[int, int, str]] = []
        above = ""
        above_at = (0, 0)
        # the open run: its first line's start, its last line's end, lines, words
        start = end = lines = words = 0
        for s, e, line in iter_lines(text):
            key = line.strip()
            if not key:
                continue
            if above:
                if _same_words(key, above):
                    twice.append((s, e, "repeated_line"))
                else:
                    echo = _echo(key, above)
                    if echo == 1:
                        twice.append((s, e, "echoed_line"))
                    elif echo == -1:
                        twice.append((*above_at, "echoed_line"))
            above, above_at = key, (s, e)
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
            taken = [(x.start, x.end) for x in edits]
            for s, e, reason in twice:
                # a line echoed by both neighbours is listed twice; a block takes its own
                if not any(ts <= s < te for ts, te in taken):
                    edits.append(self.edit(s, e, "", reason))
                    taken.append((s, e))
            edits.sort(key=lambda x: x.start)
        return edits
