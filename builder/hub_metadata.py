"""The card metadata the Hub understands: checked against the Hub's own lists before anything is sent.

The lists (licenses, task categories and ids, size buckets, creators,
multilinguality) are data, in ``builder/metadata/hub_lists.json``, each with
the place it was taken from. Language codes are checked with ``langcodes``
(ISO 639-1/2/3 codes and BCP 47 tags). A wrong value is one :class:`Issue`
located by file and key path, with the closest allowed values.

The same check runs on ``dataset.yaml`` (``validate``, ``build``) and on a
build's card header (``publish``, dry run included).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from .validate.report import Issue

__all__ = ["HUB_FIELDS", "check_hub_metadata", "hub_lists", "repo_id_problem", "size_category"]

LISTS_PATH = Path(__file__).resolve().parent / "metadata" / "hub_lists.json"

#: Keys checked, in the order they are reported.
HUB_FIELDS = (
    "license",
    "language",
    "task_categories",
    "task_ids",
    "size_categories",
    "annotations_creators",
    "language_creators",
    "multilinguality",
    "source_datasets",
)
_LIST_FIELDS = {
    "task_categories",
    "task_ids",
    "size_categories",
    "annotations_creators",
    "language_creators",
    "multilinguality",
}
# "extended|squad", a Hub repo id (org/name) or a canonical dataset name.
_SOURCE_DATASET = re.compile(
    r"^(original|extended|extended\|[A-Za-z0-9][\w.-]*(/[\w.-]+)?|[A-Za-z0-9][\w.-]*(/[\w.-]+)?)$"
)
_RULE = "hub-metadata"


@cache
def hub_lists() -> dict[str, Any]:
    """The Hub's lists, as shipped in the package (each entry: origin, values)."""
    return json.loads(LISTS_PATH.read_text(encoding="utf-8"))


def _allowed(key: str) -> list[str]:
    return list(hub_lists()[key]["values"])


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n`` examples (``n>1T`` only past 10^12)."""
    bounds = (1_000, 10_000, 100_000, 10**6, 10**7, 10**8, 10**9, 10**10, 10**11, 10**12)
    buckets = _allowed("size_categories")
    for bound, name in zip(bounds, buckets, strict=False):
        if n < bound:
            return name
    return buckets[-1]


def _closest(value: str, allowed: Sequence[str], n: int = 3) -> list[str]:
    lowered = {a.lower(): a for a in allowed}
    folded = value.strip().lower().replace(" ", "-").replace("_", "-")
    if folded in lowered:
        return [lowered[folded]]
    initials = [k for k in lowered if "".join(w[0] for w in k.split("-") if w) == folded]
    matches = initials or difflib.get_close_matches(folded, list(lowered), n=n, cutoff=0.5)
    if not matches:
        matches = [k for k in lowered if folded and (folded in k or k in folded)][:n]
    return [lowered[m] for m in matches]


#: How licenses are written out in full, to the Hub's abbreviations (in this order:
#: the longer GNU names first).
_LICENSE_WORDS = (
    ("creative commons", "cc"),
    ("attribution", "by"),
    ("non-commercial", "nc"),
    ("noncommercial", "nc"),
    ("share-alike", "sa"),
    ("sharealike", "sa"),
    ("share alike", "sa"),
    ("no derivatives", "nd"),
    ("noderivatives", "nd"),
    ("noderivs", "nd"),
    ("gnu affero general public", "agpl"),
    ("gnu lesser general public", "lgpl"),
    ("gnu general public", "gpl"),
    ("mozilla public", "mpl"),
)
#: Words a license's name carries that its identifier does not.
_LICENSE_FILLER = re.compile(r"\b(?:the|licen[cs]e|version|international|unported|generic)\b")


def _license_spelling(value: str, allowed: Sequence[str]) -> str | None:
    """The Hub's identifier of a license written the way people write it ("MIT
    License", "Apache License, Version 2.0", "CC BY-NC 4.0", "GPLv3", "CC0"), if one
    fits; a near spelling is :func:`_closest`'s to find."""
    key = value.lower()
    for words, short in _LICENSE_WORDS:
        key = key.replace(words, short)
    key = _LICENSE_FILLER.sub(" ", key)
    key = re.sub(r"v(?=\d)", " ", key)  # GPLv3, v2.0
    key = re.sub(r"[^a-z0-9.]+", "-", key).strip("-")
    lowered = {a.lower(): a for a in allowed}
    for spelled in (key, re.sub(r"(?<=[a-z])(?=\d)", "-", key)):  # cc0 and apache2
        for candidate in (spelled, f"{spelled}.0", f"{spelled}-1.0"):
            if candidate in lowered:
                return lowered[candidate]
    return None


def _suggest(options: Sequence[str]) -> str:
    if not options:
        return ""
    return "; did you mean " + " or ".join(repr(o) for o in options) + "?"


def _language_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 639 code or BCP 47 tag the Hub accepts (None if it is)."""
    import langcodes

    if "_" in code:
        return f"use '-' between subtags (BCP 47): {code.replace('_', '-')!r}"
    primary = code.split("-", 1)[0]
    if langcodes.tag_is_valid(code) and primary == primary.lower() and primary.isalpha():
        return None
    suggestion: str | None = None
    if langcodes.tag_is_valid(code.lower()) and code.lower().split("-")[0].isalpha():
        suggestion = code.lower()
    else:
        try:
            suggestion = langcodes.find(code).to_tag()
        except (LookupError, ImportError, ValueError):
            suggestion = None
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    return f"{code!r} is not an ISO 639-1/2/3 language code or a BCP 47 tag{hint}"


def _category_of(value: str) -> list[str]:
    """The task category of the task id ``value`` looks like ('ner' -> token-classification)."""
    by_task: dict[str, list[str]] = hub_lists()["task_ids"]["by_task"]
    return [
        task
        for task, ids in by_task.items()
        if _closest(value, ids) and task in _allowed("task_categories")
    ][:1]


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


#: An ORG/NAME every rule of the Hub's accepts (each part word characters, dots and dashes,
#: starting and ending in a word character, at most 96): such an id is checked without
#: importing huggingface_hub, which the configuration check of every build would pay.
_PLAIN_REPO_ID = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?")


def repo_id_problem(repo_id: str) -> str | None:
    """What is wrong with ``repo_id`` as the Hub's ORG/NAME of a dataset, or None: the
    Hub's own rules (``huggingface_hub.utils.validate_repo_id``, imported only for an id
    out of the plain shape: the import takes a quarter of a second), and an org is
    needed. ``--repo``, ``--hub`` and ``publish.repo_id`` of dataset.yaml are checked
    with it.

    >>> repo_id_problem("my-org/news.v2") is None
    True
    >>> repo_id_problem("news")
    "it must be ORG/NAME (one '/', a name on each side)"
    """
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        return "it must be ORG/NAME (one '/', a name on each side)"
    if (
        all(_PLAIN_REPO_ID.fullmatch(part) for part in repo_id.split("/"))
        and "--" not in repo_id
        and ".." not in repo_id
        and not repo_id.endswith(".git")
    ):
        return None
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        # its message ends with the value, which the caller's names already
        reason = str(exc).split(f": '{repo_id}'")[0].strip().rstrip(".")
        return reason[:1].lower() + reason[1:]
    return None


def check_hub_metadata(
    meta: Mapping[str, Any], *, file: str, base: str = "", fields: Sequence[str] = HUB_FIELDS
) -> list[Issue]:
    """Every value of ``meta`` the Hub would reject or ignore, located as ``file`` + key path.

    ``base`` prefixes the JSON pointer (a card's metadata sits at the top, as
    does a configuration's). Missing keys are not errors, except the
    ``license_name`` and ``license_link`` that ``license: other`` needs.
    """
    issues: list[Issue] = []

    def add(pointer: str, message: str) -> None:
        issues.append(Issue(file=file, pointer=f"{base}{pointer}", rule=_RULE, message=message))

    for key in fields:
        if key not in meta or meta[key] is None:
            continue
        value = meta[key]
        if key == "license":
            allowed = _allowed("license")
            for i, lic in enumerate(_listed(value)):
                where = "/license" if not isinstance(value, list) else f"/license/{i}"
                if lic not in allowed:
                    add(
                        where,
                        f"license {lic!r} is not a Hub license identifier"
                        + _suggest(
                            [known]
                            if (known := _license_spelling(str(lic), allowed))
                            else _closest(str(lic), allowed)
                        )
                        + " (use 'other' with license_name and license_link for any other license,"
                        " or 'unknown')",
                    )
            if "other" in _listed(value):
                for extra in ("license_name", "license_link"):
                    if not str(meta.get(extra) or "").strip():
                        add(
                            f"/{extra}",
                            f"license: other needs {extra} (the Hub shows "
                            + (
                                "it as the license's name, e.g. my-license-1.0)"
                                if extra == "license_name"
                                else "a link to the terms: a URL, or LICENSE for a file in the repo)"
                            ),
                        )
        elif key == "language":
            for i, code in enumerate(_listed(value)):
                problem = _language_problem(str(code))
                if problem:
                    add(f"/language/{i}", problem)
        elif key == "source_datasets":
            for i, item in enumerate(_listed(value)):
                if not _SOURCE_DATASET.match(str(item)):
                    add(
                        f"/source_datasets/{i}",
                        f"{item!r} is not a source dataset the Hub understands: 'original', "
                        "'extended', 'extended|<dataset>' or a dataset name such as org/name",
                    )
        elif key in _LIST_FIELDS:
            allowed = _allowed(key)
            for i, item in enumerate(_listed(value)):
                if item not in allowed:
                    closest = _closest(str(item), allowed)
                    if key == "task_categories":
                        closest = _category_of(str(item)) or closest
                    listing = "" if len(allowed) > 12 else f" (allowed: {', '.join(allowed)})"
                    add(
                        f"/{key}/{i}",
                        f"{item!r} is not one of the Hub's {key}" + _suggest(closest) + listing,
                    )
    return issues
