"""The boilerplate rules compiled for speed: :class:`RuleSet` answers which rule a line
matches first exactly as trying each :class:`~.rules.LineRule` in order would, with one
cheap test per kind of condition over all the rules at once (the rules themselves, and
what a rule author should know of their speed, are in :mod:`.rules`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from operator import and_, or_
from typing import NamedTuple

from .lines import LineView, Words
from .piece_requirements import Requirement, meets, requirement
from .regex_facts import (
    ASCII,
    DIGIT,
    MARK,
    first_chars,
    forget_trees,
    pieces_cost,
    required_pieces,
    required_sets,
)
from .rules import NUMBER, LineRule, rule_length

__all__ = ["RuleSet", "compiled", "first_match"]


class RuleSet:
    """A rule list compiled for speed; :meth:`first_match` answers exactly as trying each
    rule in order with :meth:`LineRule.matches` does.

    Most lines match no rule, so the set first narrows the rules a line could match,
    with one cheap test per kind of condition over all the rules at once:

    * ``phrases``: one dictionary from a line's key to the rules having it;
    * ``patterns`` and ``contains``: each expression's *required pieces*, read off its
      parse tree (``photo`` or ``picture`` in ``.{3,250}\\b(photo|picture)s?:``): a set
      of pieces of ASCII letters and digits (two or more), punctuation marks (``|``,
      ``©``) or "a digit" (``\\d``), of which every match holds one. An expression is
      tried only on lines holding one (a word piece inside one of the line's words,
      a mark or a digit anywhere); which expressions a word can open is worked out
      once per distinct word. Patterns are tried in file order; the first that
      matches ends the search;
    * ``vocabulary``: the same pass over the words narrows a bit mask of the rules
      whose vocabulary has every word (the first word alone rules most lines out);
    * ``max_words``: a mask of the rules per word count.

    A line's words are looked up in per-word tables by one ``map`` in C; a long line
    whose words are not listed yet, with few tests left, is searched for their word
    pieces instead. An expression's other sets of required pieces (a digit *and*
    ``views`` or ``likes``; see :mod:`.piece_requirements`) are checked before it is
    run, so most lines are never normalized for a full match.

    The rules left (usually none) are then tried with :meth:`LineRule.matches`, in
    file order, which also applies ``require`` and ``unless``. An expression with no
    such pieces (``\\w+ \\w+``, or every match possibly empty of them) is tried on
    every line of a fitting length: correct, only slower.
    """

    def __init__(self, rules: Iterable[LineRule]) -> None:
        self.rules = tuple(rules)
        self.max_words = max((r.max_words for r in self.rules), default=0)
        self._index_phrases_and_vocabularies()
        by_piece, marks = self._index_tests()
        self._index_first_chars()
        # every fact of the expressions is read: their parse trees are no longer needed
        forget_trees(p for r in self.rules for p in (*r.patterns, *r.contains))
        #: per rule: whether one of its patterns fully matching a line (that fits the
        #: rule's ``max_words``) makes ``LineRule.matches`` find a hit, as their
        #: alternation then fully matches too; not so with references to groups, whose
        #: numbers the alternation shifts, or with global inline flags (see
        #: :func:`_alternation_safe`)
        self._pattern_decides = tuple(
            all(_alternation_safe(p.pattern) for p in r.patterns) for r in self.rules
        )
        # the rules that patterns or contains may make match
        self._later_rules = 0
        for i, _ in self._tests:
            self._later_rules |= 1 << i
        self._index_marks(marks)
        self._index_word_pieces(by_piece)
        # per word: the vocabulary rules having it, and the tests a piece of it opens
        # (dictionaries that work an unknown word out themselves, so a line's words are
        # looked up by one ``map`` in C, not one Python step per word)
        self._vocab_of = _WordTable(self._vocab_entry)
        self._tests_of = _WordTable(self._tests_entry)
        self._results: dict[str, LineRule | None] = {}
        self._index_phrase_shapes()
        self._index_word_counts()

    def _index_phrases_and_vocabularies(self) -> None:
        """The rules per phrase key and per vocabulary word (bit masks of rule indices),
        the rules having a vocabulary, and those of them that allow numbers."""
        self._by_key: dict[str, int] = {}
        self._vocab_rules = 0
        self._by_word: dict[str, int] = {}
        self._number_rules = 0
        for i, rule in enumerate(self.rules):
            bit = 1 << i
            for phrase in rule.phrases:
                self._by_key[phrase] = self._by_key.get(phrase, 0) | bit
            if rule.vocabulary:
                self._vocab_rules |= bit
                for w in rule.vocabulary:
                    self._by_word[w] = self._by_word.get(w, 0) | bit
                if rule.numbers:
                    self._number_rules |= bit

    def _index_tests(self) -> tuple[dict[str, int], dict[str, int]]:
        """The tests, in rule order, with what each requires of a line; returns the
        tests needing each required word piece and each required punctuation mark
        (bit masks of test indices), for :meth:`_index_word_pieces` and
        :meth:`_index_marks`."""
        # "tests": each rule's patterns (fully matched) and one of its contains
        # expressions (only a hint: the rule is then tried as a whole)
        self._tests: list[tuple[int, re.Pattern[str] | None]] = []
        self._test_always = 0  # tests with no required word
        # per test: the rest of what the line must hold (see :mod:`.piece_requirements`)
        self._requirements: list[Requirement] = []
        self._word_pieces: list[tuple[str, ...]] = []  # per test: its required word pieces
        self._piece_tests = 0  # tests one of whose required pieces is a word piece
        by_piece: dict[str, int] = {}  # required word piece -> tests needing it
        marks: dict[str, int] = {}  # required punctuation mark -> tests needing it
        self._digit_tests = 0  # tests needing a digit
        for i, rule in enumerate(self.rules):
            for test in _rule_tests(rule):
                self._add_test(i, rule, test, by_piece, marks)
        return by_piece, marks

    def _add_test(
        self,
        i: int,
        rule: LineRule,
        test: _RuleTest,
        by_piece: dict[str, int],
        marks: dict[str, int],
    ) -> None:
        """Adds ``test`` of rule ``i`` to the tests, with what it requires of a line."""
        t = 1 << len(self._tests)
        pieces = test.pieces
        self._tests.append((i, test.expression if test.full else None))
        # the other pieces every match holds one of, checked once this one is
        # found; and, of a contains alternation, all of one alternative's
        self._requirements.append(
            requirement(
                (q for q in test.other_sets if q != pieces), () if test.full else rule.contains
            )
        )
        if pieces is None:
            self._test_always |= t
        self._word_pieces.append(tuple(sorted(p for p in pieces or () if not p.startswith(MARK))))
        if self._word_pieces[-1]:
            self._piece_tests |= t
        for piece in pieces or ():
            if piece == DIGIT:
                self._digit_tests |= t
            elif piece.startswith(MARK):
                marks[piece[1]] = marks.get(piece[1], 0) | t
            else:
                by_piece[piece] = by_piece.get(piece, 0) | t

    def _index_first_chars(self) -> None:
        """Per ASCII character: the tests a line opening with it may pass (a contains
        hint, or a pattern whose first characters are not known, passes with any)."""
        firsts = [None if pattern is None else first_chars(pattern) for _, pattern in self._tests]
        unknown = sum(1 << t for t, f in enumerate(firsts) if f is None)
        self._first_char_tests: dict[str, int] = dict.fromkeys(ASCII, unknown)
        for t, f in enumerate(firsts):
            for c in f or ():
                self._first_char_tests[c] |= 1 << t

    def _index_marks(self, marks: dict[str, int]) -> None:
        """Every required mark (and a digit, when a test needs one) found by one search
        of the line, not one ``in`` per mark."""
        self._mark_of = dict(marks)
        #: the tests a mark or a digit may find present
        self._mark_tests = reduce(or_, marks.values(), self._digit_tests)
        found = "".join(re.escape(m) for m in marks)
        self._mark_finder = (
            re.compile(f"[{found}]" + (r"|\d" if self._digit_tests else ""))
            if found
            else (_DIGIT if self._digit_tests else None)
        )

    def _index_word_pieces(self, by_piece: dict[str, int]) -> None:
        """To find the pieces in a word quickly: the few of two characters
        (``MIN_PIECE``) each looked for, the others by their first three characters (a
        word's triples hold far fewer of them than its pairs, which "on", "in", "re"
        open: a new word's entry took half the time)."""
        self._by_piece = by_piece
        self._short_pieces = tuple((p, t) for p, t in by_piece.items() if len(p) <= 2)
        self._pieces: dict[str, list[tuple[str, int]]] = {}
        for piece, tests in by_piece.items():
            if len(piece) > 2:
                self._pieces.setdefault(piece[:3], []).append((piece, tests))
        # (as a set: ``frozenset.intersection(iterable)`` walks the word's few triples,
        # where ``set.intersection(dict)`` walks every key of the dictionary)
        self._piece_triples = frozenset(self._pieces)

    def _index_phrase_shapes(self) -> None:
        """The shapes of the phrases, which rule a line out before its key is joined."""
        #: The most words a phrase has (a phrase key is its words joined by spaces).
        self._phrase_words = max((k.count(" ") + 1 for k in self._by_key), default=0)
        #: The word counts and the first words of the phrases.
        self._phrase_counts = frozenset(len(k.split(" ")) for k in self._by_key)
        self._phrase_firsts = frozenset(k.split(" ")[0] for k in self._by_key)

    def _index_word_counts(self) -> None:
        """Per word count n = 0 .. max_words: the rules, and the tests, that allow it."""
        self._fits = [
            sum(1 << i for i, r in enumerate(self.rules) if 0 < n <= r.max_words)
            for n in range(self.max_words + 1)
        ]
        rule_tests = [0] * len(self.rules)
        for t, (i, _) in enumerate(self._tests):
            rule_tests[i] |= 1 << t
        self._tests_fit = [
            sum(tests for i, tests in enumerate(rule_tests) if fits >> i & 1) for fits in self._fits
        ]

    def _vocab_entry(self, word: str) -> int:
        """The rules whose vocabulary has ``word`` (with the ``numbers`` rules for a number)."""
        vocab = self._by_word.get(word, 0)
        # a number starts with a decimal digit (what \d is)
        if self._number_rules and word[0].isdecimal() and NUMBER.fullmatch(word):
            vocab |= self._number_rules
        return vocab

    def _tests_entry(self, word: str) -> int:
        """The tests whose required word pieces one is in ``word``: a piece of two
        characters is looked for in it, a longer one when the word holds its first
        three characters (the word's triples listed by one ``map`` in C, most sharing
        no piece's)."""
        tests = 0
        for piece, t in self._short_pieces:
            if piece in word:
                tests |= t
        if len(word) > len(_TRIPLES):
            triples = {word[k : k + 3] for k in range(len(word) - 2)}
        else:
            triples = map(word.__getitem__, _TRIPLES[: max(len(word) - 2, 0)])
        pieces = self._pieces
        for triple in self._piece_triples.intersection(triples):
            for piece, t in pieces[triple]:
                if piece in word:
                    tests |= t
        return tests

    def first_match(self, view: LineView) -> LineRule | None:
        """The first rule (in file order) that matches the line, or None."""
        words = view.words
        n = len(words)
        if not n or (length := rule_length(view)) > self.max_words:
            return None
        # A line's answer is kept: furniture repeats from article to article, and the
        # section and boilerplate steps ask about the same lines.
        results = self._results
        found = results.get(view.raw, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._first_match(view, words, n, length)
            if len(results) >= RESULT_CACHE_SIZE:
                results.clear()  # flat memory over millions of articles
            results[view.raw] = found
        return found  # type: ignore[return-value]

    def _first_match(self, view: LineView, words: Words, n: int, length: int) -> LineRule | None:
        # the rules that allow the line's length (``n``: its words, for the phrases)
        fits = self._fits[length]
        # a line is a phrase only with a phrase's word count and first word: the key of
        # any other line is not joined
        maybe = (
            self._by_key.get(view.key, 0)
            if n in self._phrase_counts and words[0] in self._phrase_firsts
            else 0
        )
        # the vocabulary rules having every word: the first word alone (read without
        # listing a long line's words) rules most lines out
        vocab = self._vocab_rules & fits
        if vocab:
            vocab_of = self._vocab_of
            vocab &= vocab_of[words[0]]
            if vocab:
                vocab = reduce(and_, map(vocab_of.__getitem__, words), vocab)
                maybe |= vocab
        raw = view.raw
        tests = self._tests_fit[length]
        if tests:
            # a pattern fully matches only a line that opens with one of its first
            # characters (the normalized line opens with the raw line's first non-space)
            first = raw[:1]
            if first.isspace():
                first = raw.lstrip()[:1]
            tests &= self._first_char_tests.get(first, -1)
        # "ı" and "İ" match an "i" of an expression but fold to no "i" in the words
        pieces_hold = tests and "ı" not in raw and "İ" not in raw
        if pieces_hold:
            tests &= self._present(raw, words, tests)
        matched = -1  # the rule one of whose patterns fully matched, if any
        if tests:
            all_tests = self._tests
            requirements = self._requirements
            meets_ = meets  # (a local: looked up once per line, not once per test)
            folded = ""
            while tests:
                low = tests & -tests
                t = low.bit_length() - 1
                requirement = requirements[t]
                if pieces_hold and requirement:
                    folded = folded or raw.casefold()
                    if not meets_(requirement, raw, folded):
                        tests ^= low
                        continue
                i, pattern = all_tests[t]
                if pattern is None:
                    maybe |= 1 << i  # a contains hint: the rule is tried as a whole
                elif pattern.fullmatch(view.norm):
                    # no pattern of a rule before this one matches; later ones may
                    maybe |= self._later_rules & ~((1 << i) - 1)
                    matched = i
                    break
                tests ^= low
        maybe &= fits
        rules = self.rules
        while maybe:
            low = maybe & -maybe
            index = low.bit_length() - 1
            rule = rules[index]
            if not self._pattern_decides[index] or index > matched >= 0:
                if rule.matches(view):  # its patterns not tried (or not alone)
                    return rule
            elif index == matched:
                # One of its patterns matched (so would their alternation, which
                # ``LineRule.matches`` tries) and the line fits it: only ``unless``
                # is left to ask; the rule's alternation is neither built nor run.
                if rule.unless is None or not rule.unless.search(view.norm):
                    return rule
            elif rule.matches_but_patterns(view):
                # Every test of this rule's patterns was ruled out or failed above
                # (tests run in rule order; none matched before ``matched``, or
                # none at all): their alternation would not match either.
                return rule
            maybe ^= low
        return None

    def _present(self, raw: str, words: Words, tests: int) -> int:
        """Of ``tests``, those whose required pieces the line holds (with the tests
        needing none: a superset of those it may pass, never fewer)."""
        present = self._test_always
        by_piece = tests & self._piece_tests
        if by_piece:
            if words.listed or by_piece.bit_count() > TESTS_BY_SEARCH:
                # the pieces inside each (cached) word; most words open no test, and
                # dropping their zeros in C spares an ``or`` of wide ints for each
                present |= reduce(or_, filter(None, map(self._tests_of.__getitem__, words)), 0)
            else:
                # a long line whose words are not listed, with few tests left: a word
                # piece (ASCII letters and digits) is in one of the words exactly when
                # it is in the folded line
                folded = raw.casefold()
                word_pieces = self._word_pieces
                while by_piece:
                    low = by_piece & -by_piece
                    for piece in word_pieces[low.bit_length() - 1]:
                        if piece in folded:
                            present |= low
                            break
                    by_piece ^= low
        # marks and digits are the same in the raw line as in its normalized form
        # (one scan for all of them: most lines hold some, so no search first); not
        # scanned when no test left to decide is found by one (a long paragraph near
        # the page's end, which only a long rule fits: its pieces have ruled it out)
        finder = self._mark_finder
        if finder is not None and tests & ~present & self._mark_tests:
            found = finder.findall(raw)
            if found:
                mark_of = self._mark_of
                for c in set(found):
                    present |= mark_of.get(c, 0) or (self._digit_tests if c.isdecimal() else 0)
        return present


class _RuleTest(NamedTuple):
    """One test of a rule: a pattern (fully matched), or the contains expressions
    (all must be found: the most selective one stands for them, only a hint)."""

    #: the pattern, or the rule's first contains expression
    expression: re.Pattern[str]
    #: the required pieces every match holds one of (None: none known)
    pieces: frozenset[str] | None
    #: whether ``expression`` is a pattern, fully matched
    full: bool
    #: the expression's (or expressions') sets of required pieces
    other_sets: tuple[frozenset[str], ...]


def _rule_tests(rule: LineRule) -> list[_RuleTest]:
    """A rule's tests: one per pattern, then one for its contains expressions."""
    patterns = rule.patterns
    pieces = [required_pieces(p) for p in patterns]
    sets = [required_sets(p) for p in patterns]
    tests = [_RuleTest(p, q, True, s) for p, q, s in zip(patterns, pieces, sets, strict=True)]
    if rule.contains:  # all must be found: the most selective one stands for them
        known = [q for q in map(required_pieces, rule.contains) if q is not None]
        tests.append(
            _RuleTest(
                rule.contains[0],
                min(known, key=pieces_cost) if known else None,
                False,
                tuple(q for p in rule.contains for q in required_sets(p)),
            )
        )
    return tests


#: What can make a pattern match differently inside ``(?:p1)|(?:p2)`` than alone: a
#: reference to a group (numbered from the alternation's start there), a conditional
#: on one, global inline flags (``(?x)``; allowed only at an expression's start), or a
#: named group (two patterns naming one group make no alternation at all).
_UNSAFE_IN_ALTERNATION = re.compile(r"\\[1-9g]|\(\?P[=<]|\(\?\(|\(\?[aiLmsux]+\)")


def _alternation_safe(pattern: str) -> bool:
    """Whether ``pattern`` fully matches exactly the lines it fully matches as one
    branch of an alternation of several (as :attr:`LineRule._any_pattern` joins them)."""
    return _UNSAFE_IN_ALTERNATION.search(pattern) is None


class _WordTable(dict[str, int]):
    """A word's entry, worked out by ``make`` on first use and kept (up to
    ``WORD_CACHE_SIZE`` words: flat memory over millions of articles)."""

    def __init__(self, make: Callable[[str], int]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, word: str) -> int:
        if len(self) >= WORD_CACHE_SIZE:
            self.clear()
        value = self[word] = self._make(word)
        return value


#: Distinct words whose tests are kept at once.
WORD_CACHE_SIZE = 200_000
#: Distinct lines (of at most ``max_words`` words) whose answer is kept at once.
RESULT_CACHE_SIZE = 50_000
#: A long line whose words are not listed yet is searched for the word pieces of at
#: most this many tests; with more, its words are listed and looked up.
TESTS_BY_SEARCH = 6
_UNKNOWN = object()
#: ``slice(k, k + 3)`` for the triples of characters of words up to this long.
_TRIPLES = tuple(slice(k, k + 3) for k in range(64))
_DIGIT = re.compile(r"\d")


_COMPILED: dict[int, tuple[tuple[LineRule, ...], RuleSet]] = {}


def compiled(rules: Sequence[LineRule]) -> RuleSet:
    """The :class:`RuleSet` of a rule list, compiled once and kept while the list is
    unchanged (it is looked up by the list's identity and checked element by element)."""
    if isinstance(rules, RuleSet):
        return rules
    snapshot = tuple(rules)
    hit = _COMPILED.get(id(rules))
    if hit is not None and hit[0] == snapshot:
        return hit[1]
    ruleset = RuleSet(snapshot)
    if len(_COMPILED) > 64:
        _COMPILED.clear()
    _COMPILED[id(rules)] = (snapshot, ruleset)
    return ruleset


def first_match(rules: Sequence[LineRule], line: LineView) -> LineRule | None:
    """The first rule that matches ``line`` (rules are tried in file order)."""
    return compiled(rules).first_match(line)
