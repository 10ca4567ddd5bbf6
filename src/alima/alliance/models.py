"""ORM models of co-management: agreements, approvals, emergency access, funding, trainings.

No field for ethnicity, religion or political affiliation, ever.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import (
    Base,
    IdMixin,
    PeriodLock,
    PeriodLocked,
    TimestampMixin,
    UTCDateTime,
)
from alima.core.models import (
    Organisation,
    OrganisationRef,
    Patient,
    PatientRef,
    Place,
    PlaceRef,
    Project,
    ProjectRef,
    RecordMixin,
    User,
)
from alima.core.time import utcnow


class Agreement(RecordMixin, Base):
    """What a partner organisation's users may see, capture, approve and export in a project.

    ``role`` empty means every role of the organisation; a row naming a role wins over it.
    Agreements are never edited in place: a new one starts when the previous one ends.
    """

    __tablename__ = "alliance_agreement"
    __sync__ = Sync("all")

    project_id: Mapped[ProjectRef]
    organisation_id: Mapped[OrganisationRef]
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    data_access: Mapped[str] = mapped_column(String(20))
    may_capture: Mapped[bool] = mapped_column(Boolean)
    may_approve: Mapped[bool] = mapped_column(Boolean)
    export_level: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)

    project: Mapped[Project] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        Index("ix_alliance_agreement_project_org", "project_id", "organisation_id"),
        CheckConstraint("data_access IN ('patient_level', 'aggregates')", name="data_access"),
        CheckConstraint(
            "export_level IN ('none', 'aggregates', 'patient_level')", name="export_level"
        ),
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="effective_dates"
        ),
    )


class DataPeriod(IdMixin, TimestampMixin, Base):
    """A site's month in the approval workflow; approved means locked.

    One row per place and month. ``round`` counts submissions: approvals of an earlier round
    stop counting once the month is unlocked and submitted again.
    """

    __tablename__ = "alliance_data_period"
    __sync__ = Sync("lineage", place="place_id")

    project_id: Mapped[ProjectRef]
    place_id: Mapped[PlaceRef]
    starts_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer, default=1)
    submitted_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unlocked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    unlocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unlock_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship()
    project: Mapped[Project] = relationship()
    approvals: Mapped[list["PeriodApproval"]] = relationship(
        back_populates="period", order_by="PeriodApproval.approved_at"
    )

    __table_args__ = (
        UniqueConstraint("place_id", "starts_on", name="month"),
        CheckConstraint("status IN ('submitted', 'approved', 'reopened')", name="status"),
        Index("ix_alliance_data_period_starts_on_status", "starts_on", "status"),
    )


class PeriodApproval(IdMixin, Base):
    """One organisation's approval of a site's month, for one submission round."""

    __tablename__ = "alliance_period_approval"
    __sync__ = Sync("lineage", place="period.place_id")

    period_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("alliance_data_period.id"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[OrganisationRef]
    approved_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    period: Mapped[DataPeriod] = relationship(back_populates="approvals")
    organisation: Mapped[Organisation] = relationship()
    approved_by: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("period_id", "round", "organisation_id", name="once_per_round"),
    )


class BreakGlassGrant(IdMixin, Base):
    """A clinician's time-limited access to one patient outside their scope, with a reason."""

    __tablename__ = "alliance_break_glass"
    __sync__ = Sync.local("an emergency access granted on this server")

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"))
    patient_id: Mapped[PatientRef]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    patient: Mapped[Patient] = relationship()

    __table_args__ = (Index("ix_alliance_break_glass_user_expires", "user_id", "expires_at"),)


class EmergencyAlert(IdMixin, Base):
    """An alert for the coordinators: someone reached the daily cap of emergency accesses."""

    __tablename__ = "alliance_emergency_alert"
    __sync__ = Sync.local("an alert about access on this server")

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"))
    patient_id: Mapped[PatientRef]
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()
    patient: Mapped[Patient] = relationship()


class FundingGrant(RecordMixin, Base):
    """A donor's grant to a project, in its currency and in the reporting currency.

    Amounts are whole currency units (grants are signed in whole euros or francs).
    """

    __tablename__ = "alliance_funding_grant"
    __sync__ = Sync("all")

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_project.id"), index=True)
    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_organisation.id"))
    reference: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    reporting_amount: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    donor: Mapped[Organisation] = relationship()
    project: Mapped[Project] = relationship()
    allocations: Mapped[list["FundingAllocation"]] = relationship(
        back_populates="grant", order_by="FundingAllocation.created_at"
    )

    __table_args__ = (
        UniqueConstraint("project_id", "reference", name="reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("reporting_amount > 0", name="reporting_amount_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )


class FundingAllocation(RecordMixin, Base):
    """Part of a grant allocated to a partner organisation (in the grant's currency)."""

    __tablename__ = "alliance_funding_allocation"
    __sync__ = Sync("all")

    grant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("alliance_funding_grant.id"), index=True
    )
    organisation_id: Mapped[OrganisationRef]
    amount: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    grant: Mapped[FundingGrant] = relationship(back_populates="allocations")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)


class Training(RecordMixin, PeriodLocked, Base):
    """A training session for health workers (IPC, MUAC, CMAM, IMCI...)."""

    __tablename__ = "alliance_training"
    __sync__ = Sync("lineage", place="place_id")
    __period_lock__ = PeriodLock(dates={"ended_on": None})

    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[OrganisationRef]
    place_id: Mapped[PlaceRef]
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_project.id"), nullable=True, index=True
    )
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date, index=True)
    trainer: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship()
    place: Mapped[Place] = relationship()
    project: Mapped[Project | None] = relationship()
    participants: Mapped[list["TrainingParticipant"]] = relationship(
        back_populates="training", order_by="TrainingParticipant.search_name"
    )

    __table_args__ = (CheckConstraint("ended_on >= started_on", name="dates"),)


class TrainingParticipant(RecordMixin, PeriodLocked, Base):
    """A health worker who attended a training. Name, cadre, organisation, sex: nothing more."""

    __tablename__ = "alliance_training_participant"
    __sync__ = Sync("lineage", place="training.place_id")
    __period_lock__ = PeriodLock(parent="training")

    training_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("alliance_training.id"), index=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    # Accent- and case-folded name: one health worker trained twice counts once.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    cadre: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_organisation.id"), nullable=True
    )
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)

    training: Mapped[Training] = relationship(back_populates="participants")
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (CheckConstraint("sex IS NULL OR sex IN ('M', 'F')", name="sex"),)
