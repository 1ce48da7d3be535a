"""Long lists in messages: the first few items, then how many more.

A message that names every duplicate, mismatch or ignored file of a large input
grows with the input; these name a fixed number and count the rest, one way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["first_and_more"]


def first_and_more(
    items: Sequence[str],
    *,
    limit: int,
    join: Callable[[Sequence[str]], str] = ", ".join,
    more: str = " and {} more",
) -> str:
    """``items`` joined by ``join`` when at most ``limit``, else the first ``limit``
    joined and ``more`` formatted with how many were left out.

    >>> first_and_more(["a", "b", "c"], limit=2)
    'a, b and 1 more'
    >>> first_and_more(["a", "b"], limit=2, join=str)
    "['a', 'b']"
    """
    shown = join(items[:limit])
    left = len(items) - limit
    return shown + more.format(left) if left > 0 else shown
