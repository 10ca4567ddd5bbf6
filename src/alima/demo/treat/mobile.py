"""Mobile clinics at the displacement sites and the monthly count of their population."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from alima.core.models import Place
from alima.demo.common import new_id
from alima.demo.treat.base import (
    CLINIC_OF_DISTRICT,
    DISTRICTS,
    PEOPLE_REACHED,
    Calendar,
    World,
    at_work_hour,
    record_columns,
    split,
)


def mobile_rows(
    world: World, rng: random.Random, calendar: Calendar, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Fortnightly mobile-clinic sessions at each site, and each site's monthly population count."""
    planned: list[tuple[Place, Place, date]] = []
    for site in world.sites:
        district = next(d for d in DISTRICTS if site.code.startswith(d))
        clinic = world.places[CLINIC_OF_DISTRICT[district]]
        first = date(calendar.year, 1, 1) + timedelta(days=rng.randint(0, 13))
        day = first
        while day.year == calendar.year:
            planned.append((site, clinic, day))
            day += timedelta(days=14 + rng.randint(-2, 2))
    people = split(PEOPLE_REACHED, [rng.uniform(8, 40) for _ in planned])
    sessions = []
    for (site, clinic, day), reached in zip(planned, people, strict=True):
        services = ["consultations", "nutrition_screening"]
        services += [
            s
            for s, p in (
                ("nutrition_treatment", 0.6),
                ("malaria_testing", 0.7),
                ("antenatal_care", 0.4),
                ("vaccination", 0.25),
                ("health_promotion", 0.5),
                ("referrals", 0.3),
            )
            if rng.random() < p
        ]
        sessions.append(
            {
                **record_columns(new_id(rng), site.id, day, rng),
                "mobile_clinic_id": clinic.id,
                "held_on": day,
                "team": f"Équipe {clinic.name}",
                "people_reached": reached,
                "consultations": round(reached * rng.uniform(0.4, 0.8)),
                "children_screened": round(reached * rng.uniform(0.2, 0.4)),
                "services": services,
                "note": None,
            }
        )
    counts = []
    for site in world.sites:
        individuals = rng.randint(400, 3500)
        cursor = date(calendar.year, 1, 15)
        while cursor <= today:
            individuals = max(50, round(individuals * rng.uniform(0.97, 1.06)))
            created = at_work_hour(cursor, rng)
            counts.append(
                {
                    "id": new_id(rng),
                    "created_at": created,
                    "updated_at": created,
                    "created_by_id": None,
                    "place_id": site.id,
                    "counted_on": cursor,
                    "individuals": individuals,
                    "households": round(individuals / rng.uniform(5.0, 7.0)),
                    "source": "Matrice de suivi des déplacements (DTM, démo)",
                }
            )
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 15)
    return sessions, counts
