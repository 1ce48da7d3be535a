"""Retry timing: growing backoff, Retry-After as seconds or HTTP-date, and too-long waits."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field

import pytest

from builder.publish import retry
from builder.publish.retry import RetryAfterTooLong, RetryPolicy, retry_after, retry_delay
from builder.publish.target import PublishError

POLICY = RetryPolicy(attempts=5, base=0.5, cap=4.0, max_retry_after=120.0)


@dataclass
class _Response:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class _HTTPError(Exception):
    """Shaped like huggingface_hub's HfHubHTTPError: the response hangs off the exception."""

    def __init__(self, status: int, **headers: str) -> None:
        super().__init__(f"HTTP {status}")
        self.response = _Response(status, {k.replace("_", "-"): v for k, v in headers.items()})


def test_backoff_doubles_then_stays_at_the_cap() -> None:
    waits = [retry_delay(_HTTPError(503), attempt, POLICY) for attempt in range(1, 7)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [retry_delay(ConnectionResetError(), a, POLICY) for a in (1, 2, 3)] == [0.5, 1.0, 2.0]


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(" 0 ") == 0.0
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)  # "Fri, 15 Jan 2027 08:00:30 GMT"
    assert retry_after(date, now=now) == pytest.approx(30.0)
    assert retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0.0
    assert retry_after("soon") is None and retry_after("") is None and retry_after("nan") is None


def test_retry_delay_honours_retry_after_exactly_in_either_form() -> None:
    assert retry_delay(_HTTPError(429, Retry_After="3"), 1, POLICY) == 3.0
    date = email.utils.formatdate(time.time() + 10, usegmt=True)
    delay = retry_delay(_HTTPError(503, Retry_After=date), 1, POLICY)
    assert delay is not None and 8.0 <= delay <= 10.0  # the date has whole seconds
    assert retry_delay(_HTTPError(429, Retry_After="whenever"), 2, POLICY) == 1.0  # backoff
    assert retry_delay(_HTTPError(404, Retry_After="3"), 1, POLICY) is None  # not transient


def test_a_retry_after_beyond_the_maximum_fails_at_once_saying_how_long() -> None:
    with pytest.raises(RetryAfterTooLong, match=r"HTTP 429: the server asked to wait 3600s"):
        retry_delay(_HTTPError(429, Retry_After="3600"), 1, POLICY)
    date = email.utils.formatdate(time.time() + 7200, usegmt=True)
    sleeps: list[float] = []
    calls: list[int] = []

    def busy() -> None:
        calls.append(1)
        raise _HTTPError(503, Retry_After=date)

    with pytest.raises(PublishError) as failed:
        retry.call(busy, what="creating tag v1.0.0", policy=POLICY, sleep=sleeps.append)
    message = str(failed.value)
    assert message.startswith("creating tag v1.0.0: HTTP 503: the server asked to wait 7")
    assert "longer than the 120s this tool waits; try again after 20" in message
    assert calls == [1] and sleeps == []  # no retry against the server's wish, no long wait


def test_call_waits_the_growing_backoff_between_attempts() -> None:
    sleeps: list[float] = []
    messages: list[str] = []
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 4:
            raise _HTTPError(500)
        return "ok"

    assert retry.call(flaky, what="x", policy=POLICY, on_retry=messages.append, sleep=sleeps.append)
    assert sleeps == [0.5, 1.0, 2.0]
    assert messages[-1] == "x: HTTP 500: HTTP 500; retrying in 2s (attempt 4 of 5)"
