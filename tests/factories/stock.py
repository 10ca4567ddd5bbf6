"""Builders for RUTF stock tests: a receipt at a site, through the service."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.time import today
from alima.stock import service
from alima.stock.schemas import MovementRead, ReceiptCreate


def make_receipt(
    session: Session,
    actor: Actor,
    place_code: str,
    sachets: int,
    *,
    batch: str = "LOT-1",
    on: date | None = None,
    expires_on: date | None = None,
) -> MovementRead:
    """``sachets`` received at the site on ``on`` (default: 10 days ago), expiring in a year."""
    return service.record_receipt(
        session,
        ReceiptCreate(
            place_code=place_code,
            moved_on=on or today() - timedelta(days=10),
            quantity=sachets,
            batch=batch,
            expires_on=expires_on or today() + timedelta(days=365),
        ),
        actor=actor,
        per_carton=150,
    )
