"""SMC test data: a campaign over the world's two health areas, children, doses."""

from __future__ import annotations

import math
from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.models import Patient, Place, PlacePopulation
from alima.growth.engine import DAYS_PER_MONTH
from alima.smc import service
from alima.smc.enums import TargetSource
from alima.smc.schemas import AreaTarget, CampaignCreate, CampaignRead, DoseCreate, DoseRead
from tests.factories.core import World, make_patient

#: Four cycles of a past season, so that every day of them may be recorded.
STARTS = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
SETTINGS = service.SmcSettings()


def add_population(session: Session, place: Place, population: int, year: int = 2026) -> None:
    with session.begin():
        session.add(PlacePopulation(place_id=place.id, year=year, population=population))


def make_campaign(
    session: Session,
    world: World,
    *,
    census: tuple[int, int] | None = None,
    starts: list[date] | None = None,
) -> CampaignRead:
    """A campaign over health areas A and B, set up by the district's data manager."""
    starts = starts or STARTS
    data = CampaignCreate(
        name="CPS test",
        season=starts[0].year,
        target_source=TargetSource.CENSUS if census else TargetSource.PLACES,
        cycle_starts=starts,
        areas=[
            AreaTarget(place_code=world.area_a.code, census_target=census[0] if census else None),
            AreaTarget(place_code=world.area_b.code, census_target=census[1] if census else None),
        ],
    )
    return service.create_campaign(
        session, data, actor=world.actors["data_manager"], settings=SETTINGS
    )


def child_of_months(
    session: Session,
    place: Place,
    months: float,
    on: date,
    *,
    given: str = "Awa",
    caregiver: str = "Fatoumata Diarra",
    village: str = "Molodo",
) -> Patient:
    """A child ``months`` (30.4375-day) months old on ``on``."""
    birth = on - timedelta(days=math.ceil(months * DAYS_PER_MONTH))
    with session.begin():
        patient = make_patient(session, place, given=given, birth=birth, village=village)
        patient.caregiver_name = caregiver
        session.flush()
    session.expunge(patient)
    return patient


def give(
    session: Session,
    world: World,
    campaign: CampaignRead,
    patient: Patient,
    number: int,
    *,
    who: str = "clinician_a",
    **findings: object,
) -> DoseRead:
    """Record the child's day 1 of cycle ``number`` on its first day."""
    cycle = campaign.cycles[number - 1]
    data = DoseCreate.model_validate(
        {"cycle_id": cycle.id, "patient_id": patient.id, "given_on": cycle.starts_on, **findings}
    )
    return service.record_dose(session, data, actor=world.actors[who], settings=SETTINGS)


def smc_targets(
    session: Session, setup: Actor, *, area_code: str, site: Place, writer: Actor
) -> dict[str, str]:
    """A campaign over the area ``area_code`` whose cycle 1 runs today, a child of ``site`` to give a dose
    to, and a dose already given to another child (for the permission matrix)."""
    from alima.core.time import today

    start = today() - timedelta(days=10)
    campaign = service.create_campaign(
        session,
        CampaignCreate(
            name="CPS matrice",
            season=start.year,
            cycle_starts=[start + timedelta(days=30 * i) for i in range(4)],
            areas=[AreaTarget(place_code=area_code)],
        ),
        actor=setup,
        settings=SETTINGS,
    )
    cycle = campaign.cycles[0]
    child = child_of_months(session, site, 24, cycle.starts_on, given="Matrice")
    given = child_of_months(session, site, 30, cycle.starts_on, given="Donnée")
    dose = service.record_dose(
        session,
        DoseCreate(cycle_id=cycle.id, patient_id=given.id, place_code=site.code),
        actor=writer,
        settings=SETTINGS,
    )
    return {
        "smc_campaign_id": str(campaign.id),
        "smc_cycle_id": str(cycle.id),
        "smc_dose_id": str(dose.id),
        "smc_child_id": str(child.id),
        "smc_area_code": area_code,
    }
