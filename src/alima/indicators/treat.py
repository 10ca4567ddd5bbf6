"""The "Treat" activity indicators of the impact page.

Mothers trained, consultations, deliveries, surgeries, people reached at displacement sites,
and the sites and mobile clinics that reached them.

Each is a count of live records read through its domain's repository (docs/clinical-rules.md §6 for
MUAC for mothers); the seeds' Mali page reports exactly these figures for a year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from alima.care import repository as care
from alima.community import repository as community
from alima.core.i18n import N_
from alima.indicators.registry import CountFunction, Indicator, register


def mothers_trained(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """Mothers and caregivers trained to use the MUAC bracelet."""
    return community.sum_mothers_trained(session, paths, start, end)


def mothers_trained_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Mothers trained, by month."""
    return community.monthly_mothers_trained(session, paths, start, end)


def consultations(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """General and paediatric consultations."""
    return care.count_consultations(session, paths, start, end)


def consultations_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Consultations, by month."""
    return care.monthly_consultations(session, paths, start, end)


def deliveries(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """Deliveries assisted."""
    return care.count_deliveries(session, paths, start, end)


def deliveries_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Deliveries, by month."""
    return care.monthly_deliveries(session, paths, start, end)


def surgeries(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """Emergency surgeries."""
    return care.count_emergency_surgeries(session, paths, start, end)


def surgeries_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Emergency surgeries, by month."""
    return care.monthly_emergency_surgeries(session, paths, start, end)


def people_reached(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """People reached by mobile clinics at displacement sites."""
    return care.people_reached_at_sites(session, paths, start, end)


def people_reached_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """People reached at displacement sites, by month."""
    return care.monthly_people_reached_at_sites(session, paths, start, end)


def sites_served(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """Displacement sites with at least one mobile-clinic session."""
    return care.count_sites_served(session, paths, start, end)


def sites_served_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Sites served in each month (not additive)."""
    return _distinct_by_month(session, sites_served, paths, start, end)


def clinics_active(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    """Mobile clinics that held a session at a displacement site."""
    return care.count_clinics_active(session, paths, start, end)


def clinics_active_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Mobile clinics active in each month (not additive)."""
    return _distinct_by_month(session, clinics_active, paths, start, end)


def _distinct_by_month(
    session: Session,
    count: CountFunction,
    paths: Sequence[str],
    start: date,
    end: date,
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


MOTHERS_TRAINED = register(
    Indicator(
        code="TREAT-MOTHERS-TRAINED",
        label=N_("mothers trained to use the MUAC bracelet"),
        definition=N_(
            "Sum of the mothers and caregivers trained at MUAC-for-mothers sessions held in "
            "the period."
        ),
        domain="community",
        count=mothers_trained,
        monthly=mothers_trained_monthly,
        order=20,
    )
)
CONSULTATIONS = register(
    Indicator(
        code="TREAT-CONSULTATIONS",
        label=N_("general and paediatric consultations"),
        definition=N_("Consultations recorded in the period (deleted records excluded)."),
        domain="care",
        count=consultations,
        monthly=consultations_monthly,
        order=30,
    )
)
DELIVERIES = register(
    Indicator(
        code="TREAT-DELIVERIES",
        label=N_("deliveries assisted"),
        definition=N_("Deliveries recorded in the period, one per mother whatever the babies."),
        domain="care",
        count=deliveries,
        monthly=deliveries_monthly,
        order=40,
    )
)
SURGERIES = register(
    Indicator(
        code="TREAT-EMERGENCY-SURGERIES",
        label=N_("emergency surgeries"),
        definition=N_("Emergency operations of the hospitals' surgery logs in the period."),
        domain="care",
        count=surgeries,
        monthly=surgeries_monthly,
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
        count=people_reached,
        monthly=people_reached_monthly,
        order=60,
    )
)
SITES_SERVED = register(
    Indicator(
        code="TREAT-DISPLACEMENT-SITES",
        label=N_("displacement sites served"),
        definition=N_("Distinct displacement sites with a mobile-clinic session in the period."),
        domain="care",
        count=sites_served,
        monthly=sites_served_monthly,
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
        count=clinics_active,
        monthly=clinics_active_monthly,
        order=62,
        additive=False,
    )
)
