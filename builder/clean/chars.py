"""Character classes as one lookup table, so a line's words are counted in numpy.

Most lines a cleaning step looks at are paragraphs of article text, and all it asks
about them is how many words they have (``len(view.words)``: more than any rule allows,
or enough to be running text). Splitting such a line into its words builds a string
per word in the regex engine; counting them needs only where a word starts. Here a
line becomes an array of code points, each looked up in a table of its class, and the
starts of runs of word characters are counted, several times faster than listing them.

The count is exactly ``len(re.findall(r"\\w+", line.casefold()))``: the table holds
the regex's own ``\\w`` for every code point (found by running the regex over all of
them, so it follows the Python that runs it). Case folding keeps the class of almost
every character; the few it changes (``İ`` folds to ``i`` and a combining dot, which
is no word character) are marked, and a line holding one is counted by the regex.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

__all__ = [
    "FOLD_CHANGES_CLASS",
    "WORD",
    "bytes_except",
    "cased_line_words",
    "class_table",
    "line_word_counts",
    "line_words",
    "utf8_parts",
    "word_count",
]

#: ``\w`` (as the ``re`` module matches it in a ``str`` pattern).
WORD = 1
#: Case folding gives characters of another class than this one's (or of both).
FOLD_CHANGES_CLASS = 2

_WORD_CHAR = re.compile(r"\w")
#: Characters past this have no case folding (checked by ``tests/test_clean_chars.py``
#: for the whole range, so a newer Unicode that adds some is caught).
CASED_LIMIT = 0x20000


@cache
def class_table() -> np.ndarray:
    """One byte of class bits per code point (all 0x110000 of them), built on first use."""
    table = np.zeros(0x110000, dtype=np.uint8)
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    for m in re.finditer(r"\w+", every):
        table[m.start() : m.end()] |= WORD
    for c in every[:CASED_LIMIT]:
        folded = c.casefold()
        if folded != c:
            word = table[ord(c)] & WORD
            if any(bool(_WORD_CHAR.match(f)) != word for f in folded):
                table[ord(c)] |= FOLD_CHANGES_CLASS
    return table


def codepoints(text: str) -> np.ndarray:
    """The text's code points (lone surrogates included, as the regex sees them)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def word_count(line: str) -> int | None:
    """``len(re.findall(r"\\w+", line.casefold()))``, or None when a character's case
    folding would change its class (the caller then lists the words)."""
    if not line:
        return 0
    classes = class_table()[codepoints(line)]
    if classes.max() > WORD:
        return None
    # a run starts where a word character follows a non-word one (or opens the line)
    return int(classes[0]) + int(np.count_nonzero(classes[1:] > classes[:-1]))


#: Bytes of UTF-8 as word (``a``) or not (space), the newline kept: ASCII by its class;
#: the bytes of other characters (>= 0x80) as a space, or as ``a`` in the second table.
def _byte_tables() -> tuple[bytes, bytes]:
    ascii_part = bytes(
        10 if c == 10 else (97 if _WORD_CHAR.match(chr(c)) else 32) for c in range(128)
    )
    return ascii_part + b" " * 128, ascii_part + b"a" * 128


_NONWORD_HIGH, _WORD_HIGH = _byte_tables()
_ASCII_BYTES = bytes(range(128))


def line_word_counts(text: str) -> list[int] | None:
    """``[word count of line for line in text.split("\\n")]`` (each as in :func:`word_count`),
    in a few passes over the whole text; None when a character's case folding would change
    its class.

    When the characters outside ASCII are all of one class (all word characters, as in
    ``café``, or none, as the typographic quotes and dashes of most news text), the
    text's UTF-8 bytes are mapped to word or not in one ``bytes.translate`` and each
    line's words are its ``" a"`` pairs; otherwise the code points go through
    :func:`class_table`.
    """
    data, others = utf8_parts(text)
    table = _NONWORD_HIGH
    if others:  # which classes are the characters outside ASCII of?
        classes = class_table()
        kinds = {int(classes[ord(c)]) for c in set(others)}
        if kinds == {WORD}:
            table = _WORD_HIGH
        elif kinds != {0}:
            return _line_word_counts_by_table(text)
    return [
        line.count(b" a") + line.startswith(b"a") for line in data.translate(table).split(b"\n")
    ]


def _line_word_counts_by_table(text: str) -> list[int] | None:
    if not text:
        return [0]
    cps = codepoints(text)
    classes = class_table()[cps]
    if classes.max() > WORD:
        return None
    starts = np.empty(len(classes), dtype=np.int32)
    starts[0] = classes[0]
    np.greater(classes[1:], classes[:-1], out=starts[1:])
    # a newline is no word character: no run starts on one, or runs across one
    ends = np.cumsum(starts)[np.flatnonzero(cps == 10)]
    bounds = np.concatenate(([0], ends, [int(starts.sum())]))
    return np.diff(bounds).tolist()


#: ASCII word characters (``\\w``) as themselves lowercased (their case folding), every
#: other byte (ASCII punctuation and white space, each byte of a character outside
#: ASCII) as a space.
_WORD_BYTES = bytes(
    ord(chr(c).lower()) if c < 128 and _WORD_CHAR.match(chr(c)) else 32 for c in range(256)
)


def line_words(line: str) -> list[str]:
    """``re.findall(r"\\w+", line.casefold())``, several times faster for most lines.

    The regex tests each character's class and builds the list in its engine. When no
    character outside ASCII is a word character or changes class by case folding (the
    typographic quotes, dashes and bullets of most news text are neither), the words
    are the runs of ASCII word characters, lowercased: one ``bytes.translate`` maps
    the line's UTF-8 bytes to them and spaces, and ``split`` lists them. Other lines
    (``café``, ``İ``) are read by the regex.
    """
    return _translated_words(line, _WORD_BYTES, fold=True)


_CASED_WORD_BYTES = bytes(c if c < 128 and _WORD_CHAR.match(chr(c)) else 32 for c in range(256))


def cased_line_words(line: str) -> list[str]:
    """``re.findall(r"\\w+", line)`` (case kept), read as :func:`line_words` reads them."""
    return _translated_words(line, _CASED_WORD_BYTES, fold=False)


def _translated_words(line: str, table: bytes, *, fold: bool) -> list[str]:
    if line.isascii():
        return line.encode("ascii").translate(table).decode("ascii").split()
    data = line.encode("utf-8", "surrogatepass")
    others = data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    if all(map(_SEPARATOR.__getitem__, set(others))):
        return data.translate(table).decode("ascii").split()
    return _WORDS.findall(line.casefold() if fold else line)


class _Separators(dict[str, bool]):
    """Per character outside ASCII, once asked: no word character, and none after case
    folding (class 0 in :func:`class_table`), so it only separates words."""

    def __missing__(self, char: str) -> bool:
        value = self[char] = int(class_table()[ord(char)]) == 0
        return value


_SEPARATOR = _Separators()
_WORDS = re.compile(r"\w+")


#: The last text's UTF-8 bytes and characters outside ASCII (steps in a row read one text).
_last_parts: tuple[str, bytes, str] | None = None


def utf8_parts(text: str) -> tuple[bytes, str]:
    """The text's UTF-8 bytes and its characters outside ASCII, in order.

    Several steps look for characters of a class before reading the text closely (odd
    spaces, mojibake, letters outside ASCII). Their ASCII members are found by a byte
    delete on the bytes; the others are read in the second part, a few characters of
    most texts, instead of scanning the whole text once per class. Kept for the last
    text (the steps mostly read the same one); the pair is read and replaced as one.
    """
    global _last_parts
    last = _last_parts
    if last is not None and last[0] is text:
        return last[1], last[2]
    data = text.encode("utf-8", "surrogatepass")
    others = ""
    if len(data) != len(text):
        others = data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    _last_parts = (text, data, others)
    return data, others


def bytes_except(chars: str) -> bytes:
    """Every byte value but those of ``chars`` (ASCII): a delete table for
    ``bytes.translate`` that leaves only these characters."""
    keep = {ord(c) for c in chars}
    assert all(k < 128 for k in keep)
    return bytes(b for b in range(256) if b not in keep)
