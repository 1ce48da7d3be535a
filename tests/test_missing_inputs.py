"""An input the configuration names that is there, but not as what it should be, says
what it is: "does not exist" was said of an articles folder that is a file, a sources
file that is a folder or a named pipe, and a link that leads nowhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pipeline import validate


def _file_for_folder(p: Path) -> None:
    shutil.rmtree(p)
    p.write_text("x")


def _folder_for_file(p: Path) -> None:
    p.unlink()
    p.mkdir()


def _dangling(p: Path) -> None:
    p.unlink()
    p.symlink_to("nowhere")


def _fifo(p: Path) -> None:
    p.unlink()
    os.mkfifo(p)


@pytest.mark.parametrize(
    ("rel", "change", "words"),
    [
        ("articles", _file_for_folder, "articles folder {p} is not a folder"),
        ("sources.jsonl", _folder_for_file, "sources file {p} is a folder, not a file"),
        ("sources.jsonl", _dangling, "sources file {p} is a symbolic link that leads nowhere"),
        ("sources.jsonl", _fifo, "sources file {p} is not a regular file or folder"),
        (
            "annotations.jsonl",
            _dangling,
            "annotation file {p} is a symbolic link that leads nowhere",
        ),
        ("sources.jsonl", Path.unlink, "sources file {p} does not exist"),
    ],
    ids=[
        "articles-file",
        "sources-folder",
        "sources-dangling",
        "sources-fifo",
        "ann-dangling",
        "gone",
    ],
)
def test_an_input_not_as_it_should_be_says_what_it_is(
    rel: str, change: Callable[[Path], None], words: str, seeds_copy: Path
) -> None:
    path = seeds_copy / rel
    change(path)
    result = validate(seeds_copy)
    missing = [i for i in result.report.errors if i.rule == "missing-file"]
    assert [(i.file, i.message) for i in missing] == [(rel, words.format(p=path))]
