"""The card's pictures: SVG bar charts and a histogram, written as text, byte-identical
from one build to the next.

They were PNGs drawn with matplotlib, in a process of their own: importing
matplotlib and drawing four small charts cost about 1.7 CPU s per build, as much
as all the rest of the parent's serial work after the batches, and on two cores
it competed with the batch workers. Written directly, a chart is a few hundred
lines of SVG made in about a millisecond, in the parent, with no import beyond
the standard library and numpy (the histogram's bins). The charts keep what the
PNGs showed: the same data, titles, axis labels, integer ticks, the same colours
(matplotlib's default cycle), legends beside the plot.

Deterministic by construction: every coordinate is printed with one decimal, no
ids, dates or tool versions are written; same data, same bytes, so a rebuild
stays identical and its manifest's sha256 holds. Text stays text (a ``$`` in a
publisher's name is a dollar sign, ``<`` and ``&`` are escaped); the viewer's
font draws it, so label widths are estimated (:func:`_text_width`) only to
reserve margins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

import numpy as np

__all__ = [
    "COLORS",
    "bar_chart",
    "grouped_bar_chart",
    "histogram_chart",
    "integer_ticks",
]

DPI = 100
"""Pixels per inch of the charts' sizes (given in inches, as the PNGs' were)."""
FONT_SIZE = 12.0
TITLE_SIZE = 14.0
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
BAR_COLOR = "#4c72b0"
#: matplotlib's default colour cycle (tab10): the series' colours the PNGs had
COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_LABEL_MAX = 40
_PAD = 8.0
_TICK = 4.0


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _num(value: float) -> str:
    """A coordinate: one decimal, no ``-0.0`` (the same number, the same text)."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """About how wide ``text`` is drawn (DejaVu Sans averages 0.6 em a character):
    for margins only, never for a coordinate the text itself depends on."""
    return 0.6 * size * len(text)


def integer_ticks(top: float, most: int = 8) -> list[int]:
    """At most ``most`` + 1 evenly spaced integer ticks from 0 covering ``top``, on
    steps of 1, 2, 2.5 (times ten and up), 5 or 10 times a power of ten (as
    matplotlib's ``MaxNLocator(integer=True)`` picks them)."""
    top = max(float(top), 1.0)
    raw = top / most
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = power
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * power
        if candidate == int(candidate) and candidate >= raw:
            step = int(candidate)
            break
    count = math.ceil(top / step)
    return [i * int(step) for i in range(count + 1)]


def _tick_text(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


class _Svg:
    """An SVG document being written, element by element."""

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width = width
        self.height = height
        label = escape(title.replace("\n", " "), {'"': "&quot;"})
        self.parts = [
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{_num(width)}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" aria-label="{label}" '
            f'font-family="{FONT}" font-size="{_num(FONT_SIZE)}" shape-rendering="crispEdges">',
            f"<title>{escape(title)}</title>",
            f'<rect width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        ]

    def rect(self, x: float, y: float, w: float, h: float, color: str) -> None:
        self.parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
            f'fill="{color}"/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.parts.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
            'stroke="#000000" stroke-width="0.8"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "middle",
        size: float | None = None,
        rotate: float = 0.0,
        baseline: str = "central",
    ) -> None:
        extra = f' font-size="{_num(size)}"' if size is not None else ""
        if rotate:
            extra += f' transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"'
        self.parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" '
            f'dominant-baseline="{baseline}"{extra}>{escape(text)}</text>'
        )

    def title(self, title: str, top: float) -> None:
        for i, line in enumerate(title.split("\n")):
            self.text(self.width / 2, top + i * TITLE_SIZE * 1.3, line, size=TITLE_SIZE)

    def legend(self, x: float, y: float, names: Sequence[str]) -> None:
        for i, name in enumerate(names):
            row = y + i * FONT_SIZE * 1.6
            self.rect(x, row - 5, 22, 10, COLORS[i % len(COLORS)])
            self.text(x + 30, row, name, anchor="start")

    def bytes(self) -> bytes:
        return ("\n".join([*self.parts, "</svg>"]) + "\n").encode("utf-8")


def _title_height(title: str) -> float:
    return _PAD + TITLE_SIZE * 1.3 * (title.count("\n") + 1) + _PAD


def _value_axis(
    svg: _Svg, ticks: list[int], *, vertical: bool, start: float, end: float, at: float
) -> None:
    """The counts' axis: a line at ``at`` from ``start`` to ``end`` (the value 0 at
    ``start``) with its integer tick marks and labels."""
    scale = (end - start) / ticks[-1]
    if vertical:  # y axis on the left: values grow upwards
        svg.line(at, start, at, end)
        for tick in ticks:
            y = start + tick * scale
            svg.line(at - _TICK, y, at, y)
            svg.text(at - _TICK - 3, y, _tick_text(tick), anchor="end")
    else:  # x axis at the bottom: values grow rightwards
        svg.line(start, at, end, at)
        for tick in ticks:
            x = start + tick * scale
            svg.line(x, at, x, at + _TICK)
            svg.text(x, at + _TICK + FONT_SIZE * 0.9, _tick_text(tick))


def _category_labels(
    svg: _Svg, centres: Sequence[float], labels: Sequence[str], *, baseline: float, angle: float
) -> None:
    """Rotated category labels under the x axis, each ending below its bar."""
    for x, label in zip(centres, labels, strict=True):
        svg.line(x, baseline, x, baseline + _TICK)
        svg.text(x + 3, baseline + _TICK + 6, label, anchor="end", rotate=-angle)


def _rotated_height(labels: Sequence[str], angle: float) -> float:
    longest = max((_text_width(label) for label in labels), default=0.0)
    return longest * math.sin(math.radians(angle)) + FONT_SIZE + _TICK + 8


def bar_chart(
    counts: Sequence[tuple[str, int]],
    *,
    title: str,
    xlabel: str,
    horizontal: bool = True,
) -> bytes:
    """One bar per (label, count), in the order given (top to bottom when horizontal)."""
    labels = [_short(label) for label, _ in counts]
    values = [int(n) for _, n in counts]
    ticks = integer_ticks(max(values, default=0))
    top = _title_height(title)
    if horizontal:
        width, height = 7.0 * DPI, (1.2 + 0.28 * max(len(values), 1)) * DPI
        svg = _Svg(width, height, title)
        svg.title(title, _PAD + TITLE_SIZE / 2)
        left = _PAD + max((_text_width(label) for label in labels), default=0.0) + _TICK + 6
        right = width - _PAD - _text_width(_tick_text(ticks[-1])) / 2
        bottom = height - (_PAD + FONT_SIZE * 2.6 + _TICK)
        band = (bottom - top) / max(len(values), 1)
        scale = (right - left) / ticks[-1]
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            y = top + i * band
            svg.rect(left, y + 0.1 * band, value * scale, 0.8 * band, BAR_COLOR)
            svg.line(left - _TICK, y + band / 2, left, y + band / 2)
            svg.text(left - _TICK - 3, y + band / 2, label, anchor="end")
        svg.line(left, top, left, bottom)
        _value_axis(svg, ticks, vertical=False, start=left, end=right, at=bottom)
        svg.text((left + right) / 2, height - _PAD - FONT_SIZE / 2, xlabel)
        return svg.bytes()
    width, height = max(6.0, 0.25 * len(values) + 2.0) * DPI, 4.0 * DPI
    angle = 60.0
    under = _rotated_height(labels, angle)
    height = max(height, top + under + 160)
    svg = _Svg(width, height, title)
    svg.title(title, _PAD + TITLE_SIZE / 2)
    _columns(
        svg,
        labels,
        [(values, BAR_COLOR)],
        ticks=ticks,
        top=top,
        right=width - _PAD * 2,
        bottom=height - under - _PAD,
        angle=angle,
        ylabel=xlabel,
    )
    return svg.bytes()


def _columns(
    svg: _Svg,
    labels: Sequence[str],
    series: Sequence[tuple[Sequence[int], str]],
    *,
    ticks: list[int],
    top: float,
    right: float,
    bottom: float,
    angle: float,
    ylabel: str,
) -> None:
    """Vertical bars, one band per label and one bar per series in it (side by side),
    with the rotated labels under them and the value axis on the left."""
    left = _PAD + FONT_SIZE * 1.6 + _text_width(_tick_text(ticks[-1])) + _TICK + 6
    band = (right - left) / max(len(labels), 1)
    bar = 0.8 * band / max(len(series), 1)
    scale = (bottom - top) / ticks[-1]
    for s, (values, color) in enumerate(series):
        for i, value in enumerate(values):
            x = left + (i + 0.1) * band + s * bar
            svg.rect(x, bottom - int(value) * scale, bar, int(value) * scale, color)
    svg.line(left, bottom, right, bottom)
    _category_labels(
        svg,
        [left + (i + 0.5) * band for i in range(len(labels))],
        labels,
        baseline=bottom,
        angle=angle,
    )
    _value_axis(svg, ticks, vertical=True, start=bottom, end=top, at=left)
    svg.text(_PAD + FONT_SIZE / 2, (top + bottom) / 2, ylabel, rotate=-90)


def _legend_width(names: Sequence[str]) -> float:
    return 30 + max((_text_width(name) for name in names), default=0.0) + 2 * _PAD


def grouped_bar_chart(
    groups: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    ylabel: str,
) -> bytes:
    """Bars for each group (x), one per series (e.g. a split), side by side."""
    labels = [_short(g) for g in groups]
    names = list(series)
    ticks = integer_ticks(max((int(v) for vs in series.values() for v in vs), default=0))
    angle = 45.0
    top = _title_height(title)
    under = _rotated_height(labels, angle)
    width = max(6.0, 0.6 * len(groups) + 2.0) * DPI + (_legend_width(names) if names else 0)
    height = max(4.0 * DPI, top + under + 160)
    svg = _Svg(width, height, title)
    svg.title(title, _PAD + TITLE_SIZE / 2)
    right = width - (_legend_width(names) if names else _PAD * 2)
    _columns(
        svg,
        labels,
        [(series[name], COLORS[s % len(COLORS)]) for s, name in enumerate(names)],
        ticks=ticks,
        top=top,
        right=right,
        bottom=height - under - _PAD,
        angle=angle,
        ylabel=ylabel,
    )
    if names:
        svg.legend(right + _PAD * 2, top + FONT_SIZE, names)
    return svg.bytes()


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
    names = [name for name, v in values.items() if len(v)]
    counts = [np.histogram(values[name], bins=edges)[0] for name in names]
    stacked = np.cumsum(counts, axis=0) if counts else np.zeros((0, len(edges) - 1), dtype=int)
    ticks = integer_ticks(int(stacked[-1].max()) if len(stacked) else 0)
    x_ticks = _edge_ticks(float(edges[0]), float(edges[-1]))
    top = _title_height(title)
    width = 7.0 * DPI + (_legend_width(names) if names else 0)
    height = 3.5 * DPI
    svg = _Svg(width, height, title)
    svg.title(title, _PAD + TITLE_SIZE / 2)
    left = _PAD + FONT_SIZE * 1.6 + _text_width(_tick_text(ticks[-1])) + _TICK + 6
    right = width - (_legend_width(names) if names else _PAD * 2)
    bottom = height - (_PAD + FONT_SIZE * 2.6 + _TICK)
    low, high = float(edges[0]), float(edges[-1])
    span = (high - low) or 1.0
    x_scale = (right - left) / span
    y_scale = (bottom - top) / ticks[-1]
    for s in range(len(names)):
        color = COLORS[s % len(COLORS)]
        below = stacked[s - 1] if s else np.zeros(len(edges) - 1, dtype=stacked.dtype)
        for b, count in enumerate(counts[s]):
            if not count:
                continue
            x0 = left + (float(edges[b]) - low) * x_scale
            x1 = left + (float(edges[b + 1]) - low) * x_scale
            y1 = bottom - int(below[b]) * y_scale
            svg.rect(x0, y1 - int(count) * y_scale, x1 - x0, int(count) * y_scale, color)
    svg.line(left, bottom, right, bottom)
    for tick in x_ticks:
        x = left + (tick - low) * x_scale
        svg.line(x, bottom, x, bottom + _TICK)
        svg.text(x, bottom + _TICK + FONT_SIZE * 0.9, _tick_text(tick))
    _value_axis(svg, ticks, vertical=True, start=bottom, end=top, at=left)
    svg.text((left + right) / 2, height - _PAD - FONT_SIZE / 2, xlabel)
    svg.text(_PAD + FONT_SIZE / 2, (top + bottom) / 2, "articles", rotate=-90)
    if names:
        svg.legend(right + _PAD * 2, top + FONT_SIZE, names)
    return svg.bytes()


def _edge_ticks(low: float, high: float, most: int = 8) -> list[float]:
    """Round ticks (1, 2, 2.5 or 5 times a power of ten) inside [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]
