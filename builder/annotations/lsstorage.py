"""A Label Studio target storage folder (local or cloud export storage, synced to disk).

Label Studio's export storage writes one file per annotation
(``io_storages/base_models.py``: ``ExportStorage._get_serialized_data`` and
``ExportStorageLink.get_key``), in one of two shapes:

* **annotation** (the default): named by the annotation id, no extension; the
  annotation (``id``, ``result``, ``completed_by`` as ``{id, first_name,
  last_name, email}``, ``was_cancelled``, ``ground_truth``, ``updated_at``, ...)
  with its task nested as ``task`` (``id``, ``data``, ``meta``, ..., no
  annotations: ``io_storages/serializers.py``, ``StorageAnnotationSerializer``);
* **task** (``FUTURE_SAVE_TASK_TO_STORAGE``, or the
  ``fflag_feat_optic_650_target_storage_task_format_long`` flag): named by the
  task id, ``.json`` or none; the whole task as a JSON export holds it, its
  annotations included, rewritten at each annotation.

The folder (sub-folders included, hidden files left out) is read as one export:
the files of a task are gathered, and its annotation is picked as from a JSON
export (the ground truth, else the latest updated with results). Gathering runs
through a small on-disk index (sqlite), so memory stays flat however many files
there are, and tasks come out in task-id order whatever order the folder lists
them in. Every issue names the file inside the folder (``FOLDER/NAME``) and a
JSON pointer inside that file.

Label Studio before 1.0 wrote the annotation with ``task`` as a bare id (no
text, no article id): such a file is an error asking for a JSON export. Its
file-based projects (0.x) kept a ``completions`` folder instead: one
``TASK_ID.json`` per task, the task with its annotations under ``completions``
(``label_studio/project.py``, ``Project.save_completion``); it is read as the task
shape, ``completions`` as ``annotations``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..ingest import folder_files
from ..utf8 import NotUtf8, decode_utf8
from ..validate.report import Issue, json_pointer
from .lstasks import TaskReport, pick_annotation
from .options import ImportOptions

__all__ = ["read_target_storage"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]

_ANNOTATION = re.compile(r"/annotations/(\d+)(.*)")
#: A target-storage file holds one annotation or one task; anything larger is not one.
MAX_FILE_BYTES = 64 << 20


def _load(folder: Path, member: str) -> tuple[Any, str | None]:
    """The JSON value of one file, or the reason it has none."""
    path = folder / member
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, f"larger than {MAX_FILE_BYTES >> 20} MB: not one annotation or task"
        return json.loads(decode_utf8(path.read_bytes(), bom=True)), None
    except NotUtf8 as exc:
        return None, str(exc)
    except ValueError as exc:
        return None, f"not a JSON file ({exc})"
    except RecursionError:
        # json.loads gives up on arrays nested some 100,000 deep (was exit 3)
        return None, "JSON nested too deeply to read: not one annotation or task"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"


def _shape(value: Any) -> tuple[str, Any] | str:
    """``("annotation" | "task", task id)`` of a file's value, or why it is neither."""
    if isinstance(value, list):
        return (
            "a JSON array (a Label Studio JSON export, not a target-storage file): give"
            " that file as its own entry"
        )
    if not isinstance(value, Mapping):
        return f"not a JSON object ({type(value).__name__})"
    if "task" in value and ("result" in value or "was_cancelled" in value):
        task = value["task"]
        if not isinstance(task, Mapping):
            return (
                f"an annotation whose task is {task!r:.30}, not the task itself (Label Studio"
                " before 1.0 stored only its id, so neither the text nor the article id is"
                " here): export the project as JSON instead"
            )
        if not isinstance(task.get("data"), Mapping):
            return "an annotation whose task has no data object"
        return "annotation", task.get("id")
    if isinstance(value.get("data"), Mapping):
        return "task", value.get("id")
    return (
        "neither an annotation with its task (result, task) nor a task (data, annotations),"
        " the two shapes Label Studio's target storage writes"
    )


def _sort_key(task_id: Any) -> Any:
    """Task ids sort as numbers when they are (Label Studio's are) and SQLite can hold
    them (64-bit), else as text, after the numbers."""
    if isinstance(task_id, int) and not isinstance(task_id, bool) and -(2**63) <= task_id < 2**63:
        return task_id
    return json.dumps(task_id, sort_keys=True)


def _index(folder: Path, db: sqlite3.Connection, root: Path | None, refused: list[Issue]) -> None:
    """Pass 1: each file's task id (or its problem), into ``db``; what the folder's
    walk does not read (a link leading outside ``root``, ...) into ``refused``."""
    db.execute("CREATE TABLE f (task, member TEXT, problem TEXT)")

    def rows() -> Iterator[tuple[Any, str, str | None]]:
        for member in folder_files(folder, root=root, refused=refused):
            value, why = _load(folder, member)
            shape = _shape(value) if why is None else why
            if isinstance(shape, str):
                yield None, member, shape
            elif shape[1] is None:  # no task id: a task of its own, after the numbered ones
                yield f"~{member}", member, None
            else:
                yield _sort_key(shape[1]), member, None

    db.executemany("INSERT INTO f VALUES (?, ?, ?)", rows())


#: where a task file holds its annotations: ``completions`` in Label Studio before 1.0
_ANNOTATION_KEYS = ("annotations", "completions")


def _annotations_key(task: Mapping[str, Any]) -> str:
    """The key of a task file's annotations, as the converter takes them
    (``annotation_result_from_task``: ``annotations`` if the task has it, else
    ``completions``)."""
    return "annotations" if "annotations" in task else "completions"


def _gather(
    folder: Path, members: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, str, bool]]]:
    """One task from its files: the task (without annotations), its annotations, and
    for each annotation (file, JSON pointer of it in the file, from an annotation file).
    An annotation written twice (both shapes, or a rewrite) is read once: the latest."""
    base: dict[str, Any] = {}
    found: dict[str, tuple[dict[str, Any], tuple[str, str, bool]]] = {}
    extra: list[tuple[dict[str, Any], tuple[str, str, bool]]] = []

    def keep(annotation: Any, where: tuple[str, str, bool]) -> None:
        if not isinstance(annotation, Mapping) or annotation.get("id") is None:
            extra.append((annotation, where))
            return
        key = str(annotation["id"])
        earlier = found.get(key)
        stamp = str(annotation.get("updated_at") or "")
        if earlier is None or stamp > str(earlier[0].get("updated_at") or ""):
            found[key] = (dict(annotation), where)

    for member in members:
        value, _ = _load(folder, member)
        if not isinstance(value, Mapping):
            continue  # changed since it was indexed: nothing to gather
        if "task" in value and isinstance(value["task"], Mapping):
            task = value["task"]
            base = {**task, **base} if base else dict(task)
            keep({k: v for k, v in value.items() if k != "task"}, (member, "", True))
        else:
            key = _annotations_key(value)
            base = {**base, **{k: v for k, v in value.items() if k not in _ANNOTATION_KEYS}}
            annotations = value.get(key)
            for i, a in enumerate(annotations if isinstance(annotations, list) else []):
                keep(a, (member, json_pointer(key, i), False))
    chosen = sorted(found.values(), key=lambda aw: (aw[1][0], aw[1][1])) + extra
    return base, [a for a, _ in chosen], [w for _, w in chosen]


def _record_of(issues: list[Issue]) -> str | None:
    return next((i.record for i in issues if i.record is not None), None)


def _relocate(
    issues: list[Issue], folder: str, member: str, places: list[tuple[str, str, bool]]
) -> list[Issue]:
    """Issues of the task reader, pointed at the file and the place in it: ``places[k]``
    is where annotation ``k`` of the task given to the reader came from; anything else is
    in ``member`` (under ``/task`` when that is an annotation file)."""
    nested = any(w[0] == member and w[2] for w in places)
    moved = []
    for issue in issues:
        pointer, file = issue.pointer, member
        m = _ANNOTATION.match(pointer)
        if m and int(m[1]) < len(places):
            file, prefix, _ = places[int(m[1])]
            pointer = prefix + m[2]
        elif nested and pointer:
            pointer = "/task" + pointer  # the task is nested in an annotation file
        moved.append(replace(issue, file=f"{folder}/{file}", line=None, pointer=pointer))
    return moved


def read_target_storage(
    folder: Path, options: ImportOptions | None = None, *, root: Path | None = None
) -> Iterator[Result]:
    """Read a Label Studio target-storage folder; one native record per task.

    Files are read only inside ``root`` (the input folder; default: ``folder``): a
    link leading out of it is an ``outside-input`` error, not read."""
    from .labelstudio import task_to_record  # the task reader; it imports this module

    options = options or ImportOptions()
    with tempfile.TemporaryDirectory(prefix="ls-storage-") as tmp:
        db = sqlite3.connect(Path(tmp) / "index.sqlite")
        try:
            refused: list[Issue] = []
            _index(folder, db, root, refused)
            for issue in refused:
                yield None, None, [issue]
            number = 0
            if (unread := _none_readable(folder, db)) is not None:
                yield None, None, [unread]
                return
            for member, problem in db.execute(
                "SELECT member, problem FROM f WHERE problem IS NOT NULL ORDER BY member"
            ):
                number += 1
                issue = Issue(file=f"{folder.name}/{member}", rule="label-studio", message=problem)
                yield number, None, [issue]
            if number == 0 and not db.execute("SELECT 1 FROM f LIMIT 1").fetchone():
                message = (
                    "the folder holds no files: a Label Studio target storage writes one"
                    " file per annotation (sync the storage, or give a JSON export file)"
                )
                yield None, None, [Issue(file=folder.name, rule="label-studio", message=message)]
                return
            group: list[str] = []
            current: Any = None
            rows = db.execute(
                "SELECT task, member FROM f WHERE problem IS NULL ORDER BY task, member"
            )
            for task_key, member in [*rows, (None, None)]:
                if group and (member is None or task_key != current):
                    number += 1
                    yield _one_task(folder, group, number, options, task_to_record)
                    group = []
                current = task_key
                if member is not None:
                    group.append(member)
        finally:
            db.close()


def _none_readable(folder: Path, db: sqlite3.Connection) -> Issue | None:
    """One issue for a folder none of whose files is readable (None otherwise): the path
    names some other folder (the articles, by a slip), and an error per file of it, each
    "not a JSON file", would be thousands that do not say so."""
    problems = db.execute("SELECT COUNT(*) FROM f WHERE problem IS NOT NULL").fetchone()[0]
    if not problems or db.execute("SELECT 1 FROM f WHERE problem IS NULL LIMIT 1").fetchone():
        return None
    member, problem = db.execute(
        "SELECT member, problem FROM f WHERE problem IS NOT NULL ORDER BY member LIMIT 1"
    ).fetchone()
    message = (
        f"none of its {problems} files is read (the first, {member}: {problem}); a Label"
        " Studio target storage holds one JSON file per annotation or task: is this the"
        " storage folder?"
    )
    return Issue(file=folder.name, rule="label-studio", message=message)


def _one_task(
    folder: Path, members: list[str], number: int, options: ImportOptions, task_to_record: Any
) -> Result:
    """The record of one task gathered from its files."""
    base, annotations, places = _gather(folder, members)
    task = {**base, "annotations": annotations}
    tag = f"task {base.get('id')}"
    scratch = TaskReport(members[0], number, task, tag)
    pointer, chosen = pick_annotation(task, scratch, options)
    if chosen is None or chosen.get("_prediction"):
        _, record, issues = task_to_record(task, number, members[0], options, tag=tag)
        return number, record, _relocate(issues, folder.name, members[0], places)
    where = places[int(pointer.rsplit("/", 1)[1])]
    single = {**base, "annotations": [chosen]}
    _, record, issues = task_to_record(single, number, where[0], options, tag=tag)
    issues = _relocate(issues, folder.name, where[0], [where])
    others = sorted({w[0] for w in places if w[0] != where[0]})
    files = f"; read from {where[0]}" + (f", others in {', '.join(others[:10])}" if others else "")
    article_id = record["article_id"] if record else _record_of(issues)
    for note in _relocate(scratch.issues, folder.name, where[0], places):
        if note.severity == "warning":  # "read annotation N, skipped the others": say where
            note = replace(note, message=note.message + files)
        issues.append(replace(note, record=article_id))
    if any(i.severity == "error" for i in issues):
        record = None  # as from a JSON export: a task with a broken annotation is not read
    return number, record, issues
