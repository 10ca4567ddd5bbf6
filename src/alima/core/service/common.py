"""What every domain's services share: the audited get-or-404, audited writes, DTOs and rows.

Access (CONTRIBUTING.md "Access and audit"): a record outside the actor's scope is absent
(404), never forbidden, and the attempt is written to the audit log in a transaction that
commits before the error is raised.

* :func:`get_or_404` / :func:`get_patient_or_404` are whole read use cases: load by id, check
  the scope, audit the read or the refusal, build the DTO in one transaction, then raise
  ``NotFound`` (``CORE_001``) after the commit;
* inside a transaction the caller owns, :func:`audited` (a record about a patient) and
  :func:`audited_patient` (the patient, or a view of it; break-the-glass included) return the
  row when it may be read and ``None`` otherwise, the read or the refusal audited;
  :func:`audit_denied` audits a refused write; after the block, :func:`or_404` raises;
  :func:`audit_listed` / :func:`audit_patients_listed` audit a list that shows names;
* :func:`place_in_scope` is a place by code where a permission holds (else ``CORE_011``);
  :func:`record_date` a record's date, today by default and never in the future.

Writes, inside the caller's transaction: :func:`new_row` fills a new row from its form
(:func:`dto` is its twin for reads), :func:`add_created` / :func:`add_audited` add it with its
``CREATE`` event, :func:`audit_event` audits an event on a patient record, :func:`audit_changed` a change of
one (flushed), :func:`audit_saved`
a row entered or corrected, :func:`soft_delete` deletes with a reason.

The core imports no domain: a domain's rows only need the attributes of :class:`PatientData`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

import sqlalchemy
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.core import repository
from alima.core.access import Actor, Permission
from alima.core.audit import record, record_list, snapshot
from alima.core.enums import AuditAction
from alima.core.errors import CoreError, ErrorCode, NotFound, RuleViolation
from alima.core.models import Patient, Place
from alima.core.time import today, utcnow


class Placed(Protocol):
    """A row that happened at a place: the place decides who may see it."""

    @property
    def place_id(self) -> uuid.UUID:
        """Where it happened."""

    @property
    def place(self) -> Place:
        """The place itself (its path is the scope)."""


class PatientData(Placed, Protocol):
    """A row about a patient (or a child not registered yet: ``patient_id`` is then ``None``)."""

    @property
    def patient_id(self) -> uuid.UUID | None:
        """Whom it is about."""


class Identified(Protocol):
    """A row with its own id (``IdMixin``)."""

    @property
    def id(self) -> uuid.UUID:
        """The row's id."""


class PatientRecord(PatientData, Identified, Protocol):
    """A row about a patient, with its own id."""


class Deletable(PatientRecord, Protocol):
    """A record about a patient that is soft-deleted (``SoftDeleteMixin``)."""

    deleted_at: datetime | None
    deleted_reason: str | None
    deleted_by_id: uuid.UUID | None


P = TypeVar("P", bound=PatientData)
R = TypeVar("R")
X = TypeVar("X")
M = TypeVar("M", bound=BaseModel)


class _Attributes:
    """A row's attributes, with some values given instead (what a DTO computes)."""

    def __init__(self, row: object, given: dict[str, Any]) -> None:
        self._row = row
        self._given = given

    def __getattr__(self, name: str) -> Any:
        if name in self._given:
            return self._given[name]
        return getattr(self._row, name)


def dto(model: type[M], row: object, **given: Any) -> M:
    """The DTO ``model`` of ``row``, validated from its attributes (docs/style.md §2).

    A field takes the row's attribute of the same name unless ``given`` computes it (a name
    from a related row, a flag, a value in the reader's language).
    """
    return model.model_validate(_Attributes(row, given), from_attributes=True)


def not_found() -> NotFound:
    """The error for anything absent or outside the reader's scope."""
    return NotFound(CoreError.CORE_001)


def or_404(result: R | None) -> R:
    """``result``, or the ``NotFound`` of a refused or missing record (after the commit)."""
    if result is None:
        raise not_found()
    return result


def audit_read(
    session: Session,
    actor: Actor,
    *,
    allowed: bool,
    entity_type: str,
    entity_id: uuid.UUID,
    patient_id: uuid.UUID | None,
    place_id: uuid.UUID | None,
    detail: str | None = None,
) -> None:
    """Audit a read, or the refused attempt (``READ_DENIED``), inside the caller's transaction."""
    record(
        session,
        actor,
        AuditAction.READ if allowed else AuditAction.READ_DENIED,
        entity_type=entity_type,
        entity_id=entity_id,
        patient_id=patient_id,
        place_id=place_id,
        detail=detail,
    )


def at_place(actor: Actor, permission: Permission) -> Callable[[Placed], bool]:
    """Whether ``permission`` holds at the row's place (the usual scope of a record)."""
    return lambda row: actor.can_at(permission, row.place.path)


def audited(
    session: Session,
    actor: Actor,
    row: P | None,
    *,
    entity_type: str,
    entity_id: uuid.UUID,
    visible: Callable[[P], bool] | None = None,
    detail: str | None = None,
) -> P | None:
    """``row`` if the actor may read it (by default: ``PATIENT_READ`` at its place), else ``None``.

    The read, or the refusal, is audited against the row's patient and place.
    """
    check = visible or at_place(actor, Permission.PATIENT_READ)
    allowed = row is not None and check(row)
    audit_read(
        session,
        actor,
        allowed=allowed,
        entity_type=entity_type,
        entity_id=entity_id,
        patient_id=row.patient_id if row else None,
        place_id=row.place_id if row else None,
        detail=detail,
    )
    return row if allowed else None


#: Audit detail of a read made through a break-the-glass access (listed for coordinators).
EMERGENCY_READ = "break_glass"


def audited_patient(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    entity_type: str,
    *,
    visible: Callable[[Patient], bool],
    break_glass: bool = False,
    detail: str | None = None,
) -> Patient | None:
    """The patient if ``visible`` (inside the caller's transaction), else ``None``; audited.

    ``entity_type`` names what is read of the patient (the record, its care, its audit trail).
    With ``break_glass``, a patient the actor may not see opens while a break-the-glass access
    to it lasts (``actor.emergency_patient_ids``); such a read is marked :data:`EMERGENCY_READ`.
    """
    patient = repository.find_patient(session, patient_id)
    allowed = patient is not None and visible(patient)
    emergency = break_glass and patient is not None and patient.id in actor.emergency_patient_ids
    if emergency and not allowed:
        allowed, detail = True, EMERGENCY_READ
    audit_read(
        session,
        actor,
        allowed=allowed,
        entity_type=entity_type,
        entity_id=patient_id,
        patient_id=patient_id,
        place_id=patient.place_id if patient else None,
        detail=detail,
    )
    return patient if allowed else None


def _read_or_404(session: Session, load: Callable[[], X | None], read: Callable[[X], R]) -> R:
    """One transaction: ``read`` what ``load`` allows (auditing it); else 404 after commit."""
    with session.begin():
        row = load()
        result = read(row) if row is not None else None
    return or_404(result)


def get_patient_or_404(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    entity_type: str,
    *,
    visible: Callable[[Patient], bool],
    read: Callable[[Patient], R],
    break_glass: bool = False,
    detail: str | None = None,
) -> R:
    """:func:`get_or_404` for a patient: what ``read`` makes of the patient, if ``visible``.

    One transaction audits the read or the refusal (see :func:`audited_patient`); a refused or
    missing patient raises ``NotFound`` (``CORE_001``) once it has committed.
    """
    return _read_or_404(
        session,
        lambda: audited_patient(
            session,
            actor,
            patient_id,
            entity_type,
            visible=visible,
            break_glass=break_glass,
            detail=detail,
        ),
        read,
    )


def get_or_404(
    session: Session,
    actor: Actor,
    entity_id: uuid.UUID,
    *,
    find: Callable[[Session, uuid.UUID], P | None],
    read: Callable[[P], R],
    entity_type: str,
    visible: Callable[[P], bool] | None = None,
) -> R:
    """A whole read use case: the DTO of the row ``find`` gives, if the actor may read it.

    One transaction audits the read or the refusal (see :func:`audited`); a refused or missing
    row raises ``NotFound`` (``CORE_001``) once that transaction has committed.
    """
    return _read_or_404(
        session,
        lambda: audited(
            session,
            actor,
            find(session, entity_id),
            entity_type=entity_type,
            entity_id=entity_id,
            visible=visible,
        ),
        read,
    )


def audit_listed(
    session: Session, actor: Actor, entity_type: str, rows: Iterable[PatientRecord], detail: str
) -> None:
    """A list shows the names of the patients of ``rows``: one audited read per row.

    ``detail`` names the list (``record_list``); inside the caller's transaction.
    """
    rows_shown = [(row.id, row.patient_id, row.place_id) for row in rows]
    record_list(session, actor, entity_type=entity_type, rows=rows_shown, detail=detail)


def audit_patients_listed(
    session: Session, actor: Actor, patients: Iterable[Patient], detail: str
) -> None:
    """:func:`audit_listed` for a list of patients (a search, a cycle's children...)."""
    rows_shown = [(patient.id, patient.id, patient.place_id) for patient in patients]
    record_list(session, actor, entity_type="patient", rows=rows_shown, detail=detail)


def audit_denied(
    session: Session,
    actor: Actor,
    *,
    entity_type: str,
    entity_id: uuid.UUID | None,
    patient_id: uuid.UUID | None,
    place_id: uuid.UUID | None = None,
    detail: str | None = None,
) -> None:
    """Audit a refused write (``WRITE_DENIED``) inside the caller's transaction."""
    record(
        session,
        actor,
        AuditAction.WRITE_DENIED,
        entity_type=entity_type,
        entity_id=entity_id,
        patient_id=patient_id,
        place_id=place_id,
        detail=detail,
    )


def record_date(value: date | None, field: str, future: ErrorCode) -> date:
    """The date of a record: today by default; a day after today is refused with ``future``."""
    on = today()
    if value is None:
        return on
    if value > on:
        raise RuleViolation(future, field=field)
    return value


def place_in_scope(
    session: Session, actor: Actor, code: str, permission: Permission, **context: object
) -> Place:
    """The place called ``code`` if ``permission`` holds there; else ``NotFound`` ``CORE_011``.

    An unknown place and a place elsewhere look the same; ``context`` (a form ``field``...)
    goes with the error.
    """
    place = repository.find_place_by_code(session, code)
    if place is None or not actor.can_at(permission, place.path):
        raise NotFound(CoreError.CORE_011, code=code, **context)
    return place


def audit_event(
    session: Session,
    actor: Actor | None,
    action: AuditAction,
    entity_type: str,
    row: PatientRecord,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> None:
    """Audit ``action`` on a record about a patient, against its patient and place."""
    record(
        session,
        actor,
        action,
        entity_type=entity_type,
        entity_id=row.id,
        patient_id=row.patient_id,
        place_id=row.place_id,
        before=before,
        after=after,
        detail=detail,
    )


def audit_changed(
    session: Session,
    actor: Actor | None,
    entity_type: str,
    row: PatientRecord,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    detail: str | None = None,
) -> None:
    """Flush a change of a record about a patient and audit it (``UPDATE``, before and after)."""
    session.flush()
    audit_event(
        session,
        actor,
        AuditAction.UPDATE,
        entity_type,
        row,
        before=before,
        after=after,
        detail=detail,
    )


def add_created(
    session: Session,
    actor: Actor | None,
    row: Identified,
    entity_type: str,
    *,
    after: dict[str, Any],
    place_id: uuid.UUID | None,
    patient_id: uuid.UUID | None = None,
    detail: str | None = None,
) -> None:
    """Add a new row, flushed, with its ``CREATE`` audit event (inside the caller's transaction)."""
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        AuditAction.CREATE,
        entity_type=entity_type,
        entity_id=row.id,
        patient_id=patient_id,
        place_id=place_id,
        after=after,
        detail=detail,
    )


def audit_saved(
    session: Session,
    actor: Actor,
    row: Identified,
    entity_type: str,
    *,
    before: dict[str, Any] | None,
    fields: tuple[str, ...],
    place_id: uuid.UUID | None,
) -> None:
    """Flush a row entered or corrected, audited ``UPDATE`` (``before`` it) or ``CREATE``."""
    session.flush()
    record(
        session,
        actor,
        AuditAction.UPDATE if before else AuditAction.CREATE,
        entity_type=entity_type,
        entity_id=row.id,
        place_id=place_id,
        before=before,
        after=snapshot(row, fields),
    )


def add_audited(
    session: Session, actor: Actor, row: PatientRecord, entity_type: str, fields: tuple[str, ...]
) -> None:
    """:func:`add_created` for a record about a patient, ``fields`` as they are written."""
    after = snapshot(row, fields)
    add_created(
        session,
        actor,
        row,
        entity_type,
        after=after,
        place_id=row.place_id,
        patient_id=row.patient_id,
    )


def soft_delete(
    session: Session,
    actor: Actor,
    row: Deletable,
    entity_type: str,
    reason: str,
    *,
    also: Deletable | None = None,
) -> None:
    """Soft-delete ``row`` (and the record ``also`` that goes with it) with a reason, audited."""
    now = utcnow()
    for deleted in (row, also):
        if deleted is not None:
            deleted.deleted_at = now
            deleted.deleted_reason = reason
            deleted.deleted_by_id = actor.id
    session.flush()
    audit_event(session, actor, AuditAction.DELETE, entity_type, row, detail=reason)


T = TypeVar("T")


def _stored(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str) and not value:
        return None
    return value


def new_row(model: type[T], data: BaseModel, **given: Any) -> T:
    """A new ``model`` row from a form's ``data``: the twin of :func:`dto` for writes.

    Each column ``data`` has a field of the same name for takes its value (an enum as its
    value, an empty text as none); ``given`` sets the others (place, author, what the rules
    computed) and overrides (a date defaulted to today).
    """
    columns = sqlalchemy.inspect(model).columns.keys()
    copied = {
        name: _stored(getattr(data, name)) for name in type(data).model_fields if name in columns
    }
    return model(**(copied | given))
