"""Applying what a laptop pushed: scope, three-way merge, quarantine, shares (the hub's side).

One change at a time in a savepoint (``apply_change``, also a data manager's retry), or a whole
batch at once when nothing in it is refused (its new rows in one flush).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import exc, select
from sqlalchemy.orm import Session

import alima.all_models  # noqa: F401 - every synced model must be mapped
from alima.community.models import Screening
from alima.core import audit, period_lock
from alima.core.changelog import (
    ORIGIN,
    Change,
    Sync,
    attribute_of,
    entry,
    model_for,
    parent_of,
    publish,
    row_of,
    serialise,
    spec_of,
    uuid_of,
    value_of,
    values_of,
)
from alima.core.db import among, bulk_insert, table_order
from alima.core.enums import AuditAction
from alima.core.errors import AlimaError
from alima.core.models import Patient, Place
from alima.core.time import utcnow
from alima.sync import repository
from alima.sync.merge import three_way
from alima.sync.models import SyncConflict, SyncNode, SyncQuarantine, SyncShare

#: How long an enrolment code stays valid.
#: A laptop's clock this far ahead of the hub's is flagged.
CLOCK_TOLERANCE = timedelta(minutes=5)


@dataclass
class PushResult:
    """The hub's answer to a batch."""

    acked: int
    applied: int = 0
    skipped: int = 0
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    conflicts: int = 0
    future_clock: int = 0


# -- push ----------------------------------------------------------------------------------------


class _Refused(Exception):
    """A change the hub will not apply; its reason goes to quarantine."""

    def __init__(self, reason: str, *, out_of_scope: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.out_of_scope = out_of_scope


def _paths_of(
    session: Session, obj: object, spec: Any, known: dict[Any, str] | None = None
) -> tuple[str | None, str | None]:
    ids = (attribute_of(session, obj, spec.place), attribute_of(session, obj, spec.shared_place))
    paths = known if known is not None else repository.place_paths(session, set(ids) - {None})
    return paths.get(ids[0]) if ids[0] else None, paths.get(ids[1]) if ids[1] else None


def _within(site_path: str, path: str | None) -> bool:
    return path is not None and path.startswith(site_path)


def _ensure_within(site_path: str, owner: str | None, shared: str | None) -> None:
    """Refuse a row neither owned by the node's site nor shared with it."""
    if not (_within(site_path, owner) or _within(site_path, shared)):
        raise _Refused("outside this laptop's site", out_of_scope=True)


def _check_scope(
    session: Session, obj: object, spec: Any, site_path: str, paths: dict[Any, str] | None = None
) -> bool:
    """Whether the node's site owns the row (True) or only shares it (False); else refuse.

    ``paths``: every place's path, when the caller has read them.
    """
    owner, shared = _paths_of(session, obj, spec, paths)
    _ensure_within(site_path, owner, shared)
    return _within(site_path, owner)


#: A pushed change's model, its sync declaration, its row and the row's column values.
Target = tuple[type[Any], Sync, dict[str, Any], dict[str, Any]]


def _target(change: dict[str, Any]) -> Target:
    """A pushed change's model, its sync declaration, its row and the row's column values."""
    model = model_for(str(change.get("entity")))
    spec = spec_of(model) if model is not None else None
    if model is None or spec is None or spec.kind not in {"site", "upload"}:
        raise _Refused(f"{change.get('entity')}: not written by a laptop")
    row = change.get("row")
    if not isinstance(row, dict) or "id" not in row:
        raise _Refused("no row")
    return model, spec, row, values_of(model.__table__, row)


@dataclass
class _Merged:
    """What merging a pushed row into the hub's gives, before anything of the row is written."""

    conflicts: int
    #: The column values to set on the hub's row.
    new: dict[str, Any]
    #: The node that need not receive the result (``ORIGIN``): None when it differs from its own.
    origin: uuid.UUID | None


def _merge(
    session: Session,
    node: SyncNode,
    site_path: str,
    existing: Any,
    change: dict[str, Any],
    *,
    paths: dict[Any, str] | None = None,
) -> _Merged:
    """Three-way merge of a pushed row into the hub's ``existing`` row (conflicts recorded)."""
    model = type(existing)
    spec = spec_of(model)
    row = change["row"]
    owns = _check_scope(session, existing, spec, site_path, paths)
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
    result = {**ours, **merge.apply}
    # The node must receive the hub's version when it is not the one it sent.
    differs = any(result.get(k) != row.get(k) for k in result if k != "updated_at")
    return _Merged(conflicts, values_of(model.__table__, merge.apply), None if differs else node.id)


def _apply(session: Session, node: SyncNode, site_path: str, change: dict[str, Any]) -> int:
    """Apply one pushed change; returns the number of conflicts it raised."""
    model, spec, _row, values = _target(change)
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
    merged = _merge(session, node, site_path, existing, change)
    for key, value in merged.new.items():
        setattr(existing, key, value)
    session.info[ORIGIN] = merged.origin
    if merged.origin is None and not merged.new:
        publish(session, [existing])
    session.flush()
    if merged.new:
        _check_scope(session, existing, spec, site_path)
    return merged.conflicts


def _merge_known(
    session: Session,
    node: SyncNode,
    site_path: str,
    changes: list[dict[str, Any]],
    paths: dict[Any, str],
) -> int:
    """Merge, in order, a batch's rows the hub already has; returns the conflicts raised.

    As ``_apply`` change by change, but the hub's rows are read in one query per table and
    written in one flush for each run of rows with the same ``ORIGIN`` (a row changed twice
    in the batch is flushed between its two changes). The caller's savepoint holds it all.
    """
    targets = [_target(change) for change in changes]
    wanted: dict[type[Any], list[Any]] = {}
    for model, _spec, _row, values in targets:
        wanted.setdefault(model, []).append(values["id"])
    loaded = [  # held here: the identity map only keeps referenced objects
        obj
        for model, ids in wanted.items()
        for obj in session.scalars(select(model).where(among(session, model.id, ids)))
    ]
    conflicts = 0
    run: set[tuple[type[Any], Any]] = set()
    to_check: list[tuple[Any, Sync]] = []
    for change, (model, spec, _row, values) in zip(changes, targets, strict=True):
        existing = session.get(model, values["id"])
        if existing is None:
            session.flush()
            conflicts += _apply(session, node, site_path, change)
            run.clear()
            continue
        if spec.kind == "upload":
            continue  # append-only: already here
        merged = _merge(session, node, site_path, existing, change, paths=paths)
        key = (model, values["id"])
        if run and (session.info.get(ORIGIN, node.id) != merged.origin or key in run):
            session.flush()
            run.clear()
        session.info[ORIGIN] = merged.origin
        if merged.origin is None and not merged.new:
            publish(session, [existing])
        for name, value in merged.new.items():
            setattr(existing, name, value)
        if merged.new:
            run.add(key)
            to_check.append((existing, spec))
        conflicts += merged.conflicts
    session.flush()
    for obj, spec in to_check:
        _check_scope(session, obj, spec, site_path, paths)
    del loaded
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


def flag_clocks(node: SyncNode, changes: list[dict[str, Any]], result: PushResult) -> None:
    """Count changes stamped in the hub's future (a laptop's clock ahead), and keep the skew."""
    future = (utcnow() + CLOCK_TOLERANCE).timestamp() * 1000
    for change in changes:
        hlc = change.get("hlc")
        if isinstance(hlc, int) and hlc > future:
            result.future_clock += 1
            node.clock_skew_seconds = int(hlc / 1000 - utcnow().timestamp())


def apply_one(
    session: Session, node: SyncNode, site_path: str, change: dict[str, Any], result: PushResult
) -> None:
    """Apply one change; a refusal goes to quarantine (audited if out of the laptop's scope)."""
    seq = int(change["seq"])
    try:
        applied = apply_change(session, node, site_path, change)
    finally:
        session.info.pop(ORIGIN, None)
    if applied.reason is None:
        result.conflicts += applied.conflicts
        result.applied += 1
        _share(session, str(change.get("entity")), change.get("row") or {})
        return
    _quarantine(session, node, seq, change, applied.reason)
    result.quarantined.append({"seq": seq, "reason": applied.reason})
    if applied.out_of_scope:
        audit.record(
            session,
            None,
            AuditAction.WRITE_DENIED,
            entity_type=str(change.get("entity"))[:60],
            place_id=node.site_id,
            detail=f"sync push from {node.name}: {applied.reason}",
        )


def try_batch(
    session: Session, node: SyncNode, site_path: str, changes: list[dict[str, Any]]
) -> int | None:
    """Apply a whole batch at once (its new rows in one flush); None if anything is refused.

    The common case (a laptop's new visits, episodes, patients) costs one insert per table
    instead of a savepoint and a flush per row; a batch holding anything the hub refuses is
    rolled back and applied again one change at a time, so that only that record is
    quarantined.
    """
    savepoint = session.begin_nested()
    try:
        conflicts = _apply_batch(session, node, site_path, changes)
        savepoint.commit()
    except (_Refused, AlimaError, exc.SQLAlchemyError, ValueError, TypeError, KeyError):
        savepoint.rollback()
        return None
    finally:
        session.info.pop(ORIGIN, None)
    return conflicts


def _apply_batch(
    session: Session, node: SyncNode, site_path: str, changes: list[dict[str, Any]]
) -> int:
    paths: dict[Any, str] = dict(session.execute(select(Place.id, Place.path)).all())
    ids = [_id(change) for change in changes]
    known = _existing_ids(session, changes, ids)
    targets = [_target(change) for change in changes]
    conflicts = 0
    new = [t for t, row_id in zip(targets, ids, strict=True) if row_id not in known]
    if _insert_new(session, node, site_path, new, paths):
        # The rows the hub already has are merged after the new ones.
        old = [c for c, row_id in zip(changes, ids, strict=True) if row_id in known]
        if old:
            conflicts += _merge_known(session, node, site_path, old, paths)
        for change in changes:
            _share(session, str(change.get("entity")), change.get("row") or {})
        return conflicts
    fresh: dict[tuple[type, Any], Any] = {}
    session.info[ORIGIN] = node.id
    for change, (model, spec, _row, values) in zip(changes, targets, strict=True):
        if values["id"] in known or (model, values["id"]) in fresh:
            session.flush()  # the new rows so far, as sent
            conflicts += _apply(session, node, site_path, change)
            session.info[ORIGIN] = node.id
            continue
        obj = model(**values)
        if spec.kind == "site":
            _ensure_within(
                site_path,
                paths.get(attribute_of(session, obj, spec.place, fresh)),
                paths.get(attribute_of(session, obj, spec.shared_place, fresh)),
            )
        session.add(obj)
        fresh[(model, values["id"])] = obj
    session.flush()
    for change in changes:
        _share(session, str(change.get("entity")), change.get("row") or {})
    return conflicts


def _insert_new(
    session: Session,
    node: SyncNode,
    site_path: str,
    targets: list[Target],
    paths: dict[Any, str],
) -> bool:
    """Write rows new to the hub (``_target`` of each change) with one INSERT per table.

    Without the unit of work, for the common first push (a laptop's patients, episodes,
    visits): the same checks as a flush (the laptop's scope, the approved months through
    :mod:`alima.core.period_lock`) and the same change log rows
    (``alima.core.changelog.entry``), at a fraction of the cost of building each object. Returns False, having written nothing, for a batch it cannot take
    that way (a model dated through its parent); ``_Refused`` or
    ``Conflict`` for a refused row, so that the caller applies the batch change by change.
    """
    if not targets:
        return True
    latest: dict[tuple[type[Any], Any], tuple[dict[str, Any], dict[str, Any]]] = {}
    versions: dict[type[Any], list[dict[str, Any]]] = {}
    specs: dict[type[Any], Sync] = {}
    for model, spec, row, values in targets:
        lock = getattr(model, "__period_lock__", None)
        if lock is not None and lock.parent is not None:
            return False
        # A row written then changed on the laptop: the hub inserts it as it is now, and
        # every version's dates must be open.
        latest[(model, values["id"])] = (row, values)
        versions.setdefault(model, []).append(values)
        specs[model] = spec
    batch: dict[type[Any], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for (model, _), item in latest.items():
        batch.setdefault(model, []).append(item)
    fresh = {key: values for key, (_, values) in latest.items()}
    parents = {**_parents_in_hub(session, batch, specs, fresh), **fresh}
    # Parents' tables first, in the rows' inserts and in the change log alike: a laptop pulling
    # these changes in pages must find a row's parent in its page or an earlier one, whatever
    # order the laptop's own changes came in (a visit of an older episode, then a new child).
    order = table_order()
    tables = sorted(batch, key=lambda m: order[m.__table__.name])
    entries: list[dict[str, Any]] = []
    for model in tables:
        items, spec = batch[model], specs[model]
        for row, values in items:
            owner = paths.get(value_of(model, values, spec.place, parents))
            shared = paths.get(value_of(model, values, spec.shared_place, parents))
            if spec.kind == "site":
                _ensure_within(site_path, owner, shared)
            entries.append(
                entry(
                    model.__tablename__,
                    spec.kind,
                    row,
                    scope_path=owner,
                    shared_path=shared,
                    patient_id=value_of(model, values, spec.patient, parents),
                    origin=node.id,
                    row_id=values["id"],
                )
            )
        period_lock.ensure_open(session, period_lock.months_of_new_rows(model, versions[model]))
    for model in tables:
        bulk_insert(session, model.__table__, [v for _, v in batch[model]])
    serialise(session)
    bulk_insert(session, Change.__table__, entries)  # type: ignore[arg-type]
    return True


def _parents_in_hub(
    session: Session,
    batch: dict[type[Any], list[tuple[dict[str, Any], dict[str, Any]]]],
    specs: dict[type[Any], Sync],
    fresh: dict[tuple[type[Any], Any], dict[str, Any]],
) -> dict[tuple[type[Any], Any], dict[str, Any]]:
    """The parents that the batch's owners are read through and that it does not bring.

    One query per table; each parent as its column values.
    """
    wanted: dict[type[Any], set[Any]] = {}
    for model, items in batch.items():
        spec = specs[model]
        for dotted in (spec.place, spec.shared_place, spec.patient):
            if not dotted or "." not in dotted:
                continue
            parent, column = parent_of(model, dotted.split(".", 1)[0])
            keys = {v.get(column) for _, v in items} - {None}
            wanted.setdefault(parent, set()).update(k for k in keys if (parent, k) not in fresh)
    found: dict[tuple[type[Any], Any], dict[str, Any]] = {}
    for parent, keys in wanted.items():
        if keys:
            table = parent.__table__
            query = select(table).where(among(session, table.c.id, keys))
            for row in session.execute(query).mappings():
                found[(parent, row["id"])] = dict(row)
    return found


def _id(change: dict[str, Any]) -> uuid.UUID | None:
    """The id of a change's row (``ValueError`` for one that is not an id)."""
    row = change.get("row")
    return uuid_of(str(row["id"])) if isinstance(row, dict) and "id" in row else None


def _existing_ids(
    session: Session, changes: list[dict[str, Any]], ids: list[uuid.UUID | None]
) -> set[uuid.UUID]:
    """The ids (``ids``, the changes' own) of the batch's rows the hub already has.

    One query per table.
    """
    by_entity: dict[str, list[uuid.UUID]] = {}
    for change, row_id in zip(changes, ids, strict=True):
        if row_id is not None:
            by_entity.setdefault(str(change.get("entity")), []).append(row_id)
    found: set[uuid.UUID] = set()
    for entity, wanted in by_entity.items():
        model = model_for(entity)
        if model is not None:
            found.update(session.scalars(select(model.id).where(among(session, model.id, wanted))))
    return found


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
