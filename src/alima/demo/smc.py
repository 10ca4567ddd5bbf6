"""A demo SMC campaign: Niono and Mopti districts, four cycles, the first one running today.

Each service point of the two districts has a team for the villages of its patients and the
SPAQ of cycle 1; at the busiest centre most eligible children were already given day 1 of
cycle 1 (a few excluded for fever), so the campaign page has coverage, exclusions and
products used, and the distributor still has households to visit.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.enums import SERVICE_POINTS
from alima.core.models import Patient, Place
from alima.demo.treat.base import BUSY_SITE, audit_columns
from alima.smc import rules
from alima.smc.enums import AgeBand, Exclusion, Product, TargetSource
from alima.smc.models import (
    SmcAdministration,
    SmcCampaign,
    SmcCampaignArea,
    SmcCycle,
    SmcSupply,
    SmcTeam,
)

SEED = 2607
DISTRICTS = ("ML-SEG-NIO", "ML-MOP-MOP")
#: The share of children 3-59 months the demo campaign uses (the setting's default).
TARGET_SHARE = 18.0


def _at(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


def load(session: Session, *, today: date) -> None:
    """Insert the demo campaign, its teams, SPAQ received and cycle 1's doses so far."""
    rng = random.Random(SEED)
    with session.begin():
        districts = [core_repository.find_place_by_code(session, code) for code in DISTRICTS]
        areas = [d for d in districts if d is not None]
        if not areas:
            return
        country = core_repository.get_place_by_code(session, "ML")
        starts = [today - timedelta(days=3) + timedelta(days=30 * i) for i in range(4)]
        created = _at(starts[0] - timedelta(days=20))
        campaign = SmcCampaign(
            id=uuid.UUID(int=rng.getrandbits(128)),
            place_id=country.id,
            name=f"CPS {starts[0].year} · Niono et Mopti",
            season=starts[0].year,
            cycle_count=4,
            target_source=TargetSource.PLACES.value,
            target_share_percent=TARGET_SHARE,
            **audit_columns(created),
        )
        session.add(campaign)
        for area in areas:
            session.add(
                SmcCampaignArea(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    campaign_id=campaign.id,
                    place_id=area.id,
                    created_at=created,
                    updated_at=created,
                )
            )
        cycles = []
        for number, start in enumerate(starts, start=1):
            ends = starts[number] - timedelta(days=1) if number < 4 else start + timedelta(days=27)
            cycle = SmcCycle(
                id=uuid.UUID(int=rng.getrandbits(128)),
                campaign_id=campaign.id,
                place_id=country.id,
                number=number,
                starts_on=start,
                ends_on=ends,
                created_at=created,
                updated_at=created,
            )
            session.add(cycle)
            cycles.append(cycle)
        first = cycles[0]
        sites = core_repository.list_places(
            session, [a.path for a in areas], kinds=[k.value for k in SERVICE_POINTS]
        )
        for site in sites:
            _site(session, rng, campaign, first, site, busy=site.code == BUSY_SITE, today=today)


def _site(
    session: Session,
    rng: random.Random,
    campaign: SmcCampaign,
    cycle: SmcCycle,
    site: Place,
    *,
    busy: bool,
    today: date,
) -> None:
    patients = list(
        session.scalars(
            select(Patient)
            .where(Patient.place_id == site.id, Patient.deleted_at.is_(None))
            .order_by(Patient.identifier)
        )
    )
    villages = sorted({p.village for p in patients if p.village})[:4]
    if not villages:
        return
    created = _at(cycle.starts_on - timedelta(days=7))
    team = SmcTeam(
        id=uuid.UUID(int=rng.getrandbits(128)),
        campaign_id=campaign.id,
        place_id=site.id,
        name=f"Équipe {site.name}"[:100],
        members="Relais communautaires du village",
        villages=villages,
        created_at=created,
        updated_at=created,
    )
    session.add(team)
    for product, blisters in ((Product.SPAQ_3_11, 40), (Product.SPAQ_12_59, 160)):
        session.add(
            SmcSupply(
                id=uuid.UUID(int=rng.getrandbits(128)),
                campaign_id=campaign.id,
                cycle_id=cycle.id,
                place_id=site.id,
                product=product.value,
                blisters=blisters,
                received_on=cycle.starts_on - timedelta(days=2),
                **audit_columns(created),
            )
        )
    if not busy:
        return
    for patient in patients:
        age_days = (cycle.starts_on - patient.birth_date).days
        months = rules.age_months(patient.birth_date, cycle.starts_on)
        if not rules.MIN_AGE_MONTHS <= months < rules.MAX_AGE_MONTHS or rng.random() < 0.3:
            continue
        band = AgeBand.INFANT if months < rules.CHILD_BAND_MONTHS else AgeBand.CHILD
        excluded = rng.random() < 0.06
        on = min(cycle.starts_on + timedelta(days=rng.randint(0, 3)), today)
        session.add(
            SmcAdministration(
                id=uuid.UUID(int=rng.getrandbits(128)),
                campaign_id=campaign.id,
                cycle_id=cycle.id,
                cycle_number=cycle.number,
                patient_id=patient.id,
                place_id=site.id,
                team_id=team.id,
                village=patient.village or villages[0],
                given_on=on,
                age_days=age_days,
                age_band=band.value,
                exclusion=Exclusion.SICK.value if excluded else None,
                day1_observed=not excluded,
                vomited=False,
                redosed=False,
                blisters=0 if excluded else 1,
                **audit_columns(_at(on)),
            )
        )
