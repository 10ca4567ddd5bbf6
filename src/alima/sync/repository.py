"""Queries of sync: nodes, the hub's changes for a node's scope, shares, counts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, Text, and_, cast, func, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.core.changelog import Change, model_for, spec_of
from alima.core.db import Base
from alima.core.models import Patient, Place, RoleAssignment
from alima.sync.models import SyncConflict, SyncNode, SyncQuarantine, SyncShare


def active_node(session: Session, site_id: uuid.UUID) -> SyncNode | None:
    """The site's enrolled, not retired, laptop."""
    return session.scalars(
        select(SyncNode).where(SyncNode.site_id == site_id, SyncNode.retired_at.is_(None))
    ).first()


def node_by_credential(session: Session, digest: str, *, lock: bool) -> SyncNode | None:
    """The node holding a credential (locked for the push that updates it)."""
    stmt = select(SyncNode).where(SyncNode.credential_hash == digest)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def list_nodes(session: Session) -> list[SyncNode]:
    """Every node, the active ones first."""
    return list(
        session.scalars(
            select(SyncNode).order_by(SyncNode.retired_at.is_not(None), SyncNode.enrolled_at)
        )
    )


def head_seq(session: Session) -> int:
    """The last change number of this database."""
    return int(session.scalar(select(func.max(Change.seq))) or 0)


def open_counts(
    session: Session,
) -> tuple[dict[uuid.UUID, int], dict[uuid.UUID, int]]:
    """Open conflicts and quarantined records per node."""
    conflicts = session.execute(
        select(SyncConflict.node_id, func.count())
        .where(SyncConflict.status == "open")
        .group_by(SyncConflict.node_id)
    )
    quarantine = session.execute(
        select(SyncQuarantine.node_id, func.count())
        .where(SyncQuarantine.status == "open")
        .group_by(SyncQuarantine.node_id)
    )
    return (
        {row[0]: row[1] for row in conflicts if row[0] is not None},
        {row[0]: row[1] for row in quarantine},
    )


def place_paths(session: Session, ids: set[Any]) -> dict[uuid.UUID, str]:
    """The path of each place."""
    if not ids:
        return {}
    return dict(session.execute(select(Place.id, Place.path).where(Place.id.in_(ids))).all())


def share_exists(session: Session, patient_id: uuid.UUID, place_id: uuid.UUID) -> bool:
    """Whether the patient is already shared with the place."""
    return (
        session.scalar(
            select(SyncShare.id).where(
                SyncShare.patient_id == patient_id, SyncShare.place_id == place_id
            )
        )
        is not None
    )


def patient_rows(session: Session, patient_id: uuid.UUID) -> list[Any]:
    """The patient and every care record of the patient, parents before children."""
    rows: list[Any] = []
    for table in Base.metadata.sorted_tables:
        model = model_for(table.name)
        spec = spec_of(model) if model is not None else None
        if model is None or spec is None or spec.kind != "site" or spec.patient is None:
            continue
        if spec.patient == "id":
            stmt = select(model).where(model.id == patient_id)
        elif "." in spec.patient:
            relation, attribute = spec.patient.split(".")
            parent = getattr(model, relation).property.mapper.class_
            stmt = (
                select(model)
                .join(getattr(model, relation))
                .where(getattr(parent, attribute) == patient_id)
            )
        else:
            stmt = select(model).where(getattr(model, spec.patient) == patient_id)
        rows.extend(session.scalars(stmt))
    return rows


def users_with_role_in_lineage(session: Session, site_path: str) -> set[uuid.UUID]:
    """Users holding an active role at the site, above it or below it."""
    place = aliased(Place)
    rows = session.scalars(
        select(RoleAssignment.user_id)
        .join(place, place.id == RoleAssignment.place_id)
        .where(
            RoleAssignment.active.is_(True),
            or_(
                place.path.startswith(site_path),
                literal(site_path).startswith(place.path),
            ),
        )
    )
    return set(rows)


#: Change numbers examined by one query of a pull, times the page size (a range scan on the
#: key, whatever the planner thinks of the scope filter).
WINDOW = 4


def changes_for(
    session: Session, node_id: uuid.UUID, site_path: str, cursor: int, limit: int
) -> tuple[list[Row[Any]], int]:
    """The hub's changes after ``cursor`` for the node's scope, and where the next page starts.

    The changes come in order; the second value is the change number examined up to (the next
    cursor), never beyond the last committed change.

    A change superseded by a later change of the same row (not a copy for one audience) is
    skipped: the later one carries the row as it is now.
    """
    head = head_seq(session)
    found: list[Row[Any]] = []
    low = cursor
    while low < head:
        high = min(low + WINDOW * limit, head)
        found.extend(
            session.execute(
                _in_scope(node_id, site_path)
                .where(Change.seq > low, Change.seq <= high)
                .order_by(Change.seq)
                .limit(limit - len(found))
            )
        )
        if len(found) >= limit:
            return found, found[-1].seq
        low = high
    return found, low


def _in_scope(node_id: uuid.UUID, site_path: str) -> Any:
    """The hub's changes a node of ``site_path`` receives (see ``changes_for``)."""
    shared = (
        select(SyncShare.patient_id)
        .join(Place, Place.id == SyncShare.place_id)
        .where(Place.path.startswith(site_path))
    )
    later = aliased(Change)
    superseded = (
        select(later.seq)
        .where(
            later.row_id == Change.row_id,
            later.seq > Change.seq,
            later.audience_path.is_(None),
            later.kind != "upload",
        )
        .exists()
    )
    in_scope = or_(
        Change.kind.in_(("all", "users")),
        and_(
            Change.kind == "lineage",
            or_(
                Change.scope_path.is_(None),
                Change.scope_path.startswith(site_path),
                literal(site_path).startswith(Change.scope_path),
            ),
        ),
        and_(
            Change.kind == "site",
            or_(
                Change.scope_path.startswith(site_path),
                Change.shared_path.startswith(site_path),
                Change.patient_id.in_(shared),
            ),
        ),
    )
    return select(
        Change.seq, Change.entity, Change.kind, Change.row_id, cast(Change.row, Text).label("row")
    ).where(
        Change.kind.in_(("all", "users", "lineage", "site")),
        or_(Change.origin_node_id.is_(None), Change.origin_node_id != node_id),
        or_(
            and_(Change.audience_path.is_not(None), Change.audience_path.startswith(site_path)),
            and_(Change.audience_path.is_(None), in_scope),
        ),
        not_(superseded),
    )


__all__ = ["Patient"]
