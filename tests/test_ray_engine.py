"""``--engine ray``: the same batches as Ray tasks give byte-identical output.

One local Ray instance with 2 CPUs serves the module (Ray takes seconds to
start), started the way the build starts its own (:func:`start_local_ray`).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

from corpus_helpers import make_corpus  # noqa: E402

from builder.engines import Engine, start_local_ray  # noqa: E402
from builder.pipeline import build  # noqa: E402

N_ARTICLES = 2000


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    start_local_ray(num_cpus=2)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def _data(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "data").glob("*.parquet"))}


def test_generated_corpus_on_ray_matches_the_local_pool(ray_address: str, tmp_path: Path) -> None:
    """A few thousand articles, two of them bad, in quarantine mode: the local pool
    reads the folder; Ray reads the same texts from a gzip JSON Lines shard."""
    corpus = make_corpus(tmp_path / "folder", n=N_ARTICLES, config={"output": {"batch_size": 64}})
    bad = corpus.ids[7], corpus.ids[1500]
    for aid in bad:
        (corpus.articles / f"{aid}.txt").write_bytes(b"   \n")
    local = build(corpus.root, tmp_path / "local", workers=2, quarantine=True)

    shards = tmp_path / "shards"
    shutil.copytree(corpus.root, shards)
    shutil.rmtree(shards / "articles")
    with gzip.open(shards / "articles.jsonl.gz", "wt", encoding="utf-8") as handle:
        for path in sorted(corpus.articles.glob("*.txt"), reverse=True):
            handle.write(json.dumps({"id": path.stem, "text": path.read_text("utf-8")}) + "\n")
    corpus.config["inputs"]["articles"] = "articles.jsonl.gz"
    corpus.root = shards
    corpus.write_config()

    seen: list[tuple[int, int]] = []
    on_ray = build(
        shards,
        tmp_path / "ray",
        workers=2,
        quarantine=True,
        engine=Engine("ray"),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert local.stats.stages["accepted"] == on_ray.stats.stages["accepted"] == N_ARTICLES - 2
    assert _data(tmp_path / "ray") == _data(tmp_path / "local")
    assert len(seen) == -(-N_ARTICLES // 64) and seen[-1] == (N_ARTICLES, N_ARTICLES)
    rejected = [
        json.loads(line)["id"]
        for line in (tmp_path / "ray" / "rejects.jsonl").read_text("utf-8").splitlines()
    ]
    assert rejected == list(bad)
    assert {i.rule for i in on_ray.report.issues if i.record in bad} == {
        i.rule for i in local.report.issues if i.record in bad
    }


def test_cli_on_a_ray_cluster_builds_the_seeds_byte_identical(
    ray_address: str,
    seed_build: Path,
    tmp_path: Path,
    run_cli: Callable[..., object],
) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "build",
        "--input",
        "seeds",
        "--out",
        str(out),
        "--engine",
        "ray",
        "--ray-address",
        ray_address,
    )
    assert result.code == 0, result.stderr  # type: ignore[attr-defined]
    assert _data(out) == _data(seed_build)


def test_cli_engine_errors_are_usage_errors(run_cli: Callable[..., object], tmp_path: Path) -> None:
    result = run_cli("build", "--out", str(tmp_path / "o"), "--engine", "spark")
    assert result.code == 2  # type: ignore[attr-defined]
    assert "--engine 'spark' is not an engine" in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]


def test_a_bad_article_in_a_ray_build_is_located_exit_1_no_traceback(
    ray_address: str, tmp_path: Path, run_cli: Callable[..., object]
) -> None:
    corpus = make_corpus(tmp_path / "c", n=4)
    bad = corpus.ids[2]
    (corpus.articles / f"{bad}.txt").write_bytes(b"\xff\xfe not UTF-8")
    out = tmp_path / "out"
    args = ("build", "--input", str(corpus.root), "--out", str(out))
    result = run_cli(*args, "--engine", "ray", "--ray-address", ray_address)
    assert result.code == 1, result.stderr  # type: ignore[attr-defined]
    assert f"{bad}.txt" in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert not out.exists()
    local = run_cli(*args)  # the local pool says the same
    assert local.code == 1  # type: ignore[attr-defined]
    assert _located(local.stderr) == _located(result.stderr)  # type: ignore[attr-defined]


def _located(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if ".txt" in line)


def test_exceptions_in_ray_tasks_reach_the_cli_as_the_local_pool_gives_them(
    ray_address: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A task's own exception arrives as itself (not wrapped by Ray): a build error
    is reported with its located issues and exit 1, any other error is an internal
    error, exit 3, in one line; the tasks still queued are cancelled."""
    import typer

    from builder.cli import run_guarded
    from builder.config import load_config
    from builder.engines import ray_map

    bad = tmp_path / "dataset.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    ray_engine = Engine("ray")
    with pytest.raises(typer.Exit) as exit_data:
        run_guarded(lambda: list(ray_map(load_config, iter([bad]), engine=ray_engine, workers=2)))
    assert exit_data.value.exit_code == 1
    stderr = capfd.readouterr().err
    assert "dataset.yaml" in stderr and "yaml-syntax" in stderr
    assert "Traceback" not in stderr and "RayTaskError" not in stderr

    specs = iter(["1", "x", *map(str, range(20))])
    with pytest.raises(typer.Exit) as exit_internal:
        run_guarded(lambda: list(ray_map(json.loads, specs, engine=ray_engine, workers=2)))
    assert exit_internal.value.exit_code == 3
    stderr = capfd.readouterr().err
    # One message (the console may wrap it to its width), no traceback.
    said = " ".join(stderr.split())
    assert said.startswith("internal error"), stderr
    assert said.endswith("JSONDecodeError: Expecting value: line 1 column 1 (char 0)"), stderr
    assert "Traceback" not in stderr
    assert next(specs) != "19"  # stopped at the error: not every spec was submitted
