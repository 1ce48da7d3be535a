"""Hostile texts up to the article cap must clean in linear time: no step may hand a
whole long line to a quadratic algorithm (difflib's matcher was one: a line of 4,000
combining marks took 50 s of CPU)."""

from __future__ import annotations

import difflib
import unicodedata

import ftfy
import pytest

from builder.clean import steps
from builder.clean.pipeline import Cleaner
from builder.clean.text_fixes import UnicodeNormalize


@pytest.fixture
def matcher_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The longer side of every text given to difflib's matcher by the steps."""
    sizes: list[int] = []
    real = difflib.SequenceMatcher

    def counting(isjunk: object, a: str, b: str, autojunk: bool = True) -> difflib.SequenceMatcher:
        sizes.append(max(len(a), len(b)))
        return real(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(steps.difflib, "SequenceMatcher", counting)
    return sizes


def _apply(text: str, changes: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for start, end, replacement in changes:
        assert start >= pos
        out += [text[pos:start], replacement]
        pos = end
    return "".join(out) + text[pos:]


HOSTILE_LINES = {
    "one base, a run of one combining mark": "a" + "\u0301" * 200_000,
    "decomposed letters, no spaces": "e\u0301\u0302\u0303" * 50_000,
    "mojibake on one long line": "Ã©tÃ© â€™ â€œquoteâ€ " * 10_000,
    "decomposed words in long prose": "cafe\u0301 and the minister said " * 10_000,
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_clean_hostile_line_gives_difflib_small_parts_only(
    line: str, matcher_sizes: list[int]
) -> None:
    result = Cleaner.build(step_names=["mojibake", "unicode"]).clean(line)
    assert result.text == unicodedata.normalize("NFC", ftfy.fix_encoding(line))
    assert max(matcher_sizes, default=0) <= steps._MATCHER_MAX


def test_clean_changes_stay_fine_grained_on_long_prose() -> None:
    old = "cafe\u0301 and the minister said " * 1_000 + "Zu\u0308rich"
    new = unicodedata.normalize("NFC", old)
    changes = steps._changes(old, new)
    assert _apply(old, changes) == new
    # one edit per decomposed letter, as difflib over the whole line gave
    assert len(changes) == 1_001
    assert all(end - start == 2 for start, end, _ in changes)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Ã  la voilÃ  " * 40, ftfy.fix_encoding("Ã  la voilÃ  " * 40)),
        ("a b c " * 30 + "x", "a b c " * 30 + "y z"),
        ("x " + "a b " * 40, "y y y " + "a b " * 40 + "q"),
        ("w " * 100, "v " * 50),
    ],
)
def test_clean_changes_turn_old_into_new(old: str, new: str) -> None:
    assert _apply(old, steps._changes(old, new)) == new


@pytest.mark.parametrize(
    "word", ["1" * 200_000, "a" * 200_000 + "@"], ids=["digits", "at_sign_after"]
)
def test_clean_contact_search_is_linear_on_one_long_word(word: str) -> None:
    """The e-mail pattern's unbounded local part made each search start scan the
    rest of the word: 80,000 digits took 61 s; 200,000 would take ~6 min."""
    import time

    from builder.clean.contact import contact_block

    lines = ["The minister said the new law would take effect next year. " * 3] * 4
    lines += ["Contact us", word, "555 Main Street"]
    start = time.process_time()
    assert contact_block(lines) == 4
    assert time.process_time() - start < 5  # ~0.3 s; quadratic is minutes


def test_clean_edit_map_composes_many_edits_in_linear_time() -> None:
    """A step's edits after another step's many edits: each new edit was mapped to the
    raw text by rebuilding a list of every earlier edit (50,000 x 50,000)."""
    import time

    from builder.clean.edits import Edit, EditMap

    text = "a\u200b\t" * 50_000
    emap = EditMap(text)
    start = time.process_time()
    emap.apply([Edit(i, i + 1, "", "unicode.invisible") for i in range(1, len(text), 3)])
    emap.apply([Edit(i, i + 1, " ", "unicode.space") for i in range(1, len(emap.text), 2)])
    assert emap.text == "a " * 50_000
    assert time.process_time() - start < 5  # ~0.5 s; quadratic is minutes


@pytest.mark.parametrize(("char", "replacement"), [("\u00a0", " "), ("\u200b", "")])
def test_a_run_of_odd_spaces_or_invisibles_is_one_edit_not_one_per_character(
    char: str, replacement: str
) -> None:
    """A page of only no-break spaces (or zero-width spaces) held an edit object per
    character until the edits were merged: 1 MB took 9 s of CPU and 475 MB."""
    text = "Words before.\n" + char * 100_000 + "\nWords after, " + char + "here.\n"
    edits = UnicodeNormalize().find_edits(text, steps.DocumentContext())
    spans = [(e.start, e.end) for e in edits]
    run = text.index(char)
    assert spans == [(run, run + 100_000), (text.rindex(char), text.rindex(char) + 1)]
    assert edits[0].replacement == replacement * 100_000
    clean = Cleaner.build().clean(text)
    assert char not in clean.text and "Words before." in clean.text and "here." in clean.text
