"""Patients: register, read, change, search, soft-delete with a reason."""

import uuid

from fastapi import APIRouter, status

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import FromQuery, error_responses
from alima.core.schemas import (
    Page,
    PatientCreate,
    PatientDelete,
    PatientFilter,
    PatientRead,
    PatientSummary,
    PatientUpdate,
)
from alima.core.service import patients as service

router = APIRouter(
    prefix="/patients",
    tags=["patients"],
    responses=error_responses(
        not_found="No such patient in your scope",
        conflict="Likely duplicate (send confirm_not_duplicate) or conflict",
        invalid="Invalid input",
    ),
)


@router.post("", status_code=status.HTTP_201_CREATED)
def register_patient(body: PatientCreate, session: SessionDep, actor: ApiActor) -> PatientRead:
    """Register a patient; a likely duplicate is refused with 409 unless confirmed."""
    return service.register_patient(session, body, actor=actor)


@router.get("")
def search_patients(
    criteria: FromQuery[PatientFilter], session: SessionDep, actor: ApiActor
) -> Page[PatientSummary]:
    """Search by name (accent- and case-insensitive) or identifier."""
    return service.search_patients(session, criteria, actor=actor)


@router.get("/{patient_id}")
def get_patient(patient_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> PatientRead:
    """One patient (the read is audited)."""
    return service.get_patient(session, patient_id, actor=actor)


@router.patch("/{patient_id}")
def update_patient(
    patient_id: uuid.UUID, body: PatientUpdate, session: SessionDep, actor: ApiActor
) -> PatientRead:
    """Change some fields (before and after are audited)."""
    return service.update_patient(session, patient_id, body, actor=actor)


@router.delete("/{patient_id}")
def delete_patient(
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    deletion: FromQuery[PatientDelete],
) -> PatientRead:
    """Soft-delete with a reason (``?reason=``); the record is kept and audited."""
    return service.delete_patient(session, patient_id, deletion, actor=actor)
