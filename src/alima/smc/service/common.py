"""What the SMC use cases share: who reads and writes, scope of a campaign, DTOs.

Permissions (reused, no new role): a campaign is set up by those who submit a district's
data (``DATA_SUBMIT``: data managers) for areas in their scope; distributors record doses,
teams and blisters received with the right to write patients at the site
(``PATIENT_WRITE``: clinicians, who also stand for the community distributors they
supervise, and data managers); coverage and products are read by readers of the site's
patients or aggregates, like the stock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.config import Settings
from alima.core.enums import SERVICE_POINTS, PlaceKind
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.service.common import dto, place_in_scope
from alima.core.text import fold
from alima.growth.engine import DAYS_PER_MONTH
from alima.smc import repository, rules
from alima.smc.enums import AgeBand, TargetSource
from alima.smc.errors import SmcError
from alima.smc.models import SmcAdministration, SmcCampaign, SmcCampaignArea, SmcCycle, SmcTeam
from alima.smc.schemas import AreaRead, CampaignRead, CycleRead, DoseRead, TeamRead

READ_PERMISSIONS = (Permission.PATIENT_READ, Permission.AGGREGATE_READ)
WRITE_PERMISSION = Permission.PATIENT_WRITE
SETUP_PERMISSION = Permission.DATA_SUBMIT
AREA_KINDS = frozenset({PlaceKind.DISTRICT, PlaceKind.HEALTH_AREA})
SERVICE_POINT_KINDS = [k.value for k in SERVICE_POINTS]
DOSE_ENTITY = "smc_administration"


@dataclass(frozen=True)
class SmcSettings:
    """The country's SMC choices (settings, docs/clinical-rules.md §14)."""

    vomiting: rules.VomitingRule = field(default_factory=rules.VomitingRule)
    target_share_percent: float = 18.0

    @classmethod
    def of(cls, settings: Settings) -> SmcSettings:
        """The SMC choices of the application's settings (``ALIMA_SMC_*``)."""
        return cls(
            vomiting=rules.VomitingRule(
                redose=settings.smc_redose_after_vomiting,
                window_minutes=settings.smc_vomit_window_minutes,
            ),
            target_share_percent=settings.smc_target_share_percent,
        )


def read_paths(actor: Actor) -> tuple[str, ...]:
    """Subtrees whose SMC figures the actor may read."""
    return tuple(p for perm in READ_PERMISSIONS for p in actor.paths_for(perm))


def _overlaps(path: str, paths: Sequence[str]) -> bool:
    return any(path.startswith(p) or p.startswith(path) for p in paths)


def campaign_visible(actor: Actor, campaign: SmcCampaign) -> bool:
    """Whether a covered area lies in, or holds, a subtree the actor reads."""
    paths = read_paths(actor)
    return any(_overlaps(area.place.path, paths) for area in campaign.areas)


def campaign_writable(actor: Actor, campaign: SmcCampaign) -> bool:
    """Whether the actor may record doses somewhere the campaign covers."""
    paths = actor.paths_for(WRITE_PERMISSION)
    return any(_overlaps(area.place.path, paths) for area in campaign.areas)


def visible_campaign(session: Session, actor: Actor, campaign_id: object) -> SmcCampaign:
    """The campaign if the actor sees it; else ``NotFound``."""
    campaign = (
        repository.find_campaign(session, campaign_id)
        if isinstance(campaign_id, uuid.UUID)
        else None
    )
    if campaign is None or not campaign_visible(actor, campaign):
        raise NotFound(CoreError.CORE_001)
    return campaign


def visible_cycle(session: Session, actor: Actor, cycle_id: object) -> SmcCycle:
    """The cycle if the actor sees its campaign; else ``NotFound``."""
    cycle = repository.find_cycle(session, cycle_id) if isinstance(cycle_id, uuid.UUID) else None
    if cycle is None or not campaign_visible(actor, cycle.campaign):
        raise NotFound(CoreError.CORE_001)
    return cycle


def covered(campaign: SmcCampaign, place: Place) -> bool:
    """Whether the place lies in an area the campaign covers."""
    return any(place.path.startswith(area.place.path) for area in campaign.areas)


def campaign_site(
    session: Session, actor: Actor, campaign: SmcCampaign, place_code: str | None, field: str
) -> Place:
    """A service point the campaign covers where the actor may write (else their only one)."""
    if place_code:
        place = place_in_scope(session, actor, place_code, WRITE_PERMISSION, field=field)
    else:
        candidates = [
            p
            for p in core_repository.list_places(
                session, actor.paths_for(WRITE_PERMISSION), kinds=SERVICE_POINT_KINDS
            )
            if covered(campaign, p)
        ]
        if len(candidates) != 1:
            raise RuleViolation(SmcError.SMC_008, field=field)
        place = candidates[0]
    if place.kind not in SERVICE_POINT_KINDS or not covered(campaign, place):
        raise RuleViolation(SmcError.SMC_008, field=field)
    return place


def writable_sites(session: Session, actor: Actor, campaign: SmcCampaign) -> list[Place]:
    """The campaign's service points where the actor may record."""
    return [
        p
        for p in core_repository.list_places(
            session, actor.paths_for(WRITE_PERMISSION), kinds=SERVICE_POINT_KINDS
        )
        if covered(campaign, p)
    ]


def area_target(session: Session, campaign: SmcCampaign, area: SmcCampaignArea) -> int | None:
    """An area's children 3-59 months: its census figure, or its population times the share."""
    if campaign.target_source == TargetSource.CENSUS.value:
        return area.census_target
    population = repository.population(session, area.place_id, campaign.season)
    if population is None or campaign.target_share_percent is None:
        return None
    return rules.target_from_population(population, campaign.target_share_percent)


def team_read(team: SmcTeam) -> TeamRead:
    """The DTO of a team."""
    return TeamRead(
        id=team.id,
        place_code=team.place.code,
        place_name=team.place.name,
        name=team.name,
        members=team.members,
        villages=list(team.villages),
    )


def cycle_read(cycle: SmcCycle) -> CycleRead:
    """The DTO of a cycle."""
    return CycleRead(
        id=cycle.id, number=cycle.number, starts_on=cycle.starts_on, ends_on=cycle.ends_on
    )


def campaign_read(
    session: Session, actor: Actor, campaign: SmcCampaign, *, teams: bool = True
) -> CampaignRead:
    """The DTO of a campaign with its areas' targets, cycles and teams."""
    areas = sorted(campaign.areas, key=lambda a: a.place.path)
    return dto(
        CampaignRead,
        campaign,
        country_code=campaign.place.code,
        country_name=campaign.place.name,
        areas=[
            AreaRead(
                place_code=a.place.code,
                place_name=a.place.name,
                kind=a.place.kind,
                census_target=a.census_target,
                target=area_target(session, campaign, a),
            )
            for a in areas
        ],
        cycles=[cycle_read(c) for c in campaign.cycles],
        teams=[team_read(t) for t in repository.list_teams(session, campaign.id)] if teams else [],
        can_write=campaign_writable(actor, campaign),
    )


def child_name(given: str, family: str) -> str:
    """A child's name as listed."""
    return f"{given} {family}".strip()


def dose_read(dose: SmcAdministration, referral_urgency: str | None = None) -> DoseRead:
    """The DTO of a child's day 1 of a cycle."""
    band = AgeBand(dose.age_band)
    given = dose.exclusion is None
    spec = rules.DOSES[band]
    return dto(
        DoseRead,
        dose,
        child_name=child_name(dose.patient.given_name, dose.patient.family_name),
        identifier=dose.patient.identifier,
        place_code=dose.place.code,
        age_months=rules.shown_months(dose.age_days / DAYS_PER_MONTH),
        age_band=band,
        given=given,
        exclusion=dose.exclusion or None,
        product=spec.product if given else None,
        aq_mg=spec.aq_mg if given else None,
        sp=f"{spec.sp_sulfadoxine_mg}/{spec.sp_pyrimethamine_mg:g}" if given else None,
        referral_urgency=referral_urgency,
        deleted=dose.deleted_at is not None,
    )


def folded(text: str | None) -> str:
    """A village or caregiver name folded for comparison (accents and case)."""
    return fold(text or "")
