"""What runs in a pool worker or a Ray task: one batch, then its privacy scan.

Kept apart from :mod:`builder.pipeline` on purpose: a spawned worker imports the
module of the function it runs, and the pipeline's imports (the card, Croissant,
publishing, ``datasets``) cost about a CPU second per worker that no batch uses.
The process pool and Ray run the same :func:`run_batch`.
"""

from __future__ import annotations

import pyarrow as pa

from .pii import PrivacyScanner, PrivacySummary, scan_column
from .process import BatchResult, BatchSpec, Context, process_batch

__all__ = ["run_batch", "warm_up"]


def warm_up() -> None:
    """A task submitted early: the pool starts its worker processes (and their
    imports) while the parent is still staging inputs."""
    # pyarrow's first ``pa.array`` imports pandas, when installed, only to ask whether
    # its input is a pandas object (some 0.35 CPU s): here, not in the first batch.
    pa.array([0])


def run_batch(spec: BatchSpec) -> tuple[BatchResult, PrivacySummary]:
    """One batch, then the privacy scan of the texts it will publish (same worker)."""
    result = process_batch(spec)
    config = Context.load(spec.config_path, spec.staging_path, spec.row_schema).config
    if not config.privacy_scan:
        return result, PrivacySummary()
    scanner = PrivacyScanner(
        kinds=config.privacy_kinds, phone_regions=config.phone_regions, allow=config.privacy_allow
    )
    with pa.memory_map(spec.rows_path) as source:
        table = pa.ipc.open_file(source).read_all()
        ids = table.column("id").to_pylist()
        # The texts stay one Arrow column: RE2 prefilters run over it in C++, and only
        # the few texts one matches become Python strings to scan.
        texts = table.column("text")
        del table
        with result.stats.timings.timed("privacy-scan", len(ids)):
            privacy = scan_column(scanner, ids, texts)
        del texts
    return result, privacy
