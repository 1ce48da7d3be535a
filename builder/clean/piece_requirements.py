"""What pieces a line must hold for a rule's test to match it, checked before the test runs.

Every match of an expression holds pieces that can be read off its parse tree
(:mod:`.regex_facts`): a word piece of ASCII letters and digits (``photo``), a
punctuation mark (``|``, ``©``) or a digit. :class:`~.rule_set.RuleSet` first narrows a
line's tests by one set of such pieces per test (found for all tests at once); a test
left has a :data:`Requirement`, the rest of what its matches hold, checked here on the
line before the expression is run.

A requirement is a conjunction of *clauses*; a clause is a disjunction of
*alternatives*; an alternative is a conjunction of sets of pieces, of each of which the
line must hold one:

* the other sets every match holds (a digit *and* ``views`` or ``likes``) are one clause
  of one alternative;
* a ``contains`` expression that is one alternation
  (``(?<=not )affiliated with|©\\s*\\d{4}``) is a clause of one alternative per branch:
  a line holding a piece of some branch, but not all the pieces of any, is not searched.

A clause indexes its alternatives by the word pieces of their first (most selective)
sets, so that a line is checked only against the alternatives it can open; those whose
first set holds a mark or a digit are checked on every line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .regex_facts import DIGIT, MARK, alternatives_sets

__all__ = ["Requirement", "meets", "requirement"]

#: A set of pieces as checked on a line: its word pieces, its marks, whether a digit.
PieceSet = tuple[tuple[str, ...], tuple[str, ...], bool]
#: Sets of pieces of each of which the line holds one.
Alternative = tuple[PieceSet, ...]
#: A disjunction of alternatives: the word pieces that open some (sorted); per such
#: piece, the rest of the alternatives whose first set has it; the alternatives whose
#: first set holds a mark or a digit (checked whole, on every line).
Clause = tuple[tuple[str, ...], dict[str, tuple[Alternative, ...]], tuple[Alternative, ...]]
#: Clauses that all hold on every line the test may match (empty: nothing to check).
Requirement = tuple[Clause, ...]

_DIGIT = re.compile(r"\d")


def piece_sets(sets: Iterable[frozenset[str]]) -> Alternative:
    """Sets of pieces (as :mod:`.regex_facts` gives them) in the form :func:`meets` reads."""
    return tuple(
        (
            tuple(sorted(p for p in q if not p.startswith(MARK))),
            tuple(sorted(p[1] for p in q if p.startswith(MARK) and p != DIGIT)),
            DIGIT in q,
        )
        for q in sets
    )


def _all_sets_clause(sets: Iterable[frozenset[str]]) -> tuple[Clause, ...]:
    """The clause of one alternative: every set held (none when there are no sets)."""
    alternative = piece_sets(sets)
    return (((), {}, (alternative,)),) if alternative else ()


def _alternation_clause(alternatives: Sequence[Sequence[frozenset[str]]]) -> tuple[Clause, ...]:
    """The clause of an alternation (every set of one of its alternatives held); none
    when it is no alternation (``alternatives`` empty)."""
    if not alternatives:
        return ()
    by_key: dict[str, list[Alternative]] = {}
    others = []
    for first, *rest in alternatives:
        if any(p.startswith(MARK) for p in first):
            others.append(piece_sets([first, *rest]))
            continue
        for piece in first:
            by_key.setdefault(piece, []).append(piece_sets(rest))
    return ((tuple(sorted(by_key)), {k: tuple(v) for k, v in by_key.items()}, tuple(others)),)


def requirement(
    sets: Iterable[frozenset[str]], searched: Iterable[re.Pattern[str]] = ()
) -> Requirement:
    """The requirement that the line holds a piece of every one of ``sets`` and, for each
    of the ``searched`` expressions (a rule's ``contains``) that is one alternation,
    every set of one of its alternatives. (A search tries an alternation at every
    position of the line, so its branches are worth telling apart; a full match of a
    pattern fails at its start.)"""
    clauses = _all_sets_clause(sets)
    for expression in searched:
        clauses += _alternation_clause(alternatives_sets(expression))
    return clauses


def _holds(sets: Alternative, raw: str, folded: str) -> bool:
    """Whether the line holds a piece of every set: a word piece in the folded line (it
    is then inside one of its words), a mark or a digit in the raw line."""
    for pieces, marks, digit in sets:
        for p in pieces:
            if p in folded:
                break
        else:
            for m in marks:
                if m in raw:
                    break
            else:
                if not (digit and _DIGIT.search(raw)):
                    return False
    return True


def meets(requirement: Requirement, raw: str, folded: str) -> bool:
    """Whether the line (``raw``, and ``folded``: ``raw.casefold()``) holds what the
    requirement asks; when not, the test cannot match it. The word pieces opening a
    clause's alternatives are found in one pass in C, and only those are checked."""
    for keys, by_key, others in requirement:
        for alternative in others:
            # (:func:`_holds`, written out: most tests' one clause is one alternative,
            # and this runs for every test a line's pieces leave)
            for pieces, marks, digit in alternative:
                for p in pieces:
                    if p in folded:
                        break
                else:
                    for m in marks:
                        if m in raw:
                            break
                    else:
                        if not (digit and _DIGIT.search(raw)):
                            break  # a set not held: not this alternative
            else:
                break  # every set of this alternative held: the clause holds
        else:
            if not keys or not any(
                _holds(rest, raw, folded)
                for key in filter(folded.__contains__, keys)
                for rest in by_key[key]
            ):
                return False
    return True
