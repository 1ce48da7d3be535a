"""The article bodies of the evaluation: the written bank plus the five seed articles.

A body is a list of blocks (paragraph, subheading, list). The seed bodies are the
seed files with their known page furniture taken off by hand (listed here, per
file), so the evaluation also holds real scraped text, cased and lowercased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Article", "Block", "load_bank", "tokenize_lower"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BANK = HERE / "data" / "articles.txt"
SEED_ARTICLES = ROOT / "seeds" / "articles"


@dataclass(frozen=True)
class Block:
    kind: str  # "p" paragraph, "h" subheading, "ul" list
    items: tuple[str, ...]


@dataclass
class Article:
    id: str
    split: str
    section: str
    title: str | None
    author: str | None
    blocks: list[Block] = field(default_factory=list)
    form: str = "cased"  # or "lowercased_tokenized"
    #: "any": pages may show a window of the body; "whole": always the whole body (an
    #: article whose cut would leave a body line at the page's edge, where the same line
    #: is furniture: a live blog's first date heading, a source line closing a window).
    window: str = "any"


def tokenize_lower(text: str) -> str:
    """Lowercase and split off every punctuation mark, as older corpora did (``israel ' s``)."""
    return "\n".join(
        " ".join(re.findall(r"\w+|[^\w\s]", line.casefold())) for line in text.split("\n")
    )


def _parse_bank(text: str) -> list[Article]:
    articles: list[Article] = []
    current: Article | None = None
    block_lines: list[str] = []

    def flush() -> None:
        if current is None or not block_lines:
            block_lines.clear()
            return
        if all(line.startswith("* ") for line in block_lines):
            current.blocks.append(Block("ul", tuple(line[2:] for line in block_lines)))
        elif len(block_lines) == 1 and block_lines[0].startswith("## "):
            current.blocks.append(Block("h", (block_lines[0][3:],)))
        else:
            current.blocks.append(Block("p", (" ".join(block_lines),)))
        block_lines.clear()

    for line in text.splitlines():
        if line.startswith("#") and not line.startswith("## "):
            continue
        if line.startswith("@@ "):
            key, _, value = line[3:].partition(":")
            value = value.strip()
            if key == "id":
                flush()
                current = Article(id=value, split="", section="", title=None, author=None)
                articles.append(current)
            else:
                assert current is not None
                setattr(current, key.strip(), value)
            continue
        if not line.strip():
            flush()
            continue
        block_lines.append(line.strip())
    flush()
    return articles


def _paragraphs(lines: list[str]) -> list[Block]:
    """One paragraph per line, white space normalized (a clean page has no double spaces)."""
    return [Block("p", (" ".join(line.split()),)) for line in lines if line.strip()]


def _tokenized_paragraphs(text: str, per: int) -> list[Block]:
    """Split a one-line tokenized seed into paragraphs of ``per`` sentences."""
    sentences = re.split(r"(?<= [.?!]) (?=[a-z0-9\"'(])", text.strip())
    return [Block("p", (" ".join(sentences[i : i + per]),)) for i in range(0, len(sentences), per)]


def _seed_articles() -> list[Article]:
    """The seeds as bodies. The furniture removed here is what a careful reader removes."""

    def read(name: str) -> str:
        return (SEED_ARTICLES / name).read_text(encoding="utf-8")

    raw002 = read("002_a8446556a3208bd8.txt").splitlines()
    raw003 = read("003_1f538d970d95d26f.txt").splitlines()
    raw004 = read("004_85bdede9e1a8b346.txt").splitlines()
    seeds = [
        Article(
            "seed-000",
            "dev",
            "World",
            None,
            None,
            _tokenized_paragraphs(read("000_1be5c9577093f905.txt"), 5),
            form="lowercased_tokenized",
        ),
        Article(
            "seed-001",
            "test",
            "World",
            None,
            None,
            _tokenized_paragraphs(read("001_1d161241fa9d0160.txt"), 5),
            form="lowercased_tokenized",
        ),
        # 002: two widget lines at the end ("Share." and the mobile-theme switch).
        Article("seed-002", "dev", "World", None, None, _paragraphs(raw002[:-2])),
        # 003: the last four lines are truncated teasers of unrelated stories.
        Article("seed-003", "test", "World", None, None, _paragraphs(raw003[:-4])),
        # 004: title, section label, repeated title; comment and share widgets at the end.
        Article(
            "seed-004",
            "dev",
            "World",
            raw004[0].strip(),
            None,
            _paragraphs(raw004[5:-3]),
        ),
    ]
    return seeds


def load_bank() -> list[Article]:
    """Every body, in a fixed order: the written bank, then the seeds."""
    return _parse_bank(BANK.read_text(encoding="utf-8")) + _seed_articles()
