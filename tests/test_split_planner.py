"""The split plan taken batch by batch (as a build adds each batch's facts while the
workers run the next ones) is the plan of all the facts at once, whatever the order."""

from __future__ import annotations

import random

from builder.splits import SplitPlan, SplitPlanner, plan_splits
from builder.staging import ArticleFacts
from tests.test_splits import RATIOS, _facts

ASSIGNMENT = {"a00003": "test", "p2": "validation"}


def _corpus() -> list[ArticleFacts]:
    """Singles, publisher groups, exact copies and near copies (one copy's id smaller
    than its original's, so a later batch makes an earlier first-of-its-text stale)."""
    base = " ".join(f"token{j}" for j in range(300))
    other = " ".join(f"mot{j}" for j in range(300))
    facts = [_facts(i, group=f"publisher:p{i % 5}" if i % 3 == 0 else None) for i in range(120)]
    facts += [_facts(200, text=base), _facts(201, text=base), _facts(150, text=base)]
    facts += [_facts(202, text=base.replace("token150 ", "changed ", 1))]
    facts += [_facts(300, text=other), _facts(301, text=other.replace("mot7 ", "x ", 1))]
    return facts


def _summary(plan: SplitPlan, facts: list[ArticleFacts]) -> tuple:
    return (
        plan.exact_duplicates,
        plan.near_duplicate_clusters,
        plan.conflicts,
        plan.components,
        sorted(plan.assign(facts)),
    )


def _in_batches(facts: list[ArticleFacts], size: int) -> SplitPlan:
    with SplitPlanner(assignment=ASSIGNMENT, near_duplicate_threshold=0.8) as planner:
        for start in range(0, len(facts), size):
            planner.add(facts[start : start + size])
        return planner.plan(ratios=RATIOS, salt="s")


def test_batches_in_id_order_give_the_plan_of_all_facts_at_once() -> None:
    facts = sorted(_corpus(), key=lambda f: f.id)
    whole = plan_splits(
        iter(facts), ratios=RATIOS, salt="s", assignment=ASSIGNMENT, near_duplicate_threshold=0.8
    )
    assert whole.exact_duplicates == [["a00150", "a00200", "a00201"]]
    assert whole.near_duplicate_clusters == [["a00150", "a00202"], ["a00300", "a00301"]]
    for size in (1, 7, 64, len(facts)):
        assert _summary(_in_batches(facts, size), facts) == _summary(whole, facts)


def test_batches_out_of_id_order_give_the_same_plan() -> None:
    facts = sorted(_corpus(), key=lambda f: f.id)
    whole = _summary(_in_batches(facts, len(facts)), facts)
    shuffled = list(facts)
    random.Random(3).shuffle(shuffled)
    for size in (5, 33):
        assert _summary(_in_batches(shuffled, size), facts) == whole
    # the original text first, its smaller-id copy in a later batch: the copy's bands replace it
    late = [f for f in facts if f.id != "a00150"] + [f for f in facts if f.id == "a00150"]
    assert _summary(_in_batches(late, 10), facts) == whole
