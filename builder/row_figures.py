"""The card's per-row figures of a batch's Arrow table, by numpy over its buffers.

Characters, words, publication day and entity label counts of every row, taken
by the worker from the table it has in memory (the parent stages them, and the
card reads them back without reading the Parquet). Words and label counts are
counted over the flat column buffers: no regex engine run per row, no Python
loop per span.
"""

from __future__ import annotations

import pickle
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["WORD", "card_figures", "label_counts", "word_counts"]

#: A word, as the card counts them (RE2 syntax, as ``pc.count_substring_regex``):
#: RE2's ``\s`` is ASCII ``[\t\n\f\r ]`` only (no ``\v``, no Unicode spaces), so a
#: word is a maximal run of other characters, which :func:`word_counts` counts on
#: UTF-8 bytes (those five are single bytes; no byte of a multi-byte character is one).
WORD = r"\S+"

#: byte -> 1 when it is part of a word (not one of the five spaces), for ``bytes.translate``
_WORD_BYTE = bytes(int(chr(b) not in "\t\n\f\r ") for b in range(256))

Figures = tuple[int | None, int | None, int | None, bytes | None]


def word_counts(texts: pa.ChunkedArray | pa.Array) -> list[int | None]:
    """``pc.count_substring_regex(texts, WORD).to_pylist()``, counted with numpy:
    a word starts at each non-space byte whose previous byte (in the same text)
    is a space or which opens its text.

    Example:
        >>> word_counts(pa.array(["two  words", None, "", " é\\vx\\u00a0y "]))
        [2, None, 0, 1]
    """
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    out: list[int | None] = []
    for chunk in chunks:
        out += _chunk_word_counts(chunk)
    return out


def _chunk_word_counts(chunk: pa.Array) -> list[int | None]:
    n = len(chunk)
    if n == 0:
        return []
    if pa.types.is_large_string(chunk.type):
        offset_type = np.int64
    elif pa.types.is_string(chunk.type):
        offset_type = np.int32
    else:  # another layout (a string view): the regex, as the card defines a word
        return pc.count_substring_regex(chunk, WORD).to_pylist()
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[chunk.offset : chunk.offset + n + 1]
    first = int(offsets[0])
    ends = (offsets - first).astype(np.int64)
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)[first : first + int(ends[-1])]
        if data_buf is not None
        else np.zeros(0, dtype=np.uint8)
    )
    # word bytes, by one ``translate`` in C (a copy of the buffer's bytes first)
    word = np.frombuffer(data.tobytes().translate(_WORD_BYTE), dtype=np.bool_)
    # A word starts at a word byte after a space (``follows[i]``: at byte i + 1), and
    # at a text's first byte if a word byte, whatever the previous text ended with.
    # One ``count_nonzero`` per text (about 2 µs a text of 5 KB) stays: whole-batch
    # ways (word starts by ``flatnonzero`` then ``searchsorted``, or ``reduceat``) make
    # another pass or two over every byte and measured 1.7x and 2x this loop's time
    # (bench/bench_word_counts.py).
    follows = word[1:] > word[:-1]
    count = np.count_nonzero
    bounds = ends.tolist()
    counts: list[int | None] = [
        int(count(follows[a : b - 1]) + word[a]) if a < b else 0 for a, b in pairwise(bounds)
    ]
    if chunk.null_count:
        for i in np.flatnonzero(~chunk.is_valid().to_numpy(zero_copy_only=False)).tolist():
            counts[i] = None
    return counts


def label_counts(entities: pa.ChunkedArray | pa.Array, rows: int) -> list[dict[int, int]]:
    """Per row: {entity label id: spans}, labels ascending (null labels not counted)."""
    if isinstance(entities, pa.ChunkedArray):
        entities = entities.combine_chunks()
    labels = pc.struct_field(pc.list_flatten(entities), "label")
    owners = pc.list_parent_indices(entities)
    present = pc.is_valid(labels)
    owner = pc.filter(owners, present).to_numpy().astype(np.int64)
    label = pc.filter(labels, present).to_numpy().astype(np.int64)
    counts: list[dict[int, int]] = [{} for _ in range(rows)]
    if not len(label):
        return counts
    # (row, label) cells counted by one bincount, read back in row-major order
    # (the order of ``np.unique(..., axis=1)``: by row, then label).
    width = int(label.max()) + 1
    cells = np.bincount(owner * width + label, minlength=rows * width).reshape(rows, width)
    row, lab = np.nonzero(cells)
    for r, k, c in zip(row.tolist(), lab.tolist(), cells[row, lab].tolist(), strict=True):
        counts[r][k] = c
    return counts


def card_figures(table: pa.Table) -> list[Figures]:
    """Per row: characters and words of the text (None when withheld), publication
    day (days since 1970, or None) and entity label counts (pickled {label: n}, or None).

    The card's length, date and label figures, taken here from the rows the batch has
    in memory rather than by reading the written Parquet back in the parent."""
    text = table.column("text")
    chars = pc.utf8_length(text).to_pylist()
    words = word_counts(text)
    published = pc.struct_field(table.column("source"), "published_earliest")
    days = pc.cast(published, pa.int32()).to_pylist()
    counts = label_counts(table.column("entities"), table.num_rows)
    blobs = [pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) if c else None for c in counts]
    return list(zip(chars, words, days, blobs, strict=True))
