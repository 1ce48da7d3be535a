"""Split assignment: deterministic, grouped, duplicate-aware, leakage-free."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.signatures import text_signature
from builder.splits import SplitPlan, hash_split, plan_splits
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
    assert plan.near_duplicate_clusters == [["a00100", "a00102"]]
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


def test_an_assignment_that_names_nothing_built_is_listed_as_unmatched() -> None:
    """A typo (``BBC Newz``), or an article left out of the build, pins nothing: the plan
    says which names matched no article id and no group key."""
    facts = [_facts(i, group="publisher:BBC") for i in range(3)] + [_facts(3)]
    plan = _plan(facts, assignment={"BBC": "test", "BBC Newz": "train", "a00003": "test"})
    assert plan.unmatched == ["BBC Newz"]
    assert _plan(facts, assignment={"BBC": "test", "a00003": "test"}).unmatched == []


def test_the_build_warns_at_the_assignment_that_pins_nothing(
    seeds_copy: Path, tmp_path: Path
) -> None:
    from builder.pipeline import build

    as_given = build(seeds_copy, tmp_path / "as-given")
    assert not [i for i in as_given.report.issues if i.rule == "split-assignment"]
    config = seeds_copy / "dataset.yaml"
    text = config.read_text(encoding="utf-8")
    assert "    BBC News: train\n" in text
    config.write_text(text.replace("    BBC News: train\n", "    BBC Newz: train\n"))
    result = build(seeds_copy, tmp_path / "out")
    (warning,) = [i for i in result.report.issues if i.rule == "split-assignment"]
    assert (warning.file, warning.pointer, warning.severity) == (
        "dataset.yaml",
        "/splits/assignment/BBC Newz",
        "warning",
    )
    assert "'BBC Newz' is no article id and no publisher" in warning.message


def test_an_assignment_to_articles_rejected_by_errors_is_not_called_unmatched(
    seeds_copy: Path, tmp_path: Path
) -> None:
    from builder.errors import DataError
    from builder.pipeline import build

    (seeds_copy / "sources.jsonl").unlink()  # every article has an error: no source
    with pytest.raises(DataError) as failed:
        build(seeds_copy, tmp_path / "out")
    rules = {i.rule for i in failed.value.report.issues}
    assert "missing-file" in rules and "split-assignment" not in rules, rules


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


def test_known_lsh_bands_are_datasketchs_choice() -> None:
    from datasketch.lsh import _optimal_param

    from builder.splits import KNOWN_BANDS, lsh_bands

    for (threshold, num_perm), bands in KNOWN_BANDS.items():
        assert _optimal_param(threshold, num_perm, 0.5, 0.5) == bands
    assert lsh_bands(0.83, 64) == _optimal_param(0.83, 64, 0.5, 0.5)


def test_lsh_bands_are_the_signature_cut_in_equal_slices(tmp_path: Path) -> None:
    """The band table SQLite fills holds, for the first article of each text, every
    band as the signature's bytes cut in ``rows * 8``-byte slices."""
    import random

    from builder.splits import _FactsIndex

    rng = random.Random(1)
    index = _FactsIndex(tmp_path, 0.7, 64)
    rows = [
        (
            f"a{i:04d}",
            "g",
            bytes([i % 50]) * 16,  # 50 distinct texts, 6 articles each
            rng.randbytes(512) if i % 7 else None,
        )
        for i in range(300)
    ]
    index.db.executemany("INSERT INTO fact VALUES (?, ?, ?, ?)", rows)
    list(index.near_duplicates())
    got = sorted(index.db.execute("SELECT n, key, id FROM band").fetchall())
    width = index.rows * 8
    first: dict[bytes, tuple[str, bytes]] = {}
    for article_id, _, key, minhash in sorted(rows):
        if minhash is not None and key not in first:
            first[key] = (article_id, minhash)
    expected = sorted(
        (n, minhash[n * width : (n + 1) * width], article_id)
        for article_id, minhash in first.values()
        for n in range(index.bands)
    )
    assert got == expected and len(got) == 50 * index.bands
    index.close()


def test_near_duplicates_are_warned_of_once_per_cluster(seeds_dir: Path) -> None:
    """A crawl's copies of one page template are pairs by the thousand (2,000 near-identical
    pages: 1,988,906 warnings); the build says each cluster once, naming its first ids."""
    from builder.config import load_config
    from builder.pipeline_stages import LISTED_IDS, _report_plan
    from builder.validate.report import ValidationReport

    ids = [f"t{i:03d}" for i in range(LISTED_IDS + 5)]
    plan = SplitPlan(ratios={"train": 1.0}, salt="")
    plan.near_duplicate_clusters = [ids, ["x1", "x2"]]
    report = ValidationReport()
    _report_plan(load_config(seeds_dir), report, plan)
    near = [i for i in report.issues if i.rule == "near-duplicate"]
    assert [i.record for i in near] == ["t000", "x1"]
    assert near[0].message == (
        f"near-identical texts {ids[:LISTED_IDS]} and 5 more; kept in one split"
    )
    assert near[1].message == "near-identical texts ['x1', 'x2']; kept in one split"
