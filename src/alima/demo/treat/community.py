"""Community side of the Treat demo: mothers trained, screenings and their referrals."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from alima.community.rules import assess_screening
from alima.core.models import Place
from alima.demo.common import new_id
from alima.demo.places import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M, VILLAGES
from alima.demo.treat.base import (
    MONTH_WEIGHTS_TRAINING,
    MOTHERS_TRAINED,
    Calendar,
    World,
    record_columns,
    split,
)
from alima.growth.muac import MuacBand
from alima.nutrition.enums import Oedema


def training_rows(world: World, rng: random.Random, calendar: Calendar) -> list[dict[str, Any]]:
    """The year's MUAC-bracelet training sessions for mothers, ``MOTHERS_TRAINED`` in all."""
    sessions = 2_600
    mothers = split(MOTHERS_TRAINED, [rng.uniform(25, 80) for _ in range(sessions)])
    rows = []
    for count in mothers:
        area = rng.choice(world.areas)
        day = calendar.day(rng, MONTH_WEIGHTS_TRAINING)
        rows.append(
            {
                **record_columns(new_id(rng), area.id, day, rng),
                "held_on": day,
                "trainer_name": f"{rng.choice(GIVEN_NAMES_F + GIVEN_NAMES_M)} "
                f"{rng.choice(FAMILY_NAMES)}",
                "trainer_role": rng.choices(["chw", "health_worker", "ngo_staff"], [6, 3, 1])[0],
                "village": rng.choice(VILLAGES.get(area.code, ["Village"])),
                "mothers_trained": count,
                "tapes_given": count,
                "note": None,
            }
        )
    return rows


def _community_muac(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.05:
        return rng.randint(98, 114)
    if roll < 0.15:
        return rng.randint(115, 124)
    return rng.randint(125, 160)


def _arrival_muac(rng: random.Random, community: int, agree: bool) -> int:
    band = assess_screening(community, Oedema.NONE).band
    ranges = {MuacBand.RED: (100, 114), MuacBand.YELLOW: (115, 124), MuacBand.GREEN: (125, 140)}
    if agree:
        low, high = ranges[band]
        return max(low, min(high, community + rng.randint(-3, 3)))
    other = {
        MuacBand.RED: MuacBand.YELLOW,
        MuacBand.YELLOW: rng.choice([MuacBand.RED, MuacBand.GREEN]),
        MuacBand.GREEN: MuacBand.YELLOW,
    }[band]
    low, high = ranges[other]
    return rng.randint(low, high)


def screening_rows(
    rng: random.Random,
    days: Iterable[tuple[date, Place]],
    today: date,
    pending_after: date | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Community screenings on ``days`` and the referrals they call for.

    A referral made on or after ``pending_after`` (or arriving after ``today``) is still pending.
    """
    screenings, referrals = [], []
    for day, facility in days:
        screener = rng.choices(["mother", "chw", "health_worker"], [78, 17, 5])[0]
        muac = _community_muac(rng)
        oedema = Oedema.PLUS1 if rng.random() < 0.005 else Oedema.NONE
        result = assess_screening(muac, oedema)
        sex = rng.choice(["F", "M"])
        area = next((c for c in VILLAGES if facility.code.startswith(c)), "ML-SEG-NIO-NC")
        screening_id = new_id(rng)
        screenings.append(
            {
                **record_columns(screening_id, facility.id, day, rng),
                "screened_on": day,
                "screener_type": screener,
                "screener_name": None,
                "child_given_name": rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M),
                "child_family_name": rng.choice(FAMILY_NAMES),
                "child_sex": sex,
                "child_age_months": rng.randint(6, 59),
                "caregiver_name": f"{rng.choice(GIVEN_NAMES_F)} {rng.choice(FAMILY_NAMES)}",
                "village": rng.choice(VILLAGES.get(area, ["Village"])),
                "patient_id": None,
                "muac_mm": muac,
                "oedema": oedema.value,
                "muac_band": result.band.value,
            }
        )
        if result.referral is None:
            continue
        arrives = rng.random() < (0.8 if screener == "mother" else 0.7)
        arrived_on = day + timedelta(days=rng.randint(0, 5))
        if pending_after is not None and day >= pending_after:
            arrives = False
        if arrived_on > today:
            arrives = False
        row: dict[str, Any] = {
            **record_columns(new_id(rng), facility.id, day, rng),
            "screening_id": screening_id,
            "urgency": result.referral.value,
            "status": "pending",
            "referred_on": day,
            "arrived_on": None,
            "arrival_muac_mm": None,
            "arrival_oedema": None,
            "arrival_band": None,
            "bands_agree": None,
            "admitted": None,
            "nutrition_episode_id": None,
            "patient_id": None,
            "completed_by_id": None,
        }
        if arrives:
            agree = rng.random() < {"mother": 0.754, "chw": 0.401}.get(screener, 0.85)
            arrival = _arrival_muac(rng, muac, agree)
            band = assess_screening(arrival, oedema).band
            row |= {
                "status": "completed",
                "arrived_on": arrived_on,
                "arrival_muac_mm": arrival,
                "arrival_oedema": oedema.value,
                "arrival_band": band.value,
                "bands_agree": band is result.band,
                "admitted": band is not MuacBand.GREEN and rng.random() < 0.92,
            }
        referrals.append(row)
    return screenings, referrals
