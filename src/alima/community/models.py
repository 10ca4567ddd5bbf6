"""ORM models of community screening: trainings, screenings, referrals."""

import uuid
from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import (
    Base,
    PeriodLock,
)
from alima.core.models import LockedRecordMixin, Patient, Place, PlaceRef


class Training(LockedRecordMixin, Base):
    """A MUAC-for-mothers training session in a village."""

    __tablename__ = "community_training"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(dates={"held_on": None})

    place_id: Mapped[PlaceRef]
    held_on: Mapped[date] = mapped_column(Date, index=True)
    trainer_name: Mapped[str] = mapped_column(String(200))
    trainer_role: Mapped[str] = mapped_column(String(20))
    village: Mapped[str] = mapped_column(String(200))
    mothers_trained: Mapped[int] = mapped_column(Integer)
    tapes_given: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint("mothers_trained >= 0", name="mothers_trained_positive"),
        CheckConstraint("tapes_given IS NULL OR tapes_given >= 0", name="tapes_positive"),
    )


class Screening(LockedRecordMixin, Base):
    """A child's arm measured in the community; the child may not be registered yet."""

    __tablename__ = "community_screening"
    __sync__ = Sync.site(patient="patient_id", shared_place="referral.place_id")
    __period_lock__ = PeriodLock(dates={"screened_on": None})

    place_id: Mapped[PlaceRef]
    screened_on: Mapped[date] = mapped_column(Date, index=True)
    screener_type: Mapped[str] = mapped_column(String(20))
    screener_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    child_given_name: Mapped[str] = mapped_column(String(100))
    child_family_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    child_sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    child_age_months: Mapped[int] = mapped_column(Integer)
    caregiver_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    village: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_patient.id"), nullable=True, index=True
    )
    muac_mm: Mapped[int] = mapped_column(Integer)
    oedema: Mapped[str] = mapped_column(String(10))
    # Derived from muac_mm by the cut-offs in force when screened; the millimetres stay.
    muac_band: Mapped[str] = mapped_column(String(10))

    place: Mapped[Place] = relationship()
    patient: Mapped[Patient | None] = relationship()
    referral: Mapped["Referral | None"] = relationship(back_populates="screening")

    __table_args__ = (
        CheckConstraint("muac_mm >= 50 AND muac_mm <= 300", name="muac_range"),
        CheckConstraint("child_age_months >= 0 AND child_age_months < 60", name="age_range"),
        CheckConstraint("child_sex IS NULL OR child_sex IN ('M', 'F')", name="sex"),
    )


class Referral(LockedRecordMixin, Base):
    """A screened child sent to a health centre, and what happened when the child arrived."""

    __tablename__ = "community_referral"
    __sync__ = Sync.site("screening.place_id", patient="patient_id", shared_place="place_id")
    __period_lock__ = PeriodLock(
        dates={
            "referred_on": None,
            "arrived_on": frozenset(
                {
                    "status",
                    "arrived_on",
                    "arrival_muac_mm",
                    "arrival_oedema",
                    "arrival_band",
                    "bands_agree",
                    "admitted",
                    "nutrition_episode_id",
                    "patient_id",
                    "completed_by_id",
                }
            ),
            "closed_on": frozenset({"status", "closed_on", "closed_reason", "closed_by_id"}),
        }
    )

    screening_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("community_screening.id"), unique=True
    )
    place_id: Mapped[PlaceRef]
    urgency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), index=True)
    referred_on: Mapped[date] = mapped_column(Date, index=True)
    arrived_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    arrival_muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    arrival_oedema: Mapped[str | None] = mapped_column(String(10), nullable=True)
    arrival_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    bands_agree: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    admitted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # The nutrition episode the child was admitted to (one of the same child's, in scope).
    nutrition_episode_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), nullable=True
    )
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_patient.id"), nullable=True, index=True
    )
    completed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    # Closed as "did not arrive" after the set number of days (ALIMA_REFERRAL_CLOSE_AFTER_DAYS).
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )

    screening: Mapped[Screening] = relationship(back_populates="referral")
    place: Mapped[Place] = relationship()
    patient: Mapped[Patient | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "arrival_muac_mm IS NULL OR (arrival_muac_mm >= 50 AND arrival_muac_mm <= 300)",
            name="arrival_muac_range",
        ),
        CheckConstraint(
            "status <> 'completed' OR arrived_on IS NOT NULL", name="completed_has_arrival"
        ),
        CheckConstraint(
            "status <> 'not_arrived' OR closed_on IS NOT NULL", name="not_arrived_has_date"
        ),
    )
