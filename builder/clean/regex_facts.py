"""Facts read off a regular expression's parse tree, for :class:`~.rule_set.RuleSet`.

* :func:`required_pieces`: pieces (a word piece of two letters and more, a punctuation
  mark, a digit) one of which every match holds, so an expression is tried only on
  lines holding one;
* :func:`first_chars`: the ASCII characters a full match may open with.

Both read Python's own parser (internal, so any failure just means no shortcut for
that expression, never a different result). :func:`compile_pattern` compiles a rule's
expression from the same parse (``re.compile`` parses it too): one parse per
expression and process instead of three.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# Python's own regular-expression parser: what an expression requires is read off its
# parse tree (internal, so any failure just means no shortcut for that expression).
try:
    from re import _compiler, _parser
    from re import _constants as C
except ImportError:  # Python < 3.11
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

__all__ = [
    "ASCII",
    "DIGIT",
    "MARK",
    "MAX_PIECES",
    "MIN_PIECE",
    "alternatives_sets",
    "compile_pattern",
    "first_chars",
    "forget_trees",
    "pieces_cost",
    "required_pieces",
    "required_sets",
]

#: A required piece shorter than this rejects too few lines to be worth looking up.
MIN_PIECE = 2
#: A required punctuation mark (``MARK`` and the character) or any decimal digit; both
#: are found in the raw line as they are (normalizing changes only white space, and a
#: typographic apostrophe, which is why ``'`` is never a mark).
MARK = "\x00"
DIGIT = "\x00digit"
#: At most this many alternative pieces stand for one expression.
MAX_PIECES = 64


#: Pieces found in most lines of English: they narrow least, so another required piece
#: of the same expression is preferred to them (only the choice changes, never a result).
_COMMON_WORDS = (
    "a an and are as at be but by can did do for from get got had has have he her his "
    "how i if in is it just know make me more my new not now of on one or our out "
    "read see she so that the their they this to up us was we what when who will "
    "with you your"
)
_COMMON = frozenset(_COMMON_WORDS.split()) | {MARK + c for c in ',.:()/-"'}


def pieces_cost(pieces: frozenset[str]) -> float:
    """About how many lines hold one of the pieces (a guess: a common word or mark
    most, a digit many, a rarer mark or a long word few); the cheapest set is used."""

    def one(piece: str) -> float:
        if piece in _COMMON:
            return 0.3
        if piece == DIGIT:
            return 0.2
        return 0.05 if piece.startswith(MARK) else 0.2 / len(piece) ** 2

    return sum(one(p) for p in pieces)


def _usable(pieces: frozenset[str]) -> bool:
    """Word pieces of ``MIN_PIECE`` characters and more, marks, digits."""
    return all(p.startswith(MARK) or len(p) >= MIN_PIECE for p in pieces)


def required_pieces(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lowercased ASCII letter-and-digit pieces one of which is in every match of
    ``pattern`` (case ignored), or None when no such set of pieces of ``MIN_PIECE``
    characters and more is found. A piece never spans white space or punctuation, so
    it lies inside one word of the line whatever the spacing."""
    candidates = _top_candidates(pattern)  # usable ones only
    return min(candidates, key=pieces_cost) if candidates else None


#: The sets of pieces read off each expression (both functions above read them).
_CANDIDATES: dict[re.Pattern[str], list[frozenset[str]]] = {}


def _top_candidates(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    """:func:`_candidates` of the whole expression, read once per expression."""
    found = _CANDIDATES.get(pattern)
    if found is None:
        try:
            found = _candidates(list(_tree(pattern)))
        except Exception:  # an internal parser that changed shape: no shortcut
            found = []
        if len(_CANDIDATES) >= TREES_KEPT:
            _CANDIDATES.clear()
        _CANDIDATES[pattern] = found
    return found


#: The parse trees of the expressions :func:`compile_pattern` compiled, by expression
#: (a compiled expression compares equal to another of the same source, flags and code).
_TREES: dict[re.Pattern[str], Any] = {}
TREES_KEPT = 4096


def compile_pattern(source: str, flags: int) -> re.Pattern[str]:
    """``re.compile(source, flags)``, keeping the parse tree for the facts below.

    ``re.compile`` parses the expression and generates its code from the parse tree;
    this does the same steps (``re._compiler.compile``) with the tree kept, so reading
    the facts costs no second parse. The result equals ``re.compile``'s (same source,
    flags and code: ``tests/test_boilerplate_matcher.py`` checks every rule's); on any
    failure (a bad expression, an internal module of another shape) ``re.compile`` is
    called, which also raises its own error for a bad expression.
    """
    flags = int(flags)
    try:
        tree = _parser.parse(source, flags)
        code = _compiler._code(tree, flags)
        groupindex = tree.state.groupdict
        indexgroup: list[str | None] = [None] * tree.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        pattern: re.Pattern[str] = _compiler._sre.compile(
            source,
            flags | tree.state.flags,
            code,
            tree.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
    except Exception:
        return re.compile(source, flags)
    if len(_TREES) >= TREES_KEPT:
        _TREES.clear()
    _TREES[pattern] = tree
    return pattern


def forget_trees(patterns: Iterable[re.Pattern[str]]) -> None:
    """Let the kept parse trees of ``patterns`` go once their facts are read (a parse
    tree is many small objects: kept, it is memory and garbage-collector time)."""
    for pattern in patterns:
        _TREES.pop(pattern, None)


def _tree(pattern: re.Pattern[str]):  # type: ignore[no-untyped-def]
    """The parse tree of ``pattern``: kept by :func:`compile_pattern`, else parsed."""
    tree = _TREES.get(pattern)
    if tree is None:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    return tree


def _mark(code: int) -> str | None:
    """A punctuation mark or symbol that case, normalizing and spacing leave alone."""
    c = chr(code)
    if c.isalnum() or c.isspace() or c == "'" or not c.isprintable():
        return None
    return MARK + c if c.lower() == c == c.upper() == c.casefold() else None


def _in_pieces(members: list) -> frozenset[str] | None:  # type: ignore[type-arg]
    """The pieces of a character class: its marks, or a digit; None for anything else."""
    out: set[str] = set()
    for op, av in members:
        if op is C.LITERAL and _mark(av) is not None:
            out.add(_mark(av))  # type: ignore[arg-type]
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            out.add(DIGIT)
        else:
            return None
    return frozenset(out) or None


def _piece_char(code: int) -> str | None:
    c = chr(code).lower()
    return c if len(c) == 1 and c.isascii() and c.isalnum() else None


def _exact(items: list) -> set[str] | None:  # type: ignore[type-arg]
    """Every string of ASCII letters and digits the items match (lowercased), or None."""
    out = {""}
    for op, av in items:
        if op is C.LITERAL:
            c = _piece_char(av)
            if c is None:
                return None
            alts: set[str] | None = {c}
        elif op is C.SUBPATTERN:
            alts = _exact(list(av[-1]))
        elif op is C.BRANCH:
            alts = set()
            for alt in av[1]:
                sub = _exact(list(alt))
                if sub is None:
                    return None
                alts |= sub
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and (av[0], av[1]) == (0, 1):
            sub = _exact(list(av[2]))
            alts = None if sub is None else sub | {""}
        else:
            return None
        if alts is None:
            return None
        out = {a + b for a in out for b in alts}
        if len(out) > MAX_PIECES:
            return None
    return out


def required_sets(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Every set of pieces found (as :func:`required_pieces` finds them) of which each
    match of ``pattern`` holds one, most selective first: a match holds one piece of
    *each* set (``\\d+ (views|likes)``: a digit, and ``views`` or ``likes``)."""
    found = _top_candidates(pattern)
    return tuple(sorted(set(found), key=lambda c: (pieces_cost(c), sorted(c))))


def alternatives_sets(pattern: re.Pattern[str]) -> tuple[tuple[frozenset[str], ...], ...]:
    """Per alternative of an expression that is one alternation (``\\b(a|b|c)\\b``): the
    sets of pieces (as :func:`required_sets` finds them) of which each match through
    that alternative holds one; empty when the expression is no alternation or an
    alternative requires nothing found.

    :func:`required_sets` of an alternation is one set, a piece of each alternative
    (``advice`` or ``owned`` or ...), which many lines of text hold; a line holding
    every set of one alternative (``not`` and ``owned`` and ``by``) is much rarer.
    """
    try:
        items = _without_anchors(list(_tree(pattern)))
        if len(items) == 1 and items[0][0] is C.SUBPATTERN:
            items = _without_anchors(list(items[0][1][-1]))
        if len(items) != 1 or items[0][0] is not C.BRANCH:
            return ()
        out = []
        for alt in items[0][1][1]:
            sets = sorted(set(_candidates(list(alt))), key=lambda c: (pieces_cost(c), sorted(c)))
            if not sets:
                return ()
            out.append(tuple(sets))
    except Exception:  # an internal parser that changed shape: no shortcut
        return ()
    return tuple(out)


def _without_anchors(items: list) -> list:  # type: ignore[type-arg]
    """The items but ``\\b``, ``^`` and the like (each only narrows where a match is)."""
    return [(op, av) for op, av in items if op is not C.AT]


def _required(items: list) -> frozenset[str] | None:  # type: ignore[type-arg]
    """The most selective set of pieces one of which every match of ``items`` holds."""
    candidates = _candidates(items)
    return min(candidates, key=pieces_cost) if candidates else None


def _candidates(items: list) -> list[frozenset[str]]:  # type: ignore[type-arg]
    """Sets of pieces one of each of which every match of ``items`` holds."""
    candidates: list[frozenset[str]] = []
    run: set[str] = {""}

    def close() -> None:
        if "" not in run:
            candidates.append(frozenset(run))

    for op, av in items:
        exact = _exact([(op, av)])
        if exact is not None and len(exact) * len(run) <= MAX_PIECES:
            run = {a + b for a in run for b in exact}
            continue
        close()
        run = {""}
        if exact is not None:  # too many combinations: start a new run with it
            run = exact
            continue
        sub: frozenset[str] | None = None
        if op is C.LITERAL:
            mark = _mark(av)
            sub = None if mark is None else frozenset({mark})
        elif op is C.IN:
            sub = _in_pieces(list(av))
        elif op is C.SUBPATTERN:
            sub = _required(list(av[-1]))
        elif op is getattr(C, "ATOMIC_GROUP", None):
            sub = _required(list(av))
        elif op is C.ASSERT:
            # a lookahead or lookbehind matches text of the line too (``(?<=not )``)
            sub = _required(list(av[1]))
        elif op is C.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                part = _required(list(alt))
                if part is None:
                    union = set()
                    break
                union |= part
            sub = frozenset(union) if union else None
        elif (
            op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and av[0] >= 1
        ):
            sub = _required(list(av[2]))
        if sub is not None and len(sub) <= MAX_PIECES:
            candidates.append(sub)
    close()
    return [c for c in candidates if _usable(c)]


ASCII = tuple(chr(c) for c in range(128))
_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None))
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII characters a full match of ``pattern`` may open with, or None when
    they are not known (then any line is tried). A line opening with another ASCII
    character is never matched in full. Each class of the expression is tried on every
    ASCII character with the expression's own flags, so case folding (``K`` for the
    Kelvin sign, ``s`` for a long s) is the regex engine's own."""
    try:
        parsed = _tree(pattern)
        first, _ = _first(list(parsed), pattern.flags)
    except Exception:  # an internal parser that changed shape: no shortcut
        return None
    return first


def _first(items: list, flags: int) -> tuple[frozenset[str] | None, bool]:  # type: ignore[type-arg]
    """(the ASCII characters a match of ``items`` may open with, whether it may be
    empty); None for characters not known."""
    out: set[str] = set()
    for op, av in items:
        first, nullable = _first_item(op, av, flags)
        if first is None:
            return None, False
        out |= first
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


def _first_item(op: Any, av: Any, flags: int) -> tuple[frozenset[str] | None, bool]:
    if op is C.LITERAL:
        return _class_chars(re.escape(chr(av)), flags), False
    if op is C.NOT_LITERAL:
        return _class_chars("^" + re.escape(chr(av)), flags), False
    if op is C.IN:
        source = _class_source(list(av))
        return (None if source is None else _class_chars(source, flags)), False
    if op is C.ANY:
        return frozenset(ASCII), False
    if op is C.SUBPATTERN:  # (group, add_flags, del_flags, items): added flags only widen
        return _first(list(av[-1]), flags | av[1])
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _first(list(av), flags)
    if op is C.BRANCH:
        out: set[str] = set()
        nullable = False
        for alt in av[1]:
            first, empty = _first(list(alt), flags)
            if first is None:
                return None, False
            out |= first
            nullable = nullable or empty
        return frozenset(out), nullable
    if op in _REPEATS:
        low, high, sub = av
        if high == 0:
            return frozenset(), True
        first, empty = _first(list(sub), flags)
        return first, empty or low == 0
    if op in _ZERO_WIDTH:  # consumes nothing: what follows opens the match
        return frozenset(), True
    return None, False


def _class_source(members: list) -> str | None:  # type: ignore[type-arg]
    """A character class written back from its parsed members (None: not known)."""
    parts: list[str] = []
    for op, av in members:
        if op is C.NEGATE and not parts:
            parts.append("^")
        elif op is C.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is C.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is C.CATEGORY and av in _CATEGORIES:
            parts.append(_CATEGORIES[av])
        else:
            return None
    return "".join(parts)


@lru_cache(maxsize=4096)
def _class_chars(source: str, flags: int) -> frozenset[str]:
    """The ASCII characters the class ``[source]`` matches with ``flags``."""
    cls = re.compile(f"[{source}]", flags & ~re.VERBOSE)
    return frozenset(c for c in ASCII if cls.fullmatch(c))
