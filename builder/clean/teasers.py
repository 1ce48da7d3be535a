"""The page's tail of other stories: cut teasers, bare rails of headlines, story cards;
and what the other steps leave closing it (a contact block, an author box, a vendor's
box under a hook question)."""

from __future__ import annotations

import re

from .author_boxes import BIO_LINES_ABOVE, CLOSING_LINES, closing_box, may_close
from .contact import contact_block
from .edits import Edit
from .lines import line_view
from .sections import MIN_ARTICLE_WORDS, MIN_POSITION, PageSuffixes
from .site_index import index_run
from .steps import CleaningStep, DocumentContext, iter_lines
from .topic import ASKING, LIST_MARKER, SENTENCE_END, TOPIC_OVERLAP, content_words, stem

__all__ = ["TrailingTeasers"]

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
#: A vendor's closing box: a hook question to the reader ("Not sure what to do next?",
#: "Planning a project?", "Need more help?") of ``HOOK_WORDS`` words, over at most
#: ``HOOK_BOX_LINES`` lines and ``HOOK_BOX_WORDS`` words that close the page, in the
#: site's voice ("we", "our", "us") or calling to act ("Get a free valuation.", "Use our
#: tool ..."). An FAQ's question asks what, how or why; a hook asks whether the reader
#: wants, needs, is looking for or is unsure.
_HOOK = re.compile(
    r"^\W*(?:not sure|need|looking (?:for|to)|want|thinking (?:of|about)|planning|got|ready|"
    r"interested in|curious|(?:still )?have (?:any )?questions|tired of|struggling)\b.*\?$"
)
HOOK_WORDS = (2, 10)
HOOK_BOX_LINES = 3
HOOK_BOX_WORDS = 80
_SITE_VOICE = frozenset(["we", "our", "us", "ours"])
#: The first words of a line calling the reader to act ("Get a quote", "Sign up", "Let us").
_CALLS = frozenset(
    [
        "get",
        "find",
        "use",
        "contact",
        "call",
        "join",
        "request",
        "schedule",
        "book",
        "start",
        "try",
        "become",
        "sign",
        "subscribe",
        "talk",
        "reach",
        "let",
        "visit",
    ]
)


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
    its own pages (one title template many times, :mod:`builder.clean.site_index`),
    the owner's contact block (:mod:`builder.clean.contact`) and an author's box left
    closing the page once the line rules took what was under it
    (:func:`builder.clean.author_boxes.closing_box`), and a vendor's box under a hook
    question (:func:`_hook_box`).
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
        subject = {stem(w) for w in words - ASKING}
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
            if SENTENCE_END.search(stripped) or len(stripped) < self.min_chars:
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
            rest = rest[:at]
        # An author's box the other steps left closing the page (its disclaimer or
        # share row gone), where the section layer's blocks may start: past
        # ``MIN_POSITION`` of the page's words and ``MIN_ARTICLE_WORDS`` of article.
        at = self._author_box(text, rest)
        if at >= 0:
            edits.append(self.edit(rest[at][0], rest[-1][1], "", "author_box"))
            rest = rest[:at]
        # A vendor's box under a hook question, closing the page.
        at = _hook_box(text, rest)
        if at >= 0:
            edits.append(self.edit(rest[at][0], rest[-1][1], "", "hook_box"))
        return edits + rail

    @staticmethod
    def _author_box(text: str, rest: list[tuple[int, int, str]]) -> int:
        """Where the author box closing ``rest`` starts (-1: none); see
        :func:`author_boxes.closing_box`."""
        tail = rest[-CLOSING_LINES:]
        first = may_close([line for _, _, line in tail])
        if first < 0:
            return -1
        # The box's name, role and picture lines above its first line go with it.
        tail = tail[max(0, first - BIO_LINES_ABOVE) :]
        views = [(s, e, line_view(line)) for s, e, line in tail]
        at = closing_box(views, PageSuffixes(views, [len(v.words) for _, _, v in views]))
        if at < 0:
            return -1
        if not _past_the_article(text, tail[at][0]):
            return -1
        return len(rest) - len(tail) + at

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
                and not SENTENCE_END.search(headline)
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
                or (SENTENCE_END.search(stripped) and not stripped.endswith("?"))
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


def _hook_box(text: str, rest: list[tuple[int, int, str]]) -> int:
    """Where a vendor's box under a hook question closing ``rest`` starts (-1: none):
    see ``_HOOK``; past ``MIN_POSITION`` of the page's words and ``MIN_ARTICLE_WORDS`` of
    article, as the section layer's blocks."""
    for at in range(max(0, len(rest) - HOOK_BOX_LINES - 1), len(rest) - 1):
        if not rest[at][2].rstrip().endswith("?"):
            continue  # the cheap test first: most closing lines ask nothing
        head = line_view(rest[at][2])
        if not HOOK_WORDS[0] <= len(head.words) <= HOOK_WORDS[1]:
            continue
        if not _HOOK.match(head.norm.casefold()):
            continue
        box = [line_view(line).words for _, _, line in rest[at + 1 :]]
        if sum(map(len, box)) > HOOK_BOX_WORDS or not any(
            _SITE_VOICE.intersection(words) or (words and words[0] in _CALLS) for words in box
        ):
            return -1
        return at if _past_the_article(text, rest[at][0]) else -1
    return -1


def _past_the_article(text: str, start: int) -> bool:
    """Whether a block closing the page from ``start`` may go: past ``MIN_POSITION`` of
    the page's words and ``MIN_ARTICLE_WORDS`` of article, as the section layer's
    blocks."""
    above = len(text[:start].split())
    return above >= MIN_ARTICLE_WORDS and above >= MIN_POSITION * len(text.split())
