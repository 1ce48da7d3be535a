"""A large ``splits.assignment`` (users pin a previous release's test set: 400,000 article
ids): read and checked once a build, its schema check by distinct value, its unmatched
names in one warning; every error still located at its entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.validate.schemas import SchemaStore

PINS = 3_000


def _pin_many(seeds_copy: Path, pins: dict[str, Any]) -> None:
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    anchor = "    004_85bdede9e1a8b346: train\n"
    assert anchor in text
    extra = "".join(f"    {key}: {value}\n" for key, value in pins.items())
    config.write_text(text.replace(anchor, anchor + extra), encoding="utf-8")


def _spy_config_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of ``splits.assignment`` in each configuration the schema checks."""
    sizes: list[int] = []
    real = SchemaStore.iter_errors

    def spy(self: SchemaStore, name: str, record: Any) -> Any:
        if name == "config":
            sizes.append(len(record["splits"].get("assignment", {})))
        return real(self, name, record)

    monkeypatch.setattr(SchemaStore, "iter_errors", spy)
    return sizes


def test_a_build_checks_its_configuration_once_and_by_distinct_split_names(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.pipeline import build

    _pin_many(seeds_copy, {f"gone_{i:06d}": ("train", "test")[i % 2] for i in range(PINS)})
    sizes = _spy_config_checks(monkeypatch)
    result = build(seeds_copy, tmp_path / "out")
    # one read (not one for the plan, one for the card, one for the batch), and the
    # validator walks one entry per distinct split name, not every entry
    assert len(sizes) == 1, sizes
    assert sizes[0] <= 3, sizes
    (warning,) = [i for i in result.report.issues if i.rule == "split-assignment"]
    assert (warning.pointer, warning.severity) == ("/splits/assignment", "warning")
    assert f"{PINS} names are no article id" in warning.message
    assert "'gone_000000'" in warning.message and f"and {PINS - 20} more" in warning.message


def _refused(seeds_copy: Path, bad: dict[str, str]) -> list[tuple[str, str, str]]:
    from builder.config import load_config
    from builder.errors import DataError

    _pin_many(seeds_copy, {f"ok_{i:05d}": "train" for i in range(PINS)} | bad)
    with pytest.raises(DataError) as failed:
        load_config(seeds_copy)
    return [(i.pointer, i.rule, i.message) for i in failed.value.report.issues]


def test_a_value_of_a_wrong_type_is_located_at_every_entry_that_holds_it(
    seeds_copy: Path,
) -> None:
    found = _refused(seeds_copy, {"number_b": "1", "listed": "[test]", "number_a": "1"})
    # the validator's order: by entry
    assert [f[:2] for f in found] == [
        ("/splits/assignment/listed", "type"),
        ("/splits/assignment/number_a", "type"),
        ("/splits/assignment/number_b", "type"),
    ]
    assert "quote it if it is text" in found[1][2]


def test_a_split_not_declared_is_located_at_every_entry_that_names_it(seeds_copy: Path) -> None:
    found = _refused(seeds_copy, {"typo_b": "trian", "typo_a": "trian"})
    assert [f[:2] for f in found] == [
        ("/splits/assignment/typo_b", "split-name"),
        ("/splits/assignment/typo_a", "split-name"),
    ]


def test_the_schema_check_of_assignment_gives_what_the_validator_gives(seeds_copy: Path) -> None:
    """The same errors, in the same order, as the validator run on the whole mapping."""
    from builder.config import _schema_errors, load_config

    raw = load_config(seeds_copy).raw
    assignment = {f"k{i}": v for i, v in enumerate(["train", "Bad Name", 3, None, "train", 3])}
    assignment |= {"a/b": "x y", "~": ["test"], "z": {"a": 1}}
    raw = {**raw, "splits": {**raw["splits"], "assignment": assignment}}
    store = SchemaStore.default()
    assert _schema_errors(store, raw) == store.errors("config", raw)
