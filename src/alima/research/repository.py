"""Queries of research (never commits)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from alima.core.models import Organisation, Patient
from alima.nutrition.models import Episode, Visit
from alima.research.models import (
    AdverseEvent,
    Allocation,
    Consent,
    ConsentForm,
    Screening,
    SdvQuery,
    SequenceEntry,
    SequenceSeal,
    Study,
    StudyEvent,
    StudySite,
    StudyVisit,
    Unblinding,
)


def find_study(session: Session, code: str) -> Study | None:
    """A live study by code."""
    return session.scalars(
        select(Study).where(Study.code == code, Study.deleted_at.is_(None))
    ).one_or_none()


def list_studies(session: Session) -> Sequence[Study]:
    """Every live study, by code."""
    return session.scalars(
        select(Study).where(Study.deleted_at.is_(None)).order_by(Study.code)
    ).all()


def recruiting_at(session: Session, place_id: uuid.UUID) -> Sequence[Study]:
    """Studies recruiting at a site."""
    return session.scalars(
        select(Study)
        .join(StudySite, StudySite.study_id == Study.id)
        .where(
            StudySite.place_id == place_id,
            Study.status == "recruiting",
            Study.deleted_at.is_(None),
        )
        .order_by(Study.code)
    ).all()


def find_screening(
    session: Session, study_id: uuid.UUID, patient_id: uuid.UUID
) -> Screening | None:
    """A child's line of a study's screening log."""
    return session.scalars(
        select(Screening).where(Screening.study_id == study_id, Screening.patient_id == patient_id)
    ).one_or_none()


def screenings_of_patient(session: Session, patient_id: uuid.UUID) -> Sequence[Screening]:
    """Every study that screened a child."""
    return session.scalars(
        select(Screening).where(Screening.patient_id == patient_id).order_by(Screening.screened_on)
    ).all()


def screenings_of_study(session: Session, study_id: uuid.UUID) -> Sequence[Screening]:
    """A study's whole screening log."""
    return session.scalars(select(Screening).where(Screening.study_id == study_id)).all()


def latest_consent(session: Session, study_id: uuid.UUID, patient_id: uuid.UUID) -> Consent | None:
    """The child's most recent consent record for a study."""
    return session.scalars(
        select(Consent)
        .where(Consent.study_id == study_id, Consent.patient_id == patient_id)
        .order_by(Consent.created_at.desc())
        .limit(1)
    ).one_or_none()


def withdrawn_patients(session: Session, study_id: uuid.UUID) -> set[uuid.UUID]:
    """Children whose consent to a study is withdrawn."""
    return set(
        session.scalars(
            select(Consent.patient_id).where(
                Consent.study_id == study_id, Consent.status == "withdrawn"
            )
        )
    )


def forms_of(session: Session, study_id: uuid.UUID) -> Sequence[ConsentForm]:
    """A study's approved forms, current first."""
    return session.scalars(
        select(ConsentForm)
        .where(ConsentForm.study_id == study_id)
        .order_by(ConsentForm.current.desc(), ConsentForm.kind, ConsentForm.language)
    ).all()


def find_allocation(
    session: Session, study_id: uuid.UUID, patient_id: uuid.UUID
) -> Allocation | None:
    """A child's allocation in a study."""
    return session.scalars(
        select(Allocation).where(
            Allocation.study_id == study_id, Allocation.patient_id == patient_id
        )
    ).one_or_none()


def allocations_per_arm(session: Session, study_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Children allocated to each arm."""
    rows = session.execute(
        select(Allocation.arm_id, func.count())
        .where(Allocation.study_id == study_id)
        .group_by(Allocation.arm_id)
    ).all()
    return dict(rows)


def next_entry(session: Session, study_id: uuid.UUID, stratum: str) -> SequenceEntry | None:
    """The first unused position of a stratum, locked against a concurrent randomisation."""
    return session.scalars(
        select(SequenceEntry)
        .where(
            SequenceEntry.study_id == study_id,
            SequenceEntry.stratum == stratum,
            SequenceEntry.used_at.is_(None),
        )
        .order_by(SequenceEntry.position)
        .limit(1)
        .with_for_update()
    ).one_or_none()


def has_sequence(session: Session, study_id: uuid.UUID) -> bool:
    """Whether the study's sequence was drawn."""
    return (
        session.scalar(
            select(func.count())
            .select_from(SequenceEntry)
            .where(SequenceEntry.study_id == study_id)
        )
        or 0
    ) > 0


def find_organisation(session: Session, code: str) -> Organisation | None:
    """An organisation by code."""
    return session.scalars(select(Organisation).where(Organisation.code == code)).one_or_none()


def allocations_at(
    session: Session, study_id: uuid.UUID, place_ids: Sequence[uuid.UUID]
) -> Sequence[Allocation]:
    """A study's allocations at some of its sites, in the order they were revealed."""
    return session.scalars(
        select(Allocation)
        .where(Allocation.study_id == study_id, Allocation.place_id.in_(place_ids))
        .order_by(Allocation.revealed_at, Allocation.id)
    ).all()


def latest_consents(session: Session, study_id: uuid.UUID) -> dict[uuid.UUID, Consent]:
    """Each child's most recent consent record for a study."""
    latest: dict[uuid.UUID, Consent] = {}
    for consent in session.scalars(
        select(Consent).where(Consent.study_id == study_id).order_by(Consent.created_at)
    ):
        latest[consent.patient_id] = consent
    return latest


def episodes_with_visits(
    session: Session, episode_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Episode]:
    """Nutrition episodes by id, their visits loaded (the care the study reads)."""
    rows = session.scalars(
        select(Episode).where(Episode.id.in_(episode_ids)).options(selectinload(Episode.visits))
    ).all()
    return {e.id: e for e in rows}


# --- follow-up ------------------------------------------------------------------------------


def events_of(session: Session, study_id: uuid.UUID) -> Sequence[StudyEvent]:
    """A study's schedule, in order of days after inclusion."""
    return session.scalars(
        select(StudyEvent)
        .where(StudyEvent.study_id == study_id)
        .order_by(StudyEvent.day_offset, StudyEvent.code)
    ).all()


def allocations_of(session: Session, study_id: uuid.UUID) -> Sequence[Allocation]:
    """Every child included in a study."""
    return session.scalars(
        select(Allocation).where(Allocation.study_id == study_id).order_by(Allocation.revealed_at)
    ).all()


def withdrawals(session: Session, study_id: uuid.UUID) -> dict[uuid.UUID, date]:
    """The withdrawal date of each child who withdrew from a study."""
    rows = session.execute(
        select(Consent.patient_id, Consent.withdrawn_on).where(
            Consent.study_id == study_id, Consent.status == "withdrawn"
        )
    ).all()
    return {pid: on for pid, on in rows if on is not None}


def measured_visit_days(
    session: Session, patient_ids: Collection[uuid.UUID], since: date
) -> dict[uuid.UUID, list[date]]:
    """Days of each child's nutrition visits recording weight and MUAC, from ``since`` on."""
    out: dict[uuid.UUID, list[date]] = {p: [] for p in patient_ids}
    if not patient_ids:
        return out
    rows = session.execute(
        select(Episode.patient_id, Visit.visit_on)
        .join(Episode, Episode.id == Visit.episode_id)
        .where(
            Episode.patient_id.in_(list(patient_ids)),
            Visit.visit_on >= since,
            Visit.weight_kg.is_not(None),
            Visit.muac_mm.is_not(None),
            Visit.deleted_at.is_(None),
            Episode.deleted_at.is_(None),
        )
    ).all()
    for pid, on in rows:
        out[pid].append(on)
    return out


def study_visits(
    session: Session, study_id: uuid.UUID, patient_ids: Collection[uuid.UUID] | None = None
) -> Sequence[StudyVisit]:
    """A study's visits (of some children)."""
    query = select(StudyVisit).where(StudyVisit.study_id == study_id)
    if patient_ids is not None:
        query = query.where(StudyVisit.patient_id.in_(list(patient_ids)))
    return session.scalars(query).all()


def adverse_events(
    session: Session, study_id: uuid.UUID, patient_id: uuid.UUID | None = None
) -> Sequence[AdverseEvent]:
    """A study's serious adverse events (of one child)."""
    query = select(AdverseEvent).where(AdverseEvent.study_id == study_id)
    if patient_id is not None:
        query = query.where(AdverseEvent.patient_id == patient_id)
    return session.scalars(query.order_by(AdverseEvent.aware_on)).all()


def find_adverse_event(
    session: Session, study_id: uuid.UUID, event_id: uuid.UUID
) -> AdverseEvent | None:
    """One serious adverse event of a study."""
    return session.scalars(
        select(AdverseEvent).where(AdverseEvent.study_id == study_id, AdverseEvent.id == event_id)
    ).one_or_none()


def deaths_in_care(session: Session, patient_ids: Collection[uuid.UUID]) -> Sequence[Episode]:
    """Nutrition episodes of these children that closed with the child's death."""
    if not patient_ids:
        return []
    return session.scalars(
        select(Episode).where(
            Episode.patient_id.in_(list(patient_ids)),
            Episode.outcome == "died",
            Episode.deleted_at.is_(None),
        )
    ).all()


def patients_by_id(
    session: Session, patient_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Patient]:
    """Patients by id (the follow-up lists name the children)."""
    if not patient_ids:
        return {}
    rows = session.scalars(select(Patient).where(Patient.id.in_(list(patient_ids)))).all()
    return {p.id: p for p in rows}


def find_seal(session: Session, entry_id: uuid.UUID) -> SequenceSeal | None:
    """The hub's sealed arm of a sequence position (none on a laptop)."""
    return session.get(SequenceSeal, entry_id)


def holds_seals(session: Session, study_id: uuid.UUID) -> bool:
    """Whether this database holds the study's sealed arms (the hub that drew the sequence)."""
    return (
        session.scalar(
            select(SequenceSeal.entry_id)
            .join(SequenceEntry, SequenceEntry.id == SequenceSeal.entry_id)
            .where(SequenceEntry.study_id == study_id)
            .limit(1)
        )
        is not None
    )


def unblinded_for(
    session: Session, study_id: uuid.UUID, patient_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """Whether this person unblinded this child's arm."""
    return (
        session.scalar(
            select(Unblinding.id)
            .where(
                Unblinding.study_id == study_id,
                Unblinding.patient_id == patient_id,
                Unblinding.created_by_id == user_id,
            )
            .limit(1)
        )
        is not None
    )


def unblinded_children(session: Session, study_id: uuid.UUID) -> int:
    """Children of a study whose arm someone unblinded."""
    return int(
        session.scalar(
            select(func.count(func.distinct(Unblinding.patient_id))).where(
                Unblinding.study_id == study_id
            )
        )
        or 0
    )


def queries_of(session: Session, study_id: uuid.UUID, patient_id: uuid.UUID) -> Sequence[SdvQuery]:
    """A child's monitoring queries in a study, oldest first."""
    return session.scalars(
        select(SdvQuery)
        .where(SdvQuery.study_id == study_id, SdvQuery.patient_id == patient_id)
        .order_by(SdvQuery.created_at)
    ).all()


def code_taken(session: Session, code: str) -> bool:
    """Whether a study (even deleted) already has this code."""
    return session.scalar(select(Study.id).where(Study.code == code).limit(1)) is not None
