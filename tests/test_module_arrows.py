"""Arrows point one way: the build stands on shared models and never imports the
publishing package; publishing reads the build's output, not the build's stages."""

from __future__ import annotations

import json
import subprocess
import sys


def _loaded_after(module: str) -> list[str]:
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('builder'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_the_build_imports_nothing_from_publishing() -> None:
    # builder.pipeline is a light entry that imports its stages when a build runs.
    loaded = _loaded_after("builder.pipeline_stages")
    assert "builder.card_versions" in loaded  # the card's Versions section, rendered by the build
    publishing = [m for m in loaded if m == "builder.publish" or m.startswith("builder.publish.")]
    assert not publishing, publishing


def test_publishing_does_not_import_the_build_stages() -> None:
    loaded = _loaded_after("builder.publish.release")
    stages = {
        "builder.pipeline",
        "builder.pipeline_stages",
        "builder.process",
        "builder.batches",
        "builder.clean.pipeline",
    }
    assert not stages & set(loaded), sorted(stages & set(loaded))
