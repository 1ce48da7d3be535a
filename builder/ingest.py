"""Reading raw article files: listed by name in their folder, read one at a time.

Nothing here holds the corpus in memory. Every problem with an article file (not
there, not a regular file, empty, binary, not UTF-8, over the size limit) becomes an
:class:`~builder.validate.report.Issue` naming the file. JSON Lines records are read
by :mod:`builder.jsonl`, compressed inputs opened by :mod:`builder.compressed_inputs`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .article_inputs import NOT_A_REGULAR_FILE
from .names import setting
from .utf8 import WIDE_BOMS, bad_utf8_in, byte_place
from .validate.report import Issue

__all__ = [
    "ARTICLE_SUFFIX",
    "RawArticle",
    "article_from_bytes",
    "article_path",
    "folder_files",
    "ignored_entries",
    "iter_article_ids",
    "leads_outside",
    "over_article_limit",
    "over_line_limit",
    "read_article",
    "real_outside",
]

ARTICLE_SUFFIX = ".txt"


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One raw article as read, with the checksum of its exact bytes."""

    id: str
    path: str
    text: str
    sha256: str
    bytes: int

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "text": self.text,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }


def iter_article_ids(directory: Path) -> Iterator[str]:
    """Id of every ``*.txt`` in ``directory`` (not hidden), in directory order.

    Streamed, so a million ids need not sit in a list: the build stages them in
    SQLite (:meth:`~builder.staging.Staging.add_article_ids`) and reads them
    back sorted from there.
    """
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.endswith(ARTICLE_SUFFIX) and not entry.name.startswith("."):
                yield entry.name[: -len(ARTICLE_SUFFIX)]


def folder_files(
    folder: Path, *, root: Path | None = None, refused: list[Issue] | None = None
) -> Iterator[str]:
    """Every file under ``folder`` (an annotation tool's export folder) as a
    ``/``-separated relative path, as the system lists them: hidden names left out
    (``.DS_Store``, a sync tool's ``.part`` files), linked sub-folders not entered
    (a link back up would loop), links leading outside ``root`` (default: the folder
    itself) not read: inputs are read only inside the input folder.

    What is not read for those two reasons is appended to ``refused`` as located
    issues (``file`` is ``FOLDER/NAME``): the readers report them, while the
    manifest's listing of the same folder just leaves them out.
    """
    boundary = folder if root is None else root
    stack = [folder]
    while stack:
        here = stack.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                name = Path(entry.path).relative_to(folder).as_posix()
                link = entry.is_symlink()
                outside = real_outside(Path(entry.path), boundary) if link else None
                if outside is not None:
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "outside-input",
                        f"a symbolic link to {outside}, outside the input folder: not read",
                    )
                elif link and entry.is_dir():
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "linked-folder",
                        "a symbolic link to a folder: not entered (a link may loop back);"
                        " put the files in the export folder, or name that folder as an input",
                        severity="warning",
                    )
                elif entry.is_file():
                    yield name
                elif link:
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "unreadable",
                        f"a symbolic link to {os.readlink(entry.path)}, which does not exist",
                    )
                else:
                    # a named pipe would block the read for ever; it was skipped without
                    # a word, the annotations the export meant to hold there lost
                    _refuse(
                        refused,
                        f"{folder.name}/{name}",
                        "not-a-file",
                        NOT_A_REGULAR_FILE,
                    )


def _refuse(
    refused: list[Issue] | None, file: str, rule: str, message: str, severity: str = "error"
) -> None:
    if refused is not None:
        refused.append(Issue(file=file, rule=rule, message=message, severity=severity))


def article_path(directory: Path, article_id: str) -> Path:
    return directory / f"{article_id}{ARTICLE_SUFFIX}"


def ignored_entries(
    directory: Path, *, inputs: Collection[Path] = (), brat_folders: Collection[Path] = ()
) -> list[str]:
    """Names in the articles folder that are not read as articles (reported, never silent).

    Entries read as other inputs are not ignored: ``inputs`` (a sources or annotation
    file, a brat folder, or a folder holding one), and the ``.ann`` files of the
    ``brat_folders`` when the articles folder is (or is inside) one of them.
    """
    named = {os.path.abspath(p) for p in inputs}
    folders = [os.path.abspath(p) for p in brat_folders]

    def read_elsewhere(entry: os.DirEntry[str]) -> bool:
        path = os.path.abspath(entry.path)
        if path in named or any(n.startswith(path + os.sep) for n in named):
            return True
        return (
            entry.name.endswith(".ann")
            and not entry.name.startswith(".")
            and any(path.startswith(f + os.sep) for f in folders)
        )

    with os.scandir(directory) as entries:
        return sorted(
            entry.name + ("/" if entry.is_dir() else "")
            for entry in entries
            if (not entry.name.endswith(ARTICLE_SUFFIX) or entry.name.startswith("."))
            and not read_elsewhere(entry)
        )


def real_outside(path: Path, root: Path) -> Path | None:
    """Where ``path`` really leads when that is outside ``root`` (a symbolic link, a
    ``..``); else None. The one check of "inputs are read only inside the input
    folder", for the configuration's paths and for every file read.

    Never raises: ``realpath``, not ``resolve()``, so a link loop is reported by the
    read that follows, not here.
    """
    real = Path(os.path.realpath(path))
    return None if real.is_relative_to(os.path.realpath(root)) else real


def leads_outside(path: Path, root: Path) -> Path | None:
    """:func:`real_outside` for a file found inside ``root`` (an article, an input to
    hash), whose own name holds no ``..``: only a link can take it out.

    Inputs are read only inside the input folder: a link to ``~/.cache/.../token``
    dropped among the articles must not be published as one.
    """
    if not path.is_symlink() and not path.parent.is_symlink():
        return None  # the common case costs one lstat
    return real_outside(path, root)


def _looks_binary(data: bytes) -> bool:
    """Control bytes other than tab/newline/CR/FF in the first 8 KiB mean binary."""
    head = data[:8192]
    control = len(head.translate(None, _NOT_CONTROL))  # in C: a Python loop cost 0.3 ms
    return control > max(1, len(head) // 100)


#: Every byte but the control bytes :func:`_looks_binary` counts (deleted to count them).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def _relative(path: Path, root: Path) -> str:
    """``path`` as named inside ``root`` (as ``Path.relative_to``), else whole.

    A string prefix first: pathlib's own test costs more than the rest of
    reading a small article."""
    whole, prefix = str(path), str(root) + os.sep
    if whole.startswith(prefix) and prefix != os.sep + os.sep:
        return whole[len(prefix) :]
    return str(path.relative_to(root)) if path.is_relative_to(root) else whole


def over_article_limit(what: str, max_bytes: int) -> str:
    """The message for an article larger than the limit (``what``: "12 bytes", "the page")."""
    return f"{what} is over the limit of {max_bytes} bytes ({setting('limits.max_article_bytes')})"


def over_line_limit(text: str, limit: int) -> str | None:
    """Why ``text`` has too many lines to clean (``limits.max_article_lines``), or None.

    The cleaner holds objects for each line: ``builder clean`` of 9.8 MB of "x\\n"
    lines peaked at 1.4 GB, of "x\\r" lines at 3.8 GB. So the build (per article)
    and ``builder clean`` both refuse such a text before cleaning it, with this message.
    Lines as the cleaner reads them, after its line-endings step: a CR alone, a CRLF
    and an LF end one line each. Counting allocates nothing."""
    if len(text) < limit:
        return None  # fewer characters than the limit: fewer lines
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    if lines <= limit:
        return None
    return (
        f"the text has {lines} lines, over the limit of {limit}"
        f" ({setting('limits.max_article_lines')}): it is not cleaned"
    )


def read_article(
    article_id: str, path: Path, *, root: Path, max_bytes: int
) -> tuple[RawArticle | None, list[Issue]]:
    """Read and decode one article (strict UTF-8; a UTF-8 BOM is kept for cleaning to log).

    Returns the article, or ``None`` with the issues that make it unusable.
    """
    rel = _relative(path, root)

    def fail(rule: str, message: str) -> tuple[None, list[Issue]]:
        return None, [Issue(file=rel, record=article_id, rule=rule, message=message)]

    if not article_id.isprintable() or any(c.isspace() for c in article_id):
        return fail("id", f"the file name {article_id!r} holds white space or control characters")
    try:
        outside = leads_outside(path, root)
        if outside is not None:
            return fail(
                "outside-input",
                f"a symbolic link to {outside}, outside the input folder: not read",
            )
        try:  # one stat where is_file() and stat() were two; a failure asks them again
            status = path.stat()
            regular, size = stat.S_ISREG(status.st_mode), status.st_size
        except OSError:
            regular = path.is_file()
            size = path.stat().st_size if regular else 0
        if not regular:
            return fail("not-a-file", "not a regular file (a folder or a special file)")
        if size > max_bytes:
            return fail(
                "size-limit",
                over_article_limit(f"{size} bytes", max_bytes),
            )
        data = path.read_bytes()
    except OSError as exc:
        return fail("unreadable", f"cannot read the file: {exc.strerror or exc}")
    return article_from_bytes(article_id, data, file=rel)


def _place(where: str, record_line: int | None) -> str:
    """``where`` (a line and column) in an article's file, or for a record of a shard
    (``record_line``, the issue's line) in its text."""
    return where if record_line is None else f"{where} of its text"


def article_from_bytes(
    article_id: str, data: bytes, *, file: str, line: int | None = None
) -> tuple[RawArticle | None, list[Issue]]:
    """Decode and check an article's raw bytes, wherever they were read from.

    ``file`` (and ``line``, for a record of a shard) say where, in every issue.
    """

    def fail(rule: str, message: str) -> tuple[None, list[Issue]]:
        return None, [Issue(file=file, line=line, record=article_id, rule=rule, message=message)]

    if not data:
        return fail("empty", "the file is empty")
    if data.startswith(WIDE_BOMS):
        return fail("encoding", "the file is UTF-16/32 (it has a BOM for it); convert it to UTF-8")
    if b"\x00" in data:
        what = "binary content" if _looks_binary(data) else "a NUL byte"
        nul = byte_place(data, data.index(b"\x00"), "")
        where = f"line {nul.line}, column {nul.column} (byte {nul.byte})"
        return fail("nul-byte", f"{what} at {_place(where, line)}: not a text file")
    if _looks_binary(data):
        return fail("binary", "control bytes throughout: not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = bad_utf8_in(data, exc)
        return None, [
            Issue(
                file=file,
                line=line if line is not None else bad.line,
                record=article_id,
                rule="encoding",
                message=f"not valid UTF-8 at {_place(bad.where, line)}",
            )
        ]
    if not text.strip("\ufeff \t\r\n\u00a0"):
        return fail("empty", "the file holds only white space")
    article = RawArticle(article_id, file, text, hashlib.sha256(data).hexdigest(), len(data))
    return article, []
