"""Outbreak surveillance of the demo: eight weeks of reports, meningitis in Konna, cholera.

Eight weeks of weekly reports from every Malian service point, a meningitis outbreak in the
health area of Konna and a suspected case of cholera in Goundam. Reports go through the service (as a data manager would send them), so the thresholds are
evaluated exactly as in the field: Konna (36,000 inhabitants) crosses the meningitis alert
rate, then the epidemic rate; the cholera case raises the alerts of its area and district.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Grant
from alima.core.enums import SERVICE_POINTS, Role
from alima.core.models import User
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance
from alima.outbreaks.schemas import CaseCreate, CountLine, WeeklyReportCreate

SEED = 1414
WEEKS = 8
#: The health area whose facilities report the meningitis outbreak, cases by week (oldest first).
OUTBREAK_AREA = "ML-MOP-MOP-KON"
MENINGITIS = (0, 0, 0, 0, 0, 1, 2, 4)
CHOLERA_DISTRICT = "ML-TBK-GDM"


def load(session: Session, *, today: date) -> None:
    """Send the demo's weekly reports and the cholera case (one transaction each)."""
    config = Surveillance()
    rng = random.Random(SEED)
    with session.begin():
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        country = core_repository.get_place_by_code(session, "ML")
        sites = [
            (p.code, p.path)
            for p in core_repository.list_places(
                session, [country.path], kinds=[k.value for k in SERVICE_POINTS]
            )
        ]
        area = core_repository.get_place_by_code(session, OUTBREAK_AREA)
        cholera_district = core_repository.get_place_by_code(session, CHOLERA_DISTRICT)
        actor = Actor(
            id=admin.id,
            username=admin.username,
            full_name=admin.full_name,
            grants=(Grant(Role.ADMINISTRATOR, (country.path,)),),
        )
    last = config.calendar.last_ended(today)
    for back in range(WEEKS - 1, -1, -1):
        week = config.calendar.shift(last, -back)
        for code, path in sites:
            lines = [
                CountLine(disease="malaria", age_group="1-4y", cases=rng.randint(8, 30)),  # type: ignore[arg-type]
                CountLine(disease="malaria", age_group="15y+", cases=rng.randint(3, 12)),  # type: ignore[arg-type]
            ]
            if rng.random() < 0.3:
                lines.append(CountLine(disease="ili", age_group="5-14y", cases=rng.randint(1, 3)))  # type: ignore[arg-type]
            meningitis = MENINGITIS[WEEKS - 1 - back]
            if path.startswith(area.path) and meningitis:
                lines.append(
                    CountLine(disease="meningitis", age_group="5-14y", cases=meningitis)  # type: ignore[arg-type]
                )
            service.record_weekly_report(
                session,
                WeeklyReportCreate(
                    place_code=code, epi_year=week.year, epi_week=week.week, lines=lines
                ),
                actor=actor,
                config=config,
            )
    site = next(code for code, path in sites if path.startswith(cholera_district.path))
    service.record_case(
        session,
        CaseCreate.model_validate(
            {
                "place_code": site,
                "disease": "cholera",
                "onset_on": (today - timedelta(days=5)).isoformat(),
                "village": "Tonka",
                "age_years": 23,
                "sex": "M",
                "sample_taken": True,
            }
        ),
        actor=actor,
        config=config,
    )
