"""The card's "Versions" section: every release, its date, commit and what changed.

The build renders the section for an unpublished build (it knows no history);
publishing re-renders it, in a staged copy, from the release history it reads
from the target. The section sits between two HTML comments so it can be
replaced without touching the rest of the card.
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
    "render_versions",
    "replace_versions",
]

START = "<!-- builder:versions:start -->"
END = "<!-- builder:versions:end -->"
_SECTION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


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
