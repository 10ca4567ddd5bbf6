"""The "Treat" activity indicators of the impact page.

Mothers trained, consultations, deliveries, surgeries, people reached at displacement sites,
and the sites and mobile clinics that reached them.

Each is a count of live records read through its domain's repository (docs/clinical-rules.md §6 for
MUAC for mothers); the seeds' Mali page reports exactly these figures for a year.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from alima.care import repository as care
from alima.community import repository as community
from alima.core.i18n import N_
from alima.indicators.registry import CountFunction, Indicator, MonthlyFunction, register

R_co = TypeVar("R_co", covariant=True)
T = TypeVar("T")


class _PeriodFunction(Protocol[R_co]):
    """A value over place subtrees and a period, as the registry calls it (keywords)."""

    def __call__(self, session: Session, *, paths: Sequence[str], start: date, end: date) -> R_co:
        """Compute the value."""
        ...


def _keywords(query: Callable[[Session, Sequence[str], date, date], T]) -> _PeriodFunction[T]:
    """The registry's count or monthly function of a repository query (positional)."""

    def call(session: Session, *, paths: Sequence[str], start: date, end: date) -> T:
        return query(session, paths, start, end)

    return call


def _distinct_monthly(count: CountFunction) -> MonthlyFunction:
    """Monthly values of a count of distinct things: ``count`` over each month of the period."""

    def monthly(
        session: Session, *, paths: Sequence[str], start: date, end: date
    ) -> dict[date, int]:
        result: dict[date, int] = {}
        cursor = date(start.year, start.month, 1)
        while cursor <= end:
            following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
            first = max(cursor, start)
            last = min(date.fromordinal(following.toordinal() - 1), end)
            value = count(session, paths=paths, start=first, end=last)
            if value:
                result[cursor] = value
            cursor = following
        return result

    return monthly


_SITES_SERVED = _keywords(care.count_sites_served)
_CLINICS_ACTIVE = _keywords(care.count_clinics_active)


MOTHERS_TRAINED = register(
    Indicator(
        code="TREAT-MOTHERS-TRAINED",
        label=N_("mothers trained to use the MUAC bracelet"),
        definition=N_(
            "Sum of the mothers and caregivers trained at MUAC-for-mothers sessions held in "
            "the period."
        ),
        domain="community",
        count=_keywords(community.sum_mothers_trained),
        monthly=_keywords(community.monthly_mothers_trained),
        order=20,
    )
)
CONSULTATIONS = register(
    Indicator(
        code="TREAT-CONSULTATIONS",
        label=N_("general and paediatric consultations"),
        definition=N_("Consultations recorded in the period (deleted records excluded)."),
        domain="care",
        count=_keywords(care.count_consultations),
        monthly=_keywords(care.monthly_consultations),
        order=30,
        by_path=_keywords(care.consultations_by_path),
    )
)
DELIVERIES = register(
    Indicator(
        code="TREAT-DELIVERIES",
        label=N_("deliveries assisted"),
        definition=N_("Deliveries recorded in the period, one per mother whatever the babies."),
        domain="care",
        count=_keywords(care.count_deliveries),
        by_path=_keywords(care.deliveries_by_path),
        monthly=_keywords(care.monthly_deliveries),
        order=40,
    )
)
SURGERIES = register(
    Indicator(
        code="TREAT-EMERGENCY-SURGERIES",
        label=N_("emergency surgeries"),
        definition=N_("Emergency operations of the hospitals' surgery logs in the period."),
        domain="care",
        count=_keywords(care.count_emergency_surgeries),
        monthly=_keywords(care.monthly_emergency_surgeries),
        order=50,
    )
)
PEOPLE_REACHED = register(
    Indicator(
        code="TREAT-DISPLACED-REACHED",
        label=N_("people reached at displacement sites"),
        definition=N_(
            "Sum of the people reached by mobile-clinic sessions held at displacement sites "
            "in the period."
        ),
        domain="care",
        count=_keywords(care.people_reached_at_sites),
        monthly=_keywords(care.monthly_people_reached_at_sites),
        order=60,
    )
)
SITES_SERVED = register(
    Indicator(
        code="TREAT-DISPLACEMENT-SITES",
        label=N_("displacement sites served"),
        definition=N_("Distinct displacement sites with a mobile-clinic session in the period."),
        domain="care",
        count=_SITES_SERVED,
        monthly=_distinct_monthly(_SITES_SERVED),
        order=61,
        additive=False,
    )
)
CLINICS_ACTIVE = register(
    Indicator(
        code="TREAT-MOBILE-CLINICS",
        label=N_("mobile clinics"),
        definition=N_(
            "Distinct mobile-clinic teams that held a session at a displacement site in the period."
        ),
        domain="care",
        count=_CLINICS_ACTIVE,
        monthly=_distinct_monthly(_CLINICS_ACTIVE),
        order=62,
        additive=False,
    )
)
