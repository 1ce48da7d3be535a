"""Cleaning steps: each finds edits in a text and never rewrites it directly.

A step has one job and a name; every edit it returns carries a reason
(``<step>.<rule>``) that ends up in the published edit log and in the card's
counts. Steps are pure: the same text and context give the same edits.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import ftfy
import regex

from .chars import bytes_except, utf8_parts
from .contact import contact_block
from .edits import Edit
from .lines import count_words_of, line_view
from .site_index import index_run

__all__ = [
    "LIST_MARKER",
    "TOPIC_OVERLAP",
    "ByteOrderMark",
    "CleaningStep",
    "DocumentContext",
    "FixMojibake",
    "LineEndings",
    "RepeatedHeader",
    "TrailingTeasers",
    "UnicodeNormalize",
    "Whitespace",
    "content_words",
    "iter_lines",
    "stem",
]


@dataclass
class DocumentContext:
    """What a step may know besides the text: ids and attributes found so far."""

    article_id: str = ""
    publisher: str | None = None
    headline: str | None = None
    attributes: dict[str, object] = field(default_factory=dict)


class CleaningStep:
    """Base class. Subclasses set ``name`` and implement :meth:`find_edits`."""

    name: str = "step"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        raise NotImplementedError

    def edit(self, start: int, end: int, replacement: str, rule: str) -> Edit:
        return Edit(start, end, replacement, f"{self.name}.{rule}")


def iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end_including_newline, line_without_newline) for every line."""
    # Most steps leave the text as they found it, so the next step reads the same
    # string: its lines are kept (for the last text only: flat memory) and not split
    # again. The pair is read and replaced as one object, so threads see a whole pair.
    last = _last_lines
    if last is not None and last[0] is text:
        return iter(last[1])
    rows = list(_split_lines(text))
    _keep_lines(text, rows)
    return iter(rows)


_last_lines: tuple[str, list[tuple[int, int, str]]] | None = None


def _keep_lines(text: str, rows: list[tuple[int, int, str]]) -> None:
    global _last_lines
    _last_lines = (text, rows)


def _split_lines(text: str) -> Iterator[tuple[int, int, str]]:
    # One split in C, then offsets by addition: a third faster than finding each newline.
    pos = 0
    lines = text.split("\n")
    # the steps reading these lines ask how many words each has: all counted at once
    # (when the first long line is read), from this split
    count_words_of(text, lines)
    last = lines[-1]  # what follows the last newline: "" when the text ends with one
    for line in itertools.islice(lines, len(lines) - 1):
        end = pos + len(line) + 1
        yield pos, end, line
        pos = end
    if last:
        yield pos, pos + len(last), last


def _first_lines(text: str, count: int) -> list[tuple[int, int, str]]:
    """``[ln for ln in iter_lines(text) if ln[2].strip()][:count]``, without testing
    the lines past the ``count``-th (a long text's many lines are not stripped)."""
    out: list[tuple[int, int, str]] = []
    if count <= 0:
        return [ln for ln in iter_lines(text) if ln[2] and not ln[2].isspace()][:count]
    for line in iter_lines(text):
        if line[2] and not line[2].isspace():
            out.append(line)
            if len(out) == count:
                break
    return out


def _diff_edits(step: CleaningStep, old: str, new: str, offset: int, rule: str) -> list[Edit]:
    """Fine-grained edits turning ``old`` into ``new`` (so offsets stay tight).

    ``new`` is ``old`` after a local repair (NFC, ftfy) of one line, which may be the
    whole article on one line. difflib's matcher is quadratic and worse on repetitive
    text (a run of combining marks: 4,000 characters took 50 s), so it only sees small
    parts: see :func:`_changes`.
    """
    return [step.edit(offset + i, offset + j, rep, rule) for i, j, rep in _changes(old, new)]


#: The most characters (on either side) handed to difflib's matcher at once: a changed
#: word of normal text is shorter (NFC changes 1-3 characters, ftfy a word or two),
#: and difflib's worst case at this size is ~20 µs a character.
_MATCHER_MAX = 64
#: How far (in words, on either side) a changed stretch is followed to where the two
#: texts agree again on a word (ftfy may take a space into a repaired character).
_RESYNC_WORDS = 4


def _changes(old: str, new: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) in ``old`` turning it into ``new``, in linear time.

    The common start and end are cut off; what is left goes to difflib when small,
    else is split at spaces (which NFC never changes, creates nor removes) and the
    words are walked side by side: each changed stretch of words is diffed alone.
    """
    start, old_end, new_end = _changed_span(old, new)
    a, b = old[start:old_end], new[start:new_end]
    if len(a) <= _MATCHER_MAX and len(b) <= _MATCHER_MAX:
        return _matcher_changes(a, b, start)
    old_words, new_words = a.split(" "), b.split(" ")
    if len(old_words) == 1 or len(new_words) == 1:
        return [(start, old_end, b)]
    out: list[tuple[int, int, str]] = []
    i = j = 0
    pos = start  # where old_words[i] starts
    while i < len(old_words) and j < len(new_words):
        if old_words[i] == new_words[j]:
            pos += len(old_words[i]) + 1
            i, j = i + 1, j + 1
            continue
        di, dj = _resync(old_words, new_words, i, j)
        x, y = " ".join(old_words[i : i + di]), " ".join(new_words[j : j + dj])
        if len(x) == len(a) and len(y) == len(b):  # no word agrees again: one replacement
            return [(start, old_end, b)]
        out.extend((pos + s, pos + e, rep) for s, e, rep in _changes(x, y))
        pos += len(x) + 1
        i, j = i + di, j + dj
    if i < len(old_words) or j < len(new_words):
        # one side ran out (a resync on its last word): the other's words are left
        rest = " " + " ".join(new_words[j:]) if j < len(new_words) else ""
        out.append((pos - 1, old_end, rest))
    return out


def _resync(old_words: list[str], new_words: list[str], i: int, j: int) -> tuple[int, int]:
    """How many words on each side until the two agree again (all that is left if not
    within :data:`_RESYNC_WORDS`): the fewest words first, the same count on both preferred."""
    for total in range(2, 2 * _RESYNC_WORDS + 1):
        for di in sorted(range(1, total), key=lambda d: abs(2 * d - total)):
            dj = total - di
            if i + di >= len(old_words) or j + dj >= len(new_words):
                continue
            if old_words[i + di] == new_words[j + dj]:
                return di, dj
    return len(old_words) - i, len(new_words) - j


def _matcher_changes(old: str, new: str, offset: int) -> list[tuple[int, int, str]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (offset + i1, offset + i2, new[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _changed_span(old: str, new: str) -> tuple[int, int, int]:
    """(start, end in old, end in new) of what lies between the common start and end."""
    start = _common_prefix_length(old, new)
    # the common end may not reach into the common start
    end = _common_prefix_length(old[start:][::-1], new[start:][::-1])
    return start, len(old) - end, len(new) - end


def _common_prefix_length(a: str, b: str) -> int:
    # slices compared in C, halving the candidate length: O(n log n) at memcmp speed
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


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
                edits.extend(_diff_edits(self, line, fixed, start, "ftfy"))
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
        if not unicodedata.is_normalized("NFC", text):
            for start, _end, line in iter_lines(text):
                nfc = unicodedata.normalize("NFC", line)
                if nfc != line:
                    edits.extend(_diff_edits(self, line, nfc, start, "nfc"))
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


def _words(line: str) -> list[str]:
    return re.findall(r"\w+", line.casefold())


_SENTENCE_END = re.compile(r"[.!?…:;\"”’')\]]\s*$")

#: Words too common to tell what a line is about.
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "as",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "that",
        "this",
        "it",
        "its",
        "his",
        "her",
        "their",
        "they",
        "he",
        "she",
        "we",
        "you",
        "i",
        "not",
        "but",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "should",
        "said",
        "says",
        "after",
        "over",
        "into",
        "about",
        "than",
        "more",
        "most",
        "also",
    ]
)


#: Words that make a line a question without saying what it asks about.
_ASKING = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "why",
        "when",
        "where",
        "can",
        "does",
        "did",
        "may",
        "might",
        "must",
        "shall",
        "happens",
        "next",
        "now",
        "need",
        "know",
    ]
)


#: A list item's marker: a bullet or a number ("- Lisbon", "• Porto", "2. Madeira").
LIST_MARKER = re.compile(r"([-–•*·▪►]|\d{1,2}[.)])\s")
#: A line sharing this share of its content words with the article is about it.
TOPIC_OVERLAP = 0.34
#: A story card's excerpt is this many words and more (its headline is 3 to 16).
CARD_EXCERPT_WORDS = 12
#: Cards with a label needed for a rail of cards (``TrailingTeasers._cards``) ...
MIN_CARDS = 3
#: ... starting past this share of the page's words.
CARD_POSITION = 0.4
#: A card's label: its category or date, one to three words, not closed like a
#: sentence, no figure but a year ("Airlines", "eFlyer News", "December 2025").
_CARD_LABEL = re.compile(
    r"^(?:[^\W\d]+|(?:19|20)\d\d)(?:[ &/,'’-]+(?:[^\W\d]+|(?:19|20)\d\d)){0,2}$"
)


def stem(word: str) -> str:
    """A word without its plural ending, so "emails" meets "email"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def content_words(text: str) -> set[str]:
    """The words that say what a text is about: no stop words, three letters and more."""
    return {w for w in _words(text) if w not in _STOP and len(w) > 2}


class RepeatedHeader(CleaningStep):
    """A title printed twice at the top, with section labels around it.

    Pages often repeat the headline (once in the page title, once above the
    body) with a kicker or section label between. When a line reappears within
    the first ``window`` lines, its earlier copies go, and so do the short,
    unpunctuated lines before its last occurrence: section labels ("Investing",
    "Tax Software", ``label_words`` words at most) and other lines printed again
    further down the page. The last occurrence, nearest the body, stays, and so
    does a longer line before it that the page does not repeat: it is the title or
    the standfirst ("9 Common Food Myths Debunked" over a repeated dek, "A Guide to
    Whole Home Mesh WiFi" between two copies of a question title).
    """

    name = "header"

    def __init__(self, window: int = 8, max_words: int = 16, label_words: int = 4) -> None:
        self.window = window
        self.max_words = max_words
        self.label_words = label_words

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        lines = _first_lines(text, self.window)
        # The lines' views are shared with the steps before (cached by line): their
        # words are not split again, and a line's key is its words joined.
        views = [line_view(line) for _, _, line in lines]
        # Two lines have the same key only if they have as many words and the same first
        # word: a line's key is made (its words listed and joined) only when an earlier
        # line has both (a long line's first word is found without listing the rest).
        counts = [len(v.words) for v in views]
        last_repeat = -1
        for i, n in enumerate(counts):
            if n and n in counts[:i]:
                view = views[i]
                first = view.words[0]
                if any(
                    counts[j] == n and views[j].words[0] == first and views[j].key == view.key
                    for j in range(i)
                ):
                    last_repeat = i
        if last_repeat < 0:
            return []
        keys = [v.key for v in views]
        title = keys[last_repeat]
        head = lines[:last_repeat]
        if any(
            len(views[i].words) > self.max_words
            or (_SENTENCE_END.search(line) and keys[i] != title)
            for i, (_, _, line) in enumerate(head)
        ):
            return []
        below = text[head[-1][1] :].casefold()
        return [
            self.edit(start, end, "", "repeated_title" if keys[i] == title else "section_label")
            for i, (start, end, _) in enumerate(head)
            if keys[i] == title
            or len(views[i].words) <= self.label_words
            or _printed_again(keys[i], below)
        ]


def _printed_again(key: str, text: str) -> bool:
    """Whether a line with these words is in ``text`` (casefolded) as a line of its own."""
    pos = text.find(key.split()[0]) if key else -1
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        if " ".join(_words(text[start : end if end >= 0 else len(text)])) == key:
            return True
        pos = text.find(key.split()[0], end) if end >= 0 else -1
    return False


class TrailingTeasers(CleaningStep):
    """Teasers of unrelated stories appended after the article.

    Scrapers often capture the "more stories" rail: one line per story, cut to
    a fixed length (so it ends mid-sentence), sometimes with the headline glued
    to its standfirst (``officerFor free ...``), and about something else. From
    the end of the document, a line is a teaser when it has no closing
    punctuation and at least two of: glued words, a length shared with another
    candidate, little vocabulary in common with the article. Only a run of at
    least ``min_run`` such lines, or one line with glued words, is removed;
    lines shorter than ``min_chars`` are never teasers (a list of results or
    names at the end of an article is short, a cut rail entry is long). Whole
    headlines in a bare rail are found by :meth:`_rail`; above them, story cards (a
    label, a headline, an excerpt: :meth:`_cards`), a site's index of
    its own pages (one title template many times, :mod:`builder.clean.site_index`) and
    the owner's contact block (:mod:`builder.clean.contact`).
    """

    name = "footer"
    _glued = re.compile(r"[a-z]{2,}[A-Z][a-z]{2,}")
    #: Alone, a line is a teaser only when a lowercase word runs into a capital
    #: (``lanesAfter``): a brand written in camel case (``WhatsApp``, ``YouTube``,
    #: ``MrComputerScience``) starts with its capital, and closes real lines too.
    _glued_lead = re.compile(r"(?<![A-Za-z])[a-z]{2,}[A-Z][a-z]{2,}")
    #: A lone glued line longer than this is a paragraph the extractor ran
    #: together, not a rail entry cut to a fixed length.
    _lone_max_chars = 320

    def __init__(
        self, max_lines: int = 12, min_run: int = 2, overlap: float = 0.35, min_chars: int = 60
    ) -> None:
        self.max_lines = max_lines
        self.min_run = min_run
        self.overlap = overlap
        self.min_chars = min_chars  # rail entries are cut long; list items are short
        self.rail_min = 3
        self.rail_overlap = TOPIC_OVERLAP

    def _heads(self, top: str, below: list[str], body: set[str]) -> bool:
        """Whether ``top`` is a subheading over the lines ``below``: shorter than every one,
        and naming what they are about (a word shared with one of them), or a question
        about the article's subject (a word other than its asking words, plural or not,
        in the text above: "What can tenants do?" over advice in an article about
        tenants). A rail's headlines are all of a length, so its first line is seldom
        the shortest, and a question in a rail is about another story. The items alone
        cannot tell: a rail's headlines share a common word ("new") with most articles.
        """
        if not all(len(top.split()) < len(line.split()) for line in below):
            return False
        words = content_words(top)
        if any(words & content_words(line) for line in below):
            return True
        subject = {stem(w) for w in words - _ASKING}
        return top.endswith("?") and bool(subject & {stem(w) for w in body})

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        lines = [ln for ln in iter_lines(text) if ln[2] and not ln[2].isspace()]
        if len(lines) < 3:
            return []
        tail = lines[-self.max_lines :]
        lengths = [len(line.strip()) for _, _, line in tail]
        run: list[tuple[int, int, str]] = []
        glued_seen = False
        for idx in range(len(tail) - 1, -1, -1):
            start, end, line = tail[idx]
            stripped = line.strip()
            if _SENTENCE_END.search(stripped) or len(stripped) < self.min_chars:
                break
            body = "\n".join(ln[2] for ln in lines if ln[0] < start)
            words = content_words(stripped)
            shared = len(words & content_words(body)) / max(1, len(words))
            glued = bool(self._glued.search(stripped))
            same_length = any(
                abs(lengths[idx] - other) <= 3 for j, other in enumerate(lengths) if j != idx
            )
            signals = glued + same_length + (shared < self.overlap)
            if signals < 2:
                break
            glued_seen = glued_seen or (
                len(stripped) <= self._lone_max_chars and bool(self._glued_lead.search(stripped))
            )
            run.append((start, end, line))
        if len(run) < self.min_run and not glued_seen:
            run = []
        edits = [self.edit(start, end, "", "teaser") for start, end, _ in run]
        rail_end = len(lines) - len(run)
        rail = self._rail(lines[:rail_end])
        rest = lines[: rail_end - len(rail)]
        # A rail of cards: a category or date label over a headline and its excerpt.
        at = self._cards(rest)
        if at >= 0:
            edits.append(self.edit(rest[at][0], rest[-1][1], "", "cards"))
            rest = rest[:at]
        # A site's index of its own pages, one title template many times.
        at = index_run([line for _, _, line in rest])
        if at >= 0:
            edits.append(self.edit(rest[at][0], rest[-1][1], "", "index"))
            rest = rest[:at]
        # What is left at the end may be the site owner's address and phone number.
        at = contact_block([line for _, _, line in rest])
        if at >= 0:
            edits.append(self.edit(rest[at][0], rest[-1][1], "", "contact"))
        return edits + rail

    def _cards(self, lines: list[tuple[int, int, str]]) -> int:
        """Where a rail of story cards ending the page starts (-1: none).

        A "latest stories" widget prints each card as a label (the story's category or
        date: "Airlines", "December 2025"), its headline and a one-paragraph excerpt. From
        the page's end, cards of a headline (3 to 16 words, not closed like a sentence, no
        list marker) over an excerpt (``CARD_EXCERPT_WORDS`` words and more), at least
        ``MIN_CARDS`` of them under a label (one to three words, not closed, no figure but
        a year: "Day 1" or "Step 2" over a heading and a paragraph is an article's own
        part), past ``CARD_POSITION`` of the page's words; the headlines about something
        else (at most a third of them share ``rail_overlap`` of their content words with
        the text above), as a rail's are.
        """
        start, cards, headlines = len(lines), 0, []
        while start >= 2:
            excerpt, headline = lines[start - 1][2].strip(), lines[start - 2][2].strip()
            if not (
                len(excerpt.split()) >= CARD_EXCERPT_WORDS
                and 3 <= len(headline.split()) <= 16
                and not _SENTENCE_END.search(headline)
                and not LIST_MARKER.match(headline)
            ):
                break
            headlines.append(headline)
            start -= 2
            if start >= 1 and _CARD_LABEL.match(lines[start - 1][2].strip()):
                cards += 1
                start -= 1
        if cards < MIN_CARDS or start == 0:
            return -1
        before = "\n".join(line for _, _, line in lines[:start])
        words = len(before.split())
        if words < CARD_POSITION * (words + sum(len(ln[2].split()) for ln in lines[start:])):
            return -1
        body = content_words(before)
        on_topic = 0
        for headline in headlines:
            own = content_words(headline)
            on_topic += len(own & body) >= self.rail_overlap * max(1, len(own))
        return start if on_topic * 3 <= len(headlines) else -1

    def _rail(self, lines: list[tuple[int, int, str]]) -> list[Edit]:
        """A bare rail of headlines after the last paragraph: no header gives it away.

        At least ``rail_min`` headline-like lines (4 to 16 words, no list marker, not
        closed like a sentence) at the very end, right after a closed sentence (not
        a subheading, not an intro ending in a colon), each about something else:
        none shares ``rail_overlap`` or more of its content words with the article.
        An article's own closing list has a subheading above it, or items on topic.
        A subheading of four words and more looks like a headline, so two more signs
        keep it: a blank line between it and a block of items (a scraped rail is
        spaced evenly), or being shorter than every item and sharing a word with one
        (it names what they are about: "How the fire spread" over "Friday afternoon:
        fire reported ..."), or being shorter than every item and a question about the
        article's subject ("What can tenants do?" over advice), in the run or just above
        it (then it is not the closed sentence a rail follows).
        """
        run: list[tuple[int, int, str]] = []
        gap: bool | None = None  # whether the run's lines are set apart by blank lines
        for start, end, line in reversed(lines):
            stripped = line.strip()
            n = len(stripped.split())
            if (
                not 4 <= n <= 16
                or LIST_MARKER.match(stripped)
                or (_SENTENCE_END.search(stripped) and not stripped.endswith("?"))
            ):
                break
            if run:
                spaced = end != run[-1][0]
                if gap is not None and spaced != gap:
                    break
                gap = spaced
            run.append((start, end, stripped))
        if len(run) < self.rail_min or len(run) == len(lines):
            return []
        top, below = run[-1][2], [line for _, _, line in run[:-1]]
        first = run[-1][0]
        body = content_words("\n".join(ln[2] for ln in lines if ln[0] < first))
        if self._heads(top, below, body):
            return []  # a subheading over its own list
        at = len(lines) - len(run) - 1
        before = lines[at][2].strip()
        if not re.search(r"[.!?\"”’]$", before):
            return []
        above = content_words("\n".join(ln[2] for ln in lines[:at]))
        if before.endswith("?") and self._heads(before, [line for _, _, line in run], above):
            return []  # a question subheading set apart from its list by a blank line
        for _, _, line in run:
            words = content_words(line)
            if len(words & body) / max(1, len(words)) >= self.rail_overlap:
                return []
        return [self.edit(start, end, "", "rail") for start, end, _ in run]


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
