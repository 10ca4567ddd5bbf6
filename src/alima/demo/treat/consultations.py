"""General and paediatric consultations of the Treat demo, triaged by the IMCI rules."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from alima.care.enums import DangerSign, MalariaTreatment, RdtResult
from alima.care.rules import imci
from alima.core.models import Place
from alima.core.time import age_in_months
from alima.demo.common import new_id
from alima.demo.treat.base import Registry, record_columns
from alima.nutrition.enums import Oedema

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
    consultation_id = new_id(rng)
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
        **record_columns(consultation_id, place.id, day, rng),
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
        {"id": new_id(rng), "consultation_id": consultation_id, "rank": rank, "icd10": code}
        for rank, code in enumerate(codes[:3], start=1)
    ]
    return row, diagnoses


def consultations_on(
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
