"""A small, valid, generated input corpus that tests break one piece at a time.

The seeds are real articles and stay read-only; these corpora are synthetic so a
test can hold thousands of articles, or exactly the one bad byte it is about,
and still know precisely what a correct build must contain.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

WORDS = [
    "ministry",
    "officials",
    "said",
    "talks",
    "would",
    "continue",
    "after",
    "the",
    "ceasefire",
    "proposal",
    "was",
    "rejected",
    "by",
    "regional",
    "leaders",
    "who",
    "met",
    "in",
    "the",
    "capital",
    "on",
    "tuesday",
    "while",
    "analysts",
    "warned",
    "that",
    "markets",
    "remained",
    "volatile",
    "as",
    "oil",
    "prices",
    "rose",
    "sharply",
    "amid",
    "reports",
    "of",
    "new",
    "sanctions",
    "against",
    "several",
    "companies",
    "accused",
    "of",
    "supplying",
    "drones",
    "and",
    "missiles",
    "to",
    "armed",
    "groups",
    "across",
    "the",
    "border",
]

BASE_CONFIG: dict[str, Any] = {
    "name": "generated-news",
    "pretty_name": "Generated News",
    "description": "A generated corpus for tests.",
    "version": "1.0.0",
    "license": "cc-by-4.0",
    "language": ["en"],
    "inputs": {
        "articles": "articles",
        "sources": "sources.jsonl",
        "annotations": [{"path": "annotations.jsonl", "format": "native"}],
    },
    "labels": {
        "entity": ["PERSON", "ORG", "GPE"],
        "genre": ["news_report", "analysis"],
        "text_form": ["cased", "lowercased_tokenized"],
    },
    "splits": {
        "ratios": {"train": 0.8, "test": 0.2},
        "group_by": "id",
        "near_duplicates": False,
        "salt": "tests",
    },
    "output": {"batch_size": 64},
    "publish": {},
}


def article_id(i: int) -> str:
    return f"art-{i:06d}"


def article_text(i: int, *, sentences: int = 4) -> str:
    """A distinct, plain, cased text whose first word is the entity ``Reuters``."""
    rng = random.Random(i)
    body = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
        body.append(" ".join(words).capitalize() + ".")
    return f"Reuters reported story {i}.\n\n" + " ".join(body) + "\n"


def source_record(aid: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "article_id": aid,
        "publisher": "Example Wire" if not aid.endswith(("1", "3")) else "Other Daily",
        "publisher_confidence": "high",
        "headline": f"Headline of {aid}",
        "author": None,
        "url": f"https://news.example.org/{aid}",
        "published": {"earliest": "2024-04-15", "latest": "2024-04-15", "note": None},
        "captured": {"earliest": None, "latest": None, "note": None},
        "language": "en",
        "rights": {
            "statement": "Generated text for tests.",
            "license": "CC-BY-4.0",
            "redistribution": "allowed",
            "publish_full_text": True,
        },
        "obtained": {"method": "donation", "note": None},
    }
    record.update(changes)
    return record


def annotation_record(aid: str, text: str, **changes: Any) -> dict[str, Any]:
    start = text.index("Reuters")
    record: dict[str, Any] = {
        "article_id": aid,
        "annotator": {"kind": "rule", "name": "test-rules", "note": None},
        "entities": [
            {"id": "e1", "start": start, "end": start + 7, "text": "Reuters", "label": "ORG"}
        ],
        "quotes": [],
        "labels": {"genre": "news_report"},
    }
    record.update(changes)
    return record


def write_jsonl(path: Path, records: list[Any]) -> None:
    """One JSON value per line; a ``str`` or ``bytes`` item is written as the raw line it is."""
    with path.open("wb") as handle:
        for r in records:
            if isinstance(r, bytes):
                line = r
            elif isinstance(r, str):
                line = r.encode("utf-8")
            else:
                line = json.dumps(r, ensure_ascii=False).encode("utf-8")
            handle.write(line + b"\n")


FIFO = b"<a named pipe>"
LOOP = b"<a symlink to itself>"


def _as_bytes(line: str | bytes) -> bytes:
    return line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


@dataclass
class Corpus:
    """A generated input folder and the records it was made from."""

    root: Path
    config: dict[str, Any]
    texts: dict[str, str] = field(default_factory=dict)
    sources: list[Any] = field(default_factory=list)
    annotations: list[Any] = field(default_factory=list)
    #: Raw files written last, by path relative to ``root``: bytes, ``None`` to
    #: delete, or the markers FIFO (a named pipe) and LOOP (a symlink to itself).
    files: dict[str, bytes | None] = field(default_factory=dict)

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def ids(self) -> list[str]:
        return sorted(self.texts)

    def write(self) -> Corpus:
        self.articles.mkdir(parents=True, exist_ok=True)
        (self.root / "dataset.yaml").write_text(
            yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        for aid, text in self.texts.items():
            (self.articles / f"{aid}.txt").write_bytes(text.encode("utf-8"))
        write_jsonl(self.root / "sources.jsonl", self.sources)
        write_jsonl(self.root / "annotations.jsonl", self.annotations)
        for rel, data in self.files.items():
            path = self.root / rel
            if data is FIFO:
                os.mkfifo(path)
            elif data is LOOP:
                os.symlink(path.name, path)
            elif data is None:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        return self

    def write_config(self) -> None:
        (self.root / "dataset.yaml").write_text(
            yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )

    def lines_of(self, file: str, aid: str) -> list[int]:
        """1-based lines of ``aid``'s records in ``sources.jsonl`` or ``annotations.jsonl``."""
        records = self.sources if file == "sources.jsonl" else self.annotations
        return [
            number
            for number, rec in enumerate(records, start=1)
            if (isinstance(rec, dict) and rec.get("article_id") == aid)
            or (isinstance(rec, str | bytes) and f'"{aid}"'.encode() in _as_bytes(rec))
        ]

    def line_of(self, file: str, aid: str) -> int:
        return self.lines_of(file, aid)[0]

    def source(self, aid: str) -> dict[str, Any]:
        return self.sources[self.line_of("sources.jsonl", aid) - 1]

    def annotation(self, aid: str) -> dict[str, Any]:
        return self.annotations[self.line_of("annotations.jsonl", aid) - 1]


def make_corpus(
    root: Path,
    n: int = 4,
    *,
    text: Callable[[int], str] = article_text,
    config: Mapping[str, Any] | None = None,
    write: bool = True,
) -> Corpus:
    """``n`` valid articles with sources and one annotated entity each."""
    cfg = json.loads(json.dumps(BASE_CONFIG))
    for key, value in (config or {}).items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    corpus = Corpus(root=root, config=cfg)
    for i in range(n):
        aid = article_id(i)
        corpus.texts[aid] = text(i)
        corpus.sources.append(source_record(aid))
        corpus.annotations.append(annotation_record(aid, corpus.texts[aid]))
    return corpus.write() if write else corpus


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (its path inside it) -> its sha256: two builds
    compared byte for byte."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
