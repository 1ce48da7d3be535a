"""``limits.max_record_bytes`` caps a JSON Lines line in every input that has lines: the
sources and the annotation files of each line-based format (native, doccano). Annotation
files were read with the default cap whatever the setting said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tool_exports import doccano_sequence_labeling, use_annotations, write_export

from builder.pipeline import validate


def _limit(seeds: Path, max_record_bytes: int) -> None:
    path = seeds / "dataset.yaml"
    config: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.setdefault("limits", {})["max_record_bytes"] = max_record_bytes
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))


def _doccano(seeds: Path) -> str:
    write_export(seeds / "export.jsonl", doccano_sequence_labeling(seeds), jsonl=True)
    use_annotations(seeds, {"path": "export.jsonl", "format": "doccano"})
    return "export.jsonl"


@pytest.mark.parametrize("shape", ["native", "doccano"])
def test_an_annotation_line_over_the_configured_cap_is_an_error_at_its_line(
    shape: str, seeds_copy: Path
) -> None:
    name = _doccano(seeds_copy) if shape == "doccano" else "annotations.jsonl"
    lengths = [len(line) for line in (seeds_copy / name).read_bytes().splitlines()]
    assert min(lengths) > 1024  # every seed record is longer than the cap set below
    _limit(seeds_copy, 1024)
    over = [i for i in validate(seeds_copy).report.errors if i.rule == "size-limit"]
    assert [(i.file, i.line) for i in over] == [(name, n) for n in range(1, len(lengths) + 1)]
    assert "longer than 1024 bytes (limits.max_record_bytes in dataset.yaml)" in over[0].message


def test_a_cap_above_every_line_reads_them_all(seeds_copy: Path) -> None:
    longest = max(
        len(line) for line in (seeds_copy / "annotations.jsonl").read_bytes().splitlines()
    )
    _limit(seeds_copy, longest)
    assert validate(seeds_copy).report.errors == []
    _limit(seeds_copy, longest - 1)
    assert [i.rule for i in validate(seeds_copy).report.errors] == ["size-limit"]
