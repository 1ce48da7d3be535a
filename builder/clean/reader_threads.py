"""Where a readers' thread starts when the extractor kept it without its header or its
commenter lines (:mod:`.sections` removes it from there): under a reader-voice opener
whose lines read like comments, under the author's sign-off by initials ("— JS"), or
under the author's call for comments ("Let us know what you think").

A line reads like a reader's (``_READER_LINE``) when it opens with the reader or at the
author, or exclaims or asks; a thread is the lines after the opener when enough of them
read so.
"""

from __future__ import annotations

import bisect
import re

from .lines import LineView

__all__ = [
    "INVITE_MAX_WORDS",
    "INVITE_MIN_LINES",
    "READER_MIN_LINES",
    "READER_SHARE",
    "SIGNOFF_READER_SHARE",
    "VOICE_TAIL_LINES",
    "invite_lines",
    "invited",
    "reader_block",
    "readers",
    "signed_off",
]

#: How a reader's comment reads, line by line: opening with the reader ("I", "my", "we")
#: or at the author ("you", "your", "thanks", "yes", "agree"), or exclaiming or asking.
#: One reader-voice opener is enough when ``READER_SHARE`` of at least ``READER_MIN_LINES``
#: lines after it read so: an article's prose, even a blog's, seldom does.
_READER_LINE = re.compile(
    r"^\W*(?:i|i'm|i've|i'd|i'll|im|my|me|we|we've|we're|yes|yeah|agree|agreed|thanks|thank|thx|"
    r"love|loved|so|great|wow|lol|same|question|hi|hello|hey|dear|nice|awesome|you|your|congrats|"
    r"congratulations|totally|exactly|absolutely)\b|!|\?\W*$",
    re.IGNORECASE,
)
READER_SHARE = 0.5
READER_MIN_LINES = 2
#: A reader-voice opener with ``READER_MIN_LINES`` to this many lines after it to the
#: page's end opens the block alone: a short thread ("Great read - looking forward to
#: the series!" over two replies): dev pages, F1 x1e-4 by host half, residual +4.3 /
#: +0.0, residual_rp +1.9 / +0.3. (With one line and none as well, a lone "Thank you
#: for sharing!" went too, +4.7 / +0.4 and +2.3 / +0.3, but so did an author's closing
#: praise over "Thanks for reading".)
VOICE_TAIL_LINES = 5
#: The author's sign-off by initials on a line of its own ("— JS", "-- MW", "–J.K."):
#: a blogger closing the post; what follows is the readers' thread when
#: ``SIGNOFF_READER_SHARE`` of its lines read like readers' (``_READER_LINE``) and it
#: does not open with a postscript ("P.S. ..."), which is the author's own. Not a
#: hyphen (a list item: "- C") nor a full name (an epigraph's "— Seneca").
_SIGNOFF = re.compile(r"^\s*(?:[—–]|- ?-)\s*(?:[a-z]\s?\.?\s?){1,3}$", re.IGNORECASE)
_SIGNOFF_CASED = re.compile(r"^\s*(?:[—–]|--)\s*(?:[A-Z]\.?\s?){1,3}$")
_POSTSCRIPT = re.compile(r"^\W*p\s?\.?\s?s\b", re.IGNORECASE)
SIGNOFF_READER_SHARE = 0.3
#: The author's call for the readers' comments at the post's end ("Let me know what you
#: think.", "Leave a comment below!", "Share yours in the comments"). The thread the
#: extractor kept under it without its header or commenter lines is what follows when
#: ``SIGNOFF_READER_SHARE`` of at least ``INVITE_MIN_LINES`` lines read like readers'.
#: Not "leave a comment like ..." (a tool leaving a code comment): the call ends there;
#: nor a bare "let me know" (asking to be written to, as often over the article's own
#: last lines), nor a bare "What do you think?" (an FAQ's or a column's own question,
#: with advice to "you" under it). Issue 11, dev pages, F1 x1e-4 by host half: residual
#: +0.7 / +5.7 (threads on four blogs, most of it one maker's blog; 146 gold tokens,
#: 1,728 noise), residual_rp unchanged.
_INVITE = re.compile(
    r"\blet (?:me|us) know (?:what you think|your thoughts|in the comments|below)\b"
    r"|\bfeel free to (?:comment|let)\b"
    r"|\b(?:leave|drop|post|add|write) (?:a|your) comments?\s*(?:below|here)?\s*(?:[.!]|$)"
    r"|\b(?:drop|post|share|leave) (?:it|them|yours|your thoughts) (?:as a comment|in the comments)"
    r"|\bin the comments\b|\bcomment below\b",
    re.IGNORECASE,
)
#: What every match of ``_INVITE`` holds (but in capitals), looked for first in the
#: page's text from the first late line on (:func:`invite_lines`): most pages hold none.
_INVITE_CUES = ("omment", "et me know", "et us know")
#: A call is a short paragraph at most: longer lines are not read.
INVITE_MAX_WORDS = 60
#: Lines under the call, at least (two may be the author's own sign-off and a link).
INVITE_MIN_LINES = 3


def invite_lines(text: str, lines: list[tuple[int, int, LineView]], first: int) -> set[int]:
    """The lines from ``first`` on that hold one of ``_INVITE_CUES``: the only ones a
    call for comments may be. Found with ``str.find`` over the text once per cue (a
    test on every line, or a regular expression over the text, cost 5-10% of the step;
    a cue as common as " know" found a line to try on most pages)."""
    if first >= len(lines):
        return set()
    start = lines[first][0]
    hits = []
    for cue in _INVITE_CUES:
        at = text.find(cue, start)
        while at >= 0:
            hits.append(at)
            at = text.find(cue, at + 1)
    return {bisect.bisect_right(lines, at, key=_line_start) - 1 for at in hits}


def _line_start(line: tuple[int, int, LineView]) -> int:
    return line[0]


def readers(lines: list[tuple[int, int, LineView]]) -> int:
    """How many of ``lines`` read like a reader's comment (``_READER_LINE``)."""
    return sum(1 for _, _, view in lines if _READER_LINE.search(view.norm))


def reader_block(lines: list[tuple[int, int, LineView]], k: int) -> bool:
    """Whether the lines after the reader-voice opener at ``k`` read like comments
    (``_READER_LINE``), or are few (``READER_MIN_LINES`` to ``VOICE_TAIL_LINES``: a
    short thread closing the page, whatever its replies open with; one line under a
    line of praise is the author's sign-off, "Thanks for reading"); not when a
    question is right above it ("Great question!" answers an FAQ's question)."""
    rest = lines[k + 1 :]
    if len(rest) < READER_MIN_LINES or lines[k - 1][2].norm.endswith("?"):
        return False
    if len(rest) <= VOICE_TAIL_LINES:
        return True
    return readers(rest) >= READER_SHARE * len(rest)


def signed_off(lines: list[tuple[int, int, LineView]], k: int, cased: bool) -> bool:
    """Whether line ``k`` is the author's sign-off by initials over the readers'
    thread (``_SIGNOFF``; in cased text the initials are capitals)."""
    raw = lines[k][2].raw.strip()
    if not (_SIGNOFF_CASED if cased else _SIGNOFF).match(raw):
        return False
    rest = lines[k + 1 :]
    if len(rest) < READER_MIN_LINES or _POSTSCRIPT.match(rest[0][2].raw):
        return False
    return readers(rest) >= SIGNOFF_READER_SHARE * len(rest)


def invited(lines: list[tuple[int, int, LineView]], k: int) -> bool:
    """Whether line ``k`` is the author's call for comments (``_INVITE``, at most
    ``INVITE_MAX_WORDS`` words) over the readers' thread: ``INVITE_MIN_LINES`` lines
    or more, ``SIGNOFF_READER_SHARE`` of them reading like readers'
    (``_READER_LINE``)."""
    view = lines[k][2]
    if len(lines) - k - 1 < INVITE_MIN_LINES or len(view.words) > INVITE_MAX_WORDS:
        return False
    if not _INVITE.search(view.norm):
        return False
    rest = lines[k + 1 :]
    return readers(rest) >= SIGNOFF_READER_SHARE * len(rest)
