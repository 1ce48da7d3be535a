"""The card's annotators, read from the field stored beside each record, are those the
published records themselves name (each once, in the order of its first article)."""

from __future__ import annotations

from pathlib import Path

from builder.staging import ArticleFacts, SideRecord, Staging, dump_record


def _annotator(name: str, note: str | None = None) -> dict[str, object]:
    return {"kind": "human", "name": name, "note": note}


def test_card_fields_are_the_published_records_own(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "staging.sqlite")
    records = {
        "d": _annotator("bo"),
        "a": _annotator("al", "first"),
        "c": _annotator("al", "second"),  # same annotator, another note: the first kept
        "b": _annotator("cy"),  # not published: not listed
        "e": _annotator("bo"),
    }
    for i, (article_id, annotator) in enumerate(records.items()):
        record = {"article_id": article_id, "annotator": annotator, "entities": []}
        if i % 2:  # as a pool worker stores it
            blob, card = dump_record("annotation", record)
            staging.add_side_dumped("annotation", article_id, "a.jsonl", i + 1, blob, card)
        else:
            staging.add_side("annotation", SideRecord(article_id, "a.jsonl", i + 1, record))
    staging.add_side("source", SideRecord("a", "s.jsonl", 1, {"article_id": "a"}))
    staging.add_facts([ArticleFacts(i, i, i, 1, None) for i in ("a", "c", "d", "e")])

    by_records: dict[tuple[str, str], dict[str, object]] = {}
    for rec in staging.published_sides("annotation"):
        a = rec.record["annotator"]
        by_records.setdefault((a["kind"], a["name"]), a)
    fields = list(staging.published_card_fields("annotation"))
    assert fields == [_annotator("al", "first"), _annotator("al", "second"), _annotator("bo")]
    by_fields: dict[tuple[str, str], dict[str, object]] = {}
    for a in fields:
        by_fields.setdefault((a["kind"], a["name"]), a)
    assert list(by_fields.items()) == list(by_records.items())
    assert list(staging.published_card_fields("source")) == [None]  # no card field
    staging.close()
