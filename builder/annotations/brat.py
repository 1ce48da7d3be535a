"""BRAT standoff annotations, read as native records (format ``brat``).

The input is a folder of ``.ann`` files, sub-folders included (or one ``.ann``
file); each file holds the annotations of the article named by its stem, and
the ``.txt`` beside it, when present, is the text the annotator saw (brat's own
layout: ``DOC.ann`` annotates ``DOC.txt``). Offsets are code points on that text (over a
``.txt`` with CR LF line ends, counting each pair as one character is recognised too,
as brat's client counts them, nlplab/brat#853); a span's text
column is checked against it, and its digest becomes the record's
``text_sha256``, so spans made on another version of the raw text are
re-anchored. Without the ``.txt`` the offsets must hold on the current raw
text, where the build checks them.

What each line is made into (https://brat.nlplab.org/standoff.html):

* ``T`` (text-bound): a span. Type ``Quote`` (or ``Quotation``) is a quote,
  any other type an entity label. brat stores an annotation that crosses a line
  break as fragments (``T1 ORG 0 5;6 10``); fragments separated by white space
  only are joined into one span. Fragments with words between them (a truly
  discontinuous mention) have no place in a contiguous span and are an error.
* ``R`` (relation): between a quote and an entity, the entity is the quote's
  speaker when the relation type is one of ``speaker_relations`` (by default
  any type, as the Label Studio importer reads relations); other relations are
  reported as not read.
* ``A`` / ``M`` (attributes): on the document marker (a ``T`` span of type
  ``Document``, the brat maintainers' stand-in for document-level labels,
  nlplab/brat#1370), ``genre`` and ``text_form`` attributes are the document
  labels; attributes on other spans are reported as not read.
* ``E`` (events), ``N`` (normalizations), ``*`` (equivalences) and ``#``
  (notes): reported as not read (warnings); their spans are still read.

Every problem names the ``.ann`` file and its line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ingest import folder_files, leads_outside
from ..jsonl import DEFAULT_MAX_RECORD_BYTES
from ..names import setting
from ..utf8 import bad_utf8_of_file
from ..validate.report import Issue
from .common import DOC_LABELS, QUOTE_LABELS, CrLfAsOne, build_record

__all__ = ["DOCUMENT_TYPE", "read_brat", "read_brat_file"]

Result = tuple[int | None, dict[str, Any] | None, list[Issue]]

#: The ``T`` type that marks the document itself, so attributes can label it.
DOCUMENT_TYPE = "Document"
_ANN = ".ann"
_FRAGMENT = re.compile(r"(\d+) (\d+)")
#: A lone CR followed by what starts a brat line (an id and a tab): line ends by lone CRs.
_CR_THEN_LINE = re.compile(r"\r(?:[TRAMEN]\d+|\*|#\d*)\t")
_NOT_READ = {
    "E": "an event",
    "N": "a normalization",
    "*": "an equivalence",
    "#": "a note",
}


@dataclass
class _Parsed:
    """What one ``.ann`` file holds, before it becomes a native record."""

    spans: dict[str, dict[str, Any]] = field(default_factory=dict)  # T id -> span with "_kind"
    lines: dict[str, int] = field(default_factory=dict)  # annotation id -> line
    failed: set[str] = field(default_factory=set)  # ids of lines reported as errors
    relations: list[tuple[int, str, str, str]] = field(default_factory=list)
    attributes: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _check_fragments(
    pairs: list[tuple[int, int]], fragments: str, column: str, text: str
) -> str | None:
    """Why the fragments do not hold on ``text`` (None when they do)."""
    end = pairs[-1][1]
    if end > len(text):
        return f"offset {end} is past the end of the text ({len(text)} characters)"
    for (_, a), (b, _) in itertools.pairwise(pairs):
        if text[a:b].strip():
            return (
                f"discontinuous span {fragments}: {text[a:b]!r} lies between its fragments,"
                " and a span must be contiguous"
            )
    # brat writes the fragments' texts joined by a space.
    seen = " ".join(text[a:b] for a, b in pairs)
    if seen != column:
        return f"the text column {column!r} is not the text at {fragments} ({seen!r})"
    return None


def _span(
    ident: str,
    kind: str,
    fragments: str,
    column: str,
    text: str | None,
    lf: CrLfAsOne | None = None,
) -> dict[str, Any] | str:
    """The native span of a ``T`` line, or why it cannot be read."""
    pairs = []
    for part in fragments.split(";"):
        m = _FRAGMENT.fullmatch(part)
        if not m:
            return f"offsets {fragments!r} are not 'START END' pairs separated by ';'"
        start, end = int(m[1]), int(m[2])
        if start >= end:
            return f"fragment {start} {end}: the start is not before the end"
        pairs.append((start, end))
    pairs.sort()
    start, end = pairs[0][0], pairs[-1][1]
    if text is not None:
        why = _check_fragments(pairs, fragments, column, text)
        if why is not None and lf is not None:
            # brat's own client counts a CR LF as one character (nlplab/brat#853), as does
            # a .ann written from text read with universal newlines: the column decides.
            mapped = [(lf.to_raw(a), lf.to_raw(b)) for a, b in pairs]
            if all(a is not None and b is not None for a, b in mapped):
                pairs = [(a, b) for a, b in mapped if a is not None and b is not None]
                if _check_fragments(pairs, fragments, column, text) is None:
                    why = None
                    start, end = pairs[0][0], pairs[-1][1]
        if why is not None:
            return why
        column = text[start:end]
    elif len(pairs) > 1:
        return (
            f"fragments {fragments} and no .txt beside the .ann: cannot tell what lies between"
            " them (put the text the annotator saw beside the .ann)"
        )
    span: dict[str, Any] = {"id": ident, "start": start, "end": end, "text": column}
    if kind.casefold() in QUOTE_LABELS:
        return {**span, "_kind": "quotes", "speaker": None}
    if kind == DOCUMENT_TYPE:
        return {**span, "_kind": "document"}
    return {**span, "_kind": "entities", "label": kind}


def _parse(lines: Iterator[str], text: str | None, file: str, record: str) -> _Parsed:
    parsed = _Parsed()
    lf = CrLfAsOne(text) if text is not None and "\r\n" in text else None

    # a line with a lone CR and an error in it: perhaps lines ended by lone CRs, which
    # read as one line (a CR is text, see read_brat_file); the error says so
    lone_cr: set[int] = set()

    def issue(line: int, message: str, *, rule: str = "brat", severity: str = "error") -> None:
        if line in lone_cr and severity == "error":
            message += " (the line holds a lone CR: .ann lines end at LF; use LF or CRLF)"
        parsed.issues.append(
            Issue(
                file=file, line=line, record=record, rule=rule, message=message, severity=severity
            )
        )

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if "\r" in line and _CR_THEN_LINE.search(line):
            lone_cr.add(number)
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        head = ident[:1]
        if ident in parsed.lines and head not in "*#":
            issue(number, f"id {ident} is used again (first at line {parsed.lines[ident]})")
            continue
        parsed.lines[ident] = number
        if head in _NOT_READ:
            issue(number, f"{ident}: {_NOT_READ[head]} is not read", severity="warning")
        elif head == "T":
            annotation, tab, column = rest.partition("\t")
            kind, _, fragments = annotation.partition(" ")
            if not tab or not kind or not fragments:
                issue(number, f"{ident}: expected 'ID<TAB>TYPE START END<TAB>TEXT'")
                parsed.failed.add(ident)
                continue
            found = _span(ident, kind, fragments, column, text, lf)
            if isinstance(found, str):
                issue(number, f"{ident}: {found}", rule="span-offsets")
                parsed.failed.add(ident)
                continue
            parsed.spans[ident] = found
        elif head == "R":
            parts = rest.split()
            args = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
            if len(parts) != 3 or set(args) != {"Arg1", "Arg2"}:
                issue(number, f"{ident}: expected 'ID<TAB>TYPE Arg1:ID Arg2:ID'")
                parsed.failed.add(ident)
                continue
            parsed.relations.append((number, parts[0], args["Arg1"], args["Arg2"]))
        elif head in ("A", "M"):
            parts = rest.split()
            if len(parts) not in (2, 3):
                issue(number, f"{ident}: expected 'ID<TAB>NAME TARGET [VALUE]'")
                parsed.failed.add(ident)
                continue
            value = parts[2] if len(parts) == 3 else None
            parsed.attributes.append((number, parts[0], parts[1], value))
        else:
            issue(number, f"{ident or line!r}: not a brat annotation line (T, R, E, A, M, N, *, #)")
            parsed.failed.add(ident)
    return parsed


def _link(
    parsed: _Parsed, speaker_relations: Collection[str] | None, file: str, record: str
) -> dict[str, str]:
    """Give quotes their speakers; return the document labels."""
    wanted = None if speaker_relations is None else {r.casefold() for r in speaker_relations}
    spans = parsed.spans

    def issue(line: int, message: str, severity: str = "error") -> None:
        parsed.issues.append(
            Issue(
                file=file, line=line, record=record, rule="brat", message=message, severity=severity
            )
        )

    for number, kind, arg1, arg2 in parsed.relations:
        missing = [a for a in (arg1, arg2) if a not in parsed.lines]
        if missing:
            issue(number, f"relation {kind}: {missing[0]} is not an annotation of this file")
            continue
        if parsed.failed & {arg1, arg2}:
            continue  # its span was reported already
        if not {arg1, arg2} <= spans.keys():
            issue(number, f"relation {kind} ({arg1}, {arg2}) links no span; not read", "warning")
            continue
        ends = [spans[arg1], spans[arg2]]
        quote = next((e for e in ends if e["_kind"] == "quotes"), None)
        speaker = next((e for e in ends if e["_kind"] == "entities"), None)
        if (
            quote is None
            or speaker is None
            or (wanted is not None and kind.casefold() not in wanted)
        ):
            issue(number, f"relation {kind} ({arg1}, {arg2}) is not a speaker; not read", "warning")
            continue
        if quote["speaker"] not in (None, speaker["id"]):
            issue(number, f"quote {quote['id']} already has speaker {quote['speaker']}")
            continue
        quote["speaker"] = speaker["id"]

    labels: dict[str, str] = {}
    for number, name, target, value in parsed.attributes:
        span = spans.get(target)
        if span is not None and span["_kind"] == "document" and name in DOC_LABELS:
            if value is None:
                issue(number, f"document label {name} on {target} has no value")
            elif labels.get(name, value) != value:
                issue(number, f"document label {name} is {labels[name]!r} already, not {value!r}")
            else:
                labels[name] = value
            continue
        if target not in parsed.lines:
            issue(number, f"attribute {name}: {target} is not an annotation of this file")
            continue
        if target in parsed.failed:
            continue
        issue(number, f"attribute {name} of {target} is not read", "warning")
    return labels


def _over_limit(path: Path, name: str, article_id: str, max_bytes: int) -> Issue | None:
    """The error for a file of a brat collection larger than the record limit (None
    when it is not): it would be read whole into memory."""
    size = path.stat().st_size
    if size <= max_bytes:
        return None
    message = (
        f"the file is {size} bytes, over the limit of {max_bytes} bytes "
        f"({setting('limits.max_record_bytes')}); it is not read"
    )
    return Issue(file=name, record=article_id, rule="size-limit", message=message)


def read_brat_file(
    ann: Path,
    *,
    name: str | None = None,
    speaker_relations: Collection[str] | None = None,
    root: Path | None = None,
    max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Result:
    """One ``.ann`` file (and the ``.txt`` beside it, if any) as a native record.

    A ``.txt`` that is a link leading outside ``root`` is not read (the folder's
    listing reports it): the offsets are then checked on the article itself. Either
    file larger than ``max_line_bytes`` (the record limit: the pair makes one record)
    is one error, and not read."""
    name = name or ann.name
    article_id = ann.stem
    txt = ann.with_suffix(".txt")
    reading = str(Path(name).with_suffix(".txt"))
    try:
        # newline="": offsets count a CR LF as two characters, as brat does.
        text = None
        if txt.is_file() and (root is None or leads_outside(txt, root) is None):
            if (over := _over_limit(txt, reading, article_id, max_line_bytes)) is not None:
                return None, None, [over]
            with txt.open(encoding="utf-8", newline="") as handle:
                text = handle.read()
        reading = name
        if (over := _over_limit(ann, name, article_id, max_line_bytes)) is not None:
            return None, None, [over]
        # newline="\n": a line ends at LF (brat writes LF; an edited file CR LF, stripped
        # by the parser); a lone CR is text of a span that crosses one (brat splits
        # fragments at LF only), so universal newlines would cut that line in two.
        with ann.open(encoding="utf-8-sig", newline="\n") as handle:
            parsed = _parse(iter(handle.readline, ""), text, name, article_id)
    except UnicodeDecodeError as exc:
        # the reader decodes 8 KB at a time: its offset is in a chunk, not the file
        place = bad_utf8_of_file(txt if reading != name else ann)
        message = str(place) if place else f"not valid UTF-8 ({exc.reason})"
        line = place.line if place else None
        issue = Issue(file=reading, line=line, record=article_id, rule="encoding", message=message)
        return None, None, [issue]
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        return (
            None,
            None,
            [Issue(file=reading, record=article_id, rule="unreadable", message=message)],
        )
    labels = _link(parsed, speaker_relations, name, article_id)
    issues = parsed.issues
    if any(i.severity == "error" for i in issues):
        return None, None, issues

    def strip(kind: str) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in s.items() if k != "_kind"}
            for s in parsed.spans.values()
            if s["_kind"] == kind
        ]

    record = build_record(
        article_id=article_id,
        text=text,
        annotator={
            "kind": "human",
            "name": "brat",
            "note": f"Imported from the brat standoff file {name}.",
        },
        entities=strip("entities"),
        quotes=strip("quotes"),
        labels=labels,
    )
    return None, record, issues


def read_brat(
    path: Path,
    *,
    speaker_relations: Collection[str] | None = None,
    root: Path | None = None,
    max_line_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[Result]:
    """Read a folder of brat ``.ann`` files (or one file); one native record per file.

    Sub-folders are read too (brat nests collections), streamed (a flat collection
    may hold millions of files); each file is named by its path under ``path``.
    ``speaker_relations`` names the relation types that mean "this entity said this
    quote" (compared case-insensitively); None takes any relation between a quote
    and an entity, as the Label Studio importer does. Files are read only inside
    ``root`` (the input folder; default: ``path`` itself): a link leading out of it
    is an ``outside-input`` error, as it is among the articles (see
    :func:`~builder.ingest.folder_files`).
    """
    if path.is_file():
        yield read_brat_file(
            path, speaker_relations=speaker_relations, root=root, max_line_bytes=max_line_bytes
        )
        return
    refused: list[Issue] = []
    for member in folder_files(path, root=root, refused=refused):
        if member.endswith(_ANN):
            yield read_brat_file(
                path / member,
                name=f"{path.name}/{member}",
                speaker_relations=speaker_relations,
                root=path if root is None else root,
                max_line_bytes=max_line_bytes,
            )
    for issue in refused:
        yield None, None, [issue]
