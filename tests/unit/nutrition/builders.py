"""Plain builders for the nutrition rule tests (no database, no fixtures needed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from alima.nutrition.enums import Oedema
from alima.nutrition.protocol import ProtocolDefinition, load_protocol
from alima.nutrition.rules import AdmissionFacts, Measurement, VisitFacts, classify

OPTIMA = load_protocol("optima")
COMPAS = load_protocol("compas")
STANDARD = load_protocol("standard-who-2013")
PROTOCOLS = {"optima": OPTIMA, "compas": COMPAS, "standard": STANDARD}

#: A Monday: admissions in these tests happen on it.
DAY0 = date(2025, 3, 3)


def make_measurement(
    muac_mm: int | None = None,
    weight_kg: float | None = None,
    *,
    oedema: Oedema = Oedema.NONE,
    whz: float | None = None,
    height_cm: float | None = None,
) -> Measurement:
    return Measurement(
        muac_mm=muac_mm, weight_kg=weight_kg, height_cm=height_cm, oedema=oedema, whz=whz
    )


def make_admission(m: Measurement, p: ProtocolDefinition, *, on: date = DAY0) -> AdmissionFacts:
    """An admission whose criteria are what ``classify`` finds (as a service would store)."""
    return AdmissionFacts(admitted_on=on, criteria=classify(m, p).criteria, measurement=m)


def make_visit(
    on_day: int,
    m: Measurement,
    *,
    temperature_c: float | None = None,
    appetite_test_passed: bool | None = None,
    danger_signs: bool = False,
    complications: bool = False,
) -> VisitFacts:
    """A visit ``on_day`` days after DAY0."""
    return VisitFacts(
        visit_on=DAY0 + timedelta(days=on_day),
        measurement=m,
        temperature_c=temperature_c,
        appetite_test_passed=appetite_test_passed,
        danger_signs=danger_signs,
        complications=complications,
    )


def weekly(*muacs: int | tuple[int, Oedema], every: int = 7) -> list[VisitFacts]:
    """Follow-up visits every ``every`` days after DAY0, one per MUAC (or (MUAC, oedema))."""
    visits = []
    for number, item in enumerate(muacs, start=1):
        muac, oedema = item if isinstance(item, tuple) else (item, Oedema.NONE)
        visits.append(make_visit(number * every, make_measurement(muac, 7.0, oedema=oedema)))
    return visits


def days(visits: Sequence[VisitFacts]) -> list[int]:
    return [(v.visit_on - DAY0).days for v in visits]
