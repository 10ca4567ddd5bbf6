"""Follow-up windows and SAE reporting delays (issue 15), as tables.

Sources: the OPTIMA-ML schedule (months 1, 3, 6 after inclusion: days 30, 91, 182, window
7 days before and 14 after) is set-up data; the reporting delay follows ICH E6(R2) 4.11.1
("all SAEs should be reported immediately to the sponsor"), read as the usual 24 hours: one
day after the site became aware.
"""

from __future__ import annotations

from datetime import date

import pytest

from alima.research.enums import EventStatus, ReportStatus
from alima.research.rules import Window, dates_of, event_status, report_due, report_status

INCLUDED = date(2026, 1, 10)
MONTH_1 = Window("M1", 30, 7, 14)  # target 9 Feb, window 2 Feb - 23 Feb
M1 = dates_of(MONTH_1, INCLUDED)


def test_the_window_is_counted_from_inclusion() -> None:
    assert M1.target == date(2026, 2, 9)
    assert (M1.opens, M1.closes) == (date(2026, 2, 2), date(2026, 2, 23))
    assert dates_of(Window("M6", 182, 0, 0), INCLUDED).opens == date(2026, 7, 11)


@pytest.mark.parametrize(
    ("today", "routine", "study", "withdrawn", "expected", "filled"),
    [
        # nothing recorded: upcoming, due on its first day and its last, missed the day after
        (date(2026, 2, 1), [], [], None, EventStatus.UPCOMING, None),
        (date(2026, 2, 2), [], [], None, EventStatus.DUE, None),
        (date(2026, 2, 23), [], [], None, EventStatus.DUE, None),
        (date(2026, 2, 24), [], [], None, EventStatus.MISSED, None),
        # routine visits: inside the window (ends included) fill it; outside do not
        (date(2026, 3, 30), [date(2026, 2, 2)], [], None, EventStatus.ROUTINE, date(2026, 2, 2)),
        (date(2026, 3, 30), [date(2026, 2, 23)], [], None, EventStatus.ROUTINE, date(2026, 2, 23)),
        (date(2026, 3, 30), [date(2026, 2, 1)], [], None, EventStatus.MISSED, None),
        (date(2026, 3, 30), [date(2026, 2, 24)], [], None, EventStatus.MISSED, None),
        # the routine visit nearest the target is the one kept (the earlier on a tie)
        (
            date(2026, 3, 30),
            [date(2026, 2, 3), date(2026, 2, 8), date(2026, 2, 10), date(2026, 2, 16)],
            [],
            None,
            EventStatus.ROUTINE,
            date(2026, 2, 8),
        ),
        # a study visit fills it when routine care has nothing; routine care comes first
        (date(2026, 3, 30), [], [date(2026, 2, 20)], None, EventStatus.STUDY_VISIT, None),
        (
            date(2026, 3, 30),
            [date(2026, 2, 5)],
            [date(2026, 2, 20)],
            None,
            EventStatus.ROUTINE,
            date(2026, 2, 5),
        ),
        (date(2026, 3, 30), [], [date(2026, 3, 1)], None, EventStatus.MISSED, None),
        # a record dated after "today" does not count yet
        (date(2026, 2, 5), [date(2026, 2, 9)], [], None, EventStatus.DUE, None),
        # withdrawal: nothing due after it, data after it never fills, data before it still does
        (date(2026, 2, 10), [], [], date(2026, 1, 20), EventStatus.WITHDRAWN, None),
        (date(2026, 3, 30), [], [], date(2026, 2, 23), EventStatus.WITHDRAWN, None),
        (date(2026, 3, 30), [], [], date(2026, 2, 24), EventStatus.MISSED, None),
        (date(2026, 3, 30), [date(2026, 2, 9)], [], date(2026, 2, 8), EventStatus.WITHDRAWN, None),
        (
            date(2026, 3, 30),
            [date(2026, 2, 9)],
            [],
            date(2026, 2, 9),
            EventStatus.ROUTINE,
            date(2026, 2, 9),
        ),
    ],
)
def test_event_status(  # noqa: PLR0917 - one parameter per column of the table
    today: date,
    routine: list[date],
    study: list[date],
    withdrawn: date | None,
    expected: EventStatus,
    filled: date | None,
) -> None:
    status = event_status(
        M1, today=today, routine=routine, study_visits=study, withdrawn_on=withdrawn
    )
    assert status.status is expected
    if filled is not None:
        assert status.filled_on == filled


@pytest.mark.parametrize(
    ("aware", "delay", "today", "reported", "expected"),
    [
        # 24 hours, counted in days: aware on the 10th, due by the end of the 11th
        (date(2026, 3, 10), 1, date(2026, 3, 10), None, ReportStatus.TO_REPORT),
        (date(2026, 3, 10), 1, date(2026, 3, 11), None, ReportStatus.TO_REPORT),
        (date(2026, 3, 10), 1, date(2026, 3, 12), None, ReportStatus.OVERDUE),
        (date(2026, 3, 10), 1, date(2026, 3, 20), date(2026, 3, 10), ReportStatus.ON_TIME),
        (date(2026, 3, 10), 1, date(2026, 3, 20), date(2026, 3, 11), ReportStatus.ON_TIME),
        (date(2026, 3, 10), 1, date(2026, 3, 20), date(2026, 3, 12), ReportStatus.LATE),
        # a study that allows 7 days (non-fatal events, by protocol)
        (date(2026, 3, 10), 7, date(2026, 3, 17), None, ReportStatus.TO_REPORT),
        (date(2026, 3, 10), 7, date(2026, 3, 18), None, ReportStatus.OVERDUE),
        (date(2026, 3, 10), 7, date(2026, 3, 30), date(2026, 3, 17), ReportStatus.ON_TIME),
        # same-day delay
        (date(2026, 3, 10), 0, date(2026, 3, 11), None, ReportStatus.OVERDUE),
    ],
)
def test_sae_reporting_delay(
    aware: date, delay: int, today: date, reported: date | None, expected: ReportStatus
) -> None:
    due = report_due(aware, delay)
    assert report_status(due, today=today, reported_on=reported) is expected
