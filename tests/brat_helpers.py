"""Write native annotation records as a brat standoff collection, the way brat stores them.

brat (https://brat.nlplab.org/standoff.html) keeps ``DOC.txt`` and ``DOC.ann`` side by
side; a ``T`` line is ``ID<TAB>TYPE START END<TAB>TEXT``; an annotation that crosses a
line break is stored as fragments split at the break (``START END;START END``) with the
fragments' texts joined by a space; relations are ``ID<TAB>TYPE Arg1:ID Arg2:ID``, and
attributes ``ID<TAB>NAME TARGET VALUE``. Document labels ride on a ``Document`` span
over the first word (the workaround the brat maintainers suggest, nlplab/brat#1370).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """brat's fragments of [start, end): split at line breaks, white space trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        piece = m.group()
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        s, e = start + m.start() + lead, start + m.end() - trail
        if s < e:
            out.append((s, e))
    return out


def ann_lines(record: dict[str, Any], text: str, *, speaker: str = "Speaker") -> list[str]:
    """The ``.ann`` lines of one native record."""
    lines: list[str] = []
    tid: dict[str, str] = {}
    for n, span in enumerate(record["entities"] + record["quotes"], start=1):
        kind = span.get("label", "Quote")
        frags = fragments(text, span["start"], span["end"])
        offsets = ";".join(f"{s} {e}" for s, e in frags)
        column = " ".join(text[s:e] for s, e in frags)
        tid[span["id"]] = f"T{n}"
        lines.append(f"T{n}\t{kind} {offsets}\t{column}")
    relation = 0
    for quote in record["quotes"]:
        if quote.get("speaker"):
            relation += 1
            lines.append(
                f"R{relation}\t{speaker} Arg1:{tid[quote['id']]} Arg2:{tid[quote['speaker']]}"
            )
    if record.get("labels"):
        first = re.search(r"\S+", text)
        assert first is not None
        lines.append(f"T0\tDocument {first.start()} {first.end()}\t{first.group()}")
        for n, (name, value) in enumerate(sorted(record["labels"].items()), start=1):
            lines.append(f"A{n}\t{name} T0 {value}")
    return lines


def seeds_to_brat(seeds: Path, folder: Path, *, with_text: bool = True) -> int:
    """Write the seeds' native annotations as a brat collection; returns the number of spans."""
    folder.mkdir(parents=True, exist_ok=True)
    spans = 0
    for line in (seeds / "annotations.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        article = seeds / "articles" / f"{record['article_id']}.txt"
        with article.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        body = "".join(f"{x}\n" for x in ann_lines(record, text))
        (folder / f"{record['article_id']}.ann").write_text(body, encoding="utf-8", newline="")
        if with_text:
            (folder / article.name).write_bytes(article.read_bytes())
        spans += len(record["entities"]) + len(record["quotes"])
    return spans
