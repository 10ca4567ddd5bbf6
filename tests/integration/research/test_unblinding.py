"""Emergency unblinding: one clinician learns one child's arm, with a reason, for good."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.errors import NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.research import service
from alima.research.errors import ResearchError
from alima.research.models import Unblinding
from alima.research.schemas import UnblindCreate
from tests.factories.core import World
from tests.factories.research import make_study
from tests.integration.research.test_enrolment import admit, consent

WHY = UnblindCreate(reason="Réaction sévère : le médecin doit connaître le produit")


def _randomised(session: Session, world: World, code: str) -> object:
    child = admit(session, world)
    consent(session, world, child, code)
    service.randomise(session, child, code, actor=world.actors["clinician_a"])
    return child


def test_a_clinician_unblinds_one_child_with_a_reason_for_good(
    session: Session, world: World
) -> None:
    code = make_study(session, world, blinded=True)
    child = _randomised(session, world, code)
    nurse = world.actors["clinician_a"]
    before = service.child_in_study(session, child, code, actor=nurse)  # type: ignore[arg-type]
    assert before.allocation is not None and before.allocation.arm_code is None
    assert before.may_unblind
    after = service.unblind(session, child, code, WHY, actor=nurse)  # type: ignore[arg-type]
    assert after.allocation is not None and after.allocation.arm_code in {"optima", "standard"}
    assert not after.may_unblind
    # Shown to this clinician only: the administrator still reads a blinded arm.
    other = service.child_in_study(session, child, code, actor=world.actors["administrator"])  # type: ignore[arg-type]
    assert other.allocation is not None and other.allocation.arm_code is None
    service.unblind(session, child, code, WHY, actor=nurse)  # type: ignore[arg-type]
    with session.begin():
        rows = session.scalars(select(Unblinding).where(Unblinding.patient_id == child)).all()
        assert [(r.created_by_id, r.reason) for r in rows] == [(nurse.id, WHY.reason)]
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "research_unblinding", AuditEvent.patient_id == child)
        )
        assert audited == 1
        rows[0].reason = "changed"
        with pytest.raises(RuntimeError):
            session.flush()
        session.rollback()
    board = service.study_dashboard(session, code, actor=world.actors["researcher"])
    assert board.unblinded == 1


def test_unblinding_is_refused_without_reason_right_blinding_or_arm(
    session: Session, world: World
) -> None:
    with pytest.raises(ValidationError):
        UnblindCreate(reason="  ")
    code = make_study(session, world, blinded=True)
    child = _randomised(session, world, code)
    for outsider in ("clinician_b", "researcher", "coordinator"):
        with pytest.raises(NotFound):
            service.unblind(session, child, code, WHY, actor=world.actors[outsider])  # type: ignore[arg-type]
    waiting = admit(session, world)
    with pytest.raises(RuleViolation) as none:
        service.unblind(session, waiting, code, WHY, actor=world.actors["clinician_a"])
    assert none.value.code is ResearchError.RES_072
    board = service.study_dashboard(session, code, actor=world.actors["researcher"])
    assert board.unblinded == 0


def test_an_open_label_study_has_nothing_to_unblind(session: Session, world: World) -> None:
    open_label = make_study(session, world)
    child = _randomised(session, world, open_label)
    with pytest.raises(RuleViolation) as shown:
        service.unblind(session, child, open_label, WHY, actor=world.actors["clinician_a"])  # type: ignore[arg-type]
    assert shown.value.code is ResearchError.RES_071
