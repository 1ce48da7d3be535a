"""The examples in the library's docstrings run, and say what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tempfile
from pathlib import Path

import pytest

import builder


def _modules_with_examples() -> list[str]:
    finder = doctest.DocTestFinder()
    found = []
    for info in pkgutil.walk_packages(builder.__path__, "builder."):
        if info.name == "builder.__main__":  # runs the CLI on import
            continue
        module = importlib.import_module(info.name)
        if any(test.examples for test in finder.find(module)):
            found.append(info.name)
    return found


MODULES = _modules_with_examples()


def test_the_library_has_examples_to_run() -> None:
    assert len(MODULES) >= 10, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples make their folders with tempfile.mkdtemp(), as a reader would; here those land in
    # the test's own folder, which pytest removes, not one more folder left in /tmp per run.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = doctest.testmod(importlib.import_module(name), report=True)
    assert result.attempted and not result.failed, result
