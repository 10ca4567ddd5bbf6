"""From a submitted instance to the service the web form calls (same rules, dose, audit, lock).

Each form's fields are named after its service's schema, so the mapping is: empty answers
left out, yes/no as booleans, the child's identifier turned into the record it names, then the
schema validates and the service records. What the service refuses is raised unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from alima.care.schemas import ConsultationCreate
from alima.care.service.consultations import record_consultation
from alima.community.schemas import ScreeningCreate
from alima.community.service import record_screening
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.errors import NotFound, RuleViolation
from alima.core.models import Patient
from alima.interop.openrosa.catalogue import CONSULTATION, SCREENING, VISIT
from alima.interop.openrosa.errors import OpenRosaError
from alima.interop.openrosa.instance import Instance
from alima.nutrition import repository as nutrition_repository
from alima.nutrition.schemas import VisitCreate
from alima.nutrition.service import record_visit

S = TypeVar("S", bound=BaseModel)

YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class Applied:
    """The record a submission made."""

    entity_type: str
    entity_id: uuid.UUID
    place_code: str


def answers(fields: dict[str, str], *, booleans: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The answers given (empty ones left out), yes/no fields as booleans."""
    result: dict[str, Any] = {}
    for name, value in fields.items():
        if value == "":
            continue
        result[name] = YES_NO.get(value, value) if name in booleans else value
    return result


def validated(schema: type[S], values: dict[str, Any]) -> S:
    """``values`` as ``schema``; the first invalid field is a refusal naming it."""
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(p) for p in error["loc"]) or "?"
        raise RuleViolation(
            OpenRosaError.ODK_006, field=name, value=str(values.get(name, ""))[:60]
        ) from exc


def patient_by_identifier(session: Session, actor: Actor, identifier: str) -> Patient:
    """The patient with ``identifier`` in the actor's places (inside a transaction)."""
    patient = core_repository.find_patient_by_identifier(session, identifier)
    if patient is None or not actor.can_at(Permission.PATIENT_WRITE, patient.place.path):
        raise RuleViolation(
            OpenRosaError.ODK_008, identifier=identifier, field="patient_identifier"
        )
    return patient


def _screening(
    session: Session, fields: dict[str, str], actor: Actor, place_code: str | None
) -> Applied:
    values = answers(fields)
    if place_code:
        values.setdefault("place_code", place_code)
    identifier = values.pop("patient_identifier", None)
    if identifier:
        with session.begin():
            values["patient_id"] = str(patient_by_identifier(session, actor, identifier).id)
    data = validated(ScreeningCreate, values)
    screening = record_screening(session, data, actor=actor)
    return Applied("community_screening", screening.id, screening.place_code)


VISIT_BOOLEANS = frozenset(
    {"appetite_test_passed", "danger_signs", "complications", "confirm_unusual"}
)


def _visit(
    session: Session,
    fields: dict[str, str],
    actor: Actor,
    place_code: str | None,
) -> Applied:
    values = answers(fields, booleans=VISIT_BOOLEANS)
    identifier = str(values.pop("patient_identifier", ""))
    with session.begin():
        patient = patient_by_identifier(session, actor, identifier)
        episode = nutrition_repository.find_open_episode(session, patient.id)
        if episode is None:
            raise RuleViolation(
                OpenRosaError.ODK_007, identifier=identifier, field="patient_identifier"
            )
        episode_id, place_code = episode.id, episode.place.code
    data = validated(VisitCreate, values)
    result = record_visit(session, episode_id, data, actor=actor)
    return Applied("nutrition_visit", result.visit.id, place_code)


CONSULTATION_BOOLEANS = frozenset(
    {"cough", "chest_indrawing", "stridor", "fever_history", "stiff_neck", "referred"}
)
#: Answers that are lists: a select_multiple, and codes typed with spaces between them.
CONSULTATION_LISTS = ("danger_signs", "diagnoses")


def _consultation(
    session: Session, fields: dict[str, str], actor: Actor, place_code: str | None
) -> Applied:
    values = answers(fields, booleans=CONSULTATION_BOOLEANS)
    for name in CONSULTATION_LISTS:
        if name in values:
            values[name] = str(values[name]).split()
    identifier = str(values.pop("patient_identifier", ""))
    with session.begin():
        values["patient_id"] = str(patient_by_identifier(session, actor, identifier).id)
    if place_code:
        values.setdefault("place_code", place_code)
    consultation = record_consultation(session, validated(ConsultationCreate, values), actor=actor)
    return Applied("care_consultation", consultation.id, consultation.place_code)


#: The service that records each form.
APPLY: dict[str, Callable[[Session, dict[str, str], Actor, str | None], Applied]] = {
    SCREENING: _screening,
    VISIT: _visit,
    CONSULTATION: _consultation,
}


def apply(
    session: Session, instance: Instance, actor: Actor, *, place_code: str | None = None
) -> Applied:
    """Record ``instance`` through its form's service (each call opens its own transactions).

    ``place_code`` is where the record belongs when the form does not say (a data manager
    re-applying a nurse's submission records it at the nurse's place, not at their own).
    """
    recorder = APPLY.get(instance.form_id or "")
    if recorder is None:
        raise NotFound(OpenRosaError.ODK_003, form_id=instance.form_id or "?")
    return recorder(session, instance.fields, actor, place_code)
