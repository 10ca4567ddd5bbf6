"""Access, place and date checks shared by the care use cases (no transaction here).

A patient outside the reader's scope is absent (404), never forbidden, and the attempt is
audited in a transaction that commits before the error is raised (as ``core`` does).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.care.errors import CareError
from alima.care.schemas import CareFormRead, PlaceOption
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import SERVICE_POINTS, PlaceKind, Sex
from alima.core.errors import CoreError, Forbidden, RuleViolation
from alima.core.models import Patient, Place
from alima.core.service.common import (
    audit_denied,
    get_patient_or_404,
    new_row,
    not_found,
    place_in_scope,
    record_date,
)
from alima.core.time import age_in_months, today

SERVICE_POINT_KINDS = [k.value for k in SERVICE_POINTS]
R = TypeVar("R")
T = TypeVar("T")


def completed_months(birth_date: date, on: date) -> int:
    """Age in completed months: the one age of ``alima.core.time.age_in_months``."""
    return age_in_months(birth_date, on)


def patient_name(patient: Patient) -> str:
    """Given and family names."""
    return f"{patient.given_name} {patient.family_name}"


def readable(actor: Actor, patient: Patient | None) -> bool:
    """A live patient the actor may read."""
    return (
        patient is not None
        and patient.deleted_at is None
        and actor.can_at(Permission.PATIENT_READ, patient.place.path)
    )


class ForPatient(Protocol):
    """What a care form posts: at least the patient it is about."""

    @property
    def patient_id(self) -> uuid.UUID:
        """The patient the record is about."""


D = TypeVar("D", bound=ForPatient)


def write_for_patient(
    session: Session,
    actor: Actor,
    data: D,
    entity_type: str,
    write: Callable[[Session, Patient, D, Actor], R],
    *,
    check: Callable[[D], None] | None = None,
) -> R:
    """The use case of a care record: ``write`` it in one transaction for a patient in scope.

    Refused without ``PATIENT_WRITE`` (403), then by ``check`` on the data alone; a patient
    absent, deleted or outside the actor's scope is absent (404) once the refused write is
    audited and committed.
    """
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    if check is not None:
        check(data)
    with session.begin():
        patient = core_repository.find_patient(session, data.patient_id)
        if readable(actor, patient) and patient is not None:
            return write(session, patient, data, actor)
        audit_denied(
            session, actor, entity_type=entity_type, entity_id=None, patient_id=data.patient_id
        )
    raise not_found()


def place_options(session: Session, actor: Actor) -> list[PlaceOption]:
    """Service points where the actor may record care."""
    places = core_repository.list_places(
        session, actor.paths_for(Permission.PATIENT_WRITE), kinds=SERVICE_POINT_KINDS
    )
    return [PlaceOption(code=p.code, name=p.name, kind=p.kind) for p in places]


def default_place(session: Session, actor: Actor, patient: Patient) -> Place | None:
    """The patient's own service point if the actor may write there, else their only one."""
    if PlaceKind(patient.place.kind) in SERVICE_POINTS and actor.can_at(
        Permission.PATIENT_WRITE, patient.place.path
    ):
        return patient.place
    points = core_repository.list_places(
        session, actor.paths_for(Permission.PATIENT_WRITE), kinds=SERVICE_POINT_KINDS
    )
    return points[0] if len(points) == 1 else None


def care_place(session: Session, actor: Actor, place_code: str | None, patient: Patient) -> Place:
    """Where care is recorded: a service point in the actor's writing scope."""
    if place_code:
        place = place_in_scope(
            session, actor, place_code, Permission.PATIENT_WRITE, field="place_code"
        )
        if PlaceKind(place.kind) not in SERVICE_POINTS:
            raise RuleViolation(CareError.CARE_012, field="place_code")
        return place
    default = default_place(session, actor, patient)
    if default is None:
        raise RuleViolation(CareError.CARE_012, field="place_code")
    return default


def care_date(value: date | None, patient: Patient, field: str) -> date:
    """The date of a record: today by default, never in the future nor before birth."""
    on = record_date(value, field, CareError.CARE_002)
    if value is not None and value < patient.birth_date:
        raise RuleViolation(CareError.CARE_003, field=field)
    return on


def require_woman(patient: Patient) -> None:
    """Antenatal, delivery and postnatal records are for women."""
    if patient.sex != Sex.FEMALE.value:
        raise RuleViolation(CareError.CARE_009, field="__all__")


def care_form(
    session: Session,
    patient_id: uuid.UUID,
    *,
    actor: Actor,
    form: str,
    complete: Callable[[CareFormRead, Patient], None] | None = None,
) -> CareFormRead:
    """The use case of opening a care form: the patient and the places it needs (audited read).

    One transaction; ``complete`` adds what one form needs more. A patient the actor may not
    read or write for is absent (404) once the refused read is committed.
    """

    def read(patient: Patient) -> CareFormRead:
        result = _form(session, actor, patient)
        if complete is not None:
            complete(result, patient)
        return result

    return get_patient_or_404(
        session,
        actor,
        patient_id,
        "patient",
        visible=lambda p: readable(actor, p) and actor.can(Permission.PATIENT_WRITE),
        read=read,
        detail=form,
    )


def _form(session: Session, actor: Actor, patient: Patient) -> CareFormRead:
    default = default_place(session, actor, patient)
    return CareFormRead(
        patient_id=patient.id,
        patient_identifier=patient.identifier,
        patient_name=patient_name(patient),
        patient_sex=Sex(patient.sex),
        patient_age_months=completed_months(patient.birth_date, today()),
        places=place_options(session, actor),
        default_place_code=default.code if default else None,
    )


def care_record(
    model: type[T], data: BaseModel, patient: Patient, place: Place, actor: Actor, **given: Any
) -> T:
    """A new care record of ``patient`` at ``place`` by ``actor``, filled from the form's ``data``."""
    return new_row(
        model,
        data,
        patient_id=patient.id,
        patient=patient,
        place_id=place.id,
        place=place,
        created_by_id=actor.id,
        **given,
    )
