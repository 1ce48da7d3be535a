"""An image's alt text written in lowercase, left between a cased page's paragraphs.

Resiliparse (and extractors like it) keep an image's ``alt`` attribute where the image
stood. Much alt text is written for search engines, not readers: the picture's
keywords in lowercase with no sentence around them ("dental care products lined up
best oral hygiene products", "fully baked sourdough loaf in a dutch oven", "tiny house
cons storage space", "lighting that sets the mood hosting trends"; names may keep their
capitals: "travel insurance in a small village in South Africa"). On a page written
in sentence or title case, such a line stands out by its case alone, and by where it
stands: between a finished sentence (or a short heading) and a line opening with a
capital, the way a picture stands between paragraphs.

The article's own lowercase lines are told apart by their shape:

* code and commands (``sudo apt install x``, ``git pull origin main``): no mark that
  code is written with (``{}();=<>[]/\\|_#@*$%&+:~```), no ``-flag``, no dotted word
  (``qwen2.5``, ``thredup.com``), and neither neighbour opening with such a mark
  (a ``# comment`` above a command);
* a paragraph hard-wrapped across lines: the line above ends a sentence (``.``, ``!``,
  ``?``, a closing quote or bracket) or is a heading of at most ``HEADING_WORDS`` words
  opening with a capital and ending in a word (not a comma, not a colon that
  introduces what follows), and the line itself has no comma and no closing mark
  (a wrapped sentence's end, a commenter's "well done.");
* an enumerated subheading (``b. Their role in production``), a heading opening with a
  brand's lowercase letter (``iPhone App Development Process``: a capital in the first
  word, or most longer words capitalised).

Lowercased text has no capitals to read: there the line below never opens with one,
and the shape never fires (measured: on lowercased pages nothing changes). Reason
``captions.lowercase_alt``, one edit a line. (Measured, December 2026, WCXB dev pages,
issue 11: residual_rp F1 +.00052 / +.00055 on the two site halves, residual unchanged,
no page newly losing more than 5% of its gold; see ``eval/README.md``.)
"""

from __future__ import annotations

import re

__all__ = ["ALT_WORDS", "HEADING_WORDS", "lowercase_alt", "may_be_lowercase_alt"]

#: An alt text line has this many words (two words are a label or a list's item).
ALT_WORDS = (3, 16)
#: A line above with at most this many words, opening with a capital and ending in a
#: word, is a heading the picture sits under.
HEADING_WORDS = 8

#: Marks code, commands, markup and addresses are written with.
_CODE = re.compile(r"[{}();=<>\[\]/\\|_#@*$%&+:~`,]|\s-\w|\w\.\w")
_CODE_OPENING = re.compile(r"[{}();=<>\[\]/\\|_#@*$%&+:~`]")
_ENUMERATED = re.compile(r"[a-z]\.\s")
_SENTENCE_END = re.compile(r"[.!?\"”)]$")
_WORD_END = re.compile(r"\w$")


def may_be_lowercase_alt(raw: str) -> bool:
    """The cheap part of the test, on the line alone: a lowercase letter first, no
    capital anywhere, no code mark, no closing mark."""
    s = raw.strip()
    if not ("a" <= s[:1] <= "z" and s[-1] not in ".;:!?") or s.count(" ") > 2 * ALT_WORDS[1]:
        return False  # most lines end here, before a split or a regex pass
    words = s.split()
    if not ALT_WORDS[0] <= len(words) <= ALT_WORDS[1] or words[0] != words[0].lower():
        return False
    if _CODE.search(s) or _ENUMERATED.match(s):
        return False
    if s == s.lower():
        return True
    # names keep their capitals in alt text ("clematis blooming in a UK garden"); a
    # heading opening with a brand's lowercase letter is title case ("iPhone App
    # Development Process", "tlogs vs Certificate Transparency")
    longer = [w for w in words if len(w) > 3 and w[:1].isalpha()]
    return 2 * sum(w[0].isupper() for w in longer) < len(longer)


def lowercase_alt(raw: str, above: str | None, below: str | None) -> bool:
    """Whether a line that passed :func:`may_be_lowercase_alt` is alt text, read with
    the non-blank lines around it."""
    if above is None or below is None:
        return False
    up, down = above.strip(), below.strip()
    if not ("A" <= down[:1] <= "Z" or down[:1].isupper()):
        return False
    if _CODE_OPENING.match(up[:1]) or _CODE_OPENING.match(down[:1]):
        return False
    if _SENTENCE_END.search(up):
        return True
    return up[:1].isupper() and len(up.split()) <= HEADING_WORDS and bool(_WORD_END.search(up))
