"""A child referred to inpatient care at a visit: the decision is recorded (issue 9).

Until the clinician records the medical transfer (the episode exits with that outcome) or keeps
the child with a stated reason (a ration and a next visit are then given), the caseload lists
the child as referred, awaiting a decision.
"""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.errors import Conflict, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import ReferralDecision
from alima.nutrition.schemas import ReferralResolve, VisitCreate
from tests.factories.core import World
from tests.factories.nutrition import admit_sam_child


def referred(session: Session, world: World) -> uuid.UUID:
    actor = world.actors["clinician_a"]
    start = today() - timedelta(days=7)
    admitted = admit_sam_child(session, world, admitted_on=start)
    visit = service.record_visit(
        session,
        admitted.episode_id,
        VisitCreate(visit_on=today(), weight_kg=6.1, muac_mm=114, danger_signs=True),
        actor=actor,
    )
    assert (visit.status, visit.next_visit_on, visit.ration) == ("open", None, None)
    return admitted.episode_id


def test_caseload_lists_the_referred_child_until_the_transfer(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    episode_id = referred(session, world)
    card = service.get_episode(session, episode_id, actor=actor)
    assert card.referred_on == today()
    load = service.caseload(session, world.facility_a.code, actor=actor)
    assert [e.episode_id for e in load.referred] == [episode_id]
    assert episode_id not in [e.episode_id for e in load.due + load.missed + load.upcoming]
    done = service.resolve_referral(
        session,
        episode_id,
        ReferralResolve(decision=ReferralDecision.TRANSFER, note="Hôpital de district"),
        actor=actor,
    )
    assert (done.status, done.outcome, done.closed_on) == ("closed", "medical_transfer", today())
    assert service.caseload(session, world.facility_a.code, actor=actor).referred == []
    with session.begin():
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == episode_id)).all()
        assert any((e.after or {}).get("outcome") == "medical_transfer" for e in events)
    with pytest.raises(Conflict):
        service.resolve_referral(
            session,
            episode_id,
            ReferralResolve(decision=ReferralDecision.TRANSFER),
            actor=actor,
        )


def test_keeping_a_referred_child_needs_a_reason_and_gives_a_ration(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    episode_id = referred(session, world)
    with pytest.raises(RuleViolation) as caught:
        service.resolve_referral(
            session, episode_id, ReferralResolve(decision=ReferralDecision.KEEP), actor=actor
        )
    assert caught.value.code.name == "NUT_032"
    kept = service.resolve_referral(
        session,
        episode_id,
        ReferralResolve(
            decision=ReferralDecision.KEEP, note="Parents refuse the hospital; seen by the doctor"
        ),
        actor=actor,
    )
    assert kept.status == "open"
    assert kept.referred_on is None
    assert kept.referral_kept_reason == "Parents refuse the hospital; seen by the doctor"
    assert kept.next_visit_on is not None
    assert kept.next_visit_on > today()
    assert kept.current_ration is not None
    assert kept.visits[-1].sachets_given > 0
    assert kept.sachets_total == sum(v.sachets_given for v in kept.visits)
    load = service.caseload(session, world.facility_a.code, actor=actor)
    assert load.referred == []
    assert [e.episode_id for e in load.upcoming] == [episode_id]
    with pytest.raises(Conflict) as again:
        service.resolve_referral(
            session,
            episode_id,
            ReferralResolve(decision=ReferralDecision.KEEP, note="again"),
            actor=actor,
        )
    assert again.value.code.name == "NUT_031"


def test_referral_of_another_facility_is_not_found(session: Session, world: World) -> None:
    episode_id = referred(session, world)
    with pytest.raises(NotFound):
        service.resolve_referral(
            session,
            episode_id,
            ReferralResolve(decision=ReferralDecision.TRANSFER),
            actor=world.actors["clinician_b"],
        )
    assert (
        service.get_episode(session, episode_id, actor=world.actors["clinician_a"]).status == "open"
    )
