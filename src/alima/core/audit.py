"""Writing audit events inside the caller's transaction (no commit here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.changelog import insert_new
from alima.core.enums import AuditAction
from alima.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """A JSON-safe copy of some attributes (for ``before``/``after``)."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record(
    session: Session,
    actor: Actor | None,
    action: AuditAction,
    *,
    entity_type: str,
    entity_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    place_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's transaction)."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action.value,
        entity_type=entity_type,
        entity_id=entity_id,
        patient_id=patient_id,
        place_id=place_id,
        channel=actor.channel if actor else "system",
        before=before,
        after=after,
        detail=detail,
        ip=actor.ip if actor else None,
    )
    session.add(event)
    return event


def record_many(
    session: Session,
    actor: Actor | None,
    action: AuditAction,
    *,
    entity_type: str,
    events: Iterable[dict[str, Any]],
) -> None:
    """:func:`record` for many events at once, written in bulk with their change log.

    Each event gives some of ``entity_id``, ``patient_id``, ``place_id``, ``before``,
    ``after``, ``detail``; the actor, action and channel are the same for all. For a use case
    that writes many rows at once (``alima.core.changelog.insert_new``). Inside the caller's
    transaction.
    """
    fields = ("entity_id", "patient_id", "place_id", "before", "after", "detail")
    rows = [
        {
            "actor_id": actor.id if actor else None,
            "action": action.value,
            "entity_type": entity_type,
            "channel": actor.channel if actor else "system",
            "ip": actor.ip if actor else None,
            **{key: event.get(key) for key in fields},
        }
        for event in events
    ]
    insert_new(session, AuditEvent, rows)


#: Prefix of the detail of a read made by showing a list (search results, a caseload...): such
#: reads are audited like any other, but do not count as the patient being "opened".
LIST_READ = "list: "


def record_list(
    session: Session,
    actor: Actor | None,
    *,
    entity_type: str,
    rows: Iterable[tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]],
    detail: str,
) -> None:
    """Audit a list that shows people's names: one read per row shown.

    ``rows`` are ``(entity_id, patient_id, place_id)``; ``detail`` names the list (a search,
    the pending referrals...), stored after :data:`LIST_READ`. Inside the caller's transaction.
    """
    for entity_id, patient_id, place_id in rows:
        record(
            session,
            actor,
            AuditAction.READ,
            entity_type=entity_type,
            entity_id=entity_id,
            patient_id=patient_id,
            place_id=place_id,
            detail=f"{LIST_READ}{detail}",
        )


def record_refusal(session: Session, actor: Actor, *, method: str, path: str) -> None:
    """Audit a refused request (403) in a transaction of its own, which commits."""
    with session.begin():
        record(
            session,
            actor,
            AuditAction.READ_DENIED if method in {"GET", "HEAD"} else AuditAction.WRITE_DENIED,
            entity_type="request",
            detail=f"{method} {path}"[:500],
        )
