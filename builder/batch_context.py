"""What every batch in one process shares, built once per process: the configuration
as read, the schemas' validators, the row codec and its table check, and the cleaner
(built on first use). The pool's fork server builds it ahead for the workers it forks
(:func:`prebuild`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from .config import DatasetConfig, config_as_read, load_config
from .features import RowCodec
from .publisher_lines import repeated_lines
from .validate.schemas import SchemaStore
from .validate.table import TableCheck

if TYPE_CHECKING:
    from .clean.pipeline import Cleaner

__all__ = ["Context", "prebuild", "row_schema_bytes", "table_check"]


@dataclass
class Context:
    """What every batch in one process shares (built once per process).

    The cleaner is built on first use: its rules compile in about half a CPU
    second, which the parent of a pooled build, whose card only names the cleaning
    steps, does not spend (the workers report the names: :class:`BatchResult`)."""

    config: DatasetConfig
    store: SchemaStore
    codec: RowCodec
    make_cleaner: Callable[[], Cleaner]

    @cached_property
    def cleaner(self) -> Cleaner:
        return self.make_cleaner()

    @property
    def step_names(self) -> list[str]:
        """The cleaning steps, in order (the cleaner's: built now if it was not)."""
        return [s.name for s in self.cleaner.steps]

    @staticmethod
    @cache
    def load(
        config_path: str, staging_path: str | None = None, row_schema: bytes | None = None
    ) -> Context:
        """``staging_path``: the build's staging database, which holds the publisher
        pre-pass table when ``cleaning.publisher_repetition`` is on; ``row_schema``:
        :attr:`RowCodec.arrow_schema` serialized (see :attr:`BatchSpec.row_schema`)."""
        config = config_as_read(Path(config_path))
        ready = _PREBUILT.get(row_schema) if row_schema is not None else None
        if ready is not None and ready[0].config == config and ready[1] == _rule_bytes(config):
            return ready[0]  # built by the fork server this worker was forked from
        return _context(config, SchemaStore.default(), staging_path, row_schema)


def _context(
    config: DatasetConfig, store: SchemaStore, staging_path: str | None, row_schema: bytes | None
) -> Context:
    arrow_schema = None if row_schema is None else pa.ipc.read_schema(pa.py_buffer(row_schema))
    codec = RowCodec(store.schemas["row"], _label_sets(config), arrow_schema)
    return Context(config, store, codec, partial(_build_cleaner, config, staging_path))


#: Contexts built ahead by the pool's fork server (:func:`prebuild`), by their row
#: schema, with the bytes of their configuration's rule files.
_PREBUILT: dict[bytes, tuple[Context, tuple[bytes, ...]]] = {}


def _rule_bytes(config: DatasetConfig) -> tuple[bytes, ...] | None:
    """The configuration's own rule files as they are now (None: one is unreadable)."""
    try:
        return tuple(path.read_bytes() for path in config.rule_files)
    except OSError:
        return None


def prebuild(input_dir: str) -> Context | None:
    """Build, once, what every batch process builds before its first batch: the
    cleaner (its rules compile in about a quarter of a CPU second), the row check and
    the schemas' validators. The pool's fork server calls this before it forks the
    workers, which then share it rather than each build its own (two workers built
    theirs at the same time, on the build's critical path). A worker uses it only
    when its own reading of the configuration (and of the rule files) is equal to
    this one, so a file edited meanwhile is read afresh; a cleaner that depends on
    the staging (``cleaning.publisher_repetition``) is not built ahead. Returns the
    context built (None: nothing was)."""
    config = load_config(Path(input_dir))
    rules = _rule_bytes(config)
    if config.publisher_repetition or rules is None:
        return None
    store = SchemaStore.default()
    row_schema = row_schema_bytes(config, store)
    ctx = _context(config, store, None, row_schema)
    ctx.cleaner  # noqa: B018 - built now, for every worker
    table_check(ctx.codec)
    for name in store.schemas:
        try:
            store.specialized(name), store.compiled(name), store.reference(name)
        except Exception:  # a warm-up: a worker that needs it meets the error itself
            continue
    _PREBUILT[row_schema] = (ctx, rules)
    return ctx


def _build_cleaner(config: DatasetConfig, staging_path: str | None) -> Cleaner:
    # imported here: a parent whose batches run in the pool never builds a cleaner,
    # and the cleaner's modules (ftfy, regex, the rules) cost it some 0.3 CPU s
    from .clean.pipeline import Cleaner

    repeated = (
        repeated_lines(staging_path)
        if config.publisher_repetition and staging_path is not None
        else None
    )
    return Cleaner.build(
        step_names=config.cleaning_steps,
        rule_files=config.rule_files,
        detokenize=config.detokenize,
        repeated_lines=repeated,
    )


def _label_sets(config: DatasetConfig) -> dict[str, list[str]]:
    return {n: config.label_set(n) for n in ("entity", "genre", "text_form")}


def row_schema_bytes(config: DatasetConfig, store: SchemaStore) -> bytes:
    """The rows' Arrow schema, serialized for :attr:`BatchSpec.row_schema`."""
    codec = RowCodec(store.schemas["row"], _label_sets(config))
    return codec.arrow_schema.serialize().to_pybytes()


@cache
def table_check(codec: RowCodec) -> TableCheck:
    return TableCheck(codec)
