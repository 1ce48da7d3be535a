"""The batch pool's processes: set up once, cheaply, for the work they do."""

from __future__ import annotations

import sys

from builder.processes import spawn_pool


def _worker_state() -> tuple[bool, bool, list[int]]:
    import pyarrow as pa

    table = pa.table({"n": pa.array([1, None, 3]), "s": pa.array(["a", "b", None])})
    before = "pandas" in sys.modules
    import pandas  # noqa: F401 - still importable for whoever wants it

    return before, "pandas" in sys.modules, table.column("n").to_pylist()


def test_pool_workers_run_pyarrow_without_importing_pandas() -> None:
    """pyarrow imports pandas on its first array only to ask whether the input is a
    pandas object (0.4-0.5 CPU s a worker); a pool worker never has one."""
    pool = spawn_pool(1)
    try:
        before, after, values = pool.submit(_worker_state).result(timeout=120)
    finally:
        pool.shutdown(wait=True)
    assert values == [1, None, 3]
    assert before is False  # arrays built, pandas never imported
    assert after is True  # pandas itself was not hidden from the process
