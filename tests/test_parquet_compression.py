"""``output.compression`` and ``output.compression_level``: the codec and level the
shards are written with, the pair checked before anything is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from builder.cli import app


def _configure(seeds: Path, **output: Any) -> None:
    path = seeds / "dataset.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.setdefault("output", {}).update(output)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _build(seeds: Path, out: Path) -> Any:
    return CliRunner().invoke(app, ["build", "-i", str(seeds), "-o", str(out)])


def _codecs(out: Path) -> set[str]:
    codecs = set()
    for shard in sorted((out / "data").glob("*.parquet")):
        meta = pq.ParquetFile(shard).metadata
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            codecs |= {group.column(c).compression for c in range(group.num_columns)}
    return codecs


def _shard_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "data").glob("*.parquet"))}


def test_default_is_zstd_level_9(seeds_copy: Path, tmp_path: Path) -> None:
    default, explicit = tmp_path / "default", tmp_path / "explicit"
    assert _build(seeds_copy, default).exit_code == 0
    _configure(seeds_copy, compression="zstd", compression_level=9)
    assert _build(seeds_copy, explicit).exit_code == 0
    assert _codecs(default) == {"ZSTD"}
    assert _shard_bytes(default) == _shard_bytes(explicit)


@pytest.mark.parametrize(
    ("settings", "codec"),
    [
        ({"compression_level": 3}, "ZSTD"),
        ({"compression": "gzip", "compression_level": 6}, "GZIP"),
        ({"compression": "snappy"}, "SNAPPY"),
        ({"compression": "brotli"}, "BROTLI"),
        ({"compression": "none"}, "UNCOMPRESSED"),
    ],
)
def test_each_codec_writes_shards_datasets_loads_the_same(
    seeds_copy: Path, tmp_path: Path, settings: dict[str, Any], codec: str
) -> None:
    reference = tmp_path / "reference"
    assert _build(seeds_copy, reference).exit_code == 0
    _configure(seeds_copy, **settings)
    first, again = tmp_path / "first", tmp_path / "again"
    assert _build(seeds_copy, first).exit_code == 0
    assert _build(seeds_copy, again).exit_code == 0
    assert _codecs(first) == {codec}
    assert _shard_bytes(first) == _shard_bytes(again)  # still byte-identical rebuilds
    if settings != {"compression_level": 3}:
        assert _shard_bytes(first) != _shard_bytes(reference)
    loaded = datasets.load_dataset("parquet", data_dir=str(first / "data"))
    expected = datasets.load_dataset("parquet", data_dir=str(reference / "data"))
    for split in expected:
        assert loaded[split].to_list() == expected[split].to_list()


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"compression": "snappy", "compression_level": 3}, "snappy has no compression level"),
        ({"compression": "none", "compression_level": 1}, "none has no compression level"),
        ({"compression": "gzip", "compression_level": 12}, "gzip takes a level from 1 to 9"),
        ({"compression": "brotli", "compression_level": 20}, "brotli takes a level from 1 to 11"),
    ],
)
def test_a_level_the_codec_does_not_take_is_a_located_error(
    seeds_copy: Path, tmp_path: Path, settings: dict[str, Any], says: str
) -> None:
    _configure(seeds_copy, **settings)
    out = tmp_path / "out"
    run = _build(seeds_copy, out)
    assert run.exit_code == 1
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert says in run.output and "/output/compression_level" in run.output
    assert "Traceback" not in run.output
    assert not out.exists()


@pytest.mark.parametrize(
    "settings", [{"compression": "lzo"}, {"compression_level": 0}, {"compression_level": 23}]
)
def test_the_schema_refuses_an_unknown_codec_or_level(
    seeds_copy: Path, tmp_path: Path, settings: dict[str, Any]
) -> None:
    _configure(seeds_copy, **settings)
    run = _build(seeds_copy, tmp_path / "out")
    assert run.exit_code == 1 and "/output/compression" in run.output
