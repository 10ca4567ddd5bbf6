"""ORM models of CMAM care: episodes, their visits, and per-country protocol overrides.

An episode keeps denormalised running figures (current band, ration, next visit, sachets
given) so the caseload and the monthly report read one row per child, not every visit.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import (
    Base,
    PeriodLock,
)
from alima.core.models import LockedRecordMixin, Patient, Place, RecordMixin


class ProtocolOverride(RecordMixin, Base):
    """A country's adaptation of a packaged protocol (validated by ``apply_overrides``)."""

    __tablename__ = "nutrition_protocol_override"
    __sync__ = Sync("lineage", place="country_id")

    country_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    protocol_code: Mapped[str] = mapped_column(String(60))
    protocol_version: Mapped[str] = mapped_column(String(20))
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    effective_from: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Episode(LockedRecordMixin, Base):
    """One treatment of one child for acute malnutrition, from admission to exit."""

    __tablename__ = "nutrition_episode"
    __sync__ = Sync.site(patient="patient_id", shared_place="transfer_place_id")
    __period_lock__ = PeriodLock(
        dates={
            "admitted_on": None,
            "closed_on": frozenset(
                {"status", "outcome", "closed_on", "exit_note", "transfer_place_id"}
            ),
        },
        # Running figures follow the visits, which carry their own dates (the default day and
        # a pending referral are set at a visit; keeping a referred child rewrites that visit).
        derived=frozenset(
            {
                "defaults_on",
                "referred_on",
                "referral_kept_reason",
                "band",
                "last_visit_on",
                "next_visit_on",
                "visit_interval_days",
                "visits_count",
                "sachets_total",
                "sachets_per_week",
            }
        ),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_patient.id"))
    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    protocol_code: Mapped[str] = mapped_column(String(60))
    protocol_version: Mapped[str] = mapped_column(String(20))
    protocol_fingerprint: Mapped[str] = mapped_column(String(64))
    protocol_overrides: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    admitted_on: Mapped[date] = mapped_column(Date)
    admission_type: Mapped[str] = mapped_column(String(20))  # new, relapse, transfer_in
    admission_criteria: Mapped[list[str]] = mapped_column(JSON)
    main_criterion: Mapped[str] = mapped_column(String(20))  # oedema > muac > whz
    severity: Mapped[str] = mapped_column(String(10))
    age_months_at_admission: Mapped[float] = mapped_column(Float)
    appetite_test_passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    amoxicillin_given: Mapped[bool] = mapped_column(Boolean, default=False)
    previous_episode_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open")
    band: Mapped[str] = mapped_column(String(20))
    last_visit_on: Mapped[date] = mapped_column(Date)
    next_visit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    visit_interval_days: Mapped[int] = mapped_column(Integer, default=7)
    # The day the child is defaulted if not seen again (``rules.follow_up.default_on`` of the
    # schedule; None once closed or with no next visit). Readers compare it with their "today".
    defaults_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    visits_count: Mapped[int] = mapped_column(Integer, default=0)
    sachets_total: Mapped[int] = mapped_column(Integer, default=0)
    sachets_per_week: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    transfer_place_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_place.id"), nullable=True
    )
    # Set while a referral to inpatient care awaits the clinician's decision (transfer or keep).
    referred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    referral_kept_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    patient: Mapped[Patient] = relationship()
    place: Mapped[Place] = relationship(foreign_keys=[place_id])
    visits: Mapped[list["Visit"]] = relationship(
        back_populates="episode", order_by="Visit.visit_on"
    )

    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint(
            "(status = 'open' AND outcome IS NULL AND closed_on IS NULL) OR "
            "(status = 'closed' AND outcome IS NOT NULL AND closed_on IS NOT NULL)",
            name="closed_has_outcome",
        ),
        Index("ix_nutrition_episode_place_admitted", "place_id", "admitted_on"),
        Index("ix_nutrition_episode_place_closed", "place_id", "closed_on"),
        Index("ix_nutrition_episode_patient", "patient_id", "status"),
        Index("ix_nutrition_episode_place_status_next", "place_id", "status", "next_visit_on"),
        Index("ix_nutrition_episode_place_defaults", "place_id", "defaults_on"),
    )


class Visit(LockedRecordMixin, Base):
    """A measurement point of an episode (the admission is the first one) and what was decided."""

    __tablename__ = "nutrition_visit"
    __sync__ = Sync.site(patient="episode.patient_id")
    __period_lock__ = PeriodLock(dates={"visit_on": None})

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("nutrition_episode.id"))
    # The episode's site, copied so month totals read visits alone (and can be partitioned).
    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    is_admission: Mapped[bool] = mapped_column(Boolean, default=False)
    visit_on: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    measure: Mapped[str | None] = mapped_column(String(1), nullable=True)
    muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    oedema: Mapped[str] = mapped_column(String(10), default="none")
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    appetite_test_passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    danger_signs: Mapped[bool] = mapped_column(Boolean, default=False)
    complications: Mapped[bool] = mapped_column(Boolean, default=False)
    age_days: Mapped[int] = mapped_column(Integer)
    zwfl: Mapped[float | None] = mapped_column(Float, nullable=True)
    zwei: Mapped[float | None] = mapped_column(Float, nullable=True)
    zlen: Mapped[float | None] = mapped_column(Float, nullable=True)
    zac: Mapped[float | None] = mapped_column(Float, nullable=True)
    who_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    confirmed_unusual: Mapped[bool] = mapped_column(Boolean, default=False)
    band: Mapped[str] = mapped_column(String(20))
    product: Mapped[str | None] = mapped_column(String(10), nullable=True)
    kcal_per_kg_day: Mapped[float | None] = mapped_column(Float, nullable=True)
    sachets_per_day: Mapped[float | None] = mapped_column(Float, nullable=True)
    ration_days: Mapped[int] = mapped_column(Integer, default=0)
    sachets_given: Mapped[int] = mapped_column(Integer, default=0)
    next_visit_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    alerts: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    episode: Mapped[Episode] = relationship(back_populates="visits")

    __table_args__ = (
        # Covering on PostgreSQL, so month totals and the ration in force are index-only scans.
        Index(
            "ix_nutrition_visit_episode_on",
            "episode_id",
            "visit_on",
            postgresql_include=["sachets_per_day", "deleted_at"],
        ),
        Index("ix_nutrition_visit_on", "visit_on"),
        Index(
            "ix_nutrition_visit_place_on",
            "place_id",
            "visit_on",
            postgresql_include=["sachets_given", "deleted_at"],
        ),
        CheckConstraint("sachets_given >= 0", name="sachets_positive"),
    )


class Tracing(LockedRecordMixin, Base):
    """A home visit to a child who missed a visit or defaulted, and what the tracer found.

    The outcome feeds the episode's exit (docs/clinical-rules.md §4.2): died closes it as died,
    moved as transferred out, refused as defaulted; found and back leaves the child in care.
    """

    __tablename__ = "nutrition_tracing"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(dates={"visited_on": None})

    episode_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_patient.id"))
    # The episode's site, where the tracing is counted.
    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    episode: Mapped[Episode] = relationship()
    place: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint("outcome IN ('found_back', 'moved', 'died', 'refused')", name="outcome"),
        Index("ix_nutrition_tracing_place_visited", "place_id", "visited_on"),
    )


class MonthFigure(Base):
    """One figure of the monthly report for a site and a complete month (``nutrition.summary``).

    Derived, never entered: rewritten from episodes and visits by the summary refresh. A
    (site, month) listed in :class:`MonthDirty` is read live instead until it is rewritten.
    """

    __tablename__ = "nutrition_month_figure"
    __sync__ = Sync.local("derived on each server from its episodes and visits")

    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    figure: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_nutrition_month_figure_month", "month", "figure", "place_id", "value"),
        # The caseload's ``net`` of every earlier month, the admissions (``LIKE 'adm:%'``, byte
        # order on PostgreSQL whatever the collation): one range each, read from the index alone.
        Index(
            "ix_nutrition_month_figure_figure",
            "figure",
            "month",
            "place_id",
            "value",
            postgresql_ops={"figure": "varchar_pattern_ops"},
        ),
    )


class MonthDirty(Base):
    """A (site, month) whose figures changed since the summary was written: read it live."""

    __tablename__ = "nutrition_month_dirty"
    __sync__ = Sync.local("marks of this server's own summary")

    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    marks: Mapped[int] = mapped_column(Integer, default=1)


class MonthSummaryState(Base):
    """How far the summary goes: every (site, month) up to ``through`` is written or dirty."""

    __tablename__ = "nutrition_month_state"
    __sync__ = Sync.local("bookkeeping of this server's own summary")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    through: Mapped[date | None] = mapped_column(Date, nullable=True)


# Every session marks the monthly summary's (site, month) pairs its writes change.
from alima.nutrition import freshness as _freshness  # noqa: E402, F401
