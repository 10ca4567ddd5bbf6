"""Oversight of patient data: break-the-glass emergency access and the read audit.

The read audit lives here rather than in the core: the audit log is the core's, but who may
review and export it, per partner agreement, is a co-management decision. It reads the core's
append-only ``AuditEvent`` rows; nothing is copied.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from alima.alliance import repository, rules
from alima.alliance.errors import AllianceError
from alima.alliance.models import BreakGlassGrant, EmergencyAlert
from alima.alliance.schemas import (
    EmergencyAccessCreate,
    EmergencyAccessRead,
    EmergencyAlertRead,
    EmergencyOpened,
    ReadAuditFilter,
    ReadAuditPage,
    ReadEventRead,
)
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.config import Settings
from alima.core.enums import AuditAction
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation, Throttled
from alima.core.i18n import N_, gettext
from alima.core.labels import label_text
from alima.core.models import Organisation
from alima.core.service import auth
from alima.core.service.common import EMERGENCY_READ, audit_denied
from alima.core.time import utcnow

#: Export rows at most (a month of a country's reads fits; beyond, filter by dates).
MAX_EXPORT_ROWS = 50_000
#: Cells starting with these would be formulas in a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _emergency_read(
    grant: BreakGlassGrant, organisation: Organisation | None, reads: int, now: datetime
) -> EmergencyAccessRead:
    return EmergencyAccessRead(
        id=grant.id,
        username=grant.user.username,
        full_name=grant.user.full_name,
        organisation_code=organisation.code if organisation else None,
        patient_id=grant.patient_id,
        patient_identifier=grant.patient.identifier,
        place_name=grant.patient.place.name,
        reason=grant.reason,
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        active=grant.expires_at > now,
        reads=reads,
    )


def open_emergency_access(
    session: Session, data: EmergencyAccessCreate, *, actor: Actor, settings: Settings
) -> EmergencyOpened:
    """Open a patient outside the clinician's scope for a limited time, with a reason.

    Nothing is opened when the patient is already in the clinician's scope. The access is
    audited and listed for coordinators; each read under it is marked in the audit log.
    """
    if not actor.can(Permission.BREAK_GLASS):
        raise Forbidden(CoreError.CORE_002)
    now = utcnow()
    with session.begin():
        patient = repository.find_patient_by_identifier(session, data.identifier)
        if patient is None:
            raise NotFound(AllianceError.ALLIANCE_019, identifier=data.identifier)
        if actor.can_at(Permission.PATIENT_READ, patient.place.path):
            return EmergencyOpened(patient_id=patient.id, access=None)
        if not rules.is_real_reason(data.reason):
            raise RuleViolation(AllianceError.ALLIANCE_025, field="reason")
        opened_today = repository.count_break_glass_since(
            session, actor.id, now - timedelta(hours=24)
        )
        capped = opened_today >= settings.break_glass_max_per_day
        if capped:
            # The refusal and the coordinators' alert are kept (committed), then refused.
            session.add(
                EmergencyAlert(
                    user_id=actor.id,
                    patient_id=patient.id,
                    detail=data.reason,
                    created_at=now,
                )
            )
            audit_denied(
                session,
                actor,
                entity_type="break_glass_grant",
                entity_id=None,
                patient_id=patient.id,
                place_id=patient.place_id,
                detail=f"cap of {settings.break_glass_max_per_day} reached: {data.reason}"[:500],
            )
    if capped:
        raise Throttled(AllianceError.ALLIANCE_026, count=opened_today)
    with session.begin():
        patient = repository.find_patient_by_identifier(session, data.identifier)
        assert patient is not None  # noqa: S101 - found just above, patients are never deleted
        grant = BreakGlassGrant(
            user_id=actor.id,
            patient_id=patient.id,
            reason=data.reason,
            created_at=now,
            expires_at=rules.emergency_expiry(now, settings.break_glass_hours),
        )
        session.add(grant)
        session.flush()
        record(
            session,
            actor,
            AuditAction.BREAK_GLASS,
            entity_type="break_glass_grant",
            entity_id=grant.id,
            patient_id=patient.id,
            place_id=patient.place_id,
            detail=data.reason,
        )
        rows = repository.list_break_glass(session, [], user_id=actor.id, limit=1)
        opened = EmergencyOpened(patient_id=patient.id, access=_emergency_read(*rows[0], now))
    auth.forget_api_actors()  # the access holds from the next API call, cached actor or not
    return opened


def emergency_accesses(session: Session, *, actor: Actor) -> list[EmergencyAccessRead]:
    """Emergency accesses to patients in the coordinator's scope, and the actor's own."""
    if not (actor.can(Permission.AUDIT_READ) or actor.can(Permission.BREAK_GLASS)):
        raise Forbidden(CoreError.CORE_002)
    now = utcnow()
    with session.begin():
        rows = repository.list_break_glass(
            session, actor.paths_for(Permission.AUDIT_READ), user_id=actor.id
        )
        return [_emergency_read(g, o, n, now) for g, o, n in rows]


def emergency_alerts(session: Session, *, actor: Actor) -> list[EmergencyAlertRead]:
    """Alerts for the coordinators: who reached the daily cap, on which patient, why."""
    if not actor.can(Permission.AUDIT_READ):
        return []
    with session.begin():
        alerts = repository.list_emergency_alerts(session, actor.paths_for(Permission.AUDIT_READ))
        return [
            EmergencyAlertRead(
                id=a.id,
                created_at=a.created_at,
                username=a.user.username,
                full_name=a.user.full_name,
                patient_identifier=a.patient.identifier,
                place_name=a.patient.place.name,
                reason=a.detail,
            )
            for a in alerts
        ]


def _bounds(criteria: ReadAuditFilter) -> tuple[datetime | None, datetime | None]:
    since = datetime.combine(criteria.since, time(), tzinfo=UTC) if criteria.since else None
    until = (
        datetime.combine(criteria.until, time(), tzinfo=UTC) + timedelta(days=1)
        if criteria.until
        else None
    )
    return since, until


def _reads(
    session: Session, paths: tuple[str, ...], criteria: ReadAuditFilter, limit: int, offset: int
) -> tuple[list[ReadEventRead], int]:
    since, until = _bounds(criteria)
    rows, total = repository.list_reads(
        session,
        paths,
        since=since,
        until=until,
        username=criteria.username or None,
        identifier=criteria.identifier or None,
        limit=limit,
        offset=offset,
    )
    return [
        ReadEventRead(
            at=event.at,
            username=username,
            organisation_code=organisation,
            patient_id=event.patient_id,
            patient_identifier=identifier,
            place_name=place,
            record=event.entity_type,
            action=event.action,
            channel=event.channel,
            emergency=event.detail == EMERGENCY_READ,
        )
        for event, username, organisation, identifier, place in rows
    ], total


def read_audit(session: Session, criteria: ReadAuditFilter, *, actor: Actor) -> ReadAuditPage:
    """Who opened which patient record, and when, at places in the actor's audit scope."""
    paths = actor.paths_for(Permission.AUDIT_READ)
    if not paths:
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        items, total = _reads(session, paths, criteria, criteria.limit, criteria.offset)
        record(
            session, actor, AuditAction.READ, entity_type="read_audit", detail=_describe(criteria)
        )
        return ReadAuditPage(items=items, total=total, limit=criteria.limit, offset=criteria.offset)


#: Column titles of the read-audit export, in the reader's language.
EXPORT_COLUMNS = (
    N_("When (UTC)"),
    N_("User"),
    N_("Organisation"),
    N_("Patient identifier"),
    N_("Place"),
    N_("Record"),
    N_("Action"),
    N_("Channel"),
    N_("Emergency access"),
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_read_audit(
    session: Session, criteria: ReadAuditFilter, *, actor: Actor
) -> list[list[str]]:
    """The read audit as rows of text for a CSV file, header first (patient-level export).

    Coordinators whose agreement allows it only.

    The export itself is audited, with its filters and row count.
    """
    paths = tuple(
        p
        for p in actor.paths_for(Permission.AUDIT_READ)
        if actor.can_at(Permission.PATIENT_EXPORT, p)
    )
    if not paths:
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        items, _total = _reads(session, paths, criteria, MAX_EXPORT_ROWS, 0)
        rows = [[gettext(c) for c in EXPORT_COLUMNS]]
        yes, no = gettext(N_("yes")), gettext(N_("no"))
        for item in items:
            rows.append(
                [
                    _cell(value)
                    for value in (
                        item.at.isoformat(timespec="seconds"),
                        item.username,
                        item.organisation_code,
                        item.patient_identifier,
                        item.place_name,
                        label_text(item.record),
                        label_text(item.action),
                        label_text(item.channel),
                        yes if item.emergency else no,
                    )
                ]
            )
        record(
            session,
            actor,
            AuditAction.EXPORT,
            entity_type="read_audit",
            detail=f"{_describe(criteria)} rows={len(items)}",
        )
        return rows


def _describe(criteria: ReadAuditFilter) -> str:
    parts = [
        f"{name}={value}"
        for name, value in (
            ("since", criteria.since),
            ("until", criteria.until),
            ("user", criteria.username),
            ("patient", criteria.identifier),
        )
        if value
    ]
    return " ".join(parts)[:500]
