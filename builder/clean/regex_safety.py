"""Refusing regular expressions that take exponential time (catastrophic backtracking);
:mod:`.regex_polynomial` refuses the ones that take cubic time.

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
linters), not a proof. :func:`ambiguous_repeat` finds a second shape too, a repeat
whose passes spell one text in more than one way: ``(.|\\s)*`` (a space is either),
``(ab?|a)+`` ("a" is either), ``(a|aa)+`` and ``(a{1,3}\\s*)+`` ("aa" is one pass or
two), ``(\\d\\d|\\d)+``, ``(x\\w|\\wy)+``, ``(\\d+\\.\\d+)+`` (two passes share
the run "234" of "1.234.5" two ways). Each way the
repeated body can match is written out as a word of character sets (a branch, an
optional part, a repeat tried 0 to 2 times more than its minimum), and the
words are tested for unique decoding (Sardinas-Patterson): a text the words spell in two ways
spells ``k`` copies of itself in ``2**k`` ways, all of which are tried before a line
that does not match fails. Only texts that both ways truly match are reported (the
character sets meet on a sample character), so ``(a|ab)+`` ("b" starts no word: one
way only) and ``(?:\\s|-)+`` pass. Python's parser already merges one-character
alternatives (``(\\w|\\d)`` is ``[\\w\\d]``: one way).
"""

from __future__ import annotations

from typing import Any, TypeVar

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


#: what a repeat whose passes spell one text in two ways is said to hold when refused
OVERLAP_PROBLEM = (
    "a repeat whose passes can spell the same text in more than one way ((.|\\s)*,"
    ' (a|aa)+, (a{1,3}\\s*)+, or (\\d+\\.\\d+)+, where "1.234.5" is 1.2|34.5 or 1.23|4.5):'
    " on a line it does not match, the time doubles with each repetition (a sentence"
    " hangs the build); make the passes exclusive ([\\s\\S]*, (ab?)+, a+,"
    " \\d+(\\.\\d+)+), or make the repeat possessive ((a|aa)++) or its body atomic"
    " ((?>a|aa)+)"
)

#: the ways of matching a repeat's body written out, at most (more: not checked)
MAX_WORDS = 64
#: the longest way written out (longer: not checked)
MAX_WORD_LENGTH = 24
#: a repeat inside the body is tried this many times more than its minimum
UNROLLED = 2

#: one way of matching a body: the sample characters each position may be
Word = tuple[frozenset[str], ...]


def ambiguous_repeat(source: str, flags: int = 0, *, tree: Any = None) -> str | None:
    """Why ``source`` can backtrack exponentially (:data:`PROBLEM` or
    :data:`OVERLAP_PROBLEM`), or None.

    A ``re.error`` of a bad expression is the caller's (raised here as by
    ``re.compile``). ``tree``: its parse tree, when the caller has it (no second parse).
    """
    tree = tree if tree is not None else _parser.parse(source, flags)
    checker = _Checker(int(flags) | tree.state.flags, tree.state)
    try:
        return checker.first_problem(list(tree))
    except (AttributeError, TypeError, ValueError, IndexError, RuntimeError):
        return None  # an internal parse tree of another shape: no check, not a refusal


class _Checker:
    def __init__(self, flags: int, state: Any) -> None:
        self.flags = flags
        self.state = state

    # -- the walk ------------------------------------------------------------------
    def first_problem(self, items: list[Any]) -> str | None:
        """The problem of the first ambiguous repeat in ``items`` (outermost first)."""
        for op, av in items:
            if op in _BACKTRACKING:
                _low, high, body = av
                if high == _C.MAXREPEAT or high > SMALL_BOUND:
                    if self._splits(list(body)):
                        return PROBLEM
                    if self._overlapping_ways(list(body)):
                        return OVERLAP_PROBLEM
            for sub in _children(op, av):
                found = self.first_problem(list(sub))
                if found:
                    return found
        return None

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

    def _overlapping_ways(self, body: list[Any]) -> bool:
        """Whether a repeated ``body`` spells one text in two ways, as its words show
        (no answer, False, for a body whose ways are too many or cannot be written)."""
        words = self._words(body)
        # a pass that matches nothing ends the repeat (the engine stops it): left out
        return words is not None and not _uniquely_decodable([w for w in words if w])

    def _words(self, items: list[Any]) -> list[Word] | None:
        """Each way ``items`` can match, one word per way (two ways may spell the same
        word: what is looked for), or None: too many, too long, or an item that is not
        written out (a look-around, an anchor, a back reference, an
        atomic group or a possessive repeat, which give nothing back, a conditional)."""
        words: list[Word] = [()]
        for op, av in items:
            ways = self._item_words(op, av)
            if ways is None:
                return None
            words = [w + way for w in words for way in ways]
            if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_LENGTH for w in words):
                return None
        return words

    def _item_words(self, op: Any, av: Any) -> list[Word] | None:
        if op in _SINGLE:
            chars = _single_chars((op, av), self.flags, self.state)
            if op is _C.LITERAL:
                chars |= {chr(av)}  # a literal outside the sample matches itself
            return [(chars,)] if chars else None
        if op is _C.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            # a group's own flags ((?-i:...)) would change its characters: not written out
            return None if add_flags or del_flags else self._words(list(body))
        if op is _C.BRANCH:
            ways: list[Word] = []
            for branch in av[1]:
                found = self._words(list(branch))
                if found is None:
                    return None
                ways += found
            return ways
        if op in _BACKTRACKING:
            # an unbounded one too, tried up to UNROLLED times more than its minimum: a
            # run that two passes may share ("1.234.5" is "1.2|34.5" or "1.23|4.5" to
            # (\d+\.\d+)+) gives several ways at each run, 2**k or more for k runs,
            # as a bounded repeat does ((a{1,3}\s*)+: "aa" is one pass or two)
            low, high, body = av
            once = self._words(list(body))
            if once is None:
                return None
            return _unrolled(once, low, min(high, low + UNROLLED), (), limit=MAX_WORDS)
        return None

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


_Way = TypeVar("_Way", Word, list[Any])


def _unrolled(
    once: list[_Way], low: int, high: int, empty: _Way, *, limit: int
) -> list[_Way] | None:
    """Each way ``low`` to ``high`` passes of a body can go, one pass being any of
    ``once`` (a word, or a sequence of parse items) and ``empty`` none; None when the
    ways of one number of passes are more than ``limit``."""
    ways: list[_Way] = []
    repeated = [empty]  # the ways of ``times`` passes
    for times in range(high + 1):
        if times:
            repeated = [w + way for w in repeated for way in once]
        if len(repeated) > limit:
            return None
        if times >= low:
            ways += repeated
    return ways


def _uniquely_decodable(words: list[Word]) -> bool:
    """Whether no text is spelled in two ways by a sequence of ``words`` (the
    Sardinas-Patterson test; a position of two words meets when their characters do).

    A dangling suffix is what is left of one spelling where the other has ended; the
    suffixes are those of the words, so the search ends. An empty one: two spellings
    ended together."""
    dangling: set[Word] = set()
    for i, first in enumerate(words):
        for j, other in enumerate(words):
            if i != j and _opens(first, other):
                if len(first) == len(other):
                    return False  # two ways spell one text in one pass
                dangling.add(other[len(first) :])
    todo = list(dangling)
    while todo:
        suffix = todo.pop()
        for word in words:
            if _opens(word, suffix):
                rest = suffix[len(word) :]
            elif _opens(suffix, word):
                rest = word[len(suffix) :]
            else:
                continue
            if not rest:
                return False
            if rest not in dangling:
                dangling.add(rest)
                todo.append(rest)
    return True


def _opens(head: Word, word: Word) -> bool:
    """Whether some text spelled by ``head`` opens some text spelled by ``word``."""
    return len(head) <= len(word) and all(a & b for a, b in zip(head, word, strict=False))


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
