"""The emergency surgery log of hospitals."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.care import repository
from alima.care.catalogue import default_catalogue
from alima.care.errors import CareError
from alima.care.models import Surgery
from alima.care.schemas import CareFormRead, SurgeryCreate, SurgeryFilter, SurgeryRead
from alima.care.service import common
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.i18n import get_locale
from alima.core.models import Patient
from alima.core.service.common import add_audited, audit_listed, dto
from alima.core.time import today


def surgery_read(surgery: Surgery) -> SurgeryRead:
    """The DTO of a surgery log entry (procedure label in the current language)."""
    return dto(
        SurgeryRead,
        surgery,
        patient_identifier=surgery.patient.identifier,
        place_code=surgery.place.code,
        place_name=surgery.place.name,
        procedure_label=default_catalogue().procedure_label(surgery.procedure, get_locale()),
    )


def surgery_form(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> CareFormRead:
    """The patient and places for the surgery form (audited read)."""
    return common.care_form(session, patient_id, actor=actor, form="surgery")


def record_surgery(session: Session, data: SurgeryCreate, *, actor: Actor) -> SurgeryRead:
    """Add an operation to the surgery log of the hospital."""
    return common.write_for_patient(
        session, actor, data, "surgery", _record_surgery, check=_check_surgery
    )


def _check_surgery(data: SurgeryCreate) -> None:
    if data.procedure not in default_catalogue().procedure_codes():
        raise RuleViolation(CareError.CARE_005, code=data.procedure, field="procedure")


def _record_surgery(
    session: Session, patient: Patient, data: SurgeryCreate, actor: Actor
) -> SurgeryRead:
    place = common.care_place(session, actor, data.place_code, patient)
    on = common.care_date(data.operated_on, patient, "operated_on")
    surgery = common.care_record(Surgery, data, patient, place, actor, operated_on=on)
    add_audited(
        session, actor, surgery, "surgery", ("operated_on", "procedure", "indication", "outcome")
    )
    return surgery_read(surgery)


def surgery_log(
    session: Session, criteria: SurgeryFilter, *, actor: Actor
) -> tuple[list[SurgeryRead], date, date]:
    """The surgery log of the actor's hospitals over a period (default: this year); audited."""
    paths = actor.paths_for(Permission.PATIENT_READ)
    if not paths:
        raise NotFound(CoreError.CORE_001)
    end = criteria.end or today()
    start = criteria.start or date(end.year, 1, 1)
    with session.begin():
        place_id = None
        if criteria.place_code:
            place = core_repository.find_place_by_code(session, criteria.place_code)
            if place is None or not actor.can_at(Permission.PATIENT_READ, place.path):
                raise NotFound(CoreError.CORE_011, code=criteria.place_code)
            paths = (place.path,)
            place_id = place.id
        rows = repository.list_surgeries(session, paths, start, end)
        record(
            session,
            actor,
            AuditAction.READ,
            entity_type="surgery_log",
            place_id=place_id,
            detail=f"{start.isoformat()}..{end.isoformat()}: {len(rows)}",
        )
        audit_listed(session, actor, "care_surgery", rows, "surgery log")
        return [surgery_read(s) for s in rows], start, end
