"""A site's index of its own pages at the page's end: one title template, many times.

Directory and service sites close their pages on links to their other pages, built from
one template: "Average Cost of Roof Repair in Austin", "Average Cost of Roof Repair in
Boise", ... Each line alone is a headline, which an article's closing list also is; a run
of them sharing their first ``PREFIX_WORDS`` words, ``MIN_ITEMS`` lines and more, ending
the page past ``MIN_POSITION`` of its words, is the site's navigation. :func:`index_run`
finds it (the footer step removes it as ``footer.index``).

Measured on the dev pages' cleaned output (December 2026, halves by host): anywhere in
the page's last part, such runs were also code (``result = f(...)`` lines), and with
four lines a listicle's "Best X For Y: Z" summary; at the very end, with five lines and
no code marks, one page (a city index of 70 lines), no gold line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lines import line_view

__all__ = ["MAX_WORDS", "MIN_ITEMS", "MIN_POSITION", "PREFIX_WORDS", "index_run"]

#: The lines share this many first words ...
PREFIX_WORDS = 3
#: ... and are this many words at most (a title, not a sentence) ...
MAX_WORDS = 15
#: ... at least this many of them ...
MIN_ITEMS = 5
#: ... starting past this share of the page's words.
MIN_POSITION = 0.4
#: Marks code is written with: a run of statements shares its first words too.
_CODE = re.compile(r"[(){};=<>]")


def index_run(lines: Sequence[str]) -> int:
    """Where the index ending ``lines`` (the page's non-blank lines) starts, -1 when
    there is none."""
    if len(lines) <= MIN_ITEMS:
        return -1
    # From the end: most pages end on a paragraph, so one line is read.
    last = line_view(lines[-1]).words
    if not PREFIX_WORDS < len(last) <= MAX_WORDS:
        return -1
    prefix = last[:PREFIX_WORDS]  # casefolded words
    start = len(lines)
    while start > 0:
        line = lines[start - 1]
        words = line_view(line).words
        if (
            not PREFIX_WORDS < len(words) <= MAX_WORDS
            or words[:PREFIX_WORDS] != prefix
            or _CODE.search(line)
        ):
            break
        start -= 1
    if len(lines) - start < MIN_ITEMS or start == 0:
        return -1
    before = sum(len(line_view(line).words) for line in lines[:start])
    total = before + sum(len(line_view(line).words) for line in lines[start:])
    return start if before >= MIN_POSITION * total else -1
