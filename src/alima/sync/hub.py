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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.core import audit
from alima.core.changelog import (
    Change,
    model_for,
    publish,
    serialise,
    spec_of,
    uuid_of,
)
from alima.core.db import Base
from alima.core.enums import SERVICE_POINTS, AuditAction
from alima.core.errors import BadRequest, Conflict, NotFound, Unauthenticated
from alima.core.models import Place
from alima.core.time import utcnow
from alima.sync import duplicates, merged, repository, versions
from alima.sync.apply import (
    Applied,
    PushResult,
    apply_change,
    apply_one,
    flag_clocks,
    try_batch,
)
from alima.sync.errors import SyncError
from alima.sync.models import SyncEnrolment, SyncNode

#: How long an enrolment code stays valid.
ENROLMENT_HOURS = 72
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


def _audit(
    session: Session, action: AuditAction, site: Place, detail: str, node: SyncNode | None = None
) -> None:
    """Audit a command of the hub's administrator on a site's laptop (or its enrolment codes)."""
    audit.record(
        session,
        None,
        action,
        entity_type="sync_enrolment" if node is None else "sync_node",
        entity_id=None if node is None else node.id,
        place_id=site.id,
        detail=detail,
    )


def invite(session: Session, site_code: str) -> Invitation:
    """Make a one-time enrolment code for a site (printed once; only its hash is kept)."""
    with session.begin():
        site = _site(session, site_code)
        raw = secrets.token_hex(6).upper()
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        expires = utcnow() + timedelta(hours=ENROLMENT_HOURS)
        session.add(SyncEnrolment(site_id=site.id, code_hash=_hash(code), expires_at=expires))
        _audit(session, AuditAction.TOKEN_CREATED, site, f"enrolment code for {site.code}")
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
        _audit(session, AuditAction.CREATE, site, f"laptop {node.name} enrolled", node)
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
        _audit(session, AuditAction.TOKEN_REVOKED, site, reason, node)
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
        todo = sorted(
            (c for c in changes if int(c.get("seq", 0)) > last), key=lambda c: int(c["seq"])
        )
        result.skipped = len(changes) - len(todo)
        flag_clocks(node, todo, result)
        # A record for a patient merged meanwhile lands on the kept patient (read under the
        # numbering lock, which a merge holds until it commits).
        if todo:
            serialise(session)
        rewritten = merged.redirect_merged(session, todo) if todo else []
        conflicts = try_batch(session, node, site_path, todo) if todo else 0
        if conflicts is not None:
            result.applied, result.conflicts = len(todo), conflicts
            last = int(todo[-1]["seq"]) if todo else last
        else:
            for change in todo:
                apply_one(session, node, site_path, change, result)
                last = int(change["seq"])
        merged.send_back(session, rewritten)
        arrived = {
            uuid.UUID(str(c["row"]["id"]))
            for c in todo
            if c.get("entity") == "core_patient" and isinstance(c.get("row"), dict)
        }
        duplicates.queue_arrivals(session, arrived)
        node.pushed_seq = last
        result.acked = last
        return result


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
        rows, next_cursor = repository.changes_for(session, node.id, site_path, cursor, limit)
        more = next_cursor < repository.head_seq(session)
        with_password = repository.users_with_role_in_lineage(session, site_path)
        changes = []
        for change in rows:
            # The row as stored (JSON text), sent without being decoded and encoded again.
            row: Any = orjson.Fragment(change.row)
            if change.kind == "users" and uuid_of(change.row_id) not in with_password:
                row = orjson.loads(change.row)
                row["password_hash"] = (
                    UNUSABLE_PASSWORD  # not a user of this site: cannot sign in here
                )
            changes.append({"seq": change.seq, "entity": change.entity, "row": row})
        return Page(changes=changes, cursor=next_cursor, more=more)


def publish_missing(session: Session, *, chunk: int = 5000) -> int:
    """Put in the change log every synced row never in it; returns how many.

    Rows written before sync existed, or loaded in bulk, are published once, parents first
    (``alima node invite`` runs it, so a laptop's first pull finds the site's whole history).
    """
    count = 0
    for table in Base.metadata.sorted_tables:
        model = model_for(table.name)
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
