"""Time helpers: everything stored is timezone-aware UTC."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC (health centres in the Sahel run on UTC or UTC+1)."""
    return utcnow().date()


def age_in_months(birth_date: date, on: date) -> int:
    """A person's age in completed calendar months on ``on`` (0 before birth).

    The one age shown, filtered and returned everywhere (pages, lists, API, IMCI's age in
    months): a month is completed on the same day of a later month, or on that month's last
    day when it is shorter (born 31 January: 1 month on 29 February). 25 years to the day is
    300 months, never 299. Protocol thresholds in WHO Anthro's 30.4375-day months (z-scores,
    CMAM eligibility) are computed from the age in days by the growth and nutrition rules.
    """
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    last_day = calendar.monthrange(on.year, on.month)[1]
    if on.day < birth_date.day and on.day < last_day:
        months -= 1
    return max(months, 0)


def birth_date_for_age(months: int, on: date) -> date:
    """The birth date of someone ``months`` completed months old on ``on`` (an estimate).

    The inverse of ``age_in_months``: the same day ``months`` calendar months earlier, or that
    month's last day when it is shorter.
    """
    index = on.year * 12 + on.month - 1 - months
    year, month = divmod(index, 12)
    day = min(on.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)
