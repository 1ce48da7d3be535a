"""A line as the line rules see it: normalized, split into words.

Normalizing collapses white space and takes out the spaces that tokenized corpora put
around punctuation (``read more : ...`` reads as ``read more: ...``) and inside
clitics (``don ' t``), so one rule covers cased and lowercased-tokenized text.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["WORD", "LineView", "line_view", "normalize"]

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
    text = " ".join(raw.split())
    # Each substitution runs only where its hint says it may change something: most
    # lines have no spaced punctuation, and their clitics are already glued.
    if _APOSTROPHE_HINT.search(text):
        text = _rejoin_clitics(text)
    if _SPACE_BEFORE_HINT.search(text):
        text = _SPACE_BEFORE.sub(r"\1", text)
    if _SPACE_AFTER_HINT.search(text):
        text = _SPACE_AFTER.sub(r"\1", text)
    return text


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


class LineView:
    """One line as rules see it: normalized text, its words, and their key.

    ``words`` (which every reader wants, if only to count them) is worked out at once;
    ``norm`` and ``key`` on first use, then kept as plain attributes: a view is read
    many times per line, and a plain attribute is the cheapest read Python has.
    """

    words: list[str]
    norm: str
    key: str

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.words = WORD.findall(raw.casefold())

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
