"""Antenatal visits, deliveries, newborns and postnatal visits of the Treat demo."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from alima.care.enums import Attendant, DeliveryMode, DeliverySetting
from alima.care.rules import maternal
from alima.demo.common import new_id
from alima.demo.treat.base import (
    BUSY_SITE,
    DELIVERIES,
    HOSPITAL,
    MONTH_WEIGHTS_FLAT,
    Calendar,
    Registry,
    World,
    record_columns,
)


def _delivery(rng: random.Random, *, hospital_grade: bool) -> tuple[str, str, str, str]:
    setting = rng.choices(["facility", "home", "on_the_way"], [88, 9, 3])[0]
    if setting != "facility":
        attendant = rng.choices(["traditional_attendant", "relative", "nobody"], [6, 3, 1])[0]
        mode = "spontaneous_vaginal"
    else:
        attendant = rng.choices(["midwife", "matron", "nurse", "doctor"], [45, 30, 15, 10])[0]
        roll = rng.random()
        mode = "spontaneous_vaginal"
        if hospital_grade and roll < 0.12:
            mode, attendant = "caesarean", "doctor"
        elif roll < 0.16 and maternal.skilled_attendant(Attendant(attendant)):
            mode = "assisted_vaginal"
    outcome = rng.choices(["mother_well", "mother_referred", "mother_died"], [970, 27, 3])[0]
    maternal.check_delivery(
        setting=DeliverySetting(setting),
        attendant=Attendant(attendant),
        mode=DeliveryMode(mode),
        babies=1,
    )
    return setting, attendant, mode, outcome


def maternity_rows(
    world: World, registry: Registry, rng: random.Random, calendar: Calendar, today: date
) -> dict[str, list[dict[str, Any]]]:
    """Mothers followed from antenatal care to delivery and postnatal visits, by table."""
    out: dict[str, list[dict[str, Any]]] = {
        "antenatal": [],
        "delivery": [],
        "newborn": [],
        "postnatal": [],
    }
    maternity = [
        f for f in world.facilities if f.code.endswith(("-CS", "-CSREF")) or f.code == HOSPITAL
    ]
    weights = [4 if f.code == BUSY_SITE else 1 for f in maternity]
    for _ in range(DELIVERIES):
        place = rng.choices(maternity, weights=weights)[0]
        day = calendar.day(rng, MONTH_WEIGHTS_FLAT)
        birth = day - timedelta(days=rng.randint(16 * 365, 42 * 365))
        first_anc = day - timedelta(days=rng.randint(150, 230))
        mother = registry.add(place, sex="F", birth=birth, seen_on=min(first_anc, day))
        visits = rng.choices([0, 1, 2, 3, 4], [4, 12, 24, 30, 30])[0]
        for number in range(1, visits + 1):
            on = first_anc + timedelta(days=(number - 1) * rng.randint(28, 45))
            if on >= day:
                break
            weeks = max(4, 40 - (day - on).days // 7)
            # What the midwife measured: the visit's columns and the flags' inputs.
            measured: dict[str, Any] = {
                "visit_number": number,
                "gestational_age_weeks": weeks,
                "systolic_mmhg": rng.randint(95, 150),
                "diastolic_mmhg": rng.randint(55, 98),
                "muac_mm": rng.randint(205, 290),
                "temperature_c": None,
            }
            flags = maternal.anc_flags(**measured)
            out["antenatal"].append(
                {
                    **record_columns(new_id(rng), place.id, on, rng),
                    "patient_id": mother,
                    "note": None,
                    "visited_on": on,
                    **measured,
                    "iptp_dose": min(number, 3) if weeks >= 13 else 0,
                    "iron_folic_acid": True,
                    "bednet_given": number == 1,
                    "flags": [f.value for f in flags],
                    "referred": bool(flags) and rng.random() < 0.2,
                }
            )
        setting, attendant, mode, outcome = _delivery(
            rng, hospital_grade=place.code.endswith("-CSREF") or place.code == HOSPITAL
        )
        delivery_id = new_id(rng)
        out["delivery"].append(
            {
                **record_columns(delivery_id, place.id, day, rng),
                "patient_id": mother,
                "note": None,
                "delivered_on": day,
                "setting": setting,
                "attendant": attendant,
                "mode": mode,
                "mother_outcome": outcome,
            }
        )
        babies = 2 if rng.random() < 0.015 else 1
        for position in range(1, babies + 1):
            baby = rng.choices(
                ["live_birth", "fresh_stillbirth", "macerated_stillbirth", "early_neonatal_death"],
                [960, 15, 12, 13],
            )[0]
            out["newborn"].append(
                {
                    "id": new_id(rng),
                    "delivery_id": delivery_id,
                    "position": position,
                    "sex": rng.choice(["F", "M"]),
                    "outcome": baby,
                    "birth_weight_g": max(1000, min(5000, int(rng.gauss(3000, 450)))),
                }
            )
        if rng.random() < 0.6:
            visit_day = day + timedelta(days=rng.choice([1, 2, 3, 7, 14, 42]))
            if visit_day <= today:
                well = outcome == "mother_well"
                out["postnatal"].append(
                    {
                        **record_columns(new_id(rng), place.id, visit_day, rng),
                        "patient_id": mother,
                        "note": None,
                        "visited_on": visit_day,
                        "delivery_id": delivery_id,
                        "day_after_birth": (visit_day - day).days,
                        "mother_status": "pnc_well" if well else "pnc_needs_care",
                        "newborn_status": "pnc_well" if rng.random() < 0.95 else "pnc_needs_care",
                        "exclusive_breastfeeding": rng.random() < 0.7,
                        "family_planning": rng.random() < 0.4,
                    }
                )
    return out
