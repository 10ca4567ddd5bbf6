"""The hub's side of sync: enrolment, receiving pushed changes, serving pages of changes.

One use case, one transaction: a push applies every change of its batch (each in a savepoint:
one bad record is quarantined, the rest lands) and moves the node's acknowledgement in the
same transaction, so a replayed batch changes nothing and a cut connection loses nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exc, select
from sqlalchemy.orm import Session, selectinload

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.community.models import Screening
from alima.core import audit
from alima.core.changelog import (
    ORIGIN,
    Change,
    attribute_of,
    publish,
    row_of,
    spec_of,
    values_of,
)
from alima.core.db import Base
from alima.core.enums import SERVICE_POINTS, AuditAction
from alima.core.errors import AlimaError, BadRequest, Conflict, NotFound, Unauthenticated
from alima.core.models import Patient, Place
from alima.core.time import utcnow
from alima.sync import repository, versions
from alima.sync.errors import SyncError
from alima.sync.merge import three_way
from alima.sync.models import SyncConflict, SyncEnrolment, SyncNode, SyncQuarantine, SyncShare

#: How long an enrolment code stays valid.
ENROLMENT_HOURS = 72
#: A node's clock this far ahead of the hub's is flagged.
CLOCK_TOLERANCE = timedelta(minutes=5)
#: Largest page a node may ask for.
MAX_PAGE = 2000
#: The password hash a laptop receives for a user who holds no role at its site.
UNUSABLE_PASSWORD = "!"  # noqa: S105 - matches no password


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.strip().upper().encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    """A one-time code to enrol a laptop for a site."""

    code: str
    site_code: str
    expires_at: datetime
    #: Rows written before sync (or loaded in bulk) now in the change log.
    published: int = 0


@dataclass(frozen=True)
class Enrolled:
    """What a laptop keeps after enrolment."""

    node_id: uuid.UUID
    credential: str
    site_code: str
    site_name: str


@dataclass(frozen=True)
class NodeView:
    """An enrolled laptop, as the hub's nodes page shows it."""

    id: uuid.UUID
    name: str
    site_code: str
    site_name: str
    enrolled_at: datetime
    retired_at: datetime | None
    last_contact_at: datetime | None
    pushed_seq: int
    pulled_seq: int
    lag: int
    open_conflicts: int
    open_quarantine: int
    clock_skew_seconds: int | None
    site_path: str = ""


@dataclass
class PushResult:
    """The hub's answer to a batch."""

    acked: int
    applied: int = 0
    skipped: int = 0
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    conflicts: int = 0
    future_clock: int = 0


@dataclass(frozen=True)
class Page:
    """A page of the hub's changes for one node."""

    changes: list[dict[str, Any]]
    cursor: int
    more: bool


def _site(session: Session, code: str) -> Place:
    place = session.scalars(select(Place).where(Place.code == code)).one_or_none()
    if place is None or place.kind not in SERVICE_POINTS:
        raise NotFound(SyncError.SYNC_006, code=code)
    return place


def invite(session: Session, site_code: str) -> Invitation:
    """Make a one-time enrolment code for a site (printed once; only its hash is kept)."""
    with session.begin():
        site = _site(session, site_code)
        raw = secrets.token_hex(6).upper()
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        expires = utcnow() + timedelta(hours=ENROLMENT_HOURS)
        session.add(SyncEnrolment(site_id=site.id, code_hash=_hash(code), expires_at=expires))
        audit.record(
            session,
            None,
            AuditAction.TOKEN_CREATED,
            entity_type="sync_enrolment",
            place_id=site.id,
            detail=f"enrolment code for {site.code}",
        )
        published = publish_missing(session)
        return Invitation(code, site.code, expires, published)


def enrol(session: Session, code: str, name: str, schema_head: str) -> Enrolled:
    """Exchange a one-time code for a credential bound to its site."""
    with session.begin():
        enrolment = session.scalars(
            select(SyncEnrolment).where(SyncEnrolment.code_hash == _hash(code)).with_for_update()
        ).one_or_none()
        if enrolment is None or enrolment.used_at is not None or enrolment.expires_at < utcnow():
            raise Unauthenticated(SyncError.SYNC_001)
        versions.check(schema_head)
        site = session.get_one(Place, enrolment.site_id)
        active = repository.active_node(session, site.id)
        if active is not None:
            raise Conflict(SyncError.SYNC_002, site=site.code, node=active.name)
        credential = secrets.token_urlsafe(32)
        node = SyncNode(
            name=name[:100] or site.code,
            site_id=site.id,
            credential_hash=_hash(credential),
            schema_head=schema_head,
        )
        session.add(node)
        session.flush()
        enrolment.used_at = utcnow()
        enrolment.node_id = node.id
        audit.record(
            session,
            None,
            AuditAction.CREATE,
            entity_type="sync_node",
            entity_id=node.id,
            place_id=site.id,
            detail=f"laptop {node.name} enrolled",
        )
        return Enrolled(node.id, credential, site.code, site.name)


def retire(session: Session, site_code: str, reason: str) -> str:
    """Retire the site's enrolled laptop: its credential stops working at its next request."""
    with session.begin():
        site = _site(session, site_code)
        node = repository.active_node(session, site.id)
        if node is None:
            raise NotFound(SyncError.SYNC_010, node=site_code)
        node.retired_at = utcnow()
        node.retired_reason = reason
        audit.record(
            session,
            None,
            AuditAction.TOKEN_REVOKED,
            entity_type="sync_node",
            entity_id=node.id,
            place_id=site.id,
            detail=reason,
        )
        return node.name


def list_nodes(session: Session) -> list[NodeView]:
    """Every laptop ever enrolled, with its lag and what waits for a person."""
    with session.begin():
        head = repository.head_seq(session)
        conflicts, quarantine = repository.open_counts(session)
        return [
            NodeView(
                id=node.id,
                name=node.name,
                site_code=node.site.code,
                site_name=node.site.name,
                enrolled_at=node.enrolled_at,
                retired_at=node.retired_at,
                last_contact_at=node.last_contact_at,
                pushed_seq=node.pushed_seq,
                pulled_seq=node.pulled_seq,
                lag=max(0, head - node.pulled_seq),
                open_conflicts=conflicts.get(node.id, 0),
                open_quarantine=quarantine.get(node.id, 0),
                clock_skew_seconds=node.clock_skew_seconds,
                site_path=node.site.path,
            )
            for node in repository.list_nodes(session)
        ]


def _node(session: Session, credential: str, schema_head: str, *, lock: bool = False) -> SyncNode:
    """The laptop holding ``credential``, once its schema is known to be one the hub serves."""
    node = (
        repository.node_by_credential(session, _hash(credential), lock=lock) if credential else None
    )
    if node is None or node.retired_at is not None:
        raise Unauthenticated(SyncError.SYNC_003)
    versions.check(schema_head)
    node.last_contact_at = utcnow()
    node.schema_head = schema_head
    return node


# -- push ----------------------------------------------------------------------------------------


def model_for(entity: str) -> type[Any] | None:
    """The mapped model of the table ``entity``, if any."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == entity:
            return mapper.class_
    return None


class _Refused(Exception):
    """A change the hub will not apply; its reason goes to quarantine."""

    def __init__(self, reason: str, *, out_of_scope: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.out_of_scope = out_of_scope


def _paths_of(session: Session, obj: object, spec: Any) -> tuple[str | None, str | None]:
    ids = (attribute_of(session, obj, spec.place), attribute_of(session, obj, spec.shared_place))
    paths = repository.place_paths(session, {i for i in ids if i is not None})
    return paths.get(ids[0]) if ids[0] else None, paths.get(ids[1]) if ids[1] else None


def _check_scope(session: Session, obj: object, spec: Any, site_path: str) -> bool:
    """Whether the node's site owns the row (True) or only shares it (False); else refuse."""
    owner, shared = _paths_of(session, obj, spec)
    if owner is not None and owner.startswith(site_path):
        return True
    if shared is not None and shared.startswith(site_path):
        return False
    raise _Refused("outside this laptop's site", out_of_scope=True)


def _apply(session: Session, node: SyncNode, site_path: str, change: dict[str, Any]) -> int:
    """Apply one pushed change; returns the number of conflicts it raised."""
    model = model_for(str(change.get("entity")))
    spec = spec_of(model) if model is not None else None
    if model is None or spec is None or spec.kind not in {"site", "upload"}:
        raise _Refused(f"{change.get('entity')}: not written by a laptop")
    row = change.get("row")
    if not isinstance(row, dict) or "id" not in row:
        raise _Refused("no row")
    values = values_of(model.__table__, row)
    existing = session.get(model, values["id"])
    session.info[ORIGIN] = node.id
    if existing is None:
        obj = model(**values)
        session.add(obj)
        session.flush()
        if spec.kind == "site":
            _check_scope(session, obj, spec, site_path)
        return 0
    if spec.kind == "upload":
        return 0  # append-only: already here
    owns = _check_scope(session, existing, spec, site_path)
    ours = row_of(existing)
    base = change.get("base") or {}
    merge = three_way(base, row, ours, theirs_own_it=owns)
    conflicts = 0
    if merge.against_delete or merge.conflicts:
        conflicts = 1
        session.add(
            SyncConflict(
                entity=model.__tablename__,
                row_id=existing.id,
                kind="delete" if merge.against_delete else "field",
                fields=list(merge.conflicts),
                base={k: base.get(k) for k in merge.conflicts},
                ours={k: ours.get(k) for k in merge.conflicts},
                theirs={k: row.get(k) for k in merge.conflicts},
                winner="theirs" if owns and not merge.against_delete else "ours",
                node_id=node.id,
            )
        )
    elif merge.hub_changed:
        session.add(
            SyncConflict(
                entity=model.__tablename__,
                row_id=existing.id,
                kind="merged",
                fields=list(merge.hub_changed),
                base={k: row.get(k) for k in merge.hub_changed},
                ours={k: ours.get(k) for k in merge.hub_changed},
                theirs={k: row.get(k) for k in merge.hub_changed},
                winner="ours",
                node_id=node.id,
                status="auto",
            )
        )
    new = values_of(model.__table__, merge.apply)
    for key, value in new.items():
        setattr(existing, key, value)
    result = {**ours, **merge.apply}
    if any(result.get(k) != row.get(k) for k in result if k != "updated_at"):
        # The node must receive the hub's version: it is not the one it sent.
        session.info[ORIGIN] = None
        if not new:
            publish(session, [existing])
    session.flush()
    if new:
        _check_scope(session, existing, spec, site_path)
    return conflicts


@dataclass(frozen=True)
class Applied:
    """The outcome of one pushed change: its conflicts, or why it was refused."""

    conflicts: int = 0
    #: Why the change was refused (nothing of it was written), or ``None``.
    reason: str | None = None
    out_of_scope: bool = False


def apply_change(
    session: Session, node: SyncNode, site_path: str, change: dict[str, Any]
) -> Applied:
    """Apply one pushed change in a savepoint: written whole, or refused with its reason.

    The push applies each change of a batch through it; a data manager's retry of a
    quarantined record too. The caller removes ``session.info[ORIGIN]`` afterwards.
    """
    savepoint = session.begin_nested()
    try:
        conflicts = _apply(session, node, site_path, change)
        savepoint.commit()
    except (_Refused, AlimaError, exc.SQLAlchemyError, ValueError, TypeError) as error:
        savepoint.rollback()
        reason = (
            error.reason
            if isinstance(error, _Refused)
            else error.message
            if isinstance(error, AlimaError)
            else f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
        )
        return Applied(
            reason=reason, out_of_scope=isinstance(error, _Refused) and error.out_of_scope
        )
    return Applied(conflicts=conflicts)


def _share(session: Session, entity: str, row: dict[str, Any]) -> None:
    """A referral or a transfer gives the destination's site the patient and its records."""
    if entity == "community_referral":
        patient, place = row.get("patient_id"), row.get("place_id")
        if not patient and row.get("screening_id"):
            screening = session.get(Screening, uuid.UUID(str(row["screening_id"])))
            patient = str(screening.patient_id) if screening and screening.patient_id else None
    elif entity == "nutrition_episode":
        patient, place = row.get("patient_id"), row.get("transfer_place_id")
    else:
        return
    if not patient or not place:
        return
    patient_id, place_id = uuid.UUID(patient), uuid.UUID(place)
    patient_row = session.get(Patient, patient_id)
    place_row = session.get(Place, place_id)
    if patient_row is None or place_row is None:
        return
    for where in {place_row, patient_row.place}:
        if patient_row.place.path.startswith(where.path):
            continue  # the owning site has it already
        if repository.share_exists(session, patient_id, where.id):
            continue
        session.add(SyncShare(patient_id=patient_id, place_id=where.id, reason=entity))
        session.flush()
        publish(session, repository.patient_rows(session, patient_id), audience_path=where.path)


def receive(
    session: Session,
    credential: str,
    schema_head: str,
    since: int,
    changes: Sequence[dict[str, Any]],
) -> PushResult:
    """Apply a batch pushed by a node (idempotent by the node's change numbers)."""
    with session.begin():
        node = _node(session, credential, schema_head, lock=True)
        site_path = node.site.path
        result = PushResult(acked=node.pushed_seq)
        if since > node.pushed_seq:
            # The node thinks the hub has more than it does (a restored hub): resend from ours.
            return result
        last = node.pushed_seq
        future = utcnow() + CLOCK_TOLERANCE
        for change in sorted(changes, key=lambda c: int(c.get("seq", 0))):
            seq = int(change.get("seq", 0))
            if seq <= last:
                result.skipped += 1
                continue
            hlc = change.get("hlc")
            if isinstance(hlc, int) and hlc > future.timestamp() * 1000:
                result.future_clock += 1
                node.clock_skew_seconds = int(hlc / 1000 - utcnow().timestamp())
            try:
                applied = apply_change(session, node, site_path, change)
                if applied.reason is not None:
                    reason = applied.reason
                    _quarantine(session, node, seq, change, reason)
                    result.quarantined.append({"seq": seq, "reason": reason})
                    if applied.out_of_scope:
                        audit.record(
                            session,
                            None,
                            AuditAction.WRITE_DENIED,
                            entity_type=str(change.get("entity"))[:60],
                            place_id=node.site_id,
                            detail=f"sync push from {node.name}: {reason}",
                        )
                else:
                    result.conflicts += applied.conflicts
                    result.applied += 1
                    _share(session, str(change.get("entity")), change.get("row") or {})
            finally:
                session.info.pop(ORIGIN, None)
            last = seq
        node.pushed_seq = last
        result.acked = last
        return result


def _quarantine(
    session: Session, node: SyncNode, seq: int, change: dict[str, Any], reason: str
) -> None:
    row = change.get("row") if isinstance(change.get("row"), dict) else None
    row_id = None
    if row is not None:
        try:
            row_id = uuid.UUID(str(row.get("id")))
        except ValueError:
            row_id = None
    session.add(
        SyncQuarantine(
            node_id=node.id,
            node_seq=seq,
            entity=str(change.get("entity"))[:60],
            row_id=row_id,
            row=row,
            base=change.get("base") if isinstance(change.get("base"), dict) else None,
            reason=reason,
        )
    )
    session.flush()


# -- pull ----------------------------------------------------------------------------------------


def serve(session: Session, credential: str, schema_head: str, cursor: int, limit: int) -> Page:
    """The next page of changes for the node's scope after ``cursor`` (a hub change number)."""
    if cursor < 0:
        raise BadRequest(SyncError.SYNC_008)
    limit = max(1, min(limit, MAX_PAGE))
    with session.begin():
        node = _node(session, credential, schema_head)
        node.pulled_seq = max(node.pulled_seq, cursor)
        site_path = node.site.path
        rows = repository.changes_for(session, node.id, site_path, cursor, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        with_password = repository.users_with_role_in_lineage(session, site_path)
        changes = []
        for change in rows:
            row = dict(change.row)
            if change.kind == "users" and uuid.UUID(row["id"]) not in with_password:
                row["password_hash"] = (
                    UNUSABLE_PASSWORD  # not a user of this site: cannot sign in here
                )
            changes.append({"seq": change.seq, "entity": change.entity, "row": row})
        next_cursor = rows[-1].seq if rows else cursor
        return Page(changes=changes, cursor=next_cursor, more=more)


def publish_missing(session: Session, *, chunk: int = 5000) -> int:
    """Put in the change log every synced row never in it; returns how many.

    Rows written before sync existed, or loaded in bulk, are published once, parents first
    (``alima node invite`` runs it, so a laptop's first pull finds the site's whole history).
    """
    count = 0
    models = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
    for table in Base.metadata.sorted_tables:
        model = models.get(table.name)
        spec = spec_of(model) if model is not None else None
        if model is None or spec is None or spec.kind in {"local", "upload"}:
            continue
        attrs = (spec.place, spec.shared_place, spec.patient)
        parents = {a.split(".")[0] for a in attrs if a and "." in a}
        options = [selectinload(getattr(model, r)) for r in sorted(parents)]
        missing = (
            select(model)
            .where(~table.c.id.in_(select(Change.row_id).where(Change.entity == table.name)))
            .options(*options)
        )
        if "depth" in table.c:
            missing = missing.order_by(table.c.depth)
        rows = list(session.scalars(missing))
        for start in range(0, len(rows), chunk):
            publish(session, rows[start : start + chunk])
        count += len(rows)
    return count


__all__ = [
    "Applied",
    "Change",
    "Enrolled",
    "Invitation",
    "NodeView",
    "Page",
    "PushResult",
    "apply_change",
    "enrol",
    "invite",
    "list_nodes",
    "model_for",
    "publish_missing",
    "receive",
    "retire",
    "serve",
]
