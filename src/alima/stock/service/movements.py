"""Writing movements: receipts, losses, adjustments, counts, their corrections and deletion.

Each use case is one transaction that writes one row and its audit event. The period lock
(``alima.core.period_lock``) refuses a movement, a correction or a deletion dated in an
approved month at flush, like any other record of the month.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.audit import snapshot
from alima.core.errors import Conflict, CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.service.common import (
    add_created,
    audit_denied,
    new_row,
    not_found,
    record_date,
    soft_delete,
)
from alima.stock import repository, rules
from alima.stock.enums import MovementKind, QuantityUnit
from alima.stock.errors import StockError
from alima.stock.models import StockMovement
from alima.stock.schemas import (
    AdjustmentCreate,
    CountCreate,
    LossCreate,
    MovementRead,
    ReceiptCreate,
    RecordDelete,
    _Movement,
    _Quantity,
)
from alima.stock.service.common import (
    ENTITY,
    FIELDS,
    WRITE_PERMISSION,
    ledgers,
    movement_read,
    writable_site,
)


def _corrected(
    session: Session, data: _Movement, place: Place, kind: MovementKind
) -> StockMovement | None:
    """The movement ``data`` corrects, checked: same site and kind, live, not yet corrected."""
    if data.corrects_id is None:
        return None
    old = repository.find_movement(session, data.corrects_id)
    if old is None or old.place_id != place.id or old.deleted_at is not None:
        raise NotFound(CoreError.CORE_001, field="corrects_id")
    if old.kind != kind or old.product != data.product:
        raise RuleViolation(StockError.STOCK_008, field="corrects_id")
    if repository.is_corrected(session, old.id):
        raise Conflict(StockError.STOCK_007, field="corrects_id")
    return old


def _check_removal(
    session: Session,
    place: Place,
    *,
    product: str,
    on: date,
    sachets: int,
    batch: str | None,
    leave_out: uuid.UUID | None,
) -> None:
    """Refuse removing more sachets than the site (or the batch) holds at the end of ``on``."""
    ledger = ledgers(session, [place], product=product, until=on, leave_out=leave_out)[place.id]
    if batch is not None and batch not in ledger.expiries and batch not in ledger.balances:
        raise RuleViolation(StockError.STOCK_006, batch=batch, field="batch")
    available = ledger.balances.get(batch, 0) if batch is not None else ledger.total
    if sachets > available:
        raise RuleViolation(
            StockError.STOCK_005, available=max(available, 0), asked=sachets, field="quantity"
        )


def _in_sachets(data: _Quantity, per_carton: int | None) -> dict[str, int | None]:
    """The typed quantity in sachets, with the cartons as typed."""
    size = data.sachets_per_carton or per_carton
    in_cartons = data.unit is QuantityUnit.CARTON
    return {
        "sachets": rules.sachets(data.quantity, data.unit, size),
        "cartons": data.quantity if in_cartons else None,
        "sachets_per_carton": size if in_cartons else None,
    }


def _values(
    data: _Movement, kind: MovementKind, per_carton: int | None
) -> tuple[dict[str, int | None], int, str | None]:
    """The row's quantities, the sachets it removes, and the batch it names."""
    batch = getattr(data, "batch", None)
    if isinstance(data, AdjustmentCreate):
        if data.change == 0:
            raise RuleViolation(StockError.STOCK_009, field="change")
        return {"sachets": data.change}, -data.change, batch
    assert isinstance(data, _Quantity)  # noqa: S101 - every other movement has a quantity
    values = _in_sachets(data, per_carton)
    removed = values["sachets"] if kind is MovementKind.LOSS else 0
    return values, removed or 0, batch


def _record(
    session: Session,
    actor: Actor,
    data: _Movement,
    kind: MovementKind,
    per_carton: int | None = None,
) -> MovementRead:
    """One movement use case: the site, the correction, the checks, the row and its audit.

    Access comes first: a refused writer or place is refused whatever the figures typed.
    """
    if not actor.can(WRITE_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    moved_on = record_date(data.moved_on, "moved_on", StockError.STOCK_001)
    with session.begin():
        place = writable_site(session, actor, data.place_code)
        old = _corrected(session, data, place, kind)
        values, removed, batch = _values(data, kind, per_carton)
        leave_out = old.id if old else None
        if kind is MovementKind.RECEIPT:
            _check_receipt(session, place, data, moved_on, leave_out=leave_out)
        if removed > 0:
            _check_removal(
                session,
                place,
                product=data.product,
                on=moved_on,
                sachets=removed,
                batch=batch,
                leave_out=leave_out,
            )
        row = new_row(
            StockMovement,
            data,
            kind=kind.value,
            place_id=place.id,
            place=place,
            moved_on=moved_on,
            corrected_on=old.moved_on if old else None,
            created_by_id=actor.id,
            **values,
        )
        add_created(session, actor, row, ENTITY, after=snapshot(row, FIELDS), place_id=place.id)
        return movement_read(row, actor, place=place)


def _check_receipt(
    session: Session, place: Place, data: _Movement, on: date, *, leave_out: uuid.UUID | None
) -> None:
    assert isinstance(data, ReceiptCreate)  # noqa: S101 - only receipts come here
    if data.expires_on < on:
        raise RuleViolation(StockError.STOCK_004, field="expires_on")
    ledger = ledgers(session, [place], product=data.product, until=date.max, leave_out=leave_out)[
        place.id
    ]
    known = ledger.expiries.get(data.batch)
    if known is not None and known != data.expires_on:
        raise RuleViolation(
            StockError.STOCK_003, batch=data.batch, expires_on=known, field="expires_on"
        )


def record_receipt(
    session: Session, data: ReceiptCreate, *, actor: Actor, per_carton: int | None
) -> MovementRead:
    """Record sachets received of one batch (typed in sachets or cartons)."""
    return _record(session, actor, data, MovementKind.RECEIPT, per_carton)


def record_loss(
    session: Session, data: LossCreate, *, actor: Actor, per_carton: int | None
) -> MovementRead:
    """Record sachets lost with the reason (never more than the site or batch holds)."""
    return _record(session, actor, data, MovementKind.LOSS, per_carton)


def record_adjustment(session: Session, data: AdjustmentCreate, *, actor: Actor) -> MovementRead:
    """Record a signed change of the balance with its reason."""
    return _record(session, actor, data, MovementKind.ADJUSTMENT)


def record_count(
    session: Session, data: CountCreate, *, actor: Actor, per_carton: int | None
) -> MovementRead:
    """Record a physical count: it sets the balance (of the batch, or of the site)."""
    return _record(session, actor, data, MovementKind.COUNT, per_carton)


def delete_movement(
    session: Session, movement_id: uuid.UUID, deletion: RecordDelete, *, actor: Actor
) -> MovementRead:
    """Soft-delete a movement with a reason (a correction deleted gives back the one it replaced)."""
    refused = False
    with session.begin():
        row = repository.find_movement(session, movement_id)
        if row is None or not actor.can_at(WRITE_PERMISSION, row.place.path):
            audit_denied(
                session,
                actor,
                entity_type=ENTITY,
                entity_id=movement_id,
                patient_id=None,
                place_id=row.place_id if row else None,
            )
            refused = True
        else:
            if row.deleted_at is not None:
                raise Conflict(StockError.STOCK_011)
            soft_delete(session, actor, row, ENTITY, deletion.reason)
            return movement_read(row, actor, place=row.place)
    assert refused  # noqa: S101 - the block returned otherwise
    raise not_found()
