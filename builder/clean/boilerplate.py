"""Whole lines of page furniture: rules as data, plus where on the page a line sits.

The rules (``rules/boilerplate.yaml``) decide about single lines. Position adds
what a single line cannot show:

* **zones**: the *head* is everything before the first line of running text, the
  *tail* everything after the last; some rules only apply there (``edges``), or
  only in the tail (``tail``), or in the page's last quarter (``close``:
  legal notices, which are running text themselves);
* **link lists**: a header such as "Most read" takes the headline-like lines
  under it along, up to the next list header (reason of the header's rule); a header that could also be a
  subheading ("Latest on the strike", rules with ``off_topic``) goes only when
  most of its lines are not about the article, the way a rail of other stories is not;
* **neighbours**: in the head, a short unpunctuated line wedged against
  furniture, with no blank line between ("Reporter" between a name and a date
  stamp), is furniture too (reason ``boilerplate.adjacent``), as is one a blank line
  away on a page that sets all its lines a blank line apart (not the title, nor a
  subheading over the first paragraph); so is a short
  label right above the title (``boilerplate.kicker``). Titles are safe: a line
  of five words or more, or the source's headline, never goes this way. Nor does
  a subheading over a list: a short line right above a list item (a bullet or a
  number, or the first of two headline-like lines in a row) heads the article's list.
  Anywhere, a caption touching the photo credit under it goes with it
  (``boilerplate.credited_caption``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

from .captions import title_case
from .edits import Edit
from .lines import LineView, line_view
from .rule_set import RuleSet
from .rules import LineRule, load_rules
from .steps import CleaningStep, DocumentContext, iter_lines
from .topic import LIST_MARKER, TOPIC_OVERLAP, content_words, stem

__all__ = ["BoilerplateLines", "is_running_text"]

#: The marks that end a sentence, and what may close it after its mark.
_MARKS = ".!?…"
_CLOSERS = "\"”’')]"
_SENTENCE_END = re.compile(f'[{re.escape(_MARKS)}][{re.escape(_CLOSERS)}]*$|["”’]$')
_MARK_ENDINGS = tuple(_MARKS)
#: A list item that is a count and nothing else: "• 3", "- 4".
_COUNT_ITEM = re.compile(r"\s*[-–•*·▪]\s*(\d{1,2})\s*")
#: A star-rating widget or a pager printed as a list ("• 1", "• 2", ... "• 5") counts up
#: from one; this many items at least.
MIN_COUNT_ITEMS = 3


def _ends_sentence(norm: str) -> bool:
    """``bool(_SENTENCE_END.search(norm))``, read off the line's end: the mark right
    before its closing quotes and brackets (the regex scans the whole line for marks).
    A line ending with a newline (which ``$`` may stand before) is left to the regex."""
    if norm.endswith("\n"):
        return bool(_SENTENCE_END.search(norm))
    return norm.endswith(('"', "”", "’")) or norm.rstrip(_CLOSERS).endswith(_MARK_ENDINGS)


#: A line this long, or this long and closed like a sentence, is running text.
RUNNING_WORDS = 25
RUNNING_SENTENCE_WORDS = 10
#: Head lines up to this many words may go as neighbours of furniture.
NEIGHBOUR_MAX_TOKENS = 4
#: A ``close`` rule's line has at most this share of the page's text after it.
CLOSE_SHARE = 0.25
#: Link-list items are at most this long and do not end like a sentence.
LIST_ITEM_MAX_WORDS = 16


def is_running_text(view: LineView) -> bool:
    """A line of article prose: long, or a sentence of ten words and more."""
    n = len(view.words)
    return n >= RUNNING_WORDS or (n >= RUNNING_SENTENCE_WORDS and _ends_sentence(view.norm))


#: A first paragraph this near the top (under the title, or under a kicker and the title)
#: may be the standfirst, which pages print above the byline and the date.
STANDFIRST_MAX_AT = 2


def _past_standfirst(
    lines: list[_Line], matched: list[LineRule | None], running: list[bool], opening: int
) -> int:
    """Where the head ends: at the first running line ``opening``, or past it when it is
    a standfirst with the byline under it: at most ``STANDFIRST_MAX_AT`` lines down (not
    the page's first line: pages also open on a lead with no title above it), and a
    byline's line among those before the next running line (a name with "By", a reading
    time, a labelled date, or furniture with a year: "August 25, 2024"). The byline, the
    date and the name under a standfirst are the head's furniture, not headings between
    paragraphs; a live blog's headings under its lead ("Monday 14 April", "10.32 BST")
    are no byline, and stay.
    (Issue 11, December 2026, WCXB dev pages, F1 x1e4 per host half, even / odd:
    residual_rp +0.40 / +0.27, 96 noise tokens, 6 gold; residual unchanged. Past any
    standfirst: +0.74 / +0.38, but a live blog's first headings went.)"""
    if not 1 <= opening <= STANDFIRST_MAX_AT:
        return opening
    end = next((i for i in range(opening + 1, len(running)) if running[i]), None)
    if end is None:
        return opening
    bylined = any(_byline_furniture(lines[i], matched[i]) for i in range(opening + 1, end))
    return end if bylined else opening


#: The rules of a byline's lines: who wrote the page, when, how long it takes to read.
BYLINE_RULES = frozenset(
    {
        "byline",
        "byline_dated",
        "dateline",
        "stamp_date",
        "reading_time",
        "author_link",
        "staff_title",
    }
)


def _byline_furniture(line: _Line, rule: LineRule | None) -> bool:
    """A byline's line, or furniture with a year (a stamp: "August 25, 2024"); a bare
    "By" label (a menu label's) too."""
    if rule is None:
        return False
    return rule.name in BYLINE_RULES or line.view.key == "by" or bool(_YEAR.search(line.view.raw))


#: A year as a page's stamp prints it.
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def _list_item(view: LineView) -> bool:
    n = len(view.words)
    return 0 < n <= LIST_ITEM_MAX_WORDS and not view.norm.endswith((".", "!", ":", ";", ","))


def _short(view: LineView) -> bool:
    return len(view.norm.split()) <= NEIGHBOUR_MAX_TOKENS and not _ends_sentence(view.norm)


def _marked_item(view: LineView) -> bool:
    return bool(LIST_MARKER.match(view.raw.lstrip()))


def _title_like(view: LineView, headline: str | None) -> bool:
    """A title: the source's headline, or five words and more that are not a sentence."""
    if headline is not None and view.key == headline:
        return True
    return len(view.norm.split()) > NEIGHBOUR_MAX_TOKENS and not is_running_text(view)


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    view: LineView
    reason: str | None = None


class BoilerplateLines(CleaningStep):
    """Remove whole lines of furniture: rule matches, their link lists, their neighbours."""

    name = "boilerplate"

    def __init__(self, rules: Sequence[LineRule] | None = None) -> None:
        self.rules = list(rules) if rules is not None else load_rules()
        self.ruleset = RuleSet(self.rules)
        # A line longer than every rule allows is text: no rule is tried on it.
        self.max_words = self.ruleset.max_words
        # Longer than every rule but the close rules allow (a long legal notice), a line
        # is text above the page's closing part: no rule is tried on it there (the
        # article's paragraphs, which the close rules' patterns would all be read on).
        self.open_max_words = max((r.max_words for r in self.rules if r.zone != "close"), default=0)
        # The words list headers are written with ("most", "popular", "latest", "network"):
        # what a header says beyond them is its own subject ("routes" in "Most popular routes").
        self.header_words = {
            w
            for r in self.rules
            if r.block == "list"
            for text in [*r.phrases, *(p.pattern for p in r.patterns)]
            for w in re.findall(r"[a-z]{3,}", text.casefold())
        }

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        lines = [_Line(s, e, line_view(t)) for s, e, t in iter_lines(text) if t and not t.isspace()]
        if not lines:
            return []
        # The text's length up to each line's end (where a close rule's zone starts).
        ends = list(accumulate(ln.end - ln.start for ln in lines))
        matched: list[LineRule | None] = [
            self._match(ln.view)
            if len(ln.view.words) <= self.open_max_words or _closing(ends, i)
            else None
            for i, ln in enumerate(lines)
        ]
        running = [
            m is None and is_running_text(ln.view) for ln, m in zip(lines, matched, strict=True)
        ]
        # A pager's titles ("Previous" over the title of the post before) are headlines,
        # not prose, though one may close like a sentence: they do not keep the pager
        # out of the tail.
        titles = _pager_titles(lines)
        for j in titles:
            running[j] = False
        opening = running.index(True) if any(running) else len(lines)
        first = _past_standfirst(lines, matched, running, opening)
        last = len(running) - 1 - running[::-1].index(True) if any(running) else -1

        for i, (ln, rule) in enumerate(zip(lines, matched, strict=True)):
            if rule is None or ln.reason is not None:
                continue
            if (rule.zone == "edges" and first <= i <= last) or (rule.zone == "tail" and i <= last):
                continue
            if rule.zone == "close" and not _closing(ends, i):
                continue
            items = self._list_under(lines, matched, running, i) if rule.block == "list" else []
            if rule.off_topic and self._on_topic(lines, matched, i, items, self.header_words):
                continue  # the article's own subheading and list
            ln.reason = rule.name
            for j in items:
                lines[j].reason = rule.name
        _mark_counting_runs(lines)
        if not ctx.attributes.get("lowercased", False):
            # (lowercased, a subheading over its product's photo has no title case to tell it)
            _mark_credited_captions(lines, matched)
        self._take_neighbours(lines, first, ctx, past_standfirst=first != opening)
        _take_tail_neighbours(lines, last)
        # (after the neighbours: a title held between its labels goes as their neighbour)
        _take_pager_titles(lines, titles, last)
        return [self.edit(ln.start, ln.end, "", ln.reason) for ln in lines if ln.reason]

    def _match(self, view: LineView) -> LineRule | None:
        return self.ruleset.first_match(view)

    @staticmethod
    def _list_under(
        lines: list[_Line], matched: list[LineRule | None], running: list[bool], header: int
    ) -> list[int]:
        """The headline-like lines under a list header, up to running text or the next header.

        Furniture of another kind between items ("Advertisement", a share line) does
        not end the list; another list header does: its lines are a list of their own
        ("More from the kitchen" over the article's dishes, then "Most read" over a rail),
        and are judged on their own.
        """
        items: list[int] = []
        for j in range(header + 1, len(lines)):
            rule = matched[j]
            if rule is not None and rule.block == "list":
                break
            if lines[j].reason is not None or rule is not None:
                continue  # furniture of its own kind; the list goes on after it
            if running[j] or not _list_item(lines[j].view):
                break
            items.append(j)
        return items

    @staticmethod
    def _on_topic(
        lines: list[_Line],
        matched: list[LineRule | None],
        header: int,
        items: list[int],
        header_words: set[str] | frozenset[str] = frozenset(),
    ) -> bool:
        """Whether half the list's lines share much of their vocabulary with the rest of the text.

        A header with no list under it is judged by its own words: "Latest on the talks"
        in an article about talks is a subheading, "More from the Herald" is not.
        Over a list, a header that names the article's subject counts as one more line
        about it ("Most popular routes" in an article about bus routes, over three routes
        of which one names its places): what the header says beyond the words list
        headers are written with, before any "in"/"from" (a section or a publisher, as in
        "Most read in Business", "More from the Herald"), all in the text and one of its
        words at least twice (plural or not). Alone it never keeps a list none of whose
        items is about the article.
        """
        taken = {header, *items}
        text_words = [
            w
            for j, ln in enumerate(lines)
            if j not in taken and matched[j] is None and ln.reason is None
            for w in ln.view.words
        ]
        body = content_words(" ".join(text_words))
        about = 0
        for j in items or [header]:
            words = content_words(lines[j].view.raw)
            about += bool(words) and len(words & body) / len(words) >= TOPIC_OVERLAP
        names = 0
        if items and about:
            own = lines[header].view.words
            cut = next((k for k, w in enumerate(own) if w in ("in", "from")), len(own))
            subject = {stem(w) for w in content_words(" ".join(own[:cut])) - header_words}
            said = Counter(stem(w) for w in text_words)
            names = int(bool(subject) and all(said[w] for w in subject))
            names &= any(said[w] >= 2 for w in subject)
        # Half of the lines, not one: a rail's headline can share a word or two by chance.
        return 2 * (about + names) >= max(1, len(items) + names)

    @staticmethod
    def _take_neighbours(
        lines: list[_Line], first: int, ctx: DocumentContext, *, past_standfirst: bool = False
    ) -> None:
        headline = LineView(ctx.headline).key if ctx.headline else None
        head = lines[:first]
        changed = True
        while changed:
            changed = False
            for i, ln in enumerate(head):
                if ln.reason is not None or not _short(ln.view) or ln.view.key == headline:
                    continue
                if _introduces_body(lines, i, first):
                    continue  # "Key takeaways:" over the summary the article opens with
                if past_standfirst and i + 1 == first:
                    continue  # under a standfirst, a subheading over the first paragraph
                before = _touching(head, i, -1)
                after = _touching(head, i, 1)
                if (
                    after is not None
                    and after.reason is None
                    and _opens_list(head, i + 1, headline)
                ):
                    continue  # a subheading over its list ("Most popular destinations")
                if (
                    (before and before.reason)
                    or (after and after.reason)
                    # (the page's spacing last: read for few lines)
                    or (_spaced_furniture_next(head, i, first, headline) and _spaced(lines))
                ):
                    ln.reason = "adjacent"
                    changed = True
                elif (
                    after is not None
                    and _title_like(after.view, headline)
                    and (before is None or before.reason)
                ):
                    ln.reason = "kicker"
                    changed = True


#: After the article, a line between two lines of furniture (touching both) goes with
#: them up to this many words: a rail's headline between its stamps, a pager's title
#: between "Previous" and "Next".
SANDWICHED_MAX_WORDS = 12


def _take_tail_neighbours(lines: list[_Line], last: int) -> None:
    """After the article's last paragraph, a short line touching furniture goes with it:
    the label, name or link of the same widget ("Contact Info" over a copyright line, "Text
    Link" between a rail's stamps, "Annette" over "PIN FOR LATER" is the one loss measured);
    so does a longer one held between two lines of furniture (``SANDWICHED_MAX_WORDS``).

    A bulleted or numbered item stays: the article may close on a list that a share line
    follows with no blank line between. Between the paragraphs a held line stays: pages
    set related links around the article's own short lines ("Also read: ..." above and
    below "Topics: deposits, mortgage rates and commuting" on our evaluation pages).
    (Issue 11, December 2026, WCXB dev pages, F1 x1e4 per host half, even / odd: short
    lines residual +0.23 / +0.07, residual_rp +0.45 / +0.26, 102 noise tokens, 5 gold;
    held lines residual_rp +0.31 / +0.93, 336 noise tokens, no gold, residual unchanged.
    Held lines between paragraphs too: residual +1.24 / +0.07, mostly one page, and
    residual_rp +0.14 / +0.02, 8 gold tokens, and the line above lost: left out.)
    """
    # Only the lines next to furniture can go, and each that goes may take its own
    # neighbours: a work list of those, not passes over the tail (the lines that go are
    # the same in any order, since a line's furniture neighbours only grow).
    pending = [j for i, ln in enumerate(lines) if ln.reason for j in (i - 1, i + 1) if j > last]
    while pending:
        i = pending.pop()
        if i >= len(lines) or lines[i].reason is not None:
            continue
        before = _touching(lines, i, -1)
        after = _touching(lines, i, 1)
        furniture_before = bool(before and before.reason)
        furniture_after = bool(after and after.reason)
        if not (furniture_before or furniture_after):
            continue
        ln = lines[i]
        if _marked_item(ln.view) or not _neighbour_shaped(ln) or _introduced(before):
            continue
        if (furniture_before and furniture_after) or _short(ln.view):
            ln.reason = "adjacent"
            pending += [j for j in (i - 1, i + 1) if j > last]


def _introduced(before: _Line | None) -> bool:
    """Whether the line above, the article's own, introduces the line below it with a
    colon ("... you can find the project here:" over its link): what the article points
    to is the article's, whatever furniture follows it."""
    return before is not None and not before.reason and before.view.raw.rstrip().endswith(":")


def _neighbour_shaped(ln: _Line) -> bool:
    """Short enough to go with the furniture around it, and not closed like a sentence."""
    norm = ln.view.norm
    return len(norm.split()) <= SANDWICHED_MAX_WORDS and not _ends_sentence(norm)


def _mark_counting_runs(lines: list[_Line]) -> None:
    """A run of list items that only count, 1, 2, 3 and on (``MIN_COUNT_ITEMS`` and
    more), is a widget's buttons: the stars of a rating widget, a pager's pages. An
    article's list says something in each item; a count alone is not text (reason
    ``boilerplate.counter``)."""
    i = 0
    while i < len(lines):
        j, expected = i, 1
        while j < len(lines) and _count_of(lines[j].view.raw) == expected:
            j, expected = j + 1, expected + 1
        if j - i >= MIN_COUNT_ITEMS:
            for ln in lines[i:j]:
                ln.reason = ln.reason or "counter"
        i = max(j, i + 1)


#: A pager's label: one of these words, alone or with what it links to.
_PAGER_WORDS = frozenset(("previous", "prev", "next", "older", "newer"))
_PAGER_KINDS = ("post", "article", "story", "entry")
#: A pager's label on a line of its own, over the title of the post it links to.
PAGER_LABELS = frozenset(
    f"{word}{kind}" for word in _PAGER_WORDS for kind in ("", *(f" {k}" for k in _PAGER_KINDS))
)
#: A pager's label and its title on one line: "Next article Budget Gaming PCs: ...".
_PAGER_LINE = re.compile(rf"(?:{'|'.join(sorted(_PAGER_WORDS))}) (?:{'|'.join(_PAGER_KINDS)})\b")
#: The characters a pager label's line may open with, its arrow or its word (a cheap test
#: before its words).
_PAGER_FIRST_CHARS = frozenset("PpNnOo«‹←<")
#: A pager's title is a headline: at most this many words.
PAGER_TITLE_MAX_WORDS = 20


def _pager_titles(lines: list[_Line]) -> list[int]:
    """The lines that are a pager's titles: the line under a label on its own ("Previous",
    "Next post"), or a label with its title on one line ("Previous article How to ...").
    A title is short (``PAGER_TITLE_MAX_WORDS``), not a list item, does not introduce
    what follows it (a colon: "Next steps:" heads the article's own list) and does not
    end on a full stop ("Next" over a paragraph is not a pager)."""
    out: list[int] = []
    for i, ln in enumerate(lines):
        first = ln.view.raw[:1]
        if first not in _PAGER_FIRST_CHARS and not first.isspace():
            continue
        words = ln.view.words
        if not 0 < len(words) <= PAGER_TITLE_MAX_WORDS or words[0] not in _PAGER_WORDS:
            continue
        if ln.view.key in PAGER_LABELS:
            if i + 1 < len(lines) and _pager_title(lines[i + 1].view):
                out.append(i + 1)
        elif _PAGER_LINE.match(ln.view.key) and _pager_title(ln.view):
            out.append(i)
    return out


def _pager_title(view: LineView) -> bool:
    n = len(view.words)
    return (
        0 < n <= PAGER_TITLE_MAX_WORDS
        and not _marked_item(view)
        # a headline may exclaim or ask, not close on a full stop as a paragraph does
        and not view.norm.endswith((":", "."))
        and view.key not in PAGER_LABELS
    )


def _take_pager_titles(lines: list[_Line], titles: list[int], last: int) -> None:
    """After the article, a pager's titles go with their labels (reason
    ``boilerplate.pager``): a label on its own goes by its rule (``footer_link``)."""
    for j in titles:
        if j > last and lines[j].reason is None:
            lines[j].reason = "pager"


#: A picture's caption above its credit has this many words (fewer: a product's name
#: over its photo in a list of products; more: a paragraph); the credit under it, this
#: many at most (a longer line holding a credit is a caption itself: ``_bare_credit``).
CREDITED_CAPTION_WORDS = (4, 25)
CREDIT_MAX_WORDS = 8


def _mark_credited_captions(lines: list[_Line], matched: list[LineRule | None]) -> None:
    """A line right above a photo credit, touching it, is that picture's caption
    ("A dark blue washing machine sits on a white sudsy background" over "Credit:
    Reviewed / GE Profile", "A small business owner that runs a cafe" over "DGLimages
    via Getty Images"), when it is shaped as one: a few words, not a sentence of running
    text, not the title case of a subheading ("Best for Seasonal Style Boxes" over its
    product's photo) nor a headline's two parts, not a label (a colon at its end), not a
    list item (a checklist sets pictures between its items), no link. Cased text only: lowercased, a subheading
    cannot be told from a caption. (reason ``boilerplate.credited_caption``)
    (Issue 11, December 2026, WCXB dev pages, F1 x1e4 per host half, even / odd:
    residual_rp +0.28 / +1.14, 133 noise tokens, 7 gold; residual 0 / -0.04, a
    headline in sentence case over its picture's credit. With list items: residual_rp
    -0.19 even, a checklist's items went. Lowercased too: residual -0.36 odd.)"""
    low, high = CREDITED_CAPTION_WORDS
    for i in range(1, len(lines)):
        if lines[i].reason != "photo_credit" or not _bare_credit(lines[i].view):
            continue
        above = _touching(lines, i, -1)
        if above is None or above.reason is not None or matched[i - 1] is not None:
            continue
        view = above.view
        if (
            low <= len(view.words) <= high
            and not is_running_text(view)
            and not _marked_item(view)
            and not title_case(view.raw)
            and not view.norm.endswith(":")
            and not _TWO_PARTS.search(view.norm)
            and "http" not in view.norm
        ):
            above.reason = "credited_caption"


def _bare_credit(view: LineView) -> bool:
    """A credit and nothing else ("Credit: Reuters", "DGLimages via Getty Images"): a few
    words, no sentence before it ("Workers clear the road. Credit: Reuters" is a caption
    of its own, and the line above it the article's)."""
    return len(view.words) <= CREDIT_MAX_WORDS and not _INNER_SENTENCE_END.search(view.norm)


_INNER_SENTENCE_END = re.compile(r"[.!?]\s")
#: A headline's two parts, joined by a dash or a colon ("Saltcombe — a station rebuilt by
#: hand"): a subheading's shape, which a picture's credit may follow too.
_TWO_PARTS = re.compile(r"\s[—–-]\s|:\s")


def _count_of(raw: str) -> int:
    """The count a list item holds and nothing else ("• 3": 3), 0 for any other line."""
    if len(raw) > 12:  # most lines: one length test
        return 0
    m = _COUNT_ITEM.fullmatch(raw)
    return int(m.group(1)) if m else 0


def _introduces_body(lines: list[_Line], i: int, first: int) -> bool:
    """Whether head line ``i`` ends in a colon right above the article's first running line
    or a list item ("Key takeaways:", "TL;DR:", "In this guide:"): a label that introduces
    what follows it is the article's own. Furniture labels ("Written by:", "Tags:") stand
    over a name or more furniture, not over the first paragraph or a bulleted summary."""
    if not lines[i].view.norm.endswith(":"):
        return False
    below = _touching(lines, i, 1)
    if below is None or below.reason is not None:
        return False
    return i + 1 == first or _marked_item(below.view)


def _closing(ends: list[int], i: int) -> bool:
    """Whether line ``i`` has at most ``CLOSE_SHARE`` of the page's text after it (a
    ``close`` rule's zone): a legal notice closes a page, while an article that quotes or
    explains one does so above its end. Counted in characters (a line's words are listed
    only when a rule needs them), from ``ends``, the running total of line lengths, so a
    page with many matched lines is not summed again for each."""
    after = ends[-1] - ends[i]
    return after <= CLOSE_SHARE * ends[-1]


def _touching(lines: list[_Line], i: int, step: int, *, blank: bool = False) -> _Line | None:
    """The line right before (``step`` -1) or after (+1) line ``i``, with no blank line
    between (``blank``: or one empty line)."""
    j = i + step
    if not 0 <= j < len(lines):
        return None
    first, second = (lines[j], lines[i]) if step < 0 else (lines[i], lines[j])
    return lines[j] if second.start - first.end <= (1 if blank else 0) else None


#: A page whose lines are this share and more one blank line apart sets every line as a
#: paragraph (as some extractors print a page, resiliparse's among them): its furniture
#: never touches the name or label next to it, which one blank line away is as close.
#: (Issue 11, December 2026, WCXB dev pages, F1 x1e4 per host half, even / odd:
#: residual_rp +1.21 / +1.25, 204 noise tokens, 18 gold; residual, never spaced, unchanged.
#: Without sparing the title and a subheading over the first paragraph: +2.1 / +2.5, but
#: 52 gold tokens, titles after "Skip to main content" among them.)
SPACED_SHARE = 0.5


def _spaced(lines: list[_Line]) -> bool:
    """Whether most of the page's lines stand one blank line apart (one newline between
    a line's end and the next one's start: an empty line)."""
    pairs = len(lines) - 1
    apart = sum(b.start - a.end == 1 for a, b in pairwise(lines))
    return pairs > 0 and apart >= SPACED_SHARE * pairs


def _spaced_furniture_next(head: list[_Line], i: int, first: int, headline: str | None) -> bool:
    """Whether head line ``i`` of a spaced page stands one blank line from furniture, and
    is neither the page's title (no line but furniture above it) nor a subheading over
    the first paragraph or over a list."""
    if i + 1 == first or all(x.reason for x in head[:i]):
        return False
    before, after = _touching(head, i, -1, blank=True), _touching(head, i, 1, blank=True)
    if after is not None and after.reason is None and _opens_list(head, i + 1, headline):
        return False
    return bool((before and before.reason) or (after and after.reason))


def _opens_list(lines: list[_Line], i: int, headline: str | None) -> bool:
    """Whether line ``i`` is a list's first item: bulleted or numbered, or the first of two
    headline-like lines in a row (a title stands alone, above a blank line or the byline)."""
    if _marked_item(lines[i].view):
        return True
    if (headline is not None and lines[i].view.key == headline) or not _title_like(
        lines[i].view, None
    ):
        return False
    below = _touching(lines, i, 1)
    return below is not None and below.reason is None and _title_like(below.view, None)
