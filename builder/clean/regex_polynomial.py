"""Refusing regular expressions that take cubic time or worse on a line they do not match
(polynomial backtracking); :mod:`.regex_safety` refuses the exponential ones.

:func:`slow_search` finds the shape: long repeats in a row that can split one
run of characters between them, with only optional parts or characters they match too in
between (``\\w+\\s*\\w+``, ``\\d+\\.?\\d+``, ``.*a.*b``), and a part after them that can
fail (`` said$``, ``:``). k of them try about n**k splits of a run of n characters;
``re.search`` tries that from each of n starts, unless something before them cannot be
matched inside the run (``^``, ``\\b`` before word characters, ``said `` before
``\\w+``). What is between the repeats must be matchable by all of them
(``\\S+?,[\\w.-]*`` is no chain: the comma ends the second); a possessive repeat after a
chain gives nothing back but reads the run again for each split before it
(``\\w+\\w++x`` is cubic searched for), so it counts and ends the chain, while one first
(``\\w++\\s*\\w+``) leaves nothing to split. One repeat searched for (``\\w+ said$``) is
n**2 and passes (0.2 s on a run of 8,000 characters); degree 3 is refused:
``\\w+\\s*\\w+ said$`` searched for took 29 s on one line of 4,000 letters, which counts
as one word (a token run, a URL, a number), so ``max_words`` does not keep it out.
``patterns`` are matched from the line's start (``fullmatch``): two repeats pass there,
three (``\\w+\\w+\\w+``) are refused. A ``\\b`` inside a run is passed through when the
run can hold both word and other characters (``[\\w.-]``). A rule's line is normalized
(single spaces), so a chain that splits only white space (``\\s*:?\\s*``) is no chain.
A chain goes on into a look-ahead its run reaches (``\\w+(?=\\w+ said$)``: for each end
of the first repeat the look-ahead splits the rest again), and a repeat of a body at
most :data:`MAX_COPIES` times is its copies in a row (``(?:\\w+\\s*){2}said$``).
A back reference to a group holding a long repeat is as long as the group
(``(\\w+)\\s*\\1 said$``). Missed (a heuristic, as the linters' checks are): a chain
through a negative look-ahead, a look-behind or ``$``, or through an alternation of more
ways than :data:`MAX_SEQUENCES`; bounded repeats of at most
:data:`LONG_BOUND` (``.{0,60}``) are not counted.
"""

from __future__ import annotations

from typing import Any

from .regex_facts import C as _C
from .regex_facts import _parser
from .regex_safety import (
    _BACKTRACKING,
    _POSSESSIVE,
    _SAMPLE,
    _Checker,
    _children,
    _flattened,
    _unrolled,
)

__all__ = ["LONG_CHAIN_PROBLEM", "POLYNOMIAL_PROBLEM", "slow_search"]

#: what a chain of repeats is said to be when refused
POLYNOMIAL_PROBLEM = (
    "repeats in a row that can split one run of characters between them (\\w+\\s*\\w+,"
    " \\d+\\.?\\d+, .*a.*b, \\S+\\S+), with nothing before them that fixes where they"
    " start: on a long line it does not match (a URL, a token or a number run of"
    " thousands of characters counts as one word), every split is tried from every"
    " start and the time grows with the cube of the line's length (4,000 characters:"
    " half a minute); start the repeats at a word boundary and require a separator they"
    " cannot match (\\b\\w+(?:\\s+\\w+)?, \\b\\d+(?:\\.\\d+)?: each run is then"
    " tried once, from its start), anchor the expression (^), or make the first repeat"
    " possessive (\\w++) or atomic ((?>\\w+)) when what follows it must open with a"
    " character it cannot match"
)

#: what a chain of three repeats or more is said to be when refused (matched from
#: the line's start, as ``patterns`` are, or searched for)
LONG_CHAIN_PROBLEM = (
    "three repeats or more in a row that can split one run of characters between them"
    " (\\w+\\w+\\w+, .*a.*b.*c, \\w+\\s?\\w+\\s?\\w+): on a long line it does"
    " not match (a URL, a token or a number run of thousands of characters counts as one"
    " word), every split is tried and the time grows with the cube of the line's length"
    " or faster; require separators the repeats cannot match (\\w+(?:\\s+\\w+){0,2},"
    " [^a]*a[^b]*b.*c), or make the repeats possessive (\\w++) or atomic ((?>\\w+))"
    " when what follows each must open with a character it cannot match"
)

#: a repeat bounded above this many times is as slow as an unbounded one on lines of
#: thousands of characters (``.{0,60}`` is not: at most 61 ways per start)
LONG_BOUND = 100
#: the highest degree passed: a search tries each start (n) and one repeat each way
#: it can end (n): n**2 (``\\w+ said$``: 0.2 s on 8,000 characters)
MAX_DEGREE = 2
#: the sequences an expression's alternatives and optional groups are written out
#: as, at most (more: the rest are taken as one item, with all their characters)
MAX_SEQUENCES = 16
#: a repeat bounded at most this many times is written out as its copies
#: (``(?:\w+\s*){2}`` is ``\w+\s*\w+\s*``)
MAX_COPIES = 3

#: anchors that fix a match's start at the line's
_STARTS = {_C.AT_BEGINNING, _C.AT_BEGINNING_STRING}
#: word boundaries (``\\b``; with re.ASCII or re.LOCALE, their own codes)
_BOUNDARIES = {
    getattr(_C, name)
    for name in ("AT_BOUNDARY", "AT_UNI_BOUNDARY", "AT_LOC_BOUNDARY")
    if hasattr(_C, name)
}
_ASSERTIONS = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
#: a rule's line is normalized: its white space is single spaces, no run to split
_SPACES = frozenset(ch for ch in _SAMPLE if ch.isspace())
_WORD_CHARS = frozenset(ch for ch in _SAMPLE if ch.isalnum() or ch == "_")


def slow_search(
    source: str, flags: int = 0, *, anchored: bool = False, tree: Any = None
) -> str | None:
    """Why ``source`` backtracks polynomially with degree 3 or more
    (:data:`POLYNOMIAL_PROBLEM` or :data:`LONG_CHAIN_PROBLEM`), or None.

    ``anchored``: the expression is matched at the line's start only (``fullmatch``,
    as a rule's ``patterns`` are); else it is searched for (``contains``, ``unless``).
    ``tree``: its parse tree, when the caller has it.
    """
    tree = tree if tree is not None else _parser.parse(source, flags)
    checker = _Chains(int(flags) | tree.state.flags, tree.state, _groups(list(tree)))
    try:  # (the caches of _Chains key on the ids of the tree's parts: kept alive here)
        if checker._long_repeats(tree) < 2:
            return None  # no chain: searched for, n**2 at most
        if checker.degree(list(tree), anchored=anchored, tail_fails=anchored) <= MAX_DEGREE:
            return None
        # a chain slow from one start too, or only because every start is tried
        from_start = checker.degree(list(tree), anchored=True, tail_fails=anchored)
    except (AttributeError, TypeError, ValueError, IndexError, RuntimeError):
        return None  # an internal parse tree of another shape: no check, not a refusal
    return LONG_CHAIN_PROBLEM if from_start > MAX_DEGREE else POLYNOMIAL_PROBLEM


class _Chains(_Checker):
    """The degree of the polynomial a failing match costs, read off chains of repeats.

    A chain is a run of *long* repeats (unbounded, or bounded above :data:`LONG_BOUND`)
    whose characters meet, with only optional parts or characters they could match
    too between them (``\\w+\\s*\\w+``, ``.*a.*``): on a run of those characters each
    repeat can end at any of its n positions, so k of them followed by a part that
    fails (``$``, `` said``) try about n**k splits. A search adds a factor n for its
    start positions, unless something before the chain cannot be matched inside the
    run (``^``, ``said `` before ``\\w+``, ``\\b`` before word characters). The same
    shape ReDoS linters look for (regexploit's "starred" items, recheck's polynomial
    degree); like the exponential check, a heuristic over common shapes.
    """

    def __init__(self, flags: int, state: Any, groups: dict[int, Any] | None = None) -> None:
        super().__init__(flags, state)
        #: each capturing group's body, by number (what a back reference matches again)
        self._groups = groups or {}
        #: facts of one part of the tree, by its id (a part is looked at from every
        #: sequence it is in: without these, the check of a long rule took 50 ms)
        self._char_sets: dict[tuple[Any, int], frozenset[str]] = {}
        self._empty: dict[tuple[Any, int], bool] = {}
        self._degrees: dict[tuple[int, bool], int] = {}
        self._counts: dict[int, int] = {}
        self._inside: dict[tuple[Any, int], int] = {}

    def _chars(self, items: list[Any]) -> frozenset[str]:
        if len(items) != 1:
            return super()._chars(items)
        key = _key(items[0])
        if key not in self._char_sets:
            self._char_sets[key] = super()._chars(items)
        return self._char_sets[key]

    def _nullable(self, item: Any) -> bool:
        key = _key(item)
        if key not in self._empty:
            self._empty[key] = super()._nullable(item)
        return self._empty[key]

    def degree(self, items: list[Any], *, anchored: bool, tail_fails: bool) -> int:
        """The worst degree of ``items`` matched from any start (``anchored``: from the
        first only); ``tail_fails``: what follows ``items`` may fail."""
        return max(
            (
                self._sequence_degree(seq, anchored=anchored, tail_fails=tail_fails)
                for seq in self._sequences(items)
            ),
            default=0,
        )

    def _sequences(self, items: list[Any]) -> list[list[Any]]:
        """``items`` written out as plain sequences: groups opened, one sequence per
        branch of an alternation and per way of an optional group (``x?``)."""
        seqs: list[list[Any]] = [[]]
        for item in items:
            ways = self._ways(*item)
            if ways is None or len(seqs) * len(ways) > MAX_SEQUENCES:
                ways = [[item]]  # one item, checked inside by _sequence_degree
            seqs = [seq + way for seq in seqs for way in ways]
        return seqs

    def _ways(self, op: Any, av: Any) -> list[list[Any]] | None:
        if op is _C.SUBPATTERN and not (av[1] or av[2]):
            return self._sequences(list(av[-1]))
        if op is _C.BRANCH:
            return [seq for branch in av[1] for seq in self._sequences(list(branch))]
        if op in _BACKTRACKING and av[1] <= MAX_COPIES:
            # x? is no x or one; (\w+\s*){2} is its body twice, a chain of two
            low, high, body = av
            return _unrolled(self._sequences(list(body)), low, high, [], limit=MAX_SEQUENCES)
        return None

    def _sequence_degree(self, seq: list[Any], *, anchored: bool, tail_fails: bool) -> int:
        worst = 0
        for i, item in enumerate(seq):
            if self._long(item) and self._chars([item]) - _SPACES:
                for chars, length, tail in self._chains(seq, i):
                    # one repeat alone, searched for, is n**2 at most: only chains looked at
                    if length > 1 and (tail_fails or self._may_fail(tail)):
                        starts = 0 if anchored or self._fixes_start(seq[:i], chars) else 1
                        worst = max(worst, length + starts)
            # the parts inside a group, a repeat or a look-ahead, run from where it is
            # (only those holding a chain: two long repeats)
            if self._long_inside(item) > 1:
                subs = [sub for sub in _inner(*item) if self._long_repeats(sub) > 1]
                inner_anchored = anchored or self._fixes_start(seq[:i], self._chars([item]))
                worst = max(worst, *(self._inner_degree(sub, inner_anchored) for sub in subs))
        return worst

    def _long_repeats(self, sub: Any) -> int:
        """How many long repeats ``sub`` holds, at any depth (possessive ones too)."""
        key = id(sub)
        if key not in self._counts:
            self._counts[key] = sum(
                (self._long(item) or self._scans(item)) + self._long_inside(item) for item in sub
            )
        return self._counts[key]

    def _long_inside(self, item: Any) -> int:
        """How many long repeats the parts inside ``item`` hold."""
        key = _key(item)
        if key not in self._inside:
            self._inside[key] = sum(self._long_repeats(sub) for sub in _inner(*item))
        return self._inside[key]

    def _inner_degree(self, sub: Any, anchored: bool) -> int:
        """:meth:`degree` of a group's or repeat's body (seen once however many
        sequences hold it), what follows it taken to fail."""
        key = (id(sub), anchored)
        if key not in self._degrees:
            self._degrees[key] = self.degree(list(sub), anchored=anchored, tail_fails=True)
        return self._degrees[key]

    def _chains(self, seq: list[Any], first: int) -> list[tuple[frozenset[str], int, list[Any]]]:
        """The chains opening at ``seq[first]``: one, or one through each way of a
        look-ahead met in the run (``\\w+(?=\\w+ said$)``: for each end of the first
        repeat, the look-ahead splits the rest of the run again)."""
        chars, length, last = self._chain(seq, first)
        stop = seq[last + 1 :]
        ahead = next((j for j, item in enumerate(stop) if item[0] in _ASSERTIONS), None)
        if ahead is None or not self._continues_into(stop[:ahead], stop[ahead], chars):
            return [(chars, length, stop)]
        found = []
        for way in self._sequences(list(stop[ahead][1][1])):
            # the look-ahead's body in place of what follows it (matched from there)
            joined = [*seq[first : last + 1], *stop[:ahead], *way]
            sub_chars, sub_length, sub_last = self._chain(joined, 0)
            found.append((sub_chars, sub_length, joined[sub_last + 1 :]))
        return found

    def _continues_into(self, between: list[Any], item: Any, chars: frozenset[str]) -> bool:
        """Whether the run of a chain's last repeat may go on into look-ahead ``item``:
        a positive one, after parts the run can hold or that are optional."""
        op, av = item
        if op is not _C.ASSERT or av[0] != 1:
            return False
        return all(self._nullable(x) or self._chars([x]) & chars for x in between)

    def _chain(self, seq: list[Any], first: int) -> tuple[frozenset[str], int, int]:
        """The characters a run split by the chain opening at ``seq[first]`` is made of,
        how many long repeats split it (or scan it), and the index of the last."""
        chars, length, last = self._chars([seq[first]]), 1, first
        between: list[frozenset[str]] = []  # required parts since the first repeat
        for j in range(first + 1, len(seq)):
            item = seq[j]
            own = self._chars([item])
            narrowed = chars & own
            # the run holds what is between its repeats: all of them must match it
            # (in \S+?,[\w.-]*: the comma ends the second: no chain)
            joins = bool(narrowed - _SPACES) and all(b & narrowed for b in between)
            if self._long(item) and joins:
                chars, length, last = narrowed, length + 1, j
            elif self._scans(item) and joins:
                # a possessive repeat gives nothing back but reads the run again for
                # each split before it (\w+\w++x): one more factor, and the chain ends
                return narrowed, length + 1, j
            elif item[0] is _C.AT and item[1] in _BOUNDARIES:
                if _fixed_by_boundary(chars):
                    break  # no boundary inside a run of word (or of other) characters
            elif item[0] in _ASSERTIONS:
                break  # $ or a look-around inside the run: not followed (a miss, no refusal)
            elif self._nullable(item):
                continue
            elif own & chars:
                between.append(own)
            else:
                break  # a part the run cannot hold (a separator): the chain ends
        return chars, length, last

    def _scans(self, item: Any) -> bool:
        """Whether ``item`` is a long possessive repeat or an atomic group opening with
        a long repeat: it reads a run to its end, once, giving nothing back."""
        op, av = item
        if op is _POSSESSIVE:
            return (av[1] == _C.MAXREPEAT or av[1] > LONG_BOUND) and bool(self._chars(list(av[2])))
        if op is getattr(_C, "ATOMIC_GROUP", None):
            inside = _flattened(list(av))
            return bool(inside) and (self._long(inside[0]) or self._scans(inside[0]))
        return False

    def _long(self, item: Any) -> bool:
        """Whether ``item`` is a repeat that can end at any of many places (giving back),
        or a back reference to a group holding one (``(\\w+)\\s*\\1``: compared again
        at each split of the group's run, it is as long as the group)."""
        op, av = item
        if op is _C.GROUPREF:
            body = self._groups.get(av)
            return body is not None and self._long_repeats(body) > 0
        if op not in _BACKTRACKING:
            return False
        _low, high, body = av
        return (high == _C.MAXREPEAT or high > LONG_BOUND) and bool(self._chars(list(body)))

    def _may_fail(self, tail: list[Any]) -> bool:
        """Whether ``tail`` can fail where the chain ends (a required part or an anchor)."""
        return any(op in _ASSERTIONS or not self._nullable((op, av)) for op, av in tail)

    def _fixes_start(self, prefix: list[Any], chars: frozenset[str]) -> bool:
        """Whether ``prefix`` cannot be matched inside a run of ``chars``: a ``^``, a
        ``\\b`` before word characters, or a required character the run does not hold."""
        for op, av in prefix:
            if op is _C.AT:
                if av in _STARTS or (av in _BOUNDARIES and _fixed_by_boundary(chars)):
                    return True
            elif op in _ASSERTIONS:
                continue
            elif not self._nullable((op, av)) and not self._chars([(op, av)]) & chars:
                return True
        return False


def _groups(items: list[Any]) -> dict[int, Any]:
    """Each capturing group's body in ``items``, by the group's number."""
    found: dict[int, Any] = {}
    for op, av in items:
        if op is _C.SUBPATTERN and av[0] is not None:
            found[av[0]] = av[-1]
        for sub in _children(op, av):
            found.update(_groups(list(sub)))
    return found


def _fixed_by_boundary(chars: frozenset[str]) -> bool:
    """Whether a ``\\b`` cannot be inside a run of ``chars`` (all word characters, or
    none: ``[\\w.-]`` can alternate, "a.a.a", a boundary at each character)."""
    return chars <= _WORD_CHARS or not chars & _WORD_CHARS


def _key(item: Any) -> tuple[Any, int]:
    """A part of the tree as a cache key: its operation and its arguments' object (alive
    with the tree; a literal's is its code point, the same for the same character)."""
    return item[0], id(item[1])


def _inner(op: Any, av: Any) -> list[Any]:
    """The sub-sequences of an item matched where it stands (look-aheads too)."""
    if op in (_C.ASSERT, _C.ASSERT_NOT):
        direction, body = av
        return [body] if direction == 1 else []  # a look-behind is of fixed width
    return _children(op, av)
