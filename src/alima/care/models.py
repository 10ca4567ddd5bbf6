"""ORM models of care: consultations, maternal health, surgery, mobile clinics."""

import uuid
from datetime import date

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
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import (
    Base,
    IdMixin,
    PeriodLock,
    PeriodLocked,
)
from alima.core.models import LockedRecordMixin, Patient, PatientRef, Place, PlaceRef, RecordMixin


class PatientRecordMixin(LockedRecordMixin):
    """A patient-level care record: the patient and the place where care was given."""

    patient_id: Mapped[PatientRef]
    place_id: Mapped[PlaceRef]
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Consultation(PatientRecordMixin, Base):
    """A general or paediatric consultation, with IMCI triage for children under five."""

    __tablename__ = "care_consultation"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(dates={"consulted_on": None})

    consulted_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(12))
    age_months: Mapped[int] = mapped_column(Integer)
    weight_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    breaths_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cough: Mapped[bool] = mapped_column(Boolean, default=False)
    chest_indrawing: Mapped[bool] = mapped_column(Boolean, default=False)
    stridor: Mapped[bool] = mapped_column(Boolean, default=False)
    fever_history: Mapped[bool] = mapped_column(Boolean, default=False)
    stiff_neck: Mapped[bool] = mapped_column(Boolean, default=False)
    unable_to_drink: Mapped[bool] = mapped_column(Boolean, default=False)
    vomits_everything: Mapped[bool] = mapped_column(Boolean, default=False)
    convulsions: Mapped[bool] = mapped_column(Boolean, default=False)
    lethargic: Mapped[bool] = mapped_column(Boolean, default=False)
    convulsing_now: Mapped[bool] = mapped_column(Boolean, default=False)
    # Computed by alima.care.rules.imci when saved (kept so reports need not recompute).
    urgency: Mapped[str] = mapped_column(String(20))
    classifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    fast_breathing: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    fever: Mapped[bool] = mapped_column(Boolean, default=False)
    rdt_result: Mapped[str] = mapped_column(String(16))
    malaria_treatment: Mapped[str] = mapped_column(String(20))
    muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    oedema: Mapped[str] = mapped_column(String(10))
    muac_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # The nutrition episode this child was admitted to.
    nutrition_episode_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), nullable=True
    )
    referred: Mapped[bool] = mapped_column(Boolean, default=False)
    referred_to: Mapped[str | None] = mapped_column(String(200), nullable=True)

    patient: Mapped[Patient] = relationship()
    place: Mapped[Place] = relationship()
    diagnoses: Mapped[list["ConsultationDiagnosis"]] = relationship(
        back_populates="consultation", order_by="ConsultationDiagnosis.rank"
    )

    __table_args__ = (
        # Covering on PostgreSQL: a country's consultations of a year by month, index only.
        Index(
            "ix_care_consultation_on_place",
            "consulted_on",
            "place_id",
            postgresql_include=["deleted_at", "patient_id"],
        ),
        CheckConstraint("age_months >= 0", name="age_positive"),
        CheckConstraint("muac_mm IS NULL OR (muac_mm >= 50 AND muac_mm <= 300)", name="muac"),
        CheckConstraint(
            "temperature_c IS NULL OR (temperature_c >= 30 AND temperature_c <= 44)",
            name="temperature",
        ),
        CheckConstraint(
            "breaths_per_minute IS NULL OR (breaths_per_minute >= 5 AND breaths_per_minute <= 150)",
            name="breaths",
        ),
    )


class ConsultationDiagnosis(IdMixin, PeriodLocked, Base):
    """A diagnosis of a consultation (rank 1 is the main one), by ICD-10 code."""

    __tablename__ = "care_consultation_diagnosis"
    __sync__ = Sync.site("consultation.place_id", patient="consultation.patient_id")
    __period_lock__ = PeriodLock(parent="consultation")

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("care_consultation.id"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    icd10: Mapped[str] = mapped_column(String(10), index=True)

    consultation: Mapped[Consultation] = relationship(back_populates="diagnoses")

    __table_args__ = (UniqueConstraint("consultation_id", "icd10", name="code"),)


class AntenatalVisit(PatientRecordMixin, Base):
    """An antenatal care contact."""

    __tablename__ = "care_antenatal_visit"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(dates={"visited_on": None})

    visited_on: Mapped[date] = mapped_column(Date, index=True)
    visit_number: Mapped[int] = mapped_column(Integer)
    gestational_age_weeks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    systolic_mmhg: Mapped[int | None] = mapped_column(Integer, nullable=True)
    diastolic_mmhg: Mapped[int | None] = mapped_column(Integer, nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    iptp_dose: Mapped[int | None] = mapped_column(Integer, nullable=True)
    iron_folic_acid: Mapped[bool] = mapped_column(Boolean, default=False)
    bednet_given: Mapped[bool] = mapped_column(Boolean, default=False)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    referred: Mapped[bool] = mapped_column(Boolean, default=False)

    patient: Mapped[Patient] = relationship()
    place: Mapped[Place] = relationship()

    __table_args__ = (CheckConstraint("visit_number >= 1", name="visit_number_positive"),)


class Delivery(PatientRecordMixin, Base):
    """A birth: where, who assisted, how, and the outcome for the mother and each baby."""

    __tablename__ = "care_delivery"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(dates={"delivered_on": None})

    delivered_on: Mapped[date] = mapped_column(Date, index=True)
    setting: Mapped[str] = mapped_column(String(16))
    attendant: Mapped[str] = mapped_column(String(24))
    mode: Mapped[str] = mapped_column(String(24))
    mother_outcome: Mapped[str] = mapped_column(String(20))

    patient: Mapped[Patient] = relationship()
    place: Mapped[Place] = relationship()
    newborns: Mapped[list["Newborn"]] = relationship(
        back_populates="delivery", order_by="Newborn.position"
    )

    __table_args__ = (
        Index(
            "ix_care_delivery_on_place",
            "delivered_on",
            "place_id",
            postgresql_include=["deleted_at", "patient_id"],
        ),
    )


class Newborn(IdMixin, PeriodLocked, Base):
    """One baby of a delivery."""

    __tablename__ = "care_newborn"
    __sync__ = Sync.site("delivery.place_id", patient="delivery.patient_id")
    __period_lock__ = PeriodLock(parent="delivery")

    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("care_delivery.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    outcome: Mapped[str] = mapped_column(String(24))
    birth_weight_g: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The baby's own patient record, once registered from the delivery.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_patient.id"), nullable=True, unique=True
    )

    delivery: Mapped[Delivery] = relationship(back_populates="newborns")

    __table_args__ = (
        UniqueConstraint("delivery_id", "position", name="position"),
        CheckConstraint(
            "birth_weight_g IS NULL OR (birth_weight_g >= 300 AND birth_weight_g <= 7000)",
            name="birth_weight",
        ),
    )


class PostnatalVisit(PatientRecordMixin, Base):
    """A postnatal care contact for a mother and her newborn."""

    __tablename__ = "care_postnatal_visit"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(dates={"visited_on": None})

    visited_on: Mapped[date] = mapped_column(Date, index=True)
    delivery_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("care_delivery.id"), nullable=True, index=True
    )
    day_after_birth: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mother_status: Mapped[str] = mapped_column(String(16))
    newborn_status: Mapped[str] = mapped_column(String(16))
    exclusive_breastfeeding: Mapped[bool] = mapped_column(Boolean, default=False)
    family_planning: Mapped[bool] = mapped_column(Boolean, default=False)

    patient: Mapped[Patient] = relationship()
    place: Mapped[Place] = relationship()


class Surgery(PatientRecordMixin, Base):
    """An entry of a hospital's emergency surgery log."""

    __tablename__ = "care_surgery"
    __sync__ = Sync.site(patient="patient_id")
    __period_lock__ = PeriodLock(dates={"operated_on": None})

    operated_on: Mapped[date] = mapped_column(Date, index=True)
    procedure: Mapped[str] = mapped_column(String(40))
    indication: Mapped[str] = mapped_column(String(20))
    indication_detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    emergency: Mapped[bool] = mapped_column(Boolean, default=True)
    anaesthesia: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str] = mapped_column(String(20))
    surgeon: Mapped[str | None] = mapped_column(String(200), nullable=True)

    patient: Mapped[Patient] = relationship()
    place: Mapped[Place] = relationship()


class MobileSession(LockedRecordMixin, Base):
    """A mobile-clinic session at a site: who went, how many people were reached, what was given."""

    __tablename__ = "care_mobile_session"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(dates={"held_on": None})

    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"), index=True)
    mobile_clinic_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_place.id"), nullable=True, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, index=True)
    team: Mapped[str] = mapped_column(String(200))
    people_reached: Mapped[int] = mapped_column(Integer)
    consultations: Mapped[int | None] = mapped_column(Integer, nullable=True)
    children_screened: Mapped[int | None] = mapped_column(Integer, nullable=True)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship(foreign_keys=[place_id])
    mobile_clinic: Mapped[Place | None] = relationship(foreign_keys=[mobile_clinic_id])

    __table_args__ = (
        CheckConstraint("people_reached >= 0", name="people_reached_positive"),
        CheckConstraint("consultations IS NULL OR consultations >= 0", name="consultations"),
        CheckConstraint(
            "children_screened IS NULL OR children_screened >= 0", name="children_screened"
        ),
    )


class DisplacedPopulation(RecordMixin, PeriodLocked, Base):
    """The displaced population counted at a site on a date (corrections are audited updates)."""

    __tablename__ = "care_displaced_population"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(dates={"counted_on": None})

    place_id: Mapped[PlaceRef]
    counted_on: Mapped[date] = mapped_column(Date)
    individuals: Mapped[int] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)

    place: Mapped[Place] = relationship()

    __table_args__ = (
        UniqueConstraint("place_id", "counted_on", name="place_date"),
        CheckConstraint("individuals >= 0", name="individuals_positive"),
        CheckConstraint("households IS NULL OR households >= 0", name="households_positive"),
    )
