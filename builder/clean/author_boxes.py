"""Author boxes after an article: the bio, the name line over it, a newspaper's tagline.

The section layer (:mod:`builder.clean.sections`) asks these questions at each line of
a page's last part; what they answer opens the block it removes (``sections.author_bio``,
``sections.author_name``). A box is a few short lines (the name, a role, "Email Dana")
over a bio ("Dana Kim is a staff writer ...", "Dana has covered ...", "I'm Dana, a ...",
"Executive Editor at X. ..."), and the bio may go on for a few lines about the same
person; a page by two authors prints two boxes, and those after the first are furniture
like it, not prose after it. Each opener asks that hardly any prose follows the boxes:
the same shapes introduce people an article goes on to quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from .lines import LineView

__all__ = [
    "BIO_LINES_ABOVE",
    "BIO_MAX_WORDS",
    "ECHO_NAME_WORDS",
    "SHORT_WORDS",
    "TailCounts",
    "above_bio",
    "bio_shape",
    "closing_box",
    "may_close",
    "opens_bio",
    "opens_echo",
]

Lines = list[tuple[int, int, LineView]]


class TailCounts(Protocol):
    """What the section layer knows of the page from each line on (one entry a line,
    and one past the end)."""

    @property
    def words(self) -> list[int]: ...

    @property
    def running_words(self) -> list[int]: ...


#: An author's bio, the first line of an author box: a name (one to four words), then
#: what the person is ("is a staff writer", "is the founder of", "has been an editor")
#: (not a list item: "- Acme is a code editor for ..."); a law firm or a paper may set it
#: in brackets ("(Dana Kim is a partner at ...)").
_BIO = re.compile(
    r"^\(?(?:about\s+the\s+author\s*:?\s+|about\s+|by\s+)?\w[\w.'’-]*(?:\s+[\w.'’-]+){1,3}\s*,?\s+"
    r"(?:(?:is|was|has\s+been)\s+(?:a|an|the|our)\s+(?:[\w'’,&-]+\s+){0,6}?"
    r"(?:writer|reporter|correspondent|editor|columnist|journalist|contributor|producer|critic|"
    r"photographer|author|blogger|founder|co-founder|ceo|director|head|advisor|adviser|"
    r"consultant|coach|strategist|analyst|specialist|expert|researcher|professor|lead|"
    r"manager|marketer|designer|developer|engineer|owner|president|partner|attorney|lawyer|"
    r"physician|dentist|therapist|nutritionist|dietitian|trainer|instructor|teacher|chef|nurse|"
    r"scientist|economist|principal|broker|realtor|practitioner)s?\b)",
    re.IGNORECASE,
)
#: A newspaper's tagline under an opinion piece or a report, a bio with no article
#: before its role ("Dana Kim is adjunct faculty at X and a physician based in Y.",
#: "Dana Kim is Trending Editor for X.", "Dana Kim is senior writer at X."): a name, the
#: verb, up to three words, a role, then where ("at", "for", "of", "with", "in"). Only
#: with no prose after it (:meth:`TrailingSection._opens_bio`): without the article the
#: shape is also how a report introduces someone it goes on to quote.
_TAGLINE = re.compile(
    r"^[\w.'’-]+(?:\s+[\w.'’-]+){1,3}\s+(?:is|was|serves\s+as)\s+(?!a\s|an\s|the\s|our\s)"
    r"(?:[\w'’&-]+\s+){0,3}?"
    r"(?:writer|reporter|correspondent|editor|columnist|journalist|contributor|producer|critic|"
    r"photographer|author|founder|co-founder|director|professor|faculty|fellow|researcher|"
    r"analyst|economist|scientist|physician|attorney|lawyer|manager|officer|chair)s?"
    r"\s+(?:at|for|of|with|in)\s",
    re.IGNORECASE,
)
#: A tagline's verb is within this many characters of its start (a name of four words).
TAGLINE_VERB_AT = 60
#: The words a bio's pattern needs (a cheap test before it; only the verb and what
#: follows it: a name's tokens may hold any number of words, "Mary-Jane O'Neil-Smith", or
#: none, "-"): a word "is", "was" or "has", then one of the next set, then another word.
#: Searched in the casefolded line itself, so a paragraph's words are never listed for
#: it: it opens with the verb's "s" and looks back for the rest of the word and its start
#: (``\bis``: nothing of a word before the "i"). An "s" is less than half as frequent
#: as the letters "i", "h", "w" the pattern opened with before (each a try of the
#: pattern): the search took less than half the time on articles
#: (``tests/test_clean_author_labels.py`` checks it finds what that one found).
_BIO_WORDS = re.compile(r"s(?:(?<=\bis)|(?<=\b[wh]as))\W+(?:a|an|the|our|been)\W+\w")
#: A bio that says since when its person does what they do, at the page's end: a name
#: (one to three words, no verb among them: "Acme was founded by ..." is a company's
#: history), "founded", "started", "launched", "joined" or "has been with", up to six
#: words (what), then "in" or "since" and a year ("Dana founded Acme Press in 2014 to
#: ...", "Dana Kim has been with the Herald since 2004. She ..."). With a personal
#: pronoun in the line (:func:`_career`): a bio is about a person.
_CAREER = re.compile(
    r"^(?:(?!(?:is|was|were|has|had|have)\b)[\w.'’-]+\s+){1,3}?"
    r"(?:co-?founded|founded|started|launched|joined|has\s+been\s+with)\s+"
    r"(?:[\w.'’&-]+\s+){1,6}?(?:in|since)\s+(?:19|20)\d\d\b",
    re.IGNORECASE,
)
#: The words ``_CAREER`` needs (a cheap test before it, on the casefolded line), within
#: ``CAREER_VERB_AT`` characters of its start (after a name of up to three words): a
#: paragraph is not searched to its end.
_CAREER_WORDS = re.compile(r"(?:founded|started|launched|joined|been with)\s")
CAREER_VERB_AT = 64
#: A career bio's pronouns: it goes on about its person ("... to share her love of ...").
_PERSONAL = frozenset(["he", "she", "his", "her", "him"])
#: An author box that opens with the author's name on a line of its own, then a bio
#: that opens with the same name ("Dana Whitfield" over "Dana Whitfield is ..." or "Dana
#: has covered ..."), within ``ECHO_LINES`` lines (a role line may sit between them).
#: The name is one to ``ECHO_NAME_WORDS`` words (not a sentence, no digits, not opening
#: with a function word); the bio is ``ECHO_BIO_MIN_WORDS`` words or more and says what
#: the person does (``_BIO_VOCAB``), so a listicle's item ("Acme" over "Acme has a free
#: plan ...") is not one.
ECHO_LINES = 3
ECHO_NAME_WORDS = 5
ECHO_BIO_MIN_WORDS = 8
_NOT_NAME_START = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "on",
        "to",
        "for",
        "with",
        "by",
        "from",
        "this",
        "that",
        "these",
        "our",
        "your",
        "my",
        "we",
        "i",
        "you",
        "it",
        "is",
        "are",
        "was",
        "how",
        "what",
        "why",
        "when",
        "where",
        "who",
        "which",
        "more",
        "read",
        "see",
        "new",
        "best",
        "top",
    ]
)
#: The word after a first name in a bio: the verb of "Dana is ...", "Dana has ...".
_BIO_VERBS = frozenset(
    [
        "is",
        "has",
        "was",
        "s",
        "holds",
        "joined",
        "writes",
        "covers",
        "lives",
        "works",
        "started",
        "founded",
        "brings",
        "loves",
        "specializes",
        "specialises",
        "leads",
        "helps",
        "enjoys",
    ]
)
#: A bio that opens with its person's role instead of their name, right under the name
#: line ("Dana Kim" over "Executive Editor at X. Technology journalist since 2008 ...",
#: "Award-winning author and ..."): one role, singular (a bio is about one person;
#: "Front-end developers enjoy ..." under "Front-end" is an article's part), within the
#: first five words (a hyphened word is one, spaced or not), followed by where or what
#: else ("at", "of", "and", a mark) or nothing. Read on the raw line (tokenized text
#: spaces its marks: "editor , ..."): normalizing every paragraph under a short line
#: cost the step a fifth more time. On the dev pages the shape anywhere on a page took
#: a handful of the gold's lines (bios the gold keeps); at the page's end, none.
_ROLE_FIRST = re.compile(
    r"^(?:[^\s-]+(?: ?- ?[^\s-]+)* ){0,4}?(?:writer|reporter|correspondent|editor|columnist|journalist|"
    r"contributor|producer|critic|photographer|author|blogger|founder|co-founder|ceo|"
    r"director|consultant|coach|strategist|analyst|specialist|researcher|professor|manager|"
    r"marketer|designer|developer|engineer|theorist|lead|head)"
    r"(?:\W*$| (?:at|of|for|and|with|in|&)\b| ?[,.;|])",
    re.IGNORECASE,
)
#: The name over a role-first bio is this many words (a first name and a surname or two).
ROLE_NAME_WORDS = (2, 4)
#: Where the bio may name its person: within its first ``ECHO_NAME_AT`` words, by the
#: first name or the surname (the name line's first or last word): "About the Author
#: Dana Kim is ...", "Ludovic (Ludo) Fourrage is ...", "I'm Dana, a ...".
ECHO_NAME_AT = 4
#: A bio in the first person names its person after "I'm" / "I am".
_FIRST_PERSON = (["i", "m"], ["i", "am"])
#: Words a bio may open with before its person's name.
_NAME_PREFIX = frozenset(
    ["about", "the", "author", "i", "m", "am", "hi", "hello", "dr", "mr", "ms"]
)
_BIO_VOCAB = re.compile(
    r"\b(?:writer|writes|editor|author|journalist|reporter|columnist|contributor|freelance|"
    r"blogger|covers|covered|experience|years|founder|co founder|ceo|expert|specialist|"
    r"analyst|consultant|degree|graduate|passionate|loves|based in|holds a|phd|certified|"
    r"executive|director|"
    r"professor|photographer|head of|chief|"
    # how bios describe a career: "a seasoned copywriter", "with a passion for writing",
    # "worked in marketing", "specializes in", "an industry veteran", "VP of Marketing"
    r"copywriter|content writer|marketer|strategist|coach|trainer|enthusiast|passion|"
    r"veteran|seasoned|career|worked (?:in|as|at|for)|has spent|specializ(?:es|ing|ed)|"
    r"specialis(?:es|ing|ed)|vp|vice president|renowned)\b"
)
#: A bio is at most this many words.
BIO_MAX_WORDS = 80
#: Lines after a bio's first that may go on about the same person.
BIO_MORE_LINES = 3
_PRONOUN_START = frozenset(["she", "he", "they", "her", "his", "their", "when", "in", "outside"])
#: Short lines right above a bio (the name, a picture's label, a role) go with it.
BIO_LINES_ABOVE = 3
BIO_ABOVE_MAX_WORDS = 6
#: An author box's bio is prose: it may be this many words.
SHORT_WORDS = 60


def _about_person(view: LineView, name: str) -> bool:
    """Whether a line after a bio goes on about its person: it names them (the first
    word of the bio's name among its first words) or opens with a pronoun or an aside
    ("She lives ...", "When she is not ...")."""
    words = view.words
    if not words:
        return False
    first = words[:6]
    return name in first or (
        words[0].casefold() in _PRONOUN_START
        and any(w.casefold() in ("she", "he", "they") for w in first)
    )


def _bio_name(words: Sequence[str]) -> str:
    """The first word of a bio's person ("Dana" of "About the author: Dana Kim is ...",
    "About Dana Kim, ...", "By Dana Kim Dana Kim is ..."): after the label, if any."""
    if list(words[:3]) == ["about", "the", "author"] and len(words) > 3:
        return words[3]
    if words[0] in ("about", "by") and len(words) > 1:
        return words[1]
    return words[0]


def bio_shape(view: LineView) -> bool:
    """Whether the line opens as a bio does: a name, then what the person is ("Dana Kim
    is a staff writer ...", "About Dana Kim, ... has been an editor"), or since when they
    do it (``_CAREER``: "Dana founded Acme Press in 2014 ..."). The cheap test of the
    verb's words first: most lines are never normalized."""
    folded = view.raw.casefold()
    if _BIO_WORDS.search(folded) and _BIO.match(view.norm):
        return True
    return bool(_CAREER_WORDS.search(folded, 0, CAREER_VERB_AT)) and _career(view)


def _career(view: LineView) -> bool:
    """A career bio: ``_CAREER`` after a name that is not a sentence's subject ("The
    firm", "Our team"), about a person (a personal pronoun in it)."""
    words = view.words
    return (
        bool(words)
        and words[0] not in _NOT_NAME_START
        and bool(_CAREER.match(view.norm))
        and not _PERSONAL.isdisjoint(words)
    )


def _is_bio(view: LineView, named: bool = False) -> bool:
    """Whether the line is an author's bio ("Dana Kim is a staff writer ..."): at most
    ``BIO_MAX_WORDS`` words, or any length under its person's name line (``named``)."""
    return len(view.words) > 0 and (named or len(view.words) <= BIO_MAX_WORDS) and bio_shape(view)


def _past_bios(lines: Lines, j: int) -> int:
    """The first line after the author boxes stacked from line ``j`` on (``j`` if none).

    A page by two authors (or an author and a reviewer) prints a box for each: a few
    short lines (the name, a role, "Email Dana") over a bio. Those after the first bio
    are furniture like it, not prose after it."""
    while True:
        m = j
        while (
            m < len(lines)
            and m - j < BIO_LINES_ABOVE
            and (0 < len(lines[m][2].words) <= BIO_ABOVE_MAX_WORDS)
        ):
            m += 1
        if m >= len(lines) or not lines[m][2].words:  # a rule line ("***") ends the boxes
            return j
        name = lines[m][2].words[0]
        named = any(lines[i][2].words[0] == name for i in range(j, m))
        if not _is_bio(lines[m][2], named):
            return j
        j = m + 1
        while j < len(lines) and j - m <= BIO_MORE_LINES and _about_person(lines[j][2], name):
            j += 1


def _named_at(words: Sequence[str], name: Sequence[str]) -> int:
    """Where a bio names the person of the name line above it (-1: it does not): the
    name's first word or surname among the bio's first ``ECHO_NAME_AT`` words, after
    only a label or "I'm" (``_NAME_PREFIX``: "About the Author Dana Kim is ...", "I'm
    Dana, a ..."), or after one word when the whole name follows it (a full first name:
    "Ludovic (Ludo) Fourrage is ..."). Not "Acme's Investment Banking practice" under
    "Investment Banking": a company's box names a service, not a person."""
    names = {name[0], name[-1]}
    for i, word in enumerate(words[:ECHO_NAME_AT]):
        if word in names:
            before = words[:i]
            if all(w in _NAME_PREFIX for w in before) or (
                i == 1 and list(words[1 : 1 + len(name)]) == list(name)
            ):
                return i
            return -1
    return -1


def opens_bio(lines: Lines, k: int, after: TailCounts) -> bool:
    """Whether line ``k`` is an author's bio with furniture after it (or nothing much)."""
    view = lines[k][2]
    if not bio_shape(view):
        # A tagline closes the page: no line of prose after it but a co-author's
        # tagline or bio (an article goes on after a person it introduces: "Ana
        # Ruiz is director of ... She says ..."). Cheapest first: the verb among the
        # raw line's first characters (most lines are never normalized), the
        # pattern, then the prose after it (counting it reads every line of the page).
        head = view.raw[:TAGLINE_VERB_AT].casefold()
        if " is " not in head and " was " not in head and " serves " not in head:
            return False
        if not _TAGLINE.match(view.raw.strip()) or after.running_words[k + 1] > 2 * BIO_MAX_WORDS:
            return False
        j = k + 1
        while j < len(lines) and (_TAGLINE.match(lines[j][2].raw.strip()) or _is_bio(lines[j][2])):
            j += 1
        return after.running_words[j] == 0
    # The bio may go on for a few lines about the same person ("Karina holds an
    # MBA ...", "When she is not writing, ..."): those are the bio too.
    j = k + 1
    name = _bio_name(view.words)
    while j < len(lines) and j - k <= BIO_MORE_LINES and _about_person(lines[j][2], name):
        j += 1
    j = _past_bios(lines, j)
    # Not "short for the page": an article's FAQ may follow its writer's bio.
    words = after.words[j]
    return words <= SHORT_WORDS or after.running_words[j] < 0.5 * words


def opens_echo(lines: Lines, k: int, after: TailCounts) -> int:
    """The bio's line when line ``k`` is an author's name over a bio that opens with
    it (or, right under it, with the person's role), with hardly any prose after the
    bio (-1: not so)."""
    name = lines[k][2].words
    # The bio first (cheapest, and seldom there): the first line below of more than
    # a role's few words, opening with the name's first word.
    j = k + 1
    end = min(k + 1 + ECHO_LINES, len(lines))
    while j < end and len(lines[j][2].words) <= BIO_ABOVE_MAX_WORDS:
        j += 1
    if j == end:
        return -1
    bio = lines[j][2]
    words = bio.words
    if len(words) < ECHO_BIO_MIN_WORDS or not name:
        return -1
    # The cheapest test first (most lines over a paragraph are subheadings whose
    # words the paragraph does not open with).
    head = words[:ECHO_NAME_AT]
    role_first = False
    if name[0] not in head and name[-1] not in head:
        # Or a bio right under the name that opens with a role, not the name.
        if not (
            j == k + 1
            and ROLE_NAME_WORDS[0] <= len(name) <= ROLE_NAME_WORDS[1]
            and _ROLE_FIRST.match(bio.raw.strip())
        ):
            return -1
        role_first = True
    # Not "About Acme" over "Acme is ...": a press release's own last part, about
    # the company, is often the article's.
    if (
        # a person's name has no function word ("Stay Ahead with Acme" is a promo's
        # header), and "About Acme" over "Acme is ..." is a press release's boilerplate
        any(w in _NOT_NAME_START or w == "about" for w in name)
        or any(w.isdigit() for w in name)
        or lines[k][2].norm.endswith((".", "!", "?", ":", ";", ","))
    ):
        return -1
    if not role_first:
        at = _named_at(words, name)
        if at < 0:
            return -1
        second = name[1] if len(name) > 1 else None
        after_name = words[at + 1 : at + 4]
        if not (
            words[at - 2 : at] in _FIRST_PERSON
            or (after_name and after_name[0] == second)
            or any(w in _BIO_VERBS for w in after_name)
        ):
            return -1
        if not _BIO_VOCAB.search(bio.key):
            return -1
    end = _past_bios(lines, j + 1)
    rest = after.words[end]
    if rest <= SHORT_WORDS or after.running_words[end] < 0.5 * rest:
        return j
    return -1


def above_bio(lines: Lines, k: int, first: int) -> int:
    """The first of the short lines right above a bio: its name, picture label, role."""
    top = k
    while top - 1 >= first and k - (top - 1) <= BIO_LINES_ABOVE:
        view = lines[top - 1][2]
        if not 0 < len(view.words) <= BIO_ABOVE_MAX_WORDS or view.norm.endswith((".", "?", "!")):
            break
        top -= 1
    return top


#: The last lines of a page looked at for an author box that closes it
#: (:func:`closing_box`): a name, a role, a picture's label over a bio of a few lines.
CLOSING_LINES = 8
#: A bio names its person within this many characters (``ECHO_NAME_AT`` words).
ECHO_HEAD_CHARS = 80
#: A bio's verb is among a line's first words: a label of up to three ("about the
#: author:") and a name of up to four before it.
BIO_VERB_AT = 8
#: A tagline's name is up to four words.
TAGLINE_NAME_WORDS = 4
#: A bio's verb after a name, and the words that may follow it ("is a", "has been").
_BIO_VERB_NEXT = {
    "is": frozenset(["a", "an", "the", "our"]),
    "was": frozenset(["a", "an", "the", "our"]),
    "has": frozenset(["been"]),
}
#: A tagline's verb after a name ("Dana Kim serves as ...", with ``_TAGLINE``).
_TAGLINE_VERBS = frozenset(["is", "was", "serves"])
#: Every verb :func:`_verb_at` looks for: made of the two tables it reads, so a line
#: holding none of them is told at once.
_VERBS = frozenset(_BIO_VERB_NEXT) | _TAGLINE_VERBS
#: Marks around a word split off a raw line ("Kim,", "(Ludo)").
_MARKS = ".,:;!?'’\"()[]*|-–—"


def _verb_at(line: str, words: Sequence[str]) -> bool:
    """Whether a bio's or a tagline's verb follows a name of two words and more (and
    at most a label) among ``words``, the line's first: "is a", "was the", "has been";
    or a tagline's ("Dana Kim is senior writer at X", ``_TAGLINE``)."""
    if words and words[0][:1] == "(":
        # a bio set in brackets: "(Dana Kim is a partner at ...)", "( dana kim is ..."
        words = [words[0][1:], *words[1:]] if len(words[0]) > 1 else words[1:]
    if not words or words[0] in _NOT_NAME_START or not words[0][0].isalnum():
        return False
    # Most lines (a paragraph's first words) hold none of the verbs there, and are told
    # so by one set test, not a loop over words.
    if _VERBS.isdisjoint(words[2:BIO_VERB_AT]):
        return False
    for p in range(2, min(BIO_VERB_AT, len(words))):
        verb, after = words[p], words[p + 1] if p + 1 < len(words) else ""
        if after in _BIO_VERB_NEXT.get(verb, ()):
            return True
        if p <= TAGLINE_NAME_WORDS and verb in _TAGLINE_VERBS and _TAGLINE.match(line.strip()):
            return True
    return False


def may_close(raw: Sequence[str]) -> int:
    """The first of the raw lines that may open an author box (-1: none): a cheap test
    before :func:`closing_box`, which reads every line's words. A bio's verb after a name
    (``_verb_at``), or a name line (a few words, none a function word) over a line in a
    career's words (``_BIO_VOCAB``) naming it among its first words, or opening with a
    role."""
    for i, line in enumerate(raw):
        head = line[:ECHO_HEAD_CHARS].casefold()
        words = head.split()
        if _verb_at(line, words) or (_CAREER_WORDS.search(head) and _CAREER.match(head)):
            return i
        if not 0 < len(words) <= ECHO_NAME_WORDS or any(
            w in _NOT_NAME_START or w == "about" for w in words
        ):
            continue
        name = {words[0].strip(_MARKS), words[-1].strip(_MARKS)}
        for b in raw[i + 1 : i + 1 + ECHO_LINES]:
            head = b[:ECHO_HEAD_CHARS].casefold().split()[:BIO_VERB_AT]
            if name & {w.strip(_MARKS) for w in head} and _BIO_VOCAB.search(b.casefold()):
                return i
        if i + 1 < len(raw) and _ROLE_FIRST.match(raw[i + 1].strip()):
            return i
    return -1


def closing_box(lines: Lines, after: TailCounts) -> int:
    """Where the author box that closes the page starts, among its last
    ``CLOSING_LINES`` lines (``lines``, with ``after`` counting the words from each on,
    as the section layer's :class:`~.sections.PageSuffixes` does); -1 when there is none.

    The section layer looks for the box before the line rules run, when a disclaimer, a
    share row or a related link may still follow it (prose, or more than a box's few
    words); once they are gone the box closes the page. The same openers ask the same of
    what follows the box (hardly any prose): here it is what the other steps left.
    """
    for k in range(len(lines)):
        n = len(lines[k][2].words)
        # The page's last line may be a long bio: nothing follows it to tell more.
        if n > 0 and (n <= BIO_MAX_WORDS or k == len(lines) - 1) and opens_bio(lines, k, after):
            return above_bio(lines, k, 0)
        if 0 < n <= ECHO_NAME_WORDS and opens_echo(lines, k, after) >= 0:
            return k
    return -1
