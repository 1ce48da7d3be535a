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
import datetime as dt
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .target import PublishError

__all__ = [
    "DEFAULT",
    "RetryAfterTooLong",
    "RetryPolicy",
    "call",
    "is_transient",
    "retry_after",
    "retry_delay",
]

T = TypeVar("T")
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # calls in all, the first one included
    base: float = 0.5  # first wait, doubled each time
    cap: float = 8.0  # longest wait without a Retry-After
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for: see RetryAfterTooLong


DEFAULT = RetryPolicy()


class RetryAfterTooLong(PublishError):
    """The server asked for a longer pause than ``max_retry_after``.

    Failing at once, saying how long and until when, beats both hanging for
    an unbounded time and retrying early against the server's explicit wish
    (which would only earn another 429).
    """

    def __init__(self, seconds: float, limit: float, context: str = "") -> None:
        until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
        super().__init__(
            (f"{context}: " if context else "")
            + f"the server asked to wait {seconds:.0f}s before retrying (Retry-After), longer "
            f"than the {limit:g}s this tool waits; try again after "
            f"{until:%Y-%m-%d %H:%M:%S} UTC"
        )
        self.seconds = seconds
        self.limit = limit


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


def retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for: delta-seconds or an HTTP-date (RFC 9110).

    A date in the past means "now" (0). None when the value is neither.
    """
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive result means "-0000"
            when = when.replace(tzinfo=dt.timezone.utc)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def backoff(attempt: int, policy: RetryPolicy = DEFAULT) -> float:
    """The wait after failed attempt number ``attempt`` (1-based): doubling, capped."""
    return min(policy.cap, policy.base * 2 ** (max(1, attempt) - 1))


def retry_delay(exc: BaseException, attempt: int, policy: RetryPolicy = DEFAULT) -> float | None:
    """Seconds to wait before retrying after ``exc``; None when it is not transient.

    A Retry-After is honoured exactly; one longer than ``policy.max_retry_after``
    raises :class:`RetryAfterTooLong`.
    """
    if isinstance(exc, _TRANSPORT):
        return backoff(attempt, policy)
    status, headers = _status(exc)
    if status not in TRANSIENT_STATUS:
        return None
    seconds = retry_after(headers.get("retry-after", ""))
    if seconds is None:
        return backoff(attempt, policy)
    if seconds > policy.max_retry_after:
        raise RetryAfterTooLong(seconds, policy.max_retry_after, f"HTTP {status}")
    return seconds


def is_transient(exc: BaseException, policy: RetryPolicy = DEFAULT) -> bool:
    """Whether ``exc`` is worth retrying (a too-long Retry-After counts: :func:`call` says so)."""
    try:
        return retry_delay(exc, 1, policy) is not None
    except RetryAfterTooLong:
        return True


def describe(exc: BaseException) -> str:
    """One line for a message: the status, the client's summary and the server's own reason.

    The server's text is arbitrary (it may even echo the request's credentials): callers
    redact the result before showing it (:meth:`.target.ReleaseTarget.redact`).
    """
    status, _ = _status(exc)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    text = f"HTTP {status}: {first}" if status else f"{type(exc).__name__}: {first}"
    reason = " ".join(str(getattr(exc, "server_message", None) or "").split())
    if reason and reason not in text:
        text += f" (server says: {reason[:300]})"
    return text


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
            try:
                delay = retry_delay(exc, attempt, policy)
            except RetryAfterTooLong as too_long:
                context = f"{what}: HTTP {_status(exc)[0]}"
                raise RetryAfterTooLong(too_long.seconds, too_long.limit, context) from None
            if delay is None or attempt >= policy.attempts:
                raise
            if on_retry:
                on_retry(
                    f"{what}: {describe(exc)}; retrying in {delay:g}s "
                    f"(attempt {attempt + 1} of {policy.attempts})"
                )
            sleep(delay)
            attempt += 1
