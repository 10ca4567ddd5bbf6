"""Alerts at a visit, and detection of default between visits.

Sources (docs/clinical-rules.md): §1 and §3.4 rule 4 (oedema +++ and complications go to inpatient
care), §9 IMCI danger signs (referral) and fever >= 37.5 °C, §4 default = absent at 2
consecutive visits (3 in some protocols: configurable). Weight-loss, MUAC and temperature
thresholds are protocol settings (``[alerts]``, UNCERTAIN).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from alima.nutrition.enums import AlertAction, AlertKind
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules.facts import VisitFacts, decimal

_PERCENT = 100


@dataclass(frozen=True, slots=True)
class Alert:
    """A finding that needs a clinician: ``review`` it, or ``refer`` the child.

    ``params`` hold the numbers behind it (e.g. ``previous_kg``, ``current_kg``, ``loss_kg``,
    ``loss_percent``) for the UI to show.
    """

    kind: AlertKind
    action: AlertAction
    params: Mapping[str, int | float | str] = field(default_factory=dict)


def alerts(
    history: Sequence[VisitFacts], current: VisitFacts, p: ProtocolDefinition
) -> list[Alert]:
    """Alerts raised by ``current`` given the earlier points (admission first), referrals first.

    * ``weight_loss``: at least ``weight_loss_min_kg`` lost since the previous visit; referral
      from ``weight_loss_refer_percent`` of the previous weight.
    * ``no_muac_gain``: MUAC not above the MUAC ``no_muac_gain_visits`` measurements ago.
    * ``oedema_severe`` (>= ``refer_oedema_from``, refer, §1); ``new_oedema`` and
      ``oedema_worsening`` (review, or refer when ``new_oedema_refer``).
    * ``danger_signs``, ``complications``, ``appetite_test_failed``: refer (WHO 2013 rec 3, §9).
    * ``hypothermia`` and ``high_fever``: refer; ``fever`` (>= 37.5 °C, IMCI): review.
    """
    rule = p.alerts
    found: list[Alert] = []
    previous = history[-1] if history else None
    now = current.measurement

    weight_before = previous.measurement.weight_kg if previous is not None else None
    if weight_before is not None and weight_before > 0 and now.weight_kg is not None:
        before, after = decimal(weight_before), decimal(now.weight_kg)
        loss = before - after
        if loss >= rule.weight_loss_min_kg:
            percent = loss / before * _PERCENT
            action = (
                AlertAction.REFER
                if percent >= rule.weight_loss_refer_percent
                else AlertAction.REVIEW
            )
            found.append(
                Alert(
                    AlertKind.WEIGHT_LOSS,
                    action,
                    {
                        "previous_kg": float(before),
                        "current_kg": float(after),
                        "loss_kg": float(loss),
                        "loss_percent": round(float(percent), 1),
                    },
                )
            )

    earlier_muac = [v.measurement.muac_mm for v in history if v.measurement.muac_mm is not None]
    span = rule.no_muac_gain_visits
    if now.muac_mm is not None and len(earlier_muac) >= span and now.muac_mm <= earlier_muac[-span]:
        found.append(
            Alert(
                AlertKind.NO_MUAC_GAIN,
                AlertAction.REVIEW,
                {"since_mm": earlier_muac[-span], "current_mm": now.muac_mm, "visits": span},
            )
        )

    oedema_action = AlertAction.REFER if rule.new_oedema_refer else AlertAction.REVIEW
    before_oedema = previous.measurement.oedema if previous is not None else None
    if now.oedema.grade >= p.admission.refer_oedema_from.grade:
        found.append(
            Alert(AlertKind.OEDEMA_SEVERE, AlertAction.REFER, {"grade": now.oedema.symbol})
        )
    elif before_oedema is not None and now.oedema.present and not before_oedema.present:
        found.append(Alert(AlertKind.NEW_OEDEMA, oedema_action, {"grade": now.oedema.symbol}))
    elif before_oedema is not None and now.oedema.grade > before_oedema.grade:
        found.append(
            Alert(
                AlertKind.OEDEMA_WORSENING,
                oedema_action,
                {"previous_grade": before_oedema.symbol, "grade": now.oedema.symbol},
            )
        )

    for kind, present in (
        (AlertKind.DANGER_SIGNS, current.danger_signs),
        (AlertKind.COMPLICATIONS, current.complications),
        (AlertKind.APPETITE_TEST_FAILED, current.appetite_test_passed is False),
    ):
        if present:
            found.append(Alert(kind, AlertAction.REFER))

    temperature = current.temperature_c
    if temperature is not None:
        if temperature < rule.hypothermia_below_c:
            found.append(
                Alert(AlertKind.HYPOTHERMIA, AlertAction.REFER, {"temperature_c": temperature})
            )
        elif temperature >= rule.high_fever_from_c:
            found.append(
                Alert(AlertKind.HIGH_FEVER, AlertAction.REFER, {"temperature_c": temperature})
            )
        elif temperature >= rule.fever_from_c:
            found.append(Alert(AlertKind.FEVER, AlertAction.REVIEW, {"temperature_c": temperature}))

    return sorted(found, key=lambda alert: alert.action is not AlertAction.REFER)


def missed_visits(*, next_visit_due_on: date, today: date, interval_days: int) -> int:
    """Scheduled visits missed by ``today``: the due date and every ``interval_days`` after it.

    A visit is missed once its day has passed: due on the 8th, weekly, nothing is missed on the
    8th, one visit on the 9th to the 15th, two from the 16th.
    """
    if interval_days < 1:
        msg = "interval_days must be at least 1"
        raise ValueError(msg)
    late_days = (today - next_visit_due_on).days
    if late_days <= 0:
        return 0
    return (late_days - 1) // interval_days + 1


def detect_default(
    *, next_visit_due_on: date, today: date, interval_days: int, p: ProtocolDefinition
) -> bool:
    """True once the child has missed ``default_after_missed_visits`` consecutive visits (§4).

    ``next_visit_due_on`` is the visit scheduled after the last attended one, and
    ``interval_days`` the interval of the child's dose band (``visit_interval_days``).
    """
    missed = missed_visits(
        next_visit_due_on=next_visit_due_on, today=today, interval_days=interval_days
    )
    return missed >= p.exit.default_after_missed_visits
