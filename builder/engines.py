"""Where the batches run: inline, a local process pool, or Ray (``--engine ray``).

Every engine runs the same top-level function on the same picklable
:class:`~builder.process.BatchSpec`, and the build takes the results in batch
order, so the output does not depend on the engine. Ray is an optional extra
(``pip install 'news-dataset-builder[ray]'``): the build starts a private local
Ray instance (``--workers`` CPUs, no dashboard, no usage statistics, bound to
127.0.0.1) unless it is given a cluster by ``--ray-address`` or ``RAY_ADDRESS``.
On a cluster, every node must see the inputs and the output's parent folder at
the same paths (a shared file system): tasks read the staging files and write
their row files there.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import UsageError

__all__ = ["ENGINES", "Engine", "ray_map", "start_local_ray"]

ENGINES = ("local", "ray")
S = TypeVar("S")
R = TypeVar("R")


@dataclass(frozen=True)
class Engine:
    """``name``: ``local`` (process pool of ``--workers``) or ``ray``.
    ``address``: a Ray cluster to join (default: ``RAY_ADDRESS``, else start one)."""

    name: str = "local"
    address: str | None = None

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise UsageError(
                f"--engine {self.name!r} is not an engine: choose one of {', '.join(ENGINES)}"
            )
        if self.address and self.name != "ray":
            raise UsageError("--ray-address needs --engine ray")


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError(
            "--engine ray needs Ray: pip install 'news-dataset-builder[ray]'"
        ) from None
    return ray


def start_local_ray(num_cpus: int) -> None:
    """A private single-machine Ray: loopback only, no dashboard, no usage statistics."""
    # Ray replaces 127.0.0.1 by the machine's reachable address unless its "no cluster"
    # switch is off (as on macOS): set it for the processes Ray starts (environment)
    # and for this one, which may have imported Ray already (its constant).
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray = _ray()
    constants = getattr(getattr(ray, "_private", None), "ray_constants", None)
    if constants is not None and hasattr(constants, "ENABLE_RAY_CLUSTER"):
        constants.ENABLE_RAY_CLUSTER = False
    ray.init(
        num_cpus=num_cpus,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=True,
        configure_logging=False,
    )


def _connect(engine: Engine, workers: int) -> bool:
    """Join the given cluster or start a local Ray; True when this call started it."""
    ray = _ray()
    if ray.is_initialized():  # the caller's own Ray session (a notebook, a test): use it
        return False
    address = engine.address or os.environ.get("RAY_ADDRESS")
    if address:
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
        try:
            ray.init(address=address, configure_logging=False)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise UsageError(f"cannot connect to the Ray cluster at {address}: {exc}") from None
        return True
    start_local_ray(workers)
    return True


def _result(ray: Any, ref: Any) -> Any:
    """A task's value; a task's exception is raised here as itself, as the pool does."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, BaseException):
            raise cause from None
        raise


def ray_map(
    fn: Callable[[S], R], specs: Iterator[S], *, engine: Engine, workers: int
) -> Iterator[R]:
    """``fn`` over ``specs`` as Ray tasks, results in order, a few tasks in flight per CPU
    (memory stays flat: specs are made as they are submitted)."""
    ray = _ray()
    started = _connect(engine, workers)
    pending: deque[Any] = deque()
    try:
        remote = ray.remote(num_cpus=1)(fn)
        window = 2 * max(1, int(ray.cluster_resources().get("CPU", workers)))
        for spec in specs:
            pending.append(remote.remote(spec))
            if len(pending) > window:
                yield _result(ray, pending.popleft())
        while pending:
            yield _result(ray, pending.popleft())
    finally:
        for ref in pending:  # an error or an interrupt: the queued batches are not run
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()
