"""Epidemiological weeks across year ends (docs/clinical-rules.md §8.3, §13.1): must-show 1."""

from datetime import date, timedelta

import pytest

from alima.outbreaks.rules.epiweeks import CDC, ISO, SUNDAY, EpiCalendar, EpiWeek


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 12, 31), EpiWeek(2020, 53)),  # 2020 has 53 ISO weeks
        (date(2021, 1, 3), EpiWeek(2020, 53)),  # a Sunday of January still in 2020
        (date(2021, 1, 4), EpiWeek(2021, 1)),
        (date(2024, 12, 30), EpiWeek(2025, 1)),  # week 1 of 2025 starts on 30 December 2024
        (date(2024, 12, 29), EpiWeek(2024, 52)),
        (date(2026, 12, 31), EpiWeek(2026, 53)),
        (date(2027, 1, 3), EpiWeek(2026, 53)),
        (date(2027, 1, 4), EpiWeek(2027, 1)),
        (date(2015, 12, 31), EpiWeek(2015, 53)),
        (date(2019, 12, 30), EpiWeek(2020, 1)),
    ],
)
def test_iso_weeks_across_year_ends(day: date, expected: EpiWeek) -> None:
    assert ISO.week_of(day) == expected
    assert tuple(day.isocalendar())[:2] == tuple(expected)


def test_iso_equals_python_every_day_of_twelve_years() -> None:
    day = date(2015, 1, 1)
    while day < date(2027, 1, 10):
        iso = day.isocalendar()
        assert ISO.week_of(day) == EpiWeek(iso.year, iso.week), day
        day += timedelta(days=1)


@pytest.mark.parametrize(("year", "weeks"), [(2015, 53), (2019, 52), (2020, 53), (2026, 53)])
def test_53_week_years(year: int, weeks: int) -> None:
    assert ISO.weeks_in(year) == weeks
    assert ISO.start(EpiWeek(year, weeks)) + timedelta(weeks=1) == ISO.start(EpiWeek(year + 1, 1))
    if weeks == 52:
        with pytest.raises(ValueError, match="no week 53"):
            ISO.start(EpiWeek(year, 53))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # US CDC (MMWR) weeks start on Sunday; 2014 ends with week 53 (28 Dec - 3 Jan 2015).
        (date(2015, 1, 3), EpiWeek(2014, 53)),
        (date(2015, 1, 4), EpiWeek(2015, 1)),
        (date(2016, 1, 2), EpiWeek(2015, 52)),
        (date(2016, 1, 3), EpiWeek(2016, 1)),
        (date(2018, 12, 30), EpiWeek(2019, 1)),  # week 1 of 2019 starts in December
        (date(2018, 12, 29), EpiWeek(2018, 52)),
        (date(2020, 12, 31), EpiWeek(2020, 53)),
        (date(2021, 1, 2), EpiWeek(2020, 53)),
        (date(2021, 1, 3), EpiWeek(2021, 1)),
        (date(2024, 12, 29), EpiWeek(2025, 1)),
    ],
)
def test_cdc_weeks_across_year_ends(day: date, expected: EpiWeek) -> None:
    assert CDC.week_of(day) == expected
    assert CDC.start(expected).weekday() == SUNDAY


def test_week_one_starting_in_december_belongs_to_the_next_epi_year() -> None:
    # A country whose week 1 is the week of 1 January (Monday weeks): 2025's week 1 starts
    # on Monday 30 December 2024, 2026's on 29 December 2025, 2027's on 28 December 2026.
    calendar = EpiCalendar(min_days_in_january=1)
    assert calendar.week_one_start(2027) == date(2026, 12, 28)
    assert calendar.week_of(date(2026, 12, 28)) == EpiWeek(2027, 1)
    assert calendar.week_of(date(2026, 12, 27)) == EpiWeek(2026, 52)
    assert calendar.weeks_in(2026) == 52  # ISO gives 2026 53 weeks; this calendar 52
    assert calendar.week_of(date(2027, 1, 3)) == EpiWeek(2027, 1)
    # A 7-day rule: week 1 is the first week wholly in January.
    strict = EpiCalendar(min_days_in_january=7)
    assert strict.week_of(date(2026, 1, 4)) == EpiWeek(2025, 52)
    assert strict.week_of(date(2026, 1, 5)) == EpiWeek(2026, 1)


@pytest.mark.parametrize("calendar", [ISO, CDC, EpiCalendar(SUNDAY, 1), EpiCalendar(2, 7)])
def test_weeks_are_seven_days_and_consecutive(calendar: EpiCalendar) -> None:
    week = calendar.week_of(date(2014, 6, 1))
    for _ in range(700):
        nxt = calendar.shift(week, 1)
        assert calendar.start(nxt) - calendar.start(week) == timedelta(days=7)
        assert calendar.start(week).weekday() == calendar.first_weekday
        assert calendar.week_of(calendar.end(week)) == week
        assert nxt == (
            EpiWeek(week.year + 1, 1)
            if week.week == calendar.weeks_in(week.year)
            else EpiWeek(week.year, week.week + 1)
        )
        week = nxt
    assert calendar.shift(week, -700) == calendar.week_of(date(2014, 6, 1))


def test_same_week_of_a_shorter_year_is_its_last() -> None:
    assert ISO.same_week(EpiWeek(2020, 53), 2019) == EpiWeek(2019, 52)
    assert ISO.same_week(EpiWeek(2020, 10), 2018) == EpiWeek(2018, 10)


@pytest.mark.parametrize(("weekday", "days"), [(7, 4), (-1, 4), (0, 0), (0, 8)])
def test_a_bad_calendar_is_refused(weekday: int, days: int) -> None:
    with pytest.raises(ValueError, match=r"is 0|is 1"):
        EpiCalendar(weekday, days)


@pytest.mark.parametrize("calendar", [ISO, CDC], ids=["iso", "cdc"])
def test_a_week_is_over_the_day_after_its_last_day_every_day_of_two_years(
    calendar: EpiCalendar,
) -> None:
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        this = calendar.week_of(day)
        last = calendar.last_ended(day)
        assert calendar.ended(last, day)
        assert not calendar.ended(this, day)  # not even on its last day
        assert calendar.shift(last, 1) == this
        assert calendar.ended(this, calendar.end(this) + timedelta(days=1))
        day += timedelta(days=1)
