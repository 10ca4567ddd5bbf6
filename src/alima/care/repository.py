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
from alima.core.repository import (
    Tally,
    find_by_id,
    in_paths,
    list_of_patient,
    select_live_at,
)

# --- indicators ------------------------------------------------------------------------------


def _at_sites() -> ColumnElement[bool]:
    return Place.kind == PlaceKind.DISPLACEMENT_SITE.value


#: General and paediatric consultations.
CONSULTATIONS = Tally(Consultation, Consultation.consulted_on)
#: Deliveries assisted or recorded.
DELIVERIES = Tally(Delivery, Delivery.delivered_on)
#: Emergency operations of the surgery log.
EMERGENCY_SURGERIES = Tally(Surgery, Surgery.operated_on, where=(Surgery.emergency.is_(True),))
#: People reached by mobile-clinic sessions at displacement sites.
PEOPLE_REACHED_AT_SITES = Tally(
    MobileSession, MobileSession.held_on, where=(_at_sites(),), value=MobileSession.people_reached
)

count_consultations = CONSULTATIONS.total
monthly_consultations = CONSULTATIONS.monthly
consultations_by_path = CONSULTATIONS.by_path
count_deliveries = DELIVERIES.total
monthly_deliveries = DELIVERIES.monthly
deliveries_by_path = DELIVERIES.by_path
count_emergency_surgeries = EMERGENCY_SURGERIES.total
monthly_emergency_surgeries = EMERGENCY_SURGERIES.monthly
people_reached_at_sites = PEOPLE_REACHED_AT_SITES.total
monthly_people_reached_at_sites = PEOPLE_REACHED_AT_SITES.monthly


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


_CONSULTATION_LOADS = (
    selectinload(Consultation.patient),
    selectinload(Consultation.place),
    selectinload(Consultation.diagnoses),
)
_DELIVERY_LOADS = (selectinload(Delivery.newborns), selectinload(Delivery.place))
_SURGERY_LOADS = (selectinload(Surgery.place), selectinload(Surgery.patient))


def find_consultation(session: Session, consultation_id: uuid.UUID) -> Consultation | None:
    """A consultation with its patient, place and diagnoses (deleted ones included)."""
    return find_by_id(session, Consultation, consultation_id, *_CONSULTATION_LOADS)


def list_consultations(session: Session, patient_id: uuid.UUID) -> list[Consultation]:
    """A patient's live consultations, newest first."""
    return list_of_patient(
        session, Consultation, patient_id, Consultation.consulted_on, *_CONSULTATION_LOADS
    )


def list_antenatal_visits(session: Session, patient_id: uuid.UUID) -> list[AntenatalVisit]:
    """A patient's live antenatal visits, newest first."""
    return list_of_patient(
        session,
        AntenatalVisit,
        patient_id,
        AntenatalVisit.visited_on,
        selectinload(AntenatalVisit.place),
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
    return find_by_id(session, Delivery, delivery_id, *_DELIVERY_LOADS)


def list_deliveries(session: Session, patient_id: uuid.UUID) -> list[Delivery]:
    """A patient's live deliveries, newest first."""
    return list_of_patient(session, Delivery, patient_id, Delivery.delivered_on, *_DELIVERY_LOADS)


def list_postnatal_visits(session: Session, patient_id: uuid.UUID) -> list[PostnatalVisit]:
    """A patient's live postnatal visits, newest first."""
    return list_of_patient(
        session,
        PostnatalVisit,
        patient_id,
        PostnatalVisit.visited_on,
        selectinload(PostnatalVisit.place),
    )


def list_patient_surgeries(session: Session, patient_id: uuid.UUID) -> list[Surgery]:
    """A patient's live operations, newest first."""
    return list_of_patient(session, Surgery, patient_id, Surgery.operated_on, *_SURGERY_LOADS)


def list_surgeries(
    session: Session, paths: Sequence[str], start: date, end: date, limit: int = 500
) -> list[Surgery]:
    """The surgery log of the subtrees over a period, newest first."""
    return list(
        session.scalars(
            select_live_at(Surgery, paths, Surgery.operated_on.between(start, end))
            .options(*_SURGERY_LOADS)
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
            select_live_at(MobileSession, paths)
            .options(selectinload(MobileSession.place), selectinload(MobileSession.mobile_clinic))
            .order_by(MobileSession.held_on.desc(), MobileSession.created_at.desc())
            .limit(limit)
        )
    )
