"""Compressed inputs that are cut short, hold several frames, or are not what their name
says: every record is read, or the file is named with where reading stopped; never a
build that quietly has fewer records (found by ``bench/fuzz_inputs.py``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
import zstandard
from corpus_helpers import make_corpus

from builder.annotations import read_annotations
from builder.compressed_inputs import decompress_errors, open_input
from builder.jsonl import read_jsonl
from builder.pipeline import build


def _zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def _lines(n: int, tag: str = "a") -> bytes:
    return b"".join(
        json.dumps({"article_id": f"{tag}{i}", "x": i}).encode() + b"\n" for i in range(n)
    )


def test_every_frame_of_a_zstd_file_is_read(tmp_path: Path) -> None:
    """``cat a.zst b.zst`` is one valid zstd file: the second frame was dropped."""
    path = tmp_path / "s.jsonl.zst"
    path.write_bytes(_zst(_lines(1000)) + _zst(_lines(3, "b")))
    read = [record for _, record, issues in read_jsonl(path) if not issues]
    assert len(read) == 1003
    assert read[-1]["article_id"] == "b2"


def test_a_zstd_file_cut_short_is_an_error_not_an_end(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl.zst"
    path.write_bytes(_zst(_lines(1000))[:-40])
    with pytest.raises(decompress_errors(), match="cut short"), open_input(path) as handle:
        handle.read()
    issues = [i for _, _, found in read_jsonl(path) for i in found]
    assert [i.rule for i in issues] == ["compression"]
    assert issues[0].file == "s.jsonl.zst"


def test_a_zstd_bomb_is_read_a_buffer_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zst"
    path.write_bytes(zstandard.ZstdCompressor(level=19).compress(b"\0" * (1 << 30)))
    assert path.stat().st_size < 100_000
    with open_input(path) as handle:
        assert handle.read(10) == b"\0" * 10


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.jsonl.zst", lambda seeds: _zst(seeds)[:-300]),  # cut short: read as empty
        ("a.json.zst", lambda seeds: _zst(b"[" + b",".join(seeds.splitlines()) + b"]")[:-300]),
        ("a.jsonl.gz", lambda seeds: seeds),  # named .gz, not compressed
        ("a.jsonl.zst", lambda seeds: seeds),  # named .zst, not compressed
    ],
)
def test_a_broken_compressed_annotation_file_is_named(seeds_dir, name, data, tmp_path) -> None:
    path = tmp_path / name
    path.write_bytes(data((seeds_dir / "annotations.jsonl").read_bytes()))
    found = list(read_annotations(path, "native"))
    issues = [i for _, _, got in found for i in got]
    assert [i.rule for i in issues] == ["compression"], issues
    assert issues[0].file == name and issues[0].line == 1


def test_a_build_with_a_cut_zstd_annotation_file_fails_naming_it(seeds_copy, tmp_path, run_cli):
    """It built, exit 0, with every article's annotations missing (a warning each)."""
    data = (seeds_copy / "annotations.jsonl").read_bytes()
    (seeds_copy / "annotations.jsonl.zst").write_bytes(_zst(data)[:-300])
    (seeds_copy / "annotations.jsonl").unlink()
    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text(encoding="utf-8"))
    config["inputs"]["annotations"][0]["path"] = "annotations.jsonl.zst"
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", "-i", str(seeds_copy), "-o", str(out), "--workers", "1")
    assert result.code == 1, result.stderr
    assert "annotations.jsonl.zst:1: error compression" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_a_compressed_jsonl_input_named_plain_is_read_by_its_bytes(
    tmp_path: Path, codec: str
) -> None:
    """A gzip (or zstd) file named ``.jsonl`` (a shard, the sources file) was read as
    plain text: "not valid UTF-8 at line 1, column 2" for a file that is whole. The
    annotation readers read gzip whatever the name; so do these now."""
    import gzip as gz

    def pack(data: bytes) -> bytes:
        return gz.compress(data) if codec == "gzip" else zstandard.ZstdCompressor().compress(data)

    corpus = make_corpus(tmp_path / "c", n=2)
    lines = [json.dumps({"id": a, "text": t}) for a, t in corpus.texts.items()]
    (corpus.root / "a.jsonl").write_bytes(pack(("\n".join(lines) + "\n").encode()))
    sources = corpus.root / "sources.jsonl"
    sources.write_bytes(pack(sources.read_bytes()))
    shutil.rmtree(corpus.articles)
    corpus.config["inputs"]["articles"] = "a.jsonl"
    corpus.write_config()

    result = build(corpus.root, tmp_path / "out")
    assert not result.report.errors
    assert result.report.ok
