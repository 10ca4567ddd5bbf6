"""Pydantic schemas of co-management: what the API and the forms accept and return."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from alima.alliance.enums import DataAccess, ExportLevel
from alima.alliance.rules import MIN_EMERGENCY_REASON
from alima.core.enums import Role, Sex
from alima.core.schemas import Input
from alima.core.types import Note, PlaceCode, ShortText

#: Organisation and project codes ("AMCP-SP", "ML-NUT-2026").
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$"
    ),
]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{3}$")]
#: Whole currency units; a trillion is well above any humanitarian grant.
Amount = Annotated[int, Field(gt=0, le=10**12)]
Month = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}-\d{2}$")]
Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[\w.-]+$"),
]
Reason = Annotated[Note, Field(min_length=3)]
SomeDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


# --- projects and agreements -----------------------------------------------------------------


class AgreementCreate(Input):
    """Record a partner agreement (organisation-wide when ``role`` is empty)."""

    organisation_code: Code
    role: Role | None = None
    data_access: DataAccess
    may_capture: bool = False
    may_approve: bool = False
    export_level: ExportLevel = ExportLevel.NONE
    effective_from: SomeDate
    effective_to: SomeDate | None = None
    reference: ShortText | None = Field(None, description="Signed document or its reference.")


class AgreementRead(BaseModel):
    """An agreement, with its rights in plain words (in the reader's language)."""

    id: uuid.UUID
    organisation_code: str
    organisation_name: str
    role: str | None
    data_access: DataAccess
    may_capture: bool
    may_approve: bool
    export_level: ExportLevel
    effective_from: date
    effective_to: date | None
    reference: str | None
    in_force: bool
    plain_words: list[str]


class PartnerRead(BaseModel):
    """An organisation's role in a project."""

    organisation_code: str
    organisation_name: str
    kind: str
    role: str


class FundingShareRead(BaseModel):
    """Funding and the part allocated directly to national NGOs, in the reporting currency."""

    currency: str
    total: int
    national: int
    share_percent: float | None


class AllocationCreate(Input):
    """Allocate part of a grant to an organisation (in the grant's currency)."""

    organisation_code: Code
    amount: Amount
    note: ShortText | None = None


class AllocationRead(BaseModel):
    """An allocation."""

    id: uuid.UUID
    organisation_code: str
    organisation_name: str
    national_ngo: bool
    amount: int
    note: str | None


class GrantCreate(Input):
    """Record a donor's grant to the project."""

    donor_code: Code
    reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    title: Annotated[ShortText, Field(min_length=1)]
    currency: Currency
    amount: Amount
    reporting_amount: Amount = Field(
        ..., description="The grant's value in the reporting currency (as signed)."
    )
    starts_on: SomeDate
    ends_on: SomeDate


class GrantRead(BaseModel):
    """A grant with its allocations."""

    id: uuid.UUID
    project_code: str
    reference: str
    title: str
    donor_code: str
    donor_name: str
    currency: str
    amount: int
    reporting_amount: int
    starts_on: date
    ends_on: date
    allocated: int
    allocations: list[AllocationRead]


class TrainingSummary(BaseModel):
    """Trainings over a period: sessions, distinct health workers, by topic and by month."""

    start: date
    end: date
    sessions: int
    health_workers: int
    by_topic: dict[str, int]
    by_month: dict[str, int]


class ProjectSummary(BaseModel):
    """A line of the project list."""

    code: str
    name: str
    country_code: str
    country_name: str
    start_on: date
    end_on: date | None


class ProjectOverview(ProjectSummary):
    """The project page: partners, agreements in plain words, funding, trainings."""

    programme_areas: list[str]
    places: list[str]
    partners: list[PartnerRead]
    agreements: list[AgreementRead]
    grants: list[GrantRead]
    funding: FundingShareRead
    trainings: TrainingSummary


class ProjectFunding(BaseModel):
    """One project's line on the country dashboard."""

    code: str
    name: str
    funding: FundingShareRead
    health_workers_trained: int


class CountryDashboard(BaseModel):
    """Co-management figures of a country within the reader's scope."""

    code: str
    name: str
    funding: FundingShareRead
    projects: list[ProjectFunding]
    trainings: TrainingSummary
    trainings_all_time: int


# --- trainings -------------------------------------------------------------------------------


class ParticipantCreate(Input):
    """A health worker who attended (name, cadre, organisation, sex: nothing more)."""

    full_name: Annotated[ShortText, Field(min_length=1)]
    cadre: Annotated[ShortText, Field(min_length=1)]
    organisation_code: Code | None = None
    sex: Sex | None = None


class ParticipantRead(BaseModel):
    """A participant."""

    id: uuid.UUID
    full_name: str
    cadre: str
    organisation_code: str | None
    sex: Sex | None


class TrainingCreate(Input):
    """Record a training session, with its participants if known."""

    title: Annotated[ShortText, Field(min_length=1)]
    topic: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
    organisation_code: Code
    place_code: PlaceCode
    project_code: Code | None = None
    started_on: SomeDate
    ended_on: SomeDate
    trainer: Annotated[ShortText, Field(min_length=1)]
    participants: Annotated[list[ParticipantCreate], Field(max_length=500)] = Field(
        default_factory=list
    )


class TrainingRead(BaseModel):
    """A training; ``participants`` is empty for readers who only see counts."""

    id: uuid.UUID
    title: str
    topic: str
    organisation_code: str
    organisation_name: str
    place_code: str
    place_name: str
    project_code: str | None
    started_on: date
    ended_on: date
    trainer: str | None
    participant_count: int
    participants_by_cadre: dict[str, int]
    participants: list[ParticipantRead]
    editable: bool = Field(False, description="Whether you may add participants.")


class TrainingList(BaseModel):
    """Trainings in scope and their summary."""

    items: list[TrainingRead]
    total: int
    summary: TrainingSummary


# --- monthly approval ------------------------------------------------------------------------


class PeriodSubmit(Input):
    """Submit a site's month for approval."""

    place_code: PlaceCode
    month: Month


class UnlockRequest(Input):
    """Unlock an approved month: a reason is required."""

    reason: Reason


class ApprovalRead(BaseModel):
    """One organisation's approval."""

    organisation_code: str
    approved_by: str
    approved_at: datetime


class PeriodRead(BaseModel):
    """A site's month and what the reader may do with it."""

    id: uuid.UUID
    place_code: str
    place_name: str
    project_code: str
    month: str
    status: str
    locked: bool
    round: int
    submitted_at: datetime
    approvals: list[ApprovalRead]
    awaiting: list[str]
    unlock_reason: str | None
    can_approve: bool
    can_unlock: bool


class SubmitOption(BaseModel):
    """A place whose months the reader may submit."""

    place_code: str
    place_name: str


class ApprovalsPage(BaseModel):
    """Months in scope, and what may be submitted."""

    periods: list[PeriodRead]
    places: list[SubmitOption]
    months: list[str]


# --- break-the-glass and read audit ----------------------------------------------------------


class EmergencyAccessCreate(Input):
    """Open a patient outside one's scope: identifier and a written reason."""

    identifier: Identifier
    reason: Annotated[Note, Field(min_length=MIN_EMERGENCY_REASON)]


class EmergencyAlertRead(BaseModel):
    """Someone reached the daily cap of emergency accesses (shown to coordinators)."""

    id: uuid.UUID
    created_at: datetime
    username: str
    full_name: str
    patient_identifier: str
    place_name: str
    reason: str


class EmergencyAccessRead(BaseModel):
    """An emergency access, as coordinators see it."""

    id: uuid.UUID
    username: str
    full_name: str
    organisation_code: str | None
    patient_id: uuid.UUID
    patient_identifier: str
    place_name: str
    reason: str
    created_at: datetime
    expires_at: datetime
    active: bool
    reads: int


class EmergencyOpened(BaseModel):
    """The patient to open; ``access`` is empty when the patient was already in scope."""

    patient_id: uuid.UUID
    access: EmergencyAccessRead | None


class FormOptions(BaseModel):
    """What a project form offers: the project and the organisations to choose from."""

    project_code: str
    project_name: str
    organisations: list[tuple[str, str]]


class ReadAuditFilter(Input):
    """Which openings of patient records to list."""

    since: SomeDate | None = None
    until: SomeDate | None = None
    username: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class ReadEventRead(BaseModel):
    """Who opened (or was refused) which patient record, and when."""

    at: datetime
    username: str | None
    organisation_code: str | None
    patient_id: uuid.UUID | None
    patient_identifier: str | None
    place_name: str | None
    record: str
    action: str
    channel: str
    emergency: bool


class ReadAuditPage(BaseModel):
    """A page of the read audit."""

    items: list[ReadEventRead]
    total: int
    limit: int
    offset: int
