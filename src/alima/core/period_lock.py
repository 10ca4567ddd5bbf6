"""One guard for every write dated in an approved month, whichever service makes it.

A model whose rows record something that happened somewhere on a day (a consultation, a
visit, a screening, a delivery...) inherits ``PeriodLocked`` and says in ``__period_lock__``
which attribute gives the place and which columns give the dates. A single ``before_flush``
listener, registered on every SQLAlchemy ``Session`` when this module is imported (by
``alima.core.db``), calls ``alima.core.policy.ensure_period_open`` for:

- every new row: each of its dates, at its place;
- every changed row: the old and the new value of each date the change touches (a date
  column dates its own group of columns; the first date dates every other column), at the
  old and the new place;
- every soft-deleted or deleted row: all its dates;
- a child row without a date of its own (a newborn of a delivery): its parent's dates.

A service therefore cannot forget the guard: the write is refused at flush with the
guard's error (``Conflict`` ``ALLIANCE_005`` once co-management is plugged in), and the
use case's transaction rolls back. ``tests/unit/core/test_period_lock.py`` fails on a mapped
model with a date of care that neither declares the lock nor is exempted with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from alima.core import policy

#: The column that changes on every write and dates nothing (a version bump is a change).
BOOKKEEPING = frozenset({"updated_at"})
#: Columns of a soft deletion: it removes every dated fact of the row.
DELETION = frozenset({"deleted_at", "deleted_reason", "deleted_by_id"})


@dataclass(frozen=True)
class PeriodLock:
    """Where and when a row's facts happened.

    ``dates`` maps each date column to the columns it dates (``None``: every column no other
    date claims); the first entry is the row's main date. ``derived`` are running figures
    recomputed from other locked rows (an episode's next visit, from its visits), which date
    nothing themselves. ``parent`` names the relationship whose row dates a child without a
    date of its own.
    """

    dates: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    place: str = "place_id"
    derived: frozenset[str] = frozenset()
    parent: str | None = None


class PeriodLocked:
    """Mixin of the models whose rows fall in a reporting month (see the module docstring)."""

    __period_lock__: ClassVar[PeriodLock]


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _old_and_new(session: Session, obj: Any, key: str) -> tuple[list[object], bool]:
    """The committed and current values of ``key`` and whether it changed."""
    history = inspect(obj).attrs[key].history
    if not history.has_changes():
        return list(history.unchanged), False
    old = list(history.deleted)
    if not old and inspect(obj).has_identity:
        # Set without being loaded first: read the committed value.
        mapper = inspect(type(obj))
        column = mapper.columns[key]
        pk = mapper.primary_key[0]
        with session.no_autoflush:
            old = [
                session.execute(
                    select(column).where(pk == inspect(obj).identity[0])
                ).scalar_one_or_none()
            ]
    return [*old, *history.added], True


def _changed_keys(obj: Any) -> set[str]:
    state = inspect(obj)
    return {
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in BOOKKEEPING and state.attrs[attr.key].history.has_changes()
    }


def _value(obj: Any, name: str) -> object:
    """The attribute's value; for a new row, the default it will get at flush (``created_at``)."""
    value = getattr(obj, name)
    if value is None and not inspect(obj).has_identity:
        default = inspect(type(obj)).columns[name].default
        if default is not None and default.is_callable:
            value = default.arg(None)
    return value


def _all_dates(obj: Any, lock: PeriodLock) -> list[date]:
    return [d for d in (_day(_value(obj, name)) for name in lock.dates) if d is not None]


def _pairs_for_new_or_gone(obj: Any, lock: PeriodLock) -> Iterable[tuple[Any, date]]:
    place = getattr(obj, lock.place)
    return [(place, d) for d in _all_dates(obj, lock)]


def _pairs_for_changed(session: Session, obj: Any, lock: PeriodLock) -> list[tuple[Any, date]]:
    changed = _changed_keys(obj) - lock.derived
    if not changed:
        return []
    places, _ = _old_and_new(session, obj, lock.place)
    claimed = {c for cols in lock.dates.values() if cols is not None for c in cols}
    touched: set[str] = set()
    if changed & DELETION:
        touched = set(lock.dates)
    for name, cols in lock.dates.items():
        group: set[str] = {name, *(cols or ())}
        if cols is None:
            group |= changed - claimed - set(lock.dates)
        if changed & group or lock.place in changed:
            touched.add(name)
    pairs: list[tuple[Any, date]] = []
    for name in touched:
        values, _ = _old_and_new(session, obj, name)
        for value in values:
            day = _day(value)
            if day is not None:
                pairs.extend((place, day) for place in places if place is not None)
    return pairs


def _parent(session: Session, obj: Any, name: str) -> Any:
    parent = getattr(obj, name)
    if parent is not None:
        return parent
    prop = inspect(type(obj)).relationships[name]
    local = next(iter(prop.local_columns))
    key = inspect(type(obj)).get_property_by_column(local).key
    parent_id = getattr(obj, key)
    if parent_id is None:
        return None
    with session.no_autoflush:
        return session.get(prop.mapper.class_, parent_id)


#: ``session.info`` key of the rows whose next flush records a state every reader already
#: derives (see :func:`records_derived_state`).
_DERIVED = "period_lock_derived_state"


def records_derived_state(session: Session, obj: PeriodLocked) -> None:
    """Let the next flush of ``obj`` through the lock: it records what readers already derive.

    For a write that moves no figure of any month, such as an episode closed as defaulted on
    the day the default rule already gives (every report counted it so before the write). The
    caller states it explicitly for one row and one flush; everything else stays guarded.
    """
    session.info.setdefault(_DERIVED, set()).add(id(obj))


def locked_writes(session: Session) -> list[tuple[uuid.UUID, date]]:
    """The (place, first day of the month) pairs that the pending writes of ``session`` touch."""
    pairs: list[tuple[Any, date]] = []
    derived: set[int] = session.info.pop(_DERIVED, set())
    candidates = [
        *((obj, "new") for obj in session.new),
        *((obj, "dirty") for obj in session.dirty),
        *((obj, "deleted") for obj in session.deleted),
    ]
    with session.no_autoflush:
        for obj, how in candidates:
            if not isinstance(obj, PeriodLocked) or (how == "dirty" and id(obj) in derived):
                continue
            lock = type(obj).__period_lock__
            if lock.parent is not None:
                if how == "dirty" and not (_changed_keys(obj) - lock.derived):
                    continue
                parent = _parent(session, obj, lock.parent)
                if parent is not None and parent not in session.new:
                    plock = type(parent).__period_lock__
                    pairs.extend(_pairs_for_new_or_gone(parent, plock))
                continue
            if how == "dirty":
                pairs.extend(_pairs_for_changed(session, obj, lock))
            else:
                pairs.extend(_pairs_for_new_or_gone(obj, lock))
    # Periods are months: one check a place and month, whatever the day.
    return list(dict.fromkeys((p, d.replace(day=1)) for p, d in pairs if p is not None))


def months_of_new_rows(model: type, rows: Iterable[Mapping[str, Any]]) -> list[tuple[Any, date]]:
    """The (place, first day of the month) pairs that inserting ``rows`` of ``model`` touches.

    For rows written without the unit of work (the hub's bulk insert of a laptop's new rows):
    each row's place and dates, as :func:`locked_writes` reads them from new objects. A model
    dated through its parent (``PeriodLock.parent``) cannot be read this way: ``ValueError``.
    """
    lock = getattr(model, "__period_lock__", None)
    if lock is None:
        return []
    if lock.parent is not None:
        raise ValueError(f"{model.__name__} is dated through its parent")
    pairs = [
        (row.get(lock.place), day)
        for row in rows
        for day in (_day(row.get(name)) for name in lock.dates)
        if day is not None
    ]
    return list(dict.fromkeys((p, d.replace(day=1)) for p, d in pairs if p is not None))


def ensure_open(session: Session, pairs: Iterable[tuple[Any, date]]) -> None:
    """Raise ``Conflict`` (``ALLIANCE_005``) if any (place, month) is approved."""
    if policy.period_guards():
        _refuse_locked(session, pairs)


def _refuse_locked(session: Session, pairs: Iterable[tuple[Any, date]]) -> None:
    with session.no_autoflush:
        for place_id, on in pairs:
            policy.ensure_period_open(session, place_id=place_id, on=on)


def _guard(session: Session, _context: UOWTransaction, _instances: object) -> None:
    if policy.period_guards():  # read once a flush: the flush's rows only when it matters
        _refuse_locked(session, locked_writes(session))


def install() -> None:
    """Listen to every session's flushes (idempotent)."""
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)
