"""Server-side charts: inline SVG geometry computed in Python (no JavaScript, CSP-safe).

A chart is a list of series of (x, y) points scaled into a fixed viewBox; the template only
writes the numbers it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal

from alima.core.i18n import get_locale

WIDTH = 600
HEIGHT = 220
MARGIN_LEFT = 46
MARGIN_RIGHT = 46
MARGIN_TOP = 14
MARGIN_BOTTOM = 30


def _figure(value: float) -> str:
    """A value written on the chart, with the reader's decimal separator (6,5 / 6.5)."""
    return format_decimal(round(value, 2), locale=get_locale())


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
    width: int = WIDTH
    height: int = HEIGHT
    series: list[Series] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    guides: list[tuple[float, str, str]] = field(default_factory=list)  # y, class, label
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


def line_chart(
    title: str,
    xs: Sequence[float],
    x_labels: Sequence[str],
    lines: Sequence[
        tuple[str, str, Sequence[float | None], str, float, Sequence[tuple[float, str, str]]]
    ],
) -> Chart:
    """A chart of up to two lines sharing x.

    ``lines`` are (name, css class, values, axis "left"/"right", padding, guides); guides are
    horizontal reference lines (value, css class, label) drawn on that line's axis.
    """
    chart = Chart(title=title)
    if not xs:
        return chart
    x_low, x_high = min(xs), max(xs)
    if x_low == x_high:
        x_high = x_low + 1
    for x, label in zip(xs, x_labels, strict=True):
        chart.x_ticks.append(
            Tick(round(_scale(x, x_low, x_high, chart.left, chart.right), 1), label)
        )
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
                _figure(v),
            )
            for x, v in present
        ]
        ticks = [
            Tick(round(_scale(t, low, high, chart.bottom, chart.top), 1), _figure(t))
            for t in (low + pad, (low + high) / 2, high - pad)
        ]
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
    return chart
