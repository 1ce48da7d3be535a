"""Refusing regular expressions that take exponential time (catastrophic backtracking).

A rule file's expression such as ``(a+)+$`` or ``(\\w+\\s?)+:`` matches quickly when it
matches, but on a line it does not match, Python's backtracking engine tries every
way of splitting the line between the inner and the outer repeat: 2**n for n
characters. A line of 30 letters took some 40 s; a line of a sentence hangs the build.

:func:`ambiguous_repeat` finds the shape statically, in the parse tree
``re._parser`` gives: a repeat without a small bound (``+``, ``*``, ``{1,}``, ``{1,100}``)
whose body can match one text in more than one way by itself being made of
an unbounded repeat X and parts that are optional or that X could have matched
too, e.g. ``(\\w+\\s?)+`` (``\\s?`` optional: "abc" is one pass or three),
``(.*,)+`` (``.`` matches the comma) or ``(a+|b)+``. A repeat whose body needs a
character X cannot match (``(\\w+ )+``, ``(\\w+\\s+)+``) splits a text one way
only, and passes; possessive repeats (``\\w++``) and atomic groups (``(?>...)``)
never backtrack, and pass too.

The check is a heuristic over the common shapes (the "star height" test of ReDoS
linters), not a proof: it finds no ambiguous alternation of overlapping
alternatives (``(a|ab)+``), and no polynomial case (``\\w+\\w+\\w+$``).
"""

from __future__ import annotations

from typing import Any

from .regex_facts import C as _C
from .regex_facts import _compiler, _parser

__all__ = ["ambiguous_repeat"]

#: repeats that give text back when what follows fails (possessive ones do not)
_BACKTRACKING = {_C.MAX_REPEAT, _C.MIN_REPEAT}
#: repeats that give nothing back (Python 3.11+)
_POSSESSIVE = getattr(_C, "POSSESSIVE_REPEAT", None)
#: a repeat bounded at most this many times is tried few enough ways to pass
SMALL_BOUND = 8
#: single characters an item consumes (its character set is sampled on these)
_SINGLE = {_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN, _C.CATEGORY}
#: what a character-set test is sampled on: ASCII, and letters, digits, spaces and
#: marks of other scripts (enough to tell \w, \d, \s, [^...] and literals apart)
_SAMPLE = "".join(map(chr, range(128))) + "éßÆ\u00a0\u2003\u2014\u2019«»•©アя١²"

#: what a repeat body is said to hold when refused
PROBLEM = (
    "a repeat of a part that itself repeats and can split the same text in more than"
    " one way ((a+)+, (\\w+\\s?)+, (.*,)+): on a line it does not match, the time"
    " doubles with each character (a sentence hangs the build); make the parts"
    " exclusive (a required separator the inner part cannot match: (\\w+\\s)+), or"
    " make the inner repeat possessive (\\w++) or atomic ((?>\\w+))"
)


def ambiguous_repeat(source: str, flags: int = 0) -> str | None:
    """Why ``source`` can backtrack exponentially (:data:`PROBLEM`), or None.

    A ``re.error`` of a bad expression is the caller's (raised here as by
    ``re.compile``).
    """
    tree = _parser.parse(source, flags)
    checker = _Checker(int(flags) | tree.state.flags, tree.state)
    try:
        found = checker.any_ambiguous(list(tree))
    except (AttributeError, TypeError, ValueError, IndexError, RuntimeError):
        return None  # an internal parse tree of another shape: no check, not a refusal
    return PROBLEM if found else None


class _Checker:
    def __init__(self, flags: int, state: Any) -> None:
        self.flags = flags
        self.state = state

    # -- the walk ------------------------------------------------------------------
    def any_ambiguous(self, items: list[Any]) -> bool:
        for op, av in items:
            if op in _BACKTRACKING:
                _low, high, body = av
                if (high == _C.MAXREPEAT or high > SMALL_BOUND) and self._splits(list(body)):
                    return True
            if any(self.any_ambiguous(list(sub)) for sub in _children(op, av)):
                return True
        return False

    def _splits(self, body: list[Any]) -> bool:
        """Whether a repeated ``body`` can match one text in several ways."""
        return any(self._sequence_splits(seq) for seq in self._alternatives(body))

    def _alternatives(self, items: list[Any]) -> list[list[Any]]:
        """``items`` as the sequences it may match (a lone alternation's branches)."""
        flat = _flattened(items)
        if len(flat) == 1 and flat[0][0] is _C.BRANCH:
            return [seq for branch in flat[0][1][1] for seq in self._alternatives(list(branch))]
        return [flat]

    def _sequence_splits(self, seq: list[Any]) -> bool:
        for i, item in enumerate(seq):
            if not self._unbounded(item):
                continue
            own = self._chars([item])
            needed = [other for other in seq[:i] + seq[i + 1 :] if not self._nullable(other)]
            # all else optional, or all it needs is what the repeat matches as well
            if all(self._chars([other]) <= own for other in needed):
                return True
        return False

    # -- facts of one item ---------------------------------------------------------
    def _unbounded(self, item: Any) -> bool:
        """Whether ``item`` matches texts of any length, giving characters back."""
        op, av = item
        if op in _BACKTRACKING:
            return av[1] == _C.MAXREPEAT and bool(self._chars(list(av[2])))
        if op is _C.SUBPATTERN:
            return any(self._unbounded(x) for x in av[-1])
        if op is _C.BRANCH:
            return any(self._unbounded(x) for branch in av[1] for x in branch)
        return False  # atomic groups and possessive repeats give nothing back

    def _nullable(self, item: Any) -> bool:
        """Whether ``item`` can match the empty text."""
        op, av = item
        if op in _SINGLE:
            return False
        if op in _BACKTRACKING or op is _POSSESSIVE:
            return av[0] == 0 or all(self._nullable(x) for x in av[2])
        if op is _C.BRANCH:
            return any(all(self._nullable(x) for x in branch) for branch in av[1])
        if op is _C.GROUPREF_EXISTS:
            return any(b is None or all(self._nullable(x) for x in b) for b in av[1:])
        if op is _C.GROUPREF:
            return True
        return all(self._nullable(x) for sub in _children(op, av) for x in sub)

    def _chars(self, items: list[Any]) -> frozenset[str]:
        """The sample characters ``items`` can consume (a back reference: any)."""
        found: set[str] = set()
        for op, av in items:
            if op in _SINGLE:
                found |= _single_chars((op, av), self.flags, self.state)
            elif op is _C.GROUPREF:
                found |= set(_SAMPLE)
            else:
                for sub in _children(op, av):
                    found |= self._chars(list(sub))
        return frozenset(found)


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-sequences of one parse-tree item."""
    if op in _BACKTRACKING or op is _POSSESSIVE:
        return [av[2]]
    if op is _C.SUBPATTERN:
        return [av[-1]]
    if op is _C.BRANCH:
        return list(av[1])
    if op is _C.GROUPREF_EXISTS:
        return [b for b in av[1:] if b is not None]
    if op in (_C.ASSERT, _C.ASSERT_NOT):
        return []  # a look-around consumes nothing of the repeat's text
    if op is getattr(_C, "ATOMIC_GROUP", None):
        return [av]
    return []


def _flattened(items: list[Any]) -> list[Any]:
    """``items`` with capturing and non-capturing groups opened (they change no match)."""
    out: list[Any] = []
    for op, av in items:
        if op is _C.SUBPATTERN:
            out += _flattened(list(av[-1]))
        elif op not in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            out.append((op, av))
    return out


#: the sample characters of each one-character item, by the item and flags
_CHARS_OF: dict[tuple[str, int], frozenset[str]] = {}


def _single_chars(item: Any, flags: int, state: Any) -> frozenset[str]:
    """The sample characters one item (a literal, a class, ``.``) matches: the item
    compiled alone, with the expression's flags (case, ASCII), and tried on each."""
    key = (repr(item), flags)
    if key not in _CHARS_OF:
        code = _compiler._code(_parser.SubPattern(state, [item]), flags)
        matcher = _compiler._sre.compile("", flags, code, 0, {}, (None,))
        _CHARS_OF[key] = frozenset(ch for ch in _SAMPLE if matcher.fullmatch(ch))
    return _CHARS_OF[key]
