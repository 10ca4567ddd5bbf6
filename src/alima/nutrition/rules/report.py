"""Monthly CMAM report arithmetic: month bounds, outcome rates and the Sphere standards.

Rates are outcomes divided by the exits that count as discharges (WFP Indicator Compendium
#14-17, docs/clinical-rules.md §4): cured + died + defaulted + non-responders, plus medical transfers
when the reporting standard counts them (UNCERTAIN, §4 and §10 item 5: a setting). Transfers
to another site continue treatment elsewhere and are never discharges.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from alima.core.errors import RuleViolation
from alima.nutrition.enums import Outcome
from alima.nutrition.errors import NutritionError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class SphereStandard:
    """A Sphere SAM treatment standard (JHPN 2019 Table 4; docs/clinical-rules.md §4.1, CONFIRMED)."""

    outcome: Outcome
    comparison: Literal["above", "below"]
    percent: float

    def met(self, rate_percent: float) -> bool:
        """Whether ``rate_percent`` meets the standard."""
        if self.comparison == "above":
            return rate_percent > self.percent
        return rate_percent < self.percent

    @property
    def text(self) -> str:
        """``> 75 %`` / ``< 10 %``."""
        sign = ">" if self.comparison == "above" else "<"
        return f"{sign} {self.percent:g} %"


SPHERE_STANDARDS: tuple[SphereStandard, ...] = (
    SphereStandard(Outcome.CURED, "above", 75.0),
    SphereStandard(Outcome.DIED, "below", 10.0),
    SphereStandard(Outcome.DEFAULTED, "below", 15.0),
)

#: Outcomes shown as rates, in report order (non-response has no Sphere standard).
RATE_OUTCOMES = (Outcome.CURED, Outcome.DIED, Outcome.DEFAULTED, Outcome.NON_RESPONDER)


@dataclass(frozen=True, slots=True)
class Rate:
    """One outcome's count and rate (``None`` when nobody was discharged)."""

    outcome: Outcome
    count: int
    percent: float | None
    standard: SphereStandard | None

    @property
    def meets_standard(self) -> bool | None:
        """Whether the rate meets its Sphere standard (``None`` without rate or standard)."""
        if self.percent is None or self.standard is None:
            return None
        return self.standard.met(self.percent)


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``.

    Raises:
        RuleViolation: NUT_029 when ``month`` is not a valid ``YYYY-MM``.
    """
    match = MONTH.match(month.strip())
    if match is None:
        raise RuleViolation(NutritionError.NUT_029)
    year, number = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= number <= 12):  # noqa: PLR2004 - calendar bounds
        raise RuleViolation(NutritionError.NUT_029)
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def reportable_month(month: str, today: date) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``, a month that can be reported on ``today``.

    The current month can (it is in progress); a later one cannot.

    Raises:
        RuleViolation: NUT_029 when ``month`` is not a valid ``YYYY-MM``, NUT_034 when it is
            after the current month.
    """
    start, end = month_bounds(month)
    if start > today:
        raise RuleViolation(NutritionError.NUT_034, current=f"{today:%Y-%m}")
    return start, end


def days_in_next_month(end: date) -> int:
    """Number of days of the month after the one ending on ``end``."""
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)  # noqa: PLR2004
    return calendar.monthrange(year, month)[1]


def discharges(exits: Mapping[str, int], *, include_medical_transfers: bool) -> int:
    """The rate denominator: exits that count as discharges."""
    counted = {Outcome.CURED, Outcome.DIED, Outcome.DEFAULTED, Outcome.NON_RESPONDER}
    if include_medical_transfers:
        counted.add(Outcome.MEDICAL_TRANSFER)
    return sum(exits.get(o.value, 0) for o in counted)


def outcome_rates(exits: Mapping[str, int], *, include_medical_transfers: bool) -> list[Rate]:
    """Cure, death, default and non-response rates with their Sphere standards."""
    denominator = discharges(exits, include_medical_transfers=include_medical_transfers)
    standards = {s.outcome: s for s in SPHERE_STANDARDS}
    rates = []
    for outcome in RATE_OUTCOMES:
        count = exits.get(outcome.value, 0)
        percent = round(100.0 * count / denominator, 1) if denominator else None
        rates.append(Rate(outcome, count, percent, standards.get(outcome)))
    return rates


def first_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    return next_month(month) - timedelta(days=1)


def last_complete_month(today: date) -> date:
    """The first day of the last month that ended before ``today``."""
    return first_of(first_of(today) - timedelta(days=1))
