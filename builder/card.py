"""The dataset card: ``dataset_card.md`` (Jinja2) rendered to the output's README.md.

The YAML header is built here as data, from the files actually written, and
dumped with ``yaml.safe_dump``; the template only places it. Every value that
comes from the data goes through :func:`md_escape` (table cells, headings), so a
headline such as ``| --- |`` or ``---`` cannot break the markdown or the YAML.
"""

from __future__ import annotations

import dataclasses
import numbers
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any

import jinja2
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .errors import BuildError
from .feature_types import FeatureDict, yaml_features

__all__ = [
    "BIDI_CONTROLS",
    "CardError",
    "card_metadata",
    "card_template",
    "md_code",
    "md_escape",
    "md_fence",
    "md_link",
    "md_text",
    "plain_data",
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


# ``_`` only where it could open or close emphasis (inside a word it cannot: snake_case
# stays readable)
_MD_INLINE = re.compile(r"([\\`*\[\]<>|~&$]|(?<![^\W_])_|_(?![^\W_]))")
# what makes a line a heading, list item, quote, break or setext underline
_MD_LINE_START = re.compile(r"^(?:[#>+=*-](?=[\s#>+=*-]|$)|\d{1,9}(?=[.)](?:\s|$)))")


# Bidirectional embeddings, overrides and isolates: invisible, they reorder how the rest
# of a line is shown (a publisher's name could turn a table row around, CVE-2021-42574)
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _bidi_shown(text: str) -> str:
    """``text`` with each bidirectional control shown as its code point, ``(U+202E)``."""
    return BIDI_CONTROLS.sub(lambda m: f"(U+{ord(m[0]):04X})", text)


def md_escape(value: Any) -> str:
    """Escape a data value for a markdown table cell or inline text.

    Newlines are folded (one value, one line), so a value cannot start a block
    (heading, list, front-matter ``---``); inline markup, HTML and ``|`` are
    backslash-escaped, so it cannot end a table cell or inject a link; a
    bidirectional control is shown as its code point, so it cannot reorder the line.
    """
    if value is None:
        return "unknown"
    text = _bidi_shown(" ".join(str(value).split()))
    text = _MD_INLINE.sub(r"\\\1", text)
    # a leading marker gets a backslash; an ordered-list number, on its ``.`` or ``)``
    return _MD_LINE_START.sub(
        lambda m: m[0] + "\\" if m[0].isdigit() else "\\" + m[0], text, count=1
    )


def _trusted(text: str) -> Markup:
    """Text this module escaped or wrote itself: placed in the card as it is."""
    return Markup(text)


def md_text(value: Any) -> Markup:
    """:func:`md_escape` as a filter: its result is not escaped a second time."""
    if isinstance(value, Markup):
        return value
    return _trusted(md_escape(value))


_CODE_SAFE = re.compile(r"[^`|<>&\\\s]+(?: [^`|<>&\\\s]+)*")


def md_code(value: Any) -> Markup:
    """An inline code span for a value, or escaped text when a code span could not
    show it literally (backticks, ``|`` in a table, ``<``, white space at the ends)."""
    text = " ".join(str(value).split())
    if _CODE_SAFE.fullmatch(text) and not BIDI_CONTROLS.search(text):
        return _trusted(f"`{text}`")
    return md_text(value)


_LINKABLE = re.compile(r"https?://[^\s<>|\\`\"']+", re.IGNORECASE)


def md_link(value: Any) -> Markup:
    """An autolink ``<url>`` for an http(s) URL that cannot leave its brackets or its
    table cell; any other value is shown as escaped text, not as a link."""
    text = str(value)
    if _LINKABLE.fullmatch(text) and not BIDI_CONTROLS.search(text):
        return _trusted(f"<{text}>")
    return md_text(value)


def md_fence(value: Any, info: str = "") -> Markup:
    """A fenced code block holding ``value`` verbatim: the fence is longer than any
    run of backticks in it, so the value cannot close it."""
    text = "" if value is None else str(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text.rstrip("\n")
    return _trusted(f"{fence}{info}\n{body}\n{fence}" if body else f"{fence}{info}\n{fence}")


@jinja2.pass_environment
def _join(environment: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    """Jinja's ``join``, keeping card text (``map("md") | join``) from being escaped twice:
    when an item is already card text, the others are escaped and the result is too."""
    from jinja2.filters import make_attrgetter

    if attribute is not None:
        value = map(make_attrgetter(environment, attribute), value)
    items = list(value)
    if any(isinstance(i, Markup) for i in items):
        return _trusted(str(d).join(str(md_text(i)) for i in items))
    return str(d).join(map(str, items))


def _replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    """Jinja's ``replace``; card text stays card text (the template wrote ``new``)."""
    text = str(value).replace(str(old), str(new), -1 if count is None else count)
    return _trusted(text) if isinstance(value, Markup) else text


def md_finalize(value: Any) -> Any:
    """Applied to every ``{{ value }}`` of the template: a value from the data is shown
    literally (markdown-escaped) unless a filter already made it card text."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool) or value is None:
        return md_escape(value)
    if isinstance(value, (int, float)):
        return str(value)
    return md_escape(value)


def plain_data(value: Any) -> Any:
    """The template context as plain data: dicts, lists, strings, numbers.

    Nothing with a method that reaches the file system (a ``Path``, the
    configuration object) gets into a template: a path becomes its string, a
    dataclass its fields, anything else unknown its ``str``.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value  # Markup is a str: kept, it is card text made here
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [plain_data(v) for v in sorted(value, key=str)]
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n`` examples."""
    from .hub_metadata import size_category as bucket

    return bucket(n)


def card_metadata(
    *,
    config: Any,
    features: Mapping[str, FeatureDict],
    splits: Mapping[str, Mapping[str, int]],
) -> dict[str, Any]:
    """The card's YAML metadata (``features``: in ``datasets.Features.to_dict()`` form). ``splits``: name -> {num_examples, num_bytes, download_size}."""
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
    meta["dataset_info"] = {
        "features": yaml_features(features),
        "splits": [
            {"name": name, "num_bytes": s["num_bytes"], "num_examples": s["num_examples"]}
            for name, s in splits.items()
        ],
        "download_size": sum(s["download_size"] for s in splits.values()),
        "dataset_size": sum(s["num_bytes"] for s in splits.values()),
    }
    return meta


#: a ``<`` that could open an HTML tag or comment, or an ``&`` that could start an entity
_HTML_LIKE = re.compile(r"<[A-Za-z/!?]|&[#A-Za-z]")
_YAML_ESCAPES = {'"': '"', "\\": "\\", "<": "x3C", ">": "x3E", "&": "x26"}


class _CardDumper(yaml.SafeDumper):
    """``safe_dump`` whose strings never hold raw HTML: a value with a tag-like ``<``
    is double-quoted with ``<``, ``>`` and ``&`` as ``\\x`` escapes, which every YAML
    parser reads back to the same string."""

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        self.write_indicator('"', True)
        out = []
        for ch in text:
            if ch in _YAML_ESCAPES:
                out.append("\\" + _YAML_ESCAPES[ch])
            elif ch in self.ESCAPE_REPLACEMENTS:
                out.append("\\" + self.ESCAPE_REPLACEMENTS[ch])
            elif "\x20" <= ch <= "\x7e" or (
                ch not in "\x85\u2028\u2029\ufeff"
                and ("\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd" or ch > "\uffff")
            ):
                out.append(ch)
            elif ch <= "\xff":
                out.append(f"\\x{ord(ch):02X}")
            elif ch <= "\uffff":
                out.append(f"\\u{ord(ch):04X}")
            else:
                out.append(f"\\U{ord(ch):08X}")
        data = "".join(out)
        self.column += len(data)
        self.stream.write(data)
        self.write_indicator('"', False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _HTML_LIKE.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_CardDumper.add_representer(str, _represent_str)
_CardDumper.add_representer(Markup, _represent_str)


def _to_yaml(value: Any) -> Markup:
    text = yaml.dump(value, Dumper=_CardDumper, sort_keys=False, allow_unicode=True, width=1000)
    return _trusted(text)


def card_template(template: Path | None = None) -> jinja2.Template:
    """The card template, compiled (about 0.15 CPU s: a build compiles it while its
    batches run, then renders it with :func:`render_card`). Raises :class:`CardError`."""
    path = template or template_path()
    # Sandboxed, and given plain data only: a template from another maintainer's corpus
    # reads its context, nothing else (no object in it has a method that opens a file).
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(path.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # markdown, not HTML: md_finalize escapes every value
        finalize=md_finalize,
    )
    env.filters["md"] = md_text
    env.filters["code"] = md_code
    env.filters["link"] = md_link
    env.filters["fence"] = md_fence
    env.filters["to_yaml"] = _to_yaml
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["join"] = _join
    env.filters["replace"] = _replace
    try:
        return env.get_template(path.name)
    except jinja2.TemplateSyntaxError as exc:
        raise CardError(f"{path}:{exc.lineno}: template syntax error: {exc.message}") from None


def render_card(
    context: Mapping[str, Any],
    *,
    template: Path | None = None,
    compiled: jinja2.Template | None = None,
) -> str:
    """Render the card. ``context['metadata']`` becomes the YAML header. ``compiled``:
    the template from :func:`card_template` (of ``template``), else compiled here."""
    path = template or template_path()
    if compiled is None:
        compiled = card_template(path)
    context = plain_data(context)
    try:
        text = compiled.render(**context)
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
