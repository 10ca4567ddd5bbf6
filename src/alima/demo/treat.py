"""A year of "Treat" activity in Mali, at the scale of the seeds' Mali page.

The last complete calendar year gets 133,452 mothers trained to use the MUAC bracelet, about
13,000 general and paediatric consultations, over 3,000 deliveries (with their antenatal and
postnatal visits), 97 emergency surgeries at the Goundam hospital, and 17,173 people reached by
three mobile clinics at the 29 displacement sites, whose displaced population is counted every
month. Community screenings follow the agreement Alé et al. observed in Niger (docs/clinical-rules.md §6:
75 % for mothers, 40 % for community health workers). The weeks before ``today`` get recent
screenings and consultations at the demo clinician's centre, with referrals still waiting.

Clinical fields come from the same pure rules the services apply (IMCI triage, MUAC band,
antenatal flags). Rows are written with bulk inserts in one transaction; the same seed gives
the same rows on every load.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from alima.care.enums import (
    Attendant,
    DangerSign,
    DeliveryMode,
    DeliverySetting,
    MalariaTreatment,
    RdtResult,
)
from alima.care.models import (
    AntenatalVisit,
    Consultation,
    ConsultationDiagnosis,
    Delivery,
    DisplacedPopulation,
    MobileSession,
    Newborn,
    PostnatalVisit,
    Surgery,
)
from alima.care.rules import imci, maternal
from alima.community.models import Referral, Screening, Training
from alima.community.rules import assess_screening
from alima.core.enums import AuditAction
from alima.core.models import AuditEvent, Patient, Place, User
from alima.core.text import fold
from alima.core.time import age_in_months
from alima.demo.places import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M, VILLAGES
from alima.growth.muac import MuacBand
from alima.indicators.models import ContextFigure
from alima.nutrition.enums import Oedema

SEED = 133452  # the mothers trained in Mali that year
MOTHERS_TRAINED = 133_452
CONSULTATIONS = 13_260
DELIVERIES = 3_084
SURGERIES = 97
PEOPLE_REACHED = 17_173
SCREENINGS = 6_000
BUSY_SITE = "ML-SEG-NIO-NC-CS"
HOSPITAL = "ML-TBK-GDM-HOP"
COUNTRY = "ML"
DISTRICTS = ("ML-SEG-NIO", "ML-MOP-MOP", "ML-MOP-BDG", "ML-TBK-GDM", "ML-KKR-DIO")
#: Which mobile clinic serves the sites of each district.
CLINIC_OF_DISTRICT = {
    "ML-SEG-NIO": "ML-SEG-NIO-CM1",
    "ML-KKR-DIO": "ML-SEG-NIO-CM1",
    "ML-TBK-GDM": "ML-SEG-NIO-CM1",
    "ML-MOP-MOP": "ML-MOP-MOP-CM1",
    "ML-MOP-BDG": "ML-MOP-MOP-CM2",
}
#: Malaria peaks with the rains (August-October); the lean season fills June to September.
MONTH_WEIGHTS_MALARIA = (0.7, 0.65, 0.7, 0.75, 0.85, 1.0, 1.2, 1.45, 1.5, 1.4, 1.1, 0.8)
MONTH_WEIGHTS_LEAN = (0.7, 0.7, 0.8, 0.9, 1.0, 1.3, 1.4, 1.4, 1.2, 0.9, 0.8, 0.7)
MONTH_WEIGHTS_FLAT = (1.0,) * 12
#: Mothers are trained before the lean season.
MONTH_WEIGHTS_TRAINING = (0.8, 1.0, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.7, 0.8, 0.8, 0.8)
CONTEXT = (
    ("population", 2020, 20_250_000, "Banque mondiale"),
    ("food_insecure", 2020, 3_500_000, "UNOCHA"),
    ("sam_children", 2020, 185_000, "UNICEF"),
)
CHUNK = 5000
#: Names the browser tests register at the demo clinician's centre: kept unique in the demo.
RESERVED_NAMES = frozenset({("Aïssata", "Maïga")})


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randint(0, 8), rng.randint(0, 59)), tzinfo=UTC)


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), list(rows[start : start + CHUNK]))


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers proportional to ``weights`` that add up to exactly ``total``."""
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (parts[i] - weights[i] * scale, i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


class Calendar:
    """Days of a year drawn by monthly weights."""

    def __init__(self, year: int) -> None:
        self.year = year

    def day(self, rng: random.Random, weights: Sequence[float]) -> date:
        """A day of the year, its month drawn by ``weights``."""
        month = rng.choices(range(1, 13), weights=weights)[0]
        following = date(self.year + month // 12, month % 12 + 1, 1)
        last = (following - timedelta(days=1)).day
        return date(self.year, month, rng.randint(1, last))


@dataclass
class World:
    """The core demo records this loader builds on."""

    places: dict[str, Place]
    facilities: list[Place]
    areas: list[Place]
    sites: list[Place]
    area_facility: dict[str, Place]
    clinician_id: uuid.UUID | None
    sequences: dict[str, int]


def _world(session: Session) -> World:
    places = {p.code: p for p in session.scalars(select(Place).where(Place.code.startswith("ML")))}
    in_project = [p for p in places.values() if p.code.startswith(DISTRICTS)]
    facilities = sorted((p for p in in_project if p.kind == "facility"), key=lambda p: p.code)
    areas = sorted((p for p in in_project if p.kind == "health_area"), key=lambda p: p.code)
    sites = sorted(
        (p for p in places.values() if p.kind == "displacement_site"), key=lambda p: p.code
    )
    area_facility = {
        a.code: next(
            (f for f in facilities if f.parent_id == a.id), places[a.code.rsplit("-", 1)[0]]
        )
        for a in areas
    }
    clinician = session.scalar(select(User.id).where(User.username == "clinicien"))
    sequences: dict[str, int] = {}
    for identifier in session.scalars(select(Patient.identifier)):
        prefix, _, number = identifier.rpartition("-")
        if number.isdigit():
            sequences[prefix] = max(sequences.get(prefix, 0), int(number))
    return World(places, facilities, areas, sites, area_facility, clinician, sequences)


class Registry:
    """New demo patients, numbered after those already registered at each place."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.rows: list[dict[str, Any]] = []

    def add(self, place: Place, *, sex: str, birth: date, seen_on: date) -> uuid.UUID:
        """Register a patient at ``place`` (first seen on ``seen_on``) and return the id."""
        rng = self.rng
        sequence = self.world.sequences.get(place.code, 0) + 1
        self.world.sequences[place.code] = sequence
        given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
        family = rng.choice(FAMILY_NAMES)
        while (given, family) in RESERVED_NAMES:
            family = rng.choice(FAMILY_NAMES)
        area = next((c for c in VILLAGES if place.code.startswith(c)), "")
        village = rng.choice(VILLAGES.get(area) or VILLAGES["ML-SEG-NIO-NC"])
        created = _at(seen_on, rng)
        patient_id = _uuid(rng)
        self.rows.append(
            {
                "id": patient_id,
                "identifier": f"{place.code}-{sequence:05d}",
                "given_name": given,
                "family_name": family,
                "sex": sex,
                "birth_date": birth,
                "birth_date_estimated": rng.random() < 0.3,
                "caregiver_name": f"{rng.choice(GIVEN_NAMES_F)} {family}",
                "village": village,
                "phone": None,
                "place_id": place.id,
                "search_name": fold(f"{given} {family}"),
                "search_village": fold(village),
                "version": 1,
                "created_at": created,
                "updated_at": created,
                "created_by_id": None,
                "deleted_at": None,
                "deleted_reason": None,
                "deleted_by_id": None,
            }
        )
        return patient_id


def _record(
    entity_id: uuid.UUID, place_id: uuid.UUID, on: date, rng: random.Random
) -> dict[str, Any]:
    created = _at(on, rng)
    return {
        "id": entity_id,
        "created_at": created,
        "updated_at": created,
        "created_by_id": None,
        "deleted_at": None,
        "deleted_reason": None,
        "deleted_by_id": None,
        "place_id": place_id,
    }


# --- community -------------------------------------------------------------------------------


def _trainings(world: World, rng: random.Random, calendar: Calendar) -> list[dict[str, Any]]:
    sessions = 2_600
    mothers = _split(MOTHERS_TRAINED, [rng.uniform(25, 80) for _ in range(sessions)])
    rows = []
    for count in mothers:
        area = rng.choice(world.areas)
        day = calendar.day(rng, MONTH_WEIGHTS_TRAINING)
        rows.append(
            {
                **_record(_uuid(rng), area.id, day, rng),
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


def _screenings(
    rng: random.Random,
    days: Iterable[tuple[date, Place]],
    today: date,
    pending_after: date | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    screenings, referrals = [], []
    for day, facility in days:
        screener = rng.choices(["mother", "chw", "health_worker"], [78, 17, 5])[0]
        muac = _community_muac(rng)
        oedema = Oedema.PLUS1 if rng.random() < 0.005 else Oedema.NONE
        result = assess_screening(muac, oedema)
        sex = rng.choice(["F", "M"])
        area = next((c for c in VILLAGES if facility.code.startswith(c)), "ML-SEG-NIO-NC")
        screening_id = _uuid(rng)
        screenings.append(
            {
                **_record(screening_id, facility.id, day, rng),
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
            **_record(_uuid(rng), facility.id, day, rng),
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


# --- consultations ---------------------------------------------------------------------------


DIAGNOSES_BY_CLASS = {
    "malaria": "B54",
    "very_severe_febrile_disease": "B50.9",
    "pneumonia": "J18.9",
    "severe_pneumonia": "J18.9",
    "cough_or_cold": "J06.9",
    "uncomplicated_sam": "E43",
    "complicated_sam": "E43",
    "mam": "E44.0",
}
OTHER_DIAGNOSES = ("A09", "D64.9", "B82.9", "L08.9", "H66.9", "H10.9", "N39.0", "T14.9", "R69")


def _findings(rng: random.Random, age: int, month: int) -> imci.TriageFindings:
    malaria_season = month in {7, 8, 9, 10, 11}
    fever = rng.random() < (0.55 if malaria_season else 0.3)
    cough = rng.random() < 0.3
    signs = frozenset({rng.choice(list(DangerSign))}) if rng.random() < 0.03 else frozenset()
    threshold = imci.fast_breathing_threshold(age) or 30
    rate = rng.randint(threshold - 15, threshold + 12) if cough else None
    if fever:
        rdt = (
            RdtResult.POSITIVE
            if rng.random() < (0.6 if malaria_season else 0.3)
            else (RdtResult.NEGATIVE)
        )
        if rng.random() < 0.03:
            rdt = RdtResult.NOT_DONE
    else:
        rdt = RdtResult.NOT_DONE
    muac = None
    if imci.muac_applies(age):
        roll = rng.random()
        muac = (
            rng.randint(100, 114)
            if roll < 0.03
            else rng.randint(115, 124)
            if roll < 0.09
            else (rng.randint(125, 165))
        )
    return imci.TriageFindings(
        age_months=age,
        danger_signs=signs,
        cough_or_difficult_breathing=cough,
        breaths_per_minute=rate,
        chest_indrawing=cough and rng.random() < 0.04,
        temperature_c=round(rng.uniform(37.6, 40.2), 1)
        if fever
        else round(rng.uniform(36.2, 37.3), 1),
        rdt=rdt,
        muac_mm=muac,
        oedema=Oedema.NONE,
    )


def _consultation_rows(
    rng: random.Random,
    patient_id: uuid.UUID,
    place: Place,
    day: date,
    age: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    findings = _findings(rng, age, day.month)
    result = imci.triage(findings)
    severe = "very_severe_febrile_disease" in result.classifications
    treatment = (
        MalariaTreatment.ARTESUNATE
        if severe and findings.rdt is not RdtResult.NEGATIVE
        else MalariaTreatment.ACT
        if findings.rdt is RdtResult.POSITIVE
        else MalariaTreatment.NONE
    )
    consultation_id = _uuid(rng)
    codes: list[str] = []
    for classification in result.classifications:
        code = DIAGNOSES_BY_CLASS.get(classification.value)
        if code and code not in codes:
            codes.append(code)
    if not codes or rng.random() < 0.25:
        extra = rng.choice(OTHER_DIAGNOSES)
        if extra not in codes:
            codes.append(extra)
    referred = result.refer_urgently and rng.random() < 0.95
    row = {
        **_record(consultation_id, place.id, day, rng),
        "patient_id": patient_id,
        "note": None,
        "consulted_on": day,
        "kind": "paediatric" if age < 60 else "general",
        "age_months": age,
        "weight_kg": None,
        "temperature_c": findings.temperature_c,
        "breaths_per_minute": findings.breaths_per_minute,
        "cough": findings.cough_or_difficult_breathing,
        "chest_indrawing": findings.chest_indrawing,
        "stridor": False,
        "fever_history": False,
        "stiff_neck": False,
        **{sign.value: sign in findings.danger_signs for sign in DangerSign},
        "urgency": result.urgency.value,
        "classifications": [c.value for c in result.classifications],
        "actions": [a.value for a in result.actions],
        "fast_breathing": result.fast_breathing,
        "fever": result.fever,
        "rdt_result": findings.rdt.value,
        "malaria_treatment": treatment.value,
        "muac_mm": findings.muac_mm,
        "oedema": Oedema.NONE.value,
        "muac_band": result.muac_band.value if result.muac_band else None,
        "nutrition_episode_id": None,
        "referred": referred,
        "referred_to": "CSRef" if referred else None,
    }
    diagnoses = [
        {"id": _uuid(rng), "consultation_id": consultation_id, "rank": rank, "icd10": code}
        for rank, code in enumerate(codes[:3], start=1)
    ]
    return row, diagnoses


def _consultations(
    registry: Registry,
    rng: random.Random,
    days: Sequence[tuple[date, Place]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Consultations on ``days``; patients come back one to three times."""
    consultations: list[dict[str, Any]] = []
    diagnoses: list[dict[str, Any]] = []
    known: dict[str, list[tuple[uuid.UUID, date]]] = {}
    for day, place in days:
        returning = known.get(place.code, [])
        if returning and rng.random() < 0.35:
            patient_id, birth = rng.choice(returning)
        else:
            child = rng.random() < 0.6
            age_days = rng.randint(20, 1790) if child else rng.randint(1830, 25000)
            birth = day - timedelta(days=age_days)
            patient_id = registry.add(place, sex=rng.choice(["F", "M"]), birth=birth, seen_on=day)
            known.setdefault(place.code, []).append((patient_id, birth))
        age = age_in_months(birth, day)
        row, codes = _consultation_rows(rng, patient_id, place, day, age)
        consultations.append(row)
        diagnoses.extend(codes)
    return consultations, diagnoses


# --- maternal health -------------------------------------------------------------------------


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


def _maternal(
    world: World, registry: Registry, rng: random.Random, calendar: Calendar, today: date
) -> dict[str, list[dict[str, Any]]]:
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
            systolic = rng.randint(95, 150)
            diastolic = rng.randint(55, 98)
            muac = rng.randint(205, 290)
            flags = maternal.anc_flags(
                visit_number=number,
                gestational_age_weeks=weeks,
                systolic_mmhg=systolic,
                diastolic_mmhg=diastolic,
                muac_mm=muac,
                temperature_c=None,
            )
            out["antenatal"].append(
                {
                    **_record(_uuid(rng), place.id, on, rng),
                    "patient_id": mother,
                    "note": None,
                    "visited_on": on,
                    "visit_number": number,
                    "gestational_age_weeks": weeks,
                    "systolic_mmhg": systolic,
                    "diastolic_mmhg": diastolic,
                    "temperature_c": None,
                    "muac_mm": muac,
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
        delivery_id = _uuid(rng)
        out["delivery"].append(
            {
                **_record(delivery_id, place.id, day, rng),
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
                    "id": _uuid(rng),
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
                        **_record(_uuid(rng), place.id, visit_day, rng),
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


# --- surgery ---------------------------------------------------------------------------------


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


def _surgeries(
    world: World, registry: Registry, rng: random.Random, calendar: Calendar
) -> list[dict[str, Any]]:
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
                **_record(_uuid(rng), hospital.id, day, rng),
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


# --- mobile clinics and displacement sites ---------------------------------------------------


def _mobile(
    world: World, rng: random.Random, calendar: Calendar, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    planned: list[tuple[Place, Place, date]] = []
    for site in world.sites:
        district = next(d for d in DISTRICTS if site.code.startswith(d))
        clinic = world.places[CLINIC_OF_DISTRICT[district]]
        first = date(calendar.year, 1, 1) + timedelta(days=rng.randint(0, 13))
        day = first
        while day.year == calendar.year:
            planned.append((site, clinic, day))
            day += timedelta(days=14 + rng.randint(-2, 2))
    people = _split(PEOPLE_REACHED, [rng.uniform(8, 40) for _ in planned])
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
                **_record(_uuid(rng), site.id, day, rng),
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
            created = _at(cursor, rng)
            counts.append(
                {
                    "id": _uuid(rng),
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


# --- the loader ------------------------------------------------------------------------------


def _recent_days(
    rng: random.Random, place: Place, today: date, count: int, span: int
) -> list[tuple[date, Place]]:
    return sorted(
        ((today - timedelta(days=rng.randint(0, span)), place) for _ in range(count)),
        key=lambda item: item[0],
    )


def load(session: Session, *, today: date) -> None:
    """Insert a year of community screening, care and mobile-clinic activity (one transaction)."""
    rng = random.Random(SEED)
    calendar = Calendar(today.year - 1)
    with session.begin():
        world = _world(session)
        registry = Registry(world, rng)
        busy = world.places[BUSY_SITE]
        centres = [f for f in world.facilities if f.code.endswith("-CS")]
        weights = [6 if f.code == BUSY_SITE else 1 for f in centres]
        consultation_days = [
            (calendar.day(rng, MONTH_WEIGHTS_MALARIA), rng.choices(centres, weights=weights)[0])
            for _ in range(CONSULTATIONS)
        ]
        consultation_days.sort(key=lambda item: item[0])
        consultations, diagnoses = _consultations(registry, rng, consultation_days)
        recent, recent_codes = _consultations(registry, rng, _recent_days(rng, busy, today, 90, 30))
        consultations += recent
        diagnoses += recent_codes
        maternal_rows = _maternal(world, registry, rng, calendar, today)
        surgeries = _surgeries(world, registry, rng, calendar)
        screening_days = sorted(
            (
                (
                    calendar.day(rng, MONTH_WEIGHTS_LEAN),
                    world.area_facility[rng.choice(world.areas).code],
                )
                for _ in range(SCREENINGS)
            ),
            key=lambda item: item[0],
        )
        screenings, referrals = _screenings(rng, screening_days, today)
        late, late_referrals = _screenings(
            rng,
            _recent_days(rng, busy, today, 80, 45),
            today,
            pending_after=today - timedelta(days=10),
        )
        sessions, counts = _mobile(world, rng, calendar, today)

        _insert(session, Patient.__table__, registry.rows)  # type: ignore[arg-type]
        _insert(
            session,
            AuditEvent.__table__,  # type: ignore[arg-type]
            [
                {
                    "id": _uuid(rng),
                    "at": row["created_at"],
                    "actor_id": None,
                    "action": AuditAction.CREATE.value,
                    "entity_type": "patient",
                    "entity_id": row["id"],
                    "patient_id": row["id"],
                    "place_id": row["place_id"],
                    "channel": "system",
                    "before": None,
                    "after": None,
                    "detail": "demo",
                    "ip": None,
                }
                for row in registry.rows
            ],
        )
        for table, rows in (
            (Training.__table__, _trainings(world, rng, calendar)),
            (Screening.__table__, screenings + late),
            (Referral.__table__, referrals + late_referrals),
            (Consultation.__table__, consultations),
            (ConsultationDiagnosis.__table__, diagnoses),
            (AntenatalVisit.__table__, maternal_rows["antenatal"]),
            (Delivery.__table__, maternal_rows["delivery"]),
            (Newborn.__table__, maternal_rows["newborn"]),
            (PostnatalVisit.__table__, maternal_rows["postnatal"]),
            (Surgery.__table__, surgeries),
            (MobileSession.__table__, sessions),
            (DisplacedPopulation.__table__, counts),
        ):
            _insert(session, table, rows)  # type: ignore[arg-type]
        country = world.places[COUNTRY]
        for kind, year, value, source in CONTEXT:
            session.add(
                ContextFigure(
                    id=_uuid(rng),
                    place_id=country.id,
                    kind=kind,
                    year=year,
                    value=value,
                    source=source,
                )
            )
