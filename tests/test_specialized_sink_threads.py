"""One specialised predicate, checked from several threads at once, hands each
caller the columns of its own record only (:func:`collecting_columns`)."""

from __future__ import annotations

import copy
import json
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from builder.jsonl import MAX_JSON_DEPTH
from builder.validate.schemas import SchemaStore
from builder.validate.specialized import collecting_columns

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
THREADS = 4
RECORDS = 300  # a thread's share


def _records(thread: int) -> list[dict[str, Any]]:
    """Distinct annotation records whose spans have exactly the required keys (so
    the check leaves their columns), ids and offsets telling the thread apart."""
    seed = json.loads((SEEDS / "annotations.jsonl").read_text(encoding="utf-8").splitlines()[0])
    out = []
    for n in range(RECORDS):
        record = copy.deepcopy(seed)
        record["article_id"] = f"t{thread}-{n}"
        for kind in ("entities", "quotes"):
            record[kind] = [
                {k: v for k, v in s.items() if k not in ("prefix", "suffix")} for s in record[kind]
            ]
        for i, span in enumerate(record["entities"]):
            span["id"] = f"t{thread}e{n}x{i}"
        out.append(record)
    return out


@contextmanager
def _switching_often() -> Iterator[None]:
    """Threads switch every microsecond: a shared sink shows within a few records."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_each_thread_gets_the_columns_of_its_own_records() -> None:
    accept = SchemaStore.default().accepting("annotation", MAX_JSON_DEPTH)
    assert accept is not None
    shares = [_records(t) for t in range(THREADS)]
    start = threading.Barrier(THREADS)

    def run(thread: int) -> list[str]:
        """What went wrong in this thread (nothing, when each sink is its own)."""
        sink: dict[int, Any] = {}
        collect = collecting_columns(accept, sink)
        wrong = []
        start.wait()
        for record in shares[thread]:
            if not collect(record):
                wrong.append(f"{record['article_id']}: rejected")
                continue
            entities = record["entities"]
            mine = {id(record[k]) for k in ("entities", "quotes")}
            if id(entities) not in sink or not set(sink) <= mine:
                wrong.append(f"{record['article_id']}: the sink holds other lists than its own")
                continue
            keys, columns = sink[id(entities)]
            if [list(c) for c in columns] != [[s[k] for s in entities] for k in keys]:
                wrong.append(f"{record['article_id']}: another record's columns")
        return wrong

    with _switching_often(), ThreadPoolExecutor(THREADS) as pool:
        found = list(pool.map(run, range(THREADS)))
    assert found == [[]] * THREADS
    # the predicate, when called bare, leaves nothing anywhere
    sink: dict[int, Any] = {}
    record = shares[0][0]
    assert accept(record)
    assert collecting_columns(accept, sink)(record) and id(record["entities"]) in sink
    sink.clear()
    assert accept(record) and not sink
