"""ORM models of indicators: context figures of the impact page, entered with their source."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base
from alima.core.models import Place, PlaceRef, RecordMixin


class ContextFigure(RecordMixin, Base):
    """A figure about a country that alima does not compute (population, food insecurity...)."""

    __tablename__ = "indicators_context_figure"
    __sync__ = Sync("lineage", place="place_id")

    place_id: Mapped[PlaceRef]
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
