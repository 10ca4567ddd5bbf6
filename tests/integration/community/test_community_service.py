"""Community screening on both databases: referral, completion, agreement, scope, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.community import service
from alima.community.enums import ReferralStatus, ReferralUrgency, ScreenerType
from alima.community.schemas import (
    ArrivalCreate,
    RecordDelete,
    ScreeningCreate,
    StatisticsFilter,
    TrainingCreate,
)
from alima.core.errors import Forbidden, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.growth.muac import MuacBand
from alima.nutrition.enums import Oedema
from tests.factories.core import World


def screening(world: World, **overrides: object) -> ScreeningCreate:
    data: dict[str, object] = {
        "place_code": world.facility_a.code,
        "screener_type": ScreenerType.MOTHER,
        "child_given_name": "Awa",
        "child_family_name": "Traoré",
        "child_age_months": 20,
        "village": "Pogo",
        "muac_mm": 108,
    }
    data.update(overrides)
    return ScreeningCreate.model_validate(data)


def audit(session: Session, **where: object) -> list[AuditEvent]:
    with session.begin():
        stmt = select(AuditEvent)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(stmt))


def test_red_muac_refers_then_arrival_completes_and_agreement_counts(
    session: Session, world: World
) -> None:
    clinician = world.actors["clinician_a"]
    before = service.statistics(
        session, StatisticsFilter(place_code=world.facility_a.code), actor=clinician
    )
    screened = service.record_screening(session, screening(world), actor=clinician)
    assert screened.band is MuacBand.RED
    assert screened.referral is not None
    assert screened.referral.urgency is ReferralUrgency.URGENT
    assert screened.referral.status is ReferralStatus.PENDING
    pending = service.pending_referrals(session, actor=clinician)
    assert [r.id for r in pending] == [screened.referral.id]

    done = service.record_arrival(
        session,
        screened.referral.id,
        ArrivalCreate(muac_mm=111, admitted=True),
        actor=clinician,
    )
    assert done.status is ReferralStatus.COMPLETED
    assert done.arrival_band is MuacBand.RED
    assert done.bands_agree is True
    assert done.admitted is True
    after = service.statistics(
        session, StatisticsFilter(place_code=world.facility_a.code), actor=clinician
    )
    assert after.referrals == before.referrals + 1
    assert after.referrals_completed == before.referrals_completed + 1
    assert after.agreement.measured == before.agreement.measured + 1
    assert after.agreement.agreeing == before.agreement.agreeing + 1
    assert after.admitted == before.admitted + 1
    assert service.pending_referrals(session, actor=clinician) == []
    with pytest.raises(RuleViolation):
        service.record_arrival(
            session, done.id, ArrivalCreate(muac_mm=111, admitted=True), actor=clinician
        )
    updates = audit(session, entity_id=done.id, action="update")
    assert len(updates) == 1
    assert updates[0].before is not None and updates[0].before["status"] == "pending"


def test_disagreement_and_routine_referral_and_green(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    yellow = service.record_screening(
        session, screening(world, muac_mm=118, screener_type=ScreenerType.CHW), actor=clinician
    )
    assert yellow.referral is not None and yellow.referral.urgency is ReferralUrgency.ROUTINE
    arrived = service.record_arrival(
        session, yellow.referral.id, ArrivalCreate(muac_mm=127, admitted=False), actor=clinician
    )
    assert arrived.bands_agree is False
    green = service.record_screening(session, screening(world, muac_mm=140), actor=clinician)
    assert green.referral is None
    oedema = service.record_screening(
        session, screening(world, muac_mm=140, oedema=Oedema.PLUS2), actor=clinician
    )
    assert oedema.referral is not None and oedema.referral.urgency is ReferralUrgency.URGENT
    stats = service.statistics(
        session, StatisticsFilter(place_code=world.facility_a.code), actor=clinician
    )
    chw = next(a for a in stats.agreement_by_screener if a.screener_type is ScreenerType.CHW)
    assert (chw.agreeing, chw.measured, chw.percent) == (0, 1, 0.0)
    assert {r.code: r.count for r in stats.screenings_by_band}["green"] == 2


def test_age_out_of_range_and_future_date_refused(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    with pytest.raises(RuleViolation) as caught:
        service.record_screening(session, screening(world, child_age_months=4), actor=clinician)
    assert caught.value.context["field"] == "child_age_months"
    with pytest.raises(RuleViolation):
        service.record_screening(
            session, screening(world, screened_on=today() + timedelta(days=1)), actor=clinician
        )


def test_other_facility_cannot_see_or_complete(session: Session, world: World) -> None:
    screened = service.record_screening(
        session, screening(world), actor=world.actors["clinician_a"]
    )
    assert screened.referral is not None
    other = world.actors["clinician_b"]
    with pytest.raises(NotFound):
        service.get_screening(session, screened.id, actor=other)
    with pytest.raises(NotFound):
        service.get_referral(session, screened.referral.id, actor=other)
    with pytest.raises(NotFound):
        service.record_arrival(
            session, screened.referral.id, ArrivalCreate(muac_mm=110, admitted=True), actor=other
        )
    with pytest.raises(NotFound):
        service.record_screening(session, screening(world), actor=world.actors["clinician_b"])
    with pytest.raises(Forbidden):
        service.record_screening(session, screening(world), actor=world.actors["partner_viewer"])
    denied = audit(session, actor_id=other.id)
    assert {e.action for e in denied} == {"read_denied", "write_denied"}
    assert len(denied) == 3


def test_training_at_own_facility_or_area_in_scope(session: Session, world: World) -> None:
    data = {
        "trainer_name": "Awa Diarra",
        "trainer_role": "chw",
        "village": "Pogo",
        "mothers_trained": 32,
    }
    own = service.record_training(
        session, TrainingCreate.model_validate(data), actor=world.actors["clinician_a"]
    )
    assert own.place_code == world.facility_a.code
    with pytest.raises(NotFound):
        service.record_training(
            session,
            TrainingCreate.model_validate({**data, "place_code": world.area_a.code}),
            actor=world.actors["clinician_a"],
        )
    area = service.record_training(
        session,
        TrainingCreate.model_validate({**data, "place_code": world.area_a.code}),
        actor=world.actors["data_manager"],
    )
    assert area.place_code == world.area_a.code
    stats = service.statistics(session, StatisticsFilter(), actor=world.actors["data_manager"])
    assert (stats.trainings, stats.mothers_trained) == (2, 64)


def test_delete_hides_from_statistics(session: Session, world: World) -> None:
    manager = world.actors["data_manager"]
    screened = service.record_screening(session, screening(world), actor=manager)
    stats = service.statistics(session, StatisticsFilter(), actor=manager)
    service.delete_screening(session, screened.id, RecordDelete(reason="doublon"), actor=manager)
    again = service.statistics(session, StatisticsFilter(), actor=manager)
    assert again.screenings == stats.screenings - 1
    assert again.referrals == stats.referrals - 1
    with pytest.raises(NotFound):
        service.delete_screening(
            session, screened.id, RecordDelete(reason="encore"), actor=world.actors["clinician_a"]
        )
