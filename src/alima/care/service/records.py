"""A patient's care records on one page, and soft deletion of any care record."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from alima.care import repository
from alima.care.models import AntenatalVisit, Consultation, Delivery, PostnatalVisit, Surgery
from alima.care.schemas import CareRecordsRead, RecordDelete
from alima.care.service import common
from alima.care.service.consultations import consultation_read
from alima.care.service.maternal import antenatal_read, delivery_read, postnatal_read
from alima.care.service.surgery import surgery_read
from alima.core.access import Actor, Permission
from alima.core.enums import Sex
from alima.core.models import Patient
from alima.core.service.common import audit_denied, get_patient_or_404, not_found, soft_delete
from alima.core.time import age_in_months, today


class CareRecordKind(StrEnum):
    """The kinds of patient-level care record (URL segment and audit entity type)."""

    CONSULTATION = "consultation"
    ANTENATAL_VISIT = "antenatal_visit"
    DELIVERY = "delivery"
    POSTNATAL_VISIT = "postnatal_visit"
    SURGERY = "surgery"


MODELS: dict[CareRecordKind, Any] = {
    CareRecordKind.CONSULTATION: Consultation,
    CareRecordKind.ANTENATAL_VISIT: AntenatalVisit,
    CareRecordKind.DELIVERY: Delivery,
    CareRecordKind.POSTNATAL_VISIT: PostnatalVisit,
    CareRecordKind.SURGERY: Surgery,
}


def patient_care(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> CareRecordsRead:
    """Every live care record of a patient, newest first; the read is audited."""
    return get_patient_or_404(
        session,
        actor,
        patient_id,
        "patient_care",
        visible=lambda patient: common.readable(actor, patient),
        read=lambda patient: _care_records(session, patient),
    )


def _care_records(session: Session, patient: Patient) -> CareRecordsRead:
    return CareRecordsRead(
        patient_id=patient.id,
        patient_identifier=patient.identifier,
        patient_name=common.patient_name(patient),
        patient_sex=Sex(patient.sex),
        patient_age_months=age_in_months(patient.birth_date, today()),
        patient_place=patient.place.name,
        consultations=[
            consultation_read(c) for c in repository.list_consultations(session, patient.id)
        ],
        antenatal_visits=[
            antenatal_read(v) for v in repository.list_antenatal_visits(session, patient.id)
        ],
        deliveries=[delivery_read(d) for d in repository.list_deliveries(session, patient.id)],
        postnatal_visits=[
            postnatal_read(v) for v in repository.list_postnatal_visits(session, patient.id)
        ],
        surgeries=[surgery_read(s) for s in repository.list_patient_surgeries(session, patient.id)],
    )


def delete_record(
    session: Session,
    kind: CareRecordKind,
    record_id: uuid.UUID,
    data: RecordDelete,
    *,
    actor: Actor,
) -> None:
    """Soft-delete a care record with a reason (kept, hidden from pages and indicators)."""
    with session.begin():
        row = repository.find_record(session, MODELS[kind], record_id)
        if (
            row is not None
            and row.deleted_at is None
            and actor.can_at(Permission.PATIENT_DELETE, row.place.path)
        ):
            soft_delete(session, actor, row, kind.value, data.reason)
            return
        audit_denied(
            session,
            actor,
            entity_type=kind.value,
            entity_id=record_id,
            patient_id=row.patient_id if row else None,
            detail="delete",
        )
    raise not_found()
