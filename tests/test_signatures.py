"""The exact text key and the MinHash signature: the batch path against the
one-text references, and the references against datasketch."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from builder import signatures
from builder.signatures import text_signature, text_signatures


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


@pytest.mark.parametrize("changed", [5, 30, 120])
def test_signatures_estimate_the_jaccard_similarity_of_word_5_grams(changed: int) -> None:
    words = [f"w{j}" for j in range(400)]
    other = list(words)
    for j in range(0, 400, 400 // changed):
        other[j] = f"x{j}"
    a, b = " ".join(words), " ".join(other)
    true = len(_shingles(a) & _shingles(b)) / len(_shingles(a) | _shingles(b))
    sa, sb = (np.frombuffer(text_signature(t), dtype="<u8") for t in (a, b))
    estimate = float(np.mean(sa == sb))
    assert abs(estimate - true) < 0.15, (true, estimate)  # 64 permutations: sd <= 0.0625


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "a b c d",
        "The quick brown fox jumps over the lazy dog. " * 40,
        "Ünïcödé wörds ß " * 9,
        "«Bonjour» l’homme — dit-il… ½ ² x²y ǅ İstanbul ΣΑΣ ﬁne ＡＢＣ a🙂b 👍🏽 𝐁𝐨𝐥𝐝",
    ],
)
def test_signature_is_datasketchs_affine32_minhash_of_the_shingle_hashes(text: str) -> None:
    """The vectorized signature must be the value datasketch computes, bit for bit
    (stored signatures and near-duplicate pairs may not change with the speed-up)."""
    from datasketch import MinHash

    from builder.signatures import (
        MINHASH_PERMUTATIONS,
        MINHASH_SCHEME,
        SHINGLE_WORDS,
        _shingle_hashes,
    )

    reference = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=1, scheme=MINHASH_SCHEME, hashfunc=int)
    reference.update_batch(_shingle_hashes(text, SHINGLE_WORDS).tolist())
    expected = np.asarray(reference.hashvalues, dtype="<u8").tobytes()
    assert text_signature(text) == expected
    assert text_signatures([text, text]) == [expected, expected]  # the batch path too


#: Texts that take every path of the batch tokenizer: quotes and dashes between words,
#: non-word characters inside a token (one, none or several words), characters beyond
#: the BMP, every kind of whitespace, texts shorter than a shingle.
AWKWARD = [
    "",
    "one",
    "a b c d",
    "... !!! ...",
    "\u3000\u2028 ",
    "«Bonjour» l’homme — dit-il… ½ ² x²y ǅ İstanbul ΣΑΣ ﬁne ＡＢＣ K Å",
    "\u2060word\u200bjoined\u2028line ‿ a_b __ 9 x·y a°b c×d e«f»g",
    "日本語のテキスト、句読点。 한국어 텍스트 عربي نص ١٢٣",
    "e\u0301t\u0301e\u0301 cafe\u0301s x\u00a0y\u3000z\u0085w\u1680v\u205fu\u202ft",
    "🙂 emoji 👍🏽 text ✓ ok 1,000.5 km² 𝐁𝐨𝐥𝐝 𝟙𝟚 a🙂b 🙂🙂",
    "\x1c\x1d words\x1e\x1f more\t\ttab\nnew\n\nline\r\x0bv\x0cf  end  ",
    "  Straße STRASSE ﬀ ǰ ᾈ under_score x_ _y " * 3,
]


def _awkward_texts() -> list[str]:
    texts = [
        "Iran said on Tuesday that talks in Oman would resume next week. " * (1 + i % 7)
        + f"story number {i} Ünïcödé ß"
        for i in range(40)
    ]
    texts += AWKWARD
    pairs = zip(AWKWARD, AWKWARD[3:] + AWKWARD[:3], strict=True)
    texts += [f"{a} {b} words between them {c}" for (a, b), c in zip(pairs, texts, strict=False)]
    return texts


def test_batch_signatures_are_the_per_text_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch MinHash gives each text the bytes :func:`text_signature` gives it,
    across run and block boundaries, with texts shorter than a shingle among them."""

    texts = _awkward_texts()
    expected = [text_signature(t) for t in texts]
    assert signatures.text_signatures(texts) == expected  # one run, one block
    monkeypatch.setattr(signatures, "TOKEN_RUN", 300)  # many small runs
    monkeypatch.setattr(signatures, "SHINGLE_BLOCK", 50)  # texts longer than a block
    assert signatures.text_signatures(texts) == expected
    assert signatures.text_signatures(texts) == expected  # with the token cache full
    signatures._token_cache.clear()
    assert signatures.text_signatures(texts[::-1]) == expected[::-1]
    assert signatures.text_signatures([]) == []


def test_batch_text_keys_are_the_per_text_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Casefolded words joined by single spaces, whatever the whitespace: the keys
    ``hashlib.sha256(" ".join(text.casefold().split()).encode())`` gives."""

    texts = _awkward_texts()
    expected = [hashlib.sha256(" ".join(t.casefold().split()).encode()).hexdigest() for t in texts]
    assert [signatures.text_key(t) for t in texts] == expected
    assert signatures.FoldedTexts(texts).text_keys() == expected
    monkeypatch.setattr(signatures, "TOKEN_RUN", 300)
    assert signatures.FoldedTexts(texts).text_keys() == expected
    every_space = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    spaced = [every_space + "A" + every_space + "b\u00e9" + every_space, every_space, "x"]
    assert signatures.FoldedTexts(spaced).text_keys() == [signatures.text_key(t) for t in spaced]


def test_character_table_covers_every_word_and_space_character() -> None:
    """The batch tokenizer's table is ``\\w`` and ``str.isspace`` on the BMP, and no
    character beyond it is whitespace (those are tokens that ``\\w+`` splits)."""
    from builder.signatures import _NON_WORD, _SPACE, _char_flags

    flags = _char_flags()
    for cp in (0x41, 0xE9, 0x2019, 0x3001, 0x3000, 0xA0, 0x5F, 0x0301, 0xFF21):
        c = chr(cp)
        assert bool(flags[cp] & _NON_WORD) == (re.fullmatch(r"\w", c) is None), hex(cp)
        assert bool(flags[cp] & _SPACE) == c.isspace(), hex(cp)
    assert not any(chr(cp).isspace() for cp in range(0x10000, 0x110000))


def test_the_word_cache_never_holds_more_than_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _awkward_texts()
    expected = [text_signature(t) for t in texts]
    signatures._token_cache.clear()
    monkeypatch.setattr(signatures, "WORD_CACHE_MAX", 40)
    monkeypatch.setattr(signatures, "TOKEN_RUN", 200)  # runs of fewer distinct tokens
    assert signatures.text_signatures(texts) == expected
    assert 0 < len(signatures._token_cache) <= 40
    monkeypatch.setattr(signatures, "TOKEN_RUN", 10**6)  # one run of more than the bound
    signatures._token_cache.clear()
    assert signatures.text_signatures(texts) == expected
    assert len(signatures._token_cache) <= 40
