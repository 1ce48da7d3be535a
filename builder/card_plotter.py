"""The card's four plots: their data (:class:`PlotData`), drawn and written.

They were drawn with matplotlib in a process of their own, started while the
batches ran (about 1.7 CPU s a build: the import and the drawing, competing with
the batch workers on two cores). They are SVG written directly now
(:mod:`builder.card_plots`): about a millisecond each, drawn in the parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import card_plots

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np

__all__ = ["ASSETS_DIR", "PLOT_FILES", "PlotData", "draw_plots", "write_plots"]

ASSETS_DIR = "assets"
#: the card's name for each plot -> its file under :data:`ASSETS_DIR`
PLOT_FILES = {
    "publishers": "articles_per_publisher.svg",
    "dates": "articles_per_date.svg",
    "labels": "entity_labels_per_split.svg",
    "lengths": "text_length_words.svg",
}


@dataclass(frozen=True)
class PlotData:
    """What the four plots show: plain data."""

    publishers: list[tuple[str, int]]
    publishers_title: str
    dates: list[tuple[str, int]]
    dates_title: str
    entity_labels: list[str]
    label_series: dict[str, list[int]]
    lengths: dict[str, np.ndarray]


def draw_plots(data: PlotData) -> dict[str, bytes]:
    """The SVG bytes of each plot, by file name."""
    return {
        PLOT_FILES["publishers"]: card_plots.bar_chart(
            data.publishers, title=data.publishers_title, xlabel="articles"
        ),
        PLOT_FILES["dates"]: card_plots.bar_chart(
            data.dates, title=data.dates_title, xlabel="articles", horizontal=False
        ),
        PLOT_FILES["labels"]: card_plots.grouped_bar_chart(
            data.entity_labels, data.label_series, title="Entity spans per label", ylabel="spans"
        ),
        PLOT_FILES["lengths"]: card_plots.histogram_chart(
            data.lengths, title="Article length", xlabel="words per article"
        ),
    }


def write_plots(final: Path, figures: Mapping[str, bytes]) -> None:
    assets = final / ASSETS_DIR
    assets.mkdir(exist_ok=True)
    for name, svg in figures.items():
        (assets / name).write_bytes(svg)
