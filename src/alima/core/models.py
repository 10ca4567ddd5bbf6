"""ORM models of the core: organisations, places, projects, users, access, patients, audit."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

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
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import (
    AuthorMixin,
    Base,
    IdMixin,
    PeriodLock,
    PeriodLocked,
    SoftDeleteMixin,
    TimestampMixin,
    UTCDateTime,
    new_id,
)
from alima.core.time import utcnow


class RecordMixin(IdMixin, TimestampMixin, AuthorMixin):
    """A record someone writes: its id, when it was written and changed, and by whom."""


class LockedRecordMixin(RecordMixin, SoftDeleteMixin, PeriodLocked):
    """A record of what happened somewhere on a day: never hard-deleted, locked with its month.

    A model built on it still declares its ``__period_lock__`` (``alima.core.period_lock``).
    """


class AboutNoPatient:
    """A record about a place, never a patient (a report, a stock movement, an alert).

    The shared audit, deletion and sync helpers ask every record for its ``patient_id``.
    """

    @property
    def patient_id(self) -> uuid.UUID | None:
        """None: the record is about no patient."""
        return None


#: References to the core's places, patients, organisations and projects, declared once.
PlaceRef = Annotated[uuid.UUID, mapped_column(Uuid, ForeignKey("core_place.id"), index=True)]
PatientRef = Annotated[uuid.UUID, mapped_column(Uuid, ForeignKey("core_patient.id"), index=True)]
OrganisationRef = Annotated[uuid.UUID, mapped_column(Uuid, ForeignKey("core_organisation.id"))]
ProjectRef = Annotated[uuid.UUID, mapped_column(Uuid, ForeignKey("core_project.id"))]


class Organisation(IdMixin, TimestampMixin, Base):
    """An NGO, ministry, research institute or donor."""

    __tablename__ = "core_organisation"
    __sync__ = Sync("all")

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    country_code: Mapped[str | None] = mapped_column(String(3), nullable=True)


class Place(IdMixin, TimestampMixin, Base):
    """A node of the health pyramid; ``path`` lists ancestor ids so a subtree is a prefix."""

    __tablename__ = "core_place"
    __sync__ = Sync("all")

    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_place.id"), nullable=True, index=True
    )
    path: Mapped[str] = mapped_column(String(1000), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped["Place | None"] = relationship(remote_side="Place.id")
    populations: Mapped[list["PlacePopulation"]] = relationship(
        back_populates="place", order_by="PlacePopulation.year"
    )

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="lat"),
        CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="lon"
        ),
    )


class PlacePopulation(IdMixin, Base):
    """Population of a place for one year (denominators for coverage and attack rates)."""

    __tablename__ = "core_place_population"
    __sync__ = Sync("all")

    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    year: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)

    place: Mapped[Place] = relationship(back_populates="populations")

    __table_args__ = (
        UniqueConstraint("place_id", "year", name="place_year"),
        CheckConstraint("population >= 0", name="population_positive"),
    )


class Project(IdMixin, TimestampMixin, Base):
    """A programme run in a country, co-managed by partner organisations."""

    __tablename__ = "core_project"
    __sync__ = Sync("all")

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    programme_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    partners: Mapped[list["ProjectPartner"]] = relationship(back_populates="project")
    places: Mapped[list["ProjectPlace"]] = relationship(back_populates="project")


class ProjectPartner(IdMixin, Base):
    """An organisation's role in a project (lead, co-lead, implementing, research, funder)."""

    __tablename__ = "core_project_partner"
    __sync__ = Sync("all")

    project_id: Mapped[ProjectRef]
    organisation_id: Mapped[OrganisationRef]
    role: Mapped[str] = mapped_column(String(40))

    project: Mapped[Project] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("project_id", "organisation_id", "role", name="role"),)


class ProjectPlace(IdMixin, Base):
    """A place (and its subtree) served by a project."""

    __tablename__ = "core_project_place"
    __sync__ = Sync("all")

    project_id: Mapped[ProjectRef]
    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))

    project: Mapped[Project] = relationship(back_populates="places")
    place: Mapped[Place] = relationship()

    __table_args__ = (UniqueConstraint("project_id", "place_id", name="place"),)


class User(IdMixin, TimestampMixin, Base):
    """A person who signs in; the password is stored only as an argon2 hash."""

    __tablename__ = "core_user"
    __sync__ = Sync("users", ignore=frozenset({"last_sign_in_at"}))

    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_organisation.id"), nullable=True
    )
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    assignments: Mapped[list["RoleAssignment"]] = relationship(back_populates="user")
    organisation: Mapped[Organisation | None] = relationship()


class RoleAssignment(IdMixin, TimestampMixin, Base):
    """A role held within a scope: a place subtree, or the places of a project."""

    __tablename__ = "core_role_assignment"
    __sync__ = Sync("lineage", place="place_id")

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    place_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_place.id"), nullable=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_project.id"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(back_populates="assignments")
    place: Mapped[Place | None] = relationship()
    project: Mapped[Project | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(place_id IS NOT NULL AND project_id IS NULL) OR "
            "(place_id IS NULL AND project_id IS NOT NULL)",
            name="one_scope",
        ),
    )


class UserSession(IdMixin, Base):
    """A server-side sign-in session; the cookie holds a random token, the table its hash."""

    __tablename__ = "core_user_session"
    __sync__ = Sync.local("a sign-in on this server")

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiToken(IdMixin, Base):
    """A bearer token for ``/api/v1``; only its hash is stored."""

    __tablename__ = "core_api_token"
    __sync__ = Sync.local("a credential of this server")

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginAttempt(IdMixin, Base):
    """A sign-in attempt, kept to throttle guessing."""

    __tablename__ = "core_login_attempt"
    __sync__ = Sync.local("throttling on this server")

    username: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LoginThrottle(Base):
    """Failed sign-ins of one user name from one client address, and until when it must wait.

    Keyed by (user name, client) so that guessing from one address never locks the nurse out
    of her own tablet; counted with one atomic ``UPDATE`` so parallel guesses cannot slip by.
    """

    __tablename__ = "core_login_throttle"
    __sync__ = Sync.local("throttling on this server")

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Patient(LockedRecordMixin, Base):
    """A person receiving care. No ethnicity, religion or political affiliation, ever."""

    __tablename__ = "core_patient"
    __sync__ = Sync.site(patient="id")
    __period_lock__ = PeriodLock(dates={"created_at": None})  # the registration

    identifier: Mapped[str] = mapped_column(String(40), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    birth_date_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    caregiver_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    village: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    place_id: Mapped[PlaceRef]
    # Accent- and case-folded copies for search and duplicate detection (alima.core.text.fold).
    search_name: Mapped[str] = mapped_column(String(300), index=True)
    search_village: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Set on the tombstone of a patient merged into another (a duplicate registered at two
    #: sites): the kept patient, which now holds every record (``alima.sync.duplicates``).
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_patient.id"), nullable=True
    )

    place: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        Index("ix_core_patient_place_name", "place_id", "search_name"),
        # The few deleted children, which every count leaves out (``patient_not_deleted``):
        # read from this small index instead of a scan of every patient.
        Index(
            "ix_core_patient_deleted",
            "id",
            postgresql_where=text("deleted_at IS NOT NULL"),
            sqlite_where=text("deleted_at IS NOT NULL"),
        ),
    )


class AuditEvent(Base):
    """Append-only record of who read or wrote what, and when (never updated or deleted)."""

    __tablename__ = "core_audit_event"
    __sync__ = Sync("upload", place="place_id", patient="patient_id")

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True, index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    place_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    channel: Mapped[str] = mapped_column(String(10), default="web")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(*_args: object) -> None:
    msg = "audit events are append-only"
    raise RuntimeError(msg)
