"""The manifest's inputs rendered ahead (as a build does, beside its Parquet writing)
give the same manifest, byte for byte, as the inputs streamed into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tool_exports import use_annotations

from builder.manifest import render_inputs, write_manifest


def _entries(n: int) -> list[dict]:
    return [
        {"path": f"articles/é{i:03d}.txt", "sha256": f"{i:064x}", "bytes": 100 + i}
        for i in range(n)
    ]


def _manifest(folder: Path, inputs) -> tuple[bytes, dict]:
    folder.mkdir()
    (folder / "README.md").write_text("card\n", encoding="utf-8")
    returned = write_manifest(
        folder,
        toolkit={"name": "t", "version": "0"},
        dataset={"name": "d"},
        inputs=inputs,
        schemas=[{"path": "schema/a.json", "sha256": "0" * 64}],
        counts={"read": 3},
        splits={},
        features={},
    )
    return (folder / "manifest.json").read_bytes(), returned


def test_a_rendered_listing_writes_the_same_manifest(tmp_path: Path) -> None:
    for n in (0, 1, 5):
        streamed = _manifest(tmp_path / f"s{n}", iter(_entries(n)))
        listing = render_inputs(iter(_entries(n)), tmp_path / f"inputs{n}.json")
        assert listing.count == n
        rendered = _manifest(tmp_path / f"r{n}", listing)
        assert rendered == streamed
        assert rendered[1]["inputs_summary"] == {"count": n, "sha256": listing.sha256}


# -- inputs that change while the build reads them -----------------------------------------
def _change(seeds: Path, change: str) -> str:
    """Change one input as an editor's save or a syncing tool would; its name in messages."""
    if change == "folder":
        (seeds / "brat" / "zz_new.ann").write_text("T1\tPERSON 0 4\tiran\n", encoding="utf-8")
        return "brat/zz_new.ann"
    name = {"sources": "sources.jsonl", "config": "dataset.yaml"}[change]
    with (seeds / name).open("a", encoding="utf-8") as handle:
        handle.write("\n# saved again\n" if change == "config" else "\n")
    return name


@pytest.mark.parametrize("change", ["sources", "config", "folder"])
def test_an_input_changed_while_the_build_reads_it_fails_the_build(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Saved again in an editor, or a task file written into the annotation folder by a
    syncing tool (Label Studio's target storage), after the build read it: the manifest,
    listed later, would give a digest, or a file, the dataset was not built from."""
    from brat_helpers import seeds_to_brat

    from builder import pipeline_stages
    from builder.errors import DataError
    from builder.pipeline import build

    if change == "folder":
        seeds_to_brat(seeds_copy, seeds_copy / "brat")
        use_annotations(seeds_copy, {"path": "brat", "format": "brat"})
    listed = pipeline_stages.list_inputs
    changed: list[str] = []

    def list_after_a_change(*args: Any) -> Any:
        changed.append(_change(seeds_copy, change))
        return listed(*args)

    monkeypatch.setattr(pipeline_stages, "list_inputs", list_after_a_change)
    out = tmp_path / "out"
    with pytest.raises(DataError) as exc:
        build(seeds_copy, out)
    assert not out.exists()
    (issue,) = exc.value.report.errors
    assert issue.file == changed[0] and "changed while the build" in issue.message
