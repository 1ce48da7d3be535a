"""Text fixes: the byte order mark, line endings, mojibake, Unicode forms and white space.

Each finds the characters to change and returns them as edits, as every step does;
none looks at what a line says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import ftfy
import regex

from .chars import bytes_except, utf8_parts
from .edits import Edit
from .steps import CleaningStep, DocumentContext, diff_edits, iter_lines

__all__ = ["ByteOrderMark", "FixMojibake", "LineEndings", "UnicodeNormalize", "Whitespace"]


class ByteOrderMark(CleaningStep):
    """A leading U+FEFF (a UTF-8 BOM that survived decoding) is not text."""

    name = "encoding"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        return [self.edit(0, 1, "", "bom")] if text.startswith("\ufeff") else []


class LineEndings(CleaningStep):
    """CRLF and lone CR become LF, so every later step sees one kind of line."""

    name = "line_endings"
    _cr = re.compile(r"\r\n?")

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        return [
            self.edit(m.start(), m.end(), "\n", "crlf" if m.group() == "\r\n" else "cr")
            for m in self._cr.finditer(text)
        ]


class FixMojibake(CleaningStep):
    """Repair text decoded with the wrong codec (``IsraelÃ¢â‚¬â„¢s``) with ftfy.

    ftfy works line by line here, and the difference is turned into minimal
    edits, so only the repaired characters move.
    """

    name = "mojibake"
    # Bytes of UTF-8 read as cp1252/latin-1 always leave one of these behind. One
    # character class (sre scans for it at C speed; "Ã." and "â€" hold one of them).
    _suspect = re.compile(r"[ÃÂâ€™œ\x80-\x9f]")

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        # every suspect is outside ASCII: looked for among those characters alone
        if text.isascii() or not self._suspect.search(utf8_parts(text)[1]):
            return []
        edits: list[Edit] = []
        for start, _end, line in iter_lines(text):
            if not self._suspect.search(line):
                continue
            fixed = ftfy.fix_encoding(line)
            if fixed != line:
                edits.extend(diff_edits(self, line, fixed, start, "ftfy"))
        return edits


#: Character-class bodies (what goes between ``[`` and ``]``) of :class:`UnicodeNormalize`:
#: spaces other than the plain one (and tab), each made a plain space ...
_ODD_SPACES = r"\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t"
#: ... and invisible and control characters (all but the line breaks \n and \r), each removed.
_INVISIBLES = r"\u200b\u2060\u00ad\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
#: The ASCII characters of either class.
_ASCII_SPACES_AND_INVISIBLES = "".join(
    c for c in map(chr, range(128)) if re.match(f"[{_ODD_SPACES}{_INVISIBLES}]", c)
)


class _NfcInert(dict[str, bool]):
    """Per character outside ASCII, once asked: whether it is NFC in any text it stands in
    (NFC's quick check says "yes" to it on its own): punctuation, a symbol or a space
    (general category P, S or Z; every character NFC may compose with the one before
    it is a mark or a Hangul jamo, checked by ``tests/test_clean_nfc_inert.py`` over
    all code points), of combining class 0 (no reordering), that NFC leaves as it is
    (so none it replaces)."""

    def __missing__(self, char: str) -> bool:
        value = self[char] = (
            unicodedata.category(char)[0] in "PSZ"
            and unicodedata.combining(char) == 0
            and unicodedata.normalize("NFC", char) == char
        )
        return value


_NFC_INERT = _NfcInert()


def _surely_nfc(others: str) -> bool:
    """Whether a text whose characters outside ASCII are ``others`` is in NFC, told from
    the few distinct ones (the typographic quotes and dashes of most news text): when
    each is inert (:class:`_NfcInert`), NFC's quick check says "yes" to every character
    of the text (ASCII ones included), and ``unicodedata.is_normalized`` would say so
    after reading them all. False: not known (the text is checked)."""
    return all(map(_NFC_INERT.__getitem__, set(others)))


class UnicodeNormalize(CleaningStep):
    """NFC; odd spaces become a plain space; invisible and control characters go.

    Typographic quotes (’ “ ”) and dashes (– —) are kept as they are: they are
    real characters of the published text, and keeping them leaves annotation
    offsets made on the raw text untouched.

    The zero-width joiner and non-joiner (U+200D, U+200C) are text where they
    join: between letters or marks they choose a letter's form (Persian ``می‌خواهم``,
    Devanagari conjuncts, Malayalam chillus), between emoji they make one emoji
    (``👩‍💻``, ``❤️‍🔥``, after a variation selector or a skin tone). They are kept there.
    At the edge of a word (next to a space, punctuation, a digit or the text's
    edge) they join nothing in any script, and are removed, as is a run of them
    with nothing to join on one side.
    """

    name = "unicode"
    _space = re.compile(f"[{_ODD_SPACES}]")
    _invisible = re.compile(f"[{_INVISIBLES}]")
    #: Either class (the two written as one).
    _space_or_invisible = re.compile(f"[{_ODD_SPACES}{_INVISIBLES}]")
    #: Every byte but the ASCII members of either class (tab and control characters).
    _not_ascii_space_or_invisible = bytes_except(_ASCII_SPACES_AND_INVISIBLES)
    _joiner = re.compile(r"[\u200c\u200d]+")
    #: What a joiner joins: letters, marks (a variation selector is one), emoji and skin tones.
    _joinable = regex.compile(r"[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}]")

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        edits: list[Edit] = []
        # Whether either class is there at all (most texts have neither): its ASCII
        # members by a byte delete, the others among the characters outside ASCII.
        data, others = utf8_parts(text)
        # the characters of either class the text holds (the ASCII ones are what the
        # byte delete leaves), each then found by ``str.find``: most texts hold one or
        # two of them (a no-break space), a few times each, and a scan for the class
        # would stop at nothing else but test every character
        present = set(data.translate(None, self._not_ascii_space_or_invisible).decode())
        if others and self._space_or_invisible.search(others):
            present.update(c for c in set(others) if self._space_or_invisible.match(c))
        if present:
            edits += [
                self.edit(start, end, " " * (end - start), "space")
                for start, end in _runs(
                    _positions(text, [c for c in present if self._space.match(c)])
                )
            ]
            edits += [
                self.edit(start, end, "", "invisible")
                for start, end in _runs(
                    _positions(text, [c for c in present if self._invisible.match(c)])
                )
            ]
        if others and ("\u200c" in others or "\u200d" in others):
            edits += [
                self.edit(m.start(), m.end(), "", "joiner_edge")
                for m in self._joiner.finditer(text)
                if not self._joins(text, m.start(), m.end())
            ]
        if not _surely_nfc(others) and not unicodedata.is_normalized("NFC", text):
            for start, _end, line in iter_lines(text):
                nfc = unicodedata.normalize("NFC", line)
                if nfc != line:
                    edits.extend(diff_edits(self, line, nfc, start, "nfc"))
        return _drop_overlaps(edits)

    def _joins(self, text: str, start: int, end: int) -> bool:
        return (
            start > 0
            and end < len(text)
            and bool(self._joinable.match(text, start - 1))
            and bool(self._joinable.match(text, end))
        )


def _positions(text: str, chars: list[str]) -> list[int]:
    """Where any of ``chars`` (single characters) is in ``text``, in order."""
    found: list[int] = []
    for c in chars:
        pos = text.find(c)
        while pos >= 0:
            found.append(pos)
            pos = text.find(c, pos + 1)
    if len(chars) > 1:
        found.sort()
    return found


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as ``(start, end)`` runs of neighbours: a run of no-break spaces
    (or of invisible characters) is one edit, not one per character (a page of only such
    characters held millions of edit objects: 475 MB a megabyte, 9 s CPU)."""
    runs: list[tuple[int, int]] = []
    for pos in positions:
        if runs and runs[-1][1] == pos:
            runs[-1] = (runs[-1][0], pos + 1)
        else:
            runs.append((pos, pos + 1))
    return runs


def _drop_overlaps(edits: Sequence[Edit]) -> list[Edit]:
    out: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, -e.end)):  # longest first
        if out and e.start < out[-1].end:
            continue
        out.append(e)
    return out


class Whitespace(CleaningStep):
    """Trailing spaces, runs of spaces, more than one blank line, and the document's edges.

    Three of the four kinds touch a newline (spaces before one, spaces after one, three
    newlines and more in a row), so they are found from the text's lines (split once
    and shared with the steps before, see :func:`iter_lines`): a few string tests per
    line, not three scans of every character. Their results are what the patterns
    ``_space_before_newline``, ``_leading`` and ``_blank_lines`` find (checked by
    ``tests/test_clean_whitespace_lines.py``). Runs of spaces inside a line are found
    by ``_run``, only in a text that has two spaces in a row at all.
    """

    name = "whitespace"
    _space_before_newline = re.compile(r" \n")
    _run = re.compile(r"  +")
    _leading = re.compile(r"\n +")
    _blank_lines = re.compile(r"\n\n\n+")

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        # The document's edges first: where a run of blank lines is the edge itself
        # (the whole tail was furniture), the edge edit wins the tie and nothing is left.
        edits: list[Edit] = []
        lead = len(text) - len(text.lstrip())
        if lead:
            edits.append(self.edit(0, lead, "", "document_edges"))
        trail = len(text.rstrip())
        if trail < len(text) and trail >= lead:
            edits.append(self.edit(trail, len(text), "", "document_edges"))
        trailing, leading, blanks = _newline_runs(text)
        edits += [self.edit(s, e, "", "trailing") for s, e in trailing]
        n = len(text)
        # ``_run``'s scan stops at every space; most texts have no two in a row at all
        runs = self._run.finditer(text) if "  " in text else ()
        for m in runs:  # two spaces and more between two non-spaces
            start, end = m.span()
            if start and end < n and not text[start - 1].isspace() and not text[end].isspace():
                edits.append(self.edit(start, end, " ", "collapse"))
        edits += [self.edit(s, e, "\n", "leading") for s, e in leading]
        edits += [self.edit(s, e, "\n\n", "blank_lines") for s, e in blanks]
        return _drop_overlaps(edits)


_Spans = list[tuple[int, int]]


def _newline_runs(text: str) -> tuple[_Spans, _Spans, _Spans]:
    """The spans of the white space around newlines, in order, read off the text's lines:

    * the spaces before a newline (``_space_before_newline``'s match, taken back over
      the run of spaces it ends),
    * a newline and the spaces after it (``_leading``'s matches),
    * three newlines and more in a row (``_blank_lines``'s matches).
    """
    trailing: _Spans = []
    leading: _Spans = []
    blanks: _Spans = []
    run_start = -1  # where the current run of newlines starts (-1: none)
    run_end = -1  # just past its last newline
    for start, end, line in iter_lines(text):
        if not line:  # an empty line: its newline goes on a run that ends right here
            if run_end != start:
                run_start = start
            run_end = end
            continue
        if run_end - run_start >= 3 and run_end == start:
            blanks.append((run_start, run_end))
        if line[0] == " " and start:  # a newline right before it: ``_leading``
            leading.append((start - 1, start + len(line) - len(line.lstrip(" "))))
        run_start = run_end = -1
        if end > start + len(line):  # the line ends with a newline: a run starts there
            if line[-1] == " ":
                trailing.append((start + len(line.rstrip(" ")), end - 1))
            run_start, run_end = end - 1, end
    if run_end - run_start >= 3:
        blanks.append((run_start, run_end))
    return trailing, leading, blanks
