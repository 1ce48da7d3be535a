"""examples/train_ner.py: a release feeds a CRF tagger with no glue, scored with seqeval."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hub_fixtures import HubEnv
from publish_helpers import Releases

from builder.publish.hub import HubTarget
from builder.publish.release import publish
from builder.publish.retry import RetryPolicy

pytest_plugins = ["hub_fixtures", "publish_helpers"]

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "train_ner.py"
F1_LINE = re.compile(r"(?m)^f1: (\d\.\d{4})$")


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_ner", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_ner"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_spans_become_bio_tags_on_token_offsets() -> None:
    ner = _example()
    text = "Benny Gantz met Joe Biden in Tel-Aviv's port."
    names = ["PERSON", "GPE"]
    spans = [
        {"start": 0, "end": 11, "label": 0},  # Benny Gantz
        {"start": 16, "end": 25, "label": 0},  # Joe Biden
        {"start": 29, "end": 37, "label": 1},  # Tel-Aviv (inside the token Tel-Aviv's)
    ]
    tokens = ner.tokenize(text)
    assert [t.text for t in tokens] == [
        "Benny",
        "Gantz",
        "met",
        "Joe",
        "Biden",
        "in",
        "Tel-Aviv's",
        "port",
        ".",
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert ner.bio_tags(tokens, spans, names) == [
        "B-PERSON",
        "I-PERSON",
        "O",
        "B-PERSON",
        "I-PERSON",
        "O",
        "B-GPE",
        "O",
        "O",
    ]
    # Two adjacent spans of one label stay two entities (B then B).
    adjacent = [{"start": 0, "end": 5, "label": 0}, {"start": 6, "end": 11, "label": 0}]
    assert ner.bio_tags(tokens[:2], adjacent, names) == ["B-PERSON", "B-PERSON"]


def test_trains_on_the_seed_build_and_prints_seqeval_scores(
    seed_build: Path, child_env: object, tmp_path: Path
) -> None:
    env = child_env({"HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1"})  # type: ignore[operator]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(seed_build), "--iterations", "50"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"precision +recall +f1-score +support", proc.stdout)  # seqeval's report
    scores = F1_LINE.findall(proc.stdout)
    assert len(scores) == 1, proc.stdout
    assert 0.0 <= float(scores[0]) <= 1.0
    assert "trained a CRF on 3 articles" in proc.stdout


def test_loads_a_pinned_revision_from_the_hub(
    hub_env: HubEnv, releases: Releases, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = RetryPolicy(attempts=4, base=0.05, cap=0.2)
    with HubTarget("org/news", endpoint=hub_env.endpoint, policy=policy) as target:
        publish(releases.v100, target, policy=policy, accept_redistribution_risk=True)
        publish(releases.v110, target, policy=policy, accept_redistribution_risk=True)
    ner = _example()
    assert ner.main(["--repo", "org/news", "--revision", "v1.0.0", "--iterations", "20"]) == 0
    out = capsys.readouterr().out
    assert F1_LINE.search(out), out
    assert "trained a CRF on 3 articles" in out
    assert any("/resolve/v1.0.0/" in r.path for r in hub_env.server.requests)
