"""Campaign setup, teams and SPAQ received; reading campaigns (one transaction each)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import snapshot
from alima.core.enums import PlaceKind
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.service.common import add_created, record_date
from alima.smc import repository
from alima.smc.enums import TargetSource
from alima.smc.errors import SmcError
from alima.smc.models import SmcCampaign, SmcCampaignArea, SmcCycle, SmcSupply, SmcTeam
from alima.smc.schemas import (
    CampaignCreate,
    CampaignRead,
    SupplyCreate,
    SupplyRead,
    TeamCreate,
    TeamRead,
)
from alima.smc.service.common import (
    AREA_KINDS,
    SETUP_PERMISSION,
    WRITE_PERMISSION,
    SmcSettings,
    campaign_read,
    campaign_site,
    campaign_visible,
    team_read,
    visible_campaign,
    visible_cycle,
    writable_sites,
)

#: Days the last cycle stays open for day-1 doses (a month, like the cycles before it).
LAST_CYCLE_DAYS = 28


def cycle_dates(starts: list[date], season: int) -> list[tuple[date, date]]:
    """Each cycle's first and last day: it runs until the next one starts (§14)."""
    if len(starts) not in (4, 5):
        raise RuleViolation(SmcError.SMC_004, field="cycle_starts")
    for before, after in pairwise(starts):
        if after <= before:
            raise RuleViolation(SmcError.SMC_005, field="cycle_starts")
    if starts[0].year != season:
        raise RuleViolation(SmcError.SMC_005, field="cycle_starts")
    ends = [after - timedelta(days=1) for after in starts[1:]]
    ends.append(starts[-1] + timedelta(days=LAST_CYCLE_DAYS - 1))
    return list(zip(starts, ends, strict=True))


def _country_of(place: Place) -> Place:
    current: Place | None = place
    while current is not None and current.kind != PlaceKind.COUNTRY.value:
        current = current.parent
    if current is None:
        raise RuleViolation(SmcError.SMC_006, field="areas")
    return current


def create_campaign(
    session: Session, data: CampaignCreate, *, actor: Actor, settings: SmcSettings
) -> CampaignRead:
    """Set up a campaign over districts or health areas in the actor's scope (§14)."""
    if not actor.can(SETUP_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    dates = cycle_dates(data.cycle_starts, data.season)
    census = data.target_source is TargetSource.CENSUS
    if census and any(a.census_target is None for a in data.areas):
        raise RuleViolation(SmcError.SMC_012, field="areas")
    with session.begin():
        places: list[Place] = []
        for area in data.areas:
            place = core_repository.find_place_by_code(session, area.place_code)
            if place is None or not actor.can_at(SETUP_PERMISSION, place.path):
                raise NotFound(CoreError.CORE_011, code=area.place_code, field="areas")
            if PlaceKind(place.kind) not in AREA_KINDS:
                raise RuleViolation(SmcError.SMC_006, field="areas")
            places.append(place)
        countries = {_country_of(p).id for p in places}
        paths = [p.path for p in places]
        overlapping = any(a != b and b.startswith(a) for a in paths for b in paths) or len(
            set(paths)
        ) != len(paths)
        if len(countries) != 1 or overlapping:
            raise RuleViolation(SmcError.SMC_006, field="areas")
        country = _country_of(places[0])
        campaign = SmcCampaign(
            place_id=country.id,
            place=country,
            name=data.name,
            season=data.season,
            cycle_count=len(dates),
            target_source=data.target_source.value,
            target_share_percent=None if census else settings.target_share_percent,
            note=data.note or None,
            created_by_id=actor.id,
        )
        after = snapshot(campaign, ("name", "season", "cycle_count", "target_source"))
        add_created(session, actor, campaign, "smc_campaign", after=after, place_id=country.id)
        for place, area in zip(places, data.areas, strict=True):
            session.add(
                SmcCampaignArea(
                    campaign=campaign,
                    campaign_id=campaign.id,
                    place_id=place.id,
                    place=place,
                    census_target=area.census_target if census else None,
                    created_by_id=actor.id,
                )
            )
        for number, (starts_on, ends_on) in enumerate(dates, start=1):
            session.add(
                SmcCycle(
                    campaign=campaign,
                    campaign_id=campaign.id,
                    place_id=country.id,
                    number=number,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    created_by_id=actor.id,
                )
            )
        session.flush()
        session.refresh(campaign)
        return campaign_read(session, actor, campaign)


def list_campaigns(session: Session, *, actor: Actor) -> list[CampaignRead]:
    """The campaigns covering places the actor reads, latest season first."""
    with session.begin():
        return [
            campaign_read(session, actor, c, teams=False)
            for c in repository.list_campaigns(session)
            if campaign_visible(actor, c)
        ]


def get_campaign(session: Session, campaign_id: uuid.UUID, *, actor: Actor) -> CampaignRead:
    """A campaign with its areas, targets, cycles and teams."""
    with session.begin():
        return campaign_read(session, actor, visible_campaign(session, actor, campaign_id))


def setup_places(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """Districts and health areas where the actor may set up a campaign (code, name)."""
    with session.begin():
        places = core_repository.list_places(
            session, actor.paths_for(SETUP_PERMISSION), kinds=[k.value for k in AREA_KINDS]
        )
        return [(p.code, p.name) for p in places]


def add_team(
    session: Session, campaign_id: uuid.UUID, data: TeamCreate, *, actor: Actor
) -> TeamRead:
    """Add a team of distributors working from a site of the campaign, with its villages."""
    if not actor.can(WRITE_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        campaign = visible_campaign(session, actor, campaign_id)
        place = campaign_site(session, actor, campaign, data.place_code, "place_code")
        villages = list(dict.fromkeys(v.strip() for v in data.villages if v.strip()))
        team = SmcTeam(
            campaign_id=campaign.id,
            place_id=place.id,
            place=place,
            name=data.name,
            members=data.members,
            villages=villages,
            created_by_id=actor.id,
        )
        after = {"name": team.name, "villages": villages}
        add_created(session, actor, team, "smc_team", after=after, place_id=place.id)
        return team_read(team)


def record_supply(
    session: Session, campaign_id: uuid.UUID, data: SupplyCreate, *, actor: Actor
) -> SupplyRead:
    """Record SPAQ blisters a site of the campaign received for a cycle."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    received_on = record_date(data.received_on, "received_on", SmcError.SMC_015)
    with session.begin():
        campaign = visible_campaign(session, actor, campaign_id)
        cycle = next((c for c in campaign.cycles if c.number == data.cycle_number), None)
        if cycle is None:
            raise RuleViolation(SmcError.SMC_004, field="cycle_number")
        place = campaign_site(session, actor, campaign, data.place_code, "place_code")
        supply = SmcSupply(
            campaign_id=campaign.id,
            cycle_id=cycle.id,
            cycle=cycle,
            place_id=place.id,
            place=place,
            product=data.product.value,
            blisters=data.blisters,
            received_on=received_on,
            created_by_id=actor.id,
        )
        after = {"product": supply.product, "blisters": supply.blisters, "cycle": cycle.number}
        add_created(session, actor, supply, "smc_supply", after=after, place_id=place.id)
        return SupplyRead(
            id=supply.id,
            cycle_number=cycle.number,
            place_code=place.code,
            product=data.product,
            blisters=supply.blisters,
            received_on=received_on,
        )


def writable_site_options(
    session: Session, campaign_id: uuid.UUID, *, actor: Actor
) -> list[tuple[str, str]]:
    """The campaign's service points where the actor may record (code, name)."""
    with session.begin():
        campaign = visible_campaign(session, actor, campaign_id)
        return [(p.code, p.name) for p in writable_sites(session, actor, campaign)]


def cycle_summary(session: Session, cycle_id: uuid.UUID, *, actor: Actor) -> tuple[str, int]:
    """The campaign name and number of a cycle the actor sees (a page's title)."""
    with session.begin():
        cycle = visible_cycle(session, actor, cycle_id)
        return cycle.campaign.name, cycle.number
