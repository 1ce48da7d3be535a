"""Semantic versions, change classification (TFDS meaning) and record digests."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import semver
from hypothesis import given
from hypothesis import strategies as st

from builder.card_versions import (
    END,
    START,
    ReleaseEntry,
    render_versions,
    replace_versions,
)
from builder.publish.records import (
    RecordDigest,
    diff_digests,
    digest_parquet,
    read_digest,
    row_sha256,
    write_digest,
)
from builder.publish.target import PublishError
from builder.publish.versioning import (
    Level,
    bump_level,
    check_bump,
    classify,
    feature_leaves,
    newest_release,
    parse_version,
)


@pytest.fixture(scope="module")
def manifest(seed_build: Path) -> dict:
    return json.loads((seed_build / "manifest.json").read_text())


def _classify(old: dict, new: dict, records=None):
    return classify(previous_tag="v1.0.0", previous_manifest=old, manifest=new, records=records)


# -- versions --------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["1.2", "1.2.3-rc.1", "01.2.3", "v1.2", "latest", "1.2.3.4"])
def test_invalid_versions_are_refused(text: str) -> None:
    with pytest.raises(PublishError, match="not a semantic version"):
        parse_version(text)


def test_newest_release_ignores_tags_that_are_not_releases() -> None:
    tags = ["v1.2.0", "v1.10.0", "v1.9.3", "nightly", "v2.0.0-rc.1", "release-3.0.0"]
    assert newest_release(tags) == semver.Version.parse("1.10.0")
    assert newest_release(["nightly"]) is None


def test_bump_level_is_the_highest_part_that_went_up() -> None:
    v = semver.Version.parse
    assert bump_level(v("1.2.3"), v("2.0.0")) is Level.MAJOR
    assert bump_level(v("1.2.3"), v("1.3.0")) is Level.MINOR
    assert bump_level(v("1.2.3"), v("1.2.4")) is Level.PATCH
    assert bump_level(v("1.2.3"), v("1.2.3")) is None
    assert bump_level(v("1.2.3"), v("1.1.9")) is None


# -- change classification ---------------------------------------------------------------
def test_identical_data_is_a_patch(manifest: dict) -> None:
    change = _classify(manifest, copy.deepcopy(manifest))
    assert change.level is Level.PATCH
    assert change.reasons() == []
    assert "no change to the data" in change.summary()


def test_removed_field_is_major(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    del new["features"]["raw_sha256"]
    change = _classify(manifest, new)
    assert change.level is Level.MAJOR
    assert change.fields_removed == ["raw_sha256"]


def test_renamed_nested_field_is_major_and_named(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    new["features"]["source"]["outlet"] = new["features"]["source"].pop("publisher")
    change = _classify(manifest, new)
    assert change.level is Level.MAJOR
    assert change.fields_removed == ["source.publisher"]
    assert change.fields_added == ["source.outlet"]


def test_retyped_field_is_major(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    new["features"]["entities"]["feature"]["start"]["dtype"] = "int64"
    change = _classify(manifest, new)
    assert change.level is Level.MAJOR
    assert change.fields_retyped == ["entities.start: list<int32> -> list<int64>"]


def test_changed_label_list_is_major(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    new["features"]["genre"]["names"] = [*new["features"]["genre"]["names"], "opinion"]
    change = _classify(manifest, new)
    assert change.level is Level.MAJOR
    assert change.labels_changed and change.labels_changed[0].startswith("genre:")


def test_added_field_or_split_is_minor(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    new["features"]["word_count"] = {"dtype": "int32", "_type": "Value"}
    assert _classify(manifest, new).level is Level.MINOR
    new = copy.deepcopy(manifest)
    new["splits"]["extra"] = {"num_examples": 1}
    assert _classify(manifest, new).splits_added == ["extra"]
    assert _classify(manifest, new).level is Level.MINOR


def test_removed_split_is_major(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    del new["splits"]["test"]
    assert _classify(manifest, new).level is Level.MAJOR


def _config_change(old: list[str], new: list[str], manifest: dict):
    return classify(
        previous_tag="v1.0.0",
        previous_manifest=manifest,
        manifest=copy.deepcopy(manifest),
        records=None,
        previous_configs=old,
        configs=new,
    )


def test_configs_added_where_there_were_none_are_minor(manifest: dict) -> None:
    # no `configs:` means datasets' implicit "default" config: naming it changes nothing
    assert _config_change([], ["default"], manifest).level is Level.PATCH
    change = _config_change([], ["default", "headlines"], manifest)
    assert change.configs_added == ["headlines"] and change.configs_removed == []
    assert change.level is Level.MINOR
    assert "config 'headlines' added" in [text for _, text in change.reasons()]


def test_removing_all_configs_is_major(manifest: dict) -> None:
    change = _config_change(["full", "headlines"], [], manifest)
    assert change.configs_removed == ["full", "headlines"]
    assert change.level is Level.MAJOR
    # a card that drops an explicit "default" still serves the implicit one
    assert _config_change(["default"], [], manifest).level is Level.PATCH
    # replacing the implicit config by a named one breaks load_dataset(..., "default")
    assert _config_change([], ["full"], manifest).configs_removed == ["default"]


def test_changed_records_are_minor(manifest: dict) -> None:
    old = [RecordDigest("a", "train", "1"), RecordDigest("b", "train", "2")]
    new = [RecordDigest("a", "train", "1"), RecordDigest("b", "train", "3")]
    change = _classify(manifest, copy.deepcopy(manifest), diff_digests(old, new))
    assert change.level is Level.MINOR
    assert change.summary() == "1 record changed"


def test_without_previous_digests_differing_files_count_as_changed_records(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    shard = next(o for o in new["outputs"] if o["path"].endswith(".parquet"))
    shard["sha256"] = "0" * 64
    assert _classify(manifest, new).level is Level.MINOR
    assert _classify(manifest, copy.deepcopy(manifest)).level is Level.PATCH


def test_a_previous_release_without_manifest_needs_major(manifest: dict) -> None:
    change = classify(
        previous_tag="v0.3.0", previous_manifest=None, manifest=manifest, records=None
    )
    assert change.level is Level.MAJOR


def test_feature_leaves_cover_every_nested_field(manifest: dict) -> None:
    paths = {p for p, _t, _n in feature_leaves(manifest["features"])}
    assert {"id", "source.publisher", "entities.label", "edits.reason"} <= paths
    labels = {p: n for p, _t, n in feature_leaves(manifest["features"])}
    assert labels["genre"] == tuple(manifest["features"]["genre"]["names"])


def test_a_bump_smaller_than_the_change_is_refused_with_the_reason(manifest: dict) -> None:
    new = copy.deepcopy(manifest)
    del new["features"]["raw_sha256"]
    change = _classify(manifest, new)
    v = semver.Version.parse
    with pytest.raises(PublishError) as info:
        check_bump(v("1.0.0"), v("1.1.0"), change)
    message = str(info.value)
    assert "MAJOR" in message and "raw_sha256" in message and "2.0.0" in message
    assert check_bump(v("1.0.0"), v("2.0.0"), change) is Level.MAJOR
    with pytest.raises(PublishError, match="not greater"):
        check_bump(v("1.0.0"), v("1.0.0"), change)


# -- record digests ------------------------------------------------------------------------
digests = st.dictionaries(
    st.text("abcdef", min_size=1, max_size=4),
    st.tuples(st.sampled_from(["train", "test"]), st.sampled_from(["h1", "h2", "h3"])),
    max_size=30,
)


@given(digests, digests)
def test_diff_digests_matches_a_set_computation(old: dict, new: dict) -> None:
    def stream(d: dict) -> list[RecordDigest]:
        return [RecordDigest(k, *d[k]) for k in sorted(d)]

    diff = diff_digests(stream(old), stream(new))
    assert diff.added == len(new.keys() - old.keys())
    assert diff.removed == len(old.keys() - new.keys())
    common = old.keys() & new.keys()
    assert diff.changed == sum(old[k] != new[k] for k in common)
    assert diff.moved == sum(old[k][0] != new[k][0] for k in common)
    assert diff.unchanged == sum(old[k] == new[k] for k in common)


def test_unsorted_digest_is_an_error() -> None:
    with pytest.raises(ValueError, match="not sorted"):
        diff_digests([RecordDigest("b", "t", "1"), RecordDigest("a", "t", "1")], [])


def test_parquet_digest_is_sorted_complete_and_detects_one_changed_row(
    seed_build: Path, tmp_path: Path
) -> None:
    records = list(digest_parquet(seed_build / "data"))
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in (seed_build / "data").glob("*"))
    assert len(records) == rows
    assert [r.id for r in records] == sorted(r.id for r in records)
    # the digest file round-trips and is byte-identical when written twice
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    write_digest(records, a)
    write_digest(records, b)
    assert a.read_bytes() == b.read_bytes()
    assert list(read_digest(a)) == records
    # change one value of one row: only that record's digest changes
    data = tmp_path / "data"
    data.mkdir()
    for path in (seed_build / "data").glob("*.parquet"):
        table = pq.read_table(path)
        if path.name.startswith("train"):
            headlines = table.column("source").combine_chunks().field("headline").to_pylist()
            rows_ = table.to_pylist()
            rows_[0]["source"]["headline"] = (headlines[0] or "") + "!"
            table = pa.Table.from_pylist(rows_, schema=table.schema)
            changed_id = rows_[0]["id"]
        pq.write_table(table, data / path.name)
    diff = diff_digests(records, digest_parquet(data))
    assert (diff.added, diff.removed, diff.changed) == (0, 0, 1)
    assert diff.examples["changed"] == [changed_id]


def test_row_hash_is_independent_of_key_order() -> None:
    assert row_sha256({"a": 1, "b": [1, 2]}) == row_sha256({"b": [1, 2], "a": 1})
    assert row_sha256({"a": 1}) != row_sha256({"a": 2})


# -- the Versions section ----------------------------------------------------------------
def test_versions_section_lists_every_release_and_the_pinned_line() -> None:
    releases = [
        ReleaseEntry("1.1.0", "2026-02-01", None, "1 record added"),
        ReleaseEntry("1.0.0", "2026-01-01", "a" * 40, "first release: 5 records | x"),
    ]
    section = render_versions(load_name="org/name", version="1.1.0", releases=releases)
    assert section.startswith(START) and section.endswith(END)
    assert 'load_dataset("org/name", revision="v1.1.0")' in section
    assert "| v1.0.0 | 2026-01-01 | `aaaaaaaaaaaa` |" in section
    assert "5 records \\| x" in section  # a data value cannot break the table
    card = "---\na: 1\n---\n# T\n\n## Versions\n\n" + render_versions(
        load_name="org/name", version="1.0.0"
    )
    replaced = replace_versions(card, section)
    assert replaced.count(START) == 1 and "v1.0.0 | 2026-01-01" in replaced
    assert replaced.startswith("---\na: 1\n---\n# T\n")
    assert START in replace_versions("# no section\n", section)
