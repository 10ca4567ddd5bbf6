"""IMCI triage as tables: danger signs, fast breathing by age, fever, MUAC (docs/clinical-rules.md §9)."""

import pytest

from alima.care.enums import Action, Classification, DangerSign, RdtResult, Urgency
from alima.care.rules.imci import (
    ImciSettings,
    TriageFindings,
    danger_signs,
    fast_breathing_threshold,
    has_fever,
    is_fast_breathing,
    muac_applies,
    triage,
)
from alima.growth.muac import MuacBand
from alima.nutrition.enums import Oedema

C = Classification
A = Action


@pytest.mark.parametrize(
    ("age_months", "threshold"),
    [(0, 60), (1, 60), (2, 50), (11, 50), (12, 40), (35, 40), (59, 40), (60, None), (200, None)],
    ids=str,
)
def test_fast_breathing_threshold_by_age(age_months: int, threshold: int | None) -> None:
    assert fast_breathing_threshold(age_months) == threshold


@pytest.mark.parametrize(
    ("age_months", "rate", "fast"),
    [
        # under 2 months: 60/min or more
        (1, 59, False),
        (1, 60, True),
        # 2 to 11 months: 50/min or more (">=" per IMCI, not ">")
        (2, 49, False),
        (2, 50, True),
        (11, 50, True),
        (11, 49, False),
        # 12 to 59 months: 40/min or more
        (12, 39, False),
        (12, 40, True),
        (12, 49, True),
        (59, 40, True),
        # from 5 years IMCI does not classify breathing
        (60, 80, None),
    ],
    ids=[
        "1m-59",
        "1m-60",
        "2m-49",
        "2m-50",
        "11m-50",
        "11m-49",
        "12m-39",
        "12m-40",
        "12m-49",
        "59m-40",
        "60m-none",
    ],
)
def test_fast_breathing_at_the_cut_offs(age_months: int, rate: int, fast: bool | None) -> None:
    assert is_fast_breathing(age_months, rate) is fast


def test_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        fast_breathing_threshold(-1)


def test_thresholds_are_configuration() -> None:
    stricter = ImciSettings(fast_breathing_per_min=((2, 55), (12, 45), (60, 35)))
    assert is_fast_breathing(12, 35, stricter) is True
    assert is_fast_breathing(12, 35) is False


@pytest.mark.parametrize(
    ("temperature", "fever"),
    [(None, False), (36.9, False), (37.4, False), (37.5, True), (39.0, True)],
    ids=["none", "36.9", "37.4", "37.5", "39"],
)
def test_fever_from_37_5(temperature: float | None, fever: bool) -> None:
    assert has_fever(temperature) is fever


@pytest.mark.parametrize(
    "sign",
    list(DangerSign),
    ids=[s.value for s in DangerSign],
)
def test_any_single_danger_sign_means_urgent_referral(sign: DangerSign) -> None:
    result = triage(TriageFindings(age_months=18, danger_signs=frozenset({sign})))
    assert result.urgency is Urgency.URGENT_REFERRAL
    assert result.danger_signs == (sign,)
    assert C.VERY_SEVERE_DISEASE in result.classifications
    assert A.REFER_URGENTLY in result.actions


def test_danger_signs_keep_the_chart_order() -> None:
    signs = frozenset({DangerSign.CONVULSING_NOW, DangerSign.UNABLE_TO_DRINK})
    assert danger_signs(signs) == (DangerSign.UNABLE_TO_DRINK, DangerSign.CONVULSING_NOW)


@pytest.mark.parametrize(("age", "applies"), [(5, False), (6, True), (59, True), (60, False)])
def test_muac_from_6_to_59_months(age: int, applies: bool) -> None:
    assert muac_applies(age) is applies


# (findings, urgency, classifications, actions that must be present)
TRIAGE_TABLE: list[tuple[str, TriageFindings, Urgency, tuple[C, ...], tuple[A, ...]]] = [
    (
        "well-child-green",
        TriageFindings(age_months=24, muac_mm=140),
        Urgency.HOME_CARE,
        (),
        (),
    ),
    (
        "cough-no-fast-breathing",
        TriageFindings(
            age_months=24, breaths_per_minute=38, muac_mm=140, cough_or_difficult_breathing=True
        ),
        Urgency.HOME_CARE,
        (C.COUGH_OR_COLD,),
        (A.HOME_CARE_ADVICE,),
    ),
    (
        "cough-fast-breathing-12m",
        TriageFindings(
            age_months=12, breaths_per_minute=40, muac_mm=140, cough_or_difficult_breathing=True
        ),
        Urgency.TREAT,
        (C.PNEUMONIA,),
        (A.GIVE_AMOXICILLIN,),
    ),
    (
        "cough-49-at-11m-is-fast",
        TriageFindings(
            age_months=11, breaths_per_minute=50, muac_mm=140, cough_or_difficult_breathing=True
        ),
        Urgency.TREAT,
        (C.PNEUMONIA,),
        (A.GIVE_AMOXICILLIN,),
    ),
    (
        "cough-stridor",
        TriageFindings(age_months=30, stridor=True, muac_mm=140, cough_or_difficult_breathing=True),
        Urgency.URGENT_REFERRAL,
        (C.SEVERE_PNEUMONIA,),
        (A.REFER_URGENTLY, A.PRE_REFERRAL_ANTIBIOTIC),
    ),
    (
        "cough-chest-indrawing",
        TriageFindings(
            age_months=30, chest_indrawing=True, muac_mm=140, cough_or_difficult_breathing=True
        ),
        Urgency.URGENT_REFERRAL,
        (C.SEVERE_PNEUMONIA,),
        (A.REFER_URGENTLY,),
    ),
    (
        "cough-and-danger-sign",
        TriageFindings(
            age_months=30,
            danger_signs=frozenset({DangerSign.LETHARGIC}),
            muac_mm=140,
            cough_or_difficult_breathing=True,
        ),
        Urgency.URGENT_REFERRAL,
        (C.VERY_SEVERE_DISEASE, C.SEVERE_PNEUMONIA),
        (A.REFER_URGENTLY,),
    ),
    (
        "young-infant-fast-breathing",
        TriageFindings(age_months=1, breaths_per_minute=62),
        Urgency.URGENT_REFERRAL,
        (C.VERY_SEVERE_DISEASE,),
        (A.REFER_URGENTLY,),
    ),
    (
        "fever-rdt-positive",
        TriageFindings(age_months=36, temperature_c=38.6, rdt=RdtResult.POSITIVE, muac_mm=140),
        Urgency.TREAT,
        (C.MALARIA,),
        (A.GIVE_ACT,),
    ),
    (
        "fever-by-history-rdt-negative",
        TriageFindings(age_months=36, fever_history=True, rdt=RdtResult.NEGATIVE, muac_mm=140),
        Urgency.HOME_CARE,
        (C.FEVER_NO_MALARIA,),
        (),
    ),
    (
        "fever-not-tested",
        TriageFindings(age_months=36, temperature_c=37.5, muac_mm=140),
        Urgency.TREAT,
        (C.FEVER_TEST_NEEDED,),
        (A.DO_MALARIA_TEST,),
    ),
    (
        "fever-stiff-neck",
        TriageFindings(age_months=36, temperature_c=39.5, stiff_neck=True, muac_mm=140),
        Urgency.URGENT_REFERRAL,
        (C.VERY_SEVERE_FEBRILE_DISEASE,),
        (A.REFER_URGENTLY, A.PRE_REFERRAL_ARTESUNATE),
    ),
    (
        "fever-danger-sign-positive",
        TriageFindings(
            age_months=20,
            temperature_c=39.8,
            danger_signs=frozenset({DangerSign.CONVULSIONS}),
            rdt=RdtResult.POSITIVE,
            muac_mm=135,
        ),
        Urgency.URGENT_REFERRAL,
        (C.VERY_SEVERE_DISEASE, C.VERY_SEVERE_FEBRILE_DISEASE),
        (A.PRE_REFERRAL_ARTESUNATE,),
    ),
    (
        "muac-red-uncomplicated",
        TriageFindings(age_months=14, muac_mm=114),
        Urgency.TREAT,
        (C.UNCOMPLICATED_SAM,),
        (A.ADMIT_NUTRITION,),
    ),
    (
        "muac-115-is-yellow",
        TriageFindings(age_months=14, muac_mm=115),
        Urgency.TREAT,
        (C.MAM,),
        (A.ADMIT_NUTRITION,),
    ),
    (
        "muac-124-is-yellow",
        TriageFindings(age_months=14, muac_mm=124),
        Urgency.TREAT,
        (C.MAM,),
        (A.ADMIT_NUTRITION,),
    ),
    (
        "muac-125-is-green",
        TriageFindings(age_months=14, muac_mm=125),
        Urgency.HOME_CARE,
        (),
        (),
    ),
    (
        "oedema-is-sam-whatever-muac",
        TriageFindings(age_months=14, muac_mm=130, oedema=Oedema.PLUS1),
        Urgency.TREAT,
        (C.UNCOMPLICATED_SAM,),
        (A.ADMIT_NUTRITION,),
    ),
    (
        "oedema-plus3-is-complicated",
        TriageFindings(age_months=14, muac_mm=130, oedema=Oedema.PLUS3),
        Urgency.URGENT_REFERRAL,
        (C.COMPLICATED_SAM,),
        (A.REFER_STABILISATION,),
    ),
    (
        "sam-with-danger-sign",
        TriageFindings(
            age_months=14, muac_mm=105, danger_signs=frozenset({DangerSign.VOMITS_EVERYTHING})
        ),
        Urgency.URGENT_REFERRAL,
        (C.VERY_SEVERE_DISEASE, C.COMPLICATED_SAM),
        (A.REFER_STABILISATION,),
    ),
    (
        "muac-missing-6-59",
        TriageFindings(age_months=8),
        Urgency.HOME_CARE,
        (),
        (A.MEASURE_MUAC,),
    ),
    (
        "adult-fever-positive",
        TriageFindings(age_months=360, temperature_c=38.5, rdt=RdtResult.POSITIVE),
        Urgency.TREAT,
        (C.MALARIA,),
        (A.GIVE_ACT,),
    ),
    (
        "adult-danger-signs-not-imci",
        TriageFindings(
            age_months=360,
            danger_signs=frozenset({DangerSign.LETHARGIC}),
            breaths_per_minute=45,
            cough_or_difficult_breathing=True,
        ),
        Urgency.HOME_CARE,
        (),
        (),
    ),
]


@pytest.mark.parametrize(
    ("findings", "urgency", "classifications", "actions"),
    [row[1:] for row in TRIAGE_TABLE],
    ids=[row[0] for row in TRIAGE_TABLE],
)
def test_triage_table(
    findings: TriageFindings,
    urgency: Urgency,
    classifications: tuple[C, ...],
    actions: tuple[A, ...],
) -> None:
    result = triage(findings)
    assert result.urgency is urgency
    assert result.classifications == classifications
    assert set(actions) <= set(result.actions)


def test_band_is_derived_from_configured_cut_offs() -> None:
    assert triage(TriageFindings(age_months=20, muac_mm=114)).muac_band is MuacBand.RED
    assert triage(TriageFindings(age_months=20, muac_mm=300)).muac_band is MuacBand.GREEN
    assert triage(TriageFindings(age_months=3, muac_mm=100)).muac_band is None


def test_chest_indrawing_can_be_treated_as_outpatient_by_setting() -> None:
    lenient = ImciSettings(chest_indrawing_refers=False)
    findings = TriageFindings(
        age_months=30, chest_indrawing=True, muac_mm=140, cough_or_difficult_breathing=True
    )
    assert triage(findings, lenient).classifications == (C.PNEUMONIA,)
