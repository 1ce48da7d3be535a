"""What the parent of a pooled build does itself, and when the pool starts: the pool
starts before the build's imports when the input looks big (and not for a small
one), and the parent names the cleaning steps on the card without building a
cleaner (the workers report them). The outputs are the same either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from corpus_helpers import make_corpus, tree_digest

from builder import processes
from builder.clean.pipeline import Cleaner
from builder.processes import EARLY_ARTICLES, looks_pooled


def test_the_seeds_do_not_look_pooled(seeds_copy: Path) -> None:
    assert not looks_pooled(seeds_copy)
    assert not looks_pooled(seeds_copy / "no-such-folder")


def test_more_articles_than_two_batches_look_pooled(tmp_path: Path) -> None:
    small = make_corpus(tmp_path / "small", 3).root
    articles = small / "articles"
    template = next(articles.iterdir()).read_bytes()
    for i in range(EARLY_ARTICLES - len(list(articles.iterdir()))):
        (articles / f"extra-{i:05d}.txt").write_bytes(template)
    assert not looks_pooled(small)  # exactly EARLY_ARTICLES files
    (articles / "one-more.txt").write_bytes(template)
    assert looks_pooled(small)


def test_big_side_records_look_pooled(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "c", 3).root
    assert not looks_pooled(root)
    with (root / "sources.jsonl").open("ab") as f:
        f.write(b"\n" * (processes.EARLY_BYTES + 1))
    assert looks_pooled(root)


def test_a_pooled_parent_names_the_steps_without_building_a_cleaner(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.pipeline import build

    config = yaml.safe_load((seeds_copy / "dataset.yaml").read_text(encoding="utf-8"))
    config.setdefault("output", {})["batch_size"] = 2  # three batches: run in the pool
    (seeds_copy / "dataset.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    inline = tmp_path / "inline"
    assert build(seeds_copy, inline, workers=1).ok
    built: list[int] = []
    real = Cleaner.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Cleaner], **kwargs: object) -> Cleaner:
        built.append(1)
        return real(cls, **kwargs)

    monkeypatch.setattr(Cleaner, "build", classmethod(counting))
    pooled = tmp_path / "pooled"
    result = build(seeds_copy, pooled, workers=2)
    assert result.ok and result.stats.timings.where["clean"] == "worker"
    assert built == []  # in this process: the workers built theirs
    card = (pooled / "README.md").read_text(encoding="utf-8")
    assert card == (inline / "README.md").read_text(encoding="utf-8")
    assert "whitespace" in card


def test_an_early_pool_builds_the_same_as_a_late_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.pipeline import build

    root = make_corpus(tmp_path / "c", 6, config={"output": {"batch_size": 2}}).root
    late = tmp_path / "late"
    assert build(root, late, workers=2).ok
    monkeypatch.setattr(processes, "EARLY_ARTICLES", 2)
    started: list[str] = []
    real_start = processes.LazyPool.start

    def recording(self: processes.LazyPool) -> None:
        if self.executor is None:
            started.append(sys._getframe(1).f_code.co_name)  # the caller
        real_start(self)

    monkeypatch.setattr(processes.LazyPool, "start", recording)
    early = tmp_path / "early"
    assert build(root, early, workers=2).ok
    assert started[0] == "_early_pool"
    assert tree_digest(early) == tree_digest(late)


def test_the_pools_workers_do_not_run_the_main_script_again(tmp_path: Path) -> None:
    """Like the ``builder`` command's script: its import of the command line (typer,
    rich) stays out of the workers, which run only this package's functions."""
    (tmp_path / "probe_mod.py").write_text(
        "import sys\n\n\ndef probe():\n"
        "    return sorted(m for m in ('typer', 'builder.cli') if m in sys.modules)\n",
        encoding="utf-8",
    )
    script = tmp_path / "main_script.py"
    script.write_text(
        "import sys\n"
        "from builder.cli import main\n"
        "if __name__ == '__main__':\n"
        "    from probe_mod import probe\n"
        "    from builder.processes import WARM_UP, spawn_pool\n"
        "    pool = spawn_pool(1, WARM_UP)\n"
        "    print(pool.submit(probe).result(), sys.modules['__main__'].__file__ == sys.argv[0])\n"
        "    pool.shutdown()\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        check=True,
    )
    assert done.stdout.split() == ["[]", "True"]  # and the parent's __file__ is back


def test_a_profiled_report_times_the_card_and_manifest(seeds_copy: Path, tmp_path: Path) -> None:
    """The card's work is in ``build_report.json`` (up to the report itself; the
    manifest, written after it, only in the table the build returns)."""
    import json

    from builder.pipeline import build

    result = build(seeds_copy, tmp_path / "out", profile=True)
    report = json.loads((tmp_path / "out" / "build_report.json").read_text(encoding="utf-8"))
    card = report["timings"]["card-and-manifest"]
    assert card["where"] == "parent" and card["records"] == 1
    assert 0 < card["cpu_seconds"] <= result.stats.timings.seconds["card-and-manifest"]
    assert report["timings"]["write-parquet"]["records"] == result.stats.stages["accepted"]
