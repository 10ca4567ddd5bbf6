"""Registering, finding, reading, changing and deleting patients; every access is audited.

A patient outside the reader's scope is reported as absent (404), never as forbidden, so the
existence of a record elsewhere does not leak; the attempt itself is written to the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alima.core import repository
from alima.core.access import Actor, Permission
from alima.core.audit import record, snapshot
from alima.core.enums import SERVICE_POINTS, AuditAction, PlaceKind
from alima.core.errors import (
    BadRequest,
    Conflict,
    CoreError,
    Forbidden,
    NotFound,
    RuleViolation,
)
from alima.core.i18n import N_, gettext
from alima.core.models import Patient, Place
from alima.core.schemas import (
    AuditEventRead,
    DuplicateWarning,
    FieldChange,
    HomeRead,
    Page,
    PatientCreate,
    PatientDelete,
    PatientFilter,
    PatientRead,
    PatientSummary,
    PatientUpdate,
    PlaceRead,
)
from alima.core.service.common import (
    audit_denied,
    audit_patients_listed,
    dto,
    get_patient_or_404,
    not_found,
    place_in_scope,
)
from alima.core.service.places import place_read
from alima.core.text import fold
from alima.core.time import age_in_months, birth_date_for_age, today, utcnow

#: Birth dates this close count as "the same child" when either is an estimate.
ESTIMATED_AGE_TOLERANCE_DAYS = 183

#: Shorter queries are searched as names only (an identifier needs at least this many characters).
MIN_IDENTIFIER_QUERY = 3
#: A phone number is searched from this many digits.
MIN_PHONE_QUERY = 4

AUDITED_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "caregiver_name",
    "village",
    "phone",
)


class DuplicateSuspected(Exception):
    """Raised when a registration looks like an existing patient and was not confirmed."""

    def __init__(self, warning: DuplicateWarning) -> None:
        super().__init__(warning.message)
        self.warning = warning


def _read(patient: Patient, on: date | None = None) -> PatientRead:
    return dto(
        PatientRead,
        patient,
        age_months=age_in_months(patient.birth_date, on or today()),
        place_code=patient.place.code,
        place_name=patient.place.name,
        deleted=patient.deleted_at is not None,
    )


def _summary(patient: Patient) -> PatientSummary:
    return dto(
        PatientSummary,
        patient,
        age_months=age_in_months(patient.birth_date, today()),
        place_name=patient.place.name,
    )


def _search_name(given: str, family: str) -> str:
    return fold(f"{given} {family}")


def _birth_date(data: PatientCreate, on: date) -> tuple[date, bool]:
    if data.birth_date is not None:
        if data.birth_date > on:
            raise RuleViolation(CoreError.CORE_017)
        return data.birth_date, False
    months = data.estimated_age_months or 0
    return birth_date_for_age(months, on), True


def _registration_place(session: Session, actor: Actor, place_code: str | None) -> Place:
    paths = actor.paths_for(Permission.PATIENT_WRITE)
    if place_code:
        place = place_in_scope(session, actor, place_code, Permission.PATIENT_WRITE)
    else:
        points = repository.list_places(session, paths, kinds=[k.value for k in SERVICE_POINTS])
        if len(points) != 1:
            raise BadRequest(CoreError.CORE_004, fields="place_code")
        place = points[0]
    if PlaceKind(place.kind) not in SERVICE_POINTS:
        raise BadRequest(CoreError.CORE_004, fields="place_code")
    return place


def _next_identifier(session: Session, place: Place) -> str:
    sequence = repository.count_patients_at(session, place.id) + 1
    while True:
        candidate = f"{place.code}-{sequence:05d}"
        if not repository.identifier_exists(session, candidate):
            return candidate
        sequence += 1


#: Tries at a free identifier when registrations at one facility race (PostgreSQL); each
#: lost race means another registration just committed, so a handful always suffices.
IDENTIFIER_ATTEMPTS = 50


def _insert_with_identifier(session: Session, place: Place, fields: dict[str, Any]) -> Patient:
    """Insert the patient under the facility's next free identifier, whoever registers too.

    Two simultaneous registrations compute the same next number; the second insert waits for
    the first to commit, fails on the unique identifier, and takes the following number in a
    savepoint, so neither user sees a conflict. (SQLite's single writer queues them anyway.)
    """
    for _ in range(IDENTIFIER_ATTEMPTS):
        identifier = _next_identifier(session, place)
        patient = Patient(identifier=identifier, **fields)
        try:
            with session.begin_nested():
                session.add(patient)
        except IntegrityError as exc:
            if not repository.identifier_exists(session, identifier):
                raise Conflict(CoreError.CORE_009) from exc
            continue
        return patient
    raise Conflict(CoreError.CORE_009)


def register_patient(
    session: Session,
    data: PatientCreate,
    *,
    actor: Actor,
    then: Callable[[Patient], None] | None = None,
) -> PatientRead:
    """Register a patient at a service point in the actor's scope.

    Raises ``DuplicateSuspected`` when a likely duplicate exists (same names, sex and village,
    birth dates equal, or close when estimated) unless the caller confirmed it is not one.
    ``then`` runs in the same transaction on the new patient (a referral linking the child):
    if it refuses, nothing is registered.
    """
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    on = today()
    birth_date, estimated = _birth_date(data, on)
    search_name = _search_name(data.given_name, data.family_name)
    search_village = fold(data.village)
    with session.begin():
        place = _registration_place(session, actor, data.place_code)
        if not data.confirm_not_duplicate:
            tolerance = ESTIMATED_AGE_TOLERANCE_DAYS if estimated else 0
            find = partial(
                repository.find_duplicates,
                session,
                actor.paths_for(Permission.PATIENT_READ),
                search_name=search_name,
                sex=data.sex.value,
                search_village=search_village,
                birth_date=birth_date,
            )
            candidates = find(tolerance_days=tolerance)
            # An existing child registered with an estimated age matches within the tolerance.
            candidates += [
                c
                for c in find(tolerance_days=ESTIMATED_AGE_TOLERANCE_DAYS)
                if c.birth_date_estimated and c not in candidates
            ]
            if candidates:
                warning = DuplicateWarning(
                    message=gettext(
                        N_(
                            "A patient with the same names, sex, age and village is already "
                            "registered. Open the existing record, or confirm that this is "
                            "another child."
                        )
                    ),
                    candidates=[_summary(c) for c in candidates],
                )
                raise DuplicateSuspected(warning)
        fields = {
            "given_name": data.given_name,
            "family_name": data.family_name,
            "sex": data.sex.value,
            "birth_date": birth_date,
            "birth_date_estimated": estimated,
            "caregiver_name": data.caregiver_name or None,
            "village": data.village or None,
            "phone": data.phone or None,
            "place_id": place.id,
            "place": place,
            "search_name": search_name,
            "search_village": search_village,
            "created_by_id": actor.id,
        }
        patient = _insert_with_identifier(session, place, fields)
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="patient",
            entity_id=patient.id,
            patient_id=patient.id,
            place_id=place.id,
            after=snapshot(patient, AUDITED_FIELDS),
        )
        if then is not None:
            then(patient)
        return _read(patient, on)


def _visible(actor: Actor, patient: Patient | None, permission: Permission) -> bool:
    return patient is not None and actor.can_at(permission, patient.place.path)


def _can(actor: Actor, permission: Permission) -> Callable[[Patient], bool]:
    return lambda patient: actor.can_at(permission, patient.place.path)


def get_patient(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> PatientRead:
    """Open a patient record; the read (or the refused attempt) is audited.

    A patient outside the actor's scope opens while a break-the-glass access to it lasts
    (``actor.emergency_patient_ids``); such reads are marked in the audit log.
    """
    return get_patient_or_404(
        session,
        actor,
        patient_id,
        "patient",
        visible=_can(actor, Permission.PATIENT_READ),
        read=_read,
        break_glass=True,
    )


def can_open(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> bool:
    """Whether the actor may open a patient's record (a merged duplicate's kept patient).

    Reads nothing of the patient but its place; the opening itself is audited when it happens.
    """
    with session.begin():
        patient = repository.find_patient(session, patient_id)
        return _visible(actor, patient, Permission.PATIENT_READ) or (
            patient_id in actor.emergency_patient_ids
        )


def _changeable(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    permission: Permission,
    *,
    refusal_place: bool,
    detail: str | None = None,
) -> tuple[Patient | None, Exception | None]:
    """The live patient if ``permission`` holds at its place, else the error to raise.

    The refusal is audited (inside the caller's transaction, at the patient's place when
    ``refusal_place``): 403 for a patient the actor can read, 404 otherwise.
    """
    patient = repository.find_patient(session, patient_id)
    live = patient is not None and patient.deleted_at is None
    if live and _visible(actor, patient, permission):
        return patient, None
    audit_denied(
        session,
        actor,
        entity_type="patient",
        entity_id=patient_id,
        patient_id=patient_id,
        place_id=patient.place_id if patient and refusal_place else None,
        detail=detail,
    )
    if live and _visible(actor, patient, Permission.PATIENT_READ):
        return None, Forbidden(CoreError.CORE_002)
    return None, not_found()


def update_patient(
    session: Session, patient_id: uuid.UUID, data: PatientUpdate, *, actor: Actor
) -> PatientRead:
    """Change some fields; before and after values go to the audit log."""
    changes = data.model_dump(exclude_unset=True)
    with session.begin():
        patient, denied = _changeable(
            session, actor, patient_id, Permission.PATIENT_WRITE, refusal_place=True
        )
        if patient is not None:
            before = snapshot(patient, AUDITED_FIELDS)
            for name, value in changes.items():
                if name in {"given_name", "family_name", "sex", "birth_date"} and value is None:
                    continue
                if name == "birth_date" and value > today():
                    raise RuleViolation(CoreError.CORE_017)
                setattr(patient, name, value.value if name == "sex" else value)
            patient.search_name = _search_name(patient.given_name, patient.family_name)
            patient.search_village = fold(patient.village)
            patient.version += 1
            session.flush()
            record(
                session,
                actor,
                AuditAction.UPDATE,
                entity_type="patient",
                entity_id=patient.id,
                patient_id=patient.id,
                place_id=patient.place_id,
                before=before,
                after=snapshot(patient, AUDITED_FIELDS),
            )
            result = _read(patient)
    if denied is not None:
        raise denied
    return result


def delete_patient(
    session: Session, patient_id: uuid.UUID, data: PatientDelete, *, actor: Actor
) -> PatientRead:
    """Soft-delete a patient with a reason (the record stays, hidden from searches)."""
    with session.begin():
        patient, denied = _changeable(
            session,
            actor,
            patient_id,
            Permission.PATIENT_DELETE,
            refusal_place=False,
            detail="delete",
        )
        if patient is not None:
            patient.deleted_at = utcnow()
            patient.deleted_reason = data.reason
            patient.deleted_by_id = actor.id
            patient.version += 1
            session.flush()
            record(
                session,
                actor,
                AuditAction.DELETE,
                entity_type="patient",
                entity_id=patient.id,
                patient_id=patient.id,
                place_id=patient.place_id,
                detail=data.reason,
            )
            result = _read(patient)
    if denied is not None:
        raise denied
    return result


def search_patients(
    session: Session, criteria: PatientFilter, *, actor: Actor
) -> Page[PatientSummary]:
    """Find patients in scope by name, caregiver's name, identifier or its end, or phone.

    Names are accent- and case-insensitive; an identifier matches by its start or its end (the
    last characters printed on the card); a phone number by its digits.
    """
    query = criteria.q.strip()
    tokens = [t for t in fold(query).split(" ") if t][:6]
    identifier = query if len(query) >= MIN_IDENTIFIER_QUERY else ""
    digits = "".join(c for c in query if c.isdigit())
    phone = digits if len(digits) >= MIN_PHONE_QUERY and len(digits) >= len(query) // 2 else ""
    if not tokens and not identifier:
        return Page[PatientSummary](items=[], total=0, limit=criteria.limit, offset=criteria.offset)
    with session.begin():
        place_path = None
        if criteria.place_code:
            place = repository.find_place_by_code(session, criteria.place_code)
            if place is None or not actor.can_at(Permission.PATIENT_READ, place.path):
                # Unknown and out of scope look the same; the attempt is audited (committed).
                record(
                    session,
                    actor,
                    AuditAction.READ_DENIED,
                    entity_type="place",
                    entity_id=place.id if place else None,
                    place_id=place.id if place else None,
                    detail=f"search place_code={criteria.place_code}",
                )
                place_path = None
            else:
                place_path = place.path
        refused = bool(criteria.place_code) and place_path is None
        rows, total = (
            ([], 0)
            if refused
            else repository.search_patients(
                session,
                actor.paths_for(Permission.PATIENT_READ),
                tokens=tokens,
                identifier=identifier,
                phone=phone,
                place_path=place_path,
                limit=criteria.limit,
                offset=criteria.offset,
            )
        )
        # A list of names is a read of each patient shown.
        audit_patients_listed(session, actor, rows, "search")
        page = Page[PatientSummary](
            items=[_summary(p) for p in rows],
            total=total,
            limit=criteria.limit,
            offset=criteria.offset,
        )
    if refused:
        raise NotFound(CoreError.CORE_011, code=criteria.place_code)
    return page


def patient_audit_trail(
    session: Session, patient_id: uuid.UUID, *, actor: Actor
) -> tuple[PatientRead, list[AuditEventRead]]:
    """The audit trail of a patient, for data managers and coordinators in scope."""
    return get_patient_or_404(
        session,
        actor,
        patient_id,
        "patient_audit",
        visible=_can(actor, Permission.AUDIT_READ),
        read=lambda patient: (_read(patient), _audit_events(session, patient_id)),
    )


def _audit_events(session: Session, patient_id: uuid.UUID) -> list[AuditEventRead]:
    return [
        dto(AuditEventRead, e, actor=username, changes=_changes(e.before, e.after))
        for e, username in repository.list_patient_audit(session, patient_id)
    ]


def _changes(
    before: dict[str, object] | None, after: dict[str, object] | None
) -> list[FieldChange]:
    before, after = before or {}, after or {}
    return [
        FieldChange(field=name, before=before.get(name), after=after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]


def home(session: Session, *, actor: Actor) -> HomeRead:
    """The actor's service points and recently seen patients."""
    with session.begin():
        paths = actor.paths_for(Permission.PLACE_READ)
        points = repository.list_places(session, paths, kinds=[k.value for k in SERVICE_POINTS])
        recent = (
            repository.recent_patients_read_by(
                session, actor.id, actor.paths_for(Permission.PATIENT_READ)
            )
            if actor.can(Permission.PATIENT_READ)
            else []
        )
        audit_patients_listed(session, actor, recent, "recently seen")
        places: list[PlaceRead] = [place_read(p) for p in points]
        return HomeRead(
            places=places,
            recent_patients=[_summary(p) for p in recent],
            roles=sorted(r.value for r in actor.roles),
        )


def registration_places(session: Session, *, actor: Actor) -> list[PlaceRead]:
    """Service points where the actor may register patients."""
    with session.begin():
        paths = actor.paths_for(Permission.PATIENT_WRITE)
        points = repository.list_places(session, paths, kinds=[k.value for k in SERVICE_POINTS])
        return [place_read(p) for p in points]
