"""Split assignment: deterministic, grouped, duplicate-aware, leakage-free."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest

from builder.splits import SplitPlan, hash_split, plan_splits, text_signature, text_signatures
from builder.staging import ArticleFacts

RATIOS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def _facts(i: int, *, group: str | None = None, text: str | None = None) -> ArticleFacts:
    text = text or f"article number {i} " + " ".join(f"word{i}_{j}" for j in range(40))
    return ArticleFacts(
        id=f"a{i:05d}",
        group_key=group or f"id:a{i:05d}",
        text_key=hashlib.sha256(text.encode()).hexdigest(),
        row_bytes=100,
        publisher=None,
        minhash=text_signature(text),
    )


def _plan(facts: list[ArticleFacts], **kw) -> SplitPlan:
    kw.setdefault("ratios", RATIOS)
    kw.setdefault("salt", "s")
    kw.setdefault("assignment", {})
    kw.setdefault("near_duplicate_threshold", 0.8)
    return plan_splits(iter(facts), **kw)


def _assignment(facts: list[ArticleFacts], **kw) -> dict[str, str]:
    """article id -> split, as a build writes it into the staging index."""
    return dict(_plan(facts, **kw).assign(facts))


def test_same_inputs_give_the_same_assignment() -> None:
    facts = [_facts(i) for i in range(300)]
    assert _assignment(facts) == _assignment(list(reversed(facts)))


def test_ratios_are_roughly_honoured_and_every_id_has_exactly_one_split() -> None:
    assignment = _assignment([_facts(i) for i in range(2000)], near_duplicate_threshold=None)
    counts = {s: list(assignment.values()).count(s) for s in RATIOS}
    assert sum(counts.values()) == 2000
    assert 1500 < counts["train"] < 1700
    assert 120 < counts["test"] < 280


def test_adding_articles_does_not_move_existing_ones() -> None:
    before = _assignment([_facts(i) for i in range(200)])
    after = _assignment([_facts(i) for i in range(400)])
    assert all(after[k] == v for k, v in before.items())


def test_a_group_never_straddles_splits() -> None:
    facts = [_facts(i, group=f"publisher:p{i % 7}") for i in range(140)]
    assignment = _assignment(facts, near_duplicate_threshold=None)
    for p in range(7):
        splits = {assignment[f.id] for f in facts if f.group_key == f"publisher:p{p}"}
        assert len(splits) == 1


def test_exact_and_near_duplicates_are_reported_and_kept_together() -> None:
    base = " ".join(f"token{j}" for j in range(300))
    near = base.replace("token150 ", "changed ", 1)
    facts = [_facts(i) for i in range(50)]
    facts += [_facts(100, text=base), _facts(101, text=base), _facts(102, text=near)]
    plan = _plan(facts)
    assert plan.exact_duplicates == [["a00100", "a00101"]]
    assert ["a00100", "a00102"] in plan.near_duplicates
    assignment = dict(plan.assign(facts))
    assert len({assignment[i] for i in ("a00100", "a00101", "a00102")}) == 1


def test_explicit_assignment_wins_and_conflicts_are_reported() -> None:
    facts = [_facts(i, group="publisher:BBC") for i in range(3)] + [_facts(3)]
    assignment = _assignment(facts, assignment={"BBC": "test", "a00003": "validation"})
    assert {assignment[f"a{i:05d}"] for i in range(3)} == {"test"}
    assert assignment["a00003"] == "validation"
    conflict = _plan(facts, assignment={"BBC": "test", "a00001": "train"})
    assert conflict.conflicts


@pytest.mark.parametrize("salt", ["a", "b"])
def test_hash_split_is_a_pure_function_of_key_and_salt(salt: str) -> None:
    assert hash_split("k", RATIOS, salt) == hash_split("k", RATIOS, salt)
    assert hash_split("k", {"only": 1.0}, salt) == "only"


def test_five_articles_work() -> None:
    assignment = _assignment([_facts(i) for i in range(5)])
    assert len(assignment) == 5
    assert set(assignment.values()) <= set(RATIOS)


def test_a_duplicate_joins_whole_groups_and_carries_their_pin() -> None:
    shared = " ".join(f"shared{j}" for j in range(200))
    facts = [_facts(i, group="publisher:A") for i in range(3)]
    facts += [_facts(10 + i, group="publisher:B") for i in range(3)]
    facts += [
        _facts(20, group="publisher:A", text=shared),
        _facts(21, group="publisher:B", text=shared),
    ]
    plan = _plan(facts, assignment={"A": "test"})
    assignment = dict(plan.assign(facts))
    assert set(assignment.values()) == {"test"}  # B follows A through the copied text
    assert plan.components == 1
    assert plan.exact_duplicates == [["a00020", "a00021"]]


def test_a_conflict_names_the_configuration_entries() -> None:
    facts = [_facts(i, group="publisher:BBC") for i in range(3)]
    plan = _plan(facts, assignment={"BBC": "test", "a00001": "train"})
    assert len(plan.conflicts) == 1
    assert "'BBC' -> test" in plan.conflicts[0] and "'a00001' -> train" in plan.conflicts[0]


def _tiny_facts(n: int) -> Iterator[ArticleFacts]:
    for i in range(n):
        yield ArticleFacts(
            id=f"a{i:07d}",
            group_key=f"id:a{i:07d}",
            text_key=hashlib.sha256(str(i).encode()).hexdigest(),
            row_bytes=1,
            publisher=None,
        )


def _planning_peak(n: int) -> int:
    tracemalloc.start()
    try:
        plan_splits(
            _tiny_facts(n), ratios=RATIOS, salt="s", assignment={}, near_duplicate_threshold=None
        )
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_planning_memory_does_not_grow_with_the_number_of_articles() -> None:
    # Facts stream into SQLite; a table of every id (about 500 bytes an article)
    # would add some 20 MB between these two runs.
    small, large = _planning_peak(10_000), _planning_peak(50_000)
    assert large - small < 2 * 2**20, (small, large)


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

    from builder.splits import MINHASH_PERMUTATIONS, MINHASH_SCHEME, SHINGLE_WORDS, _shingle_hashes

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
    from builder import splits

    texts = _awkward_texts()
    expected = [text_signature(t) for t in texts]
    assert splits.text_signatures(texts) == expected  # one run, one block
    monkeypatch.setattr(splits, "TOKEN_RUN", 300)  # many small runs
    monkeypatch.setattr(splits, "SHINGLE_BLOCK", 50)  # texts longer than a block
    assert splits.text_signatures(texts) == expected
    assert splits.text_signatures(texts) == expected  # with the token cache full
    splits._token_cache.clear()
    assert splits.text_signatures(texts[::-1]) == expected[::-1]
    assert splits.text_signatures([]) == []


def test_batch_text_keys_are_the_per_text_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Casefolded words joined by single spaces, whatever the whitespace: the keys
    ``hashlib.sha256(" ".join(text.casefold().split()).encode())`` gives."""
    from builder import splits

    texts = _awkward_texts()
    expected = [hashlib.sha256(" ".join(t.casefold().split()).encode()).hexdigest() for t in texts]
    assert [splits.text_key(t) for t in texts] == expected
    assert splits.FoldedTexts(texts).text_keys() == expected
    monkeypatch.setattr(splits, "TOKEN_RUN", 300)
    assert splits.FoldedTexts(texts).text_keys() == expected
    every_space = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    spaced = [every_space + "A" + every_space + "b\u00e9" + every_space, every_space, "x"]
    assert splits.FoldedTexts(spaced).text_keys() == [splits.text_key(t) for t in spaced]


def test_character_table_covers_every_word_and_space_character() -> None:
    """The batch tokenizer's table is ``\\w`` and ``str.isspace`` on the BMP, and no
    character beyond it is whitespace (those are tokens that ``\\w+`` splits)."""
    from builder.splits import _NON_WORD, _SPACE, _char_flags

    flags = _char_flags()
    for cp in (0x41, 0xE9, 0x2019, 0x3001, 0x3000, 0xA0, 0x5F, 0x0301, 0xFF21):
        c = chr(cp)
        assert bool(flags[cp] & _NON_WORD) == (re.fullmatch(r"\w", c) is None), hex(cp)
        assert bool(flags[cp] & _SPACE) == c.isspace(), hex(cp)
    assert not any(chr(cp).isspace() for cp in range(0x10000, 0x110000))


def test_known_lsh_bands_are_datasketchs_choice() -> None:
    from datasketch.lsh import _optimal_param

    from builder.splits import KNOWN_BANDS, lsh_bands

    for (threshold, num_perm), bands in KNOWN_BANDS.items():
        assert _optimal_param(threshold, num_perm, 0.5, 0.5) == bands
    assert lsh_bands(0.83, 64) == _optimal_param(0.83, 64, 0.5, 0.5)
