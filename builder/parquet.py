"""Writing the splits as Hub-style Parquet shards with one fixed schema.

Rows arrive from the staged batch files in article-id order; each split is cut
into ``data/{split}-{i:05d}-of-{n:05d}.parquet`` shards of at most
``shard_max_bytes`` (uncompressed row bytes), row groups of at most
``row_group_max_bytes``, with a page index. Nothing in a file depends on the
clock, so the same rows give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "Compression",
    "ShardWriter",
    "WrittenShard",
    "shard_name",
    "write_splits",
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


@dataclass
class ShardWriter:
    """Rows of one split, buffered into row groups and rolled over into shards."""

    split: str
    directory: Path
    schema: pa.Schema
    target_shard_bytes: int
    row_group_bytes: int
    compression: Compression = field(default_factory=Compression)
    shards: list[WrittenShard] = field(default_factory=list)
    _writer: pq.ParquetWriter | None = None
    _buffer: list[pa.Table] = field(default_factory=list)
    _buffer_bytes: int = 0
    _buffer_rows: int = 0
    _shard_bytes: int = 0

    def add(self, table: pa.Table, row_bytes: Sequence[int]) -> None:
        start = 0
        for i, nbytes in enumerate(row_bytes):
            # Cut before the row that would cross a cap: a row group stays under its
            # cap unless one row alone is larger.
            if self._shard_bytes and self._shard_bytes + nbytes > self.target_shard_bytes:
                self._flush(table.slice(start, i - start))
                start = i
                self._close_shard()
            elif self._buffer_bytes and self._buffer_bytes + nbytes > self.row_group_bytes:
                self._flush(table.slice(start, i - start))
                start = i
            self._buffer_bytes += nbytes
            self._shard_bytes += nbytes
            self._buffer_rows += 1
        if start < len(row_bytes):
            self._buffer.append(table.slice(start))

    def _flush(self, tail: pa.Table) -> None:
        """Write the buffered rows plus ``tail`` as one row group."""
        parts = [*self._buffer, tail] if tail.num_rows else self._buffer
        self._buffer = []
        rows = sum(p.num_rows for p in parts)
        if not rows:
            return
        if self._writer is None:
            path = self.directory / f".{self.split}-{len(self.shards):05d}.partial"
            self._writer = pq.ParquetWriter(
                path, self.schema, **PARQUET_OPTIONS, **self.compression.writer_options()
            )
            self.shards.append(WrittenShard(self.split, path, 0, 0))
        self._writer.write_table(pa.concat_tables(parts), row_group_size=rows)
        self.shards[-1].rows += rows
        self.shards[-1].row_bytes += self._buffer_bytes
        self._buffer_bytes = 0
        self._buffer_rows = 0

    def _close_shard(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._shard_bytes = 0

    def close(self) -> list[WrittenShard]:
        """Finish the last shard and give every shard its final Hub name."""
        self._flush(self.schema.empty_table())
        self._close_shard()
        count = len(self.shards)
        for i, shard in enumerate(self.shards):
            final = self.directory / shard_name(self.split, i, count)
            shard.path.rename(final)
            shard.path = final
        return self.shards


def write_splits(
    staged: Iterator[tuple[pa.Table, list[str], list[int]]],
    *,
    split_bytes: dict[str, int],
    directory: Path,
    schema: pa.Schema,
    shard_max_bytes: int,
    row_group_max_bytes: int,
    compression: Compression | None = None,
) -> list[WrittenShard]:
    """Write every split of ``split_bytes`` (name -> its rows' bytes) from staged
    tables with each row's split and size. Given one split, it writes that one alone,
    in the same bytes (its writer sees the same tables): splits may be written in
    parallel."""
    directory.mkdir(parents=True, exist_ok=True)
    writers: dict[str, ShardWriter] = {}
    for split, total in sorted(split_bytes.items()):
        shards = max(1, math.ceil(total / shard_max_bytes))
        writers[split] = ShardWriter(
            split,
            directory,
            schema,
            math.ceil(total / shards),
            row_group_max_bytes,
            compression or Compression(),
        )
    for table, splits, sizes in staged:
        split_col = pa.array(splits)
        for split, writer in writers.items():
            mask = pc.equal(split_col, split)
            picked = table.filter(mask)
            if picked.num_rows:
                writer.add(picked, [s for s, sp in zip(sizes, splits, strict=True) if sp == split])
    out: list[WrittenShard] = []
    for writer in writers.values():
        out.extend(writer.close())
    return out
