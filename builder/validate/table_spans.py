"""What a row schema cannot say, checked on a batch's Arrow table, a column at a time.

The rules of ``checks.py: check_row`` (spans ordered, inside their text, naming
the characters they say; span ids unique in a row; speakers among the row's
entity ids) on the table :meth:`builder.features.RowCodec.to_table` made. A row
that may break one is *flagged*; the per-row path then finds and locates its
issues. A row flagged for nothing costs time, never a wrong result; a row that
breaks a rule is always flagged. Labels need no check: the encoder maps them to
ClassLabel ids and fails on an unknown one.

* Span ids of at most six UTF-8 bytes are packed with their byte length and row
  into one 64-bit key (each in bits of its own: equal keys are equal ids in one
  row), and the keys of the batch sorted once; longer ids are dictionary-encoded
  and counted per (row, code).
* Offsets are code points, the text is UTF-8: the code point ``g`` (counted from
  the batch's first text) starts at byte ``g`` plus the continuation bytes
  (``10xxxxxx``) of the characters before it, which are few in news text and
  found eight bytes at a time.
* A span is compared with the text's bytes from where its start falls, as many
  as its own text has: equal bytes that are ``end - start`` code points (its own
  text's count, its continuation bytes subtracted) are exactly
  ``text[start:end]``, so its end needs no byte offset of its own. All the
  spans of a batch are compared by one ``pyarrow.compute.equal`` of two binary
  arrays made on the text's and the span texts' buffers without a copy: each
  cut at the spans' starts and ends (the gap after a span is an element of its
  own, not looked at). A span that starts before an earlier one ends (a nested
  entity, spans out of order) cannot be cut so, and is compared byte by byte.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["BatchColumns", "flag_span_rows"]

#: the high bit of each byte of a 64-bit word: set in every byte of a multi-byte character
_HIGH = np.uint64(0x8080808080808080)
#: Ids packed into a key: bytes in the low 48 bits, the byte length in the next 3,
#: the row above.
_PACKED_BYTES = 6
_LENGTH_SHIFT = 8 * _PACKED_BYTES
_ROW_SHIFT = _LENGTH_SHIFT + 3
_MAX_PACKED_ROWS = 1 << (63 - _ROW_SHIFT)
_BYTE_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(_PACKED_BYTES + 1)], dtype=np.uint64)


class BatchColumns:
    """A batch's table as the checks read it: each list column's items made once."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._fields: dict[str, dict[str, pa.Array]] = {}
        self._rows: dict[str, np.ndarray] = {}

    def array(self, name: str) -> pa.Array:
        column = self.table.column(name)
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()

    def items(self, name: str) -> tuple[dict[str, pa.Array], np.ndarray]:
        """A list-of-struct column's items, each field as one array (field name ->
        array, the struct's offset minded), and the row of each item."""
        if name not in self._rows:
            lists = self.array(name)
            self._rows[name] = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
        return self.fields(name), self._rows[name]

    def fields(self, name: str) -> dict[str, pa.Array]:
        if name not in self._fields:
            flat = self.array(name).flatten()
            self._fields[name] = dict(zip([f.name for f in flat.type], flat.flatten(), strict=True))
        return self._fields[name]

    def at(self, path: str) -> pa.Array:
        """The values of a schema path (``entities[].start``, ``source.url``) as one array."""
        head, flat, rest = path.partition("[].")
        if flat and "." not in head and "[" not in rest and "." not in rest:
            items = getattr(self.table.schema.field(head).type, "value_type", None)
            if items is not None and pa.types.is_struct(items):
                return self.fields(head)[rest]
        parts = path.split(".")
        array: pa.Array = self.array(parts[0].removesuffix("[]"))
        if parts[0].endswith("[]"):
            array = array.flatten()
        for part in parts[1:]:
            array = pc.struct_field(array, part.removesuffix("[]"))  # minds the offset
            if part.endswith("[]"):
                array = array.flatten()
        return array


def flag_span_rows(cols: BatchColumns, mask: np.ndarray) -> None:
    """Flag in ``mask`` the rows whose spans may break a rule of ``check_spans`` or
    ``_check_speakers`` (offsets are known to be at least 0: the schema's minimum,
    checked on the whole batch first)."""
    ents, e_rows = cols.items("entities")
    quotes, q_rows = cols.items("quotes")
    _flag_ids(ents["id"], e_rows, quotes["id"], q_rows, quotes["speaker_id"], mask)
    groups = [(s, r) for s, r in ((ents, e_rows), (quotes, q_rows)) if len(r)]
    if not groups:
        return
    text = _Text(cols.array("text"))
    for spans, rows in groups:
        _flag_offsets(text, spans["start"], spans["end"], spans["text"], rows, mask)


# -- ids -------------------------------------------------------------------------------
def _flag_ids(
    e_ids: pa.Array,
    e_rows: np.ndarray,
    q_ids: pa.Array,
    q_rows: np.ndarray,
    speakers: pa.Array,
    mask: np.ndarray,
) -> None:
    """Span ids repeated in a row (entities and quotes together), and speakers that
    are no entity id of their row."""
    spoken = len(speakers) and speakers.null_count < len(speakers)
    if (
        len(mask) <= _MAX_PACKED_ROWS
        and e_ids.null_count == 0
        and q_ids.null_count == 0
        and (e_keys := _packed(e_ids, e_rows)) is not None
        and (q_keys := _packed(q_ids, q_rows)) is not None
        and (not spoken or (s_keys := _packed(speakers, q_rows)) is not None)
    ):
        keys = np.sort(np.concatenate([e_keys, q_keys]) if len(q_keys) else e_keys)
        again = keys[1:] == keys[:-1]
        if again.any():
            mask[(keys[1:][again] >> np.uint64(_ROW_SHIFT)).astype(np.int64)] = True
        if spoken:
            unknown = ~np.isin(s_keys, e_keys) & _set(speakers)
            mask[q_rows[unknown]] = True
        return
    _flag_ids_by_codes(e_ids, e_rows, q_ids, q_rows, speakers, mask)


def _packed(ids: pa.Array, rows: np.ndarray) -> np.ndarray | None:
    """Each string's bytes, byte length and row as one key (uint64), None when one is
    longer than :data:`_PACKED_BYTES` bytes. Equal keys: equal strings in one row
    (a null reads as the empty string: callers mind nulls apart)."""
    offsets = _offsets(ids)
    begin = offsets[:-1]
    sizes = offsets[1:] - begin
    longest = int(sizes.max()) if len(sizes) else 0
    if longest > _PACKED_BYTES:
        return None
    data = _data(ids)
    # 8 bytes from each id's first (an unaligned view, one gather), its own kept
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    words = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    keys = words[begin] & _BYTE_MASKS[sizes]
    keys |= sizes.astype(np.uint64) << np.uint64(_LENGTH_SHIFT)
    keys |= rows.astype(np.uint64) << np.uint64(_ROW_SHIFT)
    return keys


def _flag_ids_by_codes(
    e_ids: pa.Array,
    e_rows: np.ndarray,
    q_ids: pa.Array,
    q_rows: np.ndarray,
    speakers: pa.Array,
    mask: np.ndarray,
) -> None:
    """:func:`_flag_ids` for ids of any length: dictionary codes counted per (row, code)."""
    ids = pa.concat_arrays([e_ids, q_ids]) if len(q_ids) else e_ids
    if len(ids):
        _flag_repeats(np.concatenate([e_rows, q_rows]), _codes(ids), len(mask), mask)
    if len(speakers) and speakers.null_count < len(speakers):
        both = pa.concat_arrays([e_ids, speakers])
        codes = _codes(both)
        ent_keys = e_rows * (len(both) + 1) + codes[: len(e_ids)]
        spk_keys = q_rows * (len(both) + 1) + codes[len(e_ids) :]
        found = np.isin(spk_keys, ent_keys)
        mask[q_rows[~found & _set(speakers)]] = True


def _flag_repeats(rows: np.ndarray, codes: np.ndarray, n_rows: int, mask: np.ndarray) -> None:
    """Flag the rows in which a code (-1: null) occurs more than once."""
    width = int(codes.max()) + 2
    keys = rows * width + (codes + 1)
    if n_rows * width <= 8 * len(keys):
        # Ids repeat from row to row ("T1", "T2", ...): few codes, and a count per
        # (row, code) is one pass, where a sort is n log n.
        counts = np.bincount(keys, minlength=n_rows * width)
        mask[rows[counts[keys] > 1]] = True
        return
    ordered = np.sort(keys)  # ids unique across the batch (UUIDs): too many codes
    if (ordered[1:] == ordered[:-1]).any():
        twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        mask[rows[np.isin(keys, twice)]] = True


# -- offsets and span texts ------------------------------------------------------------
class _Text:
    """The batch's texts as bytes, with where each row's code points begin."""

    def __init__(self, texts: pa.Array) -> None:
        self.buffer = texts.buffers()[2] if texts.buffers()[2] is not None else pa.py_buffer(b"")
        self.chars = np.frombuffer(self.buffer, np.uint8)
        starts = _offsets(texts)
        cont = _continuations(self.chars, int(starts[0]), int(starts[-1]))
        #: ``lead[k]``: the characters before the k-th continuation byte, nondecreasing;
        #: the code point ``g`` starts at byte ``g`` plus the count of ``lead <= g``
        self.lead = cont - np.arange(len(cont))
        self.first = starts - np.searchsorted(cont, starts)  # each row's first code point
        self.lengths = self.first[1:] - self.first[:-1]  # code points
        self.present = _set(texts)

    def byte_at(self, points: np.ndarray) -> np.ndarray:
        """The byte at which each of the (global) code points starts."""
        return points + _count_at_or_below(self.lead, points) if len(self.lead) else points


def _flag_offsets(
    text: _Text,
    start_array: pa.Array,
    end_array: pa.Array,
    expected: pa.Array,
    rows: np.ndarray,
    mask: np.ndarray,
) -> None:
    """Flag the rows of spans out of order, past the end of their text, or whose own
    text is not the text's at their offsets."""
    if start_array.null_count or end_array.null_count:
        mask[rows] = True  # not integers (the audit would have said): the rows decide
        return
    start = start_array.to_numpy().astype(np.int64)
    end = end_array.to_numpy().astype(np.int64)
    mask[rows[start >= end]] = True
    has_text = text.present[rows]
    room = text.lengths[rows]
    mask[rows[has_text & (end > room)]] = True
    compared = has_text & _set(expected) & (start < end) & (end <= room)
    x_offsets = _offsets(expected)
    if compared.all():
        x_start, x_end = x_offsets[:-1], x_offsets[1:]
        points = text.first[rows] + start
        width = end - start
        span_rows = rows
    else:
        which = np.flatnonzero(compared)
        if not len(which):
            return
        x_start, x_end = x_offsets[which], x_offsets[which + 1]
        span_rows = rows[which]
        points = text.first[span_rows] + start[which]
        width = end[which] - start[which]
    size = x_end - x_start
    x_chars = _data(expected)
    x_cont = _continuations(x_chars, int(x_offsets[0]), int(x_offsets[-1]))
    if len(x_cont):
        width = width + (np.searchsorted(x_cont, x_end) - np.searchsorted(x_cont, x_start))
    at = text.byte_at(points)
    # bytes as many as code points and continuation bytes, and all inside the buffer
    fits = (size == width) & (at + size <= len(text.chars))
    mask[span_rows[~fits]] = True
    if not fits.all():
        at, x_start, size, span_rows = at[fits], x_start[fits], size[fits], span_rows[fits]
    differ = _differ(text.buffer, at, expected.buffers()[2], x_start, size)
    mask[span_rows[differ]] = True


def _differ(
    t_buffer: pa.Buffer,
    t_start: np.ndarray,
    x_buffer: pa.Buffer,
    x_start: np.ndarray,
    size: np.ndarray,
) -> np.ndarray:
    """Whether ``t_buffer[t_start:t_start+size]`` differs from ``x_buffer[x_start:
    x_start+size]``, span by span (``x_start`` ascending, its spans apart)."""
    if not len(size):
        return np.zeros(0, dtype=bool)
    t_end = t_start + size
    # A span cuts the text where it starts at or after every earlier span's end.
    reach = np.maximum.accumulate(t_end)
    cut = np.ones(len(size), dtype=bool)
    cut[1:] = t_start[1:] >= reach[:-1]
    differ = np.zeros(len(size), dtype=bool)
    if cut.all():
        differ[:] = _differ_cut(t_buffer, t_start, t_end, x_buffer, x_start, x_start + size)
        return differ
    k = np.flatnonzero(cut)
    differ[k] = _differ_cut(
        t_buffer, t_start[k], t_end[k], x_buffer, x_start[k], x_start[k] + size[k]
    )
    rest = np.flatnonzero(~cut)
    differ[rest] = _differ_bytes(
        np.frombuffer(t_buffer, np.uint8),
        t_start[rest],
        np.frombuffer(x_buffer, np.uint8),
        x_start[rest],
        size[rest],
    )
    return differ


def _differ_cut(
    t_buffer: pa.Buffer,
    t_start: np.ndarray,
    t_end: np.ndarray,
    x_buffer: pa.Buffer,
    x_start: np.ndarray,
    x_end: np.ndarray,
) -> np.ndarray:
    """:func:`_differ` of spans that follow one another in both buffers: each buffer
    cut at the spans' starts and ends into one binary array (span, gap, span ...),
    compared element by element in C."""
    n = len(t_start)
    large = max(int(t_end[-1]), int(x_end[-1])) >= 2**31
    kind, width = (pa.large_binary(), np.int64) if large else (pa.binary(), np.int32)

    def cuts(buffer: pa.Buffer, begin: np.ndarray, end: np.ndarray) -> pa.Array:
        offsets = np.empty(2 * n, dtype=width)
        offsets[0::2] = begin
        offsets[1::2] = end
        return pa.Array.from_buffers(kind, 2 * n - 1, [None, pa.py_buffer(offsets), buffer])

    same = pc.equal(cuts(t_buffer, t_start, t_end), cuts(x_buffer, x_start, x_end))
    return ~same.to_numpy(zero_copy_only=False)[0::2]


def _differ_bytes(
    chars: np.ndarray,
    t_start: np.ndarray,
    x_chars: np.ndarray,
    x_start: np.ndarray,
    size: np.ndarray,
) -> np.ndarray:
    """:func:`_differ` of any spans, byte by byte (gathered: the spans' bytes in all)."""
    total = int(size.sum())
    if not total:
        return np.zeros(len(size), dtype=bool)
    begins = np.zeros(len(size), dtype=np.int64)
    np.cumsum(size[:-1], out=begins[1:])
    steps = np.arange(total, dtype=np.int64)
    t_at = np.repeat(t_start - begins, size) + steps
    x_at = np.repeat(x_start - begins, size) + steps
    unequal = np.take(chars, t_at) != np.take(x_chars, x_at)
    differ = np.zeros(len(size), dtype=bool)
    nonempty = size > 0
    differ[nonempty] = np.add.reduceat(unequal, begins[nonempty]) > 0
    return differ


def _continuations(chars: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Positions (ascending) of the UTF-8 continuation bytes (0x80-0xBF) of
    ``chars[lo:hi]``: only the 8-byte words with a byte past ASCII are looked into."""
    part = chars[lo:hi]
    whole = len(part) // 8 * 8
    tail = whole + np.flatnonzero(part[whole:].view(np.int8) < -64)
    if not whole:
        return lo + tail
    hot = np.flatnonzero((part[:whole].view(np.uint64) & _HIGH) != 0)
    if not len(hot):
        return lo + tail
    at = (hot[:, None] * 8 + np.arange(8)).ravel()
    found = at[part[at].view(np.int8) < -64]
    return lo + (np.concatenate([found, tail]) if len(tail) else found)


def _count_at_or_below(sorted_values: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each point, how many of ``sorted_values`` are at most it."""
    if len(points) > len(sorted_values) and (points[1:] >= points[:-1]).all():
        # Points in order (spans are, as a rule): search the fewer values among the
        # points, then count by a running sum, instead of a search per point.
        first_above = np.searchsorted(points, sorted_values, side="left")
        return np.cumsum(np.bincount(first_above, minlength=len(points) + 1))[: len(points)]
    return np.searchsorted(sorted_values, points, side="right")


def _offsets(array: pa.Array) -> np.ndarray:
    """A string array's value offsets as int64 (into :func:`_data`)."""
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    buf = array.buffers()[1]
    if buf is None:
        return np.zeros(len(array) + 1, dtype=np.int64)
    raw = np.frombuffer(buf, width)[array.offset : array.offset + len(array) + 1]
    return raw.astype(np.int64)


def _data(array: pa.Array) -> np.ndarray:
    buf = array.buffers()[2]
    return np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)


def _set(array: pa.Array) -> np.ndarray:
    """Where an array is not null."""
    if not array.null_count:
        return np.ones(len(array), dtype=bool)
    return np.asarray(array.is_valid(), dtype=bool)


def _codes(strings: pa.Array) -> np.ndarray:
    """Dictionary codes of strings (null: -1): equal strings, equal codes."""
    return np.asarray(pc.dictionary_encode(strings).indices.fill_null(-1), dtype=np.int64)
