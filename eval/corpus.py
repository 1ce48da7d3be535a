"""Generate the evaluation corpus: pages with residual boilerplate and their gold bodies.

Deterministic: the same seed gives the same corpus, byte for byte (``random.Random``
seeded with strings, no hash randomisation involved). Each document is

* ``dirty``: an article body (a window of its blocks) dressed in one site's
  furniture at the top, between paragraphs and at the end; some are lowercased
  and tokenized, some carry mojibake;
* ``clean``: an article body alone (with or without its title), which a cleaner
  must leave byte-identical;
* ``seed``: one of the five raw seed files as collected, with its hand-made gold.

A site never shows the same article twice, so repetition across a publisher's
documents only ever finds the site's furniture, as on a real site.

    .venv/bin/python -m eval.corpus --out /tmp/corpus.jsonl   # write it to look at
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .bank import SEED_ARTICLES, Article, Block, load_bank, tokenize_lower
from .sites import CAPTIONS, CREDITS, HEADLINES, PEOPLE, SITES, TAGS

__all__ = ["DEFAULT_SEED", "Doc", "corpus_sha256", "generate"]

DEFAULT_SEED = "news-cleaning-eval-v1"
DIRTY_PER_SPLIT = 80
CLEAN_PER_SPLIT = 30
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SOURCE_SITES = ["the Ledger", "Valleynews.com", "Coastal Times", "metro-news.net", "The Examiner"]

SEED_DOCS = {
    "000_1be5c9577093f905": "seed-000",
    "001_1d161241fa9d0160": "seed-001",
    "002_a8446556a3208bd8": "seed-002",
    "003_1f538d970d95d26f": "seed-003",
    "004_85bdede9e1a8b346": "seed-004",
}


@dataclass(frozen=True)
class Doc:
    id: str
    split: str
    kind: str  # dirty | clean | seed
    site: str
    article: str
    form: str  # cased | lowercased_tokenized
    mojibake: bool
    raw: str
    gold: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fields(rng: random.Random, article: Article) -> dict[str, Any]:
    month = rng.randrange(12)
    day = rng.randint(1, 28)
    author = article.author or rng.choice(PEOPLE)
    others = [p for p in PEOPLE if p != author]
    tags = rng.sample(TAGS, 3)
    return {
        "section": article.section,
        "section_lower": article.section.lower(),
        "SECTION": article.section.upper(),
        "author": author,
        "AUTHOR": author.upper(),
        "author2": rng.choice(others),
        "editor": rng.choice(others),
        "date_us": f"{MONTHS[month]} {day}, 2024",
        "month": MONTHS[month],
        "mon": MONTHS[month][:3],
        "d": day,
        "dd": f"{day:02d}",
        "mm": f"{month + 1:02d}",
        "weekday": rng.choice(WEEKDAYS),
        "hour": rng.randint(1, 12),
        "minute": f"{rng.randrange(60):02d}",
        "n": rng.randint(2, 48),
        "credit": rng.choice(CREDITS),
        "credit_ap": f"AP Photo/{rng.choice(others)}",
        "tag1": tags[0],
        "tag2": tags[1],
        "tag3": tags[2],
        "source_site": rng.choice(SOURCE_SITES),
    }


def _fill(template: str, rng: random.Random, fields: dict[str, Any]) -> str:
    return template.format(
        **fields,
        headline=rng.choice(HEADLINES),
        caption=rng.choice(CAPTIONS),
    )


def _render_block(block: Block, bullet: str) -> str:
    if block.kind == "ul":
        return "\n".join(bullet + item for item in block.items)
    return block.items[0]


def _window(rng: random.Random, article: Article) -> list[Block]:
    """A contiguous run of at least four blocks (the whole body half the time)."""
    blocks = article.blocks
    if article.window == "whole":
        return list(blocks)
    if len(blocks) <= 4 or rng.random() < 0.5:
        return list(blocks)
    size = rng.randint(4, len(blocks))
    start = rng.randint(0, len(blocks) - size)
    return list(blocks[start : start + size])


def _teaser(rng: random.Random, length: int) -> str:
    """A 'more stories' rail entry: headline glued to its standfirst, cut to a fixed length."""
    text = rng.choice(HEADLINES) + rng.choice(CAPTIONS) + " and " + rng.choice(CAPTIONS).lower()
    return text[:length]


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (bytes it leaves undefined read as Latin-1)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def _dirty(
    rng: random.Random, site: dict[str, Any], article: Article, *, lowercase: bool
) -> tuple[str, str]:
    """Raw page and gold body for one article on one site."""
    fields = _fields(rng, article)
    sep = site["sep"]
    blocks = _window(rng, article)
    body = [_render_block(b, site["bullet"]) for b in blocks]
    tokenized = article.form == "lowercased_tokenized"

    def furniture(template: str) -> str:
        line = _fill(template, rng, fields)
        return tokenize_lower(line) if (lowercase or tokenized) else line

    head: list[str] = []
    cookie = site["cookie"]
    if cookie and cookie[0] == "top":
        head.append("\n".join(furniture(t) for t in cookie[1]))
    chrome = [furniture(t) for t in site["top"]]
    chrome += [furniture(t) for t in site["top_optional"] if rng.random() < 0.5]
    if chrome:
        head.append("\n".join(chrome))
    title = article.title
    gold_head: list[str] = []
    show_title = title is not None and site["title"] != "none"
    if show_title:
        assert title is not None
        kicker = [furniture(rng.choice(site["kicker"]))] if site["kicker"] else []
        if site["title"] == "twice":
            head.append(title)
            head.append("\n".join([*kicker, title]))
        else:
            head.append("\n".join([*kicker, title]))
        gold_head.append(title)
    byline = [furniture(t) for t in site["byline"]]
    if byline:
        head.append("\n".join(byline))

    # Furniture between paragraphs: never before the first block, at most three.
    page_body: list[str] = []
    inserted = 0
    for i, block in enumerate(body):
        if i > 0 and site["inline"] and inserted < 3 and rng.random() < site["inline_rate"]:
            page_body.append(furniture(rng.choice(site["inline"])))
            inserted += 1
        page_body.append(block)

    tail: list[str] = []
    for entry in site["tail"]:
        if isinstance(entry, dict):
            if rng.random() < 0.75:
                low, high = entry["n"]
                pool = TAGS if entry.get("items") == "tags" else HEADLINES
                items = rng.sample(pool, rng.randint(low, high))
                header = [furniture(rng.choice(entry["header"]))] if entry["header"] else []
                lines = [
                    *header,
                    *(tokenize_lower(x) if lowercase or tokenized else x for x in items),
                ]
                tail.append("\n".join(lines))
        elif rng.random() < 0.7:
            tail.append(furniture(entry))
    tail += [furniture(t) for t in site["bottom"]]
    if cookie and cookie[0] == "bottom":
        tail.append("\n".join(furniture(t) for t in cookie[1]))
    if site["teasers"] and rng.random() < site["teasers"]:
        length = 90 + 10 * (sum(map(ord, site["name"])) % 4)  # fixed per site
        tail.append("\n".join(_teaser(rng, length) for _ in range(rng.randint(2, 4))))

    raw_parts = head + page_body + tail
    if site["trailing_spaces"]:
        raw_parts = [p.replace("\n", " \n") + " " if rng.random() < 0.5 else p for p in raw_parts]
    raw = sep.join(raw_parts) + "\n"
    gold = sep.join(gold_head + body)
    if lowercase and not tokenized:
        raw = tokenize_lower(raw)
        gold = tokenize_lower(gold)
    return raw, gold


def _clean(rng: random.Random, site: dict[str, Any], article: Article) -> str:
    """An article alone, as a clean page would give it (normalized white space)."""
    blocks = _window(rng, article)
    parts = [_render_block(b, site["bullet"]) for b in blocks]
    if article.title and rng.random() < 0.6:
        parts.insert(0, article.title)
    return site["sep"].join(parts)


def _seed_docs(bank: dict[str, Article]) -> Iterator[Doc]:
    for file_id, article_id in SEED_DOCS.items():
        article = bank[article_id]
        raw = (SEED_ARTICLES / f"{file_id}.txt").read_text(encoding="utf-8")
        sep = "\n\n" if "\n\n" in raw else "\n"
        parts = ([article.title] if article.title else []) + [
            _render_block(b, "") for b in article.blocks
        ]
        yield Doc(
            id=f"seed-{file_id[:3]}",
            split=article.split,
            kind="seed",
            site=f"seed:{file_id[:3]}",
            article=article_id,
            form=article.form,
            mojibake=False,
            raw=raw,
            gold=sep.join(parts),
        )


def generate(seed: str = DEFAULT_SEED) -> list[Doc]:
    """The whole corpus, dev then test, in a fixed order."""
    bank = load_bank()
    by_id = {a.id: a for a in bank}
    docs: list[Doc] = list(_seed_docs(by_id))
    for split in ("dev", "test"):
        sites = [s for s in SITES if s["split"] == split]
        articles = [a for a in bank if a.split == split]
        rng = random.Random(f"{seed}:{split}:pairs")
        pairs = [(s, a) for s in sites for a in articles]
        rng.shuffle(pairs)
        for i, (site, article) in enumerate(pairs[:DIRTY_PER_SPLIT]):
            doc_rng = random.Random(f"{seed}:{split}:dirty:{i}")
            lowercase = article.form == "cased" and doc_rng.random() < 0.12
            raw, gold = _dirty(doc_rng, site, article, lowercase=lowercase)
            form = "lowercased_tokenized" if (lowercase or article.form != "cased") else "cased"
            moji = form == "cased" and not raw.isascii() and doc_rng.random() < 0.12
            docs.append(
                Doc(
                    id=f"{split}-dirty-{i:03d}",
                    split=split,
                    kind="dirty",
                    site=site["name"],
                    article=article.id,
                    form=form,
                    mojibake=moji,
                    raw=_mojibake(raw) if moji else raw,
                    gold=gold,
                )
            )
        for i in range(CLEAN_PER_SPLIT):
            doc_rng = random.Random(f"{seed}:{split}:clean:{i}")
            site = doc_rng.choice(sites)
            article = articles[i % len(articles)]
            text = _clean(doc_rng, site, article)
            lowercase = article.form == "cased" and doc_rng.random() < 0.15
            if lowercase:
                text = tokenize_lower(text)
            docs.append(
                Doc(
                    id=f"{split}-clean-{i:03d}",
                    split=split,
                    kind="clean",
                    site=site["name"],
                    article=article.id,
                    form="lowercased_tokenized"
                    if lowercase or article.form != "cased"
                    else "cased",
                    mojibake=False,
                    raw=text,
                    gold=text,
                )
            )
    return docs


def corpus_sha256(docs: list[Doc]) -> str:
    """Checksum of the corpus, to show that a run used the same documents."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(json.dumps(doc.as_dict(), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    args = parser.parse_args(argv)
    docs = generate(args.seed)
    with args.out.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc.as_dict(), ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents, sha256 {corpus_sha256(docs)}")


if __name__ == "__main__":
    main()
