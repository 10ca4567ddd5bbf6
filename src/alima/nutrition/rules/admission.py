"""Classification and admission: is this child acutely malnourished, and what happens now.

Sources (docs/clinical-rules.md): §1 case definitions (WHO 2013 recs 1-3), oedema grading for OTP
(+/++ outpatient, +++ inpatient), "admit by one indicator, discharge by the same"; §3.1 OptiMA
and §3.3 ComPAS admission (MUAC < 125 mm and/or oedema, no WHZ). Cut-offs come from the
protocol data, never from constants here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from alima.core.errors import RuleViolation
from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition.enums import (
    AdmissionCriterion,
    AdmissionDecision,
    AdmissionReason,
    Band,
    Severity,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules.facts import Measurement

_REASONS: Final[dict[tuple[AdmissionCriterion, Severity], AdmissionReason]] = {
    (AdmissionCriterion.MUAC, Severity.SAM): AdmissionReason.MUAC_SAM,
    (AdmissionCriterion.MUAC, Severity.MAM): AdmissionReason.MUAC_MAM,
    (AdmissionCriterion.WHZ, Severity.SAM): AdmissionReason.WHZ_SAM,
    (AdmissionCriterion.WHZ, Severity.MAM): AdmissionReason.WHZ_MAM,
    (AdmissionCriterion.OEDEMA, Severity.SAM): AdmissionReason.OEDEMA,
}
_CRITERIA_ORDER: Final = (
    AdmissionCriterion.OEDEMA,
    AdmissionCriterion.MUAC,
    AdmissionCriterion.WHZ,
)


def age_in_months(birth_date: date, on: date) -> float:
    """Age in (unrounded) months on ``on``, WHO's way: days / 30.4375 (docs/clinical-rules.md §5.2)."""
    return (on - birth_date).days / DAYS_PER_MONTH


def eligible_age(age_months: float, p: ProtocolDefinition) -> bool:
    """True from ``age_min_months`` to the end of ``age_max_months`` completed months (6-59).

    A child of 59.9 months has 59 completed months and is eligible; 60.0 is not.
    """
    rule = p.eligibility
    return rule.age_min_months <= age_months < rule.age_max_months + 1


@dataclass(frozen=True, slots=True)
class Classification:
    """Acute-malnutrition category and dose band of one measurement under a protocol.

    ``severity`` is ``None`` when no criterion is met; ``criteria`` are the indicators that
    meet ``severity`` (a child with MUAC 110 mm and WHZ -2.5 is SAM on ``{muac}``); ``band``
    is the most severe band any indicator falls in, ``normal`` when none.
    """

    severity: Severity | None
    band: Band
    criteria: frozenset[AdmissionCriterion]


def classify(m: Measurement, p: ProtocolDefinition) -> Classification:
    """SAM, MAM or neither, and the dose band (docs/clinical-rules.md §1, §3.1, §3.3, §3.4 rule 4).

    SAM: MUAC < 115 mm, WHZ < -3 (protocols with ``use_whz`` only) or any oedema.
    MAM: MUAC 115-124 mm or WHZ -3 to < -2, without oedema. Oedema puts the child in the most
    severe band whatever the MUAC.
    """
    cases = p.case_definition
    sam: set[AdmissionCriterion] = set()
    mam: set[AdmissionCriterion] = set()
    if m.oedema.present:
        sam.add(AdmissionCriterion.OEDEMA)
    if m.muac_mm is not None:
        if m.muac_mm < cases.sam_muac_below_mm:
            sam.add(AdmissionCriterion.MUAC)
        elif m.muac_mm < cases.mam_muac_below_mm:
            mam.add(AdmissionCriterion.MUAC)
    if p.admission.use_whz and m.whz is not None:
        if m.whz < cases.sam_whz_below:
            sam.add(AdmissionCriterion.WHZ)
        elif m.whz < cases.mam_whz_below:
            mam.add(AdmissionCriterion.WHZ)
    band = _band(m, p)
    if sam:
        return Classification(Severity.SAM, band, frozenset(sam))
    if mam:
        return Classification(Severity.MAM, band, frozenset(mam))
    return Classification(None, band, frozenset())


def _band(m: Measurement, p: ProtocolDefinition) -> Band:
    positions: list[int] = []
    if m.oedema.present:
        positions.append(0)
    for index, rule in enumerate(p.bands):
        if m.muac_mm is not None and m.muac_mm < rule.muac_below_mm:
            positions.append(index)
            break
    if p.admission.use_whz and m.whz is not None:
        for index, rule in enumerate(p.bands):
            if rule.whz_below is not None and m.whz < rule.whz_below:
                positions.append(index)
                break
    return p.bands[min(positions)].code if positions else Band.NORMAL


@dataclass(frozen=True, slots=True)
class AdmissionAssessment:
    """The admission decision and everything the admission form shows with it.

    ``band`` is the first dose band (``normal`` when not eligible); ``criteria`` must be kept
    with the admission (``AdmissionFacts.criteria``); ``amoxicillin`` says whether the
    protocol's systematic antibiotic course is due (``p.admission.amoxicillin``).
    """

    decision: AdmissionDecision
    severity: Severity | None
    band: Band
    criteria: frozenset[AdmissionCriterion]
    reasons: tuple[AdmissionReason, ...]
    appetite_test_required: bool
    amoxicillin: bool


def assess_admission(
    *,
    age_months: float,
    m: Measurement,
    appetite_test_passed: bool | None,
    complications: bool,
    danger_signs: bool,
    p: ProtocolDefinition,
) -> AdmissionAssessment:
    """Admit to outpatient care, refer to inpatient care, test appetite first, or not eligible.

    WHO 2013 rec 2-3 (docs/clinical-rules.md §1): eligible children are admitted; those with medical
    complications, danger signs, oedema at or above ``refer_oedema_from`` (+++) or a failed
    appetite test are referred to inpatient care; an appetite test is required for the
    severities in ``appetite_test_for``. OptiMA and ComPAS ignore WHZ (§3.1, §3.3): a low WHZ
    with MUAC >= 125 mm is reported as ``whz_not_used``.

    Raises:
        RuleViolation: NUT_004 when the MUAC is missing (every protocol measures it).
    """
    if m.muac_mm is None:
        raise RuleViolation(NutritionError.NUT_004)
    c = classify(m, p)
    reasons = [
        _REASONS[criterion, c.severity]
        for criterion in _CRITERIA_ORDER
        if c.severity is not None and criterion in c.criteria
    ]
    rule = p.admission
    appetite_required = c.severity is not None and c.severity in rule.appetite_test_for
    decision = _ineligibility(age_months, m, c, p, reasons)
    if decision is None:
        referral = [
            reason
            for reason, present in (
                (AdmissionReason.COMPLICATIONS, complications),
                (AdmissionReason.DANGER_SIGNS, danger_signs),
                (AdmissionReason.OEDEMA_SEVERE, m.oedema.grade >= rule.refer_oedema_from.grade),
                (AdmissionReason.APPETITE_TEST_FAILED, appetite_test_passed is False),
            )
            if present
        ]
        reasons.extend(referral)
        if referral:
            decision = AdmissionDecision.REFER_INPATIENT
        elif appetite_required and appetite_test_passed is None:
            reasons.append(AdmissionReason.APPETITE_TEST_REQUIRED)
            decision = AdmissionDecision.APPETITE_TEST_NEEDED
        else:
            decision = AdmissionDecision.ADMIT_OUTPATIENT
    return AdmissionAssessment(
        decision=decision,
        severity=c.severity,
        band=c.band if decision is not AdmissionDecision.NOT_ELIGIBLE else Band.NORMAL,
        criteria=c.criteria,
        reasons=tuple(reasons),
        appetite_test_required=appetite_required,
        amoxicillin=decision is AdmissionDecision.ADMIT_OUTPATIENT
        and c.severity in rule.amoxicillin_for,
    )


def _ineligibility(
    age_months: float,
    m: Measurement,
    c: Classification,
    p: ProtocolDefinition,
    reasons: list[AdmissionReason],
) -> AdmissionDecision | None:
    """``not_eligible`` (adding why to ``reasons``), or ``None`` for an eligible child."""
    if age_months < p.eligibility.age_min_months:
        reasons.insert(0, AdmissionReason.AGE_BELOW_MIN)
    elif not eligible_age(age_months, p):
        reasons.insert(0, AdmissionReason.AGE_ABOVE_MAX)
    elif c.severity is None:
        reasons.append(AdmissionReason.NO_CRITERION)
        if (
            not p.admission.use_whz
            and m.whz is not None
            and m.whz < p.case_definition.mam_whz_below
        ):
            reasons.append(AdmissionReason.WHZ_NOT_USED)
    elif c.severity not in p.admission.severities:
        reasons.append(AdmissionReason.SEVERITY_NOT_ADMITTED)
    else:
        return None
    return AdmissionDecision.NOT_ELIGIBLE
