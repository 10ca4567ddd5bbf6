"""Property: a site's balance, weeks of stock and monthly figures equal an independent recount.

Receipts, losses, adjustments, physical counts, corrections and deletions are written through
the services in any order and on any day of the last two months, and children are admitted
(their admission visit hands out the ration the protocol gives). The recount here replays the
events by the definitions of docs/stock.md (a day's receipts, then what visits gave, losses,
adjustments, and counts last; a count sets the balance), with the sachets each admission gave
as the nurse saw them, never through the code under test.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.errors import RuleViolation
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.schemas import AdmissionCreate
from alima.stock import service
from alima.stock.enums import MovementReason
from alima.stock.errors import StockError
from alima.stock.schemas import (
    AdjustmentCreate,
    CountCreate,
    LossCreate,
    ReceiptCreate,
    RecordDelete,
)
from tests.factories.core import World
from tests.factories.nutrition import make_child
from tests.security.routes import rolled_back

WEEKS = 4.0
DAYS = 60
#: Days of movements: often the days children are admitted on, so that events share days.
DAY = st.integers(0, 5) | st.integers(0, DAYS)
ORDER = {"receipt": 0, "dispensed": 1, "loss": 2, "adjustment": 3, "count": 4}


@dataclass(frozen=True)
class Op:
    kind: str  # receipt, loss, adjustment, count, admit, delete, correct
    days_ago: int
    sachets: int
    pick: int  # which earlier movement a deletion or correction names


ops = st.lists(
    st.one_of(
        st.builds(Op, st.just("receipt"), DAY, st.integers(1, 400), st.just(0)),
        st.builds(Op, st.just("loss"), DAY, st.integers(1, 60), st.just(0)),
        st.builds(
            Op,
            st.just("adjustment"),
            DAY,
            st.integers(-40, 40).filter(bool),
            st.just(0),
        ),
        st.builds(Op, st.just("count"), DAY, st.integers(0, 300), st.just(0)),
        st.builds(Op, st.just("admit"), st.integers(0, 5), st.just(0), st.just(0)),
        st.builds(Op, st.just("delete"), st.just(0), st.just(0), st.integers(0, 20)),
        st.builds(Op, st.just("correct"), st.just(0), st.integers(1, 400), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=14,
)


@dataclass
class Entry:
    """An event of the recount: a movement (``id``) or what an admission gave."""

    kind: str
    on: date
    sachets: int
    seq: int
    id: uuid.UUID | None = None
    live: bool = True
    #: The correction that replaces this movement.
    replaced_by: uuid.UUID | None = None


def _balance(entries: list[Entry], until: date) -> int:
    balance = 0
    for e in sorted(entries, key=lambda e: (e.on, ORDER[e.kind], e.seq)):
        if not e.live or e.on > until:
            continue
        if e.kind == "count":
            balance = e.sachets
        elif e.kind in ("loss", "dispensed"):
            balance -= e.sachets
        else:
            balance += e.sachets
    return balance


def _month_recount(entries: list[Entry], start: date, end: date) -> dict[str, int]:
    live = [e for e in entries if e.live and start <= e.on <= end]
    opening = _balance(entries, start - timedelta(days=1))
    closing = _balance(entries, end)
    received = sum(e.sachets for e in live if e.kind == "receipt")
    dispensed = sum(e.sachets for e in live if e.kind == "dispensed")
    losses = sum(e.sachets for e in live if e.kind == "loss")
    return {
        "opening": opening,
        "received": received,
        "dispensed": dispensed,
        "losses": losses,
        # Whatever else moved the balance: adjustments and the differences counts found.
        "adjustments": closing - opening - received + dispensed + losses,
        "closing": closing,
    }


def _play(session: Session, world: World, program: list[Op]) -> tuple[list[Entry], list[float]]:
    actor = world.actors["clinician_a"]
    code = world.facility_a.code
    expiry = today() + timedelta(days=400)
    entries: list[Entry] = []
    rations: list[float] = []
    for seq, op in enumerate(program):
        on = today() - timedelta(days=op.days_ago)
        movements = [e for e in entries if e.id is not None and e.live]
        if op.kind == "admit":
            child = make_child(session, world.facility_a, age_days=500)
            admitted = nutrition.admit_child(
                session,
                AdmissionCreate(
                    patient_id=child.id,
                    admitted_on=on,
                    weight_kg=6.5,
                    height_cm=70.0,
                    muac_mm=112,
                    appetite_test_passed=True,
                ),
                actor=actor,
            )
            assert admitted.ration is not None
            entries.append(Entry("dispensed", on, admitted.visit.sachets_given, seq))
            rations.append(float(admitted.ration.sachets_per_day))
        elif op.kind == "delete":
            if not movements:
                continue
            target = movements[op.pick % len(movements)]
            assert target.id is not None
            service.delete_movement(session, target.id, RecordDelete(reason="erreur"), actor=actor)
            target.live = False
            # A deleted correction gives back the movement it replaced.
            for e in entries:
                if e.replaced_by == target.id:
                    e.live, e.replaced_by = True, None
        elif op.kind == "correct":
            receipts = [e for e in movements if e.kind == "receipt"]
            if not receipts:
                continue
            target = receipts[op.pick % len(receipts)]
            saved = service.record_receipt(
                session,
                ReceiptCreate(
                    place_code=code,
                    moved_on=target.on,
                    quantity=op.sachets,
                    batch="LOT",
                    expires_on=expiry,
                    corrects_id=target.id,
                ),
                actor=actor,
                per_carton=None,
            )
            target.live = False
            target.replaced_by = saved.id
            entries.append(Entry("receipt", target.on, op.sachets, target.seq, saved.id))
        else:
            available = _balance(entries, on)
            removes = op.kind == "loss" or (op.kind == "adjustment" and op.sachets < 0)
            if removes and available < abs(op.sachets):
                # More than the recount says the site held that day: refused, nothing written.
                with pytest.raises(RuleViolation) as refused:
                    _write(session, actor, op, code=code, on=on, expiry=expiry)
                assert refused.value.code is StockError.STOCK_005
                continue
            saved_id = _write(session, actor, op, code=code, on=on, expiry=expiry)
            entries.append(Entry(op.kind, on, op.sachets, seq, saved_id))
    return entries, rations


def _write(
    session: Session, actor: Actor, op: Op, *, code: str, on: date, expiry: date
) -> uuid.UUID:
    if op.kind == "receipt":
        data = ReceiptCreate(
            place_code=code, moved_on=on, quantity=op.sachets, batch="LOT", expires_on=expiry
        )
        return service.record_receipt(session, data, actor=actor, per_carton=None).id
    if op.kind == "loss":
        loss = LossCreate(
            place_code=code, moved_on=on, quantity=op.sachets, reason=MovementReason.DAMAGED
        )
        return service.record_loss(session, loss, actor=actor, per_carton=None).id
    if op.kind == "adjustment":
        change = AdjustmentCreate(
            place_code=code, moved_on=on, change=op.sachets, reason=MovementReason.CORRECTION
        )
        return service.record_adjustment(session, change, actor=actor).id
    count = CountCreate(place_code=code, moved_on=on, quantity=op.sachets)
    return service.record_count(session, count, actor=actor, per_carton=None).id


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=ops)
def test_balance_weeks_and_months_equal_a_recount(
    session: Session, world: World, program: list[Op]
) -> None:
    with rolled_back(session):
        entries, rations = _play(session, world, program)
        read = service.site_stock(
            session, world.facility_a.code, actor=world.actors["coordinator"], alert_weeks=WEEKS
        )
        balance = _balance(entries, today())
        assert read.balance == balance
        assert read.usable == balance  # nothing has expired
        need = math.ceil(round(sum(rations) * 7, 6))
        assert read.weekly_need == need
        if need:
            assert read.weeks_left == math.floor(max(balance, 0) / need * 10) / 10
        else:
            assert read.weeks_left is None
        start = (today() - timedelta(days=DAYS)).replace(day=1)
        while start <= today():
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            report = service.monthly_stock_report(
                session,
                month=f"{start:%Y-%m}",
                place_code=world.facility_a.code,
                actor=world.actors["data_manager"],
                alert_weeks=WEEKS,
            )
            figures = {k: getattr(report, k) for k in _month_recount(entries, start, end)}
            assert figures == _month_recount(entries, start, end), start
            start = end + timedelta(days=1)
