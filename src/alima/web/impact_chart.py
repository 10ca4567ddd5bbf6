"""The monthly activity chart of the impact page: geometry computed here, drawn as inline SVG.

Small multiples (one row of twelve bars per indicator, each on its own scale) because the
indicators differ by orders of magnitude: 10 surgeries and 10,000 mothers trained a month
cannot share an axis. No script and no style attribute: the CSP forbids both, so the template
writes presentation attributes only.
"""

from __future__ import annotations

from babel.dates import format_date

from alima.core.i18n import get_locale
from alima.indicators.schemas import ImpactRead
from alima.web.contexts_treat import Bar, Chart, ChartRow

WIDTH = 640.0
ROW_HEIGHT = 74.0
LABEL_HEIGHT = 18.0
BAR_AREA = 48.0
AXIS = 20.0
BAR_SHARE = 0.7


def month_names(impact: ImpactRead) -> list[str]:
    """Abbreviated month names in the reader's language."""
    return [format_date(m, "MMM", locale=get_locale()) for m in impact.months]


def build_chart(impact: ImpactRead) -> Chart:
    """Bars of every additive indicator, one row each, scaled to that row's maximum."""
    slot = WIDTH / max(1, len(impact.months))
    rows: list[ChartRow] = []
    for index, figure in enumerate(a for a in impact.activity if a.additive):
        top = index * ROW_HEIGHT
        base = top + LABEL_HEIGHT + BAR_AREA
        maximum = max(figure.monthly, default=0)
        bars = []
        for position, (month, value) in enumerate(zip(impact.months, figure.monthly, strict=True)):
            height = round(BAR_AREA * value / maximum, 2) if maximum else 0.0
            bars.append(
                Bar(
                    x=round(position * slot + slot * (1 - BAR_SHARE) / 2, 2),
                    y=round(base - height, 2),
                    width=round(slot * BAR_SHARE, 2),
                    height=height,
                    value=value,
                    month=month,
                )
            )
        rows.append(
            ChartRow(
                code=figure.code,
                label=figure.label,
                label_y=top + LABEL_HEIGHT - 5,
                maximum=maximum,
                bars=bars,
            )
        )
    baseline = len(rows) * ROW_HEIGHT
    labels = [
        (round(position * slot + slot / 2, 2), name)
        for position, name in enumerate(month_names(impact))
    ]
    return Chart(
        width=WIDTH,
        height=baseline + AXIS,
        rows=rows,
        month_labels=labels,
        baseline=baseline + AXIS - 5,
    )
