"""The card's pictures: PNG bar charts and a histogram, byte-identical from one build to the next.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, so no global
figure state and no interactive backend), inside a style reset to matplotlib's
defaults plus fixed settings: a font that ships with matplotlib, a fixed DPI,
no mathtext (a ``$`` in a publisher's name stays a dollar sign), and PNG
metadata without the ``Software`` entry. Same data, same bytes, so a rebuild
stays identical and its manifest's sha256 holds.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = [
    "bar_chart",
    "grouped_bar_chart",
    "histogram_chart",
]

DPI = 100
_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same glyphs everywhere
    "font.size": 9,
    "text.parse_math": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "news-dataset-builder",
}
_LABEL_MAX = 40


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.tight_layout()
    # No "Software" text chunk: it names the matplotlib version, which is not the data.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw(width: float, height: float, draw: Any) -> bytes:
    with matplotlib.style.context("default"), matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width, height))
        draw(figure.add_subplot())
        return _png(figure)


def bar_chart(
    counts: Sequence[tuple[str, int]],
    *,
    title: str,
    xlabel: str,
    horizontal: bool = True,
) -> bytes:
    """One bar per (label, count), in the order given (top to bottom when horizontal)."""
    labels = [_short(label) for label, _ in counts]
    values = [n for _, n in counts]

    def draw(ax: Any) -> None:
        positions = np.arange(len(values))
        if horizontal:
            ax.barh(positions, values, color="#4c72b0")
            ax.set_yticks(positions, labels)
            ax.invert_yaxis()
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(xlabel)
        else:
            ax.bar(positions, values, color="#4c72b0")
            ax.set_xticks(positions, labels, rotation=60, ha="right")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel(xlabel)
        ax.set_title(title)

    if horizontal:
        return _draw(7.0, 1.2 + 0.28 * max(len(values), 1), draw)
    return _draw(max(6.0, 0.25 * len(values) + 2.0), 4.0, draw)


def grouped_bar_chart(
    groups: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    ylabel: str,
) -> bytes:
    """Bars for each group (x), one per series (e.g. a split), side by side."""

    def draw(ax: Any) -> None:
        positions = np.arange(len(groups))
        width = 0.8 / max(len(series), 1)
        for i, (name, values) in enumerate(series.items()):
            ax.bar(positions + (i - (len(series) - 1) / 2) * width, values, width, label=name)
        ax.set_xticks(positions, [_short(g) for g in groups], rotation=45, ha="right")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if series:
            ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    return _draw(max(6.0, 0.6 * len(groups) + 2.0), 4.0, draw)


def histogram_chart(
    values: Mapping[str, np.ndarray],
    *,
    title: str,
    xlabel: str,
    bins: int = 30,
) -> bytes:
    """One stacked histogram of ``values`` per series, on shared bin edges."""
    everything = np.concatenate([v for v in values.values() if len(v)] or [np.zeros(0)])
    edges = np.histogram_bin_edges(everything, bins=bins) if len(everything) else np.arange(2)

    def draw(ax: Any) -> None:
        names = [name for name, v in values.items() if len(v)]
        if names:
            ax.hist([values[n] for n in names], bins=edges, stacked=True, label=names)
            ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("articles")
        ax.set_title(title)

    return _draw(7.0, 3.5, draw)
