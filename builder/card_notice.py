"""The card's redistribution notice: written by the build, rewritten by a release.

Shared by :mod:`builder.build_folder` (the notice of a build not yet published)
and :mod:`builder.publish.licensing` (the notice a release replaces it with), so
the build does not depend on the publish package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from .card import md_escape

__all__ = [
    "ACCEPT_FLAG",
    "NOTICE_END",
    "NOTICE_START",
    "build_notice",
    "publisher_names",
    "render_notice",
    "replace_notice",
]

ACCEPT_FLAG = "--accept-redistribution-risk"
NOTICE_START = "<!-- builder:redistribution:start -->"
NOTICE_END = "<!-- builder:redistribution:end -->"
_NOTICE = re.compile(re.escape(NOTICE_START) + r".*?" + re.escape(NOTICE_END), re.DOTALL)


def publisher_names(restricted: list[dict[str, Any]]) -> str:
    return ", ".join(str(r.get("publisher")) for r in restricted)


def build_notice(rights: Mapping[str, Any]) -> str:
    """The notice of a build not yet published."""
    restricted = list(rights.get("restricted_full_text") or [])
    if not restricted:
        return (
            "No published full text comes from a source whose redistribution terms are "
            "unknown or refused."
        )
    articles = sum(int(r.get("articles", 0)) for r in restricted)
    return (
        f"{articles} full text(s) from {len(restricted)} publisher(s) ({publisher_names(restricted)}) "
        "have redistribution terms that are unknown or refused. Not published yet: a public "
        f"Hub repository receives them only on the maintainer's explicit decision ({ACCEPT_FLAG})."
    )


def render_notice(text: str) -> Markup:
    """The notice with its markers, so a release can replace it: card text (its words
    escaped here), so the card's template places it as it is."""
    return Markup(f"{NOTICE_START}\n{md_escape(text)}\n{NOTICE_END}")


def replace_notice(card: str, text: str) -> str:
    """Put the release's notice in place of the build's (a card without one is kept)."""
    return _NOTICE.sub(lambda _m: render_notice(text), card, count=1)
