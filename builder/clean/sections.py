"""The section layer: where the article ends, and the block after it.

Real pages go on after the article: reader comments, an author box, related
stories, share widgets, tags. One line at a time much of it does not look like
furniture (a comment is running text), so the line rules cannot see it. This step
looks for where such a block opens, past the first ``MIN_POSITION`` of the page's
words (the article is above it; a comment section, often longer than the article,
after ``MIN_ARTICLE_WORDS`` and ``MIN_POSITION_COMMENTS``), and removes the block from there to the end of
the page as ONE edit whose reason names what opened it (``sections.comments``,
``sections.author_box``, ``sections.related``, ``sections.share``,
``sections.tags``, ``sections.cookies``, ``sections.comment_cues``,
``sections.comment_voice``, ``sections.form``, ``sections.references``,
``sections.author_bio``, ``sections.feedback``, ``sections.after_signoff``,
``sections.after_invite``). What opens a block:

* a section header (``rules/sections.yaml``, data like the line rules, matched on
  the normalized line so lowercased tokenized text matches too): "Leave a Reply",
  "3 thoughts on “...”", "Comments (12)", "About the author", "Related posts",
  "Share this:", "Tags: ...";
* with no header, commenter lines ("Maria Lopez says:", "dave wrote:", "kim
  commented Mar 2, 2024"), reply buttons and a comment's stamp on its own line
  ("March 3, 2021 at 4:15 pm", "2 days ago"; a run of stamps counts once, as a
  schedule is not a thread; the commenter's name above a stamp goes with it): the
  first of ``MIN_CUES`` of them (``sections.comment_cues``);
* when the extractor kept the comments' text but not their commenter lines, the
  reader's voice: ``MIN_VOICE`` lines opening like comments ("Great post!", "Thanks
  for sharing", "Hi Ruth,", "So helpful!") past ``MIN_POSITION``, or one with lines
  reading like comments or a few lines under it to the end (``sections.comment_voice``);
* the author's sign-off by initials ("— JS") over lines that read like readers'
  (:mod:`.reader_threads`): the thread after it (the sign-off stays), ``sections.after_signoff``;
* the author's call for comments ("Let us know what you think.", "Drop yours in the
  comments below!") over ``INVITE_MIN_LINES`` lines or more that read like readers' as
  often as under a sign-off: the thread after it (the call stays), ``sections.after_invite``;
* a references or footnotes header ("References", "Sources", "Notes") over lines that
  mostly cite (a link, a year, "et al.", a numbered note), or over a run of citing lines
  with only the site's furniture under it (a sign-up box): ``sections.references``;
* an author's bio ("Ruth Mensah is a garden writer ...", with the short name and role
  lines above it) with hardly any prose after it: ``sections.author_bio``; or the
  author's name on a line of its own over a bio that names the same person in its first
  words ("Dana Kim" over "Dana has spent ten years ...", "I'm Dana, a ...", "Dana Kim,
  a licensed ...") in a career's words (``author_boxes._BIO_VOCAB``), or over a bio that opens with
  the person's role ("Dana Kim" over "Executive Editor at X. ...", ``author_boxes._ROLE_FIRST``):
  ``sections.author_name``; a newspaper's tagline ("Dana Kim is adjunct faculty at X",
  ``author_boxes._TAGLINE``) with no prose after it: ``sections.author_bio``;
* a comment or contact form: ``MIN_FIELDS`` field labels ("Name *", "Email
  (required)"), with the short header above them (``sections.form``).

After a header the article may go on ("Also read: <link>" between two
paragraphs), so the block goes only when it is mostly not prose, or short
(``SHORT_BLOCK`` of the page); or, after a comment header, when it shows a
comment (a commenter line, a reply button, a time stamp). The boilerplate step
runs after this one, so its ``tail`` rules see the article's end.

(A learned cut was tried: a logistic regression over line-shape features, the best
suffix cut by its scores, 5 folds held out by site. At lost5_attr <= .01 it gained
at most +.001 F1 (residual) and +.005 (residual_rp) on held-out sites: not kept.
So was a per-line classifier, gradient-boosted trees over 56 shape features of a line
and its neighbours, on the lines the rules leave, 5 folds held out by site: at
lost5_attr <= .025, +.001 and +.003 F1 for 0.47 ms per 5 KB article. What the rules
leave is mostly prose: a line's shape does not tell a comment from the article.
Nor did an article-end model over the whole tail (issue 11, December 2026): for every
cut past ``MIN_POSITION``, the share of the tail's content words already used above it
(lexical cohesion), the change in "we/our", "you", "I" and call-to-action words, in
questions, running lines and line length from article to tail; logistic regression and
gradient-boosted trees, trained on one half of the sites (by host) and scored on the
other: +.001 F1 (residual) and +.002 (residual_rp) at best, the cohesion weight
changing sign between the halves. A closing call to action ("Ready to ...? Contact us
today") is kept by the gold about as often as it is dropped: a rule for it scored
-.001 and +.000.
An FAQ header ("Frequently Asked Questions", "FAQs") opens no block either: on the 120
development pages holding one, 84% of the words from it on are the article's, in
both halves of the sites.)

After a related header, teasers (a title line over one paragraph of summary, three
times and more) are not the article going on under subheadings (``_teasers``); an
author's bio takes the lines after it that go on about the same person, and the author
boxes stacked under it (a second author's name lines and bio, :mod:`builder.clean.author_boxes`) are not
prose after it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from .author_boxes import (
    BIO_MAX_WORDS,
    ECHO_NAME_WORDS,
    SHORT_WORDS,
    above_bio,
    bio_shape,
    opens_bio,
    opens_echo,
)
from .boilerplate import is_running_text
from .edits import Edit
from .lines import LineView, line_view
from .reader_threads import invite_lines, invited, reader_block, signed_off
from .regex_facts import MARK, required_pieces
from .rule_set import RuleSet
from .rules import LineRule, load_rules
from .steps import CleaningStep, DocumentContext, iter_lines

__all__ = ["MIN_ARTICLE_WORDS", "MIN_POSITION", "SECTIONS_PATH", "PageSuffixes", "TrailingSection"]

SECTIONS_PATH = Path(__file__).resolve().parent.parent / "rules" / "sections.yaml"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: A date: "March 3, 2021", "3 Mar 2021", "2021-03-03", "03/03/2021"; tokenized text
#: spaces its marks ("march 3 , 2021", "2021 - 03 - 03", "03 / 03 / 2021"), so a
#: space may stand on either side of each (the patterns here read a line as it is).
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s*\d{{4}}"
    r"|\d{4} ?- ?\d{2} ?- ?\d{2}|\d{1,2} ?/ ?\d{1,2} ?/ ?\d{2,4})"
)
_SAYS = re.compile(
    r"^\W*[\w.'’@-]+(\s+[\w.'’@-]+){0,3}\s+(says|wrote|commented|replied)"
    rf"(\s+(on|at)\s+.{{3,40}}|\s+{_DATE}.{{0,24}})?\s*:?\s*$",
    re.IGNORECASE,
)
#: A comment's stamp on a line of its own: a date with a time ("March 3, 2021 at 4:15
#: pm", "2021-03-03 16:15"), or an age ("3 days ago", "2 hrs ago").
_STAMP_LINE = re.compile(
    rf"^\W*(?:{_DATE}\s*(?:at|@|,|-|\|)?\s*\d{{1,2}}\s*[:.]\s*\d{{2}}(?:\s*[ap]\.?m\b\.?)?"
    r"|\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago)\W*$",
    re.IGNORECASE,
)
_REPLY = re.compile(
    r"^\W*((log|sign)\s+in\s+to\s+)?reply(\s+to\s+[\w.'’ -]{1,40})?\W*$"
    r"|^.{0,80}\(\s*score\s*:\s*-?\d+(\s*,\s*\w+)?\s*\)\s*$",  # a moderated comment's title
    re.IGNORECASE,
)
#: A commenter line or a reply button (one match per line).
_CUE = re.compile(f"(?:{_SAYS.pattern})|(?:{_REPLY.pattern})", re.IGNORECASE)
#: The words one of which every match of ``_CUE`` holds ("says", "reply", "score", ...),
#: read off the expression as the rule engine reads its rules' (so they follow it when it
#: changes), looked for in the casefolded line first: most short lines hold none, and
#: ``_CUE``'s first branch backtracks. Empty (always try) if not only words are found.
_CUE_PIECES = required_pieces(_CUE) or frozenset()
_CUE_WORDS = () if any(p.startswith(MARK) for p in _CUE_PIECES) else tuple(sorted(_CUE_PIECES))


def _may_cue(line: str) -> bool:
    """Whether ``_CUE`` may match ``line``: one of ``_CUE_WORDS`` is in it, case
    ignored. Case folding maps to ASCII letters every character the regex engine
    matches to one ignoring case (``ſ`` to ``s``), but for ``ı`` and ``İ``: a line
    holding one is always tried."""
    if not _CUE_WORDS:
        return True
    folded = line.casefold()
    return any(w in folded for w in _CUE_WORDS) or "ı" in line or "İ" in line


#: A form's field label on a line of its own: "Name *", "Email (required)", "Your
#: Website", "Comment:", "Phone Number". Two of them after the article are a comment or
#: contact form, which (with its header) ends the page.
_FIELD = re.compile(
    r"^\W*(?:your\s+|first\s+|last\s+|full\s+)?(?:name|e(?: ?- ?)?mail(?:\s+address)?|website|url|"
    r"comment|message|phone(?:\s+number)?|company|subject)\s*(?:\*|\(\s*required\s*\)|:)?\W*$",
    re.IGNORECASE,
)
#: Form fields needed after the block's start.
MIN_FIELDS = 2
#: How a reader's comment opens when the extractor kept its text but not its commenter
#: line: a greeting to the author, praise of the post, thanks for it, an @-mention.
_VOICE = re.compile(
    r"^\W*(?:\d{1,3}\s*[.)]\s*)?(?:"
    r"(?:hi|hello|hey|dear)\b[\w .'’-]{0,30}[,!]"
    r"|(?:great|excellent|awesome|amazing|nice|wonderful|fantastic|brilliant|lovely|superb|"
    r"interesting|informative|helpful|useful|insightful|thoughtful|fascinating|"
    r"(?:very|really|such an?|what an?|so)\s+(?:good|great|nice|helpful|informative|interesting|"
    r"insightful|useful|thoughtful))\s+(?:read|post|article|piece|write\s*-?\s*up|points?|list|job|"
    r"work|info|information|tips|insights?|blog|summary|stuff|content|guide|explanation|site|website|"
    r"overview|breakdown|analysis|perspective)s?\b"
    r"|(?:thanks?|thank you|thx)(?:\s+(?:so|very) much|\s+a lot)?\s+for\s+"
    r"(?:this|sharing|writing|posting|the (?:post|article|info|insight|tips|write\s*-?\s*up|summary|"
    r"overview|breakdown|update|reminder|list|guide|explanation|review|insights)|"
    r"such|a great|putting)"
    r"|(?:lol|wow|omg|haha|so true|well said|well done|same here)\b"
    r"|(?:this is |what an? |such an? )?(?:so |very |really |incredibly |super )+(?:helpful|useful|"
    r"informative|interesting|insightful|inspiring|true)\b"
    r"|(?:i |we )?(?:really |just |absolutely )?(?:love|loved|enjoyed|appreciate|appreciated)\s+"
    r"(?:this|your|reading|the (?:post|article|piece|tips|ideas?|list))\b"
    r"|(?:great|good|excellent|interesting|fair|valid) (?:question|point|idea)s?\b"
    r")",
    re.IGNORECASE,
)
#: The first words a reader-voice opener may have (a cheap test before the pattern).
_VOICE_FIRST = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "dear",
        "great",
        "excellent",
        "awesome",
        "amazing",
        "nice",
        "wonderful",
        "fantastic",
        "brilliant",
        "lovely",
        "superb",
        "interesting",
        "informative",
        "helpful",
        "useful",
        "insightful",
        "thoughtful",
        "fascinating",
        "very",
        "really",
        "such",
        "what",
        "so",
        "thanks",
        "thank",
        "thx",
        "lol",
        "wow",
        "omg",
        "haha",
        "well",
        "same",
        "this",
        "incredibly",
        "super",
        "i",
        "we",
        "just",
        "absolutely",
        "love",
        "loved",
        "enjoyed",
        "appreciate",
        "appreciated",
        "good",
        "fair",
        "valid",
    ]
)


#: Reader-voice openers needed in the block (with no commenter lines).
MIN_VOICE = 3
#: A comment's time stamp: "March 3, 2024 at 10:32 am", "3 days ago".
_STAMP = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}"
    r"|\b\d{1,4} ?[/.-] ?\d{1,2} ?[/.-] ?\d{2,4}\b"
    r"|\b\d+\s+(minutes?|hours?|days?|weeks?|months?|years?)\s+ago"
    r"|\b\d{1,2} ?: ?\d{2}\s*(am|pm)\b",
    re.IGNORECASE,
)
#: The header of a WordPress thread: the count of comments and the post's title in quotes.
_THREAD_TITLE = re.compile(
    r"^\d(?:[\d,.]|[,.] (?=\d{3}\b))*k?\s+(?:comments?|responses|replies|thoughts|reactions)\s+(?:on|to)\s*[\"“‘']",
    re.IGNORECASE,
)
#: A line that cites: a link, a DOI, "et al.", a year in brackets or after a name, a
#: numbered note ("[3]", "12."), "Retrieved"/"Accessed". Spaces around the marks are
#: allowed, as tokenized text has them ("https : / / www . cdc . gov").
_CITE = re.compile(
    r"https?\s*:\s*/\s*/|\bwww\s*\.|\bdoi\b|\bet\s+al\b|\b(?:retrieved|accessed)\b"
    r"|\(\s*(?:19|20)\d\d[a-z]?\s*[),]|\(\s*n\s*\.\s*d\s*\.\s*\)"
    r"|^\W*\[\s*\d{1,3}\s*\]|^\W*\d{1,3}\s*[.)]\s+\S.*\b(?:19|20)\d\d\b"
    r"|\.\s*(?:com|org|gov|edu|net|int)\b",
    re.IGNORECASE,
)
#: Share of a references block's lines that must cite (and at least ``MIN_CITES``).
CITE_SHARE = 0.5
MIN_CITES = 2
#: A references header whose block holds at most this share of the page's words goes
#: with it, citing or not: a list that short at the very end is the page's sources,
#: seldom the article (at a fifth, an article's "References" list of further reading
#: with more article under it went on a dev page).
REFERENCES_TAIL = 0.15
#: The references headers that also head an article's own last part.
_OWN_LIST = re.compile(r"(?:(?:article|external)\s+)?(?:notes|links)\s*:?$", re.IGNORECASE)
#: A trailing block starts no earlier than this share of the page's words ...
MIN_POSITION = 0.4
#: ... or, for a comment section (often longer than the article), after this share
#: and this many words of article.
MIN_POSITION_COMMENTS = 0.05
MIN_ARTICLE_WORDS = 80
_COOKIE_WORDS = re.compile(r"cookie|consent|privacy|website|browser|personal data", re.IGNORECASE)
#: A block after a non-comment header this short (share of the page's words) may be prose.
#: (At .15, newsletter pitches, teaser rails and bios of a sixth of the page stayed on six
#: development sites of ~690; .2 takes them, and one author bio the gold keeps.)
SHORT_BLOCK = 0.2
#: After a "related" header, at most this share of the block's words may be prose.
RELATED_PROSE = 0.2
#: After a "related" header, a list of teasers: a title line over one paragraph (its
#: summary), at least ``MIN_TEASERS`` times, making ``TEASER_SHARE`` of the block's prose
#: lines. An article's own sections under subheadings run to several paragraphs each.
MIN_TEASERS = 3
TEASER_SHARE = 0.6
#: A teaser's title: this many words at most, not closed like a sentence.
TEASER_TITLE_WORDS = 16
#: A second section header this many lines after a first one confirms the block.
SECOND_HEADER_LINES = 12
#: A commenter line or reply button is at most this many words.
CUE_MAX_WORDS = 12
#: A stamp line is at most this many words ("March 3, 2021 at 4:15 pm" is 7).
STAMP_MAX_WORDS = 8
#: A commenter's name above a stamp is at most this many words.
NAME_MAX_WORDS = 4
#: Comment cues (commenter lines, reply buttons) needed after the block's start.
MIN_CUES = 2


def _is_name(view: LineView) -> bool:
    """A commenter's name: a few words, no sentence."""
    return 0 < len(view.words) <= NAME_MAX_WORDS and not view.norm.endswith((".", "!", "?", ":"))


def _is_header(view: LineView) -> bool:
    return bool(view.words) and not view.norm.endswith((".", ";", ","))


def _is_title(view: LineView) -> bool:
    """A teaser's title: a few words, not a sentence, not a question (an FAQ's)."""
    return 0 < len(view.words) <= TEASER_TITLE_WORDS and not view.norm.endswith(
        (".", "!", "?", ":", ";", ",")
    )


def _teasers(lines: list[tuple[int, int, LineView]], k: int) -> bool:
    """Whether the block after the header at ``k`` is a list of teasers: most of its
    prose lines stand alone under a title line (a story's headline over its summary)."""
    views = [v for _, _, v in lines[k + 1 :]]
    prose = [is_running_text(v) for v in views]
    paragraphs = sum(prose)
    single = sum(
        1
        for j in range(1, len(views))
        if prose[j]
        and _is_title(views[j - 1])
        and not prose[j - 1]
        and (j + 1 == len(views) or not prose[j + 1])
    )
    return single >= MIN_TEASERS and single >= TEASER_SHARE * paragraphs


class PageSuffixes:
    """What the block from line ``k`` to the page's end holds, for every ``k`` at once.

    A page may have many candidate headers; each asks about the rest of the page
    (its words, how many are prose, whether a comment stamp follows). Worked out once,
    from the bottom up, on the first question, each answer is then one lookup instead of
    a walk to the end of the page per candidate.
    """

    def __init__(self, lines: list[tuple[int, int, LineView]], counts: list[int]) -> None:
        self._lines = lines
        self._counts = counts

    @cached_property
    def words(self) -> list[int]:
        """Words from line ``k`` on (one more entry: 0 past the end)."""
        return list(itertools.accumulate(reversed(self._counts), initial=0))[::-1]

    @cached_property
    def _running(self) -> list[bool]:
        return [is_running_text(v) for _, _, v in self._lines]

    @cached_property
    def running_words(self) -> list[int]:
        """Words in lines of running text from line ``k`` on."""
        prose = [n if r else 0 for n, r in zip(self._counts, self._running, strict=True)]
        return list(itertools.accumulate(reversed(prose), initial=0))[::-1]

    @cached_property
    def last_stamped(self) -> int:
        """The last short line with a time stamp (-1: none)."""
        for j in range(len(self._lines) - 1, -1, -1):
            view = self._lines[j][2]
            if self._counts[j] <= 15 and _STAMP.search(view.norm):
                return j
        return -1

    @cached_property
    def last_not_cookies(self) -> int:
        """The last line of running text not about cookies and the site (-1: none)."""
        for j in range(len(self._lines) - 1, -1, -1):
            if self._running[j] and not _COOKIE_WORDS.search(self._lines[j][2].norm):
                return j
        return -1


class TrailingSection(CleaningStep):
    """Remove the block after the article's end as one edit, when the evidence is strong.

    Evidence, tried in order from the top: a section header (``rules/sections.yaml``:
    comments, author box, related stories, share widgets, tags) past ``MIN_POSITION``
    of the page's words; or, with no header, the first of ``MIN_CUES`` comment cues
    there (a commenter line "Maria says:", a reply button). Everything from the header or
    cue to the end of the page goes as one edit (``sections.<family>``).
    """

    name = "sections"

    def __init__(
        self,
        rules: Sequence[LineRule] | None = None,
    ) -> None:
        self.rules = list(rules) if rules is not None else load_rules(SECTIONS_PATH)
        self.max_words = max((r.max_words for r in self.rules), default=0)
        # All rules compiled at once (one pass over a line's words narrows them).
        self._ruleset = RuleSet(self.rules)
        # Above ``MIN_POSITION`` only a comment header can open a block (see ``_opens``):
        # a line there is tried on the comment rules first, and on all of them (another
        # rule earlier in the file wins) only when one of those matches.
        early = [r for r in self.rules if r.name == "comments"]
        self._early = RuleSet(early)
        self.early_max_words = max((r.max_words for r in early), default=0)

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        lines = [(s, e, line_view(t)) for s, e, t in iter_lines(text) if t and not t.isspace()]
        counts = [len(v.words) for _, _, v in lines]
        total = sum(counts)
        if len(lines) < 3 or not total:
            return []
        # Lowercased text has no capitals for a sign-off's initials (``signed_off``).
        found = self._find(lines, counts, total, cased=not text.islower(), text=text)
        if found is None:
            return []
        k, rule = found
        start = lines[k - 1][1] if k else 0  # the blank lines before the block go with it
        return [self.edit(start, len(text), "", rule)]

    @staticmethod
    def _not_article(after: PageSuffixes, k: int, total: int, prose: float = 0.5) -> bool:
        """Whether the block from line ``k`` on is mostly not prose.

        A comment section is prose, and its header says what it is; after any other
        header ("Related", "Share", "Tags", "About the author") the article may go
        on ("Also read: <link>" between two paragraphs): the block goes only when
        less than ``prose`` of its words are in lines of running text, or when it is
        short (``SHORT_BLOCK`` of the page's words).
        """
        words = after.words[k]
        return after.running_words[k] < prose * words or words <= SHORT_BLOCK * total

    def _header_rule(self, view: LineView, n: int, late: bool) -> LineRule | None:
        """The section rule the line matches (above ``MIN_POSITION``: only when that may
        be a comment rule; any other opens nothing there)."""
        if not late and self._early.first_match(view) is None:
            return None
        return self._ruleset.first_match(view)

    def _opens(
        self,
        family: str,
        lines: list[tuple[int, int, LineView]],
        k: int,
        total: int,
        after_cues: list[int],
        after: PageSuffixes,
        late: bool,
    ) -> bool:
        """Whether the header at line ``k`` opens a block that runs to the end of the page."""
        view = lines[k][2]
        header = late and _is_header(view)
        if family == "comments":
            # A comment section may be longer than the article (so it may start
            # earlier), and its form's notices end like sentences ("Your email address
            # will not be published."): a comment after it shows what it is.
            # A header that counts the comments ("124 Reader Comments") says so itself.
            return (
                after_cues[k] > 0
                # a short line with a time stamp below it
                or after.last_stamped > k
                or (header and view.words[0].isdigit())
                # "59 Comments on “Title”": WordPress heads its thread so, nothing else
                or bool(_THREAD_TITLE.match(view.norm))
                or (header and self._not_article(after, k, total))
            )
        if family == "cookies":
            # A consent dialog's prose is all about cookies and the site.
            return late and after.last_not_cookies < k
        if not header:
            return False
        if family == "references":
            # Or a short list that closes the page, whatever its lines look like: sources
            # as bare titles ('"Prayer Plant." ASPCA.'), names with initials and no year
            # in brackets, footnotes in prose. Not a recipe's "Notes" or a "Links" list,
            # which are the article's own last part at any length.
            return (
                self._cites(lines, k)
                or self._cited_then_furniture(lines, k, after, total)
                or (
                    after.words[k + 1] <= REFERENCES_TAIL * total and not _OWN_LIST.match(view.norm)
                )
            )
        # "Related" and "Read more" also head the article's own further sections
        # and lists: after them, a block with hardly any prose.
        related = family in ("related", "related_call")
        prose = RELATED_PROSE if related else 0.5
        return (
            self._not_article(after, k, total, prose)
            # related stories, each a title over a sentence or two of summary
            or (related and _teasers(lines, k))
            # an author's bio is prose, and short
            or (family == "author_box" and after.words[k] <= SHORT_WORDS)
            # Not after "related": an article's own "Related reading" part heads more
            # of its subheadings.
            or (not related and self._second_header(lines, k))
        )

    @staticmethod
    def _cites(lines: list[tuple[int, int, LineView]], k: int) -> bool:
        """Whether most lines after the header at ``k`` cite (a list of references)."""
        rest = lines[k + 1 :]
        cites = sum(1 for _, _, view in rest if _CITE.search(view.raw))
        return cites >= max(MIN_CITES, CITE_SHARE * len(rest))

    def _cited_then_furniture(
        self, lines: list[tuple[int, int, LineView]], k: int, after: PageSuffixes, total: int
    ) -> bool:
        """Whether the header at ``k`` heads a run of ``MIN_CITES`` citing lines and more
        (links, "et al.", dated notes) with only the site's furniture after the run (a
        sign-up box, a promo: mostly not prose, or short). ``_cites`` counts the lines to
        the page's end, so a list of sources over a long footer was left whole."""
        end = k + 1
        while end < len(lines) and _CITE.search(lines[end][2].raw):
            end += 1
        if end - k - 1 < MIN_CITES:
            return False
        return end == len(lines) or self._not_article(after, end, total)

    def _second_header(self, lines: list[tuple[int, int, LineView]], k: int) -> bool:
        """Whether another section header follows within ``SECOND_HEADER_LINES`` lines:
        "Share this" then "You might also like" is the page's footer, not the article
        going on under a subheading."""
        for _, _, view in lines[k + 1 : k + 1 + SECOND_HEADER_LINES]:
            n = len(view.words)
            if (
                0 < n <= self.max_words
                and _is_header(view)
                and (rule := self._ruleset.first_match(view)) is not None
                # an article's own references may follow its last part
                and rule.name != "references"
            ):
                return True
        return False

    def _find(
        self,
        lines: list[tuple[int, int, LineView]],
        counts: list[int],
        total: int,
        *,
        cased: bool,
        text: str,
    ) -> tuple[int, str] | None:
        # ``text``: the page the lines are of (the author's calls for comments are
        # searched for in it, not line by line)
        # Lines above the earliest place a block may open are never read: find it first.
        floor = max(MIN_POSITION_COMMENTS * total, MIN_ARTICLE_WORDS)
        first, before = 0, 0
        while first < len(lines) and (not first or before < floor):
            before += counts[first]
            first += 1
        # Cues are short lines, read raw (never normalized); a reader-voice opener is
        # looked for only after a first word it can start with.
        cues = [False] * len(lines)
        stamps = [False] * len(lines)
        for k in range(first, len(lines)):
            n = counts[k]
            if n > CUE_MAX_WORDS:
                continue
            raw = lines[k][2].raw.strip()
            stamps[k] = n <= STAMP_MAX_WORDS and bool(_STAMP_LINE.match(raw))
            # A stamp counts once per run: dates one under another are a schedule,
            # a comment's stamp is followed by its text.
            cues[k] = (stamps[k] and not stamps[k - 1]) or (_may_cue(raw) and bool(_CUE.match(raw)))
        late_words = MIN_POSITION * total
        # Form fields and reader-voice openers are read only on late lines (past
        # ``MIN_POSITION``), each with the count of them from there on: the lines above
        # the first late one are not looked at (a paragraph's first word is not found).
        late_from, above = first, before
        while late_from < len(lines) and above < late_words:
            above += counts[late_from]
            late_from += 1
        late_tail = lines[late_from:]
        invites = invite_lines(text, lines, late_from)
        fields = [False] * late_from + [
            n <= 4 and bool(_FIELD.match(v.raw))
            for n, (_, _, v) in zip(counts[late_from:], late_tail, strict=True)
        ]
        after_fields = list(itertools.accumulate(reversed(fields)))[::-1]
        voice = (
            [False] * late_from
            + [
                n > 0
                and (
                    v.words[0] in _VOICE_FIRST
                    # a numbered comment ("3. Great list!"): the word after its number
                    or (
                        n > 1
                        and len(v.words[0]) <= 3
                        and v.words[0].isdigit()
                        and v.words[1] in _VOICE_FIRST
                    )
                )
                and bool(_VOICE.match(v.raw))
                for n, (_, _, v) in zip(counts[late_from:], late_tail, strict=True)
            ]
        )
        after_cues = list(itertools.accumulate(reversed(cues)))[::-1]
        after_voice = list(itertools.accumulate(reversed(voice)))[::-1]
        after = PageSuffixes(lines, counts)
        for k in range(first, len(lines)):
            n = counts[k]
            late = before >= late_words
            if n <= (self.max_words if late else self.early_max_words):
                view = lines[k][2]
                rule = self._header_rule(view, n, late)
                if rule is not None and self._opens(
                    rule.name, lines, k, total, after_cues, after, late
                ):
                    return k, rule.name
            if n <= 3 and signed_off(lines, k, cased):
                return k + 1, "after_signoff"
            if late and k in invites and invited(lines, k):
                return k + 1, "after_invite"
            if cues[k] and after_cues[k] >= MIN_CUES:
                # A stamp's commenter name is the short line above it.
                above = lines[k - 1][2]
                if stamps[k] and k - 1 >= first and _is_name(above):
                    return k - 1, "comment_cues"
                return k, "comment_cues"
            if late and fields[k] and after_fields[k] >= MIN_FIELDS:
                # The form's header ("Leave a comment", "Contact us today!") is above it.
                above = lines[k - 1][2]
                if k - 1 >= first and 0 < len(above.words) <= 8 and not is_running_text(above):
                    return k - 1, "form"
                return k, "form"
            if late and n <= BIO_MAX_WORDS and opens_bio(lines, k, after):
                return above_bio(lines, k, first), "author_bio"
            if late and n <= ECHO_NAME_WORDS and (j := opens_echo(lines, k, after)) >= 0:
                # A bio the ``author_bio`` opener knows ("X is a writer") keeps its name.
                return k, "author_bio" if bio_shape(lines[j][2]) else "author_name"
            if late and voice[k] and (after_voice[k] >= MIN_VOICE or reader_block(lines, k)):
                return k, "comment_voice"
            before += n
        return None
