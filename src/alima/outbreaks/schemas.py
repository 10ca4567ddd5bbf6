"""Pydantic schemas of outbreak surveillance: what forms and the API accept and return."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from alima.core.schemas import Input
from alima.core.types import Note, PlaceCode, ShortText
from alima.outbreaks.enums import (
    AlertAction,
    AlertStatus,
    Disease,
    LabResult,
    Level,
    Outcome,
    Sex,
    Vaccination,
)

EpiYear = Annotated[int, Field(ge=2000, le=2100, description="The epi year.")]
EpiWeekNumber = Annotated[int, Field(ge=1, le=53, description="The epi week (1 to 53).")]
Count = Annotated[int, Field(ge=0, le=100_000)]
AgeGroup = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9+-]+$")]


class CountLine(Input):
    """Cases and deaths of one disease and age group."""

    disease: Disease
    age_group: AgeGroup
    cases: Count = 0
    deaths: Count = 0


class WeeklyReportCreate(Input):
    """A facility's report of an epi week; no lines (or only zeros) is a zero report.

    ``version``: to correct a report already sent, the version being corrected.
    """

    place_code: PlaceCode | None = Field(None, description="The facility; default: your only one.")
    epi_year: EpiYear
    epi_week: EpiWeekNumber
    lines: list[CountLine] = Field(default_factory=list, max_length=500)
    note: Note | None = None
    version: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        None, description="The version this report corrects (absent: a new report)."
    )


class WeeklyReportRead(BaseModel):
    """A weekly report as pages and the API show it."""

    id: uuid.UUID
    place_code: str
    place_name: str
    epi_year: int
    epi_week: int
    week_start: date
    version: int
    lines: list[CountLine]
    note: str | None
    on_time: bool
    created_at: datetime
    updated_at: datetime
    #: Alerts the report raised (in the same transaction).
    raised: list[AlertRead] = Field(default_factory=list)


class CaseCreate(Input):
    """A suspected case of an immediately notifiable disease (no name is asked)."""

    place_code: PlaceCode | None = Field(None, description="The facility; default: your only one.")
    disease: Disease
    onset_on: date = Field(ge=date(2000, 1, 1))
    village: ShortText | None = None
    age_years: Annotated[int, Field(ge=0, le=120)] = 0
    age_months: Annotated[int, Field(ge=0, le=11)] = 0
    sex: Sex
    vaccination: Vaccination | None = None
    vaccine_doses: Annotated[int, Field(ge=0, le=10)] | None = None
    sample_taken: bool = False
    lab_result: LabResult = LabResult.AWAITING
    outcome: Outcome = Outcome.ALIVE
    note: Note | None = None


class CaseUpdate(Input):
    """What is learnt about a case later: its sample, laboratory result and outcome."""

    sample_taken: bool | None = None
    lab_result: LabResult | None = None
    outcome: Outcome | None = None


class CaseRead(BaseModel):
    """A line-listed case."""

    id: uuid.UUID
    place_code: str
    place_name: str
    disease: Disease
    onset_on: date
    epi_year: int
    epi_week: int
    village: str | None
    age_months: int
    sex: Sex
    vaccination: Vaccination | None
    vaccine_doses: int | None
    sample_taken: bool
    lab_result: LabResult
    outcome: Outcome
    note: str | None
    raised: list[AlertRead] = Field(default_factory=list)


class ActionRead(BaseModel):
    """One step of an alert's response."""

    action: AlertAction
    from_status: AlertStatus
    to_status: AlertStatus
    note: str | None
    by: str | None
    at: datetime


class AlertRead(BaseModel):
    """An alert: the threshold crossed, where, when, the figures, and its response."""

    id: uuid.UUID
    place_code: str
    place_name: str
    place_kind: str
    disease: Disease
    epi_year: int
    epi_week: int
    level: Level
    rule_code: str
    rule: dict[str, Any]
    threshold_version: int
    figures: dict[str, Any]
    status: AlertStatus
    created_at: datetime
    actions: list[ActionRead] = Field(default_factory=list)
    #: Actions the reader may take now.
    allowed: list[AlertAction] = Field(default_factory=list)


class AlertActionCreate(Input):
    """An action on an alert, with a note (required to discard)."""

    action: AlertAction
    note: Note | None = None


class ThresholdSetCreate(Input):
    """A new version of a country's rules for one disease (the rules as in the TOML file)."""

    disease: Disease
    rules: list[dict[str, Any]] = Field(min_length=1, max_length=50)
    source: Note | None = None


class ThresholdSetRead(BaseModel):
    """A country's rules of a disease in force: its version (0: the default file)."""

    country_code: str
    disease: Disease
    version: int
    rules: list[dict[str, Any]]
    source: str | None


class Completeness(BaseModel):
    """Reports of a district's facilities for an epi week."""

    district_code: str
    district_name: str
    epi_year: int
    epi_week: int
    expected: int
    received: int
    on_time: int
    completeness: float | None
    timeliness: float | None


class WeekPoint(BaseModel):
    """A district's figures of a disease in one week, with its thresholds."""

    epi_year: int
    epi_week: int
    cases: int
    deaths: int
    rate: float | None
    level: Level | None = None


class DiseaseCurve(BaseModel):
    """A district's weekly cases and attack rates of a disease, and the rate thresholds."""

    disease: Disease
    points: list[WeekPoint]
    alert_rate: float | None
    epidemic_rate: float | None
    total_cases: int


class DistrictDashboard(BaseModel):
    """A district's weeks: its curves, its completeness and its open alerts."""

    district_code: str
    district_name: str
    population: int | None
    weeks: list[tuple[int, int]]
    curves: list[DiseaseCurve]
    completeness: list[Completeness]
    alerts: list[AlertRead]


WeeklyReportRead.model_rebuild()
CaseRead.model_rebuild()
