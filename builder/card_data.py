"""The card's view of the data itself: an example row, lengths, dates, labels, pictures, capped tables.

Everything here is read back from the Parquet files the build wrote, column by
column, one record batch at a time: the counters stay small, and the lengths
are kept as two int32 per article (80 MB for ten million articles), which the
medians need. :func:`reader_sections` writes the plots and the full
per-publisher tables under ``assets/`` and returns the card's context entries
for them, plain data only (dicts, lists, strings, numbers).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .card import BIDI_CONTROLS
from .card_plotter import ASSETS_DIR, PLOT_FILES, PlotData, draw_plots, write_plots

__all__ = [
    "ASSETS_DIR",
    "TABLE_CAP",
    "DataScan",
    "cap_rows",
    "example_row",
    "length_stats",
    "plot_data",
    "reader_sections",
    "supported_tasks",
]

TABLE_CAP = 20
"""Per-publisher tables in the card show this many rows; the rest is in a linked file."""
_TEXT_PREVIEW = 400
_STRING_PREVIEW = 120
_LIST_PREVIEW = 3
#: Rows decoded at a time while looking for the card's example row: the first rows
#: mostly qualify, and a small read decodes a page or so of each column where a read
#: of 8,192 rows decoded the whole split's text (0.1 CPU s of the build's tail on 5k
#: articles); a split with no such row costs a few more calls, as many rows.
_SCAN_ROWS = 256

# What each Hub task the card's metadata names means for this dataset's fields.
_TASK_FIELDS: dict[str, tuple[list[str], str]] = {
    "token-classification": (["entities"], "character spans over text, a ClassLabel each"),
    "named-entity-recognition": (
        ["entities[].start", "entities[].end", "entities[].label"],
        "examples/train_ner.py turns them into token-level BIO tags and trains a tagger",
    ),
    "text-classification": (["genre", "text_form"], "one ClassLabel per article"),
    "multi-class-classification": (["genre", "text_form"], "one ClassLabel per article"),
    "topic-classification": (["genre"], "one ClassLabel per article"),
    "text-generation": (["text"], "cleaned article text"),
    "summarization": (["text", "source.headline"], "article text and its headline"),
}


@dataclass
class SplitScan:
    """What one split holds, as counted from its Parquet files."""

    chars: list[np.ndarray] = field(default_factory=list)
    words: list[np.ndarray] = field(default_factory=list)
    withheld: int = 0
    labels: Counter[int] = field(default_factory=Counter)

    def lengths(self, measure: str) -> np.ndarray:
        parts = self.chars if measure == "chars" else self.words
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


@dataclass
class DataScan:
    """Per-split lengths and label counts, and publication dates over all splits."""

    splits: dict[str, SplitScan]
    dates: Counter[dt.date]
    undated: int


def _shards(data_dir: Path, split: str) -> list[Path]:
    return sorted(data_dir.glob(f"{split}-*.parquet"))


def _batches(path: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    with pq.ParquetFile(path) as parquet:
        yield from parquet.iter_batches(batch_size=_SCAN_ROWS, columns=columns)


#: (chars, words, day, pickled {label: count}) of one row, as the batches took them
Figures = tuple[int | None, int | None, int | None, bytes | None]
_EPOCH = dt.date(1970, 1, 1)


def scan_figures(figures: Callable[[str], Iterable[Figures]], splits: Sequence[str]) -> DataScan:
    """Per split: text lengths, withheld texts, publication days and entity label
    counts, from the figures each batch took of its rows
    (:func:`builder.row_figures.card_figures`, staged per article): no Parquet read back."""
    scan = DataScan(splits={}, dates=Counter(), undated=0)
    for split in splits:
        facts = scan.splits.setdefault(split, SplitScan())
        chars: list[int] = []
        words: list[int] = []
        for n_chars, n_words, day, labels in figures(split):
            if n_chars is None:
                facts.withheld += 1
            else:
                chars.append(n_chars)
                words.append(n_words or 0)
            if day is None:
                scan.undated += 1
            else:
                scan.dates[_EPOCH + dt.timedelta(days=day)] += 1
            if labels is not None:
                facts.labels.update(pickle.loads(labels))
        if chars:
            facts.chars.append(np.array(chars, dtype=np.int32))
            facts.words.append(np.array(words, dtype=np.int32))
    return scan


def length_stats(scan: DataScan) -> list[dict[str, Any]]:
    """Per split: articles with text, withheld texts, min/median/max of characters and words."""
    rows: list[dict[str, Any]] = []
    for name, facts in scan.splits.items():
        row: dict[str, Any] = {"split": name, "articles": 0, "withheld": facts.withheld}
        for measure in ("chars", "words"):
            values = facts.lengths(measure)
            row["articles"] = len(values)
            if len(values):
                median = float(np.median(values))
                row[measure] = {
                    "min": int(values.min()),
                    # 916, or 916.5 between two middle values: never "916.0".
                    "median": int(median) if median.is_integer() else median,
                    "max": int(values.max()),
                }
            else:
                row[measure] = None
        rows.append(row)
    return rows


def _preview(value: Any, limit: int, notes: list[dict[str, Any]], where: str) -> Any:
    """``value`` with long strings and lists shortened; each cut is noted."""
    if isinstance(value, str) and len(value) > limit:
        notes.append({"field": where, "shown": limit, "total": len(value), "unit": "characters"})
        return value[:limit] + "…"
    if isinstance(value, list):
        shown = [
            _preview(v, _STRING_PREVIEW, notes, f"{where}[{i}]")
            for i, v in enumerate(value[:_LIST_PREVIEW])
        ]
        if len(value) > _LIST_PREVIEW:
            notes.append(
                {"field": where, "shown": _LIST_PREVIEW, "total": len(value), "unit": "items"}
            )
        return shown
    if isinstance(value, dict):
        return {k: _preview(v, _STRING_PREVIEW, notes, f"{where}.{k}") for k, v in value.items()}
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _read_row(path: Path, index: int) -> dict[str, Any]:
    """Row ``index`` of a shard, its row group decoded only up to that row (the whole
    group was decoded for it, every column: 0.14 CPU s of the build's tail on 5k
    articles, for a row that is mostly the first)."""
    with pq.ParquetFile(path) as parquet:
        skipped = 0
        for group in range(parquet.num_row_groups):
            rows = parquet.metadata.row_group(group).num_rows
            if index < skipped + rows:
                at = index - skipped
                for batch in parquet.iter_batches(batch_size=at + 1, row_groups=[group]):
                    if at < batch.num_rows:
                        return batch.slice(at, 1).to_pylist()[0]
                    at -= batch.num_rows
            skipped += rows
    return {}


def example_row(data_dir: Path, split: str) -> dict[str, Any] | None:
    """The first row (in id order) of ``split`` with a text and an entity, else its first row.

    Deterministic: the same build always shows the same article. Long strings and
    lists are shortened for the card, and the cuts are listed in ``notes``.
    """
    first: tuple[Path, int] | None = None
    chosen: tuple[Path, int] | None = None
    for path in _shards(data_dir, split):
        offset = 0
        for batch in _batches(path, ["text", "entities"]):
            if first is None and batch.num_rows:
                first = (path, offset)
            usable = pc.and_(
                pc.is_valid(batch.column("text")),
                pc.greater(pc.fill_null(pc.list_value_length(batch.column("entities")), 0), 0),
            )
            hits = np.flatnonzero(usable.to_numpy(zero_copy_only=False))
            if len(hits):
                chosen = (path, offset + int(hits[0]))
                break
            offset += batch.num_rows
        if chosen:
            break
    chosen = chosen or first
    if chosen is None:
        return None
    row = _read_row(*chosen)
    notes: list[dict[str, Any]] = []
    shown = {
        key: _preview(value, _TEXT_PREVIEW if key == "text" else _STRING_PREVIEW, notes, key)
        for key, value in row.items()
    }
    text = json.dumps(shown, indent=2, ensure_ascii=False, default=_json_default)
    # HTML-safe JSON: the same values, but no tag can appear in the card, even in a code block.
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    # and no bidirectional control that would reorder the lines shown (the same value)
    text = BIDI_CONTROLS.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return {
        "split": split,
        "id": row["id"],
        "json": text,
        "notes": notes,
    }


def supported_tasks(metadata: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Hub task categories and ids of the metadata, each with the fields that serve it."""
    out: list[dict[str, Any]] = []
    for kind in ("task_categories", "task_ids"):
        for task in metadata.get(kind) or []:
            out.append(
                {
                    "task": str(task),
                    "kind": "category" if kind == "task_categories" else "task id",
                    "fields": _TASK_FIELDS.get(str(task), ([], ""))[0],
                    "note": _TASK_FIELDS.get(str(task), ([], "see Dataset Structure"))[1],
                }
            )
    return out


def cap_rows(rows: Sequence[Mapping[str, Any]], cap: int = TABLE_CAP) -> tuple[list[Any], int]:
    """The first ``cap`` rows, and how many more there are."""
    return list(rows[:cap]), max(len(rows) - cap, 0)


def _csv_bytes(header: Sequence[str], rows: Iterator[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")


def _cleaning_by_publisher(per_source: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per-publisher cleaning rows (from per publisher x rule rows), most characters removed first."""
    out = []
    ordered = sorted(per_source, key=lambda r: r["publisher"])
    for publisher, group in groupby(ordered, key=lambda r: r["publisher"]):
        rules = sorted(group, key=lambda r: (-r["chars"], r["rule"]))
        out.append(
            {
                "publisher": publisher,
                "edits": sum(r["edits"] for r in rules),
                "chars": sum(r["chars"] for r in rules),
                "rules": [
                    {"rule": r["rule"], "edits": r["edits"], "chars": r["chars"]} for r in rules
                ],
            }
        )
    return sorted(out, key=lambda r: (-r["chars"], r["publisher"]))


def _date_bins(dates: Counter[dt.date]) -> list[tuple[str, int]]:
    """Counts per day, or per month or year when the days would be too many bars."""
    if not dates:
        return []
    span = (max(dates) - min(dates)).days
    if span <= 62:
        key = dt.date.isoformat
    elif span <= 5 * 366:
        key = lambda d: d.strftime("%Y-%m")  # noqa: E731 - a one-line key
    else:
        key = lambda d: str(d.year)  # noqa: E731
    binned: Counter[str] = Counter()
    for day, n in dates.items():
        binned[key(day)] += n
    return sorted(binned.items())


def plot_data(
    scan: DataScan,
    sources: Sequence[Mapping[str, Any]],
    entity_labels: Sequence[str],
) -> PlotData:
    top, more = cap_rows(sources)
    title = "Articles per publisher"
    if more:
        # Said, not drawn: one bar for the rest would dwarf every publisher's.
        rest = sum(int(s["articles"]) for s in sources[TABLE_CAP:])
        title += f"\n(top {TABLE_CAP} of {len(sources)}; {rest:,} articles in the other {more})"
    return PlotData(
        publishers=[(str(s["publisher"]), int(s["articles"])) for s in top],
        publishers_title=title,
        dates=_date_bins(scan.dates),
        dates_title="Articles per publication date"
        + (f" ({scan.undated} undated not shown)" if scan.undated else ""),
        entity_labels=list(entity_labels),
        label_series={
            split: [facts.labels.get(i, 0) for i in range(len(entity_labels))]
            for split, facts in scan.splits.items()
        },
        lengths={split: facts.lengths("words") for split, facts in scan.splits.items()},
    )


def reader_sections(
    final: Path,
    context: Mapping[str, Any],
    scan: DataScan,
) -> dict[str, Any]:
    """Write ``assets/`` (plots, full per-publisher tables) and return the card's entries.

    ``context`` is the card context so far (:func:`builder.card_facts.card_context`);
    its per-publisher tables come back capped at :data:`TABLE_CAP` rows. ``scan``: the
    splits' figures (:func:`scan_figures`), which the plots (SVG, see
    :mod:`builder.card_plots`) are drawn from.
    """
    split_names = [s["name"] for s in context["splits"]]
    assets = final / ASSETS_DIR
    assets.mkdir(exist_ok=True)
    data = plot_data(scan, context["sources"], list(context["labels"]["entity"]))
    write_plots(final, draw_plots(data))

    sources = context["sources"]
    accounting = context["accounting"]["per_source"]
    cleaning = _cleaning_by_publisher(context["cleaning"]["per_source"])
    files = {
        "sources": f"{ASSETS_DIR}/publishers.csv",
        "accounting": f"{ASSETS_DIR}/publishers_accounting.csv",
        "cleaning": f"{ASSETS_DIR}/publishers_cleaning.csv",
    }
    (final / files["sources"]).write_bytes(
        _csv_bytes(
            ["publisher", "articles", "published", "redistribution", "rights", "urls"],
            (
                [
                    s["publisher"],
                    s["articles"],
                    s["dates"],
                    s["redistribution"],
                    s["rights"],
                    " ".join(s["urls"]),
                ]
                for s in sources
            ),
        )
    )
    (final / files["accounting"]).write_bytes(
        _csv_bytes(
            ["publisher", "read", "published", "rejected"],
            ([s["publisher"], s["read"], s["published"], s["rejected"]] for s in accounting),
        )
    )
    (final / files["cleaning"]).write_bytes(
        _csv_bytes(
            ["publisher", "rule", "edits", "chars_removed"],
            (
                [c["publisher"], r["rule"], r["edits"], r["chars"]]
                for c in cleaning
                for r in c["rules"]
            ),
        )
    )
    shown_sources, more_sources = cap_rows(sources)
    shown_accounting, more_accounting = cap_rows(
        sorted(accounting, key=lambda s: (-s["read"], str(s["publisher"])))
    )
    shown_cleaning, more_cleaning = cap_rows(cleaning)
    first_split = split_names[0] if split_names else None
    return {
        "sources": shown_sources,
        "accounting": {**context["accounting"], "per_source": shown_accounting},
        "cleaning": {**context["cleaning"], "by_publisher": shown_cleaning},
        "publisher_tables": {
            "cap": TABLE_CAP,
            "total": len(sources),
            "more": {
                "sources": more_sources,
                "accounting": more_accounting,
                "cleaning": more_cleaning,
            },
            "files": files,
        },
        "example": example_row(final / "data", first_split) if first_split else None,
        "length_stats": length_stats(scan),
        "supported_tasks": supported_tasks(context["metadata"]),
        "plots": {key: f"{ASSETS_DIR}/{name}" for key, name in PLOT_FILES.items()},
        "dates": {"undated": scan.undated, "days": len(scan.dates)},
    }
