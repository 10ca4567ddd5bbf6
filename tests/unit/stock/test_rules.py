"""The stock ledger, pure: the order of a day, FEFO, counts, expiry, weeks left and months."""

from __future__ import annotations

from datetime import date

import pytest

from alima.core.errors import RuleViolation
from alima.stock import rules
from alima.stock.enums import QuantityUnit, StockLevel
from alima.stock.rules import Event, Step

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
SOON, LATE = date(2026, 4, 1), date(2026, 9, 1)


def receipt(on: date, n: int, batch: str, expires_on: date, seq: int = 0) -> Event:
    return Event(on, Step.RECEIPT, n, batch, expires_on, seq=seq)


def test_a_day_runs_receipts_dispensing_losses_adjustments_then_counts() -> None:
    # Written in the reverse order: the count still comes last and sets the balance.
    ledger = rules.play(
        [
            Event(D1, Step.COUNT, 40, seq=0),
            Event(D1, Step.ADJUSTMENT, 5, seq=1),
            Event(D1, Step.LOSS, 10, seq=2),
            Event(D1, Step.DISPENSED, 20),
            receipt(D1, 100, "A", LATE, seq=3),
        ]
    )
    assert ledger.total == 40
    assert [(p.event.step, p.change) for p in ledger.played] == [
        (Step.RECEIPT, 100),
        (Step.DISPENSED, -20),
        (Step.LOSS, -10),
        (Step.ADJUSTMENT, 5),
        (Step.COUNT, 40 - 75),
    ]


def test_fefo_uses_the_first_expiry_and_never_an_expired_batch_first() -> None:
    ledger = rules.play(
        [
            receipt(D1, 50, "LATE", LATE),
            receipt(D1, 30, "SOON", SOON),
            receipt(D1, 10, "GONE", date(2026, 3, 2)),
            Event(D3, Step.DISPENSED, 35),
        ]
    )
    # GONE expired on D2: SOON first, then LATE; GONE stays (flagged expired when read).
    assert ledger.balances == {"LATE": 45, "SOON": 0, "GONE": 10}
    state = rules.read_stock(ledger, on=D3, daily_need=1.0, alert_weeks=4)
    assert [(b.batch, b.expired) for b in state.batches] == [("LATE", False), ("GONE", True)]
    assert (state.balance, state.usable, state.expired) == (55, 45, 10)


def test_more_given_than_recorded_leaves_a_negative_no_batch_balance_a_count_sets_right() -> None:
    ledger = rules.play([receipt(D1, 10, "A", LATE), Event(D2, Step.DISPENSED, 14)])
    assert ledger.balances == {"A": 0, None: -4}
    ledger.apply(Event(D3, Step.COUNT, 6))
    assert ledger.total == 6
    assert ledger.played[-1].change == 10


def test_a_count_of_one_batch_sets_that_batch_only() -> None:
    ledger = rules.play(
        [receipt(D1, 10, "A", SOON), receipt(D1, 20, "B", LATE), Event(D2, Step.COUNT, 7, "B")]
    )
    assert ledger.balances == {"A": 10, "B": 7}
    assert ledger.played[-1].change == -13


@pytest.mark.parametrize(
    ("usable", "weekly", "weeks", "level"),
    [
        (100, 25, 4.0, StockLevel.OK),
        (99, 25, 3.9, StockLevel.LOW),
        (0, 25, 0.0, StockLevel.OUT),
        (-5, 25, 0.0, StockLevel.OUT),
        (100, 0, None, StockLevel.NO_NEED),
    ],
    ids=["four-weeks-ok", "just-under", "empty", "negative", "no-child"],
)
def test_weeks_left_and_level(
    usable: int, weekly: int, weeks: float | None, level: StockLevel
) -> None:
    assert rules.weeks_left(usable, weekly) == weeks
    assert rules.level(weeks, usable, 4.0) is level


def test_weekly_need_rounds_the_daily_rations_up_to_whole_sachets() -> None:
    assert rules.weekly_need(2.5 + 3.0) == 39  # 38.5
    assert rules.weekly_need(0.0) == 0


def test_cartons_need_their_size() -> None:
    assert rules.sachets(2, QuantityUnit.CARTON, 150) == 300
    assert rules.sachets(7, QuantityUnit.SACHET, None) == 7
    with pytest.raises(RuleViolation):
        rules.sachets(2, QuantityUnit.CARTON, None)


def test_month_figures_add_up() -> None:
    ledger = rules.play(
        [
            receipt(date(2026, 2, 20), 100, "A", LATE),
            receipt(D1, 50, "A", LATE),
            Event(D2, Step.DISPENSED, 30),
            Event(D2, Step.LOSS, 5),
            Event(D3, Step.COUNT, 100),
            Event(date(2026, 4, 2), Step.DISPENSED, 10),
        ]
    )
    march = rules.month_figures(ledger.played, date(2026, 3, 1), date(2026, 3, 31))
    assert march == rules.MonthFigures(100, 50, 30, 5, -15, 100, 100)
    quiet = rules.month_figures(ledger.played, date(2026, 5, 1), date(2026, 5, 31))
    assert quiet == rules.MonthFigures(90, 0, 0, 0, 0, 90, None)
