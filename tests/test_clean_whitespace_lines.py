"""The whitespace step reads its newline runs off the lines: the same spans the
patterns it replaced find, on texts built to stress every edge (runs at either end,
lines of spaces only, no final newline)."""

from __future__ import annotations

import random

import pytest

from builder.clean.text_fixes import Whitespace, _newline_runs


def _by_patterns(text: str) -> tuple[list, list, list]:
    w = Whitespace
    trailing = []
    for m in w._space_before_newline.finditer(text):
        start = m.start()
        while start and text[start - 1] == " ":
            start -= 1
        trailing.append((start, m.end() - 1))
    leading = [m.span() for m in w._leading.finditer(text)]
    blanks = [m.span() for m in w._blank_lines.finditer(text)]
    return trailing, leading, blanks


def _texts() -> list[str]:
    rng = random.Random(7)
    out = ["", "\n", "\n\n", "\n\n\n", " \n", "a", "a \n", "\n  a", "a\n\n\n", "  \n  \n\n\nb  "]
    for _ in range(3000):
        out.append(
            "".join(
                rng.choice(["a", "b", " ", " ", "\n", "\n", "\t", "x y"])
                for _ in range(rng.randint(0, 30))
            )
        )
    return out


@pytest.mark.parametrize("text", _texts()[:10])
def test_edges(text: str) -> None:
    assert _newline_runs(text) == _by_patterns(text)


def test_random_texts() -> None:
    for text in _texts():
        assert _newline_runs(text) == _by_patterns(text), repr(text)
