"""Lowercased, tokenized text from older corpora: detect it, and optionally detokenize it.

Older corpora ship text like ``israel ' s war cabinet has used a tried - and -
trusted phrase .``: lowercased, with every punctuation mark split off by spaces.
:func:`text_form` measures both properties (few capitals among the letters; most
closing punctuation preceded by a space) so the row can say what it holds.

:class:`Detokenize` (``cleaning.detokenize: true``) rejoins such text with
sacremoses' Moses detokenizer. The detokenizer only changes spacing, so the
edits are found by aligning the token sequences, not by diffing whole strings:
the non-space characters of a line must be the same before and after, and each
gap between two of them becomes one edit when its white space changed. A line
whose characters the detokenizer would change is left as it is (and counted).
Case is not restored: lowercased text stays lowercased.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import numpy as np

from .chars import utf8_parts
from .edits import Edit
from .steps import CleaningStep, DocumentContext, iter_lines

__all__ = [
    "CASED",
    "LOWERCASED_TOKENIZED",
    "Detokenize",
    "TextForm",
    "detect_text_form",
    "text_form",
]

CASED = "cased"
LOWERCASED_TOKENIZED = "lowercased_tokenized"

# Punctuation closing a token, split off (after white space or a line's start) or attached
# (after another character). The mark is matched first and what precedes it is looked
# back at, so the scan stops only at punctuation: the same counts as matching
# ``(?:^|\s)[,.;:!?)\]]`` and ``[^\s,.;:!?][,.;:!?)\]]`` (a match's lookahead needs white
# space after it, so no two matches compete for a character), three times faster.
_SPACED_PUNCT = re.compile(r"[,.;:!?)\]](?<!\S.)(?=\s|$)", re.MULTILINE)
_ATTACHED_PUNCT = re.compile(r"[,.;:!?)\]](?<=[^\s,.;:!?].)(?=\s|$)", re.MULTILINE)
#: Both at once: a closing mark with white space (or the text's end) after it, and the
#: character before it (captured by the look-behind; the first character has none).
_CLOSING = ",.;:!?)]"
_CLOSING_PUNCT = re.compile(r"[,.;:!?)\]](?<=([\s\S]).)(?=\s|\Z)")
#: A mark after one of these (or after white space) is not attached.
_NOT_ATTACHED = frozenset(",.;:!?")
#: A clitic's tail (``'s``, ``n't``); split off when white space and a word come before it.
_CLITIC_TAIL = re.compile(r"['’]\s*(?:s|t|re|ve|ll|d|m)\b|n['’]t\b")
#: The first branch alone: the scan stops only at quotes, not at every "n" (the "n't"
#: branch is told apart afterwards, see :func:`_count_split_clitics`).
_QUOTE_CLITIC = re.compile(r"['’]\s*(?:s|t|re|ve|ll|d|m)\b")
_GLUED_CLITIC = re.compile(r"\w['’](?:s|t|re|ve|ll|d|m)\b")
#: The same clitic found from its quote, looking back at the word character (the scan
#: stops only at quotes); :func:`_count_glued_clitics` keeps ``_GLUED_CLITIC``'s count.
_GLUED_CLITIC_TAIL = re.compile(r"['’](?<=\w.)(?:s|t|re|ve|ll|d|m)\b")
#: At most this share of letters may be capitals in "lowercased" text (stray furniture).
MAX_UPPER_SHARE = 0.005
MIN_LETTERS = 40
#: Case and tokenization are properties of the whole text: a sample tells them.
SAMPLE_CHARS = 20_000
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
_NON_ASCII_UPPER = re.compile(r"[\u00c0-\u00de\u0391-\u03a9\u0410-\u042f]")
MIN_PUNCT = 3
#: ``upper * _UPPER_RATIO > n`` says ``upper / n > MAX_UPPER_SHARE`` (in integers: the
#: ratio is rounded down, which only makes the test stricter).
_UPPER_RATIO = int(1 / MAX_UPPER_SHARE)


@dataclass(frozen=True)
class TextForm:
    """What the text looks like: its case and whether it is tokenized."""

    lowercased: bool
    tokenized: bool

    @property
    def label(self) -> str:
        return LOWERCASED_TOKENIZED if self.lowercased and self.tokenized else CASED


def text_form(text: str) -> TextForm:
    """Measure case and tokenization of ``text``.

    Example:
        >>> text_form("israel ' s war cabinet met , and said no .").label
        'lowercased_tokenized'
        >>> text_form("Israel's war cabinet met, and said no.").label
        'cased'
    """
    text = text[:SAMPLE_CHARS]
    classes = _byte_classes(text)
    ascii_upper = classes.count(_UPPER)
    if ascii_upper >= MIN_LETTERS and ascii_upper * _UPPER_RATIO > len(text):
        # Cased text, told by its ASCII capitals alone: they are more than
        # MAX_UPPER_SHARE of the most letters the text could have (every character),
        # and more capitals or letters outside ASCII cannot make the share smaller
        # than that. The letters are not counted.
        lowercased = False
    else:
        letters, upper = _count_letters_and_capitals(text, classes)
        lowercased = letters >= MIN_LETTERS and upper / letters <= MAX_UPPER_SHARE
        if letters < MIN_LETTERS:  # too short to tell: judge by what is there
            lowercased = letters > 0 and upper == 0
    spaced, attached = _count_punctuation(text, classes)
    # Each quote adds at most one split and one glued clitic: when even a split clitic
    # at every quote could not make the text tokenized, they are not looked for (the
    # quotes of cased text are mostly glued: "Israel's", "don't").
    quotes = utf8_parts(text)[0].count(b"'") + utf8_parts(text)[1].count("’")
    if spaced + 2 * quotes < MIN_PUNCT or spaced + 2 * quotes <= 2 * attached:
        return TextForm(lowercased=lowercased, tokenized=False)
    split, glued = _count_clitics(text, _quote_positions(text))
    spaced += 2 * split
    attached += 2 * glued
    tokenized = spaced >= MIN_PUNCT and spaced > 2 * attached
    return TextForm(lowercased=lowercased, tokenized=tokenized)


#: What :func:`text_form` reads of a UTF-8 byte (as a one-byte class): white space;
#: anything else (every byte of a character outside ASCII too); an ASCII lowercase or
#: capital letter; the closing marks ``)]``; the closing marks that attach no other
#: (``,.;:!?``). Both kinds of closing mark are the classes from ``_BRACKET`` on.
_SPACE, _OTHER, _LOWER, _UPPER, _BRACKET, _MARK = (b"\0", b"\1", b"\2", b"\3", b"\4", b"\5")


def _class_table() -> bytes:
    out = bytearray(_OTHER * 256)
    for c in range(128):
        if chr(c).isspace():  # what ``\s`` matches, \x1c-\x1f included
            out[c] = ord(_SPACE)
        elif chr(c).isalpha():
            out[c] = ord(_UPPER if chr(c).isupper() else _LOWER)
    for mark in _CLOSING:
        out[ord(mark)] = ord(_MARK if mark in _NOT_ATTACHED else _BRACKET)
    return bytes(out)


_CLASS_TABLE = _class_table()


def _byte_classes(text: str) -> bytes:
    """The class of every UTF-8 byte of ``text``, with a white space before and after
    (the text's edges read as white space): one ``bytes.translate`` (a plain mapping,
    the fastest kind), then counted by :func:`_count_letters_and_capitals` and
    :func:`_count_punctuation`."""
    data, others = utf8_parts(text)  # shared with the steps that read the same text
    if others:
        # white space outside ASCII (a no-break space) as one space: the bytes of a
        # character never straddle another's (UTF-8), and every white space is alike here
        for space in {c for c in others if c.isspace()}:
            data = data.replace(space.encode("utf-8"), b" ")
    return _SPACE + data.translate(_CLASS_TABLE) + _SPACE


def _count_letters(text: str) -> int:
    """Letters in ``text``: ASCII ones by their byte class, the rest by a regex."""
    return _count_letters_and_capitals(text)[0]


def _count_letters_and_capitals(text: str, classes: bytes | None = None) -> tuple[int, int]:
    """Letters and capitals (Latin, Greek, Cyrillic) in ``text``.

    The ASCII ones counted by byte class (``classes``: :func:`_byte_classes` of the
    text, made when not given); the regexes for the others run on its characters
    outside ASCII alone (:func:`~builder.clean.chars.utf8_parts`).
    """
    if classes is None:
        classes = _byte_classes(text)
    upper = classes.count(_UPPER)
    letters = upper + classes.count(_LOWER)
    rest = utf8_parts(text)[1]
    if rest:
        # both classes are of single non-ASCII characters: count them on those alone
        letters += len(_NON_ASCII_LETTER.findall(rest))
        upper += len(_NON_ASCII_UPPER.findall(rest))
    return letters, upper


def _count_punctuation(text: str, classes: bytes | None = None) -> tuple[int, int]:
    """``len(_SPACED_PUNCT.findall(text))`` and ``len(_ATTACHED_PUNCT.findall(text))``
    (a closing mark opening the text, with white space or nothing after it, counted as
    spaced), by byte class (``classes``: :func:`_byte_classes` of the text, made when
    not given), in numpy: the closing marks with white space after them, counted by the
    class of the byte before (white space: spaced; another mark of ``_NOT_ATTACHED``:
    neither; anything else: attached), three times faster than the regex's scan of
    every character.
    """
    if classes is None:
        classes = _byte_classes(text)
    cls = np.frombuffer(classes, dtype=np.uint8)
    closing = (cls[1:-1] >= ord(_BRACKET)) & (cls[2:] == ord(_SPACE))
    before = cls[:-2][closing]
    spaced = int(np.count_nonzero(before == ord(_SPACE)))
    attached = len(before) - spaced - int(np.count_nonzero(before == ord(_MARK)))
    return spaced, attached


def _count_punctuation_re(text: str) -> tuple[int, int]:
    """:func:`_count_punctuation` in one regex scan (the reference the tests check it
    against): every closing mark with white
    space (or the end) after it, and the character before it, counted per distinct
    character."""
    spaced = attached = 0
    for before, n in Counter(_CLOSING_PUNCT.findall(text)).items():
        if before.isspace():
            spaced += n
        elif before not in _NOT_ATTACHED:
            attached += n
    # a mark opening the text has nothing before it: spaced, as after white space
    if text and text[0] in _CLOSING and (len(text) == 1 or text[1].isspace()):
        spaced += 1
    return spaced, attached


def _quote_positions(text: str) -> list[int]:
    """Where the quotes (``'``, ``’``) are, in order, found by ``str.find`` (a text has
    few of them: finding them beats a regex scan of every character)."""
    found: list[int] = []
    for quote in "'’":
        pos = text.find(quote)
        while pos >= 0:
            found.append(pos)
            pos = text.find(quote, pos + 1)
    found.sort()
    return found


def _count_split_clitics(text: str, quotes: list[int] | None = None) -> int:
    """Clitics split off their word, as in ``israel ' s`` or ``do n't`` (see
    :func:`_count_clitics`)."""
    return _count_clitics(text, quotes)[0]


def _count_glued_clitics(text: str, quotes: list[int] | None = None) -> int:
    """``len(_GLUED_CLITIC.findall(text))``, three times faster (see :func:`_count_clitics`)."""
    return _count_clitics(text, quotes)[1]


def _count_clitics(text: str, quotes: list[int] | None = None) -> tuple[int, int]:
    r"""Clitics split off their word (``israel ' s``, ``do n't``) and glued to it
    (``israel's``, as ``_GLUED_CLITIC`` finds them), in one pass over the quotes.

    The search starts at the rare quote rather than at every word character. A match
    of ``_QUOTE_CLITIC`` starts at a quote and holds no other, so trying it at every
    quote (``quotes``, from :func:`_quote_positions`) finds what ``finditer`` finds.
    A split clitic has white space before it (or before its "n't"), then a word.
    A glued one is the same match with no white space after the quote (so ``\s*``
    took nothing, and the rest is ``_GLUED_CLITIC_TAIL``) and a word character before
    it; a match there takes that character, so a clitic right after another one
    (``x's's``) is not counted again: the same rule is kept here.
    """
    split = glued = glued_end = 0
    if quotes is None:
        quotes = _quote_positions(text)
    match_at = _QUOTE_CLITIC.match
    for q in quotes:
        match = match_at(text, q)
        if match is None:
            continue
        before = text[q - 1] if q else ""
        word_before = before.isalnum() or before == "_"
        if q > glued_end and word_before and not text[q + 1].isspace():
            glued += 1
            glued_end = match.end()
        start = end = q
        if before == "n" and text[q + 1] == "t" and match.end() == q + 2:
            start = end = q - 1  # where ``_CLITIC_TAIL``'s "n't" branch matches
        while start and text[start - 1].isspace():
            start -= 1
        if start < end and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            split += 1
    return split, glued


def detect_text_form(text: str) -> str:
    """``lowercased_tokenized`` for text like ``israel ' s war``, else ``cased``."""
    return text_form(text).label


# -- detokenizing ----------------------------------------------------------------------
_TOKEN = re.compile(r"\S+")
_PIECE = re.compile(r"\w+|[^\w\s]")
_CLITICS = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})


@cache
def _moses():  # type: ignore[no-untyped-def]
    from sacremoses import MosesDetokenizer

    return MosesDetokenizer(lang="en")


def _units(line: str) -> list[str]:
    """Tokens for the detokenizer: punctuation split off, clitics and numbers rejoined.

    ``israel ' s`` -> ``israel 's`` (Moses attaches ``'s``), ``8 . 4m`` -> ``8.4m``,
    ``3 , 000`` -> ``3,000``, ``tried - and - trusted`` -> ``tried-and-trusted``.
    Joining only removes spaces, so the line's characters are unchanged.
    """
    pieces = [p for tok in _TOKEN.findall(line) for p in _PIECE.findall(tok)]
    units: list[str] = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
        after = pieces[i + 2] if i + 2 < len(pieces) else ""
        if p in ("'", "’") and units and units[-1][-1:].isalnum() and nxt in _CLITICS:
            if nxt == "t" and units[-1].endswith("n"):
                units[-1] = units[-1] + p + nxt  # don ' t -> don't
            else:
                units.append(p + nxt)  # ' s -> 's, attached by Moses
            i += 2
            continue
        if (
            units
            and units[-1][-1:].isdigit()
            and p in (".", ",")
            and nxt[:1].isdigit()
            and (p == "." or len(nxt) == 3)
        ):
            units[-1] = units[-1] + p + nxt  # 8 . 4 -> 8.4, 3 , 000 -> 3,000
            i += 2
            continue
        if p == "-" and units and units[-1][-1:].isalpha() and nxt.isalpha() and after == "-":
            units[-1] = units[-1] + p + nxt  # a chain: tried - and - trusted
            i += 2
            continue
        if p == "-" and units and "-" in units[-1] and units[-1][-1:].isalpha() and nxt.isalpha():
            units[-1] = units[-1] + p + nxt  # ... the chain's last link
            i += 2
            continue
        units.append(p)
        i += 1
    return units


def _gap_edits(line: str, out: str, offset: int, step: CleaningStep) -> list[Edit] | None:
    """Edits turning ``line`` into ``out``, which differ only in white space; else None."""
    a = [(m.start(), c) for m in re.finditer(r"\S", line) for c in m.group()]
    b = [(m.start(), c) for m in re.finditer(r"\S", out) for c in m.group()]
    if [c for _, c in a] != [c for _, c in b]:
        return None
    edits = []
    for k in range(1, len(a)):
        raw_gap = line[a[k - 1][0] + 1 : a[k][0]]
        out_gap = out[b[k - 1][0] + 1 : b[k][0]]
        if raw_gap != out_gap:
            edits.append(step.edit(offset + a[k - 1][0] + 1, offset + a[k][0], out_gap, "moses"))
    return edits


class Detokenize(CleaningStep):
    """Rejoin tokenized text (only when the document is tokenized), keeping offsets."""

    name = "detokenize"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        if not ctx.attributes.get("tokenized"):
            return []
        detok = _moses()
        edits: list[Edit] = []
        skipped = 0
        for start, _end, line in iter_lines(text):
            if not line.strip():
                continue
            out = detok.detokenize(_units(line), unescape=False)
            found = _gap_edits(line.strip(), out, start + (len(line) - len(line.lstrip())), self)
            if found is None:
                skipped += 1
                continue
            edits += found
        if skipped:
            ctx.attributes["detokenize_skipped_lines"] = skipped
        return edits
