"""Seasonal malaria chemoprevention: campaigns, teams, SPAQ received, doses, figures."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from alima.api.deps import ApiActor, SessionDep, SettingsDep
from alima.api.v1.common import FromQuery, error_responses
from alima.core.schemas import RecordDelete
from alima.smc import service
from alima.smc.schemas import (
    AdherenceReport,
    CampaignCreate,
    CampaignRead,
    CampaignReport,
    DistributionList,
    DoseCreate,
    DoseRead,
    SupplyCreate,
    SupplyRead,
    TeamCreate,
    TeamRead,
)

router = APIRouter(
    prefix="/smc",
    tags=["smc"],
    responses=error_responses(
        not_found="No such campaign, cycle, team, child or dose in your scope"
    ),
)


@router.get("/campaigns")
def campaigns(session: SessionDep, actor: ApiActor) -> list[CampaignRead]:
    """The campaigns covering places in your scope, latest season first."""
    return service.list_campaigns(session, actor=actor)


@router.post("/campaigns", status_code=status.HTTP_201_CREATED)
def create_campaign(
    body: CampaignCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> CampaignRead:
    """Set up a campaign: its season, covered districts or health areas, cycle dates."""
    return service.create_campaign(
        session, body, actor=actor, settings=service.SmcSettings.of(settings)
    )


@router.get("/campaigns/{smc_campaign_id}")
def campaign(smc_campaign_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> CampaignRead:
    """A campaign with its areas and targets, cycles and teams."""
    return service.get_campaign(session, smc_campaign_id, actor=actor)


@router.get("/campaigns/{smc_campaign_id}/report")
def report(smc_campaign_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> CampaignReport:
    """Coverage per cycle and per area, drop-out from cycle 1, SPAQ used and left."""
    return service.campaign_report(session, smc_campaign_id, actor=actor)


@router.post("/campaigns/{smc_campaign_id}/teams", status_code=status.HTTP_201_CREATED)
def add_team(
    smc_campaign_id: uuid.UUID, body: TeamCreate, session: SessionDep, actor: ApiActor
) -> TeamRead:
    """Add a team of distributors working from a site, with its villages."""
    return service.add_team(session, smc_campaign_id, body, actor=actor)


@router.post("/campaigns/{smc_campaign_id}/supplies", status_code=status.HTTP_201_CREATED)
def record_supply(
    smc_campaign_id: uuid.UUID, body: SupplyCreate, session: SessionDep, actor: ApiActor
) -> SupplyRead:
    """Record SPAQ blisters a site received for a cycle."""
    return service.record_supply(session, smc_campaign_id, body, actor=actor)


@router.get("/cycles/{smc_cycle_id}/list")
def distribution_list(
    smc_cycle_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    team: Annotated[uuid.UUID | None, Query(description="A team; default: every team.")] = None,
) -> DistributionList:
    """The door-to-door list of a cycle: each village's children and where they are."""
    return service.distribution_list(session, smc_cycle_id, team_id=team, actor=actor)


@router.post("/doses", status_code=status.HTTP_201_CREATED)
def record_dose(
    body: DoseCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> DoseRead:
    """Record a child's day 1: SPAQ given and watched, or excluded with its reason."""
    return service.record_dose(
        session, body, actor=actor, settings=service.SmcSettings.of(settings)
    )


@router.post("/doses/{smc_dose_id}/adherence")
def report_adherence(
    smc_dose_id: uuid.UUID, body: AdherenceReport, session: SessionDep, actor: ApiActor
) -> DoseRead:
    """Days 2 and 3 as the caregiver reports them at the next contact."""
    return service.report_adherence(session, smc_dose_id, body, actor=actor)


@router.delete("/doses/{smc_dose_id}")
def delete_dose(
    smc_dose_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    deletion: FromQuery[RecordDelete],
) -> DoseRead:
    """Soft-delete a dose recorded by mistake, with a reason (``?reason=``)."""
    return service.delete_dose(session, smc_dose_id, deletion, actor=actor)
