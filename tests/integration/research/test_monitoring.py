"""A study's monitor: read-only source data verification of included children, and queries."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import AuditAction
from alima.core.errors import Forbidden, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.research import service
from alima.research.enums import WithdrawalUse
from alima.research.errors import ResearchError
from alima.research.schemas import QueryAnswer, QueryCreate, UnblindCreate, WithdrawalCreate
from tests.factories.core import World
from tests.factories.research import make_study
from tests.integration.research.test_enrolment import admit, consent

ASK = QueryCreate(reference="visite d'admission : poids", text="Le registre indique 6,2 kg.")


def _included(session: Session, world: World, code: str) -> uuid.UUID:
    child = admit(session, world)
    consent(session, world, child, code)
    service.randomise(session, child, code, actor=world.actors["clinician_a"])
    return child


def test_the_monitor_reads_included_children_only_and_audited(
    session: Session, world: World
) -> None:
    code = make_study(session, world, blinded=True)
    included = _included(session, world, code)
    waiting = admit(session, world)  # screened, not included
    monitor = world.actors["monitor"]
    listed = service.monitored_children(session, code, actor=monitor)
    assert [c.patient_id for c in listed] == [included]
    record = service.source_record(session, code, included, actor=monitor)
    assert record.visits and record.visits[0].is_admission
    assert record.panel.allocation is not None and record.panel.allocation.arm_code is None
    assert not record.panel.may_randomise and not record.panel.may_unblind
    with pytest.raises(NotFound):
        service.source_record(session, code, waiting, actor=monitor)
    for outsider in ("researcher", "partner_viewer"):
        with pytest.raises(NotFound):
            service.source_record(session, code, included, actor=world.actors[outsider])
    with session.begin():
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.actor_id == monitor.id, AuditEvent.patient_id.in_([included, waiting])
            )
        ).all()
    assert sorted(actions) == sorted(
        [AuditAction.READ.value, AuditAction.READ.value, AuditAction.READ_DENIED.value]
    )


def test_a_monitor_writes_no_care_data(session: Session, world: World) -> None:
    code = make_study(session, world)
    child = _included(session, world, code)
    monitor = world.actors["monitor"]
    with pytest.raises((NotFound, Forbidden)):
        service.withdraw(
            session, child, code, WithdrawalCreate(use=WithdrawalUse.NONE), actor=monitor
        )
    with pytest.raises(NotFound):
        service.unblind(session, child, code, UnblindCreate(reason="urgence"), actor=monitor)
    with pytest.raises(NotFound):
        service.study_panel(session, child, actor=monitor)  # the care card: not the monitor's


def test_a_query_is_raised_answered_by_the_site_and_closed(session: Session, world: World) -> None:
    code = make_study(session, world)
    child = _included(session, world, code)
    monitor, nurse = world.actors["monitor"], world.actors["clinician_a"]
    query = service.raise_query(session, code, child, ASK, actor=monitor)
    assert query.status == "open"
    included_elsewhere = _included(session, world, code)
    with pytest.raises(NotFound):
        service.raise_query(session, code, child, ASK, actor=nurse)  # staff do not raise
    with pytest.raises(RuleViolation) as early:
        service.close_query(session, code, child, query.id, actor=monitor)
    assert early.value.code is ResearchError.RES_074
    with pytest.raises(NotFound):
        service.answer_query(
            session, code, child, query.id, QueryAnswer(answer="x" * 5), actor=monitor
        )
    with pytest.raises(NotFound):
        service.answer_query(
            session,
            code,
            child,
            query.id,
            QueryAnswer(answer="corrigé"),
            actor=world.actors["clinician_b"],
        )
    [panel] = service.study_panel(session, child, actor=nurse)
    assert [q.id for q in panel.queries] == [query.id] and panel.may_answer
    answered = service.answer_query(
        session,
        code,
        child,
        query.id,
        QueryAnswer(answer="Erreur de saisie, corrigé : 6,2 kg"),
        actor=nurse,
    )
    assert answered.status == "answered"
    with pytest.raises(NotFound):  # a query is reached through its own child and study
        service.answer_query(
            session, code, included_elsewhere, query.id, QueryAnswer(answer="non"), actor=nurse
        )
    service.close_query(session, code, child, query.id, actor=monitor)
    [closed] = service.source_record(session, code, child, actor=monitor).queries
    assert closed.status == "closed" and closed.answer and closed.closed_at
    with pytest.raises(RuleViolation) as late:
        service.answer_query(
            session, code, child, query.id, QueryAnswer(answer="encore"), actor=nurse
        )
    assert late.value.code is ResearchError.RES_073
    with pytest.raises(ValidationError):
        QueryCreate(reference="poids", text=" ")
    with session.begin():
        changes = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "research_query", AuditEvent.entity_id == query.id
            )
        ).all()
    # Raised, answered, closed; the monitor's, the other site's and the wrong child's refused.
    assert sorted(changes) == ["create", "update", "update"] + ["write_denied"] * 3
