"""Regenerate ``seeds/annotations.jsonl``: the annotations of the five seed articles.

Every offset points into the RAW article text (``seeds/articles/<id>.txt`` decoded as
UTF-8), counted in Unicode code points. The articles are only read, never written.

Entities
    Each article has a gazetteer below: the entity strings, with their OntoNotes
    labels, written by hand after reading that article. Every occurrence of every
    string is found with word boundaries (no letter, digit or ``_`` on either side),
    case-sensitively. The two lowercased, tokenized texts (000, 001) are matched
    with the lowercased string, so a span is exactly the raw characters, e.g.
    ``israel`` in ``israel ' s``. Titles are left out of PERSON spans
    (``mr gantz`` -> ``gantz``, ``President Joe Biden`` -> ``Joe Biden``). When
    matches overlap, the longest wins (``Israel Katz`` over ``Israel``; ties: the
    earlier one).

Quotes
    Found by rule: each pair of double quote marks (straight ``"`` in 000 and 001,
    curly ``“ ”`` in 002-004), plus the few quotes in single marks listed by hand
    (``extra_quotes``). Convention: a quote span covers the words INSIDE the marks,
    without the marks and without the white space next to them; punctuation inside
    the marks is kept (``it ' s perfectly understandable ,``). The speaker of each
    quote is assigned by hand in ``quotes``, a table aligned with the quotes in text
    order: the first words of the quote (checked) and the entity string naming the
    speaker, resolved to the nearest span with that text, or ``None`` when the
    quote is unattributed or its speaker is named by no entity span.

Page furniture
    Lines that are not part of the article (004's repeated title and section label
    at the top; widget lines and unrelated story teasers at the end) are left
    unannotated: ``body_start`` and ``body_end`` bound the annotated part of the text.

Ids are ``e1, e2, ...`` and ``q1, q2, ...`` in text order. Every span carries
``prefix`` and ``suffix``: up to 32 characters either side (W3C TextQuoteSelector).
Output: one JSON line per article, sorted by article id, UTF-8.

Run from anywhere: ``python seeds/tools/make_annotations.py`` (stdlib only).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent.parent
ARTICLES = SEEDS / "articles"
OUTPUT = SEEDS / "annotations.jsonl"
CONTEXT = 32  # characters of prefix and suffix

ANNOTATOR = {
    "kind": "mixed",
    "name": "seed-gazetteer-v1",
    "note": (
        "Entity spans were found by rule: exact, word-bounded matching of a per-article "
        "gazetteer of entity strings and OntoNotes labels that the toolkit developers (an AI "
        "assistant) wrote by hand after reading each article; every occurrence of a listed "
        "string is annotated, overlaps keep the longest match, titles are left out of PERSON "
        "spans, and mentions of strings missing from a gazetteer are missed. Quote spans were "
        "found by rule (text inside each pair of quote marks, plus a few single-quoted phrases "
        "listed by hand); speakers were assigned by hand as the nearest entity span naming the "
        "speaker, or null when the quote is unattributed or its speaker is named by no entity. "
        "Page furniture (repeated title, widgets, unrelated teasers) is not annotated. Made by "
        "seeds/tools/make_annotations.py; not independently checked or double-annotated."
    ),
}


@dataclass(frozen=True)
class Article:
    """What was written by hand for one article."""

    article_id: str
    genre: str
    text_form: str
    #: label -> entity strings, as they appear in the text
    gazetteer: dict[str, tuple[str, ...]]
    #: (first words of the quote, entity string naming its speaker or None), in text order
    quotes: tuple[tuple[str, str | None], ...]
    #: quotes in single marks, by their exact inner text (each must occur once)
    extra_quotes: tuple[str, ...] = ()
    #: the annotated part starts at this string (default: the start of the text)
    body_start: str | None = None
    #: the annotated part ends where this string starts (default: the end of the text)
    body_end: str | None = None


ARTICLES_BY_HAND: tuple[Article, ...] = (
    Article(
        article_id="000_1be5c9577093f905",
        genre="analysis",  # Jeremy Bowen, BBC international editor
        text_form="lowercased_tokenized",
        gazetteer={
            "PERSON": (
                "benny gantz",
                "gantz",
                "joe biden",
                "biden",
                "ali khamenei",
                "benjamin netanyahu",
                "netanyahu",
            ),
            "ORG": ("hamas", "g7", "islamic revolution guard corps", "irgc", "hezbollah"),
            "GPE": (
                "israel",
                "iran",
                "damascus",
                "us",
                "delaware",
                "uk",
                "jordan",
                "lebanon",
                "gaza",
            ),
            "NORP": ("iranian", "israeli", "americans", "israelis", "iranians", "lebanese"),
            "DATE": (
                "7 october",
                "two weeks ago",
                "1 april",
                "years",
                "the two weeks",
                "a few days ago",
                "the six months",
            ),
            "FAC": ("white house",),  # the building: "get back to the white house"
            "LOC": ("middle east",),
        },
        quotes=(
            ("in the manner", "israel"),  # "israel would respond": the war cabinet's phrase
            ("israel against iran", "benny gantz"),
            ("ironclad", "joe biden"),
            ("we ' ve got your back", "joe biden"),  # the writer's gloss of Biden's message
        ),
        extra_quotes=("we ' ve got your back",),
    ),
    Article(
        article_id="001_1d161241fa9d0160",
        genre="analysis",
        text_form="lowercased_tokenized",
        gazetteer={
            "PERSON": ("biden", "dennis ross", "ross", "george hw bush", "clinton"),
            "ORG": ("hamas", "israel defense forces", "white house", "quds force", "hezbollah"),
            "GPE": ("iran", "israel", "us", "gaza", "syria", "lebanon", "tehran"),
            "NORP": ("iranian", "israeli", "palestinian", "shia", "american"),
            "DATE": (
                "saturday",
                "7 october",
                "two weeks ago",
                "the weekend",
                "40 - year",
                "1979",
                "years",
                "six - week",
                "an election year",
            ),
            "EVENT": ("israel - gaza war", "islamic revolution", "middle east peace process"),
            "LOC": ("middle east",),
        },
        quotes=(
            ("rewritten the rules", "dennis ross"),
            ("failure of deterrents", "ross"),
            ("ironclad", "white house"),
            ("i understand that", "ross"),
            ("but by the same token", "ross"),
        ),
    ),
    Article(
        article_id="002_a8446556a3208bd8",
        genre="aggregator_rewrite",
        text_form="cased",
        gazetteer={
            "PERSON": ("Biden", "Benjamin Netanyahu", "Netanyahu", "Trump", "Suleimani"),
            "ORG": ("Hezbollah", "Group of 7", "United Nations Security Council"),
            "GPE": ("Israel", "U.S.", "Lebanon", "Gaza", "Iran", "Damascus", "United States"),
            "NORP": ("Iranian", "Israeli", "American"),
            "LOC": ("Middle East",),
        },
        quotes=(),
        body_end="Share.\nExit mobile version",
    ),
    Article(
        article_id="003_1f538d970d95d26f",
        genre="news_report",
        text_form="cased",
        gazetteer={
            "PERSON": (
                "Benjamin Netanyahu",
                "Netanyahu",
                "Joe Biden",
                "Biden",
                "Antony Blinken",
                "Blinken",
                "Matthew Miller",
                "Yoav Gallant",
                "Michael E Kurilla",
                "Pat Ryder",
                "Yahya Sinwar",
                "Hossein Amir-Abdollahian",
                "Amir-Abdollahian",
                "Annalena Baerbock",
                "Dmitry Peskov",
                "Ali Khamenei",
                "Khamenei",
                "Israel Katz",
                "Samantha Power",
            ),
            "ORG": (
                "Islamic Revolutionary Guards",
                "Guard",
                "state department",
                "US Central Command",
                "Pentagon",
                "Hezbollah",
                "Hamas",
                "Reuters",
                "Lufthansa",
                "UN",
                "Kremlin",
                "X",
                "USAID",
                "Congress",
            ),
            "GPE": (
                "US",
                "Iran",
                "Israel",
                "Washington",
                "Damascus",
                "Tel Aviv",
                "Jerusalem",
                "Beersheeva",
                "State of Israel",
                "Tehran",
                "Lebanon",
                "Syria",
                "Gaza",
                "Saudi Arabia",
                "Qatar",
                "United Arab Emirates",
                "Iraq",
                "Turkey",
                "Oman",
                "Muscat",
                "Russia",
                "Germany",
                "Moscow",
                "New York",
                "Palestinian territories",
            ),
            "NORP": (
                "Israeli",
                "Iranian",
                "American",
                "Chinese",
                "Turkish",
                "Saudi",
                "European",
                "Lebanese",
                "Syrian",
                "German",
                "Russians",
            ),
            "DATE": (
                "the next few days",
                "1 April",
                "Thursday",
                "last Thursday",
                "Wednesday",
                "7 October",
                "the past two days",
                "next week",
            ),
            "FAC": ("Tel Nof airbase",),
            "LOC": ("Middle East", "Gulf", "Golan Heights"),
        },
        quotes=(
            ("Out of an abundance", None),  # an embassy notice: no entity names the embassy
            ("until further notice", None),  # the same notice
            ("Whoever harms us", "Benjamin Netanyahu"),
            ("We are prepared", "Benjamin Netanyahu"),  # "the Israeli prime minister said"
            ("to make clear", "Matthew Miller"),
            ("iron-clad", "Biden"),
            ("stand with Israel", "Blinken"),
            ("shirk its responsibility", "Amir-Abdollahian"),
            ("must be punished", "Ali Khamenei"),
            ("no longer safe", None),  # "one of his advisers", unnamed
            ("if Iran attacks", "Israel Katz"),
            ("credible", "Samantha Power"),
        ),
        body_end="Pakistani-American businessperson",  # teasers of unrelated stories
    ),
    Article(
        article_id="004_85bdede9e1a8b346",
        genre="analysis",
        text_form="cased",
        gazetteer={
            "PERSON": (
                "Joe Biden",
                "Biden",
                "Benjamin Netanyahu",
                "Michael DiMino",
                "Kenneth Pollack",
            ),
            "ORG": (
                "Revolutionary Guard Corps",
                "Defense Priorities",
                "American Enterprise Institute",
                "AEI",
                "Hamas",
                "Hezbollah",
            ),
            "GPE": (
                "Israel",
                "Iran",
                "Syria",
                "US",
                "U.S.",
                "United States",
                "Tehran",
                "Britain",
                "France",
                "Saudi Arabia",
                "Jordan",
                "Gaza",
                "Lebanon",
            ),
            "NORP": ("Israeli", "Iranian", "Israelis", "Syrian", "Houthis"),
            "DATE": ("this weekend", "This weekend", "the weekend", "years", "October 7", "months"),
            "LOC": ("Europe", "Middle East", "Red Sea"),
        },
        quotes=(
            ("light damage", None),  # reported damage, no speaker given
            ("can be deemed concluded", "Iranian"),  # "Iranian officials said"
            ("MUST STAY AWAY", "Iranian"),  # "They added": the same Iranian officials
            ("slow things down", "Joe Biden"),
            ("win", None),  # scare quotes
            ("President Biden’s comments", "Michael DiMino"),
            ("If you’re looking", "Michael DiMino"),
            ("The fact that Israel", "Kenneth Pollack"),
            ("If Israel had gotten", "Kenneth Pollack"),
        ),
        body_start="What’s Next Between Israel and Iran?\n\nThe world",  # the title kept by cleaning
        body_end="Inline Feedbacks",
    ),
)


def selector(raw: str, start: int, end: int) -> dict[str, Any]:
    """Offsets, text, prefix and suffix of one span."""
    return {
        "start": start,
        "end": end,
        "text": raw[start:end],
        "prefix": raw[max(0, start - CONTEXT) : start],
        "suffix": raw[end : end + CONTEXT],
    }


def body_bounds(raw: str, art: Article) -> tuple[int, int]:
    """The part of the text that is annotated (the article, not the page furniture)."""
    lo = 0 if art.body_start is None else raw.index(art.body_start)
    hi = len(raw) if art.body_end is None else raw.index(art.body_end, lo)
    return lo, hi


def find_entities(raw: str, art: Article, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """(start, end, label) of every gazetteer match in raw[lo:hi], overlaps resolved."""
    seen: dict[str, str] = {}
    candidates: list[tuple[int, int, str]] = []
    for label, strings in art.gazetteer.items():
        for string in strings:
            needle = string.lower() if art.text_form == "lowercased_tokenized" else string
            if needle in seen:
                raise ValueError(
                    f"{art.article_id}: {needle!r} listed as {seen[needle]} and {label}"
                )
            seen[needle] = label
            pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")
            found = [(m.start(), m.end(), label) for m in pattern.finditer(raw, lo, hi)]
            if not found:
                raise ValueError(f"{art.article_id}: gazetteer string {needle!r} not found")
            candidates += found
    kept: list[tuple[int, int, str]] = []
    for start, end, label in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if all(end <= k_start or start >= k_end for k_start, k_end, _ in kept):
            kept.append((start, end, label))
    return sorted(kept)


def find_quotes(raw: str, art: Article, lo: int, hi: int) -> list[tuple[int, int]]:
    """(start, end) of the words inside each pair of quote marks, in text order."""
    if art.text_form == "lowercased_tokenized":
        marks = [i for i in range(lo, hi) if raw[i] == '"']
        if len(marks) % 2:
            raise ValueError(f"{art.article_id}: odd number of straight double quotes")
        pairs = list(zip(marks[::2], marks[1::2], strict=True))
    else:
        pairs = [(m.start(), m.end() - 1) for m in re.finditer("“[^“”]*”", raw[lo:hi])]
        pairs = [(lo + a, lo + b) for a, b in pairs]
    for inner in art.extra_quotes:
        if raw.count(inner, lo, hi) != 1:
            raise ValueError(f"{art.article_id}: extra quote {inner!r} must occur exactly once")
        start = raw.index(inner, lo, hi)
        pairs.append((start - 1, start + len(inner)))  # as if marks sat just outside it
    spans = []
    for open_mark, close_mark in sorted(pairs):
        start, end = open_mark + 1, close_mark
        while start < end and raw[start].isspace():
            start += 1
        while end > start and raw[end - 1].isspace():
            end -= 1
        spans.append((start, end))
    return spans


def nearest(entities: list[dict[str, Any]], text: str, start: int, end: int) -> str:
    """Id of the entity span with this text nearest to [start, end)."""
    matches = [e for e in entities if e["text"] == text]
    if not matches:
        raise ValueError(f"speaker {text!r} is not an entity span")

    def distance(e: dict[str, Any]) -> tuple[int, int]:
        return max(e["start"] - end, start - e["end"], 0), e["start"]

    return str(min(matches, key=distance)["id"])


def annotate(art: Article) -> dict[str, Any]:
    raw = (ARTICLES / f"{art.article_id}.txt").read_bytes().decode("utf-8")
    lo, hi = body_bounds(raw, art)
    entities = [
        {"id": f"e{i}", **selector(raw, start, end), "label": label}
        for i, (start, end, label) in enumerate(find_entities(raw, art, lo, hi), 1)
    ]
    spans = find_quotes(raw, art, lo, hi)
    if len(spans) != len(art.quotes):
        raise ValueError(f"{art.article_id}: {len(spans)} quotes found, {len(art.quotes)} in table")
    quotes = []
    for i, ((start, end), (opening, speaker)) in enumerate(zip(spans, art.quotes, strict=True), 1):
        if not raw[start:end].startswith(opening):
            raise ValueError(f"{art.article_id}: quote {i} {raw[start:end]!r} != {opening!r}...")
        speaker_id = None if speaker is None else nearest(entities, speaker, start, end)
        quotes.append({"id": f"q{i}", **selector(raw, start, end), "speaker": speaker_id})
    return {
        "article_id": art.article_id,
        "annotator": ANNOTATOR,
        # The text the offsets were made on: a later raw text re-anchors by quote.
        "text_sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        "entities": entities,
        "quotes": quotes,
        "labels": {"genre": art.genre, "text_form": art.text_form},
    }


def main() -> None:
    records = [annotate(art) for art in sorted(ARTICLES_BY_HAND, key=lambda a: a.article_id)]
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    OUTPUT.write_text("".join(lines), encoding="utf-8", newline="\n")
    for record in records:
        print(
            f"{record['article_id']}: {len(record['entities'])} entities, {len(record['quotes'])} quotes"
        )


if __name__ == "__main__":
    main()
