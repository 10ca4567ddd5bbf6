"""Cure, non-response, medical transfer and relapse (docs/clinical-rules.md §1, §2, §3.1, §3.3, §4)."""

from __future__ import annotations

from datetime import date

import pytest

from alima.core.errors import RuleViolation
from alima.nutrition.enums import AdmissionCriterion, AlertKind, Oedema, Outcome
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import ProtocolDefinition, apply_overrides
from alima.nutrition.rules import (
    Measurement,
    VisitFacts,
    cure_indicators,
    exit_assessment,
    is_relapse,
)
from tests.unit.nutrition.builders import (
    COMPAS,
    DAY0,
    OPTIMA,
    STANDARD,
    make_admission,
    make_measurement,
    make_visit,
    weekly,
)

P1, P2 = Oedema.PLUS1, Oedema.PLUS2
MUAC, WHZ, OEDEMA = AdmissionCriterion.MUAC, AdmissionCriterion.WHZ, AdmissionCriterion.OEDEMA


@pytest.mark.parametrize(
    ("p", "admission_muac", "visits", "outcome", "streak"),
    [
        # OptiMA: MUAC >= 125 twice in a row, no oedema, 28-day minimum stay.
        (OPTIMA, 113, weekly(116, 121, 125, 126), Outcome.CURED, 2),
        (OPTIMA, 113, weekly(116, 121, 125), None, 1),
        (OPTIMA, 113, weekly(116, 121, 125, 124), None, 0),
        (OPTIMA, 113, weekly(121, 125, 124, 125), None, 1),
        (OPTIMA, 113, weekly(125, 126), None, 2),
        (OPTIMA, 113, weekly(120, 125, 126), None, 2),
        (OPTIMA, 113, weekly(120, 125, 126, 127), Outcome.CURED, 3),
        (OPTIMA, 113, weekly(116, 121, 125, (126, P1)), None, 0),
        (OPTIMA, 113, weekly(116, (125, P1), 126, 127), Outcome.CURED, 2),
        (OPTIMA, 118, weekly(*[118] * 11), None, 0),
        (OPTIMA, 118, weekly(*[118] * 12), Outcome.NON_RESPONDER, 0),
        (OPTIMA, 118, weekly(*[118] * 11, 125), Outcome.NON_RESPONDER, 1),
        (OPTIMA, 118, weekly(*[118] * 11, 125, 126), Outcome.CURED, 2),
        # ComPAS: same cure rule, no minimum stay.
        (COMPAS, 113, weekly(125, 126), Outcome.CURED, 2),
        (COMPAS, 113, weekly(126), None, 1),
        (COMPAS, 120, weekly(125, (126, P1)), None, 0),
        (COMPAS, 120, weekly(124, 125, every=14), None, 1),
        (COMPAS, 120, weekly(124, 125, 125, every=14), Outcome.CURED, 2),
        # Standard, admitted on MUAC: MUAC >= 125 at two consecutive visits.
        (STANDARD, 110, weekly(118, 125, 126), Outcome.CURED, 2),
        (STANDARD, 110, weekly(118, 125), None, 1),
    ],
    ids=[
        "optima-cured-at-second-125-day-28",
        "optima-one-125-only",
        "optima-125-then-124",
        "optima-streak-broken-then-one",
        "optima-two-125-before-min-stay",
        "optima-two-125-day-21",
        "optima-cured-day-28-third-125",
        "optima-oedema-at-second-125",
        "optima-oedema-then-two-125",
        "optima-11-weeks-not-yet-non-responder",
        "optima-non-responder-at-12-weeks",
        "optima-first-125-at-12-weeks-non-responder",
        "optima-cure-after-12-weeks-wins",
        "compas-cured-at-second-125",
        "compas-one-126",
        "compas-oedema-at-second",
        "compas-fortnightly-one",
        "compas-fortnightly-two",
        "standard-muac-cured",
        "standard-muac-one",
    ],
)
def test_cure_and_non_response(
    p: ProtocolDefinition,
    admission_muac: int,
    visits: list[VisitFacts],
    outcome: Outcome | None,
    streak: int,
) -> None:
    admission = make_admission(make_measurement(admission_muac, 7.0), p)
    result = exit_assessment(admission=admission, visits=visits, p=p)
    assert (result.outcome, result.cure_streak) == (outcome, streak)


def test_min_stay_reported() -> None:
    result = exit_assessment(
        admission=make_admission(make_measurement(113, 6.0), OPTIMA),
        visits=weekly(125, 126),
        p=OPTIMA,
    )
    assert (result.cure_criteria_met, result.min_stay_met, result.days_in_treatment) == (
        True,
        False,
        14,
    )


def test_min_stay_is_a_setting() -> None:
    p = apply_overrides(OPTIMA, {"exit": {"cure": {"min_stay_days": 14}}})
    result = exit_assessment(
        admission=make_admission(make_measurement(113, 6.0), p), visits=weekly(125, 126), p=p
    )
    assert result.outcome is Outcome.CURED


def _visit(
    day: int, muac: int | None, *, whz: float | None = None, oedema: Oedema = Oedema.NONE
) -> VisitFacts:
    return make_visit(day, make_measurement(muac, 7.0, whz=whz, oedema=oedema))


# fmt: off
STANDARD_EXITS = [
    # id, admission measurement, follow-up visits -> outcome, cure indicators
    # Admitted on WHZ: discharged on WHZ >= -2, whatever the MUAC.
    ("whz-admitted-cured-on-whz", make_measurement(130, 6.0, whz=-3.2), [_visit(7, 131, whz=-2.5), _visit(14, 131, whz=-1.9), _visit(21, 132, whz=-1.8)], Outcome.CURED, {WHZ}),
    ("whz-admitted-whz-still-low", make_measurement(130, 6.0, whz=-3.2), [_visit(7, 131, whz=-2.5), _visit(14, 131, whz=-2.0), _visit(21, 132, whz=-2.1)], None, {WHZ}),
    ("whz-admitted-whz-missing", make_measurement(130, 6.0, whz=-3.2), [_visit(7, 131), _visit(14, 132)], None, {WHZ}),
    # Admitted on MUAC and WHZ (MAM): both must recover.
    ("muac-and-whz-admitted-whz-low", make_measurement(120, 6.0, whz=-2.5), [_visit(14, 125, whz=-2.2), _visit(28, 126, whz=-2.1)], None, {MUAC, WHZ}),
    ("muac-and-whz-admitted-cured", make_measurement(120, 6.0, whz=-2.5), [_visit(14, 125, whz=-1.5), _visit(28, 126, whz=-1.4)], Outcome.CURED, {MUAC, WHZ}),
    # Admitted on oedema alone: MUAC, and no oedema for 14 days.
    ("oedema-only-10-days-free", make_measurement(126, 6.0, oedema=P2), [_visit(7, 126, oedema=P1), _visit(12, 126), _visit(17, 127)], None, {MUAC}),
    ("oedema-only-14-days-free", make_measurement(126, 6.0, oedema=P2), [_visit(7, 126, oedema=P1), _visit(12, 126), _visit(17, 127), _visit(21, 127)], Outcome.CURED, {MUAC}),
    ("oedema-only-resolved-first-week", make_measurement(126, 6.0, oedema=P2), [_visit(7, 126), _visit(14, 127)], Outcome.CURED, {MUAC}),
]
# fmt: on


@pytest.mark.parametrize(
    ("admitted", "visits", "outcome", "indicators"),
    [row[1:] for row in STANDARD_EXITS],
    ids=[str(row[0]) for row in STANDARD_EXITS],
)
def test_standard_discharge_on_admission_indicator(
    admitted: Measurement,
    visits: list[VisitFacts],
    outcome: Outcome | None,
    indicators: set[AdmissionCriterion],
) -> None:
    admission = make_admission(admitted, STANDARD)
    result = exit_assessment(admission=admission, visits=visits, p=STANDARD)
    assert (result.outcome, set(result.cure_indicators)) == (outcome, indicators)


@pytest.mark.parametrize(
    ("p", "criteria", "expected"),
    [
        (OPTIMA, {OEDEMA}, {MUAC}),
        (COMPAS, {MUAC}, {MUAC}),
        (STANDARD, {MUAC}, {MUAC}),
        (STANDARD, {WHZ}, {WHZ}),
        (STANDARD, {MUAC, WHZ}, {MUAC, WHZ}),
        (STANDARD, {OEDEMA}, {MUAC}),
        (STANDARD, {OEDEMA, WHZ}, {WHZ}),
    ],
    ids=[
        "optima-muac",
        "compas-muac",
        "standard-muac",
        "standard-whz",
        "standard-both",
        "standard-oedema-only",
        "standard-oedema-whz",
    ],
)
def test_cure_indicators(
    p: ProtocolDefinition, criteria: set[AdmissionCriterion], expected: set[AdmissionCriterion]
) -> None:
    assert cure_indicators(frozenset(criteria), p) == expected


@pytest.mark.parametrize(
    ("current", "reasons"),
    [
        (make_visit(28, make_measurement(126, 7.0), danger_signs=True), (AlertKind.DANGER_SIGNS,)),
        (
            make_visit(28, make_measurement(126, 7.0, oedema=Oedema.PLUS3)),
            (AlertKind.OEDEMA_SEVERE,),
        ),
        (
            make_visit(28, make_measurement(126, 7.0), complications=True),
            (AlertKind.COMPLICATIONS,),
        ),
        (
            make_visit(28, make_measurement(126, 7.0), appetite_test_passed=False),
            (AlertKind.APPETITE_TEST_FAILED,),
        ),
        (make_visit(28, make_measurement(126, 7.0), temperature_c=34.5), (AlertKind.HYPOTHERMIA,)),
        (make_visit(28, make_measurement(126, 6.5)), (AlertKind.WEIGHT_LOSS,)),
    ],
    ids=[
        "danger-signs",
        "oedema+++",
        "complications",
        "failed-appetite-test",
        "hypothermia",
        "weight-loss-over-5pct",
    ],
)
def test_medical_transfer_comes_before_cure(
    current: VisitFacts, reasons: tuple[AlertKind, ...]
) -> None:
    visits = [*weekly(118, 121, 125), current]
    result = exit_assessment(
        admission=make_admission(make_measurement(113, 6.0), OPTIMA), visits=visits, p=OPTIMA
    )
    assert (result.outcome, result.referral_reasons) == (Outcome.MEDICAL_TRANSFER, reasons)


def test_no_exit_at_admission() -> None:
    result = exit_assessment(
        admission=make_admission(make_measurement(113, 6.0), OPTIMA), visits=[], p=OPTIMA
    )
    assert (result.outcome, result.days_in_treatment, result.cure_streak) == (None, 0, 0)


@pytest.mark.parametrize(
    "visits",
    [
        [make_visit(0, make_measurement(118, 7.0))],
        [make_visit(7, make_measurement(118, 7.0)), make_visit(7, make_measurement(119, 7.0))],
        [make_visit(14, make_measurement(118, 7.0)), make_visit(7, make_measurement(119, 7.0))],
        [make_visit(-1, make_measurement(118, 7.0))],
    ],
    ids=["same-day-as-admission", "two-on-one-day", "reversed", "before-admission"],
)
def test_visits_out_of_order_refused(visits: list[VisitFacts]) -> None:
    with pytest.raises(RuleViolation) as caught:
        exit_assessment(
            admission=make_admission(make_measurement(113, 6.0), OPTIMA), visits=visits, p=OPTIMA
        )
    assert caught.value.code is NutritionError.NUT_021


@pytest.mark.parametrize(
    ("last_cured_on", "admitted_on", "relapse"),
    [
        (None, DAY0, False),
        (date(2025, 1, 2), DAY0, True),
        (date(2025, 1, 1), DAY0, False),
        (DAY0, DAY0, True),
        (date(2025, 3, 4), DAY0, False),
    ],
    ids=["never-cured", "60-days", "61-days", "same-day", "cured-after-admission"],
)
def test_relapse_within_60_days(
    last_cured_on: date | None, admitted_on: date, relapse: bool
) -> None:
    assert (DAY0 - date(2025, 1, 2)).days == 60
    assert is_relapse(last_cured_on=last_cured_on, admitted_on=admitted_on, p=OPTIMA) is relapse
