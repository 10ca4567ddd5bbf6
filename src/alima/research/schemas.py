"""Pydantic schemas of research: study set-up, consent, withdrawal, what pages show."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from alima.core.types import Name, Note, PlaceCode, ShortText
from alima.nutrition.enums import Oedema
from alima.research.enums import (
    ConsentMethod,
    EventStatus,
    FormKind,
    Relatedness,
    ReportStatus,
    SaeCategory,
    SaeOutcome,
    WithdrawalUse,
)

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{2,40}$")]


class ArmIn(BaseModel):
    """An arm at set-up."""

    code: Code
    label: ShortText
    ratio: Annotated[int, Field(ge=1, le=10)] = 1
    protocol_code: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")] | None = None


class EthicsApprovalIn(BaseModel):
    """An ethics committee's approval at set-up."""

    committee: ShortText
    reference: Annotated[str, Field(min_length=1, max_length=100)]
    protocol_version: Annotated[str, Field(min_length=1, max_length=20)]
    approved_on: date
    expires_on: date | None = None


class ProtocolVersionIn(BaseModel):
    """A protocol version of the study."""

    version: Annotated[str, Field(min_length=1, max_length=20)]
    dated_on: date
    summary: Note | None = None


class ConsentFormIn(BaseModel):
    """An approved information sheet or consent form."""

    kind: FormKind
    version: Annotated[str, Field(min_length=1, max_length=20)]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
    approved_on: date


class StudyCreate(BaseModel):
    """A study as its set-up declares it."""

    code: Code
    title: ShortText
    project_code: Code
    sponsor_code: Code
    partner_codes: list[Code] = []
    registry_number: Annotated[str, Field(max_length=60)] | None = None
    starts_on: date
    ends_on: date | None = None
    target_size: Annotated[int, Field(ge=1, le=1_000_000)]
    blinded: bool = False
    stratify_muac_mm: Annotated[int, Field(ge=60, le=200)] | None = None
    site_codes: Annotated[list[PlaceCode], Field(min_length=1)]
    arms: Annotated[list[ArmIn], Field(min_length=2)]
    age_min_months: Annotated[float, Field(ge=0, le=240)] = 6
    age_max_months: Annotated[float, Field(ge=0, le=240)] = 59
    muac_below_mm: Annotated[int, Field(ge=60, le=250)] | None = None
    no_complication: bool = True
    exclude_oedema: bool = False
    ethics: list[EthicsApprovalIn] = []
    protocol_versions: list[ProtocolVersionIn] = []
    forms: list[ConsentFormIn] = []
    recruiting: bool = True
    schedule: list[StudyEventIn] = []
    sae_report_days: Annotated[int, Field(ge=0, le=30)] = 1


class ConsentCreate(BaseModel):
    """The caregiver's consent, as the nurse records it."""

    form_id: uuid.UUID
    consented_on: date | None = None
    caregiver_name: Name
    caregiver_relation: Annotated[str, Field(min_length=1, max_length=40)]
    method: ConsentMethod
    witness_name: Name | None = None


class DeclineCreate(BaseModel):
    """The caregiver was asked and declined (or another reason not to include)."""

    reason: Annotated[str, Field(pattern=r"^(declined|not_approached|other)$")] = "declined"


class WithdrawalCreate(BaseModel):
    """A withdrawal of consent: when, and what the study may still use."""

    withdrawn_on: date | None = None
    use: WithdrawalUse
    reason: Note | None = None


class ArmRead(BaseModel):
    """An arm as pages show it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    label: str
    ratio: int
    protocol_code: str | None


class FormRead(BaseModel):
    """A form version as the consent page offers it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    version: str
    language: str
    approved_on: date
    current: bool


class StudyRead(BaseModel):
    """A study's set-up."""

    id: uuid.UUID
    code: str
    title: str
    sponsor: str
    partners: list[str]
    registry_number: str | None
    starts_on: date
    ends_on: date | None
    target_size: int
    status: str
    blinded: bool
    stratify_muac_mm: int | None
    arms: list[ArmRead]
    sites: list[str]
    sequence_fingerprint: str | None


class SequenceSummary(BaseModel):
    """What the statistician gets back after drawing a sequence (never the seed)."""

    study_code: str
    fingerprint: str
    strata: list[str]
    entries: int


class ConsentRead(BaseModel):
    """A consent record."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    consented_on: date
    caregiver_name: str
    caregiver_relation: str
    method: str
    witness_name: str | None
    status: str
    withdrawn_on: date | None
    withdrawal_use: str | None


class AllocationRead(BaseModel):
    """A child's allocation: the arm is shown only in an open (unblinded) study."""

    study_code: str
    arm_code: str | None
    arm_label: str | None
    protocol_code: str | None
    stratum: str
    revealed_at: datetime


class PatientStudy(BaseModel):
    """One study on a child's card: where the child stands and what the nurse may do."""

    study_code: str
    study_title: str
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    screened_on: date
    eligible: bool
    reasons: list[str]
    approached: bool
    consented: bool
    included: bool
    not_included_reason: str | None
    consent: ConsentRead | None
    reconsent_needed: bool
    allocation: AllocationRead | None
    forms: list[FormRead]
    may_consent: bool
    may_randomise: bool
    may_withdraw: bool
    #: Randomisable, but this server holds no arm to come: it is done on the hub, online.
    randomise_on_hub: bool = False
    #: A blinded study's arm may be revealed to this reader in an emergency (with a reason).
    may_unblind: bool = False
    #: The monitor's queries on this child, and whether this reader may answer them (the site).
    queries: list[QueryRead] = []
    may_answer: bool = False


class ConsortCounts(BaseModel):
    """The CONSORT flow of a study, at one site or overall."""

    screened: int = 0
    eligible: int = 0
    approached: int = 0
    consented: int = 0
    included: int = 0
    withdrawn: int = 0
    not_included: dict[str, int] = {}


class SiteRecruitment(BaseModel):
    """A site's flow and target."""

    place_code: str
    place_name: str
    target_size: int | None
    counts: ConsortCounts


class StudyDashboard(BaseModel):
    """Recruitment against target, and the CONSORT flow (aggregates only)."""

    study: StudyRead
    counts: ConsortCounts
    sites: list[SiteRecruitment]
    included_per_arm: dict[str, int]
    percent_of_target: float
    #: Children whose arm was revealed in an emergency (blinded studies).
    unblinded: int = 0
    #: The reader monitors one of the study's sites (source data verification).
    may_monitor: bool = False


class StudyListItem(BaseModel):
    """A study in the list."""

    code: str
    title: str
    status: str
    target_size: int
    included: int


class Participant(BaseModel):
    """An included child as the study's researchers see it: a research id, never a name."""

    research_id: str
    site: str
    arm: str | None  # None in a blinded study until it closes
    included_on: date
    withdrawn: bool
    visits: int
    outcome: str | None


class Participants(BaseModel):
    """A study's included children at the sites whose data the reader may export."""

    study_code: str
    blinded: bool
    sites: list[str]
    items: list[Participant]
    #: Children withdrawn with nothing usable: counted here, never listed.
    left_out: int


# --- follow-up: the schedule, study visits, serious adverse events ---------------------------


class StudyEventIn(BaseModel):
    """A scheduled study event at set-up: its day after inclusion and its window."""

    code: Code
    label_fr: Annotated[str, Field(min_length=1, max_length=100)]
    label_en: Annotated[str, Field(min_length=1, max_length=100)]
    day_offset: Annotated[int, Field(ge=1, le=3650)]
    window_before_days: Annotated[int, Field(ge=0, le=365)]
    window_after_days: Annotated[int, Field(ge=0, le=365)]


class StudyVisitCreate(BaseModel):
    """A study visit for an event routine care left empty: measures only, no free text."""

    event_code: Code
    visit_on: date | None = None
    weight_kg: Annotated[float, Field(ge=0.5, le=60)]
    muac_mm: Annotated[int, Field(ge=60, le=250)]
    oedema: Oedema = Oedema.NONE


class AdverseEventCreate(BaseModel):
    """A serious adverse event as the site reports it (coded; the summary names nobody)."""

    onset_on: date
    aware_on: date | None = None
    category: SaeCategory
    outcome: SaeOutcome
    relatedness: Relatedness
    summary: ShortText | None = None
    #: The nutrition episode whose exit recorded the death (a death seen in routine care).
    episode_id: uuid.UUID | None = None


class ScheduledEvent(BaseModel):
    """A child's scheduled event with its window and status, computed when read."""

    code: str
    label: str
    day_offset: int
    target_on: date
    opens_on: date
    closes_on: date
    status: EventStatus
    filled_on: date | None = None
    #: A study visit may be recorded now (window open, no routine data, the reader writes).
    may_record: bool = False


class AdverseEventRead(BaseModel):
    """A serious adverse event and where its report stands."""

    id: uuid.UUID
    study_code: str
    patient_id: uuid.UUID
    patient_name: str = ""
    place_code: str
    onset_on: date
    aware_on: date
    category: str
    outcome: str
    relatedness: str
    summary: str | None
    report_due_on: date
    reported_at: datetime | None
    report_status: ReportStatus
    from_routine: bool = False
    may_report: bool = False


class DeathToReport(BaseModel):
    """A death of an included child recorded by routine care, not yet an SAE: to report."""

    patient_id: uuid.UUID
    patient_name: str
    place_code: str
    episode_id: uuid.UUID
    died_on: date
    report_due_on: date
    report_status: ReportStatus


class ChildFollowUp(BaseModel):
    """A child's follow-up in a study: the schedule and the SAEs."""

    study_code: str
    patient_id: uuid.UUID
    included_on: date | None
    withdrawn_on: date | None
    events: list[ScheduledEvent]
    adverse_events: list[AdverseEventRead]
    deaths_to_report: list[DeathToReport]
    may_report_sae: bool


class MissedEvent(BaseModel):
    """A child's event whose window closed with nothing recorded."""

    patient_id: uuid.UUID
    patient_name: str
    place_code: str
    event_code: str
    event_label: str
    opens_on: date
    closes_on: date


class StudySafety(BaseModel):
    """A study's serious adverse events, overdue first, and routine deaths still to report."""

    study_code: str
    report_days: int
    adverse_events: list[AdverseEventRead]
    deaths_to_report: list[DeathToReport]


#: A reason someone must give (an unblinding, a query, its answer): not empty.
Reason = Annotated[Note, StringConstraints(min_length=3)]


class UnblindCreate(BaseModel):
    """An emergency unblinding: why the arm must be known now."""

    reason: Reason


class QueryCreate(BaseModel):
    """A monitor's query on one data point: which record and field, and the question."""

    reference: Annotated[ShortText, StringConstraints(min_length=2)]
    text: Reason


class QueryAnswer(BaseModel):
    """The site's answer to a query."""

    answer: Reason


class QueryRead(BaseModel):
    """A query as the monitor and the site read it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    text: str
    status: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None


class MonitoredChild(BaseModel):
    """An included child in the monitor's list."""

    patient_id: uuid.UUID
    identifier: str
    name: str
    site: str
    randomised_on: date
    open_queries: int


class SourceVisit(BaseModel):
    """One visit of the care record, as entered (source data verification)."""

    visit_on: date
    is_admission: bool
    weight_kg: float | None
    height_cm: float | None
    muac_mm: int | None
    oedema: str
    band: str
    product: str | None
    sachets_given: int
    next_visit_on: date | None


class SourceRecord(BaseModel):
    """An included child's record for the monitor: read-only, audited."""

    study_code: str
    patient_id: uuid.UUID
    identifier: str
    name: str
    sex: str
    birth_date: date | None
    village: str | None
    site: str
    panel: PatientStudy
    protocol_code: str | None
    admitted_on: date | None
    episode_status: str | None
    visits: list[SourceVisit]
    queries: list[QueryRead]
    may_query: bool


PatientStudy.model_rebuild()


class EthicsRead(BaseModel):
    """An ethics committee's approval as the set-up page lists it."""

    model_config = ConfigDict(from_attributes=True)

    committee: str
    reference: str
    protocol_version: str
    approved_on: date
    expires_on: date | None


class SiteRead(BaseModel):
    """A recruiting site and its target."""

    code: str
    name: str
    target_size: int | None


class StudySetup(BaseModel):
    """A study's set-up page: sites, arms, approvals and form versions."""

    study: StudyRead
    sites: list[SiteRead]
    ethics: list[EthicsRead]
    forms: list[FormRead]
    #: The reader administers every site of the study: may add approvals and form versions.
    may_edit: bool
