"""The stock ledger of a site, pure: balances per batch (FEFO), weeks left, alert, month figures.

The ledger replays the site's movements in order: by day, and within a day receipts first,
then what visits dispensed, losses, adjustments, and physical counts last (a count is what
is on the shelf at the end of the day). Sachets leave by FEFO (first expiry, first out):
batches not yet expired on the day, earliest expiry first, then sachets of no known batch,
then expired batches; what no batch holds makes the "no batch" balance negative (more given
than recorded: a count sets it right).

A count sets the balance (of its batch, or of the site) and the difference is shown as an
adjustment. FEFO, the carton, the weekly need and the alert are docs/clinical-rules.md §12.
Whether a batch has expired and how many weeks the stock lasts depend on the day
they are read: :func:`read_stock` takes that day.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

from alima.core.errors import RuleViolation
from alima.stock.enums import MovementKind, QuantityUnit, StockLevel
from alima.stock.errors import StockError

DAYS_PER_WEEK = 7
#: Weeks of stock under which a site is alerted, unless the settings say otherwise (§12).
DEFAULT_ALERT_WEEKS = 4.0
#: A carton of RUTF (92 g sachets) holds 150 sachets, unless the settings say otherwise.
DEFAULT_SACHETS_PER_CARTON = 150


class Step(IntEnum):
    """The order of the events of one day."""

    RECEIPT = 0
    DISPENSED = 1
    LOSS = 2
    ADJUSTMENT = 3
    COUNT = 4


STEP_OF_KIND = {
    MovementKind.RECEIPT: Step.RECEIPT,
    MovementKind.LOSS: Step.LOSS,
    MovementKind.ADJUSTMENT: Step.ADJUSTMENT,
    MovementKind.COUNT: Step.COUNT,
}


@dataclass(frozen=True)
class Event:
    """One event of the ledger.

    ``sachets`` is what was received, dispensed, lost or counted (never negative), or the
    signed change of an adjustment. ``batch`` names a batch (``None``: any, by FEFO).
    ``seq`` orders events of the same step on the same day (the order they were written).
    """

    on: date
    step: Step
    sachets: int
    batch: str | None = None
    expires_on: date | None = None
    movement_id: uuid.UUID | None = None
    seq: int = 0


@dataclass(frozen=True)
class Played:
    """An event as the ledger applied it: its effect on the balance and the balance after."""

    event: Event
    change: int
    balance: int


@dataclass
class Ledger:
    """Balances per batch after the events (``None``: sachets of no known batch)."""

    balances: dict[str | None, int] = field(default_factory=dict)
    expiries: dict[str, date] = field(default_factory=dict)
    played: list[Played] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The site's balance."""
        return sum(self.balances.values())

    def fefo_order(self, on: date) -> list[str | None]:
        """Batches holding sachets, in the order they are used on ``on``."""

        def rank(batch: str | None) -> tuple[int, date, str]:
            if batch is None:
                return (1, date.max, "")
            expiry = self.expiries.get(batch, date.max)
            return (2 if expiry < on else 0, expiry, batch)

        return sorted((b for b, n in self.balances.items() if n > 0), key=rank)

    def take(self, sachets: int, on: date) -> None:
        """Remove ``sachets`` by FEFO on ``on`` (a shortfall leaves the no-batch balance < 0)."""
        left = sachets
        for batch in self.fefo_order(on):
            used = min(left, self.balances[batch])
            self.balances[batch] -= used
            left -= used
            if not left:
                return
        self.balances[None] = self.balances.get(None, 0) - left

    def add(self, batch: str | None, sachets: int) -> None:
        """Add (or, negative, remove) sachets of one batch."""
        self.balances[batch] = self.balances.get(batch, 0) + sachets

    def apply(self, e: Event) -> None:
        """Apply one event and remember its effect."""
        before = self.total
        if e.step is Step.RECEIPT:
            if e.batch is not None and e.expires_on is not None:
                self.expiries.setdefault(e.batch, e.expires_on)
            self.add(e.batch, e.sachets)
        elif e.step is Step.DISPENSED:
            self.take(e.sachets, e.on)
        elif e.step in (Step.LOSS, Step.ADJUSTMENT):
            change = -e.sachets if e.step is Step.LOSS else e.sachets
            if e.batch is not None or change > 0:
                self.add(e.batch, change)
            else:
                self.take(-change, e.on)
        elif e.batch is not None:
            self.balances[e.batch] = e.sachets
        else:
            difference = e.sachets - before
            if difference < 0:
                self.take(-difference, e.on)
            else:
                self.add(None, difference)
        self.played.append(Played(e, self.total - before, self.total))


def play(events: Iterable[Event]) -> Ledger:
    """The ledger after ``events``, replayed in the order of the day (module docstring)."""
    ledger = Ledger()
    for e in sorted(events, key=lambda e: (e.on, e.step, e.seq)):
        ledger.apply(e)
    return ledger


def sachets(quantity: int, unit: QuantityUnit, per_carton: int | None) -> int:
    """A quantity typed in sachets or cartons, in sachets.

    Raises:
        RuleViolation: STOCK_010 for cartons without their size.
    """
    if unit is QuantityUnit.SACHET:
        return quantity
    if per_carton is None or per_carton < 1:
        raise RuleViolation(StockError.STOCK_010, field="sachets_per_carton")
    return quantity * per_carton


@dataclass(frozen=True)
class BatchState:
    """A batch's balance as read on a day."""

    batch: str | None
    expires_on: date | None
    sachets: int
    expired: bool


@dataclass(frozen=True)
class StockState:
    """A site's stock as read on a day, against the weekly need of its caseload."""

    balance: int
    usable: int
    expired: int
    batches: tuple[BatchState, ...]
    weekly_need: int
    weeks_left: float | None
    level: StockLevel
    alert_weeks: float


def weeks_left(usable: int, weekly_need: float) -> float | None:
    """Weeks the usable sachets last at the weekly need (``None`` without need), to 0.1 down."""
    if weekly_need <= 0:
        return None
    return math.floor(max(usable, 0) / weekly_need * 10) / 10


def level(weeks: float | None, usable: int, alert_weeks: float) -> StockLevel:
    """Out when nothing usable is left for a need; low under ``alert_weeks`` weeks."""
    if weeks is None:
        return StockLevel.NO_NEED
    if usable <= 0:
        return StockLevel.OUT
    return StockLevel.LOW if weeks < alert_weeks else StockLevel.OK


def weekly_need(daily_sachets: float) -> int:
    """The weekly sachets of the caseload's daily rations (whole sachets, rounded up)."""
    return math.ceil(round(daily_sachets * DAYS_PER_WEEK, 6))


def read_stock(ledger: Ledger, *, on: date, daily_need: float, alert_weeks: float) -> StockState:
    """The stock of ``ledger`` read on ``on`` (expired batches, weeks left, level)."""
    batches = []
    for batch in ledger.fefo_order(on) + [b for b, n in ledger.balances.items() if n < 0]:
        expiry = ledger.expiries.get(batch) if batch is not None else None
        gone = expiry is not None and expiry < on
        batches.append(BatchState(batch, expiry, ledger.balances[batch], gone))
    expired = sum(b.sachets for b in batches if b.expired and b.sachets > 0)
    usable = ledger.total - expired
    need = weekly_need(daily_need)
    weeks = weeks_left(usable, need)
    return StockState(
        balance=ledger.total,
        usable=usable,
        expired=expired,
        batches=tuple(batches),
        weekly_need=need,
        weeks_left=weeks,
        level=level(weeks, usable, alert_weeks),
        alert_weeks=alert_weeks,
    )


@dataclass(frozen=True)
class MonthFigures:
    """A month of one site's (or several sites') stock.

    ``closing = opening + received - dispensed - losses + adjustments``; ``adjustments``
    include the differences found by counts. ``counted`` is the last count of the whole site
    in the month (``None`` without one).
    """

    opening: int
    received: int
    dispensed: int
    losses: int
    adjustments: int
    closing: int
    counted: int | None

    def __add__(self, other: MonthFigures) -> MonthFigures:
        """Figures of two sites together (a count only when both were counted)."""
        both = self.counted is not None and other.counted is not None
        return MonthFigures(
            self.opening + other.opening,
            self.received + other.received,
            self.dispensed + other.dispensed,
            self.losses + other.losses,
            self.adjustments + other.adjustments,
            self.closing + other.closing,
            (self.counted or 0) + (other.counted or 0) if both else None,
        )


def month_figures(played: Sequence[Played], start: date, end: date) -> MonthFigures:
    """The figures of the month ``start``..``end`` from a replayed ledger."""
    opening = 0
    totals: dict[Step, int] = dict.fromkeys(Step, 0)
    counted: int | None = None
    closing: int | None = None
    for p in played:
        if p.event.on < start:
            opening = p.balance
            continue
        if p.event.on > end:
            break
        totals[p.event.step] += p.change
        closing = p.balance
        if p.event.step is Step.COUNT and p.event.batch is None:
            counted = p.event.sachets
    return MonthFigures(
        opening=opening,
        received=totals[Step.RECEIPT],
        dispensed=-totals[Step.DISPENSED],
        losses=-totals[Step.LOSS],
        adjustments=totals[Step.ADJUSTMENT] + totals[Step.COUNT],
        closing=opening if closing is None else closing,
        counted=counted,
    )
