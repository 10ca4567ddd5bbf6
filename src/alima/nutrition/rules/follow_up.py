"""Alerts at a visit, and detection of default between visits.

Sources (docs/clinical-rules.md): §1 and §3.4 rule 4 (oedema +++ and complications go to inpatient
care), §9 IMCI danger signs (referral) and fever >= 37.5 °C, §4 default = absent at 2
consecutive visits (3 in some protocols: configurable). Weight-loss, MUAC and temperature
thresholds are protocol settings (``[alerts]``, UNCERTAIN).

Default is a time-driven state: it happens on a date whether or not anyone looks.
``default_on`` gives that date from the schedule, ``follow_up`` where a child stands on any
day, and ``episode_state`` what an episode is (open, or closed with which outcome and when) as
of any day. Every reader (caseload, card, API, monthly report) asks these rules with its own
"today", so all of them agree whoever asks first; nothing is written by a read. Non-response is
decided at a visit (``exit.exit_assessment``): a child not seen after the deadline defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from alima.nutrition.enums import AlertAction, AlertKind, EpisodeStatus, Outcome
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


def default_on(*, next_visit_due_on: date, interval_days: int, p: ProtocolDefinition) -> date:
    """The day a child who does not come back is defaulted (§4).

    The day after the last of the ``default_after_missed_visits`` scheduled visits counted as
    missed: weekly, due on the 8th, 2 visits: the 15th is missed on the 16th, the exit date.
    ``detect_default(today=d)`` is true exactly from this day.
    """
    if interval_days < 1:
        msg = "interval_days must be at least 1"
        raise ValueError(msg)
    missed = p.exit.default_after_missed_visits
    return next_visit_due_on + timedelta(days=(missed - 1) * interval_days + 1)


class FollowUpState(StrEnum):
    """Where a child in treatment stands on a day, from the schedule alone."""

    UNSCHEDULED = "unscheduled"  # no next visit (referred, waiting for a decision)
    UPCOMING = "upcoming"  # next visit later
    DUE = "due"  # expected today
    MISSED = "missed"  # missed a visit
    OVERDUE = "overdue"  # defaulted if the next scheduled visit is missed too
    DEFAULTED = "defaulted"  # missed ``default_after_missed_visits`` consecutive visits


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A child's follow-up on a day: state, visits missed, days late, default date if any."""

    state: FollowUpState
    missed_visits: int
    days_late: int
    defaulted_on: date | None


def follow_up(
    *, next_visit_due_on: date | None, today: date, interval_days: int, p: ProtocolDefinition
) -> FollowUp:
    """Where a child stands on ``today`` given the next scheduled visit.

    The thresholds come from the protocol: ``defaulted`` from ``default_after_missed_visits``
    missed visits (§4), ``overdue`` at one missed visit fewer (one more absence and the child
    is defaulted: trace the child now), ``missed`` before that.
    """
    if next_visit_due_on is None:
        return FollowUp(FollowUpState.UNSCHEDULED, 0, 0, None)
    late = (today - next_visit_due_on).days
    missed = missed_visits(
        next_visit_due_on=next_visit_due_on, today=today, interval_days=interval_days
    )
    limit = p.exit.default_after_missed_visits
    if missed >= limit:
        on = default_on(next_visit_due_on=next_visit_due_on, interval_days=interval_days, p=p)
        return FollowUp(FollowUpState.DEFAULTED, missed, late, on)
    if missed >= 1 and missed >= limit - 1:
        return FollowUp(FollowUpState.OVERDUE, missed, late, None)
    if missed >= 1:
        return FollowUp(FollowUpState.MISSED, missed, late, None)
    if late == 0:
        return FollowUp(FollowUpState.DUE, 0, 0, None)
    return FollowUp(FollowUpState.UPCOMING, 0, 0, None)


@dataclass(frozen=True, slots=True)
class EpisodeState:
    """An episode as of a day: open, or closed with an outcome on a date."""

    status: EpisodeStatus
    outcome: Outcome | None
    closed_on: date | None

    @property
    def is_open(self) -> bool:
        """True while the child is in treatment."""
        return self.status is EpisodeStatus.OPEN


def episode_state(
    *,
    status: str,
    outcome: str | None,
    closed_on: date | None,
    defaults_on: date | None,
    today: date,
) -> EpisodeState:
    """What an episode is on ``today``: recorded exit, else default once come, else open.

    ``defaults_on`` is the ``default_on`` of the episode's schedule.

    The exit recorded by a person or at a visit wins; an open episode whose default date has
    come is closed as defaulted on that date, for every reader and every later day.
    """
    if status == EpisodeStatus.CLOSED.value:
        return EpisodeState(EpisodeStatus.CLOSED, Outcome(outcome) if outcome else None, closed_on)
    if defaults_on is not None and defaults_on <= today:
        return EpisodeState(EpisodeStatus.CLOSED, Outcome.DEFAULTED, defaults_on)
    return EpisodeState(EpisodeStatus.OPEN, None, None)
