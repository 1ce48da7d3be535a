"""Bounded retries for the Hub calls huggingface_hub does not retry itself.

huggingface_hub 2.4 retries the preupload call and the LFS batch/upload
requests (``http_backoff``: 408/429/5xx, timeouts, dropped connections), but
not ``create_repo``, ``list_repo_refs``, ``create_commit``'s final POST,
``create_tag`` or the tree and commit listings. Those go through :func:`call`.

Only idempotent calls are retried blindly. The commit is retried by
:mod:`.release`, which first checks whether the previous attempt landed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["DEFAULT", "RetryPolicy", "call", "retry_delay"]

T = TypeVar("T")
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # calls in all, the first one included
    base: float = 0.5  # first wait, doubled each time
    cap: float = 8.0  # longest wait without a Retry-After
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for


DEFAULT = RetryPolicy()


def _transport_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module, name in (("httpx2", "TransportError"), ("httpx", "TransportError")):
        with contextlib.suppress(ImportError, AttributeError):
            errors.append(getattr(__import__(module), name))
    try:
        import requests

        errors += [requests.ConnectionError, requests.Timeout]
    except ImportError:
        pass
    return tuple(errors)


_TRANSPORT = _transport_errors()


def _status(exc: BaseException) -> tuple[int | None, dict[str, str]]:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    return status, {str(k).lower(): str(v) for k, v in dict(headers).items()}


def retry_delay(exc: BaseException, attempt: int, policy: RetryPolicy = DEFAULT) -> float | None:
    """Seconds to wait before retrying after ``exc``; None when it is not transient."""
    if isinstance(exc, _TRANSPORT):
        return min(policy.cap, policy.base * 2 ** (attempt - 1))
    status, headers = _status(exc)
    if status not in TRANSIENT_STATUS:
        return None
    after = headers.get("retry-after", "")
    if after.strip().isdigit():
        seconds = float(after.strip())
        return seconds if seconds <= policy.max_retry_after else None
    return min(policy.cap, policy.base * 2 ** (attempt - 1))


def describe(exc: BaseException) -> str:
    status, _ = _status(exc)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"HTTP {status}: {first}" if status else f"{type(exc).__name__}: {first}"


def call(
    fn: Callable[[], T],
    *,
    what: str,
    policy: RetryPolicy = DEFAULT,
    on_retry: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``fn()``, retried on transient failures at most ``policy.attempts`` times in all."""
    attempt = 1
    while True:
        try:
            return fn()
        except Exception as exc:
            delay = retry_delay(exc, attempt, policy)
            if delay is None or attempt >= policy.attempts:
                raise
            if on_retry:
                on_retry(
                    f"{what}: {describe(exc)}; retrying in {delay:g}s "
                    f"(attempt {attempt + 1} of {policy.attempts})"
                )
            sleep(delay)
            attempt += 1
