"""Queries of research (never commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.models import Organisation
from alima.research.models import (
    Allocation,
    Consent,
    ConsentForm,
    Screening,
    SdvQuery,
    SequenceEntry,
    SequenceSeal,
    Study,
    StudySite,
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
