"""Whole episodes, visit by visit, as a clinician would see them (assess_visit)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from alima.nutrition.enums import AlertKind, Band, Oedema, Outcome, Severity
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules import (
    AdmissionFacts,
    Measurement,
    VisitAssessment,
    VisitFacts,
    assess_admission,
    assess_visit,
)
from tests.unit.nutrition.builders import (
    COMPAS,
    DAY0,
    OPTIMA,
    STANDARD,
    make_admission,
    make_measurement,
    make_visit,
)

D = Decimal


def _episode(
    p: ProtocolDefinition, admission: AdmissionFacts, visits: list[VisitFacts]
) -> list[VisitAssessment]:
    """The assessment after admission and after each visit, as the pages would show them."""
    return [
        assess_visit(admission=admission, visits=visits[:n], p=p) for n in range(len(visits) + 1)
    ]


def test_optima_scenario_dose_falls_band_by_band_then_cured() -> None:
    """6.0 kg, MUAC 113 mm under OptiMA; weekly visits as MUAC and weight rise (issue scenario)."""
    m0 = make_measurement(113, 6.0)
    decision = assess_admission(
        age_months=14,
        m=m0,
        appetite_test_passed=True,
        complications=False,
        danger_signs=False,
        p=OPTIMA,
    )
    assert (decision.severity, decision.band, decision.amoxicillin) == (
        Severity.SAM,
        Band.SEVERE,
        True,
    )
    admission = AdmissionFacts(admitted_on=DAY0, criteria=decision.criteria, measurement=m0)
    visits = [
        make_visit(7, make_measurement(116, 6.2)),
        make_visit(14, make_measurement(121, 6.4)),
        make_visit(21, make_measurement(125, 6.6)),
        make_visit(28, make_measurement(126, 6.7)),
    ]
    steps = _episode(OPTIMA, admission, visits)

    assert [s.band for s in steps] == [
        Band.SEVERE,
        Band.MODERATE_LOW,
        Band.MODERATE_HIGH,
        Band.MODERATE_HIGH,  # first MUAC >= 125: keeps the lowest dose
        Band.MODERATE_HIGH,
    ]
    rations = [s.ration for s in steps[:4]]
    assert [r.kcal_per_kg_day for r in rations if r] == [170, 125, 75, 75]
    assert [r.kcal_per_day for r in rations if r] == [D(1020), D(775), D(480), D(495)]
    assert [r.sachets_per_day_exact for r in rations if r] == [
        D("2.04"),
        D("1.55"),
        D("0.96"),
        D("0.99"),
    ]
    assert [r.sachets_per_day for r in rations if r] == [D("2.5"), D(2), D(1), D(1)]
    assert [r.sachets_for_period for r in rations if r] == [18, 14, 7, 7]
    assert [s.next_visit_on for s in steps[:4]] == [
        DAY0 + timedelta(days=7 * (n + 1)) for n in range(4)
    ]
    assert [s.band_changed for s in steps] == [False, True, True, False, False]

    assert [s.exit.outcome for s in steps] == [None, None, None, None, Outcome.CURED]
    assert [s.exit.cure_streak for s in steps] == [0, 0, 0, 1, 2]
    cured = steps[-1]
    assert (cured.ration, cured.next_visit_on, cured.exit.days_in_treatment) == (None, None, 28)
    assert all(not s.alerts for s in steps)


def test_compas_transition_after_two_muac_115() -> None:
    admission = make_admission(make_measurement(112, 6.5), COMPAS)
    visits = [
        make_visit(7, make_measurement(116, 6.7)),
        make_visit(14, make_measurement(118, 6.9)),
        make_visit(28, make_measurement(125, 7.2)),
        make_visit(42, make_measurement(126, 7.4)),
    ]
    steps = _episode(COMPAS, admission, visits)
    assert [s.band for s in steps] == [
        Band.SEVERE,
        Band.SEVERE,
        Band.MODERATE,
        Band.MODERATE,
        Band.MODERATE,
    ]
    assert [s.ration.sachets_per_day for s in steps[:4] if s.ration] == [D(2), D(2), D(1), D(1)]
    assert [s.ration.sachets_for_period for s in steps[:4] if s.ration] == [14, 14, 14, 14]
    assert [(s.next_visit_on - DAY0).days for s in steps[:4] if s.next_visit_on] == [7, 14, 28, 42]
    assert [s.exit.outcome for s in steps] == [None, None, None, None, Outcome.CURED]


def test_compas_oedema_moves_the_dose_up_at_once() -> None:
    admission = make_admission(make_measurement(118, 7.0), COMPAS)
    visits = [make_visit(14, make_measurement(120, 7.1, oedema=Oedema.PLUS1))]
    (_, now) = _episode(COMPAS, admission, visits)
    assert (now.band, now.previous_band, now.band_changed) == (Band.SEVERE, Band.MODERATE, True)
    assert now.ration is not None
    assert now.ration.sachets_per_day == 2
    assert now.next_visit_on == DAY0 + timedelta(days=21)
    assert [a.kind for a in now.alerts] == [AlertKind.NEW_OEDEMA]


def test_standard_sam_keeps_rutf_until_cured() -> None:
    admission = make_admission(make_measurement(110, 5.5), STANDARD)
    visits = [
        make_visit(7, make_measurement(116, 5.9)),
        make_visit(14, make_measurement(121, 6.3)),
        make_visit(21, make_measurement(125, 6.6)),
        make_visit(28, make_measurement(126, 7.1)),
    ]
    steps = _episode(STANDARD, admission, visits)
    assert {s.band for s in steps} == {Band.SEVERE}
    # 5.5 kg: 2 sachets (182 kcal/kg/day); from 5.7 kg, 2.5 sachets.
    assert [s.ration.sachets_per_day for s in steps[:4] if s.ration] == [
        D(2),
        D("2.5"),
        D("2.5"),
        D("2.5"),
    ]
    assert steps[-1].exit.outcome is Outcome.CURED


def test_missing_muac_never_lowers_the_dose() -> None:
    admission = make_admission(make_measurement(113, 6.0), OPTIMA)
    visits = [make_visit(7, make_measurement(None, 6.1))]
    now = assess_visit(admission=admission, visits=visits, p=OPTIMA)
    assert now.band is Band.SEVERE


def test_ration_days_can_differ_from_the_interval() -> None:
    admission = make_admission(make_measurement(113, 6.0), OPTIMA)
    now = assess_visit(admission=admission, visits=[], p=OPTIMA, ration_days=14)
    assert now.ration is not None
    assert (now.ration.days, now.ration.sachets_for_period) == (14, 35)


@pytest.mark.parametrize(
    ("current", "outcome"),
    [
        (make_measurement(118, 6.4, oedema=Oedema.PLUS3), Outcome.MEDICAL_TRANSFER),
        (make_measurement(118, 6.4), Outcome.NON_RESPONDER),
    ],
    ids=["oedema+++-transfer", "week-12-non-responder"],
)
def test_exit_suggested_means_no_ration(current: Measurement, outcome: Outcome) -> None:
    admission = make_admission(make_measurement(117, 6.0), OPTIMA)
    visits = [make_visit(7 * n, make_measurement(117, 6.0 + n / 100)) for n in range(1, 12)]
    now = assess_visit(admission=admission, visits=[*visits, make_visit(84, current)], p=OPTIMA)
    assert (now.exit.outcome, now.ration, now.next_visit_on) == (outcome, None, None)
