"""Outbreak test data: populations of the world's places, weekly reports, a surveillance
configuration."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.models import PlacePopulation
from alima.core.time import today
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.schemas import CountLine, WeeklyReportCreate, WeeklyReportRead
from tests.factories.core import World

CONFIG = Surveillance()


def set_populations(session: Session, populations: dict[object, int], year: int) -> None:
    """Give places (``Place`` objects) their population of ``year``."""
    with session.begin():
        for place, population in populations.items():
            session.add(
                PlacePopulation(place_id=place.id, year=year, population=population)  # type: ignore[attr-defined]
            )


def weeks_ago(n: int, config: Surveillance = CONFIG) -> EpiWeek:
    """The epi week ``n`` weeks before the current one."""
    return config.calendar.shift(config.calendar.week_of(today()), -n)


def send_report(
    session: Session,
    actor: Actor,
    place_code: str,
    week: EpiWeek,
    cases: dict[str, int],
    *,
    age_group: str = "1-4y",
    config: Surveillance = CONFIG,
) -> WeeklyReportRead:
    """A weekly report of ``cases`` per disease (all in one age group)."""
    return service.record_weekly_report(
        session,
        WeeklyReportCreate(
            place_code=place_code,
            epi_year=week.year,
            epi_week=week.week,
            lines=[
                CountLine(disease=d, age_group=age_group, cases=n)  # type: ignore[arg-type]
                for d, n in cases.items()
                if n
            ],
        ),
        actor=actor,
        config=config,
    )


def meningitis_world(session: Session, world: World, year: int) -> None:
    """District 60,000 inhabitants; area A 20,000 (counts apply); area B 40,000 (rates)."""
    set_populations(
        session, {world.district: 60_000, world.area_a: 20_000, world.area_b: 40_000}, year
    )


def cholera_case(session: Session, actor: Actor, place: object) -> dict[str, str]:
    """A line-listed cholera case at ``place`` and the district alert it raised."""
    from datetime import timedelta

    from alima.outbreaks.schemas import CaseCreate

    case = service.record_case(
        session,
        CaseCreate.model_validate(
            {
                "place_code": place.code,  # type: ignore[attr-defined]
                "disease": "cholera",
                "onset_on": (today() - timedelta(days=9)).isoformat(),
                "age_years": 4,
                "sex": "M",
            }
        ),
        actor=actor,
        config=CONFIG,
    )
    district = next(a for a in case.raised if a.place_kind == "district")
    return {
        "case_id": str(case.id),
        "alert_id": str(district.id),
        "district_code": district.place_code,
    }


def outbreak_targets(
    session: Session, world: World, *, elsewhere_place: object, elsewhere_actor: Actor
) -> dict[str, dict[str, str]]:
    """A line-listed cholera case and the district alert it raised, in scope and out of it."""
    return {
        "in": cholera_case(session, world.actors["clinician_a"], world.facility_a),
        "out": cholera_case(session, elsewhere_actor, elsewhere_place),
    }
