"""Turning nutrition DTOs into what a nurse reads: labels, band colours, ration arithmetic, charts.

Kept out of templates (they compute nothing) and out of services (formatting depends on the
reader's language, set per request).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from alima.core.i18n import get_locale, gettext, ngettext
from alima.nutrition.enums import (
    AdmissionCriterion,
    AlertKind,
    AwaitedKind,
    Band,
    LabelledEnum,
    Oedema,
    Outcome,
    Product,
    Severity,
    Unit,
)
from alima.nutrition.schemas import AwaitedRead, EpisodeRead, RationRead
from alima.web.charts import Chart, line_chart

#: CSS class of each band: the colours of the MUAC tape.
BAND_CLASS = {
    Band.SEVERE.value: "band-red",
    Band.MODERATE.value: "band-yellow",
    Band.MODERATE_LOW.value: "band-orange",
    Band.MODERATE_HIGH.value: "band-yellow",
    Band.NORMAL.value: "band-green",
}

OPERATORS = {
    "multiply": "×",
    "divide": "÷",
    "round": "→",
    "round_up": "→",
    "lookup": "→",
    "fixed": "=",
}


def label(enum: type[LabelledEnum], value: str | None) -> str:
    """The translated label of a stored enum value (the value itself if unknown)."""
    if value is None:
        return ""
    try:
        return gettext(enum(value).label)
    except ValueError:
        return value


def number(value: float, digits: int = 2) -> str:
    """A number in the reader's language, without trailing zeros."""
    return format_decimal(round(value, digits), locale=get_locale())


def quantity(value: float, unit: str) -> str:
    """``6,0 kg`` / ``170 kcal/kg/j``."""
    text = number(value)
    if unit == Unit.KG.value and float(value).is_integer():
        text = format_decimal(value, format="0.0", locale=get_locale())
    return f"{text} {label(Unit, unit)}"


def arithmetic(r: RationRead) -> list[str]:
    """Each step of the ration as a line: ``170 kcal/kg/day × 6.0 kg = 1020 kcal/day``."""
    lines = []
    for step in r.steps:
        operands = [quantity(v, u) for v, u in step.operands]
        result = quantity(*step.result)
        if step.operation in {"multiply", "divide"}:
            lines.append(f" {OPERATORS[step.operation]} ".join(operands) + f" = {result}")
        elif step.operation == "fixed":
            lines.append(result)
        else:
            lines.append(f"{' '.join(operands)} → {result}")
    return lines


@dataclass(frozen=True)
class RationView:
    """A ration as shown after a visit."""

    product: str
    per_day: str
    per_week: int
    for_period: int
    days: int
    lines: list[str]


def ration_view(r: RationRead | None) -> RationView | None:
    """The ration's display form."""
    if r is None:
        return None
    return RationView(
        product=label(Product, r.product),
        per_day=number(r.sachets_per_day),
        per_week=r.sachets_per_week,
        for_period=r.sachets_for_period,
        days=r.days,
        lines=arithmetic(r),
    )


def awaited_lines(awaited: list[AwaitedRead]) -> list[str]:
    """What the next visits must record for a step-down or a cure under way.

    "Two consecutive" counts visits at which the measurement was taken (docs/clinical-rules.md
    §3.4 rule 3), so a visit without MUAC leaves the same line on the card.
    """
    lines: list[str] = []
    for a in awaited:
        n = a.measurements
        if a.kind == AwaitedKind.STEP_DOWN.value:
            lines.append(
                ngettext(
                    "One more MUAC >= {mm} mm to step down the ration.",
                    "{num} more MUAC >= {mm} mm to step down the ration.",
                    n,
                    num=n,
                    mm=a.muac_min_mm,
                )
            )
            continue
        if a.muac_min_mm is not None and a.whz_min is not None:
            lines.append(
                ngettext(
                    "One more visit with MUAC >= {mm} mm, WHZ >= {whz} and no oedema for cure.",
                    "{num} more visits with MUAC >= {mm} mm, WHZ >= {whz} and no oedema for cure.",
                    n,
                    num=n,
                    mm=a.muac_min_mm,
                    whz=number(a.whz_min, 1),
                )
            )
        elif a.whz_min is not None:
            lines.append(
                ngettext(
                    "One more WHZ >= {whz} without oedema for cure.",
                    "{num} more WHZ >= {whz} without oedema for cure.",
                    n,
                    num=n,
                    whz=number(a.whz_min, 1),
                )
            )
        else:
            lines.append(
                ngettext(
                    "One more MUAC >= {mm} mm without oedema for cure.",
                    "{num} more MUAC >= {mm} mm without oedema for cure.",
                    n,
                    num=n,
                    mm=a.muac_min_mm,
                )
            )
    return lines


def alert_labels(kinds: list[str]) -> list[str]:
    """Translated alert names."""
    return [label(AlertKind, k) for k in kinds]


def criteria_labels(values: list[str]) -> list[str]:
    """Translated admission criteria."""
    return [label(AdmissionCriterion, v) for v in values]


def protocol_title(title: str) -> str:
    """A protocol's title in the reader's language (the file's own title if not translated)."""
    return gettext(title)


def outcome_label(value: str | None) -> str:
    """Translated outcome."""
    return label(Outcome, value)


def band_label(value: str) -> str:
    """Translated band."""
    return label(Band, value)


def severity_label(value: str) -> str:
    """Translated severity."""
    return label(Severity, value)


def oedema_label(value: str) -> str:
    """Translated oedema grade."""
    return label(Oedema, value)


def trajectory(e: EpisodeRead) -> Chart:
    """MUAC (left axis) and weight (right axis) over the days of the episode."""
    visits = e.visits
    xs = [float((v.visit_on - e.admitted_on).days) for v in visits]
    x_labels = [f"{v.visit_on:%d/%m}" for v in visits]
    return line_chart(
        gettext("MUAC and weight"),
        xs,
        x_labels,
        [
            (
                gettext("MUAC (mm)"),
                "line-muac",
                [float(v.muac_mm) if v.muac_mm is not None else None for v in visits],
                "left",
                4.0,
                [(115.0, "guide-red", "115 mm"), (125.0, "guide-green", "125 mm")],
            ),
            (
                gettext("Weight (kg)"),
                "line-weight",
                [v.weight_kg for v in visits],
                "right",
                0.3,
                [],
            ),
        ],
        x_title=gettext("Date"),
    )
