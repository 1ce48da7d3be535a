"""The dataset card: ``dataset_card.md`` (Jinja2) rendered to the output's README.md.

The YAML header is built here as data, from the files actually written, and
dumped with ``yaml.safe_dump``; the template only places it. Every value that
comes from the data goes through :func:`md_escape` (table cells, headings), so a
headline such as ``| --- |`` or ``---`` cannot break the markdown or the YAML.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import datasets
import jinja2
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import BuildError

__all__ = [
    "CardError",
    "card_metadata",
    "md_escape",
    "render_card",
    "size_category",
    "sources_table",
    "template_path",
]


class CardError(BuildError):
    """The card template cannot be rendered (syntax error, missing value)."""


def template_path() -> Path:
    env = os.environ.get("BUILDER_CARD_TEMPLATE")
    if env:
        return Path(env)
    packaged = Path(__file__).resolve().parent / "templates" / "dataset_card.md"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[1] / "dataset_card.md"


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")


def md_escape(value: Any) -> str:
    """Escape a data value for a markdown table cell or inline text.

    Newlines are folded (one value, one line), so a value cannot start a block
    (heading, list, front-matter ``---``); inline markup, HTML and ``|`` are
    backslash-escaped, so it cannot end a table cell or inject a link.
    """
    if value is None:
        return "unknown"
    text = " ".join(str(value).split())
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(r"\\\1", text)


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n`` examples."""
    from .hub_metadata import size_category as bucket

    return bucket(n)


def card_metadata(
    *,
    config: Any,
    features: datasets.Features,
    splits: Mapping[str, Mapping[str, int]],
) -> dict[str, Any]:
    """The card's YAML metadata. ``splits``: name -> {num_examples, num_bytes, download_size}."""
    raw = config.raw
    total = sum(s["num_examples"] for s in splits.values())
    meta: dict[str, Any] = {
        "license": config.license,
        "language": list(config.language),
        "pretty_name": config.pretty_name,
        "task_categories": raw.get("task_categories", []),
        "task_ids": raw.get("task_ids", []),
        "size_categories": [size_category(total)],
        "annotations_creators": raw.get("annotations_creators", []),
        "language_creators": raw.get("language_creators", []),
        "source_datasets": raw.get("source_datasets", []),
        "multilinguality": raw.get("multilinguality")
        or ["monolingual" if len(config.language) == 1 else "multilingual"],
    }
    for key in ("license_name", "license_link"):
        if raw.get(key):
            meta[key] = raw[key]
    meta["configs"] = [
        {
            "config_name": "default",
            "data_files": [{"split": name, "path": f"data/{name}-*"} for name in splits],
        }
    ]
    info = datasets.DatasetInfo(features=features)._to_yaml_dict()
    meta["dataset_info"] = {
        "features": info["features"],
        "splits": [
            {"name": name, "num_bytes": s["num_bytes"], "num_examples": s["num_examples"]}
            for name, s in splits.items()
        ],
        "download_size": sum(s["download_size"] for s in splits.values()),
        "dataset_size": sum(s["num_bytes"] for s in splits.values()),
    }
    return meta


def _to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1000)


def render_card(context: Mapping[str, Any], *, template: Path | None = None) -> str:
    """Render the card. ``context['metadata']`` becomes the YAML header."""
    path = template or template_path()
    # Sandboxed: a template from another maintainer's corpus reads its context, nothing else.
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(path.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # markdown, not HTML: values are escaped with |md
    )
    env.filters["md"] = md_escape
    env.filters["to_yaml"] = _to_yaml
    env.filters["thousands"] = lambda n: f"{n:,}"
    try:
        text = env.get_template(path.name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise CardError(f"{path}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise CardError(f"{path}: {exc.message}") from None
    except SecurityError as exc:
        raise CardError(f"{path}: the template reaches outside its context: {exc}") from None
    # The header must parse back to exactly the metadata given.
    match = re.match(r"\A---\n(.*?\n)---\n", text, re.DOTALL)
    if match is None or yaml.safe_load(match.group(1)) != context["metadata"]:
        raise CardError(f"{path}: the rendered card does not start with the YAML metadata header")
    return text


def sources_table(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Group per-article source facts into one row per publisher."""
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = r["publisher"] or "(unknown publisher)"
        entry = table.setdefault(
            key, {"publisher": key, "articles": 0, "dates": set(), "rights": set(), "urls": []}
        )
        entry["articles"] += 1
        if r.get("published"):
            entry["dates"].add(r["published"])
        entry["rights"].add(r["rights"])
        if r.get("url") and len(entry["urls"]) < 3:
            entry["urls"].append(r["url"])
    for entry in table.values():
        entry["dates"] = ", ".join(sorted(entry["dates"])) or None
        entry["rights"] = "; ".join(sorted(entry["rights"]))
    return sorted(table.values(), key=lambda e: (-e["articles"], e["publisher"]))
