"""Annotations survive change: of the raw text (re-anchored by quote) and of the cleaning rules.

Change the raw text or a cleaning rule, rebuild, and every span either moves with its
text or is reported as an orphan; orphans fail the build unless the configuration drops
them, and the counts reach the card.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from builder.anchor import anchor_annotation
from builder.clean.pipeline import Cleaner
from builder.errors import DataError
from builder.pipeline import build
from builder.reanchor import locate, place_annotation, quote_selector

ARTICLE = "003_1f538d970d95d26f"
CAUTION = "Out of an abundance of caution"


def _span(text: str, quote: str, occurrence: int = 0, **extra: Any) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return {
        "id": "s1",
        "start": start,
        "end": start + len(quote),
        **quote_selector(text, start, start + len(quote)),
        **extra,
    }


# -- locating a span in a changed text ------------------------------------------------------
def test_a_span_at_its_position_stays() -> None:
    text = "Iran fired drones. Israel said Iran would pay."
    assert locate(text, _span(text, "Iran", 1)).method == "position"


def test_after_an_insertion_the_context_picks_the_right_occurrence() -> None:
    old = "Iran fired drones. Israel said Iran would pay. Iran denied it."
    span = _span(old, "Iran", 1)  # the second "Iran", after "said "
    new = "Breaking news. " + old.replace("Iran fired", "Tehran fired")
    loc = locate(new, span)
    assert loc is not None and loc.method == "quote"
    assert new[loc.start - 5 : loc.end] == "said Iran"
    # Without prefix and suffix, the nearest occurrence wins.
    bare = {k: v for k, v in span.items() if k not in ("prefix", "suffix")}
    loc = locate(new, bare)
    assert loc is not None and abs(loc.start - span["start"]) == min(
        abs(i - span["start"]) for i in range(len(new)) if new.startswith("Iran", i)
    )


def test_approximate_matches_are_bounded() -> None:
    old = "The minister said “we will rebuild every home that was lost” on Monday."
    span = _span(old, "we will rebuild every home that was lost")
    edited = old.replace("every home", "every house")  # 3 edits in 40 characters: within bounds
    loc = locate(edited, span)
    assert loc is not None and loc.method == "fuzzy"
    assert edited[loc.start : loc.end] == "we will rebuild every house that was lost"
    rewritten = old.replace(
        "we will rebuild every home that was lost", "homes will be rebuilt soon"
    )
    assert locate(rewritten, span) is None
    # Short quotes never match approximately: "Iraq" is not "Iran".
    assert locate("Iraq said no.", {"id": "x", "start": 0, "end": 4, "text": "Iran"}) is None


def test_orphans_fail_or_are_dropped_and_their_quotes_lose_the_speaker() -> None:
    text = "Maria Lopez said the bridge would reopen."
    ann = {
        "article_id": "a1",
        "entities": [{**_span(text, "Maria Lopez"), "id": "e1", "label": "PERSON"}],
        "quotes": [{**_span(text, "the bridge would reopen"), "id": "q1", "speaker": "e1"}],
    }
    changed = "A spokesperson said the bridge would reopen."
    failed = place_annotation(ann, changed, file="ann.jsonl", line=3)
    (error,) = [i for i in failed.issues if i.severity == "error"]
    assert (error.file, error.line, error.record, error.pointer, error.rule) == (
        "ann.jsonl",
        3,
        "a1",
        "/entities/0",
        "span-orphaned",
    )
    assert "e1" in error.message and "Maria Lopez" in error.message
    dropped = place_annotation(ann, changed, on_orphan="drop")
    assert not [i for i in dropped.issues if i.severity == "error"]
    assert dropped.record["entities"] == [] and dropped.record["quotes"][0]["speaker"] is None
    assert dropped.status == {"orphaned": 1, "dropped": 1, "speaker_dropped": 1}
    assert dropped.methods == {"q1": "quote"}
    spans = anchor_annotation(dropped.record, changed, [], placed=dropped)
    assert spans.status["moved"] == 1 and spans.status["orphaned"] == 1
    assert spans.quotes[0]["text"] == "the bridge would reopen"


def test_cleaning_that_removes_a_span_orphans_it_with_the_rule_named() -> None:
    text = "The bridge will reopen.\nRead more: Maria Lopez on the bridge\n"
    ann = {
        "article_id": "a1",
        "entities": [{**_span(text, "Maria Lopez"), "label": "PERSON"}],
        "quotes": [],
    }
    result = Cleaner.default().clean(text)
    failed = anchor_annotation(ann, result.text, result.edits)
    assert (
        failed.issues[0].rule == "span-removed"
        and "boilerplate.related_links" in failed.issues[0].message
    )
    dropped = anchor_annotation(ann, result.text, result.edits, on_removed="drop")
    assert dropped.status["orphaned"] == dropped.status["dropped"] == 1
    assert dropped.orphan_reasons == {"removed by boilerplate.related_links": 1}


# -- whole builds -----------------------------------------------------------------------------
def _rows(out: Path) -> dict[str, dict[str, Any]]:
    return {
        r["id"]: r
        for p in sorted((out / "data").glob("*.parquet"))
        for r in pq.read_table(p).to_pylist()
    }


def _config(seeds: Path, **changes: Any) -> None:
    path = seeds / "dataset.yaml"
    config = yaml.safe_load(path.read_text())
    for key, value in changes.items():
        section, _, name = key.partition("__")
        config.setdefault(section, {})[name] = value
    path.write_text(yaml.safe_dump(config, allow_unicode=True))


def _assert_spans_match(rows: dict[str, dict[str, Any]]) -> None:
    for row in rows.values():
        for span in row["entities"] + row["quotes"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]


def test_raw_text_changed_since_annotation_spans_move_with_their_text(
    seeds_copy: Path, seed_build: Path, tmp_path: Path
) -> None:
    path = seeds_copy / "articles" / f"{ARTICLE}.txt"
    raw = path.read_text(encoding="utf-8")
    # A correction at the top and a typo fixed inside a quote, after the annotation was made.
    correction = "Correction: an earlier version of this article misnamed the air base.\n"
    raw = correction + raw
    raw = raw.replace(
        "Whoever harms us, we will harm them.", "Whoever harms us, we will harm them!"
    )
    path.write_text(raw, encoding="utf-8")
    out = tmp_path / "out"
    result = build(seeds_copy, out)
    before, after = _rows(seed_build)[ARTICLE], _rows(out)[ARTICLE]
    _assert_spans_match(_rows(out))
    assert len(after["entities"]) == len(before["entities"]) and len(after["quotes"]) == len(
        before["quotes"]
    )
    # Each span found its own occurrence (not another "US"): everything shifted by the correction.
    shift = len(correction)
    assert [(e["start"] - shift, e["text"]) for e in after["entities"]] == [
        (e["start"], e["text"]) for e in before["entities"]
    ]
    assert "Whoever harms us, we will harm them!" in [q["text"] for q in after["quotes"]]
    warnings = {i.rule for i in result.report.warnings if i.record == ARTICLE}
    assert {"raw-text-changed", "span-reanchored"} <= warnings
    card = (out / "README.md").read_text()
    moved = sum(len(before[k]) for k in ("entities", "quotes"))
    assert (
        f"{moved} moved (re-anchored by their quote: {moved - 1} exactly, 1 approximately" in card
    )


def test_a_span_whose_text_is_gone_fails_the_build_unless_orphans_are_dropped(
    seeds_copy: Path, tmp_path: Path
) -> None:
    path = seeds_copy / "articles" / f"{ARTICLE}.txt"
    raw = path.read_text(encoding="utf-8")
    start = raw.index("“" + CAUTION)
    path.write_text(
        raw[:start] + raw[raw.index("\n", start) + 1 :], encoding="utf-8"
    )  # the sentence is cut
    with pytest.raises(DataError) as info:
        build(seeds_copy, tmp_path / "out")
    orphans = [i for i in info.value.report.errors if i.rule == "span-orphaned"]
    assert orphans and all(
        i.file == "annotations.jsonl" and i.record == ARTICLE and i.line for i in orphans
    )
    assert any(CAUTION in i.message and "q1" in i.message for i in orphans)
    assert not (tmp_path / "out").exists()

    _config(seeds_copy, annotations__on_orphan="drop")
    result = build(seeds_copy, tmp_path / "out")
    assert result.stats.spans["orphaned"] == result.stats.spans["dropped"] == len(orphans)
    _assert_spans_match(_rows(tmp_path / "out"))
    card = (tmp_path / "out" / "README.md").read_text()
    assert (
        f"{len(orphans)} orphaned" in card and f"not found in the raw text: {len(orphans)}" in card
    )


def test_a_new_cleaning_rule_moves_spans_or_reports_the_ones_it_removes(
    seeds_copy: Path, seed_build: Path, tmp_path: Path
) -> None:
    raw = (seeds_copy / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    line = raw.splitlines()[2]  # "The developments came as the US restricted ..." (annotated)
    (seeds_copy / "site_rules.yaml").write_text(
        "rules:\n  - name: guardian_developments\n    max_words: 100\n"
        f"    phrases: [{json.dumps(line)}]\n",
        encoding="utf-8",
    )
    _config(seeds_copy, cleaning__rules=["site_rules.yaml"])
    with pytest.raises(DataError) as info:
        build(seeds_copy, tmp_path / "out")
    removed = [i for i in info.value.report.errors if i.rule == "span-removed"]
    assert removed and all("boilerplate.guardian_developments" in i.message for i in removed)

    _config(seeds_copy, annotations__on_removed_span="drop")
    build(seeds_copy, tmp_path / "out")
    before, after = _rows(seed_build)[ARTICLE], _rows(tmp_path / "out")[ARTICLE]
    assert line not in after["text"]
    # The spans after the removed line moved with their text; only the removed line's went.
    assert len(before["entities"]) - len(after["entities"]) == len(removed)
    assert [e["text"] for e in after["entities"]] == [
        e["text"]
        for e in before["entities"]
        if e["text"]
        and (
            e["start"] < before["text"].index(line)
            or e["start"] >= before["text"].index(line) + len(line)
        )
    ]
    _assert_spans_match(_rows(tmp_path / "out"))
    card = (tmp_path / "out" / "README.md").read_text()
    assert (
        f"boilerplate.guardian\\_developments: {len(removed)}" in card
        or f"boilerplate.guardian_developments: {len(removed)}" in card
    )


# -- which records are re-anchored -------------------------------------------------------
def _entity(seeds: Path, change: Any) -> dict[str, Any]:
    """Apply ``change`` to the first entity of ARTICLE's annotation record; return it."""
    path = seeds / "annotations.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    record = next(r for r in records if r["article_id"] == ARTICLE)
    change(record)
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return record


def test_offsets_made_on_this_raw_text_are_checked_as_given_not_repaired(
    seeds_copy: Path, tmp_path: Path
) -> None:
    """A record whose text_sha256 is the current raw text: a wrong span is an error,
    even when its quote could be found elsewhere (no silent move onto another mention)."""
    raw = (seeds_copy / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")

    def misplace(record: dict[str, Any]) -> None:
        first = record["entities"][0]
        first["start"], first["end"] = len(raw) + 10, len(raw) + 10 + len(first["text"])

    record = _entity(seeds_copy, misplace)
    assert record["entities"][0]["text"] in raw  # findable, but not re-anchored
    with pytest.raises(DataError) as info:
        build(seeds_copy, tmp_path / "out")
    errors = [(i.record, i.pointer, i.rule) for i in info.value.report.errors]
    assert errors == [(ARTICLE, "/entities/0/end", "span-bounds")]
    assert not [i for i in info.value.report.warnings if i.rule == "raw-text-changed"]


def test_records_without_text_sha256_are_re_anchored_only_when_configured(
    seeds_copy: Path, tmp_path: Path
) -> None:
    path = seeds_copy / "articles" / f"{ARTICLE}.txt"
    path.write_text("Updated 12:00.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _entity(seeds_copy, lambda r: r.pop("text_sha256"))
    with pytest.raises(DataError) as info:
        build(seeds_copy, tmp_path / "out")
    assert {i.rule for i in info.value.report.errors} == {"span-text"}
    _config(seeds_copy, annotations__reanchor="always")
    result = build(seeds_copy, tmp_path / "out")
    assert result.stats.spans["moved"] > 0 and not result.stats.spans["orphaned"]
    _assert_spans_match(_rows(tmp_path / "out"))
    _config(seeds_copy, annotations__reanchor="never")
    _entity(seeds_copy, lambda r: r.update(text_sha256="0" * 64))
    with pytest.raises(DataError):
        build(seeds_copy, tmp_path / "out")


def test_a_quote_at_its_old_position_yields_to_a_copy_with_its_context() -> None:
    # The title was printed twice; the annotator saw only the second copy, in context.
    seen = "Talks resume\nTalks resume in Vienna on Monday."
    span = _span(seen, "Talks resume", 1)
    moved = "Talks resume in Vienna on Monday."
    loc = locate("Talks resume\n" + moved, {**span, "start": 0, "end": 12})
    assert loc is not None and (loc.start, loc.method) == (13, "quote")
