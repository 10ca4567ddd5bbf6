"""Exit assessment at a visit (cure, non-response, medical transfer) and relapse.

Sources (docs/clinical-rules.md): §1 "admit by one indicator, discharge by the same"; §2 WHO 2013
discharge (WHZ >= -2 or MUAC >= 125 mm on the admission indicator, no oedema for at least
2 weeks; never percentage weight gain); §3.1 OptiMA and §3.3 ComPAS cure (MUAC >= 125 mm at two
consecutive measurements, no oedema; OptiMA-DRC 4-week minimum stay); §3.4 rule 3 ("two
consecutive" = two consecutive scheduled visits with MUAC recorded); §4 non-responder (after a
configured time) and relapse (within 2 months of a cure). Death, default and transfer to another
site are recorded, not inferred at a visit (default: ``follow_up.detect_default``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from alima.nutrition.enums import (
    AdmissionCriterion,
    AlertAction,
    AlertKind,
    CureIndicators,
    Outcome,
)
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules.facts import AdmissionFacts, Measurement, VisitFacts, timeline
from alima.nutrition.rules.follow_up import alerts

DAYS_PER_WEEK: Final = 7
_ANTHROPOMETRIC: Final = frozenset({AdmissionCriterion.MUAC, AdmissionCriterion.WHZ})


@dataclass(frozen=True, slots=True)
class ExitAssessment:
    """The exit the rules suggest at the latest visit, and the progress towards cure.

    ``outcome`` is ``medical_transfer`` (with ``referral_reasons``), ``cured``,
    ``non_responder`` or ``None`` (continue treatment). ``cure_streak`` counts the latest
    consecutive points (admission included) meeting the cure anthropometry without oedema,
    out of ``cure_visits_needed``; a point where the cure indicators were not measured is
    skipped (docs/clinical-rules.md §3.4 rule 3).
    """

    outcome: Outcome | None
    referral_reasons: tuple[AlertKind, ...]
    cure_indicators: frozenset[AdmissionCriterion]
    cure_streak: int
    cure_visits_needed: int
    days_in_treatment: int
    min_stay_met: bool
    oedema_free: bool

    @property
    def cure_criteria_met(self) -> bool:
        """True when anthropometry and oedema meet the cure rule, minimum stay aside."""
        return self.cure_streak >= self.cure_visits_needed and self.oedema_free


def cure_indicators(
    criteria: frozenset[AdmissionCriterion], p: ProtocolDefinition
) -> frozenset[AdmissionCriterion]:
    """The measurements that decide cure for a child admitted on ``criteria``.

    OptiMA and ComPAS: MUAC. Standard (``indicators = "admission"``): the anthropometric
    criteria met at admission (MUAC and/or WHZ), or ``oedema_only_indicator`` for a child
    admitted on oedema alone (docs/clinical-rules.md §1, WHO 2013).
    """
    rule = p.exit.cure
    if rule.indicators is CureIndicators.MUAC:
        return frozenset({AdmissionCriterion.MUAC})
    chosen = criteria & _ANTHROPOMETRIC
    return chosen or frozenset({rule.oedema_only_indicator})


def meets_cure(
    m: Measurement, indicators: frozenset[AdmissionCriterion], p: ProtocolDefinition
) -> bool:
    """No oedema and every indicator at or above its cure threshold (missing = not met)."""
    rule = p.exit.cure
    if m.oedema.present:
        return False
    if AdmissionCriterion.MUAC in indicators and (
        m.muac_mm is None or m.muac_mm < rule.muac_min_mm
    ):
        return False
    return not (AdmissionCriterion.WHZ in indicators and (m.whz is None or m.whz < rule.whz_min))


def cure_evidence(
    m: Measurement, indicators: frozenset[AdmissionCriterion], p: ProtocolDefinition
) -> bool | None:
    """Whether a point counts towards cure: ``True`` met, ``False`` not met, ``None`` unknown.

    "Two consecutive" counts visits at which the indicator was measured (docs/clinical-rules.md
    §3.4 rule 3): oedema, or a measured indicator below its threshold, is evidence against
    cure; a point where an indicator was not measured and none failed is ``None``: it neither
    counts nor breaks the streak.
    """
    if m.oedema.present:
        return False
    rule = p.exit.cure
    values: list[bool | None] = []
    if AdmissionCriterion.MUAC in indicators:
        values.append(None if m.muac_mm is None else m.muac_mm >= rule.muac_min_mm)
    if AdmissionCriterion.WHZ in indicators:
        values.append(None if m.whz is None else m.whz >= rule.whz_min)
    if False in values:
        return False
    if None in values:
        return None
    return True


def exit_assessment(
    *, admission: AdmissionFacts, visits: Sequence[VisitFacts], p: ProtocolDefinition
) -> ExitAssessment:
    """The exit suggested at the latest of ``visits`` (follow-ups after admission, in order).

    In order of precedence: ``medical_transfer`` when a referral alert is raised (oedema +++,
    danger signs, complications, failed appetite test, hypothermia, high fever); ``cured`` when
    the last ``consecutive_visits`` points meet the cure anthropometry without oedema, oedema
    was last seen at least ``oedema_free_days`` ago and the stay has lasted ``min_stay_days``;
    ``non_responder`` when not cured after ``non_responder_weeks``; else ``None``. With no
    follow-up visit yet the outcome is ``None``. Points where the cure indicators were not
    measured neither count nor interrupt the consecutive points (:func:`cure_evidence`).

    Raises:
        RuleViolation: NUT_021 when visits are not in date order after the admission.
    """
    points = timeline(admission, visits)
    current = points[-1]
    rule = p.exit.cure
    indicators = cure_indicators(admission.criteria, p)

    streak = 0
    for point in reversed(points):
        evidence = cure_evidence(point.measurement, indicators, p)
        if evidence is None:
            continue
        if not evidence:
            break
        streak += 1
    oedema_seen = [point.visit_on for point in points if point.measurement.oedema.present]
    oedema_free = (
        not oedema_seen or (current.visit_on - oedema_seen[-1]).days >= rule.oedema_free_days
    )
    days = (current.visit_on - admission.admitted_on).days
    referral = tuple(
        alert.kind for alert in alerts(points[:-1], current, p) if alert.action is AlertAction.REFER
    )

    outcome: Outcome | None = None
    if visits:
        if referral:
            outcome = Outcome.MEDICAL_TRANSFER
        elif streak >= rule.consecutive_visits and oedema_free and days >= rule.min_stay_days:
            outcome = Outcome.CURED
        elif days >= p.exit.non_responder_weeks * DAYS_PER_WEEK:
            outcome = Outcome.NON_RESPONDER
    return ExitAssessment(
        outcome=outcome,
        referral_reasons=referral,
        cure_indicators=indicators,
        cure_streak=streak,
        cure_visits_needed=rule.consecutive_visits,
        days_in_treatment=days,
        min_stay_met=days >= rule.min_stay_days,
        oedema_free=oedema_free,
    )


def is_relapse(*, last_cured_on: date | None, admitted_on: date, p: ProtocolDefinition) -> bool:
    """True when a child cured on ``last_cured_on`` is admitted again within the window.

    The window is ``relapse_window_days`` (60: "within 2 months of a cured discharge",
    docs/clinical-rules.md §4), both ends included.
    """
    if last_cured_on is None:
        return False
    return 0 <= (admitted_on - last_cured_on).days <= p.exit.relapse_window_days
