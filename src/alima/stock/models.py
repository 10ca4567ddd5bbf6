"""ORM model of RUTF stock: the movements of a site (append-only, soft-deleted only)."""

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base, PeriodLock
from alima.core.models import AboutNoPatient, LockedRecordMixin, Place, PlaceRef


class StockMovement(AboutNoPatient, LockedRecordMixin, Base):
    """A receipt, loss, adjustment or physical count of a product at a site.

    ``sachets`` is never negative except for an adjustment (its signed change); a quantity
    typed in cartons keeps ``cartons`` and ``sachets_per_carton`` as typed. A correction is a
    new row whose ``corrects_id`` names the row it replaces, and ``corrected_on`` copies that
    row's day so the lock of its month also guards the correction.
    """

    __tablename__ = "stock_movement"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(
        dates={"moved_on": None, "corrected_on": frozenset({"corrected_on", "corrects_id"})}
    )

    place_id: Mapped[PlaceRef]
    kind: Mapped[str] = mapped_column(String(20))
    product: Mapped[str] = mapped_column(String(10), default="rutf")
    moved_on: Mapped[date] = mapped_column(Date)
    sachets: Mapped[int] = mapped_column(Integer)
    cartons: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sachets_per_carton: Mapped[int | None] = mapped_column(Integer, nullable=True)
    batch: Mapped[str | None] = mapped_column(String(60), nullable=True)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("stock_movement.id"), nullable=True, index=True
    )
    corrected_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    place: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('receipt', 'loss', 'adjustment', 'stock_count')", name="kind"),
        CheckConstraint("sachets >= 0 OR kind = 'adjustment'", name="sachets_positive"),
        CheckConstraint(
            "kind != 'receipt' OR (batch IS NOT NULL AND expires_on IS NOT NULL)",
            name="receipt_has_batch",
        ),
        CheckConstraint("(corrects_id IS NULL) = (corrected_on IS NULL)", name="correction_dated"),
        Index("ix_stock_movement_place_on", "place_id", "product", "moved_on"),
    )
