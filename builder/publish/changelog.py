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
    "load_line",
    "render_load_snippet",
    "render_versions",
    "replace_load_snippet",
    "replace_versions",
]

START = "<!-- builder:versions:start -->"
END = "<!-- builder:versions:end -->"
_SECTION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
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


def render_load_snippet(*, load_name: str, version: str) -> str:
    """The "Direct Use" code block, markers included."""
    body = ["```python", "from datasets import load_dataset", "", load_line(load_name, version)]
    return "\n".join([LOAD_START, *body, "```", LOAD_END])


def replace_load_snippet(card: str, snippet: str) -> str:
    """Put ``snippet`` in place of the card's load snippet (a card without one is kept as is)."""
    return _LOAD.sub(lambda _m: snippet, card, count=1)


def _escape(text: str) -> str:
    from ..card import md_escape

    return md_escape(text)


def render_versions(*, load_name: str, version: str, releases: Sequence[ReleaseEntry] = ()) -> str:
    """The section body, markers included.

    ``releases`` newest first; empty for a build that is not published yet
    (then ``version`` is the version it will be published as).
    """
    lines = [START, ""]
    if not releases:
        lines += [
            f"Not published yet: this card describes a local build of version {version}. "
            "Once published, this release is pinned with:",
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
        load_line(load_name, version),
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
                f'`revision="v{releases[-1].version}"`.',
                "",
            ]
    lines.append(END)
    return "\n".join(lines)


def replace_versions(card: str, section: str) -> str:
    """Put ``section`` in place of the card's Versions section (appended if it has none)."""
    if _SECTION.search(card):
        return _SECTION.sub(lambda _m: section, card, count=1)
    return card.rstrip("\n") + "\n\n## Versions\n\n" + section + "\n"
