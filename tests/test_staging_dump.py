"""A stored side record reads back as it was, from any number of threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from builder.staging import dump_record, load_columns, load_record


def _record(n: int) -> dict:
    spans = [
        {"id": f"e{n}-{i}", "start": i, "end": i + 3 + n % 5, "label": "PER"} for i in range(200)
    ]
    return {"article_id": f"a{n}", "annotator": f"ann{n % 3}", "entities": spans, "labels": []}


def test_dump_record_round_trips_from_many_threads() -> None:
    records = [_record(n) for n in range(400)]
    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(lambda r: dump_record("annotation", r), records))
    for record, (blob, card) in zip(records, stored, strict=True):
        assert load_record(blob) == record
        assert card is not None
        columns = load_columns(blob)["entities"]
        assert len(columns) == 200
