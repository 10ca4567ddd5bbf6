"""ORM models of SMC: campaigns, their areas and cycles, teams, products, administrations."""

import uuid
from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base, PeriodLock, PeriodLocked, SoftDeleteMixin
from alima.core.models import (
    AboutNoPatient,
    LockedRecordMixin,
    Patient,
    Place,
    PlaceRef,
    RecordMixin,
)


class SmcCampaign(RecordMixin, SoftDeleteMixin, Base):
    """One country's SMC campaign for one rainy season (docs/clinical-rules.md §7, §14).

    Decided by the country or the district and sent to every site below its country; its
    areas and cycles are rows of their own.
    """

    __tablename__ = "smc_campaign"
    __sync__ = Sync("lineage", place="place_id")

    place_id: Mapped[PlaceRef]  # the country
    name: Mapped[str] = mapped_column(String(200))
    season: Mapped[int] = mapped_column(Integer)
    cycle_count: Mapped[int] = mapped_column(Integer)
    target_source: Mapped[str] = mapped_column(String(10))
    #: Share of children 3-59 months in a place's population, when the target comes from
    #: the places' populations (a setting copied at setup, so later changes do not move it).
    target_share_percent: Mapped[float | None] = mapped_column(nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship()
    areas: Mapped[list["SmcCampaignArea"]] = relationship(back_populates="campaign")
    cycles: Mapped[list["SmcCycle"]] = relationship(
        back_populates="campaign", order_by="SmcCycle.number"
    )

    __table_args__ = (
        CheckConstraint("cycle_count IN (4, 5)", name="cycle_count"),
        CheckConstraint("target_source IN ('places', 'census')", name="target_source"),
        CheckConstraint("season >= 2000 AND season <= 2100", name="season"),
    )


class SmcCampaignArea(RecordMixin, Base):
    """A district or health area a campaign covers, with its census target if typed."""

    __tablename__ = "smc_campaign_area"
    __sync__ = Sync("lineage", place="place_id")

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_campaign.id"), index=True)
    place_id: Mapped[PlaceRef]
    census_target: Mapped[int | None] = mapped_column(Integer, nullable=True)

    campaign: Mapped[SmcCampaign] = relationship(back_populates="areas")
    place: Mapped[Place] = relationship()

    __table_args__ = (
        UniqueConstraint("campaign_id", "place_id", name="campaign_place"),
        CheckConstraint("census_target IS NULL OR census_target >= 0", name="census_positive"),
    )


class SmcCycle(RecordMixin, PeriodLocked, Base):
    """A monthly cycle: its number and the days its day-1 doses may be recorded."""

    __tablename__ = "smc_cycle"
    __sync__ = Sync("lineage", place="place_id")
    __period_lock__ = PeriodLock(dates={"starts_on": None, "ends_on": frozenset({"ends_on"})})

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_campaign.id"), index=True)
    place_id: Mapped[PlaceRef]  # the campaign's country (its lock and its sync)
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    campaign: Mapped[SmcCampaign] = relationship(back_populates="cycles")

    __table_args__ = (
        UniqueConstraint("campaign_id", "number", name="campaign_number"),
        CheckConstraint("number >= 1 AND number <= 5", name="number"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )


class SmcTeam(RecordMixin, SoftDeleteMixin, Base):
    """Distributors who go door to door in some villages, from one site."""

    __tablename__ = "smc_team"
    __sync__ = Sync.site()

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_campaign.id"), index=True)
    place_id: Mapped[PlaceRef]  # the service point the team works from
    name: Mapped[str] = mapped_column(String(100))
    members: Mapped[str] = mapped_column(String(500))
    villages: Mapped[list[str]] = mapped_column(JSON, default=list)

    campaign: Mapped[SmcCampaign] = relationship()
    place: Mapped[Place] = relationship()


class SmcSupply(AboutNoPatient, LockedRecordMixin, Base):
    """SPAQ blisters a site received for a cycle."""

    __tablename__ = "smc_supply"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(dates={"received_on": None})

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_campaign.id"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_cycle.id"), index=True)
    place_id: Mapped[PlaceRef]
    product: Mapped[str] = mapped_column(String(12))
    blisters: Mapped[int] = mapped_column(Integer)
    received_on: Mapped[date] = mapped_column(Date)

    place: Mapped[Place] = relationship()
    cycle: Mapped[SmcCycle] = relationship()

    __table_args__ = (
        CheckConstraint("product IN ('spaq_3_11', 'spaq_12_59')", name="product"),
        CheckConstraint("blisters > 0", name="blisters_positive"),
    )


class SmcAdministration(LockedRecordMixin, Base):
    """One child's day 1 of a cycle: SPAQ given and watched, or excluded with its reason.

    Days 2 and 3 (amodiaquine given by the caregiver) are filled in when the caregiver is
    next seen. A child has at most one live dose given per cycle (the partial unique index);
    an exclusion may come before it (a feverish child treated, then given days later).
    """

    __tablename__ = "smc_administration"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(
        dates={
            "given_on": None,
            "adherence_reported_on": frozenset(
                {"adherence_reported_on", "day2_given", "day3_given"}
            ),
        }
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_campaign.id"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("smc_cycle.id"), index=True)
    cycle_number: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_patient.id"), index=True)
    place_id: Mapped[PlaceRef]  # the site whose team visited
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("smc_team.id"), nullable=True, index=True
    )
    village: Mapped[str] = mapped_column(String(200))
    given_on: Mapped[date] = mapped_column(Date, index=True)
    age_days: Mapped[int] = mapped_column(Integer)  # on the cycle's first day
    age_band: Mapped[str] = mapped_column(String(6))
    exclusion: Mapped[str | None] = mapped_column(String(20), nullable=True)
    day1_observed: Mapped[bool] = mapped_column(Boolean, default=True)
    vomited: Mapped[bool] = mapped_column(Boolean, default=False)
    redosed: Mapped[bool] = mapped_column(Boolean, default=False)
    blisters: Mapped[int] = mapped_column(Integer, default=0)
    muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    screening_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("community_screening.id"), nullable=True
    )
    given_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    day2_given: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    day3_given: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    adherence_reported_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    place: Mapped[Place] = relationship()
    patient: Mapped[Patient] = relationship()
    cycle: Mapped[SmcCycle] = relationship()
    team: Mapped[SmcTeam | None] = relationship()

    __table_args__ = (
        CheckConstraint("age_band IN ('3_11', '12_59')", name="age_band"),
        CheckConstraint("age_days >= 92 AND age_days <= 1826", name="age_range"),
        CheckConstraint(
            "exclusion IS NULL OR exclusion IN "
            "('sick', 'allergy', 'cotrimoxazole', 'severe_malnutrition', 'already_received')",
            name="exclusion",
        ),
        CheckConstraint("exclusion IS NULL OR blisters = 0", name="excluded_no_blister"),
        CheckConstraint("blisters >= 0 AND blisters <= 2", name="blisters_range"),
        CheckConstraint("muac_mm IS NULL OR (muac_mm >= 50 AND muac_mm <= 300)", name="muac"),
        CheckConstraint(
            "(day2_given IS NULL AND day3_given IS NULL) OR adherence_reported_on IS NOT NULL",
            name="adherence_dated",
        ),
        # One live dose given per child and cycle, whichever laptop or service writes it.
        Index(
            "uq_smc_administration_given",
            "patient_id",
            "cycle_id",
            unique=True,
            sqlite_where=text("exclusion IS NULL AND deleted_at IS NULL"),
            postgresql_where=text("exclusion IS NULL AND deleted_at IS NULL"),
        ),
    )
