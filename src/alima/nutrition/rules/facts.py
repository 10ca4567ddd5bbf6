"""The facts the rules read: measurements, visits and admissions, as plain frozen values.

They carry what a clinician records (and the WHZ that ``alima.growth`` computed from it), never
ORM rows, so the rules run the same in a service, an import or a test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from alima.core.errors import RuleViolation
from alima.nutrition.enums import AdmissionCriterion, Oedema
from alima.nutrition.errors import NutritionError


@dataclass(frozen=True, kw_only=True, slots=True)
class Measurement:
    """One set of anthropometric measurements as recorded.

    ``whz`` is the weight-for-height (or -length) z-score computed by ``alima.growth``
    (``None`` when not measured, or with oedema, where WHO gives no weight-based z-score).
    """

    muac_mm: int | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    oedema: Oedema = Oedema.NONE
    whz: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class VisitFacts:
    """What was recorded at one visit (or at admission)."""

    visit_on: date
    measurement: Measurement
    temperature_c: float | None = None
    appetite_test_passed: bool | None = None
    danger_signs: bool = False
    complications: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class AdmissionFacts:
    """The admission an episode started with.

    ``criteria`` are ``AdmissionAssessment.criteria``: the indicators that met the admitted
    severity, kept because the standard protocol discharges on the admission indicator.
    """

    admitted_on: date
    criteria: frozenset[AdmissionCriterion]
    measurement: Measurement
    temperature_c: float | None = None

    def as_visit(self) -> VisitFacts:
        """The admission as the first point of the episode's timeline."""
        return VisitFacts(
            visit_on=self.admitted_on,
            measurement=self.measurement,
            temperature_c=self.temperature_c,
        )


def timeline(admission: AdmissionFacts, visits: Sequence[VisitFacts]) -> tuple[VisitFacts, ...]:
    """The admission followed by the follow-up visits, checked to be in date order.

    Raises:
        RuleViolation: NUT_021 when a visit is not strictly after the admission or the
            previous visit (two visits on one day would count twice as "consecutive").
    """
    points = (admission.as_visit(), *visits)
    for previous, visit in pairwise(points):
        if visit.visit_on <= previous.visit_on:
            raise RuleViolation(
                NutritionError.NUT_021,
                visit_on=visit.visit_on.isoformat(),
                previous_on=previous.visit_on.isoformat(),
            )
    return points


def decimal(value: float | int) -> Decimal:
    """``value`` as the decimal it was typed as (6.3 -> Decimal('6.3'), not a binary float)."""
    return Decimal(str(value))
