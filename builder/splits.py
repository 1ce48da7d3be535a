"""Deterministic, leakage-safe split assignment.

Articles are first joined into components that must not straddle splits:
same grouping key (publisher, story group), identical normalized text, or
near-identical text (MinHash LSH over word 5-grams). Each component then goes
to one split: an explicit assignment from the configuration when one of its
members is named there, otherwise a salted hash of the component's key, so the
same inputs always give the same splits and an article keeps its split when
others are added (as in TFDS's hash-based splitting).

Memory stays flat in the number of articles: the facts stream into a
temporary SQLite file, duplicates are found there by SQL, and only grouping
keys that a duplicate joins to another key are held in memory. Everything else
is a singleton component whose split is a pure function of its key, so the
plan answers :meth:`SplitPlan.split_of` for any article without a table of
every id.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .staging import ArticleFacts

__all__ = [
    "MINHASH_SCHEME",
    "SplitPlan",
    "hash_split",
    "plan_splits",
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


#: Characters of casefolded text :func:`text_signatures` tokenizes in one step
#: (a 256-article batch of 5 KB articles in two): each distinct word costs Python
#: work once per step, each byte about 30 bytes of transient arrays.
TOKEN_RUN = 1_000_000
#: Shingles per permutation step: a reused 64 x 16,384 uint32 buffer (4 MB), small
#: enough to stay in cache; one large temporary per step costs page faults instead.
SHINGLE_BLOCK = 16_384


def text_signatures(texts: Sequence[str], *, folded: Sequence[str] | None = None) -> list[bytes]:
    """:func:`text_signature` of every text of a batch, bit for bit (tests check both
    agree), with no Python work per word.

    A run of texts is casefolded, encoded and tokenized as one UTF-8 buffer by
    numpy; each distinct token is looked up once per run (Arrow's dictionary
    encoding) in a per-process cache of its words' BLAKE2b hashes; the shingles
    of all texts are mixed as one array and each text's minimum per permutation
    is a ``np.minimum.reduceat`` over its run of shingles. ``folded``: the texts'
    ``str.casefold()``, when the caller has them already.
    """
    if folded is None:
        folded = [t.casefold() for t in texts]
    out: list[bytes] = []
    for first, end in _chunks_by_size(folded, TOKEN_RUN):
        out += _run_signatures(texts[first:end], folded[first:end])
    return out


def _run_signatures(texts: Sequence[str], folded: Sequence[str]) -> list[bytes]:
    hashes, counts = _batch_word_hashes(folded)
    signatures: list[bytes] = [b""] * len(texts)
    short = counts < SHINGLE_WORDS
    for k in np.flatnonzero(short).tolist():
        signatures[k] = text_signature(texts[k])  # shorter than a shingle: its own rule
    long = np.flatnonzero(~short)
    if len(long) == 0:
        return signatures
    # Text k's words start at word_starts[k]; its shingles, counts[k] - width + 1 of
    # them, at the same place in ``mixed`` (the others straddle two texts).
    word_starts = (np.cumsum(counts) - counts)[long]
    shingles = counts[long] - (SHINGLE_WORDS - 1)
    offsets = np.cumsum(shingles) - shingles
    mixed = _mix_shingles(hashes, len(hashes) - SHINGLE_WORDS + 1, SHINGLE_WORDS)
    own = mixed[np.arange(int(shingles.sum())) + np.repeat(word_starts - offsets, shingles)]
    minima = _block_minima(_fmix32(own.astype(np.uint32)), offsets, shingles).astype("<u8")
    for k, row in zip(long.tolist(), minima, strict=True):
        signatures[k] = row.tobytes()
    return signatures


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
#: in ASCII) and every non-ASCII byte (each token holding one is split by ``\w+`` itself).
_WORDISH = bytes(int(b >= 0x80 or chr(b).isalnum() or b == 0x5F) for b in range(256))

#: Words whose hashes a process keeps (news vocabulary is mostly far smaller); the
#: cache is dropped when full, so memory stays bounded on any corpus (about 4 MB).
WORD_CACHE_MAX = 20_000
#: token (UTF-8) -> the BLAKE2b of its one word, or a tuple of its words' (none or several)
_token_cache: dict[bytes, int | tuple[int, ...]] = {}


def _token_hashes(tokens: list[bytes]) -> list[int | tuple[int, ...]]:
    """The word hashes of each of the (distinct) ``tokens``, from the cache."""
    cache = _token_cache
    if len(cache) > WORD_CACHE_MAX:
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


def _batch_word_hashes(folded: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the words ``\\w+`` finds in each text, all texts in one array, and
    the number of words of each text.

    The texts are joined by spaces into one UTF-8 buffer. A token is a run of bytes
    that are ASCII word characters or non-ASCII, less the General Punctuation block
    (U+2000-U+206F: quotes, dashes, spaces; no word characters), so that ``Iran’s``
    makes two tokens. An ASCII token is one word; a token with other non-ASCII
    characters has the words ``\\w+`` finds in it (none, one or more).
    """
    encoded = [f.encode() for f in folded]
    sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    text_ends = np.cumsum(sizes + 1)  # the space after text k (one leads the buffer)
    data = b" " + b" ".join(encoded) + b" "
    raw = np.frombuffer(data, dtype=np.uint8)
    wordish = np.frombuffer(bytearray(data.translate(_WORDISH)), dtype=np.bool_)
    lead = np.flatnonzero(raw == 0xE2)  # U+2000-U+206F: E2 80 xx, or E2 81 xx with xx <= AF
    second = raw[lead + 1]
    punctuation = lead[(second == 0x80) | ((second == 0x81) & (raw[lead + 2] <= 0xAF))]
    for k in range(3):
        wordish[punctuation + k] = False
    edges = np.flatnonzero(wordish[1:] != wordish[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    tokens = pa.Array.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(raw[wordish])]
    )
    coded = pc.dictionary_encode(tokens)
    index = coded.indices.to_numpy()
    per_token = _token_hashes(coded.dictionary.to_pylist())
    tokens_before = np.concatenate(([0], np.searchsorted(starts, text_ends)))
    if all(type(h) is int for h in per_token):  # every token one word
        hashes = np.fromiter(per_token, dtype=np.uint64, count=len(per_token))[index]
        return hashes, np.diff(tokens_before)
    words = np.fromiter(map(_word_count, per_token), dtype=np.int64, count=len(per_token))
    flat = np.fromiter(
        chain.from_iterable((h,) if type(h) is int else h for h in per_token),
        dtype=np.uint64,
        count=int(words.sum()),
    )
    first_word = np.cumsum(words) - words  # of each distinct token, in ``flat``
    occurrence_words = words[index]
    words_before = np.concatenate(([0], np.cumsum(occurrence_words)))
    total = int(words_before[-1])
    hashes = flat[
        np.repeat(first_word[index] - words_before[:-1], occurrence_words) + np.arange(total)
    ]
    return hashes, np.diff(words_before[tokens_before])


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


_INSERT_BATCH = 10_000

#: ``datasketch.lsh._optimal_param(threshold, 64, 0.5, 0.5)`` for the usual
#: thresholds: datasketch's banding needs scipy, whose import costs 1.3-3.5 s in
#: the parent, serially, on every build. Other thresholds ask datasketch;
#: ``tests/test_splits.py`` checks the table against it.
KNOWN_BANDS: dict[tuple[float, int], tuple[int, int]] = {
    (0.5, 64): (14, 4),
    (0.55, 64): (12, 5),
    (0.6, 64): (10, 6),
    (0.65, 64): (9, 7),
    (0.7, 64): (8, 8),
    (0.75, 64): (7, 9),
    (0.8, 64): (5, 11),
    (0.85, 64): (4, 15),
    (0.9, 64): (3, 21),
    (0.95, 64): (2, 32),
}


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) as datasketch's ``MinHashLSH`` chooses them."""
    known = KNOWN_BANDS.get((threshold, num_perm))
    if known is not None:
        return known
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, 0.5, 0.5)


class _UnionFind:
    """Union-find whose root is always the smallest member (the component's key)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while (up := self.parent.get(root, root)) != root:
            root = up
        while (up := self.parent.get(x, x)) != root:  # path compression
            self.parent[x], x = root, up
        return root

    def union(self, a: str, b: str) -> bool:
        """Join two components; True when they were apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def hash_split(key: str, ratios: Mapping[str, float], salt: str) -> str:
    """The split a key falls in: a salted SHA-256 mapped onto cumulative ratios."""
    digest = hashlib.sha256(f"{salt}\x00{key}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    names = list(ratios)
    for name in names:
        total += ratios[name]
        if point < total:
            return name
    return names[-1]


def _explicit_key(group_key: str) -> str:
    """``publisher:BBC`` -> ``BBC``: the name a configuration assigns a group by."""
    return group_key.split(":", 1)[1]


@dataclass
class SplitPlan:
    """Which split each article goes to, and what the card and report say about it.

    Only components that are pinned by the configuration or joined by a
    duplicate are stored; every other article's split is the hash of its
    grouping key. Use :meth:`split_of` (or :meth:`assign`) to read it.
    """

    ratios: Mapping[str, float]
    salt: str
    exact_duplicates: list[list[str]] = field(default_factory=list)
    near_duplicates: list[list[str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    components: int = 0
    #: grouping key -> its component's key, for keys a duplicate joined to others
    _root_of: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    #: component key -> split, for components the configuration pins
    _pinned_split: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def split_of(self, group_key: str) -> str:
        """The split of every article with this grouping key (pins were resolved to keys)."""
        root = self._root_of.get(group_key, group_key)
        if root in self._pinned_split:
            return self._pinned_split[root]
        return hash_split(root, self.ratios, self.salt)

    def assign(self, facts: Iterable[ArticleFacts]) -> Iterator[tuple[str, str]]:
        """``(article id, split)`` for each of ``facts``, streamed."""
        for f in facts:
            yield f.id, self.split_of(f.group_key)


class _FactsIndex:
    """Ids, grouping keys, text hashes and MinHash bands in a temporary SQLite file.

    An in-memory index costs about 3 KB per article for LSH bands alone (a
    million articles: gigabytes); here they cost disk, and duplicates come
    from ``GROUP BY`` and one self-join. Near-duplicate candidates are
    confirmed by their estimated Jaccard similarity, so a band collision alone
    never groups two articles.
    """

    def __init__(self, directory: Path, threshold: float | None, num_perm: int) -> None:
        self.threshold = threshold
        self.bands = self.rows = 0
        if threshold is not None:
            self.bands, self.rows = lsh_bands(threshold, num_perm)
        self.db = sqlite3.connect(directory / "splits.sqlite")
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE fact (id TEXT PRIMARY KEY, grp TEXT, text_key BLOB, minhash BLOB);"
            "CREATE TABLE band (n INTEGER, key BLOB, id TEXT);"
        )

    def add_all(
        self, facts: Iterable[ArticleFacts], on_fact: Callable[[ArticleFacts], None]
    ) -> None:
        batch: list[ArticleFacts] = []
        for f in facts:
            on_fact(f)
            batch.append(f)
            if len(batch) >= _INSERT_BATCH:
                self._insert(batch)
                batch = []
        self._insert(batch)
        self.db.execute("CREATE INDEX fact_text ON fact (text_key, id)")

    def _insert(self, batch: list[ArticleFacts]) -> None:
        self.db.executemany(
            "INSERT INTO fact VALUES (?, ?, ?, ?)",
            (
                (f.id, f.group_key, bytes.fromhex(f.text_key)[:16], f.minhash)  # 128 bits
                for f in batch
            ),
        )

    def group_keys(self) -> int:
        return self.db.execute("SELECT COUNT(DISTINCT grp) FROM fact").fetchone()[0]

    def exact_duplicates(self) -> Iterator[list[tuple[str, str]]]:
        """Groups of ``(id, group key)`` with identical text, each in id order."""
        group: list[tuple[str, str]] = []
        last: bytes | None = None
        for key, article_id, grp in self.db.execute(
            "SELECT text_key, id, grp FROM fact WHERE text_key IN"
            " (SELECT text_key FROM fact GROUP BY text_key HAVING COUNT(*) > 1)"
            " ORDER BY text_key, id"
        ):
            if key != last and group:
                yield group
                group = []
            last = key
            group.append((article_id, grp))
        if group:
            yield group

    def near_duplicates(self) -> Iterator[tuple[str, str, str, str]]:
        """Confirmed near-duplicate pairs ``(a, b, group of a, group of b)``, a < b.

        Only the first article of each identical text takes part: its copies
        are already joined to it as exact duplicates.
        """
        if self.threshold is None:
            return
        width = self.rows * 8
        firsts = self.db.execute(
            "SELECT MIN(id), minhash FROM fact WHERE minhash IS NOT NULL GROUP BY text_key"
        )
        for article_id, minhash in firsts:
            self.db.executemany(
                "INSERT INTO band VALUES (?, ?, ?)",
                ((n, minhash[n * width : (n + 1) * width], article_id) for n in range(self.bands)),
            )
        self.db.execute("CREATE INDEX band_key ON band (n, key)")
        candidates = self.db.execute(
            "SELECT DISTINCT a.id, b.id FROM band a JOIN band b"
            " ON a.n = b.n AND a.key = b.key AND a.id < b.id ORDER BY a.id, b.id"
        ).fetchall()
        lookup = "SELECT grp, minhash FROM fact WHERE id = ?"
        for a, b in candidates:
            (ga, ha), (gb, hb) = (self.db.execute(lookup, (i,)).fetchone() for i in (a, b))
            same = np.frombuffer(ha, dtype="<u8") == np.frombuffer(hb, dtype="<u8")
            if float(np.mean(same)) >= self.threshold:
                yield a, b, ga, gb

    def close(self) -> None:
        self.db.close()


def plan_splits(
    facts: Iterable[ArticleFacts],
    *,
    ratios: Mapping[str, float],
    salt: str,
    assignment: Mapping[str, str],
    near_duplicate_threshold: float | None,
    num_perm: int = 64,
) -> SplitPlan:
    """Plan the split of every article (see the module docstring).

    ``assignment`` pins articles (by id) or groups (by the grouping key's
    value, e.g. a publisher) to a split, as the configuration's
    ``splits.assignment`` does.
    """
    plan = SplitPlan(ratios=dict(ratios), salt=salt)
    uf = _UnionFind()
    pins: defaultdict[str, dict[str, str]] = defaultdict(dict)  # group key -> {config name: split}

    def note_pins(f: ArticleFacts) -> None:
        if f.id in assignment:
            pins[f.group_key][f.id] = assignment[f.id]
        name = _explicit_key(f.group_key)
        if name in assignment:
            pins[f.group_key][name] = assignment[name]

    with tempfile.TemporaryDirectory(prefix="builder-splits-") as tmp:
        index = _FactsIndex(Path(tmp), near_duplicate_threshold, num_perm)
        try:
            index.add_all(facts, note_pins)
            merges = 0
            for group in index.exact_duplicates():
                plan.exact_duplicates.append([article_id for article_id, _ in group])
                merges += sum(uf.union(group[0][1], grp) for _, grp in group[1:])
            for a, b, ga, gb in index.near_duplicates():
                plan.near_duplicates.append([a, b])
                merges += uf.union(ga, gb)
            plan.components = index.group_keys() - merges
            plan.exact_duplicates.sort()
        finally:
            index.close()

    plan._root_of = {key: uf.find(key) for key in uf.parent}
    by_component: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for key, named in pins.items():
        by_component[plan._root_of.get(key, key)].update(named)
    for root, named in sorted(by_component.items()):
        splits = sorted(set(named.values()))
        if len(splits) > 1:
            said = ", ".join(f"{name!r} -> {split}" for name, split in sorted(named.items()))
            plan.conflicts.append(
                f"{said}: these name articles that must share a split"
                f" (joined through {root!r}, by grouping key or duplicate text)"
            )
        plan._pinned_split[root] = splits[0]
    return plan
