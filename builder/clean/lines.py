"""A line as the line rules see it: normalized, split into words.

Normalizing collapses white space and takes out the spaces that tokenized corpora put
around punctuation (``read more : ...`` reads as ``read more: ...``) and inside
clitics (``don ' t``), so one rule covers cased and lowercased-tokenized text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import overload

from .chars import line_word_counts, line_words, word_count

__all__ = ["WORD", "LineView", "Words", "count_words_of", "line_view", "normalize"]

#: A word of a line or of a rule's phrase or vocabulary (matched on casefolded text).
WORD = re.compile(r"\w+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?)\]}%’”]|'(?!\w))")
_SPACE_AFTER = re.compile(r"([(\[{$£€#@‘“])\s+")
_APOSTROPHE = re.compile(r"(\w) ?['’] ?(s|t|re|ve|ll|d|m)\b")
#: ``_APOSTROPHE`` found from its quote (see :func:`_rejoin_clitics`).
_QUOTE_CLITIC = re.compile(r"['’](?:(?<=\w.)|(?<=\w .)) ?(s|t|re|ve|ll|d|m)\b")
#: Where a substitution could change the text (supersets of what they change), each
#: opening with the rare character, not with the white space or word character before
#: it: the scan stops only at quotes and punctuation, not at every space or letter.
#: ``_APOSTROPHE`` changes only a typographic apostrophe or a space next to a quote
#: (``don't`` is replaced by itself); the others need a space next to their mark.
_APOSTROPHE_HINT = re.compile(r"’|'(?<=\s')|'(?=\s)")
_SPACE_BEFORE_HINT = re.compile(r"[,.;:!?)\]}%’”'](?<=\s.)")
_SPACE_AFTER_HINT = re.compile(r"[(\[{$£€#@‘“](?=\s)")


def normalize(raw: str) -> str:
    """White space collapsed, spaced punctuation and split clitics rejoined."""
    text = raw if _single_spaced(raw) else " ".join(raw.split())
    # Each substitution runs only where its hint says it may change something: most
    # lines have no spaced punctuation, and their clitics are already glued.
    if _APOSTROPHE_HINT.search(text):
        text = _rejoin_clitics(text)
    if _SPACE_BEFORE_HINT.search(text):
        text = _SPACE_BEFORE.sub(r"\1", text)
    if _SPACE_AFTER_HINT.search(text):
        text = _SPACE_AFTER.sub(r"\1", text)
    return text


def _single_spaced(raw: str) -> bool:
    """Whether ``" ".join(raw.split()) == raw``, without splitting: no white space but
    single plain spaces between other characters. Every white space character but the
    plain space is unprintable (a separator or a control character, checked over all
    code points by ``tests/test_clean_normalize_fast.py``), so a printable line holds
    no other; most lines of a page are such, and splitting a paragraph into its words
    to join them again is most of what normalizing it costs."""
    return raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " "


def _rejoin_clitics(text: str) -> str:
    """``_APOSTROPHE.sub(r"\\1'\\2", text)``, found from the quotes.

    ``_APOSTROPHE`` opens with the word character, so its scan stops at every letter;
    this one stops only at quotes and looks back for the word character. A match of
    ``_APOSTROPHE`` takes that character, so a quote whose word character was the end
    of the previous match (``x's’s``) is left alone, as there.
    """
    out: list[str] = []
    pos = taken = 0
    for m in _QUOTE_CLITIC.finditer(text):
        q = m.start()
        start = q - 2 if text[q - 1] == " " else q - 1  # the word character
        if start < taken:
            continue
        out.append(text[pos : start + 1])
        out.append("'")
        out.append(m.group(1))
        pos = taken = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


#: A line longer than this has its words counted first and listed only when read (see
#: :class:`Words`); a shorter one has them listed at once (a short line's list is cheap,
#: and rules read the words of short lines).
COUNT_FIRST_CHARS = 120


#: The word counts of the lines of a text split before (:func:`count_words_of`), by line
#: (replaced per counted text: flat memory; a line not in it is counted on its own) ...
_counted: dict[str, int] = {}
#: ... and the text split last, until a long line of it is read.
#: (With its lines, when the caller split it: the pair is read and replaced as one.)
_pending: tuple[str, list[str] | None] | None = None


#: Long lines of the pending text counted one by one before all are counted at once.
#: 0: at the first. (4 made the header's few lines cheaper on long real pages, but the
#: 5 KB articles of a build have a handful of long lines, each then counted alone.)
COUNT_ALL_AFTER = 0
_misses = 0


def count_words_of(text: str, lines: list[str] | None = None) -> None:
    """Note ``text`` (split into lines by a step): the words of all its lines are
    counted in one pass over the whole text
    (:func:`builder.clean.chars.line_word_counts`) once views of more than
    ``COUNT_ALL_AFTER`` of its long lines were made (those are counted one by one). A
    step reading only a few lines (the header's first lines) never pays for the whole
    text. ``lines``: ``text.split("\\n")``, when the caller has it (not split again)."""
    global _pending, _misses
    _pending = (text, lines)
    _misses = 0


def _count_pending() -> None:
    global _counted, _pending
    pending = _pending
    _pending = None
    if pending is not None:
        text, lines = pending
        counts = line_word_counts(text)
        if lines is None:
            lines = text.split("\n")
        _counted = dict(zip(lines, counts, strict=True)) if counts is not None else {}


#: The first word of a long line is looked for in its first characters this many.
FIRST_WORD_CHARS = 48


def _first_word(raw: str) -> str:
    """``WORD.search(raw.casefold()).group()`` of a line with a word, casefolding only
    its first ``FIRST_WORD_CHARS`` characters when the first word ends within them
    (case folding maps each character on its own, so the folded head is the head of
    the folded line)."""
    head = raw[:FIRST_WORD_CHARS].casefold()
    found = WORD.search(head)
    if found is None or found.end() == len(head):  # the word may go on past the head
        found = WORD.search(raw.casefold())
        assert found is not None
    return found.group()


class Words(Sequence[str]):
    """The words of a line (``WORD.findall(line.casefold())``), listed on first read.

    Every step asks how many words a line has; only the rules for short lines, and a
    few tests, read the words themselves. A long line (a paragraph) is counted in numpy
    (:func:`builder.clean.chars.word_count`, exact), its first word found by one search
    when only that is asked, and its list made only when more is read.
    """

    __slots__ = ("_first", "_list", "_n", "_raw")

    def __init__(self, raw: str) -> None:
        self._raw: str | None = None
        #: the first word of a long line whose words are not listed, once asked for
        #: (the header, section and boilerplate steps each read it)
        self._first: str | None = None
        self._list: list[str] | None = None
        n = None
        if len(raw) > COUNT_FIRST_CHARS:
            n = _counted.get(raw)
            if n is None and _pending is not None:
                global _misses
                _misses += 1
                if _misses > COUNT_ALL_AFTER:  # a step reading many lines: count them all
                    _count_pending()
                    n = _counted.get(raw)
            if n is None:
                n = word_count(raw)
        if n is None:
            self._list = line_words(raw)
            n = len(self._list)
        else:
            self._raw = raw
        self._n = n

    def _words(self) -> list[str]:
        if self._list is None:
            assert self._raw is not None
            self._list = line_words(self._raw)
        return self._list

    def __len__(self) -> int:
        return self._n

    @property
    def listed(self) -> bool:
        """Whether the words are listed already (reading them costs nothing more)."""
        return self._list is not None

    def __bool__(self) -> bool:
        return self._n > 0

    def __iter__(self) -> Iterator[str]:
        listed = self._list  # (read here: most reads find the words listed)
        return iter(listed if listed is not None else self._words())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        listed = self._list  # (read here: most reads find the words listed)
        if listed is not None:
            return listed[index]
        if index == 0 and self._n:
            first = self._first
            if first is None:
                assert self._raw is not None
                first = self._first = _first_word(self._raw)
            return first
        return self._words()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Words):
            return self._words() == other._words()
        return isinstance(other, list) and self._words() == other

    __hash__ = None  # type: ignore[assignment]  # as a list's: unhashable

    def __repr__(self) -> str:
        return repr(self._words())


class LineView:
    """One line as rules see it: normalized text, its words, and their key.

    ``words`` (which every reader wants, if only to count them) is made at once, as a
    :class:`Words` that counts a long line without listing it; ``norm`` and ``key`` on
    first use, then kept as plain attributes: a view is read many times per line, and
    a plain attribute is the cheapest read Python has.
    """

    words: Words
    norm: str
    key: str

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.words = Words(raw)

    def __getattr__(self, name: str) -> str:
        # only reached while the attribute is not set yet
        if name == "norm":
            value = normalize(self.raw)
        elif name == "key":
            value = " ".join(self.words)
        else:
            raise AttributeError(name)
        setattr(self, name, value)
        return value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LineView) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"LineView(raw={self.raw!r})"


@lru_cache(maxsize=4096)
def line_view(line: str) -> LineView:
    """The view of a line, shared by the steps that read it (its words and normalized
    form are worked out once per line, not once per step)."""
    return LineView(line)
