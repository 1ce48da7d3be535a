"""The numpy word counts are exactly the regex's: ``len(re.findall(r"\\w+", line.casefold()))``."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from builder.clean.chars import (
    CASED_LIMIT,
    FOLD_CHANGES_CLASS,
    WORD,
    class_table,
    line_word_counts,
    line_words,
    utf8_parts,
    word_count,
)
from builder.clean.lines import LineView, Words
from builder.clean.text_fixes import FixMojibake, UnicodeNormalize

_WORDS = re.compile(r"\w+")


def _expected(text: str) -> list[int]:
    return [len(_WORDS.findall(line.casefold())) for line in text.split("\n")]


def test_no_case_folding_past_the_limit() -> None:
    """The table checks case folding below ``CASED_LIMIT`` only: nothing above folds."""
    assert all(chr(c).casefold() == chr(c) for c in range(CASED_LIMIT, 0x110000))


def test_table_classes() -> None:
    table = class_table()
    assert table[ord("a")] == WORD and table[ord("_")] == WORD and table[ord("é")] == WORD
    assert table[ord(" ")] == 0 and table[ord("’")] == 0
    assert table[ord("İ")] & FOLD_CHANGES_CLASS  # folds to "i" and a combining dot
    assert table[0x345] & FOLD_CHANGES_CLASS  # no word character; folds to "ι", one


# lines mixing ASCII, accented and CJK letters, typographic marks, digits, folding traps
_CHARS = st.sampled_from([*"ab Z_9 \n’“–\xa0éßİ\u0345ǰ字\u0301.,", "\ud800", "ﬁ"])


@given(st.lists(_CHARS, max_size=60).map("".join))
def test_counts_match_the_regex(text: str) -> None:
    counts = line_word_counts(text)
    if counts is not None:
        assert counts == _expected(text)
    for line in text.split("\n"):
        n = word_count(line)
        assert n is None or n == _expected(line)[0]
    assert [len(LineView(line).words) for line in text.split("\n")] == _expected(text)


@given(st.lists(_CHARS, max_size=60).map("".join) | st.text(max_size=40))
def test_listed_words_match_the_regex(text: str) -> None:
    for line in text.split("\n"):
        assert line_words(line) == _WORDS.findall(line.casefold())


def test_listed_words_of_news_lines() -> None:
    for line in (
        "Photo: AP / “Quoted” – dash • x_1",
        "O’Neil’s café",
        "İstanbul ﬁle",
        "ASCII, only!",
    ):
        assert line_words(line) == _WORDS.findall(line.casefold())


def test_one_class_outside_ascii_and_both() -> None:
    for text in ("café au lait\nnaïve", "“quoted” – dash\n’", "café “x”\nß", "İstanbul\nx"):
        counts = line_word_counts(text)
        assert counts is None if "İ" in text else counts == _expected(text)


def test_lazy_words_read_as_the_list() -> None:
    line = "Mary-Jane O’Neil is a reporter who covers the Straße and café scene " * 4
    words = Words(line)
    expected = _WORDS.findall(line.casefold())
    assert len(words) == len(expected) and bool(words)
    assert words[0] == expected[0]
    assert words == expected and list(words) == expected
    assert words[1:3] == expected[1:3] and words[-1] == expected[-1]
    assert LineView(line).key == " ".join(expected)


_MIXED = st.text(st.sampled_from([*"a Z\t\x00\x7f\n\r’", "\u00a0", "\u200b", "\u3000", "Ã", "€"]))


@given(_MIXED | st.text(max_size=30))
def test_utf8_parts_and_the_class_checks_read_off_them(text: str) -> None:
    """The steps' presence checks on the two parts answer as the scans of the whole text."""
    data, others = utf8_parts(text)
    assert data == text.encode("utf-8", "surrogatepass")
    assert others == "".join(c for c in text if ord(c) >= 128)
    unicode = UnicodeNormalize()
    found = bool(data.translate(None, unicode._not_ascii_space_or_invisible)) or bool(
        others and unicode._space_or_invisible.search(others)
    )
    assert found == bool(unicode._space_or_invisible.search(text))
    assert bool(FixMojibake._suspect.search(others)) == bool(FixMojibake._suspect.search(text))
