"""What runs in a pool worker or a Ray task: one batch, then its privacy scan.

Kept apart from :mod:`builder.pipeline` on purpose: a spawned worker imports the
module of the function it runs, and the pipeline's imports (the card, Croissant,
publishing, ``datasets``) cost about a CPU second per worker that no batch uses.
The process pool and Ray run the same :func:`run_batch`.
"""

from __future__ import annotations

import pyarrow as pa

from .batch_context import Context
from .config import DatasetConfig
from .pii import PrivacyScanner, PrivacySummary, scan_column
from .process import BatchResult, BatchSpec, process_batch
from .row_figures import card_figures
from .signatures import FoldedTexts

__all__ = ["run_batch", "warm_up", "warm_up_stages"]


def warm_up() -> None:
    """A task submitted early: the pool starts its worker processes (and their
    imports) while the parent is still staging inputs."""
    # pyarrow's first ``pa.array`` imports pandas, when installed, only to ask whether
    # its input is a pandas object (some 0.35 CPU s): here, not in the first batch.
    pa.array([0])


#: A short article with a little furniture, for :func:`warm_up_stages`.
WARM_UP_TEXT = """Officials said on Tuesday that the talks in Geneva would resume next week.
"We are not there yet," the minister told reporters, adding that 3.5% was "a floor".
Share this article
Advertisement
Reporting by Jane Doe; editing by John Smith. Call +44 20 7946 0958 or write to desk@example.org.
"""


def warm_up_stages(ctx: Context) -> None:
    """Each stage's first use, made once in the pool's fork server, before it forks
    the workers: what a stage builds on its first call (the privacy scan's RE2
    prefilters, pyarrow's kernels and IPC writer for the row schema, the cleaner's
    lazily compiled patterns, the MinHash permutations) then comes with every
    worker, rather than each worker's first batch paying it (about 0.1 CPU s each
    on the bench's corpus). Nothing here changes what a batch makes: these are
    caches of pure functions."""
    for text in (WARM_UP_TEXT, WARM_UP_TEXT.lower()):
        ctx.cleaner.clean(text)
    folded = FoldedTexts([WARM_UP_TEXT])
    folded.text_keys()
    folded.signatures()
    table = ctx.codec.to_table([])
    card_figures(table)
    with pa.ipc.new_file(pa.BufferOutputStream(), ctx.codec.arrow_schema) as writer:
        writer.write_table(table)
    if ctx.config.privacy_scan:
        scan_column(_privacy_scanner(ctx.config), ["warm-up"], pa.array([WARM_UP_TEXT]))


def _privacy_scanner(config: DatasetConfig) -> PrivacyScanner:
    """The privacy scan the configuration asks for."""
    return PrivacyScanner(
        kinds=config.privacy_kinds, phone_regions=config.phone_regions, allow=config.privacy_allow
    )


def run_batch(spec: BatchSpec) -> tuple[BatchResult, PrivacySummary]:
    """One batch, then the privacy scan of the texts it will publish (same worker)."""
    result = process_batch(spec)
    config = Context.load(spec.config_path, spec.staging_path, spec.row_schema).config
    if not config.privacy_scan:
        return result, PrivacySummary()
    scanner = _privacy_scanner(config)
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
