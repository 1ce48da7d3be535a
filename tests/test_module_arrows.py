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
        "builder.article_stages",
        "builder.batch_context",
        "builder.batches",
        "builder.clean.pipeline",
    }
    assert not stages & set(loaded), sorted(stages & set(loaded))


def test_a_pooled_builds_parent_does_not_import_the_cleaner() -> None:
    # The parent loads and checks the configuration and imports the batches' module
    # (for their specs), but only the workers clean: the cleaner's steps (ftfy, the
    # boilerplate rules) are imported once, by the fork server.
    code = (
        "import json, sys; from pathlib import Path; "
        "import builder.pipeline_stages, builder.process; "
        "from builder.config import load_config; load_config(Path('seeds')); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('builder', 'ftfy')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = set(json.loads(out.stdout))
    assert "builder.clean.options" in loaded  # the step names the configuration is checked against
    cleaner = {
        "builder.clean.pipeline",
        "builder.clean.text_fixes",
        "builder.clean.repetition",
        "ftfy",
    }
    assert not cleaner & loaded, sorted(cleaner & loaded)
