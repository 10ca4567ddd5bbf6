"""Queries of care records. ``find_*`` returns ``None``; never commits.

Counts for indicators take place subtrees (materialised paths) and a period whose two ends are
included; monthly variants return ``{first day of month: value}``. Soft-deleted records never
count.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from alima.care.models import (
    AntenatalVisit,
    Consultation,
    Delivery,
    DisplacedPopulation,
    MobileSession,
    PostnatalVisit,
    Surgery,
)
from alima.core.enums import PlaceKind
from alima.core.models import Place
from alima.core.repository import find_by_id, in_paths, patient_not_deleted


def _month(year: Any, month: Any) -> date:
    return date(int(year), int(month), 1)


def _live_patient(model: Any) -> tuple[ColumnElement[bool], ...]:
    """For a record linked to a patient, the condition that the patient is not deleted."""
    column = getattr(model, "patient_id", None)
    return () if column is None else (patient_not_deleted(column),)


def aggregate(
    session: Session,
    model: Any,
    day: InstrumentedAttribute[date],
    *,
    paths: Sequence[str],
    start: date,
    end: date,
    where: Sequence[ColumnElement[bool]] = (),
    value: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
) -> int:
    """Count (or sum ``value`` over) live rows of ``model`` in the subtrees and period."""
    measure = func.count() if value is None else func.coalesce(func.sum(value), 0)
    stmt = (
        select(measure)
        .select_from(model)
        .join(Place, Place.id == model.place_id)
        .where(
            in_paths(Place.path, paths),
            model.deleted_at.is_(None),
            *_live_patient(model),
            day.between(start, end),
            *where,
        )
    )
    return int(session.scalar(stmt) or 0)


def aggregate_monthly(
    session: Session,
    model: Any,
    day: InstrumentedAttribute[date],
    *,
    paths: Sequence[str],
    start: date,
    end: date,
    where: Sequence[ColumnElement[bool]] = (),
    value: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
) -> dict[date, int]:
    """The same as :func:`aggregate`, by month."""
    year, month = func.extract("year", day), func.extract("month", day)
    measure = func.count() if value is None else func.sum(value)
    stmt = (
        select(year, month, measure)
        .select_from(model)
        .join(Place, Place.id == model.place_id)
        .where(
            in_paths(Place.path, paths),
            model.deleted_at.is_(None),
            *_live_patient(model),
            day.between(start, end),
            *where,
        )
        .group_by(year, month)
    )
    return {_month(y, m): int(n or 0) for y, m, n in session.execute(stmt)}


# --- indicators ------------------------------------------------------------------------------


def count_consultations(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """General and paediatric consultations."""
    return aggregate(
        session, Consultation, Consultation.consulted_on, paths=paths, start=start, end=end
    )


def monthly_consultations(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Consultations by month."""
    return aggregate_monthly(
        session, Consultation, Consultation.consulted_on, paths=paths, start=start, end=end
    )


def count_deliveries(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Deliveries assisted or recorded."""
    return aggregate(session, Delivery, Delivery.delivered_on, paths=paths, start=start, end=end)


def monthly_deliveries(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Deliveries by month."""
    return aggregate_monthly(
        session, Delivery, Delivery.delivered_on, paths=paths, start=start, end=end
    )


def count_emergency_surgeries(
    session: Session, paths: Sequence[str], start: date, end: date
) -> int:
    """Emergency operations of the surgery log."""
    return aggregate(
        session,
        Surgery,
        Surgery.operated_on,
        paths=paths,
        start=start,
        end=end,
        where=[Surgery.emergency.is_(True)],
    )


def monthly_emergency_surgeries(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Emergency operations by month."""
    return aggregate_monthly(
        session,
        Surgery,
        Surgery.operated_on,
        paths=paths,
        start=start,
        end=end,
        where=[Surgery.emergency.is_(True)],
    )


def _at_sites() -> ColumnElement[bool]:
    return Place.kind == PlaceKind.DISPLACEMENT_SITE.value


def people_reached_at_sites(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """People reached by mobile-clinic sessions at displacement sites."""
    return aggregate(
        session,
        MobileSession,
        MobileSession.held_on,
        paths=paths,
        start=start,
        end=end,
        where=[_at_sites()],
        value=MobileSession.people_reached,
    )


def monthly_people_reached_at_sites(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """People reached at displacement sites by month."""
    return aggregate_monthly(
        session,
        MobileSession,
        MobileSession.held_on,
        paths=paths,
        start=start,
        end=end,
        where=[_at_sites()],
        value=MobileSession.people_reached,
    )


def _count_distinct_at_sites(
    session: Session,
    column: InstrumentedAttribute[uuid.UUID] | InstrumentedAttribute[uuid.UUID | None],
    paths: Sequence[str],
    start: date,
    end: date,
) -> int:
    """Distinct non-empty ``column`` values of live sessions at displacement sites in ``paths``."""
    return int(
        session.scalar(
            select(func.count(func.distinct(column)))
            .select_from(MobileSession)
            .join(Place, Place.id == MobileSession.place_id)
            .where(
                in_paths(Place.path, paths),
                _at_sites(),
                MobileSession.deleted_at.is_(None),
                column.is_not(None),
                MobileSession.held_on.between(start, end),
            )
        )
        or 0
    )


def count_sites_served(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Distinct displacement sites where a mobile-clinic session was held."""
    return _count_distinct_at_sites(session, MobileSession.place_id, paths, start, end)


def count_clinics_active(session: Session, paths: Sequence[str], start: date, end: date) -> int:
    """Distinct mobile-clinic teams that held a session at a displacement site."""
    return _count_distinct_at_sites(session, MobileSession.mobile_clinic_id, paths, start, end)


# --- patient records -------------------------------------------------------------------------


def find_consultation(session: Session, consultation_id: uuid.UUID) -> Consultation | None:
    """A consultation with its patient, place and diagnoses (deleted ones included)."""
    return find_by_id(
        session,
        Consultation,
        consultation_id,
        selectinload(Consultation.patient),
        selectinload(Consultation.place),
        selectinload(Consultation.diagnoses),
    )


def list_consultations(session: Session, patient_id: uuid.UUID) -> list[Consultation]:
    """A patient's live consultations, newest first."""
    return list(
        session.scalars(
            select(Consultation)
            .where(Consultation.patient_id == patient_id, Consultation.deleted_at.is_(None))
            .options(
                selectinload(Consultation.patient),
                selectinload(Consultation.place),
                selectinload(Consultation.diagnoses),
            )
            .order_by(Consultation.consulted_on.desc(), Consultation.created_at.desc())
        )
    )


def list_antenatal_visits(session: Session, patient_id: uuid.UUID) -> list[AntenatalVisit]:
    """A patient's live antenatal visits, newest first."""
    return list(
        session.scalars(
            select(AntenatalVisit)
            .where(AntenatalVisit.patient_id == patient_id, AntenatalVisit.deleted_at.is_(None))
            .options(selectinload(AntenatalVisit.place))
            .order_by(AntenatalVisit.visited_on.desc(), AntenatalVisit.created_at.desc())
        )
    )


def count_antenatal_visits_between(
    session: Session, patient_id: uuid.UUID, since: date, until: date
) -> int:
    """Live antenatal visits of the patient between two dates (the current pregnancy)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(AntenatalVisit)
            .where(
                AntenatalVisit.patient_id == patient_id,
                AntenatalVisit.deleted_at.is_(None),
                AntenatalVisit.visited_on.between(since, until),
            )
        )
        or 0
    )


def latest_delivery_before(session: Session, patient_id: uuid.UUID, on: date) -> Delivery | None:
    """The patient's last live delivery on or before ``on``."""
    return session.scalars(
        select(Delivery)
        .where(
            Delivery.patient_id == patient_id,
            Delivery.deleted_at.is_(None),
            Delivery.delivered_on <= on,
        )
        .order_by(Delivery.delivered_on.desc())
        .limit(1)
    ).one_or_none()


def find_delivery(session: Session, delivery_id: uuid.UUID) -> Delivery | None:
    """A delivery with its newborns."""
    return find_by_id(
        session,
        Delivery,
        delivery_id,
        selectinload(Delivery.newborns),
        selectinload(Delivery.place),
    )


def list_deliveries(session: Session, patient_id: uuid.UUID) -> list[Delivery]:
    """A patient's live deliveries, newest first."""
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.patient_id == patient_id, Delivery.deleted_at.is_(None))
            .options(selectinload(Delivery.newborns), selectinload(Delivery.place))
            .order_by(Delivery.delivered_on.desc())
        )
    )


def list_postnatal_visits(session: Session, patient_id: uuid.UUID) -> list[PostnatalVisit]:
    """A patient's live postnatal visits, newest first."""
    return list(
        session.scalars(
            select(PostnatalVisit)
            .where(PostnatalVisit.patient_id == patient_id, PostnatalVisit.deleted_at.is_(None))
            .options(selectinload(PostnatalVisit.place))
            .order_by(PostnatalVisit.visited_on.desc())
        )
    )


def list_patient_surgeries(session: Session, patient_id: uuid.UUID) -> list[Surgery]:
    """A patient's live operations, newest first."""
    return list(
        session.scalars(
            select(Surgery)
            .where(Surgery.patient_id == patient_id, Surgery.deleted_at.is_(None))
            .options(selectinload(Surgery.place), selectinload(Surgery.patient))
            .order_by(Surgery.operated_on.desc())
        )
    )


def list_surgeries(
    session: Session, paths: Sequence[str], start: date, end: date, limit: int = 500
) -> list[Surgery]:
    """The surgery log of the subtrees over a period, newest first."""
    return list(
        session.scalars(
            select(Surgery)
            .join(Place, Place.id == Surgery.place_id)
            .where(
                in_paths(Place.path, paths),
                Surgery.deleted_at.is_(None),
                patient_not_deleted(Surgery.patient_id),
                Surgery.operated_on.between(start, end),
            )
            .options(selectinload(Surgery.place), selectinload(Surgery.patient))
            .order_by(Surgery.operated_on.desc(), Surgery.created_at.desc())
            .limit(limit)
        )
    )


def find_record(session: Session, model: Any, record_id: uuid.UUID) -> Any:
    """Any patient-level care record by id, with its patient and place."""
    return find_by_id(
        session, model, record_id, selectinload(model.patient), selectinload(model.place)
    )


# --- mobile clinics and sites ---------------------------------------------------------------


def list_sites(session: Session, paths: Sequence[str]) -> list[Place]:
    """Displacement sites in the subtrees, by name."""
    return list(
        session.scalars(
            select(Place).where(in_paths(Place.path, paths), _at_sites()).order_by(Place.name)
        )
    )


def list_counts(
    session: Session, site_ids: Sequence[uuid.UUID], start: date, end: date
) -> list[DisplacedPopulation]:
    """Counts of displaced people at the sites in a period, oldest first."""
    if not site_ids:
        return []
    return list(
        session.scalars(
            select(DisplacedPopulation)
            .where(
                DisplacedPopulation.place_id.in_(site_ids),
                DisplacedPopulation.counted_on.between(start, end),
            )
            .options(selectinload(DisplacedPopulation.place))
            .order_by(DisplacedPopulation.counted_on)
        )
    )


def find_count(
    session: Session, place_id: uuid.UUID, counted_on: date
) -> DisplacedPopulation | None:
    """The count of a site on a date, if any."""
    return session.scalars(
        select(DisplacedPopulation).where(
            DisplacedPopulation.place_id == place_id, DisplacedPopulation.counted_on == counted_on
        )
    ).one_or_none()


def sessions_by_site(
    session: Session, site_ids: Sequence[uuid.UUID], start: date, end: date
) -> dict[uuid.UUID, tuple[int, int]]:
    """(sessions, people reached) at each site over a period."""
    if not site_ids:
        return {}
    rows = session.execute(
        select(MobileSession.place_id, func.count(), func.sum(MobileSession.people_reached))
        .where(
            MobileSession.place_id.in_(site_ids),
            MobileSession.deleted_at.is_(None),
            MobileSession.held_on.between(start, end),
        )
        .group_by(MobileSession.place_id)
    )
    return {place_id: (int(n), int(people or 0)) for place_id, n, people in rows}


def list_recent_sessions(
    session: Session, paths: Sequence[str], limit: int = 20
) -> list[MobileSession]:
    """Latest mobile-clinic sessions at places in the subtrees."""
    return list(
        session.scalars(
            select(MobileSession)
            .join(Place, Place.id == MobileSession.place_id)
            .where(in_paths(Place.path, paths), MobileSession.deleted_at.is_(None))
            .options(selectinload(MobileSession.place), selectinload(MobileSession.mobile_clinic))
            .order_by(MobileSession.held_on.desc(), MobileSession.created_at.desc())
            .limit(limit)
        )
    )
