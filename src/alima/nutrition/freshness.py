"""Every write that can change a monthly figure marks its (site, month) dirty, in its transaction.

The monthly summary (:mod:`alima.nutrition.summary`) is derived from three tables: episodes,
visits and patients (a soft-deleted child counts nowhere). ``SOURCES`` names them; three
doors lead into them and each one marks:

- the unit of work: a ``before_flush`` listener on every session (as ``core.period_lock``),
  for new, changed and deleted rows, with their values before and after the change;
- the bulk insert of the sync hub (``core.db.bulk_insert``, ``COPY`` without the unit of
  work): a hook on each source table;
- a bulk ``UPDATE`` or ``DELETE`` statement through a session: refused (there is none; a
  writer that wants one must mark the pairs itself and lift this guard on purpose).

A mark is an upsert that locks its row until the writer commits, so a refresh deleting it
waits and then reads the committed write (``summary.refresh``). A period unlocked and written
again goes through the same doors. ``tests/integration/nutrition/test_summary_fresh.py`` fails
on a table the summary's queries read that is not in ``SOURCES``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Date, Delete, Update, Uuid, bindparam, event, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.base import NO_VALUE

from alima.core.db import among, on_bulk_insert
from alima.core.models import Patient
from alima.core.time import today
from alima.nutrition.models import Episode, Visit
from alima.nutrition.rules.report import first_of, next_month

#: The tables the monthly figures are computed from.
SOURCES: frozenset[str] = frozenset(
    {Episode.__tablename__, Visit.__tablename__, Patient.__tablename__}
)
Key = tuple[uuid.UUID, date]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def episode_keys(row: Mapping[str, Any], until: date) -> set[Key]:
    """The (site, month) pairs an episode's figures fall in: admission to departure or ``until``.

    The caseload and the ration at each month's end run from the admission to the departure;
    the exit and the default day are counted in their own months.
    """
    place, admitted = row.get("place_id"), _day(row.get("admitted_on"))
    if place is None or admitted is None:
        return set()
    closed, defaults = _day(row.get("closed_on")), _day(row.get("defaults_on"))
    ends = [d for d in (closed, defaults if row.get("status") == "open" else None) if d]
    last = first_of(max(admitted, min(ends))) if ends else until
    months = {first_of(d) for d in (admitted, closed, defaults) if d is not None}
    month = first_of(admitted)
    while month <= min(last, until):
        months.add(month)
        month = next_month(month)
    return {(place, m) for m in months if m <= until}


EPISODE_COLUMNS = ("place_id", "admitted_on", "closed_on", "defaults_on", "status")


def _stored_episodes(session: Session, ids: Iterable[uuid.UUID]) -> list[dict[str, Any]]:
    ids = list(ids)
    if not ids:
        return []
    columns = [getattr(Episode, c) for c in EPISODE_COLUMNS]
    rows = []
    for start in range(0, len(ids), 500):
        rows += [
            dict(zip(EPISODE_COLUMNS, r, strict=True))
            for r in session.connection().execute(
                # One array parameter on PostgreSQL: a sync batch's few hundred episodes.
                select(*columns).where(among(session, Episode.id, ids[start : start + 500]))
            )
        ]
    return rows


def _visit_keys(session: Session, episode_ids: set[uuid.UUID], until: date) -> set[Key]:
    keys: set[Key] = set()
    for start in range(0, len(episode_ids), 500):
        chunk = list(episode_ids)[start : start + 500]
        for place_id, on in session.connection().execute(
            select(Visit.place_id, Visit.visit_on).where(Visit.episode_id.in_(chunk)).distinct()
        ):
            day = _day(on)
            if day is not None and first_of(day) <= until:
                keys.add((place_id, first_of(day)))
    return keys


def _place_of(obj: Any) -> Any:
    """The place id of a row about to be flushed, set directly or through its relationship.

    The foreign key is filled only by the flush; ids are made in Python, so the related
    object already has its own.
    """
    if obj.place_id is None and getattr(obj, "place", None) is not None:
        return obj.place.id
    return obj.place_id


def _of_object(obj: Any) -> dict[str, Any]:
    return {c: getattr(obj, c) for c in EPISODE_COLUMNS} | {"place_id": _place_of(obj)}


def _committed(obj: Any) -> dict[str, Any] | None:
    """The episode's columns as last flushed, from the session (``None``: some not loaded)."""
    state = inspect(obj)
    values: dict[str, Any] = {}
    for column in EPISODE_COLUMNS:
        history = state.attrs[column].history
        if history.deleted:
            values[column] = history.deleted[0]
        elif history.unchanged:
            values[column] = history.unchanged[0]
        else:
            # Set over a loaded None, or never loaded (then the stored row must be read).
            before = state.committed_state.get(column, NO_VALUE)
            if before is NO_VALUE:
                return None
            values[column] = before
    return values


def _changed(obj: Any, keys: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[k].history.has_changes() for k in keys)


def _month_key(place: Any, day: Any, until: date) -> set[Key]:
    on = _day(day)
    return {(place, first_of(on))} if on is not None and first_of(on) <= until else set()


def _visit_pending(
    session: Session, visit: Visit, until: date, old_episodes: set[uuid.UUID]
) -> set[Key]:
    """A visit's own month (sachets), before and after, and its episode's months (ration)."""
    keys = _month_key(_place_of(visit), visit.visit_on, until)
    # A visit added through its episode's relationship has no episode id before the flush.
    episode = visit.episode if visit.episode_id is None else session.get(Episode, visit.episode_id)
    if episode is not None:
        keys |= episode_keys(_of_object(episode), until)
    if inspect(visit).has_identity:
        before = (
            session.connection()
            .execute(
                select(Visit.place_id, Visit.visit_on, Visit.episode_id).where(Visit.id == visit.id)
            )
            .first()
        )
        if before is not None:
            keys |= _month_key(before[0], before[1], until)
            old_episodes.add(before[2])
    return keys


def pending_keys(session: Session, until: date) -> set[Key]:
    """The (site, month) pairs the pending writes of ``session`` change, before and after."""
    keys: set[Key] = set()
    old_episodes: set[uuid.UUID] = set()
    patients: set[uuid.UUID] = set()
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty, *session.deleted]:
            stored = inspect(obj).has_identity
            if isinstance(obj, Episode):
                keys |= episode_keys(_of_object(obj), until)
                before = _committed(obj) if stored else None
                if before is not None:
                    keys |= episode_keys(before, until)
                elif stored:
                    old_episodes.add(obj.id)
            elif isinstance(obj, Visit):
                keys |= _visit_pending(session, obj, until, old_episodes)
            elif isinstance(obj, Patient) and stored and _changed(obj, ("deleted_at",)):
                patients.add(obj.id)
    for row in _stored_episodes(session, old_episodes):
        keys |= episode_keys(row, until)
    if patients:
        episode_ids = set(
            session.connection().scalars(select(Episode.id).where(Episode.patient_id.in_(patients)))
        )
        for row in _stored_episodes(session, episode_ids):
            keys |= episode_keys(row, until)
        keys |= _visit_keys(session, episode_ids, until)
    return keys


#: The mark, one (site, month) a row: the same text on SQLite and PostgreSQL, compiled once (the
#: dialects' ``on_conflict_do_update`` constructs have no cache key, so they were compiled again
#: at every visit's flush: about 8 % of a visit's instructions, benchmarks/README.md).
_MARK = text(
    "INSERT INTO nutrition_month_dirty (place_id, month, marks) VALUES (:place_id, :month, 1)"
    " ON CONFLICT (place_id, month) DO UPDATE SET marks = nutrition_month_dirty.marks + 1"
).bindparams(bindparam("place_id", type_=Uuid), bindparam("month", type_=Date))


def mark(session: Session, keys: Iterable[Key]) -> None:
    """Mark (site, month) pairs dirty in the session's transaction (an upsert that locks them).

    In a fixed order, so that two writers lock common pairs in the same order and never wait
    for each other in a cycle.
    """
    rows = [{"place_id": p, "month": m} for p, m in sorted(set(keys), key=str)]
    if rows:
        session.connection().execute(_MARK, rows)


def marked_until() -> date:
    """The last month a write marks: the month in progress too.

    A write still uncommitted when its month ends and a refresh adds that month must leave a
    mark the refresh waits for (or finds afterwards), not rely on the refresh seeing it.
    """
    return first_of(today())


def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    if any(
        isinstance(o, (Episode, Visit, Patient))
        for o in (*session.new, *session.dirty, *session.deleted)
    ):
        mark(session, pending_keys(session, marked_until()))


def _episodes_inserted(session: Session, rows: list[dict[str, Any]]) -> None:
    until = marked_until()
    mark(session, {k for row in rows for k in episode_keys(row, until)})


def _visits_inserted(session: Session, rows: list[dict[str, Any]]) -> None:
    until = marked_until()
    keys: set[Key] = set()
    for row in rows:
        keys |= _month_key(row["place_id"], row.get("visit_on"), until)
    for episode in _stored_episodes(session, {row["episode_id"] for row in rows}):
        keys |= episode_keys(episode, until)
    mark(session, keys)


def _patients_inserted(session: Session, rows: list[dict[str, Any]]) -> None:
    # A child new to the hub has no episode yet: its episodes mark their own pairs.
    del session, rows


def _columns_set(statement: Update) -> set[str]:
    values = getattr(statement, "_values", None) or {}
    return {str(getattr(k, "key", getattr(k, "name", k))) for k in values}


def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, (Update, Delete)):
        table = getattr(statement.table, "name", None)
        # Of a patient, only the deletion counts (a deleted child counts nowhere).
        patient_fact = table == Patient.__tablename__ and (
            isinstance(statement, Delete) or "deleted_at" in _columns_set(statement)
        )
        if table in SOURCES - {Patient.__tablename__} or patient_fact:
            raise RuntimeError(
                f"a bulk {type(statement).__name__.upper()} of {table} would bypass the monthly "
                "summary's dirty marks (alima.nutrition.freshness)"
            )


def install() -> None:
    """Listen to every session and to the bulk inserts of the source tables (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_statements):
        event.listen(Session, "do_orm_execute", _refuse_bulk_statements)
    on_bulk_insert(Episode.__tablename__, _episodes_inserted)
    on_bulk_insert(Visit.__tablename__, _visits_inserted)
    on_bulk_insert(Patient.__tablename__, _patients_inserted)


install()
