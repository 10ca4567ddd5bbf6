"""Emergency surgery at the Goundam hospital in the Treat demo."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from alima.demo.common import new_id
from alima.demo.treat.base import (
    HOSPITAL,
    MONTH_WEIGHTS_FLAT,
    SURGERIES,
    Calendar,
    Registry,
    World,
    record_columns,
)

PROCEDURES = (
    # procedure, indication, weight, women only
    ("caesarean", "obstetric", 35, True),
    ("laparotomy", "acute_abdomen", 15, False),
    ("hernia_repair", "acute_abdomen", 10, False),
    ("debridement", "trauma", 12, False),
    ("fracture_fixation", "trauma", 8, False),
    ("appendicectomy", "acute_abdomen", 6, False),
    ("abscess_drainage", "infection", 6, False),
    ("uterine_evacuation", "obstetric", 4, True),
    ("amputation", "trauma", 2, False),
    ("chest_drain", "trauma", 2, False),
)


def surgery_rows(
    world: World, registry: Registry, rng: random.Random, calendar: Calendar
) -> list[dict[str, Any]]:
    """The year's emergency surgeries at the Goundam hospital."""
    hospital = world.places[HOSPITAL]
    rows = []
    for _ in range(SURGERIES):
        procedure, indication, _w, women = rng.choices(
            PROCEDURES, weights=[p[2] for p in PROCEDURES]
        )[0]
        day = calendar.day(rng, MONTH_WEIGHTS_FLAT)
        sex = "F" if women else rng.choice(["F", "M"])
        birth = day - timedelta(days=rng.randint(16 * 365, 60 * 365))
        patient = registry.add(hospital, sex=sex, birth=birth, seen_on=day)
        rows.append(
            {
                **record_columns(new_id(rng), hospital.id, day, rng),
                "patient_id": patient,
                "note": None,
                "operated_on": day,
                "procedure": procedure,
                "indication": indication,
                "indication_detail": None,
                "emergency": True,
                "anaesthesia": "spinal_anaesthesia"
                if procedure == "caesarean"
                else rng.choice(["general_anaesthesia", "ketamine", "local_anaesthesia"]),
                "outcome": rng.choices(
                    ["discharged", "recovering", "surgery_referred", "surgery_died"],
                    [88, 4, 5, 3],
                )[0],
                "surgeon": "Dr Abdoulaye Maïga",
            }
        )
    return rows
