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

Except where the page ends (:class:`RepeatedTail`, its own step, run after the footer
step so the page's end is read without the teasers that step takes): when the page's
last lines all repeat lines seen higher up (a promo card or an author's name printed
again under the article, a title printed a third time in the footer, a newsletter box
shown twice), however short that run is, it goes as ONE edit
(``tail_copy.repeated_lines``). An article does not end by saying again, word for word,
what it said above; what follows it on the page is what the extractor picked up twice
(cards, boxes, menus). Short lines of up to ``TAIL_SHORT_WORDS`` words between and after
the repeated ones ("Arrow", "Free Trial", "$195.00": a card's buttons and prices) go
with them; the run opens with a repeated line, and one of its repeats has
``TAIL_MIN_WORDS`` words or more (an article's closing list may name its one-word
subheadings again). And within the page's last ``TAIL_ZONE`` of text, a line said a
second time there (both copies in that zone) goes, one edit a line
(``tail_copy.repeated_line``): a card rail's "Book this class" under every card, an
author's name over each of two boxes, a newsletter call shown twice. The first copy
stays. A first copy higher on the page does not count (an article's refrain, a
subheading its summary repeats). The page's first line, its title, printed again in
that zone with a few words around it ("site | Title", "3 thoughts on “Title”", a
pin box) goes too (``tail_copy.title_again``); not a sentence that names the title
within more words. On the development pages (issue 11, December 2026) the three took
about 1,200 tokens of noise for 70 of the article's, F1 up or level on each half of
the sites in both flavours and forms (eval/README.md).

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

__all__ = [
    "MIN_LINES",
    "MIN_WORDS",
    "TAIL_MIN_WORDS",
    "TAIL_SHORT_WORDS",
    "TAIL_ZONE",
    "TITLE_MAX_WORDS",
    "TITLE_MIN_WORDS",
    "TITLE_MORE_WORDS",
    "RepeatedBlock",
    "RepeatedTail",
]

#: Consecutive repeated lines (blank lines between them do not count or break a run).
MIN_LINES = 4
#: Words in the run (split at white space), at least: a few short labels repeated
#: ("Price", "Rating") are not a copy.
MIN_WORDS = 60
#: In the run of repeated lines that ends the page, a line of up to this many words
#: (split at white space) that is not a repeat goes with the run (a button, a price).
TAIL_SHORT_WORDS = 3
#: The run holds a repeated line of at least this many words.
TAIL_MIN_WORDS = 2
#: The page's last share of text (the characters of its non-blank lines, edges stripped)
#: where a line said a second time goes, wherever it stands: the first copy there too.
TAIL_ZONE = 0.1
#: The page's first line printed again in that zone: a title of at least this many
#: words, with at most this many more around it.
TITLE_MIN_WORDS = 4
TITLE_MORE_WORDS = 6
#: A first line of more words is a paragraph, not a title (a page with no title line):
#: no line is compared with it, which would be a word split of every line in the zone.
TITLE_MAX_WORDS = 30
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


class RepeatedTail(CleaningStep):
    """Remove what the page's end says twice: the run of lines that ends the page when it
    repeats lines above it, and a line said again within the page's last ``TAIL_ZONE``."""

    name = "tail_copy"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        # the first row holding each text (the line's text, spaces at its edges aside)
        first: dict[str, int] = {}
        rows: list[tuple[int, int, str]] = []
        for s, e, line in iter_lines(text):
            key = line.strip()
            if key:
                first.setdefault(key, len(rows))
                rows.append((s, e, key))
        title = self._title(rows)
        if len(first) == len(rows) and not title:
            # no line said twice and no title to look for: nothing to count words for
            return []
        end = self._run_start(rows, first)
        top = self._zone_top(rows)
        again = set(self._title_again(rows, title, top, end))
        edits = [
            self.edit(rows[i][0], rows[i][1], "", "repeated_line")
            if i not in again
            else self.edit(rows[i][0], rows[i][1], "", "title_again")
            for i in sorted(again.union(self._zone_repeats(rows, first, top, end)))
        ]
        if end < len(rows):
            edits.append(self.edit(rows[end][0], rows[-1][1], "", "repeated_lines"))
        return edits

    @staticmethod
    def _run_start(rows: list[tuple[int, int, str]], first: dict[str, int]) -> int:
        """The first row of the run of repeated lines that ends the page (``len(rows)``:
        none)."""
        j = len(rows)
        while j > 0:
            key = rows[j - 1][2]
            if first[key] == j - 1 and len(key.split(maxsplit=TAIL_SHORT_WORDS)) > TAIL_SHORT_WORDS:
                break
            j -= 1
        # the run opens with a repeated line (short lines are taken only with one)
        while j < len(rows) and first[rows[j][2]] == j:
            j += 1
        # and one of its repeats is more than a word: a closing list of one-word items
        # may name the article's one-word subheadings again ("Mudguards", "Lights")
        if any(
            first[key] < i and len(key.split(maxsplit=TAIL_MIN_WORDS)) >= TAIL_MIN_WORDS
            for i, (_, _, key) in enumerate(rows[j:], j)
        ):
            return j
        return len(rows)

    @staticmethod
    def _zone_top(rows: list[tuple[int, int, str]]) -> int:
        """The first row of the page's last ``TAIL_ZONE`` of text: every row from it on
        has less than that share of the page's characters after it (characters, not
        words: a length is free, a word count splits every line of the page)."""
        counts = [len(key) for _, _, key in rows]
        zone = TAIL_ZONE * sum(counts)
        top, after = len(rows), 0  # ``after``: the words in the rows from ``top`` on
        while top > 0 and after < zone:
            top -= 1
            after += counts[top]
        return top

    @staticmethod
    def _zone_repeats(
        rows: list[tuple[int, int, str]], first: dict[str, int], top: int, end: int
    ) -> list[int]:
        """Rows from ``top`` to ``end`` that say again a line said from ``top`` on before
        (the first copy stays)."""
        return [
            i
            for i in range(top, end)
            if top <= first[rows[i][2]] < i and _LETTER.search(rows[i][2])
        ]

    @staticmethod
    def _title(rows: list[tuple[int, int, str]]) -> list[str]:
        """The page's first line as lowercased words when it is a title (``TITLE_MIN_WORDS``
        to ``TITLE_MAX_WORDS`` words), else none. (Word counts here split a line only as far
        as the bound they test: a long line is a paragraph, not split whole.)"""
        if not rows or len(rows[0][2].split(maxsplit=TITLE_MAX_WORDS)) > TITLE_MAX_WORDS:
            return []
        title = _WORD.findall(rows[0][2].casefold())
        return title if len(title) >= TITLE_MIN_WORDS else []

    @staticmethod
    def _title_again(
        rows: list[tuple[int, int, str]], title: list[str], top: int, end: int
    ) -> list[int]:
        """Rows from ``top`` to ``end`` that print the page's ``title`` again, with at most
        ``TITLE_MORE_WORDS`` words around it: "Site name | Title", "3 thoughts on
        “Title”" (words compared lowercased, marks aside)."""
        if not title or top >= end:
            return []
        key = " " + " ".join(title) + " "
        most = len(title) + TITLE_MORE_WORDS
        out = []
        for i in range(max(top, 1), end):
            line = rows[i][2]
            if len(line.split(maxsplit=most)) > most:
                continue
            words = _WORD.findall(line.casefold())
            if len(words) <= most and key in " " + " ".join(words) + " ":
                out.append(i)
        return out
