"""``cleaning.publisher_repetition`` in real builds: a line one publisher prints on
most of its pages goes, the articles' own lines stay, the edit log still gives
back the raw text, and the number of workers changes no byte."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from corpus_helpers import WORDS, Corpus, make_corpus, source_record

from builder.clean.edits import rebuild_raw
from builder.pipeline import build

COURIER = "Example Courier"
OTHER = "Other Daily"
#: A slogan no built-in boilerplate rule knows (checked below with rules alone).
SLOGAN = "The Example Courier: news you can trust since 1887"
#: A real sentence two Courier stories share (a quote both cite): not furniture.
SHARED = "The harbour master said the ferry would not sail again before the spring thaw."
COURIER_IDS = range(6)  # articles 0-5; 6 and 7 are Other Daily's
RULE = "repetition.publisher_line"


def _paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(3):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 14))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def _text(i: int) -> str:
    rng = random.Random(i)
    lines = [f"Reuters reported story {i}.", "", _paragraph(rng)]
    if i in COURIER_IDS or i == 6:  # Other Daily quotes the slogan once
        lines.append(SLOGAN)
    if i in (0, 1):
        lines.append(SHARED)
    lines += [_paragraph(rng), ""]
    return "\n".join(lines)


def _corpus(root: Path, **repetition: Any) -> Corpus:
    corpus = make_corpus(
        root,
        8,
        text=_text,
        config={
            "cleaning": {"publisher_repetition": repetition},
            "output": {"batch_size": 2},  # several batches, so --workers 2 uses a pool
        },
        write=False,
    )
    corpus.sources = [
        source_record(aid, publisher=COURIER if i in COURIER_IDS else OTHER)
        for i, aid in enumerate(corpus.ids)
    ]
    return corpus.write()


def _rows(out: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in sorted((out / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


def _files(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built_on(tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, Path]:
    root = tmp_path_factory.mktemp("repetition-on")
    corpus = _corpus(root / "inputs", enabled=True)
    out = root / "dataset"
    build(corpus.root, out)
    return corpus, out


def test_the_slogan_is_not_a_boilerplate_rule(run_cli: Any, tmp_path: Path) -> None:
    """Without the pre-pass nothing removes the slogan: the test is about repetition."""
    page = tmp_path / "page.txt"
    page.write_text(_text(0), encoding="utf-8")
    result = run_cli("clean", str(page))
    assert result.code == 0, result.stderr
    assert SLOGAN in result.stdout


def test_a_line_repeated_across_a_publishers_documents_is_removed(
    built_on: tuple[Corpus, Path],
) -> None:
    corpus, out = built_on
    rows = _rows(out)
    assert sorted(rows) == corpus.ids
    for i, aid in enumerate(corpus.ids):
        row = rows[aid]
        if i in COURIER_IDS:
            assert SLOGAN not in row["text"]
            removed = [e for e in row["edits"] if SLOGAN in e["original"]]
            assert len(removed) == 1 and RULE in removed[0]["reason"].split("+")
        else:  # one Other Daily page quotes it: not that publisher's furniture
            assert (SLOGAN in row["text"]) == (i == 6)
            assert not any(RULE in e["reason"] for e in row["edits"])
        if i in (0, 1):
            assert SHARED in row["text"]  # in two documents: below min_documents
        assert f"Reuters reported story {i}." in row["text"]


def test_the_raw_text_still_rebuilds_from_the_edit_log(built_on: tuple[Corpus, Path]) -> None:
    corpus, out = built_on
    for aid, row in _rows(out).items():
        raw = rebuild_raw(row["text"], row["edits"])
        assert raw == corpus.texts[aid]
        assert hashlib.sha256(raw.encode("utf-8")).hexdigest() == row["raw_sha256"]


def test_report_and_card_count_the_removals(built_on: tuple[Corpus, Path]) -> None:
    _, out = built_on
    cleaning = json.loads((out / "build_report.json").read_text())["stats"]["cleaning"]
    assert cleaning["rules"][RULE]["edits"] == len(COURIER_IDS)
    assert cleaning["edits_per_source"][COURIER][RULE] == len(COURIER_IDS)
    assert RULE not in cleaning["edits_per_source"][OTHER]
    assert cleaning["chars_per_source"][COURIER][RULE] == len(COURIER_IDS) * (len(SLOGAN) + 1)
    card = (out / "README.md").read_text()
    # the steps, in the order they ran
    assert "footer, repetition, tail_copy, tail_model, whitespace" in card
    assert RULE in card


@pytest.mark.parametrize(
    "options",
    [{"enabled": False}, {"enabled": True, "min_documents": 7}],
    ids=["off", "min-documents-above-the-count"],
)
def test_the_line_stays_when_the_option_does_not_apply(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    corpus = _corpus(tmp_path / "inputs", **options)
    out = tmp_path / "dataset"
    build(corpus.root, out)
    rows = _rows(out)
    for i in COURIER_IDS:
        row = rows[corpus.ids[i]]
        assert SLOGAN in row["text"]
        assert not any(RULE in e["reason"] for e in row["edits"])
    report = json.loads((out / "build_report.json").read_text())["stats"]["cleaning"]
    assert RULE not in report["rules"]


def test_two_workers_build_the_same_bytes(built_on: tuple[Corpus, Path], tmp_path: Path) -> None:
    corpus, out = built_on
    again = tmp_path / "again"
    build(corpus.root, again, workers=2)
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    for rel in first:
        assert first[rel] == second[rel], f"{rel} differs between --workers 1 and --workers 2"
    assert SLOGAN not in _rows(again)[corpus.ids[0]]["text"]
