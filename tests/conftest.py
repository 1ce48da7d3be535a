"""Shared test setup.

The Hugging Face libraries read their endpoint, cache and token settings when
they are imported, so those are fixed here, before any test module imports
them: no test can reach huggingface.co or use a real stored token.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from hypothesis import settings

_HF_HOME = tempfile.mkdtemp(prefix="builder-tests-hf-")
atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)  # one per process, else /tmp fills
os.environ.update(
    {
        "HF_ENDPOINT": "http://127.0.0.1:9",  # nothing listens there; hub tests point at their server
        "HF_HOME": _HF_HOME,
        "HF_TOKEN": "hf_dummy_test_token",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_UPDATE_DOWNLOAD_COUNTS": "0",  # else load_dataset pings a download counter off loopback
        "HF_DATASETS_TRUST_REMOTE_CODE": "0",
        "TOKENIZERS_PARALLELISM": "false",
    }
)
os.environ.pop("HF_HUB_OFFLINE", None)
os.environ.pop("HF_DATASETS_OFFLINE", None)

# Property tests: no per-example deadline (these 2-core machines are shared: a slow example is
# load, not a failure; speed is measured in bench/), and in CI the same examples every run, so
# a red run is reproducible from its log.
settings.register_profile("project", deadline=None, print_blob=True)
settings.register_profile("ci", parent=settings.get_profile("project"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "project")

# Child Python processes (the CLI, scripts) inherit this: netguard/sitecustomize.py installs the
# loopback guard in each of them at start-up.
GUARD_DIR = Path(__file__).resolve().parent / "netguard"


def with_guard_path(pythonpath: str | None) -> str:
    """``pythonpath`` with the guard folder first (kept when already there)."""
    parts = [p for p in (pythonpath or "").split(os.pathsep) if p and p != str(GUARD_DIR)]
    return os.pathsep.join([str(GUARD_DIR), *parts])


os.environ["PYTHONPATH"] = with_guard_path(os.environ.get("PYTHONPATH"))

import subprocess  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(GUARD_DIR))

# No fallback: if the guard cannot be imported the session must not start unguarded.
from loopback_guard import install_loopback_guard  # type: ignore[import-not-found]  # noqa: E402

install_loopback_guard()  # now, before any test module (or plugin) imports a network client


def pytest_configure(config: pytest.Config) -> None:
    install_loopback_guard()  # idempotent; kept for plugins that reset socket functions


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The embedded seed dataset (read-only: copy it before changing anything)."""
    return SEEDS


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private, writable copy of the seed inputs."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest, ignore=shutil.ignore_patterns("tools", "__pycache__"))
    return dest


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once per session (treat as read-only)."""
    from builder.pipeline import build

    out = tmp_path_factory.mktemp("seed-build") / "dataset"
    build(SEEDS, out)
    return out


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment tests give a child Python process: the session's, plus ``extra``.

    The guard folder stays first on PYTHONPATH even when ``extra`` sets its own, so the
    child runs with the loopback guard.
    """
    env = {**os.environ, "COLUMNS": "200", **(extra or {})}
    env["PYTHONPATH"] = with_guard_path(env.get("PYTHONPATH"))
    return env


@pytest.fixture(name="child_env")
def child_env_fixture() -> Callable[[dict[str, str] | None], dict[str, str]]:
    """:func:`child_env`, for tests that start a Python child themselves."""
    return child_env


@pytest.fixture
def run_cli() -> Callable[..., CliResult]:
    """Run ``python -m builder ARGS`` in a subprocess, as a user would."""

    def run(
        *args: str,
        cwd: Path | None = None,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "builder", *args],
            cwd=cwd or ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_env(env),
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(autouse=True)
def _no_parquet_export() -> Iterator[None]:
    """datasets would ask datasets-server.<host> for Parquet exports: never."""
    import datasets

    previous = datasets.config.USE_PARQUET_EXPORT
    datasets.config.USE_PARQUET_EXPORT = False
    yield
    datasets.config.USE_PARQUET_EXPORT = previous
