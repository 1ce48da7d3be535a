"""The card's four plots, drawn in a process of their own while the build goes on.

matplotlib costs about 0.6 CPU s to import and as much to draw the plots; in the
build's parent both were serial work after every batch. A :class:`Plotter`
started while the batches run imports matplotlib then; when the data is written
the parent sends it the plots' data (:class:`PlotData`, small) and renders the
card, ``croissant.json`` and the report meanwhile; the PNGs are written before the
manifest, which hashes them. The same code draws them (:func:`draw_plots`), so the
bytes are those an inline drawing gives (``tests/test_card_reader.py``).

This module imports only the standard library and numpy: the plotter process
imports it before matplotlib.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .processes import spawn_pool

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np

__all__ = ["ASSETS_DIR", "PlotData", "Plotter", "draw_plots", "write_plots"]

ASSETS_DIR = "assets"


@dataclass(frozen=True)
class PlotData:
    """What the four plots show: plain data, cheap to send to another process."""

    publishers: list[tuple[str, int]]
    publishers_title: str
    dates: list[tuple[str, int]]
    dates_title: str
    entity_labels: list[str]
    label_series: dict[str, list[int]]
    lengths: dict[str, np.ndarray]


def draw_plots(data: PlotData) -> dict[str, bytes]:
    """The PNG bytes of each plot, by file name (matplotlib imported here, when needed)."""
    from . import card_plots

    return {
        "articles_per_publisher.png": card_plots.bar_chart(
            data.publishers, title=data.publishers_title, xlabel="articles"
        ),
        "articles_per_date.png": card_plots.bar_chart(
            data.dates, title=data.dates_title, xlabel="articles", horizontal=False
        ),
        "entity_labels_per_split.png": card_plots.grouped_bar_chart(
            data.entity_labels, data.label_series, title="Entity spans per label", ylabel="spans"
        ),
        "text_length_words.png": card_plots.histogram_chart(
            data.lengths, title="Article length", xlabel="words per article"
        ),
    }


def write_plots(final: Path, figures: Mapping[str, bytes]) -> None:
    assets = final / ASSETS_DIR
    assets.mkdir(exist_ok=True)
    for name, png in figures.items():
        (assets / name).write_bytes(png)


def _warm_up() -> None:
    from . import card_plots  # noqa: F401 - the import is the warm-up


def _draw_here(data: PlotData) -> tuple[dict[str, bytes], float]:
    """In the plotter process: the plots, and that process's CPU seconds so far (its
    start, the matplotlib import and the drawing: what the plots cost)."""
    return draw_plots(data), time.process_time()


class Plotter:
    """Draws the plots in a spawned process once :meth:`start` was called, inline otherwise.

    Use as a context manager: on exit the process is stopped (on an exception
    without waiting for a drawing nobody will write).
    """

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None
        self._pending: Future[tuple[dict[str, bytes], float]] | None = None
        self._data: PlotData | None = None
        #: CPU seconds of the plotter process, once its plots are back (None: drawn inline)
        self.cpu_seconds: float | None = None

    def start(self) -> None:
        """Start the process (it imports matplotlib while the parent works on)."""
        if self._executor is None:
            self._executor = spawn_pool(1, _warm_up)

    def submit(self, data: PlotData) -> None:
        self._data = data
        if self._executor is not None:
            try:
                self._pending = self._executor.submit(_draw_here, data)
            except BrokenProcessPool:  # e.g. a script without a __main__ guard
                self._pending = None

    def result(self) -> dict[str, bytes]:
        """The plots: from the plotter process, or drawn here when it has none or it
        broke (the same bytes either way)."""
        if self._pending is not None:
            try:
                figures, self.cpu_seconds = self._pending.result()
                return figures
            except BrokenProcessPool:
                pass
        assert self._data is not None, "no plots submitted"
        return draw_plots(self._data)

    def close(self, *, cancel: bool = False) -> None:
        """Stop the process: on ``cancel`` at once, waiting for it; else it exits while
        the caller goes on (the interpreter's exit waits for it)."""
        if self._executor is not None:
            self._executor.shutdown(wait=cancel, cancel_futures=cancel)
            self._executor = None

    def __enter__(self) -> Plotter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        self.close(cancel=kind is not None)
