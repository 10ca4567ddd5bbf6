"""Server-side charts: inline SVG geometry computed in Python (no JavaScript, CSP-safe).

A chart is a list of series of (x, y) points scaled into a fixed viewBox; the template only
writes the numbers it is given. The viewBox is about a phone's width (340 units), so that a
12-unit label is still 11 px or more when the chart fills a 360 px screen; on a wide screen the
stylesheet caps the chart's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from alima.web.templating import fmt_number

WIDTH = 340
HEIGHT = 250
MARGIN_LEFT = 36
MARGIN_RIGHT = 36
#: Room above the plot for the axis titles, below it for the dates and the x axis's title.
MARGIN_TOP = 30
MARGIN_BOTTOM = 46
#: Horizontal room a date label needs (12-unit text, "dd/mm"), so that labels never overlap.
X_LABEL_ROOM = 44
#: An axis spanning more than this shows whole numbers (MUAC in mm), else one decimal (kg).
WHOLE_NUMBERS_ABOVE = 10


@dataclass(frozen=True)
class Tick:
    """An axis tick: its position and label."""

    position: float
    label: str


@dataclass(frozen=True)
class Series:
    """One line of the chart, already scaled into the viewBox."""

    name: str
    css_class: str
    points: str
    dots: list[tuple[float, float, str]]
    ticks: list[Tick]
    axis: str  # "left" or "right"


@dataclass(frozen=True)
class Chart:
    """An SVG line chart with up to two y axes."""

    title: str
    x_title: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    series: list[Series] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    guides: list[tuple[float, str, str]] = field(default_factory=list)  # y, class, label
    left_title: str = ""
    right_title: str = ""
    left: int = MARGIN_LEFT
    right: int = WIDTH - MARGIN_RIGHT
    top: int = MARGIN_TOP
    bottom: int = HEIGHT - MARGIN_BOTTOM


def _scale(value: float, low: float, high: float, out_low: float, out_high: float) -> float:
    if high == low:
        return (out_low + out_high) / 2
    return out_low + (value - low) * (out_high - out_low) / (high - low)


def _nice_range(values: Sequence[float], pad: float) -> tuple[float, float]:
    low, high = min(values), max(values)
    return low - pad, high + pad


def spaced_ticks(ticks: list[Tick], room: float) -> list[Tick]:
    """The ticks kept so that labels stay ``room`` apart: the first, the last, and what fits."""
    kept: list[Tick] = []
    for index, tick in enumerate(ticks):
        if kept and tick.position - kept[-1].position < room:
            if index == len(ticks) - 1 and len(kept) > 1:
                kept[-1] = tick
            continue
        kept.append(tick)
    return kept


def line_chart(
    title: str,
    xs: Sequence[float],
    x_labels: Sequence[str],
    lines: Sequence[
        tuple[str, str, Sequence[float | None], str, float, Sequence[tuple[float, str, str]]]
    ],
    *,
    x_title: str = "",
) -> Chart:
    """A chart of up to two lines sharing x.

    ``lines`` are (name, css class, values, axis "left"/"right", padding, guides); guides are
    horizontal reference lines (value, css class, label) drawn on that line's axis. Each
    line's name titles its axis; ``x_title`` titles the x axis. Dates too close to the one
    before are left out of the axis (the points stay).
    """
    chart = Chart(title=title, x_title=x_title)
    if not xs:
        return chart
    x_low, x_high = min(xs), max(xs)
    if x_low == x_high:
        x_high = x_low + 1
    ticks = [
        Tick(round(_scale(x, x_low, x_high, chart.left, chart.right), 1), label)
        for x, label in sorted(zip(xs, x_labels, strict=True))
    ]
    chart.x_ticks.extend(spaced_ticks(ticks, X_LABEL_ROOM))
    titles: dict[str, str] = {}
    for name, css, values, axis, pad, guides in lines:
        present = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if not present:
            continue
        reference = [v for _, v in present] + [g for g, _, _ in guides]
        low, high = _nice_range(reference, pad)
        points = [
            (
                round(_scale(x, x_low, x_high, chart.left, chart.right), 1),
                round(_scale(v, low, high, chart.bottom, chart.top), 1),
                fmt_number(v),
            )
            for x, v in present
        ]
        digits = 0 if high - low > WHOLE_NUMBERS_ABOVE else 1
        ticks = [
            Tick(round(_scale(t, low, high, chart.bottom, chart.top), 1), fmt_number(t, digits))
            for t in (round(v, digits) for v in (low + pad, (low + high) / 2, high - pad))
        ]
        titles.setdefault(axis, name)
        chart.series.append(
            Series(
                name=name,
                css_class=css,
                points=" ".join(f"{x},{y}" for x, y, _ in points),
                dots=points,
                ticks=ticks,
                axis=axis,
            )
        )
        for value, guide_css, guide_label in guides:
            chart.guides.append(
                (
                    round(_scale(value, low, high, chart.bottom, chart.top), 1),
                    guide_css,
                    guide_label,
                )
            )
    return replace(chart, left_title=titles.get("left", ""), right_title=titles.get("right", ""))
