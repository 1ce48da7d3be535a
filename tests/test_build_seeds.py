"""The seed build end to end: what a user loads is complete, typed and traceable."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

from builder.clean.edits import rebuild_raw
from builder.manifest import load_manifest, sha256_file

SPLIT_FILE = re.compile(r"^(?P<split>[a-z]+)-(?P<i>\d{5})-of-(?P<n>\d{5})\.parquet$")


def _rows(build: Path) -> dict[str, dict]:
    rows = {}
    for path in sorted((build / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            rows[row["id"]] = row
    return rows


def test_load_dataset_returns_every_seed_article_with_typed_features(
    seed_build: Path, seeds_dir: Path
) -> None:
    ds = datasets.load_dataset(str(seed_build))
    ids = [i for split in ds.values() for i in split["id"]]
    expected = sorted(p.stem for p in (seeds_dir / "articles").glob("*.txt"))
    assert sorted(ids) == expected
    assert len(ids) == len(set(ids)), "an article is in two splits"
    features = ds["train"].features
    assert isinstance(features["genre"], datasets.ClassLabel)
    assert isinstance(features["entities"], datasets.List)
    assert isinstance(features["entities"].feature["label"], datasets.ClassLabel)
    assert isinstance(features["quotes"], datasets.List)
    # One label list for every split.
    for split in ds.values():
        assert split.features == features


def test_streaming_load_yields_the_same_rows(seed_build: Path) -> None:
    streamed = datasets.load_dataset(str(seed_build), streaming=True)
    regular = datasets.load_dataset(str(seed_build))
    for name, split in regular.items():
        assert [r["id"] for r in streamed[name]] == split["id"]


def test_other_readers_read_the_same_parquet(seed_build: Path) -> None:
    import duckdb
    import pandas as pd
    import polars as pl

    files = sorted(str(p) for p in (seed_build / "data").glob("*.parquet"))
    total = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    assert sum(len(pd.read_parquet(f)) for f in files) == total
    assert pl.read_parquet(files).height == total
    count = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet({files!r})").fetchall()
    assert count == [(total,)]


def test_raw_text_is_rebuilt_exactly_from_clean_text_and_edits(
    seed_build: Path, seeds_dir: Path
) -> None:
    for article_id, row in _rows(seed_build).items():
        raw = (seeds_dir / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")
        assert rebuild_raw(row["text"], row["edits"]) == raw
        assert row["raw_sha256"] == hashlib.sha256(raw.encode()).hexdigest()
        assert row["text_sha256"] == hashlib.sha256(row["text"].encode()).hexdigest()


def test_every_published_span_matches_its_text(seed_build: Path) -> None:
    rows = _rows(seed_build)
    spans = 0
    for row in rows.values():
        entity_ids = {e["id"] for e in row["entities"]}
        for span in row["entities"] + row["quotes"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]
            spans += 1
        for quote in row["quotes"]:
            assert quote["speaker_id"] is None or quote["speaker_id"] in entity_ids
    annotations = (
        (Path(__file__).parents[1] / "seeds" / "annotations.jsonl").read_text().splitlines()
    )
    expected = sum(
        len(json.loads(a)["entities"]) + len(json.loads(a)["quotes"]) for a in annotations
    )
    assert spans == expected, "a span was lost between annotation and published row"


def test_seed_boilerplate_is_gone_and_article_text_stays(seed_build: Path) -> None:
    rows = _rows(seed_build)
    tails = {i: r["text"][-300:] for i, r in rows.items()}
    assert "Exit mobile version" not in tails["002_a8446556a3208bd8"]
    assert "Share Tweet Submit Pin" not in tails["004_85bdede9e1a8b346"]
    assert "Matt Gaetz" not in rows["003_1f538d970d95d26f"]["text"]
    assert rows["003_1f538d970d95d26f"]["text"].endswith(
        "confirming earlier warnings from UN agencies"
    )
    head = rows["004_85bdede9e1a8b346"]["text"]
    assert head.startswith("What’s Next Between Israel and Iran?\n\nThe world is waiting")
    reasons = {e["reason"] for r in rows.values() for e in r["edits"]}
    assert any("footer.teaser" in r for r in reasons)
    assert any("header.repeated_title" in r for r in reasons)


def test_shards_follow_hub_naming_with_page_index_and_bounded_row_groups(seed_build: Path) -> None:
    files = sorted((seed_build / "data").glob("*.parquet"))
    assert files
    schemas = set()
    for path in files:
        match = SPLIT_FILE.match(path.name)
        assert match, path.name
        assert int(match["i"]) < int(match["n"])
        pf = pq.ParquetFile(path)
        schemas.add(pf.schema_arrow.to_string())
        for g in range(pf.metadata.num_row_groups):
            assert pf.metadata.row_group(g).total_byte_size <= 100 * 2**20
            column = pf.metadata.row_group(g).column(0)
            assert column.has_offset_index, "no page index"
    assert len(schemas) == 1, "shards were written with different schemas"


def test_card_yaml_parses_and_its_features_equal_the_parquet_features(seed_build: Path) -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(seed_build / "README.md")
    data = card.data.to_dict()
    for key in (
        "license",
        "language",
        "pretty_name",
        "task_categories",
        "size_categories",
        "annotations_creators",
        "language_creators",
        "source_datasets",
        "configs",
        "dataset_info",
    ):
        assert key in data, key
    info = datasets.DatasetInfo._from_yaml_dict(data["dataset_info"])
    parquet_features = datasets.Features.from_arrow_schema(
        pq.read_schema(next((seed_build / "data").glob("*.parquet")))
    )
    assert info.features == parquet_features
    rows = {s["name"]: s["num_examples"] for s in data["dataset_info"]["splits"]}
    sizes = {s["name"]: s["num_bytes"] for s in data["dataset_info"]["splits"]}
    counted: dict[str, int] = {}
    loaded: dict[str, int] = {}
    for path in (seed_build / "data").glob("*.parquet"):
        split = path.name.split("-")[0]
        counted[split] = counted.get(split, 0) + pq.ParquetFile(path).metadata.num_rows
        loaded[split] = loaded.get(split, 0) + pq.read_table(path).nbytes
    assert rows == counted
    assert sizes == loaded  # num_bytes as `datasets` means it: Arrow bytes once loaded
    for config in data["configs"]:
        for entry in config["data_files"]:
            assert list(seed_build.glob(entry["path"])), entry


def test_card_documents_sources_processing_annotation_and_limits(seed_build: Path) -> None:
    text = (seed_build / "README.md").read_text()
    for heading in (
        "## Dataset Details",
        "### Dataset Sources",
        "## Dataset Structure",
        "### Data Splits",
        "#### Data Collection and Processing",
        "### Annotations",
        "## Bias, Risks, and Limitations",
        "## Rights",
        "## Citation",
    ):
        assert heading in text, heading
    assert "BBC News" in text and "The Guardian" in text and "westtimelines.com" in text
    assert "`footer.teaser`" in text
    assert "| `entities[].label` | ClassLabel (8 names) |" in text
    # near duplicates counted by cluster: the search lists no longer every similar pair
    duplicates = "Exact-duplicate texts found: 0; clusters of near-identical texts found:\n0 (0 "
    assert duplicates + "distinct texts in them)." in text


def test_manifest_accounts_for_every_input_and_output(seed_build: Path, seeds_dir: Path) -> None:
    manifest = load_manifest(seed_build)
    inputs = {e["path"]: e["sha256"] for e in manifest["inputs"]}
    for path in (seeds_dir / "articles").glob("*.txt"):
        assert inputs[f"articles/{path.name}"] == sha256_file(path)
    assert inputs["dataset.yaml"] == sha256_file(seeds_dir / "dataset.yaml")
    outputs = {e["path"]: e for e in manifest["outputs"]}
    on_disk = {
        p.relative_to(seed_build).as_posix() for p in seed_build.rglob("*") if p.is_file()
    } - {"manifest.json"}
    assert set(outputs) == on_disk
    for rel, entry in outputs.items():
        assert entry["sha256"] == sha256_file(seed_build / rel)
        assert entry["bytes"] == (seed_build / rel).stat().st_size
        if rel.endswith(".parquet"):
            assert entry["rows"] == pq.ParquetFile(seed_build / rel).metadata.num_rows
    assert manifest["counts"]["read"] == 5
    assert manifest["counts"]["written"] == 5
    assert manifest["counts"]["rejected"] == 0
    assert manifest["toolkit"]["version"]
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["schema_sha256"])


def test_rebuild_is_byte_identical(seed_build: Path, seeds_dir: Path, tmp_path: Path) -> None:
    from builder.pipeline import build

    again = tmp_path / "again"
    build(seeds_dir, again, workers=2)  # a process pool must not change a byte either
    first = {
        p.relative_to(seed_build): p.read_bytes() for p in seed_build.rglob("*") if p.is_file()
    }
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    for rel in first:
        assert first[rel] == second[rel], f"{rel} differs between two builds"


def test_shard_size_cap_splits_a_split_into_several_files(seeds_copy: Path, tmp_path: Path) -> None:
    from builder.pipeline import build

    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text())
    config["output"]["shard_max_bytes"] = 4096
    config["output"]["row_group_max_bytes"] = 2048
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "out"
    build(seeds_copy, out)
    train = sorted((out / "data").glob("train-*.parquet"))
    assert len(train) == 3
    assert [p.name for p in train] == [f"train-{i:05d}-of-00003.parquet" for i in range(3)]
    assert datasets.load_dataset(str(out), split="train").num_rows == 3
    # the splits written in threads (a build with workers) give the same shards, byte
    # for byte, and the same manifest (sizes, digests, rows read back per shard)
    threaded = tmp_path / "threaded"
    build(seeds_copy, threaded, workers=3)
    for path in [*sorted((out / "data").glob("*.parquet")), out / "manifest.json"]:
        assert (threaded / path.relative_to(out)).read_bytes() == path.read_bytes(), path.name


def test_a_row_group_is_cut_before_the_row_that_would_cross_its_cap(tmp_path: Path) -> None:
    import pyarrow as pa

    from builder.parquet import ShardFile

    schema = pa.schema([("id", pa.string())])
    writer = ShardFile("train", "train-00000-of-00001.parquet", tmp_path, schema, 100)
    ids = [f"a{i}" for i in range(7)]
    sizes = [40, 40, 40, 150, 10, 90, 5]  # 150: one row over the cap goes alone
    writer.add(pa.table({"id": ids}, schema=schema), sizes)
    shard = writer.close()
    meta = pq.ParquetFile(shard.path).metadata
    groups = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    assert groups == [2, 1, 1, 2, 1]  # 40+40 | 40 | 150 | 10+90 | 5
    assert pq.read_table(shard.path).column("id").to_pylist() == ids


@pytest.mark.parametrize("command", ["build", "validate"])
def test_cli_json_output_and_exit_code(
    command: str, run_cli, seeds_dir: Path, tmp_path: Path
) -> None:
    args = [command, "--input", str(seeds_dir), "--json"]
    if command == "build":
        args += ["--out", str(tmp_path / "out")]
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["counts"]["read"] == 5
    if command == "validate":
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("batch_size", "pooled"), [(256, False), (2, True)])
def test_the_card_is_prepared_beside_the_batches_only_while_they_run_in_the_pool(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int, pooled: bool
) -> None:
    """With two workers but one batch, the batch runs here: compiling the card beside it
    would only share this interpreter (and blur the batch's timings)."""
    import threading

    from builder import pipeline, pipeline_stages

    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text())
    config.setdefault("output", {})["batch_size"] = batch_size
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config))
    threads: list[str] = []
    real = pipeline_stages.card_template

    def recording() -> object:
        threads.append(threading.current_thread().name)
        return real()

    monkeypatch.setattr(pipeline_stages, "card_template", recording)
    assert pipeline.build(seeds_copy, tmp_path / "out", workers=2).ok
    assert [name.startswith("prepare-card") for name in threads] == ([True] if pooled else [])
