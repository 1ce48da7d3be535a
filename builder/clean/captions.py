"""Image alt text and captions left between the paragraphs as lines of their own.

An extractor that turns a page into text keeps an image's ``alt`` text (and often its
caption) where the image stood: inside the article, or above it under the title. The
line rules know captions by their credit ("Photo: Getty Images"); these have none.
Three shapes tell them from the article's own short lines, wherever they stand
(reasons ``captions.media_label``, ``captions.scene`` and ``captions.depiction``):

* **a media label**: a short line (``MEDIA_MAX_WORDS``) that ends in the name of what
  it labels, an image of some kind ("Acme Analytics logo", "white play button icon",
  "hammock under pines stock image", "Ruth Mensah headshot", "podcast setup hero
  image"). A line that opens like a list item (a bullet or a dash: a list of topics
  can end in "logo") or holds a sentence's end before that last word ("What is X?
  banner") is left.
* **a scene**: a description of what a picture shows, which names who or what is in
  it and then what they do: a present participle with a preposition or a determiner
  right after it ("A woman sitting on a couch with a laptop", "Two hikers crossing a
  river at dawn", "Close-up of hands kneading the dough on a floured board"; an object
  in between is not looked past, so "a course covering everything from" stays), with no
  finite verb, no "you"/"we"/"I", no question, at most one sentence end, not written
  in title case (a subheading: "A Beginner's Guide to Baking"), and not a gerund
  after a preposition ("a guide to setting up"). A line wrapped out of a paragraph
  (the line above runs on without closing, or this one ends in a comma) is prose.
  In cased text the subject may be any word when the line opens with a capital
  ("Videographer shooting in a café setting", "Sourdough loaf cooling on a rack"), with
  more guards (``open_scene``: no comma, no heading opening with the "-ing" word, no
  clause's "according to"); lowercased, such a line cannot be told from a subheading
  ("edge computing in 2025"), and only the listed subjects count.
* **a depiction**: alt text that names the kind of picture first ("Close-up of a
  peace lily bloom", "A screenshot of the export dialog.", "Illustration of a hedge
  cut into shapes", "Aerial view of the harbour"), with the scene's guards (no finite
  verb, one sentence at most, not title case), three words depicted at least
  ("Photo of the week" is a column's title). Not "Example(s) of ...": the
  development pages' gold keeps such figure headings about as often as not.

Both work on lowercased tokenized text (the title-case guard then never fires, which
was measured to cost nothing on the development pages). Every removal is one edit
with its reason. (Measured, December 2026, WCXB dev pages, issue 11: residual_rp F1
+.0003 / +.0004 on the two site halves, residual +.0000 / -.0000, lost5_attr
unchanged; 957 noise tokens and 22 gold tokens removed on residual_rp; see
``eval/README.md``. The depiction shape, December 2026: residual_rp F1 +.00005 /
+.00010 cased, +.00006 / +.00014 lowercased, residual unchanged, lost5_attr unchanged.)
"""

from __future__ import annotations

import re

from .alt_text import lowercase_alt, may_be_lowercase_alt
from .edits import Edit
from .lines import LineView, line_view
from .steps import CleaningStep, DocumentContext, iter_lines
from .topic import LIST_MARKER

__all__ = ["ImageCaptions"]

#: A media label has at most this many words.
MEDIA_MAX_WORDS = 8
#: A scene description has this many words (the lower bound keeps "A man running").
SCENE_WORDS = (4, 30)
#: A line above with this many words and no closing mark is a paragraph wrapped
#: across lines: the line under it goes on with it.
WRAPPED_WORDS = 8

#: What a media label's last words name (regex alternatives, lowercase); the label's
#: pattern and the cheap test of its last characters are both made from these.
_MEDIA_NAMES = (
    "logo",
    "icon",
    "image",
    "photo",
    "photograph",
    "thumbnail",
    "screenshot",
    "headshot",
    "head shot",
    "avatar",
    "banner",
    "stock image",
    "stock photo",
    "feature image",
    "featured image",
    "hero image",
)
_MEDIA = f"({'|'.join(_MEDIA_NAMES)})"
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "our",
        "my",
        "your",
        "his",
        "her",
        "their",
        "its",
        "one",
    ]
)
_MEDIA_LABEL = re.compile(rf"^(?![-•*·])[^.!?:]{{0,80}}[^\s.!?:]\s+{_MEDIA}$", re.IGNORECASE)
#: Who or what a picture shows, as alt text opens ("A ...", "Two ...", "Woman ...")
#: (regex alternatives).
_SUBJECTS = (
    "a",
    "an",
    "two",
    "three",
    "four",
    "several",
    "group of",
    "man",
    "woman",
    "men",
    "women",
    "person",
    "people",
    "girl",
    "boy",
    "child",
    "children",
    "kids",
    "couple",
    "family",
    "hands?",
    "close ?- ?up",
    "closeup",
    "overhead view",
    "aerial view",
    "view",
)
_SUBJECT = f"({'|'.join(_SUBJECTS)})"
#: What a depiction names itself as ("Close-up of ...", "A screenshot of ...") (regex
#: alternatives; tokenized text spaces the hyphen: "close - up").
_DEPICTIONS = (
    "close ?- ?up",
    "closeup",
    "overhead (view|shot)",
    "aerial (view|shot|photo)",
    "illustration",
    "photo",
    "photograph",
    "image",
    "picture",
    "screenshot",
    "screen shot",
    "diagram",
    "infographic",
    "rendering",
    "mock ?- ?up",
    "mockup",
)
_DEPICTION_OPENING = rf"(an? )?({'|'.join(_DEPICTIONS)})s? of "
_DEPICTION = re.compile(rf"^{_DEPICTION_OPENING}(?P<what>\S.*)$", re.IGNORECASE)
#: What a depiction shows has this many words at least: "Photo of the week" and
#: "Picture of the day" are a column's titles.
DEPICTED_WORDS = 3
#: The lines that may be depictions, found in one scan of the whole text (behind a
#: newline put before it, as ``_SCENE_CANDIDATE``): a line whose first letter no
#: opening has fails at the look-ahead, before the alternatives are tried.
_DEPICTION_LETTERS = "".join(sorted({d[0] for d in _DEPICTIONS} | {"a"}))  # "a", "an"
_DEPICTION_CANDIDATE = re.compile(
    rf"\n[ \t]*(?=[{_DEPICTION_LETTERS}])({_DEPICTION_OPENING}[^\n]*)", re.IGNORECASE
)

#: The first words ``_SUBJECT`` can open with: each alternative's first word.
_SUBJECT_FIRST = "|".join(dict.fromkeys(re.match(r"\w+\??", s).group() for s in _SUBJECTS))
#: The lines that may be scenes, found in one scan of the whole text (behind a newline
#: put before it: a pattern opening with a literal is searched for it in C): those
#: opening with a word a scene opens with, as their normalized forms would (normalizing
#: only closes up white space and punctuation). Most lines are not, and no view of
#: them is made.
_SCENE_CANDIDATE = re.compile(rf"\n([^\w\n]*(?:{_SUBJECT_FIRST})\b[^\n]*)", re.IGNORECASE)
#: The last words of media labels ("head shot" and "stock image" end in "shot" and
#: "image"): a line ending in none of them is no label, and gets no view.
_MEDIA_ENDINGS = tuple(dict.fromkeys(name.split()[-1] for name in _MEDIA_NAMES))
_LONGEST_ENDING = max(map(len, _MEDIA_ENDINGS))
#: Words in "-ing" that are not participles ("during", "morning", "a building").
_NOT_PARTICIPLE = (
    r"(?!(during|morning|evening|everything|something|nothing|anything|thing|king|ring"
    r"|spring|string|building|bring|sing|ceiling|clothing|wedding|pudding|wing)\b)"
)
#: What follows the participle in a scene: a preposition or a determiner.
_AFTER = (
    r"(on|in|at|with|a|an|the|his|her|their|to|from|under|over|by|next|beside|through"
    r"|into|onto|up|down|out|around|along|across|behind)"
)
_SCENE = re.compile(
    rf"^{_SUBJECT}\s+(?:[\w'’-]+,?\s+){{0,6}}?{_NOT_PARTICIPLE}[a-z]{{2,}}ing\s+{_AFTER}\b.*$",
    re.IGNORECASE,
)
#: A finite verb or a person speaking makes a sentence of the article, not a caption;
#: so does a gerund after a preposition ("a guide to setting up").
_SENTENCE = re.compile(
    r"\b(is|are|was|were|will|would|can|could|should|may|might|must|has|have|had|does"
    r"|do|did|helps?|makes?|includes?|means|keeps?|that|which|who|you|we|i|it|they)\b"
    r"|\b(to|of|for|by|from|about|at)\s+[a-z]+ing\b",
    re.IGNORECASE,
)
#: A scene whose subject is any word (cased text only): "Videographer shooting in a
#: café setting", "Sourdough bread cooling on a rack". The line opens with a capital (alt
#: text is written so; lowercased text cannot tell it from a subheading such as "edge
#: computing in 2025", so there only the listed subjects count), the participle comes
#: within four words and not first ("Putting X to work" is a heading), and no comma: a
#: sentence's clause ("Degrees starting at $9,000, ...") is not alt text.
_OPEN_SCENE = re.compile(
    rf"^(?-i:[A-Z])[\w'’-]*\s+(?:[\w'’-]+\s+){{0,3}}?(?P<ing>{_NOT_PARTICIPLE}[a-z]{{2,}}ing)"
    rf"\s+{_AFTER}\b[^,]*$",
    re.IGNORECASE,
)
#: The lines that may be open scenes, picked in the step's pass over the lines (a capital
#: first, no comma, the participle and what follows it lowercase, as alt text writes
#: them, within the first ``_OPEN_SCENE_REACH`` characters): no view of most lines is made.
_OPEN_SCENE_ING = re.compile(rf"[a-z]ing[ \t]+{_AFTER}\b")
_OPEN_SCENE_REACH = 90
#: What the open scene's first words may not be: a demonstrative with its verb ("This
#: aligns pricing ..."), a verb taking a gerund ("Consider calling in a pro", "Avoid
#: reinventing the wheel"); nor may its "-ing" word be one a sentence's clause opens
#: with ("according to", "depending on", "starting at"), or follow a preposition or
#: an auxiliary ("Before and after cleaning with", "is going to").
_OPEN_SCENE_NOT = re.compile(
    r"^(this|that|these|those|here|there|consider|avoid|start|stop|keep|try|begin|finish"
    r"|enjoy|recommend|suggest|imagine|quit|practi[cs]e|continue|go|love|like|hate|prefer"
    r"|risk|let[’']?s|let|check|use|see|watch)\b"
    r"|\b(after|before|while|when|without|in|on|with|by|and|or|but|of|for|to|from|about"
    r"|at|than|is|are|be|been)\s+[a-z]{2,}ing\s*$",
    re.IGNORECASE,
)
_CLAUSE_ING = re.compile(
    r"\b(according|depending|starting|including|using|following|regarding|concerning"
    r"|involving|seeking|wanting|ranging|leading|allowing|helping|making|getting|having"
    r"|being|doing|going|taking|giving|keeping|letting|providing|offering|creating"
    r"|addressing|combining|building|running|working|looking|trying|planning|moving"
    r"|turning|bringing|adding|ensuring|setting|putting|backing|relying|focusing"
    r"|resulting|causing|pending)\b",
    re.IGNORECASE,
)
#: A word in "-ed" before the participle is a sentence's verb ("Eight in ten supported
#: returning the figures"), not alt text's subject.
_PAST = re.compile(r"\b[a-z]{2,}ed\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](\s|$)")
_OPEN_END = re.compile(r"[\w,;]$")


def title_case(raw: str) -> bool:
    """Most of the line's longer words capitalised: a subheading, not a caption."""
    words = [w for w in raw.split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 2 and 2 * sum(w[0].isupper() for w in words) > len(words)


def media_label(view: LineView) -> bool:
    """A short line ending in the name of an image: "Acme logo", "hero image".

    Not when a determiner is all that stands before the name: "The image" and "Our
    logo" are an article's subheadings.
    """
    n = len(view.words)
    return (
        2 <= n <= MEDIA_MAX_WORDS
        and not (n == 2 and view.words[0].casefold() in _DETERMINERS)
        and bool(_MEDIA_LABEL.match(view.norm))
    )


def scene(view: LineView) -> bool:
    """A description of what a picture shows: "A woman sitting on a couch"."""
    n = len(view.words)
    if not SCENE_WORDS[0] <= n <= SCENE_WORDS[1]:
        return False
    norm = view.norm
    return (
        not norm.endswith(("?", ":", ";", "!", ","))
        and bool(_SCENE.match(norm))
        and len(_SENTENCE_END.findall(norm)) <= 1
        and not _SENTENCE.search(norm)
        and not title_case(view.raw)
    )


def open_scene(view: LineView) -> bool:
    """A scene whose subject is any word, in cased text: "Videographer shooting in a café
    setting", "Glasses sitting in front of a laptop computer." With the scene's guards."""
    n = len(view.words)
    if not SCENE_WORDS[0] <= n <= SCENE_WORDS[1]:
        return False
    norm = view.norm
    m = _OPEN_SCENE.match(norm)
    return (
        m is not None
        and not view.words[0].casefold().endswith("ing")  # "Putting X to work": a heading
        and not _CLAUSE_ING.search(norm, 0, m.end("ing"))
        and not _PAST.search(norm, 0, m.start("ing"))
        and not _OPEN_SCENE_NOT.search(norm[: m.end("ing")])
        and not norm.endswith(("?", ":", ";", "!"))
        and len(_SENTENCE_END.findall(norm)) <= 1
        and not _SENTENCE.search(norm)
        and not title_case(view.raw)
    )


def depiction(view: LineView) -> bool:
    """Alt text that says what kind of picture it is: "Close-up of a peace lily",
    "A screenshot of the export dialog.", "Illustration of a hedge cut into shapes".

    Not "Example(s) of ..." (the gold keeps such figure headings as often as not), not
    "The picture of health" (alt text opens with "a"/"an" or the noun), and, as a scene,
    no finite verb, at most one sentence, not title case (a figure's heading).
    """
    n = len(view.words)
    if not 3 <= n <= SCENE_WORDS[1]:
        return False
    norm = view.norm
    shown = _DEPICTION.match(norm)
    return (
        shown is not None
        and len(shown["what"].split()) >= DEPICTED_WORDS
        and not norm.endswith(("?", ":", ";", "!", ","))
        and len(_SENTENCE_END.findall(norm)) <= 1
        and not _SENTENCE.search(norm)
        and not title_case(view.raw)
    )


class ImageCaptions(CleaningStep):
    """Remove lines of image alt text and captions that carry no credit."""

    name = "captions"

    def find_edits(self, text: str, ctx: DocumentContext) -> list[Edit]:
        found: dict[int, tuple[int, str]] = {}  # line start -> (end, reason)
        tail = -_LONGEST_ENDING
        open_scenes: list[tuple[int, int, str]] = []  # lines that may be open scenes
        alts: list[tuple[int, int, str]] = []  # lines that may be lowercase alt text
        for start, end, raw in iter_lines(text):
            # the line's last characters, casefolded: no view of most lines is made
            if raw.rstrip()[tail:].casefold().endswith(_MEDIA_ENDINGS) and media_label(
                line_view(raw)
            ):
                found[start] = (end, "media_label")
            elif (
                "," not in raw
                and "A" <= raw[:1] <= "Z"
                and _OPEN_SCENE_ING.search(raw, 0, _OPEN_SCENE_REACH)
            ):
                open_scenes.append((start, end, raw))
            elif "a" <= raw[:1] <= "z" and may_be_lowercase_alt(raw):
                alts.append((start, end, raw))
        for m in _SCENE_CANDIDATE.finditer("\n" + text):
            raw, start = m.group(1), m.start()  # m.start(): the line's start in text
            if (
                start not in found
                and scene(line_view(raw))
                and not _wrapped(_line_above(text, start))
                and not LIST_MARKER.match(raw.lstrip())
            ):
                end = min(m.end(), len(text))  # m.end() - 1 in text, with its newline
                found[start] = (end, "scene")
        for start, end, raw in open_scenes:
            if (
                start not in found
                and open_scene(line_view(raw))
                and not _wrapped(_line_above(text, start))
            ):
                found[start] = (end, "scene")
        for start, end in _depiction_lines(text):
            if start not in found and not _wrapped(_line_above(text, start)):
                found[start] = (end, "depiction")
        if alts and text.islower():  # lowercased text: no capital to tell alt text by
            alts = []
        for start, end, raw in alts:  # last: a line of another shape keeps that reason
            if start not in found and lowercase_alt(
                raw, _line_above(text, start), _line_below(text, end)
            ):
                found[start] = (end, "lowercase_alt")
        return [self.edit(start, end, "", why) for start, (end, why) in sorted(found.items())]


def _depiction_lines(text: str) -> list[tuple[int, int]]:
    """The lines (start, end with the newline) that are depictions."""
    lines: list[tuple[int, int]] = []
    for m in _DEPICTION_CANDIDATE.finditer("\n" + text):
        start = m.start()  # the line's start in text (the newline put before it)
        end = min(m.end(), len(text))  # m.end() - 1 in text, with its newline
        if depiction(line_view(text[start:end])):
            lines.append((start, end))
    return lines


def _line_above(text: str, start: int) -> str | None:
    """The last line before offset ``start`` (a line's start) with more than white
    space in it, if any."""
    end = start - 1  # the newline that ends the line above
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if line.strip():
            return line
        end = begin - 1
    return None


def _line_below(text: str, end: int) -> str | None:
    """The first line from offset ``end`` (a line's end, after its newline) with more
    than white space in it, if any."""
    while end < len(text):
        stop = text.find("\n", end)
        stop = len(text) if stop < 0 else stop
        line = text[end:stop]
        if line.strip():
            return line
        end = stop + 1
    return None


def _wrapped(above: str | None) -> bool:
    """Whether the line above is a paragraph running on across the line break."""
    if above is None:
        return False
    view = line_view(above)
    return len(view.words) >= WRAPPED_WORDS and bool(_OPEN_END.search(view.norm))
