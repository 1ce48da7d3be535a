"""The splits' Parquet written in threads (a build with workers): a writing's error
reaches the caller, and a failure or Ctrl-C meanwhile stops every writing thread
before the workspace goes, leaving no output and no thread behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus_helpers import make_corpus, tree_digest

from builder import build_folder, pipeline_stages
from builder.build_folder import WritingStopped
from builder.parquet import ShardTask
from builder.pipeline import build


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("write-parquet")]


def _workspaces(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.building-*"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("threads")
    make_corpus(root / "in", 300, config={"output": {"batch_size": 8}})
    return root / "in"


def test_an_error_in_a_writing_thread_fails_the_build_and_keeps_the_old_output(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    before = tree_digest(out)
    real = build_folder.write_shard

    def failing(task: ShardTask, staged: Iterator[Any], **kw: Any) -> Any:
        if task.split == "test":  # one thread fails after a few batches, the other runs on
            for _ in range(3):
                next(staged)
            raise RuntimeError("the disk caught fire")
        return real(task, staged, **kw)

    monkeypatch.setattr(build_folder, "write_shard", failing)
    with pytest.raises(RuntimeError, match="the disk caught fire"):
        build(corpus, out, workers=2)
    assert tree_digest(out) == before  # the previous build, untouched
    assert _workspaces(out) == []
    assert _writer_threads() == []


def test_ctrl_c_while_the_splits_are_written_stops_every_writing_thread(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = build_folder._staged_rows
    batches = threading.Event()
    stopped: list[str] = []

    def slow(*args: Any) -> Iterator[Any]:
        try:
            for item in real(*args):
                batches.set()
                time.sleep(0.02)  # a long write: ~40 batches a thread
                yield item
        except WritingStopped:
            stopped.append(threading.current_thread().name)
            raise

    def interrupted(*_args: Any, **_kw: Any) -> None:
        # the main thread is making the card while the writing threads run
        assert batches.wait(60)
        raise KeyboardInterrupt

    monkeypatch.setattr(build_folder, "_staged_rows", slow)
    monkeypatch.setattr(pipeline_stages, "write_metadata", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build(corpus, out, workers=2)
    # both writers ended early, at a batch, before build returned
    assert len(stopped) == 2
    assert _writer_threads() == []
    assert not out.exists() and _workspaces(out) == []
