"""Imported once by the pool's fork server (see :func:`builder.processes.spawn_pool`):
the batches' modules, and pyarrow set up without pandas, which every worker forked
from the server then has without importing them again; and, when the build named
its input (:data:`builder.processes.PRELOAD_INPUT`), what every batch process builds
before its first batch (:func:`builder.batch_context.prebuild`), built once for all, and
the stages' first uses (:func:`builder.batch_worker.warm_up_stages`) made once."""

from __future__ import annotations

import contextlib
import os

from . import batch_worker  # imported for the workers forked from here
from .batch_context import prebuild
from .clean import pipeline  # noqa: F401 - the cleaner's modules (batch_context.py imports them late)
from .processes import PRELOAD_INPUT, pyarrow_without_pandas

pyarrow_without_pandas()
if os.environ.get(PRELOAD_INPUT):
    # a bad input is the build's to report; the workers then build their own
    with contextlib.suppress(Exception):
        prebuilt = prebuild(os.environ[PRELOAD_INPUT])
        if prebuilt is not None:
            batch_worker.warm_up_stages(prebuilt)
