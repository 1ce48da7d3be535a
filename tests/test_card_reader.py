"""The card as a reader wants it: contents, an example row, tasks, lengths, plots, capped tables."""

from __future__ import annotations

import csv
import itertools
import json
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pyarrow.parquet as pq
from corpus_helpers import make_corpus

SVG = "{http://www.w3.org/2000/svg}"


def _card(folder: Path) -> str:
    return (folder / "README.md").read_text(encoding="utf-8")


def _slug(heading: str) -> str:
    """The anchor GitHub and the Hub give a heading: lowercase, punctuation dropped, - for spaces."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _rows(folder: Path, split: str) -> list[dict]:
    rows: list[dict] = []
    for path in sorted((folder / "data").glob(f"{split}-*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def test_table_of_contents_links_resolve_to_headings(seed_build: Path) -> None:
    card = _card(seed_build)
    body = card.split("\n---\n", 1)[1]
    anchors = {_slug(m) for m in re.findall(r"(?m)^#{2,4} (.+)$", body)}
    toc = body.split("## Table of Contents", 1)[1].split("\n## ", 1)[0]
    links = re.findall(r"\]\(#([^)]+)\)", toc)
    assert len(links) >= 20
    assert set(links) <= anchors, set(links) - anchors
    for needed in ("data-instances", "supported-tasks", "text-lengths", "versions"):
        assert needed in links


def test_data_instances_shows_a_real_row_as_json(seed_build: Path) -> None:
    card = _card(seed_build)
    section = card.split("### Data Instances", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"(?s)\n(`{3,})json\n(.*?)\n\1\n", section)
    assert block is not None, section[:500]
    shown = json.loads(block.group(2))
    train = _rows(seed_build, "train")
    # The first row in id order with a text and at least one entity.
    expected = next(r for r in sorted(train, key=lambda r: r["id"]) if r["text"] and r["entities"])
    assert shown["id"] == expected["id"]
    assert len(expected["text"]) > 400, "the seed text is long, so the card must shorten it"
    assert shown["text"] == expected["text"][:400] + "…"
    assert shown["entities"] == expected["entities"][:3]
    assert shown["source"]["publisher"] == expected["source"]["publisher"]
    assert (
        shown["source"]["published_earliest"]
        == expected["source"]["published_earliest"].isoformat()
    )
    assert f"`text` shows 400 of {len(expected['text']):,} characters" in section
    assert f"`entities` shows 3 of {len(expected['entities'])} items" in section


def test_supported_tasks_name_the_metadata_tasks_and_their_fields(seed_build: Path) -> None:
    card = _card(seed_build)
    section = card.split("### Supported Tasks", 1)[1].split("\n### ", 1)[0]
    assert "**token-classification** (category): `entities`" in section
    assert "**named-entity-recognition** (task id)" in section
    assert "examples/train_ner.py turns them into token-level BIO tags" in section
    assert "**text-classification** (category): `genre`, `text_form`: one ClassLabel" in section


def test_length_statistics_per_split_equal_the_parquet_texts(seed_build: Path) -> None:
    card = _card(seed_build)
    section = card.split("### Text Lengths", 1)[1].split("\n## ", 1)[0]
    for split in ("train", "validation", "test"):
        texts = [r["text"] for r in _rows(seed_build, split) if r["text"] is not None]
        chars = [len(t) for t in texts]
        words = [len(t.split()) for t in texts]

        def fmt(values: list[int]) -> str:
            median = statistics.median(values)
            median_text = str(int(median)) if float(median).is_integer() else str(median)
            return f"{min(values)} | {median_text} | {max(values)}"

        line = f"| {split} | {len(texts)} | 0 | {fmt(chars)} | {fmt(words)} |"
        assert line in section, (line, section)


def test_plots_are_svg_files_in_the_manifest_linked_relatively(seed_build: Path) -> None:
    card = _card(seed_build)
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", card)
    assert sorted(images) == [
        "assets/articles_per_date.svg",
        "assets/articles_per_publisher.svg",
        "assets/entity_labels_per_split.svg",
        "assets/text_length_words.svg",
    ]
    manifest = json.loads((seed_build / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert not [p for p in listed if p.endswith(".png")]
    import hashlib

    for rel in images:
        data = (seed_build / rel).read_bytes()
        assert listed[rel] == hashlib.sha256(data).hexdigest()
        root = ElementTree.fromstring(data)  # well-formed XML
        assert root.tag == f"{SVG}svg"
        assert float(root.get("width", 0)) > 300 and float(root.get("height", 0)) > 100
        # Not a blank canvas: bars were drawn, and there is text to read.
        bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#ffffff"]
        assert bars and all(float(r.get("height", -1)) >= 0 for r in bars)
        assert root.find(f"{SVG}title") is not None
        assert len(list(root.iter(f"{SVG}text"))) > 3


def test_the_same_chart_twice_gives_the_same_bytes() -> None:
    from builder import card_plots

    counts = [("BBC News", 2), ("Price $5 $ Daily", 1), ("x" * 80, 3)]
    first = card_plots.bar_chart(counts, title="t", xlabel="articles")
    second = card_plots.bar_chart(counts, title="t", xlabel="articles")
    assert first == second
    assert first != card_plots.bar_chart(counts[:2], title="t", xlabel="articles")


def test_chart_text_is_escaped_and_long_labels_shortened() -> None:
    from builder import card_plots

    counts = [('A <b>&amp; "Co"', 2), ("Price $5 $ Daily", 1), ("x" * 80, 3)]
    svg = card_plots.bar_chart(counts, title="Two\nlines <here>", xlabel="articles")
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert 'A <b>&amp; "Co"' in texts  # markup in a name is text, not markup
    assert "Price $5 $ Daily" in texts  # a dollar sign stays a dollar sign
    assert "x" * 39 + "…" in texts
    assert texts[:2] == ["Two", "lines <here>"]  # one line of title per line
    assert root.findtext(f"{SVG}title") == "Two\nlines <here>"


def test_count_axes_have_integer_ticks_covering_the_largest_count() -> None:
    from builder.card_plots import integer_ticks

    for top in (0, 1, 3, 7, 9, 10, 11, 99, 100, 101, 4999, 5000, 178_000, 10**7 + 1):
        ticks = integer_ticks(top)
        assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 10, (top, ticks)
        steps = {b - a for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1 and all(isinstance(t, int) for t in ticks), (top, ticks)
        assert ticks[-2] < max(top, 1), (top, ticks)  # no tick wasted past the data


def test_grouped_and_stacked_charts_draw_every_nonzero_value() -> None:
    from builder import card_plots

    svg = card_plots.grouped_bar_chart(
        ["PERSON", "ORG"], {"train": [3, 0], "test": [1, 2]}, title="t", ylabel="spans"
    )
    root = ElementTree.fromstring(svg)
    colours = Counter(
        r.get("fill") for r in root.iter(f"{SVG}rect") if float(r.get("height", 0)) > 0
    )
    # three non-zero bars, plus one legend key per series
    assert colours == {card_plots.COLORS[0]: 2, card_plots.COLORS[1]: 3, "#ffffff": 1}
    lengths = {"train": np.array([10, 200, 35, 40]), "test": np.array([7]), "empty": np.zeros(0)}
    root = ElementTree.fromstring(card_plots.histogram_chart(lengths, title="t", xlabel="w"))
    legend = [t.text for t in root.iter(f"{SVG}text")][-2:]
    assert legend == ["train", "test"]  # an empty series has no colour in the legend


def test_per_publisher_tables_are_capped_with_the_full_tables_linked(tmp_path: Path) -> None:
    from builder.pipeline import build

    corpus = make_corpus(tmp_path / "in", 40, write=False)
    for i, record in enumerate(corpus.sources):
        # 25 publishers; outlet 00 has the most articles. A "$" must not start mathtext.
        record["publisher"] = f"Outlet {i % 25:02d} $pay$" if i % 25 else "Outlet 00"
        record["headline"] = "A ```` fence & <b>tag</b> in a headline"
    corpus.sources[1]["publisher"] = "Outlet 00"
    corpus.write()
    out = tmp_path / "out"
    build(corpus.root, out)
    card = _card(out)
    section = card.split("### Dataset Sources", 1)[1].split("\n## ", 1)[0]
    sources_part = section.split("Every article read", 1)[0]
    rows = [ln for ln in sources_part.splitlines() if ln.startswith("| Outlet")]
    assert len(rows) == 20
    assert rows[0].startswith("| Outlet 00 | 3 |")
    assert "| 5 more | | | | | [full table](assets/publishers.csv) |" in sources_part
    assert "(25 in all, the 20 with the most articles shown" in section
    with (out / "assets" / "publishers.csv").open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 25
    assert sum(int(r["articles"]) for r in table) == 40
    assert table[0]["publisher"] == "Outlet 00"
    accounting = [
        ln
        for ln in section.split("Every article read", 1)[1].splitlines()
        if ln.startswith("| Outlet")
    ]
    assert len(accounting) == 20
    assert "[5 more](assets/publishers_accounting.csv)" in section
    # The example row's code fence is longer than the backtick run in its values.
    instance = card.split("### Data Instances", 1)[1]
    block = re.search(r"(?s)\n(`{3,})json\n(.*?)\n\1\n", instance)
    assert block is not None and block.group(1) == "`````"
    assert json.loads(block.group(2))["source"]["headline"].startswith("A ```` fence & <b>")
    assert "<b>" not in card
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"]}
    assert {"assets/publishers.csv", "assets/articles_per_publisher.svg"} <= listed


def test_the_card_renders_to_html_with_its_images(seed_build: Path) -> None:
    import markdown

    body = _card(seed_build).split("\n---\n", 1)[1]
    html = markdown.markdown(body, extensions=["tables", "fenced_code", "toc"])
    for name in ("articles_per_publisher", "articles_per_date", "entity_labels_per_split"):
        assert f'src="assets/{name}.svg"' in html
    # Every TOC link points at an id python-markdown gave a heading.
    ids = set(re.findall(r'<h[2-4] id="([^"]+)"', html))
    links = set(re.findall(r'<a href="#([^"]+)"', html))
    assert links and links <= ids, links - ids
    assert '<code class="language-json">' in html


def test_withheld_texts_are_counted_apart_and_never_shown(tmp_path: Path) -> None:
    from builder.pipeline import build

    corpus = make_corpus(tmp_path / "in", 8, write=False)
    withheld = {corpus.sources[i]["article_id"] for i in (0, 1, 2)}
    for i in (0, 1, 2):
        corpus.sources[i]["rights"]["publish_full_text"] = False
    corpus.write()
    out = tmp_path / "out"
    build(corpus.root, out)
    card = _card(out)
    section = card.split("### Text Lengths", 1)[1].split("\n## ", 1)[0]
    rows = [ln.split("|")[1:-1] for ln in section.splitlines() if ln.startswith("| t")]
    assert sum(int(r[2]) for r in rows) == 3  # the Withheld column
    assert sum(int(r[1]) for r in rows) == 5  # articles with a text
    block = re.search(r"(?s)\n(`{3,})json\n(.*?)\n\1\n", card)
    assert block is not None
    shown = json.loads(block.group(2))
    assert shown["text"] is not None and shown["id"] not in withheld


def test_draw_plots_names_one_svg_per_card_plot() -> None:
    from builder.card_plotter import PLOT_FILES, PlotData, draw_plots

    data = PlotData(
        publishers=[("BBC News", 2), ("Price $5 $ Daily", 1)],
        publishers_title="Articles per publisher",
        dates=[("2024-01-01", 2), ("2024-01-02", 1)],
        dates_title="Articles per publication date",
        entity_labels=["PERSON", "ORG"],
        label_series={"train": [3, 1], "test": [0, 2]},
        lengths={"train": np.array([10, 200, 35], dtype=np.int32), "test": np.array([7])},
    )
    figures = draw_plots(data)
    assert sorted(figures) == sorted(PLOT_FILES.values())
    assert figures == draw_plots(data)
    for svg in figures.values():
        assert ElementTree.fromstring(svg).tag == f"{SVG}svg"


def scan_data(data_dir: Path, splits: list[str]) -> Any:
    """The reference: the same figures read back from the written Parquet files."""
    import numpy as np
    import pyarrow.compute as pc

    from builder.card_data import DataScan, SplitScan

    scan = DataScan(splits={}, dates=Counter(), undated=0)
    for split in splits:
        facts = scan.splits.setdefault(split, SplitScan())
        for path in sorted(data_dir.glob(f"{split}-*.parquet")):
            batch = pq.read_table(path, columns=["text", "source", "entities"])
            present = pc.drop_null(batch.column("text"))
            facts.withheld += batch.column("text").null_count
            facts.chars.append(pc.utf8_length(present).to_numpy().astype(np.int32))
            words = pc.count_substring_regex(present, r"\S+").to_numpy().astype(np.int32)
            facts.words.append(words)
            published = pc.struct_field(batch.column("source"), "published_earliest")
            scan.undated += published.null_count
            for day in pc.drop_null(published).to_pylist():
                scan.dates[day] += 1
            labels = pc.struct_field(pc.list_flatten(batch.column("entities")), "label")
            facts.labels.update(pc.drop_null(labels).to_pylist())
    return scan


def test_the_batches_figures_give_the_scan_of_the_written_parquet(seed_build: Path) -> None:
    """The card's figures taken per row in the batches (no Parquet read back) count
    exactly what a scan of the written Parquet files counts."""
    from builder.card_data import scan_figures
    from builder.row_figures import card_figures

    splits = sorted({p.name.split("-")[0] for p in (seed_build / "data").glob("*.parquet")})
    figures: dict[str, list[Any]] = {}
    for split in splits:
        shards = sorted((seed_build / "data").glob(f"{split}-*.parquet"))
        figures[split] = [f for p in shards for f in card_figures(pq.read_table(p))]
    staged = scan_figures(figures.__getitem__, splits)
    read = scan_data(seed_build / "data", splits)
    assert read.dates and any(read.splits[s].labels for s in splits)  # something to compare
    assert staged.dates == read.dates and staged.undated == read.undated
    for split in splits:
        a, b = staged.splits[split], read.splits[split]
        assert a.withheld == b.withheld and a.labels == b.labels
        for measure in ("chars", "words"):
            assert a.lengths(measure).tolist() == b.lengths(measure).tolist()
            assert a.lengths(measure).dtype == b.lengths(measure).dtype


def test_example_row_is_the_first_usable_row_across_row_groups_and_shards(tmp_path: Path) -> None:
    """Found and read a few rows at a time: the first row with a text and an entity,
    even deep in a later row group of a later shard; else the split's first row."""
    import pyarrow as pa

    from builder.card_data import example_row

    entity = pa.list_(pa.struct([("label", pa.string())]))
    schema = pa.schema([("id", pa.string()), ("text", pa.string()), ("entities", entity)])
    data = tmp_path / "data"
    data.mkdir()

    def shard(name: str, rows: list[tuple[str, str | None, int]], group: int) -> None:
        table = pa.Table.from_pylist(
            [{"id": i, "text": t, "entities": [{"label": "PERSON"}] * n} for i, t, n in rows],
            schema=schema,
        )
        pq.write_table(table, data / name, row_group_size=group)

    plain = [(f"a{i:04d}", f"text {i}", 0) for i in range(600)]
    shard("train-00000-of-00002.parquet", plain, 100)
    later = [(f"b{i:04d}", None if i == 430 else f"text {i}", int(i >= 430)) for i in range(500)]
    shard("train-00001-of-00002.parquet", later, 70)
    row = example_row(data, "train")
    assert row is not None and row["split"] == "train" and row["id"] == "b0431"
    assert json.loads(row["json"])["id"] == "b0431"
    shard("test-00000-of-00001.parquet", plain[:300], 70)
    row = example_row(data, "test")
    assert row is not None and json.loads(row["json"])["id"] == "a0000"
