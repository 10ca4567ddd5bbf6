"""Follow-up of an included child: schedule statuses from routine care and study visits, missed
windows, withdrawal, serious adverse events and their reporting delay (issue 15).

The child is admitted two days ago (weight and MUAC measured) and randomised; the allocation's
date is then moved back (a bulk statement: the ORM refuses to change an allocation), so that
the admission falls inside or outside the month-1 window (day 30, 7 days before, 14 after:
days 23 to 44).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from alima.core.errors import NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.nutrition import service as nutrition_service
from alima.nutrition.enums import Outcome
from alima.nutrition.models import Episode
from alima.nutrition.schemas import AdmissionCreate, ExitCreate
from alima.research import service
from alima.research.enums import (
    ConsentMethod,
    EventStatus,
    Relatedness,
    ReportStatus,
    SaeCategory,
    SaeOutcome,
    WithdrawalUse,
)
from alima.research.errors import ResearchError
from alima.research.models import Allocation
from alima.research.schemas import (
    AdverseEventCreate,
    ConsentCreate,
    StudyEventIn,
    StudyVisitCreate,
    WithdrawalCreate,
)
from tests.factories.core import World
from tests.factories.nutrition import make_child
from tests.factories.research import make_study

SCHEDULE = [
    StudyEventIn(
        code="M1",
        label_fr="Mois 1",
        label_en="Month 1",
        day_offset=30,
        window_before_days=7,
        window_after_days=14,
    ),
    StudyEventIn(
        code="M3",
        label_fr="Mois 3",
        label_en="Month 3",
        day_offset=91,
        window_before_days=7,
        window_after_days=14,
    ),
]


@pytest.fixture
def study(session: Session, world: World) -> str:
    return make_study(session, world, schedule=SCHEDULE)


def ago(days: int) -> date:
    return today() - timedelta(days=days)


def include(session: Session, world: World, study: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A child admitted two days ago (weight and MUAC measured) and randomised: (child, episode)."""
    nurse = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=400)
    admitted = nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child.id,
            admitted_on=ago(2),
            weight_kg=6.0,
            height_cm=67.5,
            muac_mm=113,
            appetite_test_passed=True,
            protocol_code="optima",
        ),
        actor=nurse,
    )
    [panel] = service.study_panel(session, child.id, actor=nurse)
    service.record_consent(
        session,
        child.id,
        study,
        ConsentCreate(
            form_id=panel.forms[0].id,
            consented_on=ago(2),
            caregiver_name="Mariam Diarra",
            caregiver_relation="mother",
            method=ConsentMethod.SIGNED,
        ),
        actor=nurse,
    )
    service.randomise(session, child.id, study, actor=nurse)
    return child.id, admitted.episode_id


def included(session: Session, child: uuid.UUID, days_ago: int) -> None:
    """Move the child's inclusion back (a bulk statement: the ORM refuses to change it)."""
    with session.begin():
        session.execute(
            update(Allocation)
            .where(Allocation.patient_id == child)
            .values(revealed_at=datetime.combine(ago(days_ago), time(9), tzinfo=UTC)),
            execution_options={"synchronize_session": False},
        )


def statuses(
    session: Session, world: World, child: uuid.UUID, study: str, **kw: Any
) -> dict[str, EventStatus]:
    follow = service.child_follow_up(session, child, study, actor=world.actors["clinician_a"], **kw)
    return {e.code: e.status for e in follow.events}


def test_routine_data_inside_the_window_fills_the_event_outside_it_does_not(
    session: Session, world: World, study: str
) -> None:
    child, _ = include(session, world, study)
    nurse = world.actors["clinician_a"]
    included(session, child, 60)  # month 1: days 23 to 44, the admission two days ago is after
    assert statuses(session, world, child, study) == {
        "M1": EventStatus.MISSED,
        "M3": EventStatus.UPCOMING,
    }
    missed = service.missed_windows(session, study, actor=nurse)
    assert [(m.patient_id, m.event_code, m.closes_on) for m in missed] == [(child, "M1", ago(16))]
    # read on a day the window was open, the same child is due and not listed
    on = ago(20)
    assert statuses(session, world, child, study, today=on)["M1"] is EventStatus.DUE
    assert service.missed_windows(session, study, actor=nurse, today=on) == []
    included(session, child, 32)  # month 1 now targets the admission day
    follow = service.child_follow_up(session, child, study, actor=nurse)
    m1 = next(e for e in follow.events if e.code == "M1")
    assert m1.status is EventStatus.ROUTINE and m1.filled_on == ago(2)
    assert m1.label == "Mois 1"
    assert service.missed_windows(session, study, actor=nurse) == []


def test_a_study_visit_fills_a_due_event_and_is_refused_outside_its_window(
    session: Session, world: World, study: str
) -> None:
    child, _ = include(session, world, study)
    nurse = world.actors["clinician_a"]
    included(session, child, 24)  # month 1 opened yesterday, after the admission
    assert statuses(session, world, child, study)["M1"] is EventStatus.DUE
    with pytest.raises(RuleViolation) as outside:
        service.record_study_visit(
            session,
            child,
            study,
            StudyVisitCreate(event_code="M1", visit_on=ago(2), weight_kg=6.4, muac_mm=118),
            actor=nurse,
        )
    assert outside.value.code is ResearchError.RES_051
    follow = service.record_study_visit(
        session,
        child,
        study,
        StudyVisitCreate(event_code="M1", weight_kg=6.4, muac_mm=118),
        actor=nurse,
    )
    assert {e.code: e.status for e in follow.events}["M1"] is EventStatus.STUDY_VISIT
    with pytest.raises(RuleViolation) as again:
        service.record_study_visit(
            session,
            child,
            study,
            StudyVisitCreate(event_code="M1", weight_kg=6.4, muac_mm=118),
            actor=nurse,
        )
    assert again.value.code is ResearchError.RES_053
    with session.begin():
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "research_study_visit", AuditEvent.patient_id == child)
        )
    assert audited == 1


def test_routine_data_in_the_window_refuses_a_study_visit(
    session: Session, world: World, study: str
) -> None:
    child, _ = include(session, world, study)
    included(session, child, 32)
    with pytest.raises(RuleViolation) as refused:
        service.record_study_visit(
            session,
            child,
            study,
            StudyVisitCreate(event_code="M1", weight_kg=6.4, muac_mm=118),
            actor=world.actors["clinician_a"],
        )
    assert refused.value.code is ResearchError.RES_052


def test_withdrawal_stops_the_events_due_after_it(
    session: Session, world: World, study: str
) -> None:
    child, _ = include(session, world, study)
    included(session, child, 60)
    service.withdraw(
        session,
        child,
        study,
        WithdrawalCreate(withdrawn_on=ago(50), use=WithdrawalUse.COLLECTED),
        actor=world.actors["clinician_a"],
    )
    later = statuses(session, world, child, study, today=ago(-60))
    assert later == {"M1": EventStatus.WITHDRAWN, "M3": EventStatus.WITHDRAWN}
    assert service.missed_windows(session, study, actor=world.actors["clinician_a"]) == []


def test_an_sae_is_overdue_when_read_after_its_delay_then_reported_late(
    session: Session, world: World, study: str
) -> None:
    child, _ = include(session, world, study)
    nurse = world.actors["clinician_a"]
    sae = service.report_adverse_event(
        session,
        child,
        study,
        AdverseEventCreate(
            onset_on=ago(5),
            aware_on=ago(3),
            category=SaeCategory.HOSPITALISATION,
            outcome=SaeOutcome.RECOVERING,
            relatedness=Relatedness.NOT_RELATED,
            summary="pneumonie, hospitalisé au CSRéf",
        ),
        actor=nurse,
    )
    assert sae.report_due_on == ago(2)
    assert sae.report_status is ReportStatus.OVERDUE  # computed when read, nothing ran
    on_the_day = service.study_safety(session, study, actor=nurse, today=ago(2))
    assert on_the_day.adverse_events[0].report_status is ReportStatus.TO_REPORT
    done = service.mark_reported(session, study, sae.id, actor=nurse)
    assert done.report_status is ReportStatus.LATE and done.reported_at is not None
    with pytest.raises(RuleViolation) as twice:
        service.mark_reported(session, study, sae.id, actor=nurse)
    assert twice.value.code is ResearchError.RES_055
    with pytest.raises(NotFound):
        service.mark_reported(session, study, sae.id, actor=world.actors["clinician_b"])


def test_sae_dates_and_categories_are_checked(session: Session, world: World, study: str) -> None:
    child, _ = include(session, world, study)
    nurse = world.actors["clinician_a"]
    base = {
        "onset_on": ago(2),
        "category": SaeCategory.DEATH,
        "outcome": SaeOutcome.RECOVERED,
        "relatedness": Relatedness.POSSIBLY,
    }
    with pytest.raises(RuleViolation) as fatal:
        service.report_adverse_event(
            session, child, study, AdverseEventCreate.model_validate(base), actor=nurse
        )
    assert fatal.value.code is ResearchError.RES_056
    with pytest.raises(RuleViolation) as before:
        service.report_adverse_event(
            session,
            child,
            study,
            AdverseEventCreate.model_validate(
                base | {"outcome": SaeOutcome.FATAL, "aware_on": ago(3)}
            ),
            actor=nurse,
        )
    assert before.value.code is ResearchError.RES_054


def test_a_death_in_routine_care_is_listed_to_report_until_reported(
    session: Session, world: World, study: str
) -> None:
    child, episode = include(session, world, study)
    included(session, child, 2)
    nurse = world.actors["clinician_a"]
    nutrition_service.exit_episode(
        session,
        episode,
        ExitCreate(outcome=Outcome.DIED, closed_on=ago(1), confirm_death=True),
        actor=nurse,
    )
    safety = service.study_safety(session, study, actor=nurse)
    [death] = safety.deaths_to_report
    assert (death.patient_id, death.died_on) == (child, ago(1))
    assert death.report_status is ReportStatus.TO_REPORT  # due by the end of today
    tomorrow = service.study_safety(session, study, actor=nurse, today=ago(-1))
    assert tomorrow.deaths_to_report[0].report_status is ReportStatus.OVERDUE
    assert death.patient_name == "Safiatou Dembélé"
    service.report_adverse_event(
        session,
        child,
        study,
        AdverseEventCreate(
            onset_on=ago(1),
            aware_on=ago(1),
            category=SaeCategory.DEATH,
            outcome=SaeOutcome.FATAL,
            relatedness=Relatedness.NOT_RELATED,
            episode_id=episode,
        ),
        actor=nurse,
    )
    safety = service.study_safety(session, study, actor=nurse)
    assert safety.deaths_to_report == []
    assert [s.report_status for s in safety.adverse_events] == [ReportStatus.TO_REPORT]
    assert safety.adverse_events[0].from_routine
    with session.begin():
        died = session.get(Episode, episode)
        assert died is not None and died.outcome == "died"


def test_follow_up_outside_scope_is_404_and_audited(
    session: Session, world: World, study: str
) -> None:
    child, _ = include(session, world, study)
    other = world.actors["clinician_b"]
    with pytest.raises(NotFound):
        service.child_follow_up(session, child, study, actor=other)
    with pytest.raises(NotFound):
        service.report_adverse_event(
            session,
            child,
            study,
            AdverseEventCreate(
                onset_on=ago(1),
                category=SaeCategory.OTHER_IMPORTANT,
                outcome=SaeOutcome.UNKNOWN,
                relatedness=Relatedness.POSSIBLY,
            ),
            actor=other,
        )
    with session.begin():
        denied = session.execute(
            select(AuditEvent.action, AuditEvent.entity_type).where(
                AuditEvent.patient_id == child, AuditEvent.action.like("%denied")
            )
        ).all()
    assert sorted(tuple(d) for d in denied) == [
        ("read_denied", "research_followup"),
        ("write_denied", "research_screening"),
    ]
