"""ORM models of research: studies and their set-up, the screening log, consent, allocation.

Set-up rows (study, arms, sites, ethics approvals, protocol and consent form versions,
eligibility, the allocation sequence) are the hub's data bound to the study's country and sent
to the sites below it (``lineage``); the screening log, consent records and allocations are
care records of the site that wrote them (``site``).
"""

import uuid
from datetime import date, datetime
from typing import Annotated

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
    event,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base, SoftDeleteMixin, UTCDateTime
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
)

StudyRef = Annotated[uuid.UUID, mapped_column(Uuid, ForeignKey("research_study.id"), index=True)]


class StudySetupMixin(RecordMixin):
    """A row of a study's set-up: the hub's data, sent to the sites below its place.

    ``place_id`` is the study's country, or the site the row is about (a recruiting site, a
    stratum's site). The study's columns come first in the table, as the migrations made them.
    """

    __sync__ = Sync("lineage", place="place_id")

    study_id: Mapped[StudyRef] = mapped_column(sort_order=-1)
    place_id: Mapped[PlaceRef] = mapped_column(sort_order=-1)


class StudyChildMixin(RecordMixin):
    """A study's record of one child, owned by the site that wrote it (``place_id``)."""

    __sync__ = Sync.site(patient="patient_id")

    study_id: Mapped[StudyRef] = mapped_column(sort_order=-1)
    patient_id: Mapped[PatientRef] = mapped_column(sort_order=-1)
    place_id: Mapped[PlaceRef] = mapped_column(sort_order=-1)

    @declared_attr
    def place(cls) -> Mapped[Place]:
        """The site that wrote the record."""
        return relationship(Place)


class Study(RecordMixin, SoftDeleteMixin, Base):
    """A study run inside routine care, governed by its project's partner agreements.

    ``place_id`` is the country it runs in. The allocation sequence's seed is never stored:
    ``sequence_fingerprint`` lets the statistician show that the sequence in use is the one
    drawn from the seed at set-up.
    """

    __tablename__ = "research_study"
    __sync__ = Sync("lineage", place="place_id")

    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    place_id: Mapped[PlaceRef]  # the country
    project_id: Mapped[ProjectRef]  # whose agreements govern who sees what
    sponsor_id: Mapped[OrganisationRef]
    registry_number: Mapped[str | None] = mapped_column(String(60), nullable=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    target_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="setup")
    blinded: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The declared stratification factor: MUAC below this cut-off (mm) or not; None: none.
    stratify_muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    block_multipliers: Mapped[list[int]] = mapped_column(JSON, default=lambda: [2, 4, 6])
    sequence_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sequence_generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Eligibility as data (rules.eligibility.Criteria).
    age_min_months: Mapped[float] = mapped_column()
    age_max_months: Mapped[float] = mapped_column()
    muac_below_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    no_complication: Mapped[bool] = mapped_column(Boolean, default=True)
    exclude_oedema: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Days after the site learnt of a serious adverse event within which it reaches the sponsor.
    sae_report_days: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    place: Mapped[Place] = relationship()
    project: Mapped[Project] = relationship()
    sponsor: Mapped[Organisation] = relationship()
    arms: Mapped[list["StudyArm"]] = relationship(back_populates="study", order_by="StudyArm.code")
    sites: Mapped[list["StudySite"]] = relationship(back_populates="study")
    partners: Mapped[list["StudyPartner"]] = relationship(back_populates="study")

    __table_args__ = (
        CheckConstraint("status IN ('setup', 'recruiting', 'closed')", name="status"),
        CheckConstraint("target_size > 0", name="target_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("age_max_months >= age_min_months", name="age_range"),
        CheckConstraint("sae_report_days BETWEEN 0 AND 30", name="sae_report_days"),
    )


class StudyPartner(StudySetupMixin, Base):
    """A partner institute of a study (the alliance's organisations, research partners)."""

    __tablename__ = "research_study_partner"

    organisation_id: Mapped[OrganisationRef]
    role: Mapped[str] = mapped_column(String(40))  # investigator, data centre, laboratory...

    study: Mapped[Study] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (UniqueConstraint("study_id", "organisation_id"),)


class StudyArm(StudySetupMixin, Base):
    """An arm, its allocation ratio and the nutrition protocol it selects for the episode."""

    __tablename__ = "research_study_arm"

    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    ratio: Mapped[int] = mapped_column(Integer, default=1)
    protocol_code: Mapped[str | None] = mapped_column(String(60), nullable=True)

    study: Mapped[Study] = relationship(back_populates="arms")

    __table_args__ = (
        UniqueConstraint("study_id", "code"),
        CheckConstraint("ratio >= 1", name="ratio_positive"),
    )


class StudySite(StudySetupMixin, Base):
    """A site recruiting for a study (its catchment, ``place_id``), with its own target."""

    __tablename__ = "research_study_site"

    target_size: Mapped[int | None] = mapped_column(Integer, nullable=True)

    study: Mapped[Study] = relationship(back_populates="sites")
    place: Mapped[Place] = relationship()

    __table_args__ = (UniqueConstraint("study_id", "place_id"),)


class EthicsApproval(StudySetupMixin, Base):
    """An ethics committee's approval of a protocol version."""

    __tablename__ = "research_ethics_approval"

    committee: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100))
    protocol_version: Mapped[str] = mapped_column(String(20))
    approved_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class ProtocolVersion(StudySetupMixin, Base):
    """A version of the study protocol (its history: amendments and their dates)."""

    __tablename__ = "research_protocol_version"

    version: Mapped[str] = mapped_column(String(20))
    dated_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (UniqueConstraint("study_id", "version"),)


class ConsentForm(StudySetupMixin, Base):
    """An approved information sheet or consent form, in one language and version."""

    __tablename__ = "research_consent_form"

    kind: Mapped[str] = mapped_column(String(12))
    version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))  # fr, bm (Bambara), ff (Fulfulde)...
    approved_on: Mapped[date] = mapped_column(Date)
    #: The version in force: consents on an earlier version call for a re-consent.
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("study_id", "kind", "version", "language"),
        CheckConstraint("kind IN ('information', 'consent')", name="kind"),
    )


class SequenceEntry(StudySetupMixin, Base):
    """One pre-drawn position of a stratum's allocation sequence, concealed until used.

    ``place_id`` is the stratum's site. The entry travels to the sites without its arm: ``arm_id`` stays empty until the hub uses
    the position, the arm waiting meanwhile in the hub's own ``SequenceSeal`` (never synced).
    """

    __tablename__ = "research_sequence_entry"

    stratum: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    block: Mapped[int] = mapped_column(Integer)
    block_size: Mapped[int] = mapped_column(Integer)
    #: Empty until the position is used: a site never holds an upcoming arm.
    arm_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("research_study_arm.id"), nullable=True
    )
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    arm: Mapped[StudyArm | None] = relationship()

    __table_args__ = (UniqueConstraint("study_id", "stratum", "position"),)


class Screening(StudyChildMixin, Base):
    """A child's line of the screening log: screened, eligible, approached, consented, included."""

    __tablename__ = "research_screening"

    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), nullable=True
    )
    screened_on: Mapped[date] = mapped_column(Date)
    eligible: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    muac_mm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approached: Mapped[bool] = mapped_column(Boolean, default=False)
    consented: Mapped[bool] = mapped_column(Boolean, default=False)
    included: Mapped[bool] = mapped_column(Boolean, default=False)
    not_included_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)

    study: Mapped[Study] = relationship()
    patient: Mapped[Patient] = relationship()

    __table_args__ = (
        UniqueConstraint("study_id", "patient_id"),
        CheckConstraint("eligible OR NOT consented", name="consent_needs_eligible"),
        CheckConstraint("consented OR NOT included", name="inclusion_needs_consent"),
        CheckConstraint(
            "not_included_reason IS NULL OR not_included_reason IN "
            "('ineligible', 'not_approached', 'declined', 'other')",
            name="not_included_reason",
        ),
    )


class Consent(StudyChildMixin, Base):
    """The caregiver's consent on one form version, and its withdrawal."""

    __tablename__ = "research_consent"

    form_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("research_consent_form.id"))
    consented_on: Mapped[date] = mapped_column(Date)
    caregiver_name: Mapped[str] = mapped_column(String(200))
    caregiver_relation: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(12))
    witness_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    withdrawn_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdrawal_use: Mapped[str | None] = mapped_column(String(12), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    form: Mapped[ConsentForm] = relationship()

    __table_args__ = (
        CheckConstraint("method IN ('signed', 'thumbprint')", name="method"),
        CheckConstraint("method = 'signed' OR witness_name IS NOT NULL", name="witness"),
        CheckConstraint("status IN ('active', 'withdrawn', 'superseded')", name="status"),
        CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_on IS NOT NULL AND withdrawal_use IS NOT NULL)",
            name="withdrawal",
        ),
        CheckConstraint(
            "withdrawal_use IS NULL OR withdrawal_use IN ('collected', 'none')",
            name="withdrawal_use",
        ),
        Index(
            "uq_research_consent_active",
            "study_id",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )


class Allocation(StudyChildMixin, Base):
    """The arm revealed once for one child: never changed, never deleted."""

    __tablename__ = "research_allocation"

    screening_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("research_screening.id"))
    sequence_entry_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("research_sequence_entry.id"), unique=True
    )
    arm_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("research_study_arm.id"))
    stratum: Mapped[str] = mapped_column(String(100))
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), nullable=True
    )
    revealed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    arm: Mapped[StudyArm] = relationship()
    patient: Mapped[Patient] = relationship()

    __table_args__ = (UniqueConstraint("study_id", "patient_id"),)


@event.listens_for(Allocation, "before_update")
@event.listens_for(Allocation, "before_delete")
def _allocation_is_final(*_args: object) -> None:
    msg = "an allocation is revealed once and never changed"
    raise RuntimeError(msg)


# --- follow-up: the schedule, study visits, serious adverse events ---------------------------


class StudyEvent(StudySetupMixin, Base):
    """A scheduled study event: a day after inclusion and its window (set-up data)."""

    __tablename__ = "research_study_event"

    code: Mapped[str] = mapped_column(String(40))
    label_fr: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    day_offset: Mapped[int] = mapped_column(Integer)
    window_before_days: Mapped[int] = mapped_column(Integer)
    window_after_days: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("study_id", "code"),
        CheckConstraint("day_offset > 0", name="day_offset"),
        CheckConstraint(
            "window_before_days >= 0 AND window_after_days >= 0 "
            "AND window_before_days < day_offset",
            name="window",
        ),
    )


class StudyVisit(StudyChildMixin, Base):
    """A visit for the study when routine care recorded nothing in an event's window."""

    __tablename__ = "research_study_visit"

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("research_study_event.id"))
    visit_on: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[float] = mapped_column()
    muac_mm: Mapped[int] = mapped_column(Integer)
    oedema: Mapped[str] = mapped_column(String(10), default="none")

    event: Mapped[StudyEvent] = relationship()

    __table_args__ = (
        UniqueConstraint("study_id", "patient_id", "event_id"),
        CheckConstraint("oedema IN ('none', 'plus1', 'plus2', 'plus3')", name="oedema"),
    )


class AdverseEvent(StudyChildMixin, Base):
    """A serious adverse event of an included child, and when it reached the sponsor.

    ``report_due_on`` is fixed when the site records it (awareness plus the study's delay in
    force); whether it is on time, late or overdue is computed when read.
    """

    __tablename__ = "research_adverse_event"

    #: The nutrition episode whose exit recorded the death, for a death seen in routine care.
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("nutrition_episode.id"), nullable=True
    )
    onset_on: Mapped[date] = mapped_column(Date)
    aware_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    relatedness: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str | None] = mapped_column(String(200), nullable=True)
    report_due_on: Mapped[date] = mapped_column(Date)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reported_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )

    __table_args__ = (
        CheckConstraint("aware_on >= onset_on", name="aware_after_onset"),
        CheckConstraint(
            "category IN ('death', 'life_threatening', 'hospitalisation', 'disability', "
            "'congenital_anomaly', 'other_important')",
            name="category",
        ),
        CheckConstraint(
            "outcome IN ('recovered', 'recovering', 'not_recovered', 'sequelae', 'fatal', "
            "'unknown')",
            name="outcome",
        ),
        CheckConstraint(
            "relatedness IN ('related', 'possibly', 'not_related')", name="relatedness"
        ),
        CheckConstraint("category <> 'death' OR outcome = 'fatal'", name="death_fatal"),
    )


class SequenceSeal(Base):
    """The arm of one sequence position, kept by the hub that drew the sequence.

    Never synced: a laptop receives the positions without their arms, so nobody at a site
    can read the upcoming allocations; the hub copies the arm onto the position when it
    randomises a child (``randomise``), and only then does it travel.
    """

    __tablename__ = "research_sequence_seal"
    __sync__ = Sync.local("the allocation sequence's arms stay on the hub until used")

    entry_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("research_sequence_entry.id"), primary_key=True
    )
    arm_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("research_study_arm.id"))

    arm: Mapped[StudyArm] = relationship()


class Unblinding(StudyChildMixin, Base):
    """An emergency unblinding: one person learnt one child's arm, with a reason. Final."""

    __tablename__ = "research_unblinding"

    allocation_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("research_allocation.id"))
    reason: Mapped[str] = mapped_column(Text)
    unblinded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("study_id", "patient_id", "created_by_id"),)


class SdvQuery(StudyChildMixin, Base):
    """A monitor's query on one data point of an included child (source data verification)."""

    __tablename__ = "research_query"

    #: What the query is about: a record and its field, e.g. ``visit 2026-03-04: weight``.
    reference: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    study: Mapped[Study] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('open', 'answered', 'closed')", name="status"),
        CheckConstraint("status = 'open' OR answer IS NOT NULL", name="answered"),
    )


@event.listens_for(Unblinding, "before_update")
@event.listens_for(Unblinding, "before_delete")
def _unblinding_is_final(*_args: object) -> None:
    msg = "an unblinding is recorded once and never changed"
    raise RuntimeError(msg)
