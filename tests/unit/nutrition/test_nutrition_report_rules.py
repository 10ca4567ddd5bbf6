"""Monthly report arithmetic: month bounds, discharges, rates against Sphere (docs/clinical-rules.md §4)."""

from datetime import date

import pytest

from alima.core.errors import RuleViolation
from alima.nutrition.enums import Outcome
from alima.nutrition.rules.report import days_in_next_month, discharges, month_bounds, outcome_rates


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
    ids=["february", "leap-february", "december"],
)
def test_month_bounds(month: str, start: date, end: date) -> None:
    assert month_bounds(month) == (start, end)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-01", "2026/01", "", "1999-01"])
def test_bad_months_are_refused(month: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        month_bounds(month)
    assert caught.value.code.name == "NUT_029"


@pytest.mark.parametrize(
    ("end", "days"), [(date(2026, 1, 31), 28), (date(2026, 12, 31), 31), (date(2024, 1, 31), 29)]
)
def test_days_in_next_month(end: date, days: int) -> None:
    assert days_in_next_month(end) == days


EXITS = {
    "cured": 80,
    "died": 4,
    "defaulted": 10,
    "non_responder": 6,
    "medical_transfer": 5,
    "transfer_out": 7,
}


@pytest.mark.parametrize(
    ("include", "denominator"), [(True, 105), (False, 100)], ids=["with-transfers", "without"]
)
def test_discharges_exclude_transfers_out(include: bool, denominator: int) -> None:
    assert discharges(EXITS, include_medical_transfers=include) == denominator


def test_rates_and_sphere_standards() -> None:
    rates = {r.outcome: r for r in outcome_rates(EXITS, include_medical_transfers=False)}
    assert rates[Outcome.CURED].percent == 80.0
    assert rates[Outcome.CURED].meets_standard is True  # > 75 %
    assert rates[Outcome.DIED].percent == 4.0
    assert rates[Outcome.DIED].meets_standard is True  # < 10 %
    assert rates[Outcome.DEFAULTED].percent == 10.0
    assert rates[Outcome.DEFAULTED].meets_standard is True  # < 15 %
    assert rates[Outcome.NON_RESPONDER].meets_standard is None
    poor = {
        r.outcome: r
        for r in outcome_rates(
            {"cured": 70, "died": 12, "defaulted": 18}, include_medical_transfers=True
        )
    }
    assert [poor[o].meets_standard for o in (Outcome.CURED, Outcome.DIED, Outcome.DEFAULTED)] == [
        False,
        False,
        False,
    ]
    assert [r.percent for r in outcome_rates({}, include_medical_transfers=True)] == [None] * 4
