"""The card's release-dependent parts: the "Versions" section and the load snippet.

The Versions section lists every release, its date, commit and what changed.
The build renders both parts for an unpublished build (it knows no history,
and takes the target and version from the configuration); publishing
re-renders them, in a staged copy, for the target and version actually
published. Each part sits between two HTML comments so it can be replaced
without touching the rest of the card.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "END",
    "START",
    "ReleaseEntry",
    "load_code",
    "load_line",
    "render_load_snippet",
    "render_versions",
    "replace_load_snippet",
    "replace_versions",
    "unpublished_version",
]

START = "<!-- builder:versions:start -->"
END = "<!-- builder:versions:end -->"
_SECTION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
#: how the Versions section of an unpublished build names its version
_UNPUBLISHED = "Not published yet: this card describes a local build of version {}. "
_UNPUBLISHED_VERSION = re.compile(re.escape(_UNPUBLISHED).replace(r"\{\}", r"(\S+?)"))
LOAD_START = "<!-- builder:load:start -->"
LOAD_END = "<!-- builder:load:end -->"
_LOAD = re.compile(re.escape(LOAD_START) + r".*?" + re.escape(LOAD_END), re.DOTALL)


@dataclass(frozen=True)
class ReleaseEntry:
    """One release as the changelog shows it; ``commit`` is None for the release being made."""

    version: str
    date: str
    commit: str | None
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReleaseEntry:
        return cls(
            version=str(data["version"]),
            date=str(data.get("date") or ""),
            commit=data.get("commit"),
            summary=str(data.get("summary") or ""),
        )


def load_line(name: str, version: str) -> str:
    """The exact pinned call a consumer copies."""
    return f"ds = load_dataset({json.dumps(name)}, revision={json.dumps('v' + version)})"


def load_code(name: str, version: str, *, clone_url: str | None = None) -> list[str]:
    """The lines a consumer runs to load exactly this release.

    From the Hub, one pinned call. From a plain git repository, which
    ``load_dataset`` cannot address by revision, a clone at the tag first.

    Example:
        >>> load_code("org/news", "1.2.0")
        ['ds = load_dataset("org/news", revision="v1.2.0")']
        >>> load_code("org/news", "1.2.0", clone_url="https://git.example/news.git")[1]
        'ds = load_dataset("news")'
    """
    if clone_url is None:
        return [load_line(name, version)]
    folder = name.rsplit("/", 1)[-1]
    return [
        f"# git clone --branch v{version} {clone_url} {folder}   (git-lfs installed)",
        f"ds = load_dataset({json.dumps(folder)})",
    ]


def render_load_snippet(*, load_name: str, version: str, clone_url: str | None = None) -> str:
    """The "Direct Use" code block, markers included."""
    code = load_code(load_name, version, clone_url=clone_url)
    body = ["```python", "from datasets import load_dataset", "", *code]
    return "\n".join([LOAD_START, *body, "```", LOAD_END])


def replace_load_snippet(card: str, snippet: str) -> str:
    """Put ``snippet`` in place of the card's load snippet (a card without one is kept as is)."""
    return _LOAD.sub(lambda _m: snippet, card, count=1)


def _escape(text: str) -> str:
    from .card import md_escape  # not at import: publishing imports this without jinja2's cost

    return md_escape(text)


def unpublished_version(card: str) -> str | None:
    """The version the Versions section of an unpublished build's card states (None: the
    card holds no such section, e.g. a published release's)."""
    found = _UNPUBLISHED_VERSION.search(card)
    return found.group(1) if found is not None else None


def render_versions(
    *,
    load_name: str,
    version: str,
    releases: Sequence[ReleaseEntry] = (),
    clone_url: str | None = None,
) -> str:
    """The section body, markers included.

    ``releases`` newest first; empty for a build that is not published yet
    (then ``version`` is the version it will be published as). ``clone_url``:
    the release lives in a plain git repository (see :func:`load_code`).
    """
    lines = [START, ""]
    if not releases:
        lines += [
            _UNPUBLISHED.format(version) + "Once published, this release is pinned with:",
        ]
    else:
        lines += [
            "Every release is an immutable tag: pin one to get exactly its bytes, forever.",
        ]
    lines += [
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        *load_code(load_name, version, clone_url=clone_url),
        "```",
        "",
    ]
    if releases:
        lines += ["| Version | Date | Commit | What changed |", "|---|---|---|---|"]
        for r in releases:
            commit = f"`{r.commit[:12]}`" if r.commit else "this release"
            lines.append(
                f"| v{r.version} | {r.date or 'unknown'} | {commit} | {_escape(r.summary)} |"
            )
        lines.append("")
        if len(releases) > 1:
            lines += [
                "An older release loads the same way with its own tag, e.g. "
                + (
                    f"`--branch v{releases[-1].version}`."
                    if clone_url
                    else f'`revision="v{releases[-1].version}"`.'
                ),
                "",
            ]
    lines.append(END)
    return "\n".join(lines)


def replace_versions(card: str, section: str) -> str:
    """Put ``section`` in place of the card's Versions section (appended if it has none)."""
    if _SECTION.search(card):
        return _SECTION.sub(lambda _m: section, card, count=1)
    return card.rstrip("\n") + "\n\n## Versions\n\n" + section + "\n"
