"""ORM models of the DHIS2 exchange: a country's mapping, stored as data, and every push."""

import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base
from alima.core.models import Place, PlaceRef, RecordMixin


class Dhis2Mapping(RecordMixin, Base):
    """A country's DHIS2: the data set, attribute option combo and period type sent."""

    __tablename__ = "dhis2_mapping"
    __sync__ = Sync.local("the hub's DHIS2 configuration: laptops do not report to DHIS2")

    country_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"), unique=True)
    data_set: Mapped[str] = mapped_column(String(11))
    #: The attribute option combo (DHIS2's AOC; the column avoids a word the impartiality
    #: check refuses, ``tests/test_impartiality.py``).
    aoc: Mapped[str] = mapped_column(String(11))
    period_type: Mapped[str] = mapped_column(String(20), default="MONTHLY")

    country: Mapped[Place] = relationship()
    data_elements: Mapped[list["Dhis2DataElement"]] = relationship(
        back_populates="mapping", order_by="(Dhis2DataElement.figure, Dhis2DataElement.option)"
    )
    org_units: Mapped[list["Dhis2OrgUnit"]] = relationship(back_populates="mapping")


class Dhis2DataElement(RecordMixin, Base):
    """A figure (and option) of alima sent as a data element and category option combo."""

    __tablename__ = "dhis2_data_element"
    __sync__ = Sync.local("the hub's DHIS2 configuration: laptops do not report to DHIS2")

    mapping_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("dhis2_mapping.id"), index=True)
    figure: Mapped[str] = mapped_column(String(60))
    option: Mapped[str] = mapped_column(String(40), default="")
    data_element: Mapped[str] = mapped_column(String(11))
    category_option_combo: Mapped[str] = mapped_column(String(11))

    mapping: Mapped[Dhis2Mapping] = relationship(back_populates="data_elements")

    __table_args__ = (
        UniqueConstraint("mapping_id", "figure", "option", name="dhis2_data_element_figure"),
        UniqueConstraint(
            "mapping_id", "data_element", "category_option_combo", name="dhis2_data_element_combo"
        ),
    )


class Dhis2OrgUnit(RecordMixin, Base):
    """A place of alima (with its subtree) sent as a DHIS2 organisation unit."""

    __tablename__ = "dhis2_org_unit"
    __sync__ = Sync.local("the hub's DHIS2 configuration: laptops do not report to DHIS2")

    mapping_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("dhis2_mapping.id"), index=True)
    place_id: Mapped[PlaceRef]
    org_unit: Mapped[str] = mapped_column(String(11))

    mapping: Mapped[Dhis2Mapping] = relationship(back_populates="org_units")
    place: Mapped[Place] = relationship()

    __table_args__ = (
        UniqueConstraint("mapping_id", "place_id", name="dhis2_org_unit_place"),
        UniqueConstraint("mapping_id", "org_unit", name="dhis2_org_unit_uid"),
    )


class Dhis2Push(RecordMixin, Base):
    """One sending of a month to DHIS2 (or a dry run) and what DHIS2 answered."""

    __tablename__ = "dhis2_push"
    __sync__ = Sync.local("what the hub sent to DHIS2")

    country_id: Mapped[PlaceRef]
    month: Mapped[str] = mapped_column(String(7), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    server: Mapped[str] = mapped_column(String(300))
    payload_hash: Mapped[str] = mapped_column(String(64))
    values_sent: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    ignored: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)

    country: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint(
            "imported >= 0 AND updated >= 0 AND ignored >= 0 AND deleted >= 0", name="counts"
        ),
    )
