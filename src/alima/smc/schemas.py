"""Pydantic schemas of SMC: what forms and the API accept and return."""

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from alima.core.schemas import Input
from alima.core.types import Note, PlaceCode, ShortText
from alima.smc.enums import AgeBand, Exclusion, Product, TargetSource

EARLIEST = date(2000, 1, 1)
Blisters = Annotated[int, Field(ge=1, le=1_000_000, description="Co-packaged SPAQ blisters.")]


class AreaTarget(Input):
    """A district or health area a campaign covers, and its census target if typed."""

    place_code: PlaceCode
    census_target: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class CampaignCreate(Input):
    """Set up a campaign: its season, the areas it covers, the dates its cycles start."""

    name: Annotated[ShortText, Field(min_length=1, max_length=200)]
    season: Annotated[int, Field(ge=2000, le=2100)]
    target_source: TargetSource = TargetSource.PLACES
    cycle_starts: list[date] = Field(
        min_length=4, max_length=5, description="The first day of each cycle (4 or 5), in order."
    )
    areas: list[AreaTarget] = Field(min_length=1, max_length=500)
    note: Note | None = None


class AreaRead(BaseModel):
    """A covered area with its target of children 3-59 months."""

    place_code: str
    place_name: str
    kind: str
    census_target: int | None
    target: int | None


class CycleRead(BaseModel):
    """A cycle of a campaign."""

    id: uuid.UUID
    number: int
    starts_on: date
    ends_on: date


class TeamCreate(Input):
    """A team of distributors working from a site, and its villages."""

    place_code: PlaceCode | None = Field(None, description="The site; default: your only one.")
    name: Annotated[ShortText, Field(min_length=1, max_length=100)]
    members: Annotated[ShortText, Field(min_length=1, max_length=500)]
    villages: list[Annotated[ShortText, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=100
    )


class TeamRead(BaseModel):
    """A team of a campaign."""

    id: uuid.UUID
    place_code: str
    place_name: str
    name: str
    members: str
    villages: list[str]


class CampaignRead(BaseModel):
    """A campaign with its areas, cycles and teams."""

    id: uuid.UUID
    name: str
    season: int
    country_code: str
    country_name: str
    cycle_count: int
    target_source: TargetSource
    target_share_percent: float | None
    note: str | None
    areas: list[AreaRead]
    cycles: list[CycleRead]
    teams: list[TeamRead]
    can_write: bool = False


class SupplyCreate(Input):
    """SPAQ blisters a site received for a cycle."""

    cycle_number: Annotated[int, Field(ge=1, le=5)]
    place_code: PlaceCode | None = Field(None, description="The site; default: your only one.")
    product: Product
    blisters: Blisters
    received_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")


class SupplyRead(BaseModel):
    """A receipt of SPAQ blisters."""

    id: uuid.UUID
    cycle_number: int
    place_code: str
    product: Product
    blisters: int
    received_on: date


class DoseCreate(Input):
    """A child's day 1 of a cycle: what the distributor saw, and what was given."""

    cycle_id: uuid.UUID
    patient_id: uuid.UUID
    place_code: PlaceCode | None = Field(
        None, description="The site whose team visits; default: the team's, or your only one."
    )
    team_id: uuid.UUID | None = None
    village: ShortText | None = Field(None, description="Default: the child's village.")
    given_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")
    sick: bool = Field(False, description="Fever or sick: test and treat, no SPAQ.")
    allergy: bool = Field(False, description="Known allergy to SP or amodiaquine.")
    cotrimoxazole: bool = Field(False, description="Taking co-trimoxazole.")
    already_received: bool = Field(False, description="SPAQ already received this cycle.")
    muac_mm: Annotated[int, Field(ge=50, le=300)] | None = Field(
        None, description="MUAC measured in the round (6 months and over)."
    )
    oedema: bool = Field(False, description="Oedema of both feet.")
    day1_observed: bool = Field(True, description="Day 1 swallowed in front of the distributor.")
    vomited: bool = False
    redosed: bool = False
    given_by: ShortText | None = None


class AdherenceReport(Input):
    """Days 2 and 3 as the caregiver reports them at the next contact."""

    day2_given: bool
    day3_given: bool
    reported_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")


class DoseRead(BaseModel):
    """A child's day 1 of a cycle, as recorded."""

    id: uuid.UUID
    campaign_id: uuid.UUID
    cycle_number: int
    patient_id: uuid.UUID
    child_name: str
    identifier: str
    place_code: str
    village: str
    given_on: date
    age_months: int
    age_band: AgeBand
    given: bool
    exclusion: Exclusion | None
    product: Product | None
    aq_mg: float | None
    sp: str | None
    day1_observed: bool
    vomited: bool
    redosed: bool
    blisters: int
    muac_mm: int | None
    referral_urgency: str | None
    day2_given: bool | None
    day3_given: bool | None
    deleted: bool = False


class ChildStatus(BaseModel):
    """A child of a household or a village list, and where they are in the cycle."""

    patient_id: uuid.UUID
    name: str
    identifier: str
    sex: str
    caregiver_name: str | None
    village: str | None
    age_months: int
    #: The band on the cycle date, or ``None`` when the child's age is outside 3-59 months.
    band: AgeBand | None
    age_problem: str | None
    dose: DoseRead | None
    #: The previous cycle's dose, whose days 2 and 3 are asked at this contact.
    previous: DoseRead | None
    cycles_given: list[int]


class Household(BaseModel):
    """A caregiver's children in a village, for one cycle."""

    campaign_id: uuid.UUID
    campaign_name: str
    cycle: CycleRead
    village: str
    caregiver: str
    children: list[ChildStatus]
    sites: list[tuple[str, str]]
    teams: list[TeamRead]


class VillageList(BaseModel):
    """The children of a village known to the campaign, for the door-to-door round."""

    village: str
    children: list[ChildStatus]


class DistributionList(BaseModel):
    """The door-to-door list of a team (or a site) for a cycle."""

    campaign_id: uuid.UUID
    campaign_name: str
    cycle: CycleRead
    team: TeamRead | None
    villages: list[VillageList]


class CycleFigures(BaseModel):
    """Coverage and drop-out of one cycle."""

    number: int
    starts_on: date
    target: int
    treated: int
    excluded: int
    coverage_percent: float | None
    dropout: int
    dropout_percent: float | None
    day3_reported: int
    day3_given: int


class AreaFigures(BaseModel):
    """Children treated per cycle in a covered area, against its target."""

    place_code: str
    place_name: str
    target: int
    treated: list[int]
    coverage_percent: list[float | None]


class ProductLine(BaseModel):
    """SPAQ blisters received, used (doses and re-doses) and left, by product."""

    product: Product
    received: int
    used: int
    left: int


class CampaignReport(BaseModel):
    """Coverage per cycle and per area, drop-out from cycle 1, products used and left."""

    campaign_id: uuid.UUID
    campaign_name: str
    season: int
    target: int
    cycles: list[CycleFigures]
    areas: list[AreaFigures]
    products: list[ProductLine]
    exclusions: dict[str, int]
