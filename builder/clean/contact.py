"""A contact block at the page's end: where to write, call or visit the site's owner.

Firms' and schools' pages close on their address, phone number and e-mail, in short
lines under a short label ("Raleigh Office", "Newsdesk", "Questions?"), after the
article's last paragraph. One line at a time it is a name or a number, which an article
prints too; together, at the very end, with nothing but short lines below the article's
last sentence, it is the page's furniture. :func:`contact_block` finds it: the run of
short lines (``LINE_WORDS`` words at most) that ends the page, at least ``MIN_LINES``
of them, past ``MIN_POSITION`` of the page's words, where ``MIN_CONTACT`` lines hold a
phone number, an e-mail address or a street address (a number and a street word, a
suite, a state and ZIP code). A list with a contact in it above the article's last
paragraph is not the page's end, and a directory page (most of its words in such lines)
is not an article closing on its owner's address.

Tried on the dev pages' cleaned output (December 2026, halves by host): evidence from
any one line of the run, runs of two lines and more, lines of ten words at most. Lines
of up to 20 words took a hard-wrapped paragraph ending "... or call 888-209-3989." as a
run of short lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lines import line_view

__all__ = ["LINE_WORDS", "MIN_CONTACT", "MIN_LINES", "MIN_POSITION", "contact_block"]

#: A line of the block is this many words at most (a label, a name, an address line).
LINE_WORDS = 10
#: The block is at least this many lines ...
MIN_LINES = 2
#: ... with this many contact lines among them ...
MIN_CONTACT = 1
#: ... and starts past this share of the page's words.
MIN_POSITION = 0.5

# Tokenized text spaces its marks ("( 512 ) 582 - 0344", "info @ acme . com"), so a
# space may stand around each mark.
_PHONE = r"(?:\+\s*\d{1,3}[\s.-]*)?\(?\s*\d{3}\s*\)?\s*[\s.-]\s*\d{3}\s*[\s.-]\s*\d{4}\b"
# An address's local part is 64 characters at most (RFC 5321): bounded, so a search
# over one long word without an "@" (a line of 80,000 digits took 61 s) tries 64
# characters from each start, not the rest of the word. A longer one still matches
# (from within its last 64 characters): contact_block only asks whether one is there.
_EMAIL = r"[\w.+-]{1,64}\s*@\s*[\w-]+(?:\s*\.\s*[\w-]+)*\s*\.\s*[a-z]{2,}\b"
_STREET = (
    r"\b\d{1,6}\s+(?:[\w.'’-]+\s+){1,4}"
    r"(?:st|street|ave|avenue|blvd|boulevard|rd|road|dr|drive|ln|lane|way|pkwy|parkway|"
    r"ct|court|pl|place|hwy|highway)\b"
)
_SUITE = r"\b(?:suite|ste)\s*\.?\s*#?\s*\d+"
#: A US state's code and a ZIP code ("NC 27615"), or a ZIP code closing the line.
_ZIP = r"\b[a-z]{2}\s+\d{5}(?:\s*-\s*\d{4})?\b|\b\d{5}(?:\s*-\s*\d{4})?\W*$"
_CONTACT = re.compile("|".join((_PHONE, _EMAIL, _STREET, _SUITE, _ZIP)), re.IGNORECASE)


def contact_block(lines: Sequence[str]) -> int:
    """Where the contact block ending ``lines`` (the page's non-blank lines) starts, -1
    when there is none."""
    # From the end: most pages end on a paragraph, so one line is read.
    start, run_words, run_lines = len(lines), 0, 0
    while start > 0:
        n = len(line_view(lines[start - 1]).words)
        if n > LINE_WORDS:
            break
        start -= 1
        run_words += n
        run_lines += n > 0
    if run_lines < MIN_LINES:
        return -1
    # Past ``MIN_POSITION`` of the page's words: the words above the run outnumber
    # (for one half) those in it, which reading back until they do tells.
    need = run_words * MIN_POSITION / (1 - MIN_POSITION)
    before, at = 0, start
    while at > 0 and before < need:
        at -= 1
        before += len(line_view(lines[at]).words)
    if before < need:
        return -1
    if sum(1 for line in lines[start:] if _CONTACT.search(line)) < MIN_CONTACT:
        return -1
    return start
