"""An input the configuration names that is there, but not as what it should be, says
what it is: "does not exist" was said of an articles folder that is a file, a sources
file that is a folder or a named pipe, and a link that leads nowhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.errors import DataError
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
        ("articles", _file_for_folder, "articles folder {p} is not a folder (inputs.articles"),
        ("articles", shutil.rmtree, "articles folder {p} does not exist (inputs.articles"),
        ("sources.jsonl", _folder_for_file, "sources file {p} is a folder, not a file (inputs.sou"),
        ("sources.jsonl", _dangling, "sources file {p} is a symbolic link that leads nowhere ("),
        ("sources.jsonl", _fifo, "sources file {p} is not a regular file or folder (inputs.s"),
        (
            "annotations.jsonl",
            _dangling,
            "annotation file {p} is a symbolic link that leads nowhere (inputs.annotations[0].path",
        ),
        ("sources.jsonl", Path.unlink, "sources file {p} does not exist (inputs.sources"),
    ],
    ids=[
        "articles-file",
        "articles-gone",
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
    # the message names the input, says what it is, and where the configuration names it
    assert [i.file for i in missing] == [rel]
    assert missing[0].message.startswith(words.format(p=path))
    assert missing[0].message.endswith(" in dataset.yaml)")


@pytest.mark.parametrize("rel", ["sources.jsonl", "annotations.jsonl"])
def test_a_missing_side_file_is_one_error_not_one_per_article(rel: str, seeds_copy: Path) -> None:
    """Each article would only repeat it ("no source record", "no annotation record"):
    with a million articles, a million lines burying the one that says what to fix."""
    (seeds_copy / rel).unlink()
    result = validate(seeds_copy)
    assert [(i.file, i.rule) for i in result.report.issues] == [(rel, "missing-file")]
    assert result.stats.stages["read"] == 0  # and none was cleaned for nothing


@pytest.mark.parametrize("key", ["sources", "articles"])
def test_a_path_the_system_refuses_is_a_configuration_error(key: str, seeds_copy: Path) -> None:
    """A configured name past the file system's length limit is the configuration's error,
    at its key, not an OSError ("File name too long") from the first read."""
    config = seeds_copy / "dataset.yaml"
    text, at = config.read_text(), f"\n  {key}: "
    start = text.index(at) + len(at)
    config.write_text(text[:start] + "x" * 5000 + text[text.index("\n", start) :])
    with pytest.raises(DataError) as caught:
        validate(seeds_copy)
    issues = caught.value.report.errors
    assert [(i.file, i.rule, i.pointer) for i in issues] == [
        ("dataset.yaml", "bad-path", f"/inputs/{key}")
    ]
    assert "(5000 characters) cannot be a path here: File name too long" in issues[0].message
