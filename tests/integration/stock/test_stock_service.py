"""RUTF stock through the services, on both databases: dispensing read from the visits, FEFO,
weeks of stock and the alert, counts, corrections, deletion, scope and the period lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.alliance.errors import AllianceError
from alima.alliance.rules import month_key, months_before
from alima.alliance.schemas import PeriodSubmit
from alima.alliance.service import periods
from alima.core.enums import AuditAction
from alima.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.stock import service
from alima.stock.enums import MovementReason, QuantityUnit, StockLevel
from alima.stock.errors import StockError
from alima.stock.schemas import (
    AdjustmentCreate,
    CountCreate,
    LossCreate,
    ReceiptCreate,
    RecordDelete,
    StockRead,
)
from tests.factories.alliance import build_alliance
from tests.factories.core import World
from tests.factories.nutrition import admit_sam_child

WEEKS = 4.0
PER_CARTON = 150


def receive(
    session: Session,
    world: World,
    sachets: int,
    *,
    batch: str = "L1",
    expires_on: date | None = None,
    on: date | None = None,
    actor: str = "clinician_a",
    code: str | None = None,
) -> None:
    service.record_receipt(
        session,
        ReceiptCreate(
            place_code=code or world.facility_a.code,
            moved_on=on or today() - timedelta(days=20),
            quantity=sachets,
            batch=batch,
            expires_on=expires_on or today() + timedelta(days=365),
        ),
        actor=world.actors[actor],
        per_carton=PER_CARTON,
    )


def stock(
    session: Session, world: World, *, on: date | None = None, actor: str = "clinician_a"
) -> StockRead:
    return service.site_stock(
        session, world.facility_a.code, actor=world.actors[actor], alert_weeks=WEEKS, today=on
    )


def test_visits_dispense_by_fefo_and_the_count_sets_the_balance(
    session: Session, world: World
) -> None:
    soon, later = today() + timedelta(days=40), today() + timedelta(days=300)
    receive(session, world, 100, batch="LATE", expires_on=later)
    receive(session, world, 50, batch="SOON", expires_on=soon)
    admitted = admit_sam_child(session, world, admitted_on=today() - timedelta(days=3))
    given = admitted.visit.sachets_given
    assert given > 0
    read = stock(session, world)
    assert read.balance == 150 - given
    by_batch = {b.batch: b.sachets for b in read.batches}
    # First expiry, first out: the batch that expires first gave the sachets.
    assert by_batch == {"SOON": 50 - given, "LATE": 100}
    assert [b.batch for b in read.batches] == ["SOON", "LATE"]

    counted = service.record_count(
        session,
        CountCreate(place_code=world.facility_a.code, quantity=1, unit=QuantityUnit.CARTON),
        actor=world.actors["clinician_a"],
        per_carton=PER_CARTON,
    )
    assert counted.sachets == PER_CARTON
    read = stock(session, world)
    assert read.balance == PER_CARTON
    assert read.last_count_on == today()
    change = {m.id: m.change for m in read.movements}[counted.id]
    assert change == PER_CARTON - (150 - given)


def test_expired_batches_are_flagged_at_read_time_and_do_not_count_as_usable(
    session: Session, world: World
) -> None:
    receive(session, world, 30, batch="OLD", expires_on=today() + timedelta(days=5))
    receive(session, world, 70, batch="NEW", expires_on=today() + timedelta(days=200))
    now = stock(session, world)
    assert (now.usable, now.expired) == (100, 0)
    later = stock(session, world, on=today() + timedelta(days=6))
    assert (later.balance, later.usable, later.expired) == (100, 70, 30)
    assert [(b.batch, b.expired) for b in later.batches] == [("NEW", False), ("OLD", True)]


def test_the_stock_out_alert_fires_under_the_threshold(session: Session, world: World) -> None:
    admitted = admit_sam_child(session, world, admitted_on=today() - timedelta(days=1))
    weekly = admitted.rutf_sachets_per_week
    receive(session, world, weekly * 10)
    read = stock(session, world)
    assert read.weekly_need == weekly
    assert read.level is StockLevel.OK
    assert service.stock_alerts(session, actor=world.actors["clinician_a"], alert_weeks=WEEKS) == []
    service.record_loss(
        session,
        LossCreate(
            place_code=world.facility_a.code,
            quantity=read.balance - weekly * 2,
            reason=MovementReason.DAMAGED,
        ),
        actor=world.actors["clinician_a"],
        per_carton=PER_CARTON,
    )
    read = stock(session, world)
    assert read.weeks_left == 2.0
    assert read.level is StockLevel.LOW
    alerts = service.stock_alerts(session, actor=world.actors["coordinator"], alert_weeks=WEEKS)
    assert [(a.place_code, a.level) for a in alerts] == [(world.facility_a.code, StockLevel.LOW)]
    # The threshold is a setting: at 2 weeks, 2.0 weeks left is no alert.
    assert service.stock_alerts(session, actor=world.actors["coordinator"], alert_weeks=2) == []


def test_a_correction_replaces_and_its_deletion_restores(session: Session, world: World) -> None:
    receive(session, world, 100)
    first = stock(session, world).movements[0]
    assert first.expires_on is not None
    corrected = service.record_receipt(
        session,
        ReceiptCreate(
            place_code=world.facility_a.code,
            moved_on=first.moved_on,
            quantity=120,
            batch="L1",
            expires_on=first.expires_on,
            corrects_id=first.id,
        ),
        actor=world.actors["clinician_a"],
        per_carton=PER_CARTON,
    )
    read = stock(session, world)
    assert read.balance == 120
    assert {m.id: m.corrected for m in read.movements} == {first.id: True, corrected.id: False}
    with pytest.raises(Conflict) as twice:
        service.record_receipt(
            session,
            ReceiptCreate(
                place_code=world.facility_a.code,
                quantity=1,
                batch="L1",
                expires_on=first.expires_on,
                corrects_id=first.id,
            ),
            actor=world.actors["clinician_a"],
            per_carton=PER_CARTON,
        )
    assert twice.value.code is StockError.STOCK_007
    service.delete_movement(
        session,
        corrected.id,
        RecordDelete(reason="saisie en double"),
        actor=world.actors["data_manager"],
    )
    assert stock(session, world).balance == 100
    with session.begin():
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "stock_movement")
        ).all()
    assert sorted(actions) == sorted(
        [AuditAction.CREATE.value, AuditAction.CREATE.value, AuditAction.DELETE.value]
    )


def test_no_more_removed_than_in_stock(session: Session, world: World) -> None:
    receive(session, world, 10, batch="A")
    clinician = world.actors["clinician_a"]
    too_much = LossCreate(
        place_code=world.facility_a.code, quantity=11, reason=MovementReason.STOLEN
    )
    with pytest.raises(RuleViolation) as lost:
        service.record_loss(session, too_much, actor=clinician, per_carton=PER_CARTON)
    assert lost.value.code is StockError.STOCK_005
    unknown = AdjustmentCreate(
        place_code=world.facility_a.code, change=-5, batch="B", reason=MovementReason.OTHER
    )
    with pytest.raises(RuleViolation) as adjusted:
        service.record_adjustment(session, unknown, actor=clinician)
    assert adjusted.value.code is StockError.STOCK_006
    assert stock(session, world).balance == 10


def test_another_sites_stock_is_invisible_and_refused(session: Session, world: World) -> None:
    receive(session, world, 40)
    # The clinician of facility B sees nothing of A, and cannot write there.
    with pytest.raises(NotFound):
        service.site_stock(
            session, world.facility_a.code, actor=world.actors["clinician_b"], alert_weeks=WEEKS
        )
    with pytest.raises(NotFound):
        receive(session, world, 5, actor="clinician_b")
    overview = service.stock_overview(session, actor=world.actors["clinician_b"], alert_weeks=WEEKS)
    assert [a.place_code for a in overview] == [world.facility_b.code]
    # The coordinator reads both sites and cannot write.
    coordinator = service.stock_overview(
        session, actor=world.actors["coordinator"], alert_weeks=WEEKS
    )
    assert {a.place_code for a in coordinator} == {world.facility_a.code, world.facility_b.code}
    with pytest.raises(Forbidden):
        receive(session, world, 5, actor="coordinator")


def test_movements_in_an_approved_month_are_refused(session: Session, world: World) -> None:
    alliance = build_alliance(session, world)
    month = months_before(today(), 2)
    on = month + timedelta(days=9)
    receive(session, world, 100, on=on)
    submitted = periods.submit_period(
        session,
        PeriodSubmit(place_code=world.district.code, month=month_key(month)),
        actor=world.actors["data_manager"],
    )
    periods.approve_period(session, submitted.id, actor=world.actors["coordinator"])
    periods.approve_period(session, submitted.id, actor=alliance.actors["colead_coordinator"])
    locked_id = stock(session, world).movements[0].id
    writes: list[Callable[[], object]] = [
        lambda: receive(session, world, 5, on=on + timedelta(days=1)),
        lambda: service.record_loss(
            session,
            LossCreate(
                place_code=world.facility_a.code,
                moved_on=on,
                quantity=5,
                reason=MovementReason.EXPIRED,
            ),
            actor=world.actors["clinician_a"],
            per_carton=PER_CARTON,
        ),
        # A correction dated today of a movement of the approved month changes that month.
        lambda: service.record_receipt(
            session,
            ReceiptCreate(
                place_code=world.facility_a.code,
                quantity=90,
                batch="L1",
                expires_on=today() + timedelta(days=365),
                corrects_id=locked_id,
            ),
            actor=world.actors["clinician_a"],
            per_carton=PER_CARTON,
        ),
        lambda: service.delete_movement(
            session, locked_id, RecordDelete(reason="erreur"), actor=world.actors["data_manager"]
        ),
    ]
    for write in writes:
        with pytest.raises(Conflict) as caught:
            write()
        assert caught.value.code is AllianceError.ALLIANCE_005
    assert stock(session, world).balance == 100
    # A movement of the open month still goes in.
    receive(session, world, 5, on=today())
    assert stock(session, world).balance == 105
