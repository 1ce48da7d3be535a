"""Row validation on one core: the per-row path against the table path.

    .venv/bin/python bench/bench_validate.py --build out/dataset --config corpus/dataset.yaml
    .venv/bin/python bench/bench_validate.py --build /tmp/b --config /tmp/c/dataset.yaml -n 10000

The rows are those of a build (its Parquet shards, read back into the dicts the
build validates: label names, ISO dates), the first ``-n``. Each round runs,
interleaved (A B C ...), on the same rows, in this process (one core):

* ``per-row``: :func:`row_issues` on every row (the build before the table path);
* ``encode``: :meth:`RowCodec.to_table` over batches of ``--batch`` rows, which
  the build does anyway;
* ``encode+check``: the same with the audit, the table checks
  (:class:`TableCheck`) and the per-row path on the flagged and sampled rows.

``table path`` is its share: rows / (``encode+check`` - ``encode``) per round.
Each with the build's cross-check sample (the reference ``jsonschema`` on the
rows :func:`builder.validate.schemas.cross_checked` picks: the first few, then one
in ``CROSS_CHECK_EVERY``) and, apart, without it. Figures are rows per CPU
second (``time.process_time``): median, min, max over the rounds.
``--spans columns`` (the default) gives the table path each row's entities,
quotes and edits as :class:`SpanColumns`, as the build's rows carry them
(``builder.rows.build_row``); ``--spans dicts`` as lists of dicts (the bench
before spans became columns). The per-row path always gets the dicts.
(After the bench of branch ``s17-colval``.)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.config import load_config  # noqa: E402
from builder.features import RowCodec  # noqa: E402
from builder.span_columns import SpanColumns  # noqa: E402
from builder.validate.rows import row_issues, table_row_issues  # noqa: E402
from builder.validate.schemas import SchemaStore, cross_checked  # noqa: E402
from builder.validate.table import TableCheck  # noqa: E402


def _decoder(node: Mapping[str, Any], sets: Mapping[str, list[str]]) -> Callable[[Any], Any]:
    """Parquet value -> the row value the build validates (the codec's inverse)."""
    if "x-class-label" in node:
        names = sets[node["x-class-label"]]
        return lambda v: None if v is None else names[v]
    if node.get("x-dtype") == "date32":
        return lambda v: None if v is None else v.isoformat()
    props = node.get("properties")
    if props:
        children = {k: _decoder(c, sets) for k, c in props.items()}
        return lambda v: None if v is None else {k: f(v.get(k)) for k, f in children.items()}
    if "items" in node:
        item = _decoder(node["items"], sets)
        return lambda v: None if v is None else [item(x) for x in v]
    return lambda v: v


def load_rows(build: Path, schema: Mapping[str, Any], sets: Mapping[str, list[str]], n: int):
    decode = _decoder(schema, sets)
    rows: list[dict[str, Any]] = []
    for path in sorted((build / "data").glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            rows += [decode(r) for r in batch.to_pylist()]
            if len(rows) >= n:
                return rows[:n]
    return rows


def as_columns(row: dict[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with each list of span objects as :class:`SpanColumns`, one list per
    key of the schema's items, as ``build_row`` makes them."""
    out = dict(row)
    for key, node in schema["properties"].items():
        items = node.get("items", {})
        if "properties" in items and isinstance(row.get(key), list):
            keys = list(items["properties"])
            out[key] = SpanColumns({k: [s[k] for s in row[key]] for k in keys}, len(row[key]))
    return out


def _cross(i: int) -> bool:
    return cross_checked(i)  # as the build samples them


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="a build's dataset folder")
    parser.add_argument("--config", type=Path, required=True, help="its dataset.yaml")
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument(
        "--spans", choices=("columns", "dicts"), default="columns", help="as the build: columns"
    )
    parser.add_argument(
        "--gc",
        choices=("off", "on"),
        default="off",
        help="the cycle collector while a side runs: off, as the build's batches run",
    )
    args = parser.parse_args()

    config = load_config(args.config)
    sets = {k: config.label_set(k) for k in ("entity", "genre", "text_form")}
    store = SchemaStore.default()
    rows = load_rows(args.build, store.schemas["row"], sets, args.n)
    files = [f"{r['id']}.txt" for r in rows]
    plain = rows  # the per-row path's (and the reference's) form
    if args.spans == "columns":
        rows = [as_columns(r, store.schemas["row"]) for r in plain]
    codec = RowCodec(store.schemas["row"], sets)
    check = TableCheck(codec)
    spans = sum(len(r["entities"]) + len(r["quotes"]) for r in rows) / len(rows)
    print(f"{len(rows)} rows, {spans:.0f} spans a row ({args.spans}); batches of {args.batch}")

    def per_row(cross: bool) -> list[Any]:
        return [
            row_issues(store, r, sets, file=f, cross_check=cross and _cross(i))
            for i, (r, f) in enumerate(zip(plain, files, strict=True))
        ]

    batches = [
        (
            rows[s : s + args.batch],
            files[s : s + args.batch],
            range(s, min(s + args.batch, len(rows))),
        )
        for s in range(0, len(rows), args.batch)
    ]
    # which rows the reference re-checks: decided by the build per article, not timed here
    sampled = [[_cross(i) for i in part] for _, _, part in batches]
    unsampled = [[False] * len(part) for _, _, part in batches]

    def encode() -> None:
        for part, _, _ in batches:
            codec.to_table(part)

    def table(cross: bool) -> list[Any]:
        out: list[Any] = []
        for (part, names, _), flags in zip(batches, sampled if cross else unsampled, strict=True):
            found, _ = table_row_issues(check, store, part, names, cross_check=flags)
            out += found
        return out

    def paired(cross: bool) -> tuple[float, float]:
        """CPU seconds of ``encode`` and of ``encode+check``, each summed over the
        batches, the two run on one batch after the other (which first alternates)."""
        spent = [0.0, 0.0]
        for k, ((part, names, _), flags) in enumerate(
            zip(batches, sampled if cross else unsampled, strict=True)
        ):
            for side in (0, 1) if k % 2 == 0 else (1, 0):
                start = time.process_time()
                if side == 0:
                    codec.to_table(part)
                else:
                    table_row_issues(check, store, part, names, cross_check=flags)
                spent[side] += time.process_time() - start
        return spent[0], spent[1]

    assert per_row(True) == table(True), "the two paths disagree"
    flagged = sum(
        len(check.suspects(rows[s : s + args.batch])[0]) for s in range(0, len(rows), args.batch)
    )
    print(f"rows the table path flags (before the cross-check sample): {flagged}")
    sides = {
        "per-row, sampled cross-check": lambda: per_row(True),
        "encode (to_table, done anyway)": encode,
        "encode+table check, sampled cross-check": lambda: table(True),
        "per-row, no cross-check": lambda: per_row(False),
        "encode+table check, no cross-check": lambda: table(False),
    }
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    shares: dict[str, list[float]] = {"sampled cross-check": [], "no cross-check": []}
    # The rows (millions of objects) are loaded for good: out of the collector's
    # generations, so that a collection, when one runs, does not walk them all.
    gc.collect()
    gc.freeze()

    @contextmanager
    def collector() -> Iterator[None]:
        gc.collect()  # each side starts with no garbage of the one before
        if args.gc == "off":
            gc.disable()
        try:
            yield
        finally:
            gc.enable()

    for rep in range(args.reps):
        for name, run in sides.items():
            with collector():
                start = time.process_time()
                run()
                seconds[name].append(time.process_time() - start)
        for cross, flag in (("sampled cross-check", True), ("no cross-check", False)):
            with collector():
                encode_seconds, both_seconds = paired(flag)
            shares[cross].append(both_seconds - encode_seconds)
        print(
            f"round {rep + 1}: "
            + ", ".join(f"{n} {len(rows) / t[-1]:,.0f}" for n, t in seconds.items())
        )
    enc = seconds["encode (to_table, done anyway)"]
    for cross in ("sampled cross-check", "no cross-check"):
        both = seconds[f"encode+table check, {cross}"]
        seconds[f"table path (its share), {cross}"] = [
            b - e for b, e in zip(both, enc, strict=True)
        ]
    for cross, spent in shares.items():
        seconds[f"table path (its share, paired by batch), {cross}"] = spent
    print("\n| path | rows/s (CPU) median | min | max |\n|---|---:|---:|---:|")
    for name, t in seconds.items():
        r = [len(rows) / x for x in t]
        print(f"| {name} | {statistics.median(r):,.0f} | {min(r):,.0f} | {max(r):,.0f} |")


if __name__ == "__main__":
    main()
