"""Pydantic schemas of CMAM care: what admissions, visits, exits and reports accept and return."""

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from alima.core.schemas import Input
from alima.core.types import Note, PlaceCode
from alima.nutrition.enums import Oedema, Outcome, ReferralDecision, TracingOutcome

WeightKg = Annotated[float, Field(gt=0, le=250)]
HeightCm = Annotated[float, Field(gt=0, le=250)]
MuacMm = Annotated[int, Field(ge=1, le=500)]
TemperatureC = Annotated[float, Field(ge=25, le=45)]


class MeasurementIn(Input):
    """What a nurse measures and observes (admission or visit).

    Storage bounds only; the protocol's plausibility rules refuse the impossible and hold the
    unusual for confirmation (``confirm_unusual``).
    """

    weight_kg: WeightKg | None = None
    height_cm: HeightCm | None = None
    measure: Literal["l", "h"] | None = Field(None, description="l: lying (length), h: standing")
    muac_mm: MuacMm | None = None
    oedema: Oedema = Oedema.NONE
    temperature_c: TemperatureC | None = None
    appetite_test_passed: bool | None = None
    danger_signs: bool = False
    complications: bool = False
    confirm_unusual: bool = Field(False, description="The unusual measurements were checked.")
    note: Note | None = None


class AdmissionCreate(MeasurementIn):
    """Admit a registered child (6-59 months) to outpatient care."""

    patient_id: uuid.UUID
    admitted_on: date | None = Field(None, ge=date(2000, 1, 1))
    place_code: PlaceCode | None = Field(None, description="Site; default: the child's own.")
    protocol_code: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")] = "optima"
    transfer_in: bool = Field(False, description="Continues treatment started at another site.")


class VisitCreate(MeasurementIn):
    """A follow-up visit."""

    visit_on: date | None = Field(None, ge=date(2000, 1, 1))


class ExitCreate(Input):
    """Close an episode with an outcome decided by a person."""

    outcome: Outcome
    closed_on: date | None = Field(None, ge=date(2000, 1, 1))
    transfer_place_code: PlaceCode | None = None
    note: Note | None = None
    confirm_death: bool = Field(
        False, description="Required for the outcome died: the death was checked."
    )


class ReferralResolve(Input):
    """The decision on a referral to inpatient care: the transfer, or keeping the child."""

    decision: ReferralDecision
    decided_on: date | None = Field(None, ge=date(2000, 1, 1))
    note: Note | None = Field(
        None, description="Where the child goes, or (required to keep) why the child stays."
    )


class RationStepRead(BaseModel):
    """One step of the ration arithmetic (numbers and units; the page formats them)."""

    operation: str
    operands: list[tuple[float, str]]
    result: tuple[float, str]
    rounding: str | None = None


class RationRead(BaseModel):
    """The ration given for the period until the next visit, with its arithmetic."""

    product: str
    band: str
    days: int
    kcal_per_kg_day: int | None
    kcal_per_day: float
    sachets_per_day_exact: float
    sachets_per_day: float
    sachets_per_week: int
    sachets_for_period: int
    steps: list[RationStepRead]


class AlertRead(BaseModel):
    """An alert raised at a visit."""

    kind: str
    action: str
    params: dict[str, float | int | str]


class VisitRead(BaseModel):
    """A recorded visit (or the admission) and what was decided."""

    id: uuid.UUID
    visit_on: date
    is_admission: bool
    weight_kg: float | None
    height_cm: float | None
    muac_mm: int | None
    oedema: Oedema
    temperature_c: float | None
    zwfl: float | None
    zwei: float | None
    zac: float | None
    who_flags: list[str]
    band: str
    product: str | None
    sachets_per_day: float | None
    sachets_given: int
    next_visit_on: date | None
    alerts: list[str]


class AwaitedRead(BaseModel):
    """A rule under way (step-down or cure): how many more measured visits, at what values."""

    kind: str
    measurements: int
    muac_min_mm: int | None = None
    whz_min: float | None = None


class EpisodeRead(BaseModel):
    """A CMAM episode with its visits."""

    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_identifier: str
    place_code: str
    place_name: str
    protocol_code: str
    protocol_version: str
    protocol_title: str
    admitted_on: date
    admission_type: str
    admission_criteria: list[str]
    severity: str
    age_months_at_admission: float
    amoxicillin_given: bool
    status: str
    band: str
    next_visit_on: date | None
    sachets_total: int
    sachets_per_week: int
    outcome: str | None
    closed_on: date | None
    visits: list[VisitRead]
    current_ration: RationRead | None = None
    awaited: list[AwaitedRead] = []
    referred_on: date | None = None
    referral_kept_reason: str | None = None
    #: Recorded open but read as defaulted on this day: only visits dated before it may still
    #: be entered (late entry of paper records); after it, the child is readmitted.
    late_entry_before: date | None = None


class VisitResult(BaseModel):
    """What the nurse sees right after saving: band, dose with arithmetic, next date, status."""

    episode_id: uuid.UUID
    visit: VisitRead
    band: str
    previous_band: str | None
    band_changed: bool
    rutf_sachets_per_week: int
    ration: RationRead | None
    next_visit_on: date | None
    alerts: list[AlertRead]
    status: str
    outcome: str | None = None
    cure_streak: int
    cure_visits_needed: int
    days_in_treatment: int
    awaited: list[AwaitedRead] = []


class CaseloadEntry(BaseModel):
    """A child in the site's caseload."""

    episode_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_identifier: str
    band: str
    admitted_on: date
    last_visit_on: date
    next_visit_on: date | None
    days_late: int
    missed_visits: int


class CaseloadRead(BaseModel):
    """Today's caseload at a site.

    ``due``: expected today; ``overdue``: defaulted if the next scheduled visit is missed too;
    ``missed``: visits missed, further from default (protocols that wait 3 or more);
    ``upcoming``: later (``rules.follow_up.follow_up``); ``referred``: referred to inpatient care
    at a visit, awaiting the transfer or a decision to keep the child (they have no next visit).
    ``open_total`` counts the children in treatment on ``on``, defaulted children excluded;
    ``defaulted_now`` those defaulted on ``on``.
    """

    place_code: str
    place_name: str
    on: date
    open_total: int
    due: list[CaseloadEntry]
    missed: list[CaseloadEntry]
    overdue: list[CaseloadEntry]
    upcoming: list[CaseloadEntry]
    defaulted_now: int
    referred: list[CaseloadEntry] = Field(default_factory=list)


class RateRead(BaseModel):
    """An outcome rate against its Sphere standard."""

    outcome: str
    count: int
    rate: float | None
    standard: str
    meets_standard: bool | None


class MonthlyReport(BaseModel):
    """The monthly CMAM report of a site or a project (WFP/Sphere definitions)."""

    scope_kind: Literal["place", "project"]
    scope_code: str
    scope_name: str
    month: str
    start: date
    end: date
    at_start: int
    admissions_by_criterion: dict[str, int]
    new_admissions: int
    relapses: int
    transfers_in: int
    total_admissions: int
    exits_by_outcome: dict[str, int]
    total_exits: int
    at_end: int
    rate_denominator: int
    rates: list[RateRead]
    average_length_of_stay_days: float | None
    rutf_sachets_per_child_cured: float | None
    rutf_sachets_given: int
    next_month_rutf_sachets: int
    medical_transfers_in_denominator: bool


class TracingCreate(Input):
    """What the tracing visit to an absent child found (docs/clinical-rules.md §4.2)."""

    outcome: TracingOutcome
    visited_on: date | None = Field(None, ge=date(2000, 1, 1), description="Default: today.")
    transfer_place_code: PlaceCode | None = Field(
        None, description="Moved: the service point now treating the child, if known."
    )
    note: Note | None = None
    confirm_death: bool = Field(
        False, description="Required for the outcome died: the death was checked."
    )


class TracingRead(BaseModel):
    """A recorded tracing visit."""

    id: uuid.UUID
    episode_id: uuid.UUID
    visited_on: date
    outcome: TracingOutcome
    note: str | None


class TracingRow(BaseModel):
    """A child to trace: missed a visit, or defaulted this month, as of the reading day."""

    episode_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_identifier: str
    caregiver_name: str | None
    village: str | None
    phone: str | None
    place_name: str
    state: str
    missed_visits: int
    last_visit_on: date
    defaulted_on: date | None
    last_tracing: TracingRead | None
