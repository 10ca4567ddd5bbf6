"""Classification at the exact cut-offs and admission decisions (docs/clinical-rules.md §1, §3.1, §3.3)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alima.core.errors import RuleViolation
from alima.nutrition.enums import (
    AdmissionCriterion,
    AdmissionDecision,
    AdmissionReason,
    Band,
    Oedema,
    Severity,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules import (
    Measurement,
    age_in_months,
    assess_admission,
    classify,
    eligible_age,
)
from tests.unit.nutrition.builders import COMPAS, OPTIMA, STANDARD, make_measurement

MUAC = AdmissionCriterion.MUAC
WHZ = AdmissionCriterion.WHZ
OEDEMA = AdmissionCriterion.OEDEMA
SAM, MAM = Severity.SAM, Severity.MAM


@pytest.mark.parametrize(
    ("p", "m", "severity", "band", "criteria"),
    [
        # OptiMA: three MUAC bands, oedema overrides MUAC, WHZ ignored.
        (OPTIMA, make_measurement(114), SAM, Band.SEVERE, {MUAC}),
        (OPTIMA, make_measurement(115), MAM, Band.MODERATE_LOW, {MUAC}),
        (OPTIMA, make_measurement(119), MAM, Band.MODERATE_LOW, {MUAC}),
        (OPTIMA, make_measurement(120), MAM, Band.MODERATE_HIGH, {MUAC}),
        (OPTIMA, make_measurement(124), MAM, Band.MODERATE_HIGH, {MUAC}),
        (OPTIMA, make_measurement(125), None, Band.NORMAL, set()),
        (OPTIMA, make_measurement(130, oedema=Oedema.PLUS1), SAM, Band.SEVERE, {OEDEMA}),
        (OPTIMA, make_measurement(122, oedema=Oedema.PLUS2), SAM, Band.SEVERE, {OEDEMA}),
        (OPTIMA, make_measurement(110, oedema=Oedema.PLUS3), SAM, Band.SEVERE, {OEDEMA, MUAC}),
        (OPTIMA, make_measurement(130, whz=-3.5), None, Band.NORMAL, set()),
        (OPTIMA, make_measurement(118, whz=-3.5), MAM, Band.MODERATE_LOW, {MUAC}),
        # ComPAS: two bands.
        (COMPAS, make_measurement(114), SAM, Band.SEVERE, {MUAC}),
        (COMPAS, make_measurement(115), MAM, Band.MODERATE, {MUAC}),
        (COMPAS, make_measurement(124), MAM, Band.MODERATE, {MUAC}),
        (COMPAS, make_measurement(125), None, Band.NORMAL, set()),
        (COMPAS, make_measurement(124, oedema=Oedema.PLUS1), SAM, Band.SEVERE, {OEDEMA}),
        # Standard: MUAC and WHZ, severity carried by the indicators that reach it.
        (STANDARD, make_measurement(114), SAM, Band.SEVERE, {MUAC}),
        (STANDARD, make_measurement(115), MAM, Band.MODERATE, {MUAC}),
        (STANDARD, make_measurement(124), MAM, Band.MODERATE, {MUAC}),
        (STANDARD, make_measurement(125), None, Band.NORMAL, set()),
        (STANDARD, make_measurement(130, whz=-3.01), SAM, Band.SEVERE, {WHZ}),
        (STANDARD, make_measurement(130, whz=-3.0), MAM, Band.MODERATE, {WHZ}),
        (STANDARD, make_measurement(130, whz=-2.01), MAM, Band.MODERATE, {WHZ}),
        (STANDARD, make_measurement(130, whz=-2.0), None, Band.NORMAL, set()),
        (STANDARD, make_measurement(110, whz=-2.5), SAM, Band.SEVERE, {MUAC}),
        (STANDARD, make_measurement(120, whz=-3.5), SAM, Band.SEVERE, {WHZ}),
        (STANDARD, make_measurement(120, whz=-2.5), MAM, Band.MODERATE, {MUAC, WHZ}),
        (STANDARD, make_measurement(130, oedema=Oedema.PLUS1), SAM, Band.SEVERE, {OEDEMA}),
    ],
    ids=[
        "optima-114-sam",
        "optima-115-mam-low",
        "optima-119-mam-low",
        "optima-120-mam-high",
        "optima-124-mam-high",
        "optima-125-normal",
        "optima-oedema+-muac130",
        "optima-oedema++-muac122",
        "optima-oedema+++-muac110",
        "optima-whz-3.5-ignored",
        "optima-whz-ignored-muac118",
        "compas-114-sam",
        "compas-115-mam",
        "compas-124-mam",
        "compas-125-normal",
        "compas-oedema+-muac124",
        "standard-114-sam",
        "standard-115-mam",
        "standard-124-mam",
        "standard-125-normal",
        "standard-whz-3.01-sam",
        "standard-whz-3.0-mam",
        "standard-whz-2.01-mam",
        "standard-whz-2.0-normal",
        "standard-muac-sam-whz-mam",
        "standard-whz-sam-muac-mam",
        "standard-both-mam",
        "standard-oedema+",
    ],
)
def test_classify(
    p: ProtocolDefinition,
    m: Measurement,
    severity: Severity | None,
    band: Band,
    criteria: set[AdmissionCriterion],
) -> None:
    c = classify(m, p)
    assert (c.severity, c.band, set(c.criteria)) == (severity, band, criteria)


@given(
    muac=st.integers(min_value=60, max_value=260),
    grade=st.sampled_from([Oedema.PLUS1, Oedema.PLUS2, Oedema.PLUS3]),
    whz=st.none() | st.floats(min_value=-6, max_value=5),
)
def test_oedema_always_severe(muac: int, grade: Oedema, whz: float | None) -> None:
    for p in (OPTIMA, COMPAS, STANDARD):
        c = classify(make_measurement(muac, oedema=grade, whz=whz), p)
        assert (c.severity, c.band) == (SAM, Band.SEVERE)


A = AdmissionDecision
R = AdmissionReason

# fmt: off
ADMISSIONS = [
    # id, protocol, age (months), measurement, appetite test, complications, danger signs,
    # -> decision, reasons, amoxicillin
    ("optima-sam-admitted-amoxicillin", OPTIMA, 12, make_measurement(110), True, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_SAM], True),
    ("optima-mam-admitted-no-amoxicillin", OPTIMA, 12, make_measurement(122), True, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_MAM], False),
    ("optima-mam-appetite-test-needed", OPTIMA, 12, make_measurement(122), None, False, False, A.APPETITE_TEST_NEEDED, [R.MUAC_MAM, R.APPETITE_TEST_REQUIRED], False),
    ("optima-failed-appetite-test-refer", OPTIMA, 12, make_measurement(110), False, False, False, A.REFER_INPATIENT, [R.MUAC_SAM, R.APPETITE_TEST_FAILED], False),
    ("optima-oedema++-outpatient", OPTIMA, 12, make_measurement(130, oedema=Oedema.PLUS2), True, False, False, A.ADMIT_OUTPATIENT, [R.OEDEMA], True),
    ("optima-oedema+++-refer", OPTIMA, 12, make_measurement(118, oedema=Oedema.PLUS3), True, False, False, A.REFER_INPATIENT, [R.OEDEMA, R.OEDEMA_SEVERE], False),
    ("optima-complications-refer", OPTIMA, 12, make_measurement(110), True, True, False, A.REFER_INPATIENT, [R.MUAC_SAM, R.COMPLICATIONS], False),
    ("optima-danger-signs-refer", OPTIMA, 12, make_measurement(110), True, False, True, A.REFER_INPATIENT, [R.MUAC_SAM, R.DANGER_SIGNS], False),
    ("optima-whz-only-not-admitted", OPTIMA, 12, make_measurement(130, whz=-3.5), True, False, False, A.NOT_ELIGIBLE, [R.NO_CRITERION, R.WHZ_NOT_USED], False),
    ("optima-muac125-not-eligible", OPTIMA, 12, make_measurement(125), True, False, False, A.NOT_ELIGIBLE, [R.NO_CRITERION], False),
    ("optima-age-5.9-months", OPTIMA, 5.9, make_measurement(110), True, False, False, A.NOT_ELIGIBLE, [R.AGE_BELOW_MIN, R.MUAC_SAM], False),
    ("optima-age-6.0-months", OPTIMA, 6.0, make_measurement(110), True, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_SAM], True),
    ("optima-age-59.9-months", OPTIMA, 59.9, make_measurement(110), True, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_SAM], True),
    ("optima-age-60.0-months", OPTIMA, 60.0, make_measurement(110), True, False, False, A.NOT_ELIGIBLE, [R.AGE_ABOVE_MAX, R.MUAC_SAM], False),
    ("compas-sam-admitted", COMPAS, 30, make_measurement(114), True, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_SAM], True),
    ("compas-mam-appetite-test-needed", COMPAS, 30, make_measurement(124), None, False, False, A.APPETITE_TEST_NEEDED, [R.MUAC_MAM, R.APPETITE_TEST_REQUIRED], False),
    ("standard-whz-sam-admitted", STANDARD, 30, make_measurement(130, whz=-3.2), True, False, False, A.ADMIT_OUTPATIENT, [R.WHZ_SAM], True),
    ("standard-mam-no-appetite-test", STANDARD, 30, make_measurement(120), None, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_MAM], False),
    ("standard-mam-two-criteria", STANDARD, 30, make_measurement(120, whz=-2.5), None, False, False, A.ADMIT_OUTPATIENT, [R.MUAC_MAM, R.WHZ_MAM], False),
    ("standard-sam-appetite-test-needed", STANDARD, 30, make_measurement(110), None, False, False, A.APPETITE_TEST_NEEDED, [R.MUAC_SAM, R.APPETITE_TEST_REQUIRED], False),
    ("standard-oedema+-admitted", STANDARD, 30, make_measurement(112, oedema=Oedema.PLUS1), True, False, False, A.ADMIT_OUTPATIENT, [R.OEDEMA, R.MUAC_SAM], True),
]
# fmt: on


@pytest.mark.parametrize(
    (
        "p",
        "age_months",
        "m",
        "appetite",
        "complications",
        "danger",
        "decision",
        "reasons",
        "amoxicillin",
    ),
    [row[1:] for row in ADMISSIONS],
    ids=[str(row[0]) for row in ADMISSIONS],
)
def test_assess_admission(
    *,
    p: ProtocolDefinition,
    age_months: float,
    m: Measurement,
    appetite: bool | None,
    complications: bool,
    danger: bool,
    decision: AdmissionDecision,
    reasons: list[AdmissionReason],
    amoxicillin: bool,
) -> None:
    result = assess_admission(
        age_months=age_months,
        m=m,
        appetite_test_passed=appetite,
        complications=complications,
        danger_signs=danger,
        p=p,
    )
    assert (result.decision, list(result.reasons), result.amoxicillin) == (
        decision,
        reasons,
        amoxicillin,
    )


def test_admission_keeps_criteria_and_band() -> None:
    result = assess_admission(
        age_months=20,
        m=make_measurement(130, whz=-3.4),
        appetite_test_passed=True,
        complications=False,
        danger_signs=False,
        p=STANDARD,
    )
    assert (result.severity, result.band, result.criteria) == (SAM, Band.SEVERE, frozenset({WHZ}))
    assert result.appetite_test_required


def test_not_eligible_has_no_band() -> None:
    result = assess_admission(
        age_months=3,
        m=make_measurement(110),
        appetite_test_passed=True,
        complications=False,
        danger_signs=False,
        p=OPTIMA,
    )
    assert (result.decision, result.band, result.severity) == (A.NOT_ELIGIBLE, Band.NORMAL, SAM)


def test_muac_required() -> None:
    with pytest.raises(RuleViolation) as caught:
        assess_admission(
            age_months=12,
            m=make_measurement(None, 6.0, oedema=Oedema.PLUS1),
            appetite_test_passed=True,
            complications=False,
            danger_signs=False,
            p=OPTIMA,
        )
    assert caught.value.code is NutritionError.NUT_004


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2024, 1, 1), date(2024, 1, 1), 0.0),
        (date(2024, 1, 1), date(2024, 7, 2), 183 / 30.4375),
        (date(2020, 3, 1), date(2025, 3, 1), 1826 / 30.4375),
    ],
    ids=["birth-day", "183-days", "1826-days"],
)
def test_age_in_months(birth: date, on: date, months: float) -> None:
    assert age_in_months(birth, on) == pytest.approx(months)


@pytest.mark.parametrize(
    ("age_days", "eligible"),
    [(182, False), (183, True), (1826, True), (1827, False)],
    ids=["182d-5.98mo", "183d-6.01mo", "1826d-59.99mo", "1827d-60.03mo"],
)
def test_eligible_age_in_days(age_days: int, eligible: bool) -> None:
    assert eligible_age(age_days / 30.4375, OPTIMA) is eligible
