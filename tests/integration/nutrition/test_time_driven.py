"""Time-driven states are read, not written: default is right for every reader on any day.

A child who stops coming is defaulted on the day the protocol's missed visits have passed,
whether or not anyone opened the caseload. The card, the caseload and the monthly report read
it the same way for any "today"; the console job only records what they already read; a
soft-deleted child counts nowhere.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from alima.core.errors import Conflict, NotFound
from alima.core.schemas import PatientDelete
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.models import Episode
from alima.nutrition.rules.report import month_bounds
from alima.nutrition.schemas import AdmissionCreate, ExitCreate, MonthlyReport, VisitCreate
from tests.factories.core import World
from tests.factories.nutrition import make_child


def _admit(session: Session, world: World, on: date, *, muac: int = 113) -> AdmissionCreate:
    child = make_child(session, world.facility_a, age_days=400, on=on)
    return AdmissionCreate.model_validate(
        {
            "patient_id": child.id,
            "admitted_on": on,
            "weight_kg": 6.0,
            "height_cm": 67.5,
            "muac_mm": muac,
            "appetite_test_passed": True,
        }
    )


def _report(session: Session, world: World, day: date, *, as_of: date) -> MonthlyReport:
    return service.monthly_report(
        session,
        month=f"{day:%Y-%m}",
        place_code=world.facility_a.code,
        actor=world.actors["data_manager"],
        today=as_of,
    )


def _stored(session: Session, episode_id: object) -> tuple[str, date | None]:
    with session.begin():
        episode = session.get(Episode, episode_id)
        assert episode is not None
        return episode.status, episode.closed_on


def test_the_report_counts_a_default_nobody_looked_at(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    start = today() - timedelta(days=40)
    admitted = service.admit_child(session, _admit(session, world, start), actor=actor)
    defaulted_on = start + timedelta(days=15)  # due day 7, weekly, 2 missed: out on day 15
    month_start, month_end = month_bounds(f"{defaulted_on:%Y-%m}")

    before = _report(session, world, defaulted_on, as_of=today())
    assert before.exits_by_outcome["defaulted"] == 1
    assert before.at_end == 0
    # The day before, the same month read then had the child in treatment, not defaulted.
    earlier = _report(session, world, defaulted_on, as_of=defaulted_on - timedelta(days=1))
    assert earlier.exits_by_outcome["defaulted"] == 0
    # Reading wrote nothing: the episode is still recorded as open.
    assert _stored(session, admitted.episode_id) == ("open", None)

    assert service.close_defaulters_at(session, place_code=world.facility_a.code) == 1
    assert _stored(session, admitted.episode_id) == ("closed", defaulted_on)
    after = _report(session, world, defaulted_on, as_of=today())
    assert after == before
    assert month_start <= defaulted_on <= month_end


def test_card_caseload_and_report_agree_on_any_day(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    start = today() - timedelta(days=40)
    admitted = service.admit_child(session, _admit(session, world, start), actor=actor)
    for offset in range(20):
        day = start + timedelta(days=offset)
        card = service.get_episode(session, admitted.episode_id, actor=actor, today=day)
        load = service.caseload(session, world.facility_a.code, actor=actor, on=day)
        listed = admitted.episode_id in {
            e.episode_id for e in load.due + load.missed + load.overdue + load.upcoming
        }
        report = _report(session, world, day, as_of=day)
        in_treatment = card.status == "open"
        assert listed == in_treatment, day
        assert load.open_total == int(in_treatment), day
        assert (report.at_end == 1) == in_treatment, day
        assert in_treatment == (offset < 15), day
    assert _stored(session, admitted.episode_id) == ("open", None)


def test_a_visit_after_default_is_refused_and_readmission_records_the_default(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    start = today() - timedelta(days=30)
    data = _admit(session, world, start)
    first = service.admit_child(session, data, actor=actor)
    # A visit made in time, entered late, is accepted: the child was not defaulted then.
    service.record_visit(
        session,
        first.episode_id,
        VisitCreate(visit_on=start + timedelta(days=7), weight_kg=6.1, muac_mm=114),
        actor=actor,
    )
    # Due day 14, weekly: defaulted from day 22. A visit on day 22 comes too late.
    with pytest.raises(Conflict) as caught:
        service.record_visit(
            session,
            first.episode_id,
            VisitCreate(visit_on=start + timedelta(days=22), weight_kg=6.1, muac_mm=114),
            actor=actor,
        )
    assert caught.value.code.name == "NUT_020"
    with pytest.raises(Conflict):
        service.exit_episode(
            session,
            first.episode_id,
            ExitCreate.model_validate({"outcome": "died", "closed_on": start + timedelta(days=25)}),
            actor=actor,
        )
    again = data.model_copy(update={"admitted_on": start + timedelta(days=25)})
    second = service.admit_child(session, again, actor=actor)
    assert second.status == "open"
    assert _stored(session, first.episode_id) == ("closed", start + timedelta(days=22))
    card = service.get_episode(session, first.episode_id, actor=actor)
    assert (card.outcome, card.closed_on) == ("defaulted", start + timedelta(days=22))


def test_a_soft_deleted_child_counts_nowhere(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    start = today() - timedelta(days=3)
    data = _admit(session, world, start)
    admitted = service.admit_child(session, data, actor=actor)
    patient_service.delete_patient(
        session,
        data.patient_id,
        PatientDelete(reason="doublon vérifié"),
        actor=world.actors["data_manager"],
    )
    load = service.caseload(session, world.facility_a.code, actor=actor)
    listed = {e.patient_id for e in load.due + load.missed + load.overdue + load.upcoming}
    assert data.patient_id not in listed
    assert load.open_total == 0
    report = _report(session, world, start, as_of=today())
    assert (report.total_admissions, report.at_end, report.rutf_sachets_given) == (0, 0, 0)
    with pytest.raises(NotFound):
        service.record_visit(
            session, admitted.episode_id, VisitCreate(weight_kg=6.1, muac_mm=114), actor=actor
        )
