"""Queries of sync: nodes, the hub's changes for a node's scope, shares, counts."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from sqlalchemy import Row, Text, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.core.changelog import Change, model_for, spec_of, uuid_of
from alima.core.db import Base, among
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


#: Change numbers examined by one query of a pull, at most, times the page size (a range scan
#: on the key, whatever the planner thinks of the scope filter). A page's first query examines
#: as many numbers as the page holds rows, and each query that comes back short twice as many
#: as the one before: where nearly every change is the laptop's (a site's first pull), a query
#: reads and sorts the rows of the page only, not four times as many.
WINDOW = 4

#: Row ids or change numbers named in one query (SQLite's limit on placeholders is far above).
_CHUNK = 1000


class PageChange(NamedTuple):
    """A row in a pull page: its version (``row``, JSON text) and its place (``seq``).

    ``row_id`` is the row's id as the database writes it as text (a page is 2,000 rows: no
    ``UUID`` object built and hashed for each).
    """

    seq: int
    entity: str
    kind: str
    row_id: str
    row: str


# The columns of a change read for a page, by position (plain tuples: a page is 2,000 rows).
_SEQ, _ENTITY, _KIND, _ROW_ID, _ROW, _OWN, _LATER = range(7)


def changes_for(
    session: Session, node_id: uuid.UUID, site_path: str, cursor: int, limit: int
) -> tuple[list[PageChange], int]:
    """The hub's changes after ``cursor`` for the node's scope, and where the next page starts.

    A page covers the changes numbered from ``cursor`` to the cursor it returns (never beyond
    the last committed change) and holds each row changed there once: as its last change in
    that range, at the place of its first. A page is then whole by itself: a row's version
    names only rows written before it, which the laptop has or which are in the same page
    (written with deferred foreign keys), whatever changed later. Sending every row at its
    last change instead would put an episode changed after its visits in a later page than
    the visits.

    Each row carries the number of its first change in the page: a cursor taken from a row of
    the page never passes over another row of the page.

    A row is left out of the page when the laptop must not take this version:

    * its latest change on the hub is out of the node's scope (the row moved elsewhere: it
      never reaches the node, as before it moved);
    * the node itself wrote a change of the row at or after this version (it has a newer one;
      the hub's later change, if any, comes in the page that covers it).
    """
    head = head_seq(session)
    visible = _in_scope(site_path).add_columns(
        (Change.origin_node_id == node_id).label("own"), _changed_later(site_path)
    )
    connection = session.connection()
    first: dict[Any, int] = {}
    last: dict[Any, Row[Any]] = {}
    low, span = cursor, limit
    while low < head:
        high = min(low + span, head)
        wanted = limit - len(last)  # at most that many new rows: nothing read twice
        rows = connection.execute(
            visible.where(Change.seq > low, Change.seq <= high).order_by(Change.seq).limit(wanted)
        ).all()
        for change in rows:
            key = change[_ROW_ID]
            if key not in last:
                first[key] = change[_SEQ]
            last[key] = change
        if rows:
            low = rows[-1][_SEQ]
        if len(last) >= limit:
            break
        if len(rows) < wanted:
            low, span = high, min(2 * span, WINDOW * limit)
    return _keep(session, node_id, site_path, first, last), low


def _keep(
    session: Session,
    node_id: uuid.UUID,
    site_path: str,
    first: dict[Any, int],
    last: dict[Any, Row[Any]],
) -> list[PageChange]:
    """The versions in ``last`` the node takes (see ``changes_for``), in their page order.

    Only a row changed again after its version in the page (rare in a first pull) needs its
    latest change looked up.
    """
    later = {uuid_of(row_id): row_id for row_id, change in last.items() if change[_LATER]}
    latest: dict[str, tuple[int, int | None]] = {}
    own = case((Change.origin_node_id == node_id, Change.seq))
    for chunk in _chunks(list(later)):
        latest.update(
            (later[row_id], (newest, mine))
            for row_id, newest, mine in session.execute(
                select(Change.row_id, func.max(Change.seq), func.max(own))
                .where(among(session, Change.row_id, chunk), _supersedes(site_path))
                .group_by(Change.row_id)
            )
        )
    reachable: set[int] = set()
    for chunk in _chunks([newest for newest, _ in latest.values()]):
        reachable.update(
            session.scalars(
                _in_scope(site_path)
                .with_only_columns(Change.seq)
                .where(among(session, Change.seq, chunk))
            )
        )
    kept = []
    for row_id, change in last.items():
        if change[_OWN]:
            continue
        if change[_LATER]:
            newest, mine = latest[row_id]
            if newest not in reachable or (mine is not None and mine > change[_SEQ]):
                continue
        kept.append(PageChange(first[row_id], change[_ENTITY], change[_KIND], row_id, change[_ROW]))
    return kept


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _supersedes(site_path: str, change: Any = Change) -> Any:
    """The changes that carry a newer version of a row for a node of ``site_path``."""
    return or_(
        and_(change.audience_path.is_(None), change.kind != "upload"),
        change.audience_path.startswith(site_path),
    )


def _changed_later(site_path: str) -> Any:
    """Whether a change's row has a newer version for the node (see ``_supersedes``)."""
    newer = aliased(Change)
    return (
        select(newer.seq)
        .where(
            newer.row_id == Change.row_id,
            newer.seq > Change.seq,
            _supersedes(site_path, newer),
        )
        .exists()
        .label("later")
    )


def _in_scope(site_path: str) -> Any:
    """The hub's changes a node of ``site_path`` may read (see ``changes_for``)."""
    shared = (
        select(SyncShare.patient_id)
        .join(Place, Place.id == SyncShare.place_id)
        .where(Place.path.startswith(site_path))
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
        Change.seq,
        Change.entity,
        Change.kind,
        cast(Change.row_id, Text).label("row_id"),
        cast(Change.row, Text).label("row"),
    ).where(
        Change.kind.in_(("all", "users", "lineage", "site")),
        or_(
            and_(Change.audience_path.is_not(None), Change.audience_path.startswith(site_path)),
            and_(Change.audience_path.is_(None), in_scope),
        ),
    )


__all__ = ["Patient"]
