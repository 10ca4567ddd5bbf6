"""Patients merged across sites: which records a merge moves, and later pushes naming one.

A merge (:func:`alima.sync.duplicates.merge`) points every record of the merged patient at
the kept one and leaves a tombstone linked to it. A laptop that had not synced since may
still push rows naming the tombstone: the hub rewrites them to name the kept patient
(:func:`redirect_merged`) and sends its version back (:func:`send_back`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import alima.all_models  # noqa: F401 - every model with a patient must be mapped
from alima.core.changelog import model_for, publish
from alima.core.db import Base, among
from alima.core.models import Patient

#: A tombstone merged into a patient later merged again: links followed at most.
MAX_CHAIN = 10

#: Columns that reference a patient but keep pointing where they point, and why.
NOT_MOVED: dict[tuple[str, str], str] = {
    ("core_patient", "merged_into_id"): "the tombstone's link to the kept patient",
    ("sync_duplicate", "low_id"): "the pair as it was found",
    ("sync_duplicate", "high_id"): "the pair as it was found",
    ("sync_duplicate", "kept_id"): "the decision taken",
}
#: Columns naming a patient without a reference: logs, append-only, never rewritten (the
#: merge's own audit events name both patients).
HISTORY: dict[tuple[str, str], str] = {
    ("core_audit_event", "patient_id"): "the audit log says who read or wrote which record",
    ("sync_change", "patient_id"): "the change log says what was sent",
}


def patient_columns() -> list[tuple[type[Any], str]]:
    """Every mapped column referencing a patient that a merge moves (model, attribute)."""
    found: list[tuple[type[Any], str]] = []
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        for column in table.columns:
            if (table.name, column.key) in NOT_MOVED:  # type: ignore[attr-defined]
                continue
            if any(fk.column.table.name == "core_patient" for fk in column.foreign_keys):
                found.append((mapper.class_, column.key))
    return sorted(found, key=lambda item: (item[0].__tablename__, item[1]))


# -- a laptop's later push ---------------------------------------------------------------------


def _targets(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each merged patient among ``ids`` and the patient now holding its records."""
    links: dict[uuid.UUID, uuid.UUID] = {}
    wanted = set(ids)
    for _ in range(MAX_CHAIN):
        if not wanted:
            break
        rows = session.execute(
            select(Patient.id, Patient.merged_into_id).where(
                among(session, Patient.id, wanted), Patient.merged_into_id.is_not(None)
            )
        )
        found = {row[0]: row[1] for row in rows}
        links.update({k: v for k, v in found.items() if v is not None})
        wanted = {v for v in found.values() if v is not None and v not in links}
    resolved: dict[uuid.UUID, uuid.UUID] = {}
    for start in links:
        end = start
        for _ in range(MAX_CHAIN):
            if end not in links:
                break
            end = links[end]
        resolved[start] = end
    return resolved


def _columns_by_table() -> dict[str, list[str]]:
    by_table: dict[str, list[str]] = defaultdict(list)
    for model, key in patient_columns():
        by_table[model.__tablename__].append(key)
    return by_table


def redirect_merged(session: Session, changes: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Point pushed rows naming a merged patient at the kept one (the change is rewritten).

    Returns the (table, id) of the rewritten rows: the laptop must receive the hub's version.
    """
    columns = _columns_by_table()
    named: set[uuid.UUID] = set()
    for change in changes:
        row = change.get("row")
        for key in columns.get(str(change.get("entity")), []):
            value = row.get(key) if isinstance(row, dict) else None
            try:
                if value:
                    named.add(uuid.UUID(str(value)))
            except ValueError:
                continue
    targets = _targets(session, named) if named else {}
    if not targets:
        return []
    rewritten: list[tuple[str, Any]] = []
    for change in changes:
        row = change.get("row")
        entity = str(change.get("entity"))
        if not isinstance(row, dict):
            continue
        new = dict(row)
        for key in columns.get(entity, []):
            try:
                target = targets.get(uuid.UUID(str(row.get(key)))) if row.get(key) else None
            except ValueError:
                target = None
            if target is not None:
                new[key] = str(target)
        if new != row:
            change["row"] = new
            rewritten.append((entity, new.get("id")))
    return rewritten


def send_back(session: Session, rewritten: list[tuple[str, Any]]) -> None:
    """Append the hub's version of each rewritten row, for every laptop (the pusher too)."""
    objs = []
    for entity, row_id in rewritten:
        model = model_for(entity)
        try:
            obj = session.get(model, uuid.UUID(str(row_id))) if model is not None else None
        except ValueError:
            obj = None
        if obj is not None:
            objs.append(obj)
    publish(session, objs)
