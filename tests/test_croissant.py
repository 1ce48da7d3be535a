"""croissant.json: valid Croissant that mlcroissant reads, every row of every split, offline."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from publish_helpers import copy_seeds, git, set_shard_size

from builder.croissant import CROISSANT_NAME
from builder.manifest import sha256_file
from builder.pipeline import build
from builder.publish.gitrepo import GitTarget
from builder.publish.release import publish
from builder.publish.verify import verify_folder

pytest_plugins = ["publish_helpers"]

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _parquet_rows(folder: Path) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        rows.setdefault(path.name.split("-")[0], []).extend(pq.read_table(path).to_pylist())
    return rows


def _plain(value: object, prefix: str) -> object:
    """An mlcroissant record value as Python data: bytes decoded, field ids shortened."""
    if isinstance(value, dict):
        return {k.rsplit("/", 1)[-1]: _plain(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, prefix) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "date") and callable(value.date):  # pandas Timestamp of a date32
        return value.date()
    return value


def test_mlcroissant_validates_it_and_reads_every_row_of_every_split(
    seed_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlcroissant as mlc

    # Offline: every connection attempt is recorded (and refused), wherever it would go; the
    # JSON-LD context is inline, so nothing needs fetching.
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    dataset = mlc.Dataset(jsonld=str(seed_build / CROISSANT_NAME))
    issues = dataset.metadata.issues
    assert not issues.errors, issues.report()
    expected = _parquet_rows(seed_build)
    read = {rs.uuid: list(dataset.records(rs.uuid)) for rs in dataset.metadata.record_sets}
    assert attempts == []
    assert set(read) == set(expected) == {"train", "validation", "test"}
    for split, rows in expected.items():
        got = [_plain(r, split) for r in read[split]]
        assert len(got) == len(rows)
        by_id = {g["id"]: g for g in got}
        for row in rows:
            mine = by_id[row["id"]]
            # every top-level field, the nested spans (list of structs) and the ClassLabel ids
            assert mine["text"] == row["text"]
            assert mine["genre"] == row["genre"] and mine["text_form"] == row["text_form"]
            assert mine["entities"] == row["entities"]
            assert mine["quotes"] == row["quotes"]
            assert mine["edits"] == row["edits"]
            assert mine["source"] == row["source"]


def test_it_lists_every_parquet_file_with_its_sha256_and_typed_fields(seed_build: Path) -> None:
    doc = json.loads((seed_build / CROISSANT_NAME).read_text(encoding="utf-8"))
    assert "http://mlcommons.org/croissant/1.1" in doc["conformsTo"]
    files = {
        d["contentUrl"]: d["sha256"] for d in doc["distribution"] if d["@type"] == "cr:FileObject"
    }
    shards = sorted((seed_build / "data").glob("*.parquet"))
    assert files == {f"data/{p.name}": sha256_file(p) for p in shards}
    features = datasets.Features.from_dict(
        json.loads((seed_build / "manifest.json").read_text())["features"]
    )
    for record_set in doc["recordSet"]:
        fields = {f["name"]: f for f in record_set["field"]}
        assert list(fields) == list(features)
        assert fields["entities"]["isArray"] is True
        labels = {f["name"]: f for f in fields["entities"]["subField"]}
        assert labels["label"]["dataType"] == "sc:Integer"
        assert "0=PERSON" in labels["label"]["description"]
        assert labels["start"]["dataType"] == "cr:Int32"
        assert fields["source"]["subField"][0]["name"] == "publisher"


def test_rai_fields_come_from_the_build(seed_build: Path) -> None:
    doc = json.loads((seed_build / CROISSANT_NAME).read_text(encoding="utf-8"))
    report = json.loads((seed_build / "build_report.json").read_text())
    manifest = json.loads((seed_build / "manifest.json").read_text())
    steps = doc["rai:dataPreprocessingProtocol"]
    assert report["stats"]["cleaning"]["rules"]
    for rule, per_source in report["stats"]["cleaning"]["rules"].items():
        assert f"{rule}: {per_source['edits']} edit(s), {per_source['chars']} character(s)" in (
            "\n".join(steps)
        )
    privacy = manifest["privacy"]
    assert (
        f"found {privacy['total_findings']} finding(s) in {privacy['articles_with_findings']}"
        in doc["rai:personalSensitiveInformation"]
    )
    assert "The texts name public figures" in doc["rai:personalSensitiveInformation"]
    assert "587 anchored" in doc["rai:dataAnnotationProtocol"]
    assert doc["rai:dataAnnotationPlatform"] and doc["rai:machineAnnotationTools"]
    limits = "\n".join(doc["rai:dataLimitations"])
    assert "BBC News" in limits and "unknown or refused" in limits
    assert "5 raw news articles" in doc["rai:dataCollection"]


def test_rebuilds_are_byte_identical(seed_build: Path, tmp_path: Path) -> None:
    again = build(SEEDS, tmp_path / "again").out
    assert again is not None
    assert (again / CROISSANT_NAME).read_bytes() == (seed_build / CROISSANT_NAME).read_bytes()


def test_verify_fails_when_it_is_altered(
    seed_build: Path, tmp_path: Path, run_cli: Callable
) -> None:
    copy = tmp_path / "dataset"
    shutil.copytree(seed_build, copy)
    assert not verify_folder(copy)
    path = copy / CROISSANT_NAME
    path.write_text(path.read_text().replace('"isLiveDataset": false', '"isLiveDataset": true'))
    problems = verify_folder(copy)
    # another size is another digest: reported once, by its size
    assert {(p.path, p.check) for p in problems} == {(CROISSANT_NAME, "bytes")}
    result = run_cli("verify", str(copy))
    assert result.code == 1 and CROISSANT_NAME in result.stderr


def test_it_is_in_the_release_commit(seed_build: Path, tmp_path: Path) -> None:
    if shutil.which("git-lfs") is None:
        pytest.fail("git-lfs is not installed (apt-get install -y git-lfs)")
    repo = tmp_path / "release.git"
    with GitTarget(str(repo), load_name="org/news") as target:
        result = publish(seed_build, target)
    assert CROISSANT_NAME in result.files
    files = git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", "v1.0.0").split()
    assert CROISSANT_NAME in files


def test_a_split_in_several_shards_is_read_whole(tmp_path: Path) -> None:
    import mlcroissant as mlc

    seeds = copy_seeds(tmp_path / "seeds")
    set_shard_size(seeds, 1024)  # one article per shard
    out = build(seeds, tmp_path / "dataset").out
    assert out is not None
    shards = sorted((out / "data").glob("train-*.parquet"))
    assert len(shards) == 3
    doc = json.loads((out / CROISSANT_NAME).read_text(encoding="utf-8"))
    listed = [d["contentUrl"] for d in doc["distribution"] if d["@type"] == "cr:FileObject"]
    assert len(listed) == len(list((out / "data").glob("*.parquet")))
    dataset = mlc.Dataset(jsonld=str(out / CROISSANT_NAME))
    assert not dataset.metadata.issues.errors
    ids = sorted(r["train/id"].decode() for r in dataset.records("train"))
    assert ids == sorted(i for p in shards for i in pq.read_table(p)["id"].to_pylist())
