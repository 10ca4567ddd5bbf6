"""ORM models of indicators: context figures of the impact page, entered with their source."""

import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.db import AuthorMixin, Base, IdMixin, TimestampMixin
from alima.core.models import Place


class ContextFigure(IdMixin, TimestampMixin, AuthorMixin, Base):
    """A figure about a country that alima does not compute (population, food insecurity...)."""

    __tablename__ = "indicators_context_figure"

    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(300))

    place: Mapped[Place] = relationship()

    __table_args__ = (
        UniqueConstraint("place_id", "kind", "year", name="place_kind_year"),
        CheckConstraint("value >= 0", name="value_positive"),
        CheckConstraint("year >= 1900 AND year <= 2200", name="year_range"),
    )
