"""Visit alerts and default detection (docs/clinical-rules.md §1, §4, §9; thresholds are settings)."""

from __future__ import annotations

from datetime import date

import pytest

from alima.nutrition.enums import AlertAction, AlertKind, Oedema
from alima.nutrition.protocol import ProtocolDefinition, apply_overrides
from alima.nutrition.rules import VisitFacts, alerts, detect_default, missed_visits
from tests.unit.nutrition.builders import COMPAS, OPTIMA, make_measurement, make_visit

K, REVIEW, REFER = AlertKind, AlertAction.REVIEW, AlertAction.REFER


def _kinds(
    history: list[VisitFacts], current: VisitFacts, p: ProtocolDefinition = OPTIMA
) -> list[tuple[AlertKind, AlertAction]]:
    return [(a.kind, a.action) for a in alerts(history, current, p)]


def _weights(before: float, after: float) -> tuple[list[VisitFacts], VisitFacts]:
    return [make_visit(0, make_measurement(118, before))], make_visit(
        7, make_measurement(118, after)
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (6.5, 6.5, []),
        (6.5, 6.6, []),
        (6.5, 6.45, []),
        (6.5, 6.4, [(K.WEIGHT_LOSS, REVIEW)]),
        (6.3, 6.2, [(K.WEIGHT_LOSS, REVIEW)]),
        (6.0, 5.71, [(K.WEIGHT_LOSS, REVIEW)]),
        (6.0, 5.7, [(K.WEIGHT_LOSS, REFER)]),
        (6.5, 6.1, [(K.WEIGHT_LOSS, REFER)]),
    ],
    ids=[
        "stable",
        "gain",
        "loss-below-a-scale-step",
        "loss-0.1kg-review",
        "loss-0.1kg-no-float-error",
        "loss-4.8pct-review",
        "loss-5pct-refer",
        "loss-6pct-refer",
    ],
)
def test_weight_loss(
    before: float, after: float, expected: list[tuple[AlertKind, AlertAction]]
) -> None:
    history, current = _weights(before, after)
    assert _kinds(history, current) == expected


def test_weight_loss_params() -> None:
    history, current = _weights(6.5, 6.1)
    (alert,) = alerts(history, current, OPTIMA)
    assert alert.params == {
        "previous_kg": 6.5,
        "current_kg": 6.1,
        "loss_kg": 0.4,
        "loss_percent": 6.2,
    }


@pytest.mark.parametrize(
    ("earlier", "now", "expected"),
    [
        ([113, 115, 116], 113, [(K.NO_MUAC_GAIN, REVIEW)]),
        ([113, 115, 116], 112, [(K.NO_MUAC_GAIN, REVIEW)]),
        ([113, 115, 116], 114, []),
        ([115, 116], 110, []),
        ([110, 113, 113, 113], 113, [(K.NO_MUAC_GAIN, REVIEW)]),
    ],
    ids=["same-as-3-visits-ago", "lower", "gained-1mm", "too-few-visits", "flat-for-3-visits"],
)
def test_no_muac_gain(
    earlier: list[int], now: int, expected: list[tuple[AlertKind, AlertAction]]
) -> None:
    history = [make_visit(7 * i, make_measurement(muac, 7.0)) for i, muac in enumerate(earlier)]
    current = make_visit(7 * len(earlier), make_measurement(now, 7.0))
    assert _kinds(history, current) == expected


@pytest.mark.parametrize(
    ("before", "now", "new_oedema_refer", "expected"),
    [
        (Oedema.NONE, Oedema.PLUS1, False, [(K.NEW_OEDEMA, REVIEW)]),
        (Oedema.NONE, Oedema.PLUS1, True, [(K.NEW_OEDEMA, REFER)]),
        (Oedema.PLUS1, Oedema.PLUS2, False, [(K.OEDEMA_WORSENING, REVIEW)]),
        (Oedema.PLUS2, Oedema.PLUS1, False, []),
        (Oedema.PLUS1, Oedema.PLUS1, False, []),
        (Oedema.PLUS2, Oedema.PLUS3, False, [(K.OEDEMA_SEVERE, REFER)]),
        (Oedema.NONE, Oedema.PLUS3, False, [(K.OEDEMA_SEVERE, REFER)]),
    ],
    ids=["new-review", "new-refer-setting", "worse", "better", "same", "to-+++", "none-to-+++"],
)
def test_oedema_alerts(
    before: Oedema,
    now: Oedema,
    new_oedema_refer: bool,
    expected: list[tuple[AlertKind, AlertAction]],
) -> None:
    p = (
        apply_overrides(OPTIMA, {"alerts": {"new_oedema_refer": True}})
        if new_oedema_refer
        else OPTIMA
    )
    history = [make_visit(0, make_measurement(118, 7.0, oedema=before))]
    current = make_visit(7, make_measurement(118, 7.0, oedema=now))
    assert _kinds(history, current, p) == expected


@pytest.mark.parametrize(
    ("temperature", "danger", "complications", "appetite", "expected"),
    [
        (36.8, False, False, True, []),
        (None, True, False, None, [(K.DANGER_SIGNS, REFER)]),
        (None, False, True, None, [(K.COMPLICATIONS, REFER)]),
        (None, False, False, False, [(K.APPETITE_TEST_FAILED, REFER)]),
        (34.9, False, False, None, [(K.HYPOTHERMIA, REFER)]),
        (35.0, False, False, None, []),
        (37.4, False, False, None, []),
        (37.5, False, False, None, [(K.FEVER, REVIEW)]),
        (38.9, False, False, None, [(K.FEVER, REVIEW)]),
        (39.0, False, False, None, [(K.HIGH_FEVER, REFER)]),
    ],
    ids=[
        "well",
        "danger-signs",
        "complications",
        "failed-appetite-test",
        "hypothermia-34.9",
        "35.0-normal",
        "37.4-normal",
        "fever-37.5",
        "fever-38.9",
        "high-fever-39.0",
    ],
)
def test_clinical_alerts(
    temperature: float | None,
    danger: bool,
    complications: bool,
    appetite: bool | None,
    expected: list[tuple[AlertKind, AlertAction]],
) -> None:
    current = make_visit(
        7,
        make_measurement(118, 7.0),
        temperature_c=temperature,
        danger_signs=danger,
        complications=complications,
        appetite_test_passed=appetite,
    )
    assert _kinds([make_visit(0, make_measurement(117, 7.0))], current) == expected


def test_referrals_come_first() -> None:
    history = [make_visit(0, make_measurement(118, 7.0))]
    current = make_visit(7, make_measurement(118, 6.9), temperature_c=37.8, danger_signs=True)
    assert _kinds(history, current) == [
        (K.DANGER_SIGNS, REFER),
        (K.WEIGHT_LOSS, REVIEW),
        (K.FEVER, REVIEW),
    ]


def test_first_point_has_no_comparison_alerts() -> None:
    assert _kinds([], make_visit(0, make_measurement(110, 6.0, oedema=Oedema.PLUS1))) == []


DUE = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("today", "interval", "missed", "defaulted"),
    [
        (date(2025, 3, 9), 7, 0, False),
        (date(2025, 3, 10), 7, 0, False),
        (date(2025, 3, 11), 7, 1, False),
        (date(2025, 3, 17), 7, 1, False),
        (date(2025, 3, 18), 7, 2, True),
        (date(2025, 4, 1), 7, 4, True),
        (date(2025, 3, 24), 14, 1, False),
        (date(2025, 3, 25), 14, 2, True),
    ],
    ids=[
        "before-due",
        "on-due-day",
        "day-after-due",
        "second-visit-day",
        "second-visit-missed",
        "long-gone",
        "fortnightly-one-missed",
        "fortnightly-two-missed",
    ],
)
def test_default_after_two_missed_visits(
    today: date, interval: int, missed: int, defaulted: bool
) -> None:
    assert missed_visits(next_visit_due_on=DUE, today=today, interval_days=interval) == missed
    assert (
        detect_default(next_visit_due_on=DUE, today=today, interval_days=interval, p=COMPAS)
        is defaulted
    )


@pytest.mark.parametrize(
    ("today", "defaulted"),
    [(date(2025, 3, 18), False), (date(2025, 3, 24), False), (date(2025, 3, 25), True)],
    ids=["two-missed", "third-visit-day", "three-missed"],
)
def test_default_after_three_missed_visits_setting(today: date, defaulted: bool) -> None:
    p = apply_overrides(OPTIMA, {"exit": {"default_after_missed_visits": 3}})
    assert detect_default(next_visit_due_on=DUE, today=today, interval_days=7, p=p) is defaulted


def test_missed_visits_needs_an_interval() -> None:
    with pytest.raises(ValueError, match="interval_days"):
        missed_visits(next_visit_due_on=DUE, today=DUE, interval_days=0)
