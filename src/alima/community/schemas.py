"""Pydantic schemas of community screening: what forms and the API accept and return."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from alima.community.enums import ReferralStatus, ReferralUrgency, ScreenerType, TrainerRole
from alima.core import schemas as core_schemas
from alima.core.enums import Sex
from alima.core.schemas import Input
from alima.core.types import Name, Note, PlaceCode, ShortText
from alima.growth.muac import MuacBand
from alima.nutrition.enums import Oedema

#: A soft deletion with its reason: the core's schema, shared by every record.
RecordDelete = core_schemas.RecordDelete


MuacMm = Annotated[int, Field(ge=50, le=300, description="MUAC in whole millimetres.")]
Village = Annotated[ShortText, Field(min_length=1)]
EARLIEST = date(2000, 1, 1)


class TrainingCreate(Input):
    """A MUAC-for-mothers training session."""

    place_code: PlaceCode | None = Field(
        None, description="Health area or facility of the village; default: your only place."
    )
    held_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")
    trainer_name: Name
    trainer_role: TrainerRole
    village: Village
    mothers_trained: Annotated[int, Field(ge=1, le=1000)]
    tapes_given: Annotated[int, Field(ge=0, le=2000)] | None = None
    note: Note | None = None


class TrainingRead(BaseModel):
    """A training session as pages and the API show it."""

    id: uuid.UUID
    place_code: str
    place_name: str
    held_on: date
    trainer_name: str
    trainer_role: TrainerRole
    village: str
    mothers_trained: int
    tapes_given: int | None
    note: str | None
    created_at: datetime


class ScreeningCreate(Input):
    """A child's arm measured in the community (the child need not be registered)."""

    place_code: PlaceCode | None = Field(
        None, description="Service point responsible for the village; default: your only one."
    )
    referral_place_code: PlaceCode | None = Field(
        None, description="Where a referred child should go; default: the same service point."
    )
    screened_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")
    screener_type: ScreenerType
    screener_name: ShortText | None = None
    child_given_name: Name
    child_family_name: Name | None = None
    child_sex: Sex | None = None
    child_age_months: Annotated[int, Field(ge=0, le=59)]
    caregiver_name: ShortText | None = None
    village: Village
    patient_id: uuid.UUID | None = Field(None, description="The registered patient, if known.")
    muac_mm: MuacMm
    oedema: Oedema = Oedema.NONE


class ArrivalCreate(Input):
    """The referred child arrived at the health centre: staff measure again and decide."""

    arrived_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")
    muac_mm: MuacMm
    oedema: Oedema = Oedema.NONE
    admitted: bool
    patient_identifier: ShortText | None = Field(
        None, description="Identifier of the registered patient, to link the child."
    )
    nutrition_episode_id: uuid.UUID | None = None


class ReferralClose(Input):
    """Close a referral whose child never arrived, with the reason."""

    reason: Annotated[Note, Field(min_length=2)]


class PatientLink(Input):
    """Link a registered child, found by a search, to a referral."""

    patient_id: uuid.UUID


class ReferralRead(BaseModel):
    """A referral and, once completed, what the health centre found."""

    id: uuid.UUID
    screening_id: uuid.UUID
    place_code: str
    place_name: str
    urgency: ReferralUrgency
    status: ReferralStatus
    referred_on: date
    overdue: bool
    child_name: str
    child_given_name: str
    child_family_name: str | None
    child_sex: Sex | None
    child_age_months: int
    caregiver_name: str | None
    village: str
    screened_on: date
    screener_type: ScreenerType
    community_muac_mm: int
    community_band: MuacBand
    community_oedema: Oedema
    arrived_on: date | None
    arrival_muac_mm: int | None
    arrival_oedema: Oedema | None
    arrival_band: MuacBand | None
    bands_agree: bool | None
    admitted: bool | None
    nutrition_episode_id: uuid.UUID | None
    patient_id: uuid.UUID | None
    closed_on: date | None = None
    closed_reason: str | None = None
    #: Still pending and old enough to be closed as not arrived (as of the reading day).
    closable: bool = False


class ScreeningRead(BaseModel):
    """A screening, with its referral when one was issued."""

    id: uuid.UUID
    place_code: str
    place_name: str
    screened_on: date
    screener_type: ScreenerType
    screener_name: str | None
    child_given_name: str
    child_family_name: str | None
    child_sex: Sex | None
    child_age_months: int
    caregiver_name: str | None
    village: str
    patient_id: uuid.UUID | None
    muac_mm: int
    oedema: Oedema
    band: MuacBand
    referral: ReferralRead | None
    created_at: datetime
    deleted: bool = False


class StatisticsFilter(Input):
    """Which place subtree and period the statistics cover (default: your places, 12 months)."""

    place_code: PlaceCode | None = None
    start: date | None = Field(None, ge=EARLIEST)
    end: date | None = Field(None, ge=EARLIEST)


class CountRow(BaseModel):
    """A category and how many."""

    code: str
    count: int


class AgreementRow(BaseModel):
    """Agreement of community and staff MUAC for one kind of screener (or all)."""

    screener_type: ScreenerType | None
    agreeing: int
    measured: int
    percent: float | None
    mean_difference_mm: float | None


class CommunityStatistics(BaseModel):
    """Community screening and referrals in a place subtree over a period (aggregates only)."""

    place_code: str | None
    place_name: str | None
    start: date
    end: date
    trainings: int
    mothers_trained: int
    screenings: int
    screenings_by_screener: list[CountRow]
    screenings_by_band: list[CountRow]
    referrals: int
    referrals_completed: int
    referrals_pending: int
    referrals_overdue: int
    admitted: int
    completion_percent: float | None
    agreement: AgreementRow
    agreement_by_screener: list[AgreementRow]


class PlaceOption(BaseModel):
    """A place that may be chosen in a form."""

    code: str
    name: str
    kind: str


class CommunityOverview(BaseModel):
    """The community page: places, pending referrals, recent screenings and trainings."""

    places: list[PlaceOption]
    pending_referrals: list[ReferralRead]
    recent_screenings: list[ScreeningRead]
    recent_trainings: list[TrainingRead]
