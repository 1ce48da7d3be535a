"""Cases over annotation storage folders: a Label Studio target storage (one file per
annotation) and a brat collection (``DOC.ann`` beside ``DOC.txt``), each with one
hostile entry: junk, a link out of the input or to itself, a named pipe, a folder
where a file was, a chmod 000 file, a 50 MB line, folders nested 300 deep."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from brat_helpers import seeds_to_brat

from .model import ARTICLE, Apply, Case, tx
from .mutations import link_loop, replace_with_dir, then, unreadable

__all__ = ["folder_cases"]


def ls_storage(d: Path) -> None:
    """Each annotation of the seeds as Label Studio's target storage writes it, named
    by its id, and the configuration pointed at the folder."""
    folder = d / "storage"
    folder.mkdir()
    for task in tx.label_studio_json(d):
        nested = {k: v for k, v in task.items() if k not in ("annotations", "predictions")}
        for a in task["annotations"]:
            user = {"id": a["completed_by"], "email": "annotator@example.org"}
            record = {**a, "completed_by": user, "task": nested, "project": 3}
            (folder / str(a["id"])).write_text(json.dumps(record, indent=2), encoding="utf-8")
    tx.use_annotations(d, {"path": "storage", "format": "label-studio"})


def brat(d: Path) -> None:
    seeds_to_brat(d, d / "brat")
    tx.use_annotations(d, {"path": "brat", "format": "brat"})


def _write(rel: str, data: bytes) -> Apply:
    return lambda d: (d / rel).write_bytes(data)


def link_out(rel: str) -> Apply:
    def apply(d: Path) -> None:
        (d / rel).unlink()
        (d / rel).symlink_to("/etc/passwd")

    return apply


def fifo(rel: str) -> Apply:
    def apply(d: Path) -> None:
        (d / rel).unlink()
        os.mkfifo(d / rel)

    return apply


def _deep(folder: str, depth: int) -> Apply:
    def apply(d: Path) -> None:
        path = d / folder / "/".join(["n"] * depth)
        path.mkdir(parents=True)
        (path / "note.txt").write_text("nothing to read\n", encoding="utf-8")

    return apply


def _ann_line(rel: str, line: str) -> Apply:
    def apply(d: Path) -> None:
        path = d / rel
        path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")

    return apply


def _hostile(rel: str) -> Iterator[tuple[str, Apply, str]]:
    """(name, mutation, expect) of one entry ``rel`` of a folder."""
    yield "junk", _write(rel, b"\x00\xff\xfe junk \x80" * 50), "fail"
    yield "not-json", _write(rel, b"hello, world\n"), "fail"
    yield (
        "badutf8",
        lambda d: (d / rel).write_bytes((d / rel).read_bytes()[:60] + b"\xff\xfe"),
        "fail",
    )
    yield "nested-100k", _write(rel, b"[" * 100_000 + b"]" * 100_000), "fail"
    yield "50mb-line", _write(rel, b"z" * 50_000_000), "fail"
    yield "link-out", link_out(rel), "fail"
    yield "loop", link_loop(rel), "fail"
    yield "fifo", fifo(rel), "fail"
    yield "dir", replace_with_dir(rel), "any"


def folder_cases() -> Iterator[Case]:
    folders: list[tuple[str, Callable[[Path], None], str]] = [
        ("ls-storage", ls_storage, "storage/101"),
        ("brat", brat, f"brat/{ARTICLE}.ann"),
    ]
    for shape, make, rel in folders:
        yield Case(f"folder-ok:{shape}", make, rel, expect="any")
        for name, mutate, expect in _hostile(rel):
            # an .ann is read line by line: what is wrong is on line 1 (the bad UTF-8
            # at byte 60 of the seeds' first .ann, on its line 4)
            line = 1 if shape == "brat" and name in ("not-json", "50mb-line") else None
            line = 4 if shape == "brat" and name == "badutf8" else line
            # a folder where a file was: that annotation is left out, as if deleted
            keeps = name != "dir"
            yield Case(
                f"folder-{name}:{shape}", then(make, mutate), rel, line, expect, keeps_spans=keeps
            )
        yield Case(f"folder-chmod000:{shape}", then(make, unreadable(rel)), rel, unprivileged=True)
        yield Case(
            f"folder-chmod000-dir:{shape}",
            then(make, unreadable(rel.split("/")[0])),
            rel.split("/")[0],
            unprivileged=True,
        )
        folder = rel.split("/")[0]
        yield Case(f"folder-deep-300:{shape}", then(make, _deep(folder, 300)), "", expect="any")
        yield Case(
            f"folder-empty:{shape}",
            then(make, _empty(folder)),
            folder,
            expect="any",
            keeps_spans=False,
        )
    ann = f"brat/{ARTICLE}.ann"
    for name, line in (
        ("offsets-past-end", "T99\tPERSON 100000 100005\tnobody"),
        ("offsets-negative", "T99\tPERSON -4 2\tno"),
        ("offsets-reversed", "T99\tPERSON 9 3\tno"),
        ("no-tab", "T99 PERSON 0 3 abc"),
        ("relation-to-nothing", "R99\tSpeaker Arg1:T404 Arg2:T405"),
        ("huge-offset", f"T99\tPERSON 0 {2**70}\tx"),
    ):
        yield Case(f"brat-{name}", then(brat, _ann_line(ann, line)), ann)


def _empty(folder: str) -> Apply:
    def apply(d: Path) -> None:
        for path in (d / folder).iterdir():
            path.unlink()

    return apply
