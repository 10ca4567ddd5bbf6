"""CMAM activity indicators of the impact page and reports.

The seeds' Mali page counts "children treated for acute malnutrition" in a year (14,442): the
children admitted to outpatient treatment in the period, whatever the protocol, counting a
relapse or a transfer in as a new treatment, as CMAM monthly reports do (docs/clinical-rules.md §4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from alima.core.i18n import N_
from alima.core.time import today
from alima.indicators.registry import Indicator, register
from alima.nutrition import repository, summary


def children_treated(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """Children admitted for acute malnutrition in the period."""
    return repository.count_admissions(session, paths, start, end)


def children_treated_by_path(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[str, int]:
    """Admissions for acute malnutrition, by place path (whole past months from the summary)."""
    if summary.covers_months(session, start, end, today()):
        return summary.admissions_by_path(session, paths, start, end)
    return repository.admissions_by_path(session, paths, start, end)


def children_treated_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Admissions for acute malnutrition, by month (whole past months from the summary)."""
    if summary.covers_months(session, start, end, today()):
        return summary.monthly_admissions(session, paths, start, end)
    return repository.monthly_admissions(session, paths, start, end)


CHILDREN_TREATED = register(
    Indicator(
        code="NUT-CHILDREN-TREATED",
        label=N_("children treated for acute malnutrition"),
        definition=N_(
            "Admissions to outpatient treatment of acute malnutrition in the period (new "
            "cases, relapses and transfers in), all protocols."
        ),
        domain="nutrition",
        count=children_treated,
        monthly=children_treated_monthly,
        by_path=children_treated_by_path,
        order=10,
    )
)
