"""Writing the splits as Hub-style Parquet shards with one fixed schema.

Rows arrive from the staged batch files in article-id order; each split is cut
into ``data/{split}-{i:05d}-of-{n:05d}.parquet`` shards of at most
``shard_max_bytes`` (uncompressed row bytes), row groups of at most
``row_group_max_bytes``, with a page index. Nothing in a file depends on the
clock, so the same rows give the same bytes.

Which rows go to which shard is planned first (:func:`plan_shards`, from each row's
split and size): every shard is then written on its own (:func:`write_shard`), in
as many threads as there are cores, in the same bytes as one after another. One
writer per split would leave the largest split (most often 80% of the rows) to
one thread.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "Compression",
    "ShardFile",
    "ShardTask",
    "WrittenShard",
    "plan_shards",
    "shard_name",
    "write_shard",
]

PARQUET_OPTIONS = {
    "write_page_index": True,
    "write_statistics": True,
    "use_dictionary": True,
    "data_page_size": 1 << 20,
}


#: zstd's level when none is set: what every build before the setting wrote
ZSTD_LEVEL = 9


@dataclass(frozen=True)
class Compression:
    """The shards' Parquet codec and level (``output.compression``,
    ``output.compression_level``; None: zstd's :data:`ZSTD_LEVEL`, another codec's own)."""

    codec: str = "zstd"
    level: int | None = None

    def writer_options(self) -> dict[str, object]:
        level = ZSTD_LEVEL if self.level is None and self.codec == "zstd" else self.level
        if level is None or self.codec == "none":
            return {"compression": self.codec}
        return {"compression": self.codec, "compression_level": level}


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


@dataclass
class WrittenShard:
    split: str
    path: Path
    rows: int
    row_bytes: int


@dataclass(frozen=True)
class ShardTask:
    """One shard of a split, to be written on its own: the split's rows from the
    ``skip``-th of the split's rows in batch ``first_batch`` (batches counted over
    every staged rows file, in order), ``rows`` of them."""

    split: str
    index: int
    count: int
    first_batch: int
    skip: int
    rows: int
    row_bytes: int

    @property
    def name(self) -> str:
        return shard_name(self.split, self.index, self.count)


@dataclass
class _OpenShard:
    first_batch: int
    skip: int
    rows: int = 0
    row_bytes: int = 0


def plan_shards(
    facts: Iterable[tuple[str, int]],
    batch_rows: Sequence[int],
    *,
    split_bytes: dict[str, int],
    shard_max_bytes: int,
) -> list[ShardTask]:
    """Cut every split of ``split_bytes`` (name -> its rows' bytes) into shards of
    about equal bytes, from each row's (split, bytes) in id order and each staged
    batch's number of rows. A split of B bytes gets ``ceil(B / shard_max_bytes)``
    shards' worth of bytes each; a shard ends before the row that would take it past
    that (it may make one shard more). Each shard's rows are then known, so shards
    can be written in parallel, each in the same bytes as written one after another.

    >>> facts = [("train", 4), ("test", 5), ("train", 4), ("train", 4), ("train", 4)]
    >>> tasks = plan_shards(
    ...     facts, [2, 3], split_bytes={"train": 16, "test": 5}, shard_max_bytes=10
    ... )
    >>> [(t.name, t.first_batch, t.skip, t.rows) for t in tasks]
    [('test-00000-of-00001.parquet', 0, 0, 1), ('train-00000-of-00002.parquet', 0, 0, 2), ('train-00001-of-00002.parquet', 1, 1, 2)]
    """
    targets = {
        split: math.ceil(total / max(1, math.ceil(total / shard_max_bytes)))
        for split, total in split_bytes.items()
    }
    current: dict[str, _OpenShard] = {}
    closed: dict[str, list[_OpenShard]] = {split: [] for split in split_bytes}
    batches = iter(batch_rows)
    batch, left = -1, 0
    in_batch: dict[str, int] = {}  # each split's rows so far in the current batch
    for split, nbytes in facts:
        while left == 0:
            batch, rows = batch + 1, next(batches, None)
            if rows is None:
                raise ValueError("more staged rows than the staged batches hold (a bug)")
            left = rows
            in_batch = dict.fromkeys(split_bytes, 0)
        shard = current.get(split)
        if shard is None or (shard.row_bytes and shard.row_bytes + nbytes > targets[split]):
            if shard is not None:
                closed[split].append(shard)
            shard = current[split] = _OpenShard(batch, in_batch[split])
        shard.rows += 1
        shard.row_bytes += nbytes
        in_batch[split] += 1
        left -= 1
    if left or any(batches):
        raise ValueError("fewer staged rows than the staged batches hold (a bug)")
    tasks: list[ShardTask] = []
    for split in sorted(split_bytes):
        shards = [*closed[split], *([current[split]] if split in current else [])]
        for i, shard in enumerate(shards):
            tasks.append(
                ShardTask(
                    split,
                    i,
                    len(shards),
                    shard.first_batch,
                    shard.skip,
                    shard.rows,
                    shard.row_bytes,
                )
            )
    return tasks


@dataclass
class ShardFile:
    """The rows of one shard, buffered into row groups of at most
    ``row_group_bytes`` (uncompressed row bytes), written to ``directory`` as
    ``.{name}.partial`` and given its Hub name once closed."""

    split: str
    name: str
    directory: Path
    schema: pa.Schema
    row_group_bytes: int
    compression: Compression = field(default_factory=Compression)
    rows: int = 0
    row_bytes: int = 0
    _writer: pq.ParquetWriter | None = None
    _buffer: list[pa.Table] = field(default_factory=list)
    _buffer_bytes: int = 0

    @property
    def _partial(self) -> Path:
        return self.directory / f".{self.name}.partial"

    def add(self, table: pa.Table, row_bytes: Sequence[int]) -> None:
        start = 0
        for i, nbytes in enumerate(row_bytes):
            # Cut before the row that would cross the cap: a row group stays under
            # it unless one row alone is larger.
            if self._buffer_bytes and self._buffer_bytes + nbytes > self.row_group_bytes:
                self._flush(table.slice(start, i - start))
                start = i
            self._buffer_bytes += nbytes
            self.row_bytes += nbytes
        if start < len(row_bytes):
            self._buffer.append(table.slice(start))

    def _flush(self, tail: pa.Table) -> None:
        """Write the buffered rows plus ``tail`` as one row group."""
        parts = [*self._buffer, tail] if tail.num_rows else self._buffer
        self._buffer = []
        self._buffer_bytes = 0
        rows = sum(p.num_rows for p in parts)
        if not rows:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self._partial, self.schema, **PARQUET_OPTIONS, **self.compression.writer_options()
            )
        self._writer.write_table(pa.concat_tables(parts), row_group_size=rows)
        self.rows += rows

    def close(self) -> WrittenShard:
        """Write the last row group and give the file its Hub name."""
        self._flush(self.schema.empty_table())
        if self._writer is None:  # no row at all: a shard is never empty
            raise ValueError(f"shard {self.name} got no rows")
        self._writer.close()
        self._writer = None
        final = self.directory / self.name
        self._partial.rename(final)
        return WrittenShard(self.split, final, self.rows, self.row_bytes)


def write_shard(
    task: ShardTask,
    staged: Iterator[tuple[pa.Table, list[str], list[int]]],
    *,
    directory: Path,
    schema: pa.Schema,
    row_group_max_bytes: int,
    compression: Compression | None = None,
) -> WrittenShard:
    """Write the shard ``task`` from staged tables with each row's split and size,
    from batch ``task.first_batch`` on (``staged`` begins there). Each row group is
    cut from the same tables as when the split is written in one pass, so a shard's
    bytes do not depend on which thread writes it, or when."""
    out = ShardFile(
        task.split,
        task.name,
        directory,
        schema,
        row_group_max_bytes,
        compression or Compression(),
    )
    skip, left = task.skip, task.rows
    for table, splits, sizes in staged:
        rows = [i for i, split in enumerate(splits) if split == task.split]
        if len(rows) <= skip:
            skip -= len(rows)
            continue
        rows = rows[skip : skip + left]
        # only the shard's rows are copied (a batch's other rows are other shards')
        out.add(table.take(pa.array(rows, pa.int32())), [sizes[i] for i in rows])
        skip, left = 0, left - len(rows)
        if not left:
            break
    if left:
        raise ValueError(f"shard {task.name}: {left} of its rows were not staged")
    return out.close()
