"""Near-duplicate keys of cleaned texts: an exact key and a MinHash signature.

:func:`text_key` is the SHA-256 of the casefolded text with whitespace runs
collapsed (identical texts in other spacing or case meet); :func:`text_signature`
is datasketch's ``affine32`` MinHash (64 permutations) of the text's word
5-grams, each shingle's hash a polynomial of its words' BLAKE2b hashes.

Both are the one-text references. The build computes them for a whole batch at
once with :class:`FoldedTexts`: the batch is casefolded and UTF-8 encoded once,
words are found by numpy over the bytes, each distinct token is hashed once per
run (Arrow's ``dictionary_encode`` and a bounded per-process cache), and the
minimum over the permutations is taken block by block in a reused buffer, so no
Python work is done per word. ``tests/test_signatures.py`` checks the batch
path against the references and the references against datasketch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "MINHASH_PERMUTATIONS",
    "MINHASH_SCHEME",
    "SHINGLE_WORDS",
    "FoldedTexts",
    "text_key",
    "text_signature",
    "text_signatures",
]

#: datasketch hashing scheme the stored signatures were made with.
MINHASH_SCHEME = "affine32"
MINHASH_PERMUTATIONS = 64
SHINGLE_WORDS = 5

_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: a bijective step between words


def _word_hash(word: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(word, digest_size=8).digest(), "little")


def _word_hashes(words: list[str]) -> np.ndarray:
    """BLAKE2b of each word's UTF-8 (the reference path: one text, no cache)."""
    return np.fromiter((_word_hash(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def _shingle_hashes(text: str, width: int, *, distinct: bool = True) -> np.ndarray:
    """Distinct 32-bit hashes of the word ``width``-grams of ``text`` (casefolded).

    Each word is hashed with BLAKE2b; a shingle's hash combines its words'
    hashes by a polynomial in wrapping 64-bit arithmetic, then splitmix64's
    finalizer, all vectorized. Hashing every joined shingle with SHA-1, as
    datasketch does by default, costs more than the rest of near-duplicate
    detection together.
    """
    words = _WORD.findall(text.casefold()) or [""]
    word_hashes = _word_hashes(words)
    width = min(width, len(words))
    acc = _mix_shingles(word_hashes, len(words) - width + 1, width)
    return np.unique(acc) if distinct else acc


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``h -> a*h + b mod 2**32`` of datasketch's ``affine32``
    scheme for seed 1, drawn as ``MinHash._init_permutations`` draws them (odd ``a``).

    Made here rather than by a ``datasketch.MinHash``: importing datasketch
    costs 1.3 s in every worker; ``tests/test_splits.py`` checks both agree.
    """
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, MINHASH_PERMUTATIONS, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, MINHASH_PERMUTATIONS, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, datasketch's pre-mix of ``affine32`` input values."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def text_signature(text: str) -> bytes:
    """MinHash signature of a text's word 5-grams, as little-endian uint64 bytes.

    The values ``datasketch.MinHash(num_perm=64, seed=1, scheme="affine32")``
    gives when fed the shingle hashes by ``update_batch`` (``tests/test_splits.py``
    checks it). The reference for :func:`text_signatures`, which makes the same
    bytes for a whole batch at once, and its rule for texts shorter than a shingle.
    """
    a, b = _permutations()
    # Repeated shingles cannot change a minimum: no need to make them distinct.
    shingles = _shingle_hashes(text, SHINGLE_WORDS, distinct=False)
    hashes = _fmix32(shingles.astype(np.uint32).reshape(-1, 1))
    return (hashes * a + b).min(axis=0).astype("<u8").tobytes()


def _mix_shingles(word_hashes: np.ndarray, count: int, width: int) -> np.ndarray:
    """The 32-bit hash of each of the ``count`` word ``width``-grams starting at
    ``word_hashes[0 : count]`` (see :func:`_shingle_hashes`)."""
    acc = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        acc = acc * _MIX + word_hashes[offset : offset + count]
    acc ^= acc >> np.uint64(30)
    acc *= np.uint64(0xBF58476D1CE4E5B9)
    acc ^= acc >> np.uint64(27)
    acc *= np.uint64(0x94D049BB133111EB)
    acc ^= acc >> np.uint64(31)
    acc >>= np.uint64(32)
    return acc


#: Characters of casefolded text encoded as one UTF-8 buffer (a 256-article batch of
#: 5 KB articles in two): each distinct word costs Python work once per buffer, each
#: byte about 10 bytes of transient arrays (a 1.35 MB batch peaks at 10 MB in all).
TOKEN_RUN = 1_000_000
#: Shingles per permutation step: a reused 64 x 16,384 uint32 buffer (4 MB), small
#: enough to stay in cache; one large temporary per step costs page faults instead.
SHINGLE_BLOCK = 16_384


def text_key(text: str) -> str:
    """The exact-duplicate key of a text: SHA-256 of its casefolded words joined by
    single spaces (the reference for :meth:`FoldedTexts.text_keys`)."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()


def text_signatures(texts: Sequence[str]) -> list[bytes]:
    """:func:`text_signature` of every text of a batch (see :class:`FoldedTexts`)."""
    return FoldedTexts(texts).signatures()


class FoldedTexts:
    """A batch's texts casefolded once and encoded as UTF-8 buffers of about
    :data:`TOKEN_RUN` characters, for their exact-duplicate keys and MinHash
    signatures, with no Python work per word (tests check both against the
    one-text references :func:`text_key` and :func:`text_signature`).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        folded = [t.casefold() for t in texts]
        self._runs = [
            _Run(texts[first:end], folded[first:end])
            for first, end in _chunks_by_size(folded, TOKEN_RUN)
        ]

    def text_keys(self) -> list[str]:
        """:func:`text_key` of each text."""
        return [key for run in self._runs for key in run.text_keys()]

    def signatures(self) -> list[bytes]:
        """:func:`text_signature` of each text."""
        return [sig for run in self._runs for sig in run.signatures()]


class _Run:
    """Casefolded texts as one UTF-8 buffer: a space, each text followed by a space."""

    def __init__(self, texts: Sequence[str], folded: Sequence[str]) -> None:
        self.texts = texts
        encoded = [f.encode() for f in folded]
        self.sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        self.ends = np.cumsum(self.sizes + 1)  # where the space after each text is
        self.data = b" " + b" ".join(encoded) + b" "
        self.raw = np.frombuffer(self.data, dtype=np.uint8)
        # Each non-ASCII character: where it starts, its bytes, its _char_flags.
        self.chars, self.widths, self.flags = _non_ascii_chars(self.raw)

    def _mark(self, mask: np.ndarray, flag: int, value: int) -> None:
        """Set ``mask`` to ``value`` on every byte of the non-ASCII characters with ``flag``."""
        has = (self.flags & flag) != 0
        starts, widths = self.chars[has], self.widths[has]
        for k in range(3):  # the flags are 0 for 4-byte characters
            mask[starts[widths > k] + k] = value

    def text_keys(self) -> list[str]:
        text = np.frombuffer(bytearray(self.data.translate(_ASCII_SPACE_TO_SPACE)), np.uint8)
        self._mark(text, _SPACE, 0x20)
        spaces = text == 0x20
        # A space after a space goes: runs of whitespace become one space.
        dropped = np.flatnonzero(spaces[1:] & spaces[:-1]) + 1
        words = (np.delete(text, dropped) if len(dropped) else text).tobytes()
        ends = self.ends - np.searchsorted(dropped, self.ends)
        starts = self.ends - self.sizes
        starts -= np.searchsorted(dropped, starts)
        return [
            hashlib.sha256(words[s:e].strip(b" ")).hexdigest()
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        ]

    def signatures(self) -> list[bytes]:
        hashes, counts = self._word_hashes()
        signatures: list[bytes] = [b""] * len(self.texts)
        short = counts < SHINGLE_WORDS
        for k in np.flatnonzero(short).tolist():
            signatures[k] = text_signature(self.texts[k])  # shorter than a shingle: own rule
        long = np.flatnonzero(~short)
        if len(long) == 0:
            return signatures
        # Text k's words start at word_starts[k]; its shingles, counts[k] - width + 1
        # of them, at the same place in ``mixed`` (the others straddle two texts).
        word_starts = (np.cumsum(counts) - counts)[long]
        shingles = counts[long] - (SHINGLE_WORDS - 1)
        offsets = np.cumsum(shingles) - shingles
        mixed = _mix_shingles(hashes, len(hashes) - SHINGLE_WORDS + 1, SHINGLE_WORDS)
        own = mixed[np.arange(int(shingles.sum())) + np.repeat(word_starts - offsets, shingles)]
        minima = _block_minima(_fmix32(own.astype(np.uint32)), offsets, shingles).astype("<u8")
        for k, row in zip(long.tolist(), minima, strict=True):
            signatures[k] = row.tobytes()
        return signatures

    def _word_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        """The hashes of the words ``\\w+`` finds in the texts, all in one array, and
        the number of words of each text.

        A token is a run of ASCII word characters and non-ASCII characters other
        than the BMP's non-word ones (quotes, dashes, spaces: ``Iran’s`` is two
        tokens). An ASCII token is one word; a token with non-ASCII characters has
        the words ``\\w+`` finds in it (none, one or more). Each distinct token is
        looked up once per run (Arrow's dictionary encoding).
        """
        wordish = np.frombuffer(bytearray(self.data.translate(_WORDISH)), dtype=np.bool_)
        self._mark(wordish, _NON_WORD, 0)
        edges = np.flatnonzero(wordish[1:] != wordish[:-1]) + 1
        starts, ends = edges[0::2], edges[1::2]
        offsets = np.zeros(len(starts) + 1, dtype=np.int64)
        np.cumsum(ends - starts, out=offsets[1:])
        values = pa.py_buffer(self.raw[wordish])
        tokens = pa.Array.from_buffers(
            pa.large_binary(), len(starts), [None, pa.py_buffer(offsets), values]
        )
        coded = pc.dictionary_encode(tokens)
        index = coded.indices.to_numpy()
        per_token = _token_hashes(coded.dictionary.to_pylist())
        tokens_before = np.concatenate(([0], np.searchsorted(starts, self.ends)))
        try:  # every token one word (a tuple stops it)
            one_each = np.fromiter(per_token, dtype=np.uint64, count=len(per_token))
            return one_each[index], np.diff(tokens_before)
        except TypeError:
            pass
        words = np.fromiter(map(_word_count, per_token), dtype=np.int64, count=len(per_token))
        flat = np.fromiter(
            chain.from_iterable((h,) if type(h) is int else h for h in per_token),
            dtype=np.uint64,
            count=int(words.sum()),
        )
        first_word = np.cumsum(words) - words  # of each distinct token, in ``flat``
        occurrence_words = words[index]
        words_before = np.concatenate(([0], np.cumsum(occurrence_words)))
        at = np.repeat(first_word[index] - words_before[:-1], occurrence_words)
        hashes = flat[at + np.arange(int(words_before[-1]))]
        return hashes, np.diff(words_before[tokens_before])


def _block_minima(values: np.ndarray, offsets: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per run ``values[offsets[k] : offsets[k] + counts[k]]`` (each non-empty), the
    minimum of ``a * v + b`` for each permutation: a (runs, permutations) array."""
    a, b = _permutations()
    a, b = a.reshape(-1, 1), b.reshape(-1, 1)
    width = min(SHINGLE_BLOCK, len(values))
    buf = np.empty((len(a), width), dtype=np.uint32)
    out = np.empty((len(counts), len(a)), dtype=np.uint32)
    ends = offsets + counts
    first = 0
    while first < len(counts):
        # the runs that fit in one block with the first (at least the first)
        last = max(first + 1, int(np.searchsorted(ends, offsets[first] + width, "right")))
        start, end = int(offsets[first]), int(ends[last - 1])
        if end - start > width:  # one run longer than a block: its minimum block by block
            out[first] = np.iinfo(np.uint32).max
            for p in range(start, end, width):
                step = _permute(values[p : min(end, p + width)], a, b, buf)
                np.minimum(out[first], step.min(axis=1), out=out[first])
        else:
            step = _permute(values[start:end], a, b, buf)
            out[first:last] = np.minimum.reduceat(step, offsets[first:last] - start, axis=1).T
        first = last
    return out


def _permute(values: np.ndarray, a: np.ndarray, b: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """``a * values + b`` (wrapping uint32), one row per permutation, written into ``buf``."""
    step = buf[:, : len(values)]
    np.multiply(values, a, out=step)
    np.add(step, b, out=step)
    return step


#: byte -> 1 when a word's UTF-8 may hold it: ASCII [0-9A-Za-z_] (what ``\w`` matches
#: in ASCII) and every non-ASCII byte (the BMP's non-word characters are taken out).
_WORDISH = bytes(int(b >= 0x80 or chr(b).isalnum() or b == 0x5F) for b in range(256))
#: ASCII whitespace (as ``str.split`` has it, with \x1c-\x1f) -> a space.
_ASCII_SPACE_TO_SPACE = bytes(0x20 if b < 0x80 and chr(b).isspace() else b for b in range(256))
#: _char_flags bits
_NON_WORD, _SPACE = 1, 2


@cache
def _char_flags() -> np.ndarray:
    """Per code point of the BMP: :data:`_NON_WORD` when ``\\w`` does not match it,
    :data:`_SPACE` when ``str.split`` splits on it (none above the BMP does; a test
    checks). Made with the regular expression and ``str.isspace`` themselves, once
    per process (about 10 ms)."""
    every = "".join(map(chr, range(0x10000)))
    flags = np.full(0x10000, _NON_WORD, dtype=np.uint8)
    for match in _WORD.finditer(every):
        flags[match.start() : match.end()] = 0
    for space in re.finditer(r"\s", every):  # \s is str.isspace (Py_UNICODE_ISSPACE)
        flags[space.start()] |= _SPACE
    return flags


def _non_ascii_chars(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each non-ASCII character of UTF-8 ``raw`` starts, its width in bytes and
    its :func:`_char_flags` (0 for characters beyond the BMP). ``raw`` ends in ASCII."""
    starts = np.flatnonzero(raw >= 0xC2)  # lead bytes (continuations are 0x80-0xBF)
    b0, b1, b2 = (raw[starts + k].astype(np.int32) for k in range(3))
    widths = np.where(b0 < 0xE0, 2, np.where(b0 < 0xF0, 3, 4))
    two = ((b0 & 0x1F) << 6) | (b1 & 0x3F)
    three = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F)
    flags = _char_flags()[np.where(widths == 2, two, three)]
    flags[widths == 4] = 0
    return starts, widths, flags


#: Words whose hashes a process keeps (news vocabulary is mostly far smaller); the
#: cache is dropped when full, so memory stays bounded on any corpus (about 10 MB).
WORD_CACHE_MAX = 100_000
#: token (UTF-8) -> the BLAKE2b of its one word, or a tuple of its words' (none or several)
_token_cache: dict[bytes, int | tuple[int, ...]] = {}


def _token_hashes(tokens: list[bytes]) -> list[int | tuple[int, ...]]:
    """The word hashes of each of the (distinct) ``tokens``, from the cache."""
    if len(tokens) > WORD_CACHE_MAX:  # a run of that many distinct tokens is not kept
        return [_token_words_hash(token) for token in tokens]
    cache = _token_cache
    if len(cache) + len(tokens) > WORD_CACHE_MAX:  # never more than WORD_CACHE_MAX held
        cache.clear()
    for token in tokens:
        if token not in cache:
            cache[token] = _token_words_hash(token)
    return list(map(cache.__getitem__, tokens))


def _token_words_hash(token: bytes) -> int | tuple[int, ...]:
    if token.isascii():  # only word bytes: one word
        return _word_hash(token)
    words = _WORD.findall(token.decode())
    if len(words) == 1:
        return _word_hash(words[0].encode())
    return tuple(_word_hash(w.encode()) for w in words)


def _word_count(hashes: int | tuple[int, ...]) -> int:
    return 1 if type(hashes) is int else len(hashes)


def _chunks_by_size(texts: Sequence[str], limit: int) -> Iterator[tuple[int, int]]:
    """``texts`` in order, as (first, end) runs of about ``limit`` characters (at least
    one text each)."""
    first, total = 0, 0
    for i, text in enumerate(texts):
        if i > first and total + len(text) > limit:
            yield first, i
            first, total = i, 0
        total += len(text)
    if first < len(texts):
        yield first, len(texts)
