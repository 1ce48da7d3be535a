"""The line splitter under every JSON Lines reader: the lines ``readline`` gives, read in
chunks, with runs of blank lines skipped at once (a file of empty lines is not a step
per line)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder import jsonl
from builder.jsonl import _lines, jsonl_records


def _lines_by_readline(data: bytes, limit: int) -> Iterator[tuple[int, bytes, bool, int]]:
    """The reference: ``readline`` of at most ``limit`` + 1 bytes, the rest of an
    over-long line skipped, blank lines (``bytes.strip``) left out."""
    handle = io.BytesIO(data)
    start = index = 0
    while line := handle.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while (chunk := handle.readline(1 << 20)) and not chunk.endswith(b"\n"):
                size += len(chunk)
            if line[:limit].strip():
                yield index, line[:limit], True, start
            start += size + len(chunk)
        else:
            if line.strip():
                yield index, line, False, start
            start += len(line)
        index += 1


_PIECES = st.sampled_from([b"\n", b" ", b"\r\n", b"\t", b"{}", b"x", b"\xc3\xa9", b"\x0b", b"  \n"])


@given(st.lists(_PIECES, max_size=60), st.integers(min_value=1, max_value=12))
def test_lines_are_readlines_lines(pieces: list[bytes], limit: int) -> None:
    data = b"".join(pieces)
    got = list(_lines(io.BytesIO(data), limit))
    assert got == list(_lines_by_readline(data, limit))


@given(st.lists(_PIECES, max_size=60), st.integers(min_value=1, max_value=12))
def test_lines_across_chunk_edges(pieces: list[bytes], limit: int) -> None:
    data = b"".join(pieces)
    small = 3  # every chunk edge falls inside a line, a run of blank lines, a newline pair
    original = jsonl._CHUNK
    try:
        jsonl._CHUNK = small
        got = list(_lines(io.BytesIO(data), limit))
    finally:
        jsonl._CHUNK = original
    assert got == list(_lines_by_readline(data, limit))


def test_a_line_at_the_limit_is_whole_and_one_past_it_is_cut() -> None:
    data = b"abcd\nabcde\nabc"
    assert list(_lines(io.BytesIO(data), 4)) == [
        (0, b"abcd\n", False, 0),
        (1, b"abcd", True, 5),
        (2, b"abc", False, 11),
    ]


class _CountingPattern:
    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern
        self.calls = 0

    def match(self, data: bytes, pos: int) -> re.Match[bytes] | None:
        self.calls += 1
        return self.pattern.match(data, pos)


def test_millions_of_blank_lines_are_skipped_by_the_run_and_numbered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = b"\n" * 20_000_000 + b" \r\n\t\n" * 1_000_000 + b'{"id": "a1"}\n'
    counting = _CountingPattern(jsonl._WHITE_RUN)
    monkeypatch.setattr(jsonl, "_WHITE_RUN", counting)
    records = list(jsonl_records(io.BytesIO(data), "big.jsonl", 1 << 20))
    assert records == [(22_000_001, {"id": "a1"}, [])]
    # a search per chunk read (26 MB, 1 MB chunks), not per line (22 million)
    assert counting.calls <= 2 * (len(data) // jsonl._CHUNK + 1), counting.calls
