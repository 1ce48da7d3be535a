"""The manifest's inputs rendered ahead (as a build does, beside its Parquet writing)
give the same manifest, byte for byte, as the inputs streamed into it."""

from __future__ import annotations

from pathlib import Path

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
