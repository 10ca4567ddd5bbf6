"""Epidemiological weeks as (epi year, epi week), ISO by default (``docs/clinical-rules.md §8.3``).

A calendar says on which weekday a week starts (Monday for ISO 8601 and WHO, Sunday for the US
CDC) and how many days of January week 1 must hold (4 for both: the week of 4 January). With
fewer days week 1 may start as early as late December; its days in December then belong to
the next epi year. Years have 52 or 53 weeks, so a week is always stored with its epi year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

MONDAY = 0
SUNDAY = 6
DAYS = 7


class EpiWeek(NamedTuple):
    """An epidemiological week: its epi year (not always the calendar year) and number."""

    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class EpiCalendar:
    """How a country numbers its weeks (``docs/clinical-rules.md §13.1``)."""

    #: The weekday weeks start on (Monday = 0 ... Sunday = 6).
    first_weekday: int = MONDAY
    #: The days of January week 1 holds at least (4: the week of 4 January; 1: of 1 January).
    min_days_in_january: int = 4

    def __post_init__(self) -> None:
        if not MONDAY <= self.first_weekday <= SUNDAY:
            raise ValueError("first_weekday is 0 (Monday) to 6 (Sunday)")
        if not 1 <= self.min_days_in_january <= DAYS:
            raise ValueError("min_days_in_january is 1 to 7")

    def week_one_start(self, year: int) -> date:
        """The first day of week 1 of epi year ``year`` (between 26 December and 7 January)."""
        return _week_one_start(self.first_weekday, self.min_days_in_january, year)

    def week_of(self, day: date) -> EpiWeek:
        """The epi week ``day`` falls in."""
        for year in (day.year + 1, day.year, day.year - 1):
            first = self.week_one_start(year)
            if day >= first:
                return EpiWeek(year, (day - first).days // 7 + 1)
        raise AssertionError("unreachable: every day follows week 1 of the year before")

    def weeks_in(self, year: int) -> int:
        """52 or 53: the weeks of epi year ``year``."""
        return (self.week_one_start(year + 1) - self.week_one_start(year)).days // 7

    def start(self, week: EpiWeek) -> date:
        """The first day of ``week``; refuses a week the year does not have."""
        if not 1 <= week.week <= self.weeks_in(week.year):
            raise ValueError(f"epi year {week.year} has no week {week.week}")
        return self.week_one_start(week.year) + timedelta(weeks=week.week - 1)

    def end(self, week: EpiWeek) -> date:
        """The last day of ``week``."""
        return self.start(week) + timedelta(days=6)

    def ended(self, week: EpiWeek, today: date) -> bool:
        """Whether ``week`` is over on ``today``: its last day is past.

        Not on that day itself, whose cases are still to come.
        """
        return self.end(week) < today

    def last_ended(self, today: date) -> EpiWeek:
        """The latest week over on ``today``: the one before the week ``today`` falls in."""
        return self.shift(self.week_of(today), -1)

    def shift(self, week: EpiWeek, weeks: int) -> EpiWeek:
        """The week ``weeks`` weeks after (or before, if negative) ``week``."""
        return _shift(self, week, weeks)

    def same_week(self, week: EpiWeek, year: int) -> EpiWeek:
        """Week ``week.week`` of another epi year (week 53 becomes 52 in a 52-week year)."""
        return EpiWeek(year, min(week.week, self.weeks_in(year)))


@lru_cache(maxsize=4096)
def _week_one_start(first_weekday: int, min_days: int, year: int) -> date:
    jan1 = date(year, 1, 1)
    start = jan1 - timedelta(days=(jan1.weekday() - first_weekday) % 7)
    days_in_january = 7 - (jan1 - start).days
    return start if days_in_january >= min_days else start + timedelta(7)


@lru_cache(maxsize=65536)
def _shift(calendar: EpiCalendar, week: EpiWeek, weeks: int) -> EpiWeek:
    return calendar.week_of(calendar.start(week) + timedelta(weeks=weeks))


ISO = EpiCalendar()
CDC = EpiCalendar(first_weekday=SUNDAY)
