"""Pytest fixtures that point the real Hugging Face clients at a :class:`HubServer` on 127.0.0.1.

``huggingface_hub`` and ``datasets`` copy ``HF_ENDPOINT``, ``HF_HOME`` and friends into module
constants when they are imported, so setting environment variables inside a test is too late for
the current process. ``conftest.py`` sets safe values before any import (a closed loopback endpoint,
a temporary ``HF_HOME``, a dummy token, Xet off); :func:`configure_hub_clients` then re-points every
copied constant at the test's server and a fresh cache, and sets the environment variables too, so
that subprocesses (the CLI) start with the same settings.

Register the fixtures with ``pytest_plugins = ["hub_fixtures"]`` in a test module.
The loopback guard lives in ``netguard/loopback_guard.py`` (re-exported here), so that the
``sitecustomize`` next to it can install it in child Python processes without importing the
Hugging Face libraries.
PYTEST_DONT_REWRITE: test modules import this module before pytest registers it as a plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import datasets
import huggingface_hub
import pytest
from hubserver import HubServer
from huggingface_hub import HfApi, HfFileSystem, constants, hf_api
from loopback_guard import ForbiddenNetworkAccess, install_loopback_guard

__all__ = [
    "HUB_TOKEN",
    "ForbiddenNetworkAccess",
    "HubEnv",
    "configure_hub_clients",
    "hub_env",
    "hub_server",
    "install_loopback_guard",
]

HUB_TOKEN = "hf_hubserver_dummy_token"
"""The token every client call sends in hub tests; never a real one."""


@dataclass(frozen=True)
class HubEnv:
    """What a hub test needs: the server, its endpoint, the token and the per-test ``HF_HOME``."""

    server: HubServer
    endpoint: str
    token: str
    hf_home: Path

    @property
    def api(self) -> HfApi:
        """An ``HfApi`` bound explicitly to the server (does not rely on patched constants)."""
        return HfApi(endpoint=self.endpoint, token=self.token)


def configure_hub_clients(
    monkeypatch: pytest.MonkeyPatch, endpoint: str, hf_home: Path, token: str = HUB_TOKEN
) -> None:
    """Point ``huggingface_hub`` and ``datasets`` at ``endpoint`` with caches under ``hf_home``.

    Patches the module constants that were computed at import time, and sets the matching
    environment variables for subprocesses. Everything is undone by ``monkeypatch``.
    """
    hub_cache = str(hf_home / "hub")
    datasets_cache = hf_home / "datasets"
    downloads = datasets_cache / datasets.config.DOWNLOADED_DATASETS_DIR
    env = {
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(hf_home),
        "HF_TOKEN": token,
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_UPDATE_DOWNLOAD_COUNTS": "0",  # else datasets HEADs s3.amazonaws.com on every load
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in (
        "HF_HUB_OFFLINE",
        "HF_DATASETS_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_HUB_CACHE",
        "HF_DATASETS_CACHE",
        "HF_TOKEN_PATH",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_OIDC_RESOURCE",  # makes get_token() exchange an OIDC token instead of using HF_TOKEN
    ):
        monkeypatch.delenv(name, raising=False)

    hub_constants: dict[str, Any] = {
        "ENDPOINT": endpoint,
        "HUGGINGFACE_CO_URL_TEMPLATE": endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_URL_HOSTS": constants.HF_URL_HOSTS | {urlsplit(endpoint).hostname or ""},
        "HF_HOME": str(hf_home),
        "HF_HUB_CACHE": hub_cache,
        "HUGGINGFACE_HUB_CACHE": hub_cache,
        "HF_ASSETS_CACHE": str(hf_home / "assets"),
        "HUGGINGFACE_ASSETS_CACHE": str(hf_home / "assets"),
        "HF_XET_CACHE": str(hf_home / "xet"),
        "HF_TOKEN_PATH": str(hf_home / "token"),
        "HF_STORED_TOKENS_PATH": str(hf_home / "stored_tokens"),
        "AGENT_HARNESSES_PATH": str(hf_home / ".agent_harnesses.json"),
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_XET": True,  # a test server cannot speak Xet: use LFS basic transfer
        "HF_HUB_DISABLE_TELEMETRY": True,
    }
    for name, value in hub_constants.items():
        monkeypatch.setattr(constants, name, value)
    # The module-level HfApi behind huggingface_hub.list_repo_refs() & co. froze it at import.
    monkeypatch.setattr(hf_api.api, "endpoint", endpoint)

    datasets_config: dict[str, Any] = {
        "HF_ENDPOINT": endpoint,
        "HUB_DATASETS_URL": endpoint + "/datasets/{repo_id}/resolve/{revision}/{path}",
        "HF_DATASETS_CACHE": datasets_cache,
        "DOWNLOADED_DATASETS_PATH": downloads,
        "EXTRACTED_DATASETS_PATH": downloads / datasets.config.EXTRACTED_DATASETS_DIR,
        "HF_HUB_OFFLINE": False,
        "HF_DATASETS_OFFLINE": False,
        "USE_PARQUET_EXPORT": False,  # else datasets asks datasets-server.<host> for exports
        "HF_UPDATE_DOWNLOAD_COUNTS": False,
    }
    for name, value in datasets_config.items():
        monkeypatch.setattr(datasets.config, name, value)


@pytest.fixture
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    """A running :class:`HubServer` with an empty store; fails the test if the server hit a bug."""
    with HubServer(tmp_path_factory.mktemp("hub")) as server:
        yield server
    if server.errors:
        pytest.fail("the test Hub server failed:\n" + "\n".join(server.errors))


@pytest.fixture
def hub_env(
    hub_server: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HubEnv]:
    """Clients pointed at ``hub_server`` with a fresh ``HF_HOME`` and a dummy token."""
    hf_home = tmp_path / "hf_home"
    hf_home.mkdir()
    configure_hub_clients(monkeypatch, hub_server.endpoint, hf_home)
    # fsspec caches HfFileSystem instances by constructor arguments: drop those of other tests.
    HfFileSystem.clear_instance_cache()
    yield HubEnv(hub_server, hub_server.endpoint, HUB_TOKEN, hf_home)
    HfFileSystem.clear_instance_cache()
    huggingface_hub.close_session()  # close pooled connections before the server stops
