"""Imported once by the pool's fork server (see :func:`builder.processes.spawn_pool`):
the batches' modules, and pyarrow set up without pandas, which every worker forked
from the server then has without importing them again."""

from __future__ import annotations

from . import batch_worker  # noqa: F401 - imported for the workers forked from here
from .processes import pyarrow_without_pandas

pyarrow_without_pandas()
