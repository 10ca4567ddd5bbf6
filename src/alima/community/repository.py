"""Queries of community screening. ``find_*`` returns ``None``; never commits.

Place scopes are materialised paths: a record is inside a subtree when its place's path starts
with the subtree's path, the same test in SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from alima.community.enums import ReferralStatus
from alima.community.models import Referral, Screening, Training
from alima.core import repository as core_repository
from alima.core.models import Place
from alima.core.repository import Tally, find_by_id, in_paths, select_live_at
from alima.nutrition.models import Episode

#: The live patient with an identifier: the core's query, which this domain's services use.
find_patient_by_identifier = core_repository.find_patient_by_identifier


# --- trainings -------------------------------------------------------------------------------


def list_recent_trainings(
    session: Session, paths: Sequence[str], limit: int = 10
) -> list[Training]:
    """Latest training sessions in the subtrees."""
    stmt = (
        select_live_at(Training, paths)
        .options(selectinload(Training.place))
        .order_by(Training.held_on.desc(), Training.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


#: Mothers and caregivers trained at sessions held in the subtrees and period.
MOTHERS_TRAINED = Tally(Training, Training.held_on, value=Training.mothers_trained)
#: Training sessions held in the subtrees and period.
TRAININGS = Tally(Training, Training.held_on)

sum_mothers_trained = MOTHERS_TRAINED.total
monthly_mothers_trained = MOTHERS_TRAINED.monthly
count_trainings = TRAININGS.total


# --- screenings and referrals ----------------------------------------------------------------


_SCREENING_LOADS = (
    selectinload(Screening.place),
    selectinload(Screening.referral).selectinload(Referral.place),
)
_REFERRAL_LOADS = (
    selectinload(Referral.place),
    selectinload(Referral.screening).selectinload(Screening.place),
)


def find_screening(session: Session, screening_id: uuid.UUID) -> Screening | None:
    """A screening with its place and referral (deleted ones included)."""
    return find_by_id(session, Screening, screening_id, *_SCREENING_LOADS)


def find_referral(session: Session, referral_id: uuid.UUID) -> Referral | None:
    """A referral with its screening and places (deleted ones included)."""
    return find_by_id(session, Referral, referral_id, *_REFERRAL_LOADS)


def list_recent_screenings(
    session: Session, paths: Sequence[str], limit: int = 10
) -> list[Screening]:
    """Latest screenings recorded at places in the subtrees."""
    stmt = (
        select_live_at(Screening, paths)
        .options(*_SCREENING_LOADS)
        .order_by(Screening.screened_on.desc(), Screening.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def list_pending_referrals(
    session: Session, paths: Sequence[str], limit: int = 100
) -> list[Referral]:
    """Referrals waiting for the child's arrival at a place in the subtrees, oldest first."""
    stmt = (
        select_live_at(Referral, paths, Referral.status == ReferralStatus.PENDING.value)
        .options(*_REFERRAL_LOADS)
        .order_by(Referral.referred_on, Referral.created_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _screenings_in(paths: Sequence[str], start: date, end: date) -> list[ColumnElement[bool]]:
    return [
        in_paths(Place.path, paths),
        Screening.deleted_at.is_(None),
        Screening.screened_on.between(start, end),
    ]


def count_screenings_by(
    session: Session,
    paths: Sequence[str],
    start: date,
    end: date,
    column: InstrumentedAttribute[str],
) -> dict[str, int]:
    """Screenings in the subtrees and period, counted by one of their columns."""
    stmt = (
        select(column, func.count())
        .select_from(Screening)
        .join(Place, Place.id == Screening.place_id)
        .where(*_screenings_in(paths, start, end))
        .group_by(column)
    )
    return {str(key): int(n) for key, n in session.execute(stmt)}


def _referrals_in(paths: Sequence[str], start: date, end: date, *columns: Any) -> Select[Any]:
    """``columns`` of the live referrals issued by the screenings of the subtrees and period."""
    return (
        select(*columns)
        .select_from(Referral)
        .join(Screening, Screening.id == Referral.screening_id)
        .join(Place, Place.id == Screening.place_id)
        .where(*_screenings_in(paths, start, end), Referral.deleted_at.is_(None))
    )


def count_referrals_by_status(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[str, int]:
    """Referrals issued in the period by screenings in the subtrees, by status."""
    stmt = _referrals_in(paths, start, end, Referral.status, func.count()).group_by(Referral.status)
    return {str(key): int(n) for key, n in session.execute(stmt)}


def count_overdue_referrals(
    session: Session, paths: Sequence[str], start: date, end: date, referred_before: date
) -> int:
    """Pending referrals of the period issued before ``referred_before``."""
    stmt = _referrals_in(paths, start, end, func.count()).where(
        Referral.status == ReferralStatus.PENDING.value, Referral.referred_on < referred_before
    )
    return int(session.scalar(stmt) or 0)


def count_admitted(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Referred children of the period admitted on arrival."""
    stmt = _referrals_in(paths, start, end, func.count()).where(Referral.admitted.is_(True))
    return int(session.scalar(stmt) or 0)


def measured_pairs(
    session: Session, paths: Sequence[str], start: date, end: date
) -> list[tuple[str, int, int]]:
    """(screener type, community MUAC, staff MUAC) of completed referrals of the period."""
    stmt = _referrals_in(
        paths, start, end, Screening.screener_type, Screening.muac_mm, Referral.arrival_muac_mm
    ).where(
        Referral.status == ReferralStatus.COMPLETED.value, Referral.arrival_muac_mm.is_not(None)
    )
    return [(str(t), int(c), int(f or 0)) for t, c, f in session.execute(stmt)]


def find_nutrition_episode(session: Session, episode_id: uuid.UUID) -> Episode | None:
    """A nutrition episode (deleted or not), its place loaded."""
    return find_by_id(session, Episode, episode_id, selectinload(Episode.place))
