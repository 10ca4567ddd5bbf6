"""Follow-up rules: a scheduled event's window and status, a serious adverse event's delay.

Pure: dates in, status out; "today" is always given. The schedule is the study's set-up data
(day after inclusion, window before and after in days), never a constant here.

* A child's day 0 is the inclusion (the randomisation date). An event at day ``d`` with a
  window of ``b`` days before and ``a`` days after opens on day ``d - b`` and closes at the
  end of day ``d + a`` (both ends inside the window).
* Routine care fills an event when a nutrition visit of the child dated inside the window
  records weight and MUAC; otherwise a study visit inside the window does. Data dated after a
  withdrawal of consent never fills an event (nothing enters the study after it).
* Withdrawal before the window closes: the event is no longer expected (``withdrawn``), never
  missed.
* A serious adverse event must reach the sponsor within the study's delay after the site
  became aware of it (ICH E6(R2) 4.11.1: immediately, in practice within 24 hours). Dates
  are days: aware on day D with a delay of 1 day, the report is on time until the end of D+1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from alima.research.enums import EventStatus, ReportStatus


@dataclass(frozen=True)
class Window:
    """A scheduled event of the study's set-up."""

    code: str
    day_offset: int
    before_days: int
    after_days: int


@dataclass(frozen=True)
class Dates:
    """An event's dates for one child: the target day and the window's first and last day."""

    target: date
    opens: date
    closes: date

    def holds(self, on: date) -> bool:
        """Whether a day lies inside the window (both ends included)."""
        return self.opens <= on <= self.closes


@dataclass(frozen=True)
class Status:
    """An event's status and the date of what filled it, if anything did."""

    status: EventStatus
    filled_on: date | None = None


def dates_of(window: Window, included_on: date) -> Dates:
    """The event's target day and window for a child included on ``included_on``."""
    target = included_on + timedelta(days=window.day_offset)
    return Dates(
        target=target,
        opens=target - timedelta(days=window.before_days),
        closes=target + timedelta(days=window.after_days),
    )


def closest(dates: Dates, candidates: Iterable[date], until: date | None = None) -> date | None:
    """The candidate day inside the window nearest the target (the earlier on a tie).

    ``until``: the withdrawal date; a day after it does not count.
    """
    inside = [d for d in candidates if dates.holds(d) and (until is None or d <= until)]
    if not inside:
        return None
    return min(inside, key=lambda d: (abs((d - dates.target).days), d))


def event_status(
    dates: Dates,
    *,
    today: date,
    routine: Iterable[date] = (),
    study_visits: Iterable[date] = (),
    withdrawn_on: date | None = None,
) -> Status:
    """The event's status on ``today``.

    ``routine``: days of the child's nutrition visits with weight and MUAC; ``study_visits``:
    days of the child's study visits for this event. Routine care comes first.
    """
    seen = [d for d in routine if d <= today]
    filled = closest(dates, seen, withdrawn_on)
    if filled is not None:
        return Status(EventStatus.ROUTINE, filled)
    filled = closest(dates, [d for d in study_visits if d <= today], withdrawn_on)
    if filled is not None:
        return Status(EventStatus.STUDY_VISIT, filled)
    if withdrawn_on is not None and withdrawn_on <= dates.closes:
        return Status(EventStatus.WITHDRAWN)
    if today < dates.opens:
        return Status(EventStatus.UPCOMING)
    if today <= dates.closes:
        return Status(EventStatus.DUE)
    return Status(EventStatus.MISSED)


def report_due(aware_on: date, delay_days: int) -> date:
    """The last day an SAE known on ``aware_on`` may reach the sponsor."""
    return aware_on + timedelta(days=delay_days)


def report_status(due_on: date, *, today: date, reported_on: date | None) -> ReportStatus:
    """Whether an SAE reached the sponsor in time, or is still to report (overdue or not)."""
    if reported_on is not None:
        return ReportStatus.ON_TIME if reported_on <= due_on else ReportStatus.LATE
    return ReportStatus.OVERDUE if today > due_on else ReportStatus.TO_REPORT
