"""What sync leaves for a person on the hub: laptops, conflicts to decide, quarantined records.

Data managers decide conflicts and quarantined records of the places in their scope (the
place of the conflict's row, the site of the laptop that pushed the record); administrators,
data managers and coordinators see the laptops of their places. A decision writes the row
through the ORM, so the change log sends it to every laptop that holds the row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from sqlalchemy import case, exc, func, select
from sqlalchemy.orm import Session

from alima.core import audit
from alima.core.access import Actor, Permission
from alima.core.changelog import ORIGIN, attribute_of, row_of, spec_of, values_of
from alima.core.enums import AuditAction
from alima.core.errors import BadRequest, Conflict, CoreError, NotFound
from alima.core.models import Place
from alima.sync import hub, merged
from alima.sync.decisions import LIST_LIMIT, REVIEW, close, reason_given, refuse_twice, require
from alima.sync.errors import SyncError
from alima.sync.models import SyncConflict, SyncNode, SyncQuarantine

#: Seeing the laptops: administrators, data managers and coordinators.
WATCH = Permission.AUDIT_READ

Choice = Literal["ours", "theirs", "merged"]
CHOICES: tuple[str, ...] = ("ours", "theirs", "merged")
KEEP_DELETED = "deleted"
RESTORE = "restore"


@dataclass(frozen=True)
class ConflictRow:
    """A conflict in the list."""

    id: uuid.UUID
    entity: str
    row_id: uuid.UUID
    kind: str
    fields: list[str]
    status: str
    created_at: datetime
    node_name: str


@dataclass(frozen=True)
class FieldView:
    """One field of a conflict, side by side."""

    name: str
    base: Any
    ours: Any
    theirs: Any
    now: Any


@dataclass(frozen=True)
class ConflictView:
    """A conflict and what its row holds now."""

    conflict: ConflictRow
    winner: str
    fields: list[FieldView]
    deleted: bool
    resolved_at: datetime | None
    resolution: dict[str, Any] | None


@dataclass(frozen=True)
class QuarantineRow:
    """A refused record."""

    id: uuid.UUID
    node_name: str
    site_code: str
    entity: str
    row_id: uuid.UUID | None
    reason: str
    status: str
    created_at: datetime
    note: str | None
    row: dict[str, Any]


@dataclass(frozen=True)
class Retried:
    """A retry: applied, or refused again with its reason."""

    applied: bool
    reason: str | None = None


def nodes(session: Session, *, actor: Actor) -> list[hub.NodeView]:
    """The laptops of the sites in the actor's places."""
    require(actor, WATCH)
    return [n for n in hub.list_nodes(session) if actor.can_at(WATCH, n.site_path)]


def laptops_enrolled(session: Session) -> int:
    """How many laptops are enrolled here (active ones): more than none, this is a hub."""
    with session.begin():
        query = select(func.count()).select_from(SyncNode).where(SyncNode.retired_at.is_(None))
        return int(session.scalar(query) or 0)


def _row_place(session: Session, conflict: SyncConflict) -> tuple[Any, Place | None]:
    """The conflict's row and its owning place (``None`` when either is gone)."""
    model = hub.model_for(conflict.entity)
    spec = spec_of(model) if model is not None else None
    if model is None or spec is None:
        return None, None
    row = session.get(model, conflict.row_id)
    place_id = attribute_of(session, row, spec.place) if row is not None else None
    return row, session.get(Place, place_id) if place_id is not None else None


def _node_names(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.execute(select(SyncNode.id, SyncNode.name)).all())


def _conflict_row(conflict: SyncConflict, names: dict[uuid.UUID, str]) -> ConflictRow:
    return ConflictRow(
        id=conflict.id,
        entity=conflict.entity,
        row_id=conflict.row_id,
        kind=conflict.kind,
        fields=list(conflict.fields),
        status=conflict.status,
        created_at=conflict.created_at,
        node_name=names.get(conflict.node_id, "") if conflict.node_id else "",
    )


def list_conflicts(session: Session, *, actor: Actor) -> list[ConflictRow]:
    """Conflicts of rows in the actor's places: open first, then automatic merges, newest first."""
    require(actor)
    order = case((SyncConflict.status == "open", 0), (SyncConflict.status == "auto", 1), else_=2)
    with session.begin():
        names = _node_names(session)
        rows = []
        query = select(SyncConflict).order_by(order, SyncConflict.created_at.desc())
        for conflict in session.scalars(query.limit(LIST_LIMIT)):
            _row, place = _row_place(session, conflict)
            if place is not None and actor.can_at(REVIEW, place.path):
                rows.append(_conflict_row(conflict, names))
        return rows


def _in_scope(session: Session, conflict_id: uuid.UUID, actor: Actor) -> tuple[SyncConflict, Any]:
    require(actor)
    conflict = session.get(SyncConflict, conflict_id, with_for_update=True)
    row, place = _row_place(session, conflict) if conflict is not None else (None, None)
    if conflict is None or row is None or place is None or not actor.can_at(REVIEW, place.path):
        raise NotFound(CoreError.CORE_001)
    return conflict, row


def _patient_id(session: Session, row: Any) -> uuid.UUID | None:
    spec = spec_of(type(row))
    if type(row).__tablename__ == "core_patient":
        return uuid.UUID(str(row.id))
    value = attribute_of(session, row, spec.patient) if spec is not None else None
    return uuid.UUID(str(value)) if value is not None else None


def _audit_row(
    session: Session,
    actor: Actor,
    action: AuditAction,
    conflict: SyncConflict,
    row: Any,
    *,
    detail: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit a read or a decision of the conflict's row, against the row's patient."""
    audit.record(
        session,
        actor,
        action,
        entity_type=conflict.entity,
        entity_id=conflict.row_id,
        patient_id=_patient_id(session, row),
        before=before,
        after=after,
        detail=detail,
    )


def get_conflict(session: Session, conflict_id: uuid.UUID, *, actor: Actor) -> ConflictView:
    """A conflict side by side with what the row holds now (a read of the record, audited)."""
    with session.begin():
        conflict, row = _in_scope(session, conflict_id, actor)
        now = row_of(row)
        _audit_row(session, actor, AuditAction.READ, conflict, row, detail="sync conflict")
        return ConflictView(
            conflict=_conflict_row(conflict, _node_names(session)),
            winner=conflict.winner,
            fields=[
                FieldView(
                    name=name,
                    base=conflict.base.get(name),
                    ours=conflict.ours.get(name),
                    theirs=conflict.theirs.get(name),
                    now=now.get(name),
                )
                for name in conflict.fields
            ],
            deleted=now.get("deleted_at") is not None,
            resolved_at=conflict.resolved_at,
            resolution=conflict.resolution,
        )


TRUE_WORDS = frozenset({"1", "true", "yes", "oui", "vrai"})
FALSE_WORDS = frozenset({"0", "false", "no", "non", "faux"})


def _typed(table: Any, name: str, text: str) -> Any:
    """A typed merged value in its JSON form (what ``values_of`` reads), or refused."""
    if not text:
        return None
    column = table.columns.get(name)
    if column is None:
        raise BadRequest(SyncError.SYNC_014, field=name)
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    length = getattr(column.type, "length", None)
    refused = BadRequest(SyncError.SYNC_014, field=name)
    if python_type is bool:
        if text.lower() not in TRUE_WORDS | FALSE_WORDS:
            raise refused
        return text.lower() in TRUE_WORDS
    if python_type is str:
        if length is not None and len(text) > length:
            raise refused
        return text
    try:
        if python_type in {int, float}:
            return python_type(text.replace(",", "."))
        if issubclass(python_type, Enum):
            return python_type(text).value
    except (TypeError, ValueError):
        raise refused from None
    return text  # dates, identifiers: read by values_of


def _field_values(
    conflict: SyncConflict, row: Any, choices: dict[str, str], merged: dict[str, str]
) -> dict[str, tuple[str, Any]]:
    """Each field's choice and the value it writes (from the JSON form of the row)."""
    decided: dict[str, tuple[str, Any]] = {}
    for name in conflict.fields:
        choice = choices.get(name, "")
        if choice not in CHOICES:
            raise BadRequest(SyncError.SYNC_013, field=name)
        if choice == "merged":
            value: Any = _typed(type(row).__table__, name, merged.get(name, "").strip())
        else:
            value = (conflict.ours if choice == "ours" else conflict.theirs).get(name)
        try:
            column_values = values_of(type(row).__table__, {name: value})
        except (TypeError, ValueError):
            raise BadRequest(SyncError.SYNC_014, field=name) from None
        if name not in column_values:
            raise BadRequest(SyncError.SYNC_014, field=name)
        decided[name] = (choice, column_values[name])
    return decided


def decide(
    session: Session,
    conflict_id: uuid.UUID,
    *,
    choices: dict[str, str],
    merged: dict[str, str] | None = None,
    actor: Actor,
) -> uuid.UUID:
    """Decide a conflict; the row is written, the conflict closed, both audited.

    ``choices`` gives each field ``ours``, ``theirs`` or ``merged`` (then typed in
    ``merged``); for a record changed against its deletion, ``{"": "deleted"}`` keeps it
    deleted and ``{"": "restore"}`` restores it with the laptop's change.
    """
    with session.begin():
        conflict, row = _in_scope(session, conflict_id, actor)
        if conflict.kind == "merged":
            raise Conflict(SyncError.SYNC_015)
        refuse_twice(conflict)
        before = {k: v for k, v in row_of(row).items() if k in conflict.fields}
        session.info.pop(ORIGIN, None)  # a person's decision goes to every laptop
        resolution: dict[str, Any]
        if conflict.kind == "delete":
            choice = choices.get("", "")
            if choice not in {KEEP_DELETED, RESTORE}:
                raise BadRequest(SyncError.SYNC_013, field=conflict.entity)
            if choice == RESTORE:
                for name, value in values_of(type(row).__table__, conflict.theirs).items():
                    setattr(row, name, value)
                for name in ("deleted_at", "deleted_reason", "deleted_by_id"):
                    setattr(row, name, None)
            resolution = {"delete": choice}
        else:
            decided = _field_values(conflict, row, choices, merged or {})
            for name, (_choice, value) in decided.items():
                setattr(row, name, value)
            resolution = {"fields": {name: choice for name, (choice, _v) in decided.items()}}
        try:
            session.flush()
        except (exc.IntegrityError, exc.DataError, exc.StatementError):
            raise BadRequest(SyncError.SYNC_014, field=", ".join(conflict.fields)) from None
        after = {k: v for k, v in row_of(row).items() if k in conflict.fields}
        resolution["values"] = after
        conflict.resolution = resolution
        close(conflict, "resolved", actor)
        _audit_row(
            session,
            actor,
            AuditAction.UPDATE,
            conflict,
            row,
            before=before,
            after=after,
            detail=f"sync conflict {conflict.id} decided",
        )
        return conflict.id


def acknowledge(session: Session, conflict_id: uuid.UUID, *, actor: Actor) -> uuid.UUID:
    """Mark an automatic merge as seen (nothing of the row changes)."""
    with session.begin():
        conflict, _row = _in_scope(session, conflict_id, actor)
        if conflict.kind != "merged":
            raise Conflict(SyncError.SYNC_016)  # an open decision is never acknowledged away
        refuse_twice(conflict, "auto")
        close(conflict, "seen", actor)
        _audit_decided(session, actor, conflict, "automatic merge acknowledged")
        return conflict.id


def _audit_decided(
    session: Session,
    actor: Actor,
    item: SyncConflict | SyncQuarantine,
    detail: str,
    node: SyncNode | None = None,
) -> None:
    """Audit a decision on the item itself (a quarantined record's at its laptop's site)."""
    audit.record(
        session,
        actor,
        AuditAction.UPDATE,
        entity_type=item.__tablename__,
        entity_id=item.id,
        place_id=node.site_id if node is not None else None,
        detail=detail,
    )


def _quarantine_row(item: SyncQuarantine, node: SyncNode) -> QuarantineRow:
    return QuarantineRow(
        id=item.id,
        node_name=node.name,
        site_code=node.site.code,
        entity=item.entity,
        row_id=item.row_id,
        reason=item.reason,
        status=item.status,
        created_at=item.created_at,
        note=item.note,
        row=dict(item.row or {}),
    )


def list_quarantine(session: Session, *, actor: Actor) -> list[QuarantineRow]:
    """Records refused from the laptops of the actor's sites, open first (reads, audited)."""
    require(actor)
    order = case((SyncQuarantine.status == "open", 0), else_=1)
    with session.begin():
        query = (
            select(SyncQuarantine, SyncNode)
            .join(SyncNode, SyncNode.id == SyncQuarantine.node_id)
            .order_by(order, SyncQuarantine.created_at.desc())
            .limit(LIST_LIMIT)
        )
        rows = [
            _quarantine_row(item, node)
            for item, node in session.execute(query)
            if actor.can_at(REVIEW, node.site.path)
        ]
        audit.record_list(
            session,
            actor,
            entity_type="sync_quarantine",
            rows=[(r.row_id, _quarantined_patient(r), None) for r in rows],
            detail="sync quarantine",
        )
        return rows


def _quarantined_patient(item: QuarantineRow) -> uuid.UUID | None:
    """The patient a refused record names, if it does (the patient itself, or its owner)."""
    value = item.row_id if item.entity == "core_patient" else item.row.get("patient_id")
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _quarantined(
    session: Session, item_id: uuid.UUID, actor: Actor
) -> tuple[SyncQuarantine, SyncNode]:
    require(actor)
    item = session.get(SyncQuarantine, item_id, with_for_update=True)
    node = session.get(SyncNode, item.node_id) if item is not None else None
    if item is None or node is None or not actor.can_at(REVIEW, node.site.path):
        raise NotFound(CoreError.CORE_001)
    refuse_twice(item)
    return item, node


def retry(session: Session, item_id: uuid.UUID, *, actor: Actor) -> Retried:
    """Apply a quarantined record again, as the push would (a fixed reference, a later site)."""
    with session.begin():
        item, node = _quarantined(session, item_id, actor)
        change = {"entity": item.entity, "row": item.row, "base": item.base}
        rewritten = merged.redirect_merged(session, [change])
        try:
            applied = hub.apply_change(session, node, node.site.path, change)
        finally:
            session.info.pop(ORIGIN, None)
        if applied.reason is not None:
            item.reason = applied.reason
            outcome = Retried(applied=False, reason=applied.reason)
        else:
            close(item, "applied", actor)
            merged.send_back(session, rewritten)
            outcome = Retried(applied=True)
        detail = f"retried: {'applied' if outcome.applied else outcome.reason}"
        _audit_decided(session, actor, item, detail, node)
        return outcome


def reject(session: Session, item_id: uuid.UUID, reason: str, *, actor: Actor) -> uuid.UUID:
    """Close a quarantined record without applying it, with the reason."""
    reason = reason_given(reason)
    with session.begin():
        item, node = _quarantined(session, item_id, actor)
        item.note = reason[:500]
        close(item, "rejected", actor)
        _audit_decided(session, actor, item, f"rejected: {reason[:200]}", node)
        return item.id
