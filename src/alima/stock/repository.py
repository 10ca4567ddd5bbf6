"""Queries of RUTF stock. ``find_*`` returns ``None``; nothing here commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, aliased, selectinload

from alima.core.repository import find_by_id
from alima.stock.models import StockMovement


def find_movement(session: Session, movement_id: uuid.UUID) -> StockMovement | None:
    """The movement (deleted ones included), its place loaded."""
    return find_by_id(session, StockMovement, movement_id, selectinload(StockMovement.place))


def _corrected_by_live() -> ColumnElement[bool]:
    """The movement is replaced by a live correction."""
    correction = aliased(StockMovement)
    return (
        select(correction.id)
        .where(correction.corrects_id == StockMovement.id, correction.deleted_at.is_(None))
        .exists()
    )


def is_corrected(session: Session, movement_id: uuid.UUID) -> bool:
    """Whether a live correction replaces the movement."""
    found = session.scalar(
        select(StockMovement.id).where(
            StockMovement.corrects_id == movement_id, StockMovement.deleted_at.is_(None)
        )
    )
    return found is not None


def counting_movements(
    session: Session, place_ids: Sequence[uuid.UUID], *, product: str, until: date
) -> list[StockMovement]:
    """The movements that count at the sites up to ``until``: live, not replaced by a correction.

    In the order they were written (the ledger orders them by day).
    """
    if not place_ids:
        return []
    return list(
        session.scalars(
            select(StockMovement)
            .where(
                StockMovement.place_id.in_(place_ids),
                StockMovement.product == product,
                StockMovement.moved_on <= until,
                StockMovement.deleted_at.is_(None),
                ~_corrected_by_live(),
            )
            .order_by(StockMovement.created_at, StockMovement.id)
        )
    )


def recent_movements(
    session: Session, place_id: uuid.UUID, *, product: str, limit: int
) -> list[tuple[StockMovement, bool]]:
    """The site's latest movements (deleted and corrected ones too), newest day first.

    Each with whether a live correction replaces it.
    """
    rows = session.execute(
        select(StockMovement, _corrected_by_live())
        .where(and_(StockMovement.place_id == place_id, StockMovement.product == product))
        .order_by(StockMovement.moved_on.desc(), StockMovement.created_at.desc())
        .limit(limit)
    )
    return [(m, bool(c)) for m, c in rows]
