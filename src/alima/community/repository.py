"""Queries of community screening. ``find_*`` returns ``None``; never commits.

Place scopes are materialised paths: a record is inside a subtree when its place's path starts
with the subtree's path, the same test in SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from alima.community.enums import ReferralStatus
from alima.community.models import Referral, Screening, Training
from alima.core import repository as core_repository
from alima.core.models import Place
from alima.core.repository import (
    find_by_id,
    in_paths,
    patient_not_deleted,
)
from alima.nutrition.models import Episode

#: The live patient with an identifier: the core's query, which this domain's services use.
find_patient_by_identifier = core_repository.find_patient_by_identifier


def month_start(year: int | float, month: int | float) -> date:
    """First day of a month given as SQL ``extract`` numbers (floats on PostgreSQL)."""
    return date(int(year), int(month), 1)


# --- trainings -------------------------------------------------------------------------------


def list_recent_trainings(
    session: Session, paths: Sequence[str], limit: int = 10
) -> list[Training]:
    """Latest training sessions in the subtrees."""
    stmt = (
        select(Training)
        .join(Place, Place.id == Training.place_id)
        .where(in_paths(Place.path, paths), Training.deleted_at.is_(None))
        .options(selectinload(Training.place))
        .order_by(Training.held_on.desc(), Training.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _trainings_in(paths: Sequence[str], start: date, end: date) -> Select[int]:
    return (
        select(func.coalesce(func.sum(Training.mothers_trained), 0))
        .join(Place, Place.id == Training.place_id)
        .where(
            in_paths(Place.path, paths),
            Training.deleted_at.is_(None),
            Training.held_on.between(start, end),
        )
    )


def sum_mothers_trained(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Mothers trained in sessions held in the subtrees between two dates (both included)."""
    return int(session.scalar(_trainings_in(paths, start, end)) or 0)


def monthly_mothers_trained(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Mothers trained by month (first day of the month -> number)."""
    year = func.extract("year", Training.held_on)
    month = func.extract("month", Training.held_on)
    stmt = (
        select(year, month, func.sum(Training.mothers_trained))
        .join(Place, Place.id == Training.place_id)
        .where(
            in_paths(Place.path, paths),
            Training.deleted_at.is_(None),
            Training.held_on.between(start, end),
        )
        .group_by(year, month)
    )
    return {month_start(y, m): int(n) for y, m, n in session.execute(stmt)}


def count_trainings(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Training sessions held in the subtrees between two dates."""
    stmt = (
        select(func.count())
        .select_from(Training)
        .join(Place, Place.id == Training.place_id)
        .where(
            in_paths(Place.path, paths),
            Training.deleted_at.is_(None),
            Training.held_on.between(start, end),
        )
    )
    return int(session.scalar(stmt) or 0)


# --- screenings and referrals ----------------------------------------------------------------


def find_screening(session: Session, screening_id: uuid.UUID) -> Screening | None:
    """A screening with its place and referral (deleted ones included)."""
    return find_by_id(
        session,
        Screening,
        screening_id,
        selectinload(Screening.place),
        selectinload(Screening.referral).selectinload(Referral.place),
    )


def find_referral(session: Session, referral_id: uuid.UUID) -> Referral | None:
    """A referral with its screening and places (deleted ones included)."""
    return find_by_id(
        session,
        Referral,
        referral_id,
        selectinload(Referral.place),
        selectinload(Referral.screening).selectinload(Screening.place),
    )


def list_recent_screenings(
    session: Session, paths: Sequence[str], limit: int = 10
) -> list[Screening]:
    """Latest screenings recorded at places in the subtrees."""
    stmt = (
        select(Screening)
        .join(Place, Place.id == Screening.place_id)
        .where(
            in_paths(Place.path, paths),
            Screening.deleted_at.is_(None),
            patient_not_deleted(Screening.patient_id),
        )
        .options(
            selectinload(Screening.place),
            selectinload(Screening.referral).selectinload(Referral.place),
        )
        .order_by(Screening.screened_on.desc(), Screening.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def list_pending_referrals(
    session: Session, paths: Sequence[str], limit: int = 100
) -> list[Referral]:
    """Referrals waiting for the child's arrival at a place in the subtrees, oldest first."""
    stmt = (
        select(Referral)
        .join(Place, Place.id == Referral.place_id)
        .where(
            in_paths(Place.path, paths),
            Referral.deleted_at.is_(None),
            patient_not_deleted(Referral.patient_id),
            Referral.status == ReferralStatus.PENDING.value,
        )
        .options(
            selectinload(Referral.place),
            selectinload(Referral.screening).selectinload(Screening.place),
        )
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


def count_referrals_by_status(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[str, int]:
    """Referrals issued in the period by screenings in the subtrees, by status."""
    stmt = (
        select(Referral.status, func.count())
        .select_from(Referral)
        .join(Screening, Screening.id == Referral.screening_id)
        .join(Place, Place.id == Screening.place_id)
        .where(*_screenings_in(paths, start, end), Referral.deleted_at.is_(None))
        .group_by(Referral.status)
    )
    return {str(key): int(n) for key, n in session.execute(stmt)}


def count_overdue_referrals(
    session: Session, paths: Sequence[str], start: date, end: date, referred_before: date
) -> int:
    """Pending referrals of the period issued before ``referred_before``."""
    stmt = (
        select(func.count())
        .select_from(Referral)
        .join(Screening, Screening.id == Referral.screening_id)
        .join(Place, Place.id == Screening.place_id)
        .where(
            *_screenings_in(paths, start, end),
            Referral.deleted_at.is_(None),
            Referral.status == ReferralStatus.PENDING.value,
            Referral.referred_on < referred_before,
        )
    )
    return int(session.scalar(stmt) or 0)


def count_admitted(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Referred children of the period admitted on arrival."""
    stmt = (
        select(func.count())
        .select_from(Referral)
        .join(Screening, Screening.id == Referral.screening_id)
        .join(Place, Place.id == Screening.place_id)
        .where(
            *_screenings_in(paths, start, end),
            Referral.deleted_at.is_(None),
            Referral.admitted.is_(True),
        )
    )
    return int(session.scalar(stmt) or 0)


def measured_pairs(
    session: Session, paths: Sequence[str], start: date, end: date
) -> list[tuple[str, int, int]]:
    """(screener type, community MUAC, staff MUAC) of completed referrals of the period."""
    stmt = (
        select(Screening.screener_type, Screening.muac_mm, Referral.arrival_muac_mm)
        .select_from(Referral)
        .join(Screening, Screening.id == Referral.screening_id)
        .join(Place, Place.id == Screening.place_id)
        .where(
            *_screenings_in(paths, start, end),
            Referral.deleted_at.is_(None),
            Referral.status == ReferralStatus.COMPLETED.value,
            Referral.arrival_muac_mm.is_not(None),
        )
    )
    return [(str(t), int(c), int(f or 0)) for t, c, f in session.execute(stmt)]


def find_nutrition_episode(session: Session, episode_id: uuid.UUID) -> Episode | None:
    """A nutrition episode (deleted or not), its place loaded."""
    return find_by_id(session, Episode, episode_id, selectinload(Episode.place))
