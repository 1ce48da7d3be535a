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
but only for two lines of about the same length whose first or last three characters
agree (a bullet or a closing mark on one of them at most): most lines cost two slices. A
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


_EDGE = 3
#: Bounds on an echo's characters, so a paragraph is never split into words here: the
#: shorter line's four words, the longer line's 25 (20 and 5 added) at 16 characters.
_MIN_ECHO_CHARS = 12
_MAX_ECHO_CHARS = 400
_CLOSING = " .,:;!?)]\"'”’"


def _same_words(line: str, above: str) -> bool:
    words = _WORD.findall(line.lower())
    return bool(words) and words == _WORD.findall(above.lower())


def _echo(line: str, above: str) -> int:
    """-1 when ``above`` echoes ``line`` (its words open or close it, a few words
    fewer), 1 when ``line`` echoes ``above``, 0 otherwise."""
    short, long_, side = (line, above, 1) if len(line) < len(above) else (above, line, -1)
    if _CODE.search(short):
        return 0
    a = _WORD.findall(short.lower())
    b = _WORD.findall(long_.lower())
    n = len(a)
    if not MIN_ECHO_WORDS <= n <= MAX_ECHO_WORDS or not 0 < len(b) - n <= MAX_ECHO_EXTRA:
        return 0
    if b[:n] == a and b[n] != "by":
        return side
    return side if b[-n:] == a else 0


def _pair(line: str, above: str) -> int:
    """How a line stands to the non-blank line above it, the two agreeing in their
    first or last ``_EDGE`` characters: 2 the same words (the line goes), 1 or -1 an
    echo (the line, or the one above, goes), 0 neither."""
    if line == above:
        return 2 if _LETTER.search(line) else 0
    n, m = len(line), len(above)
    if abs(n - m) <= _LENGTH_SLACK and _LETTER.search(line) and _same_words(line, above):
        return 2
    # an echo's shorter line has a few words at least, the longer one no paragraph
    if min(n, m) < _MIN_ECHO_CHARS or max(n, m) > _MAX_ECHO_CHARS:
        return 0
    if line[-_EDGE:] != above[-_EDGE:]:
        # only the starts agree: the shorter line's last word is then in the longer one
        short, long_ = (line, above) if n < m else (above, line)
        if short.rstrip(_CLOSING)[-_EDGE:] not in long_:
            return 0
    return _echo(line, above)


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
            # the same words at one end mostly show in the first or last characters
            # there (a bullet or a closing mark on one of the lines at most): most lines
            # of a page stop at this test, made here for every line
            if above and (key[:_EDGE] == above[:_EDGE] or key[-_EDGE:] == above[-_EDGE:]):
                pair = _pair(key, above)
                if pair == 2:
                    twice.append((s, e, "repeated_line"))
                elif pair == 1:
                    twice.append((s, e, "echoed_line"))
                elif pair == -1:
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
