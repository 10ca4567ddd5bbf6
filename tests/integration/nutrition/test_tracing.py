"""Tracing: who missed a visit or defaulted this month is read from the schedule on the day the
list is read, and the tracing visit's outcome feeds the exit (docs/clinical-rules.md §4.2)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from alima.core.errors import NotFound, RuleViolation
from alima.core.models import Place
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import TracingOutcome
from alima.nutrition.schemas import AdmissionCreate, TracingCreate
from tests.factories.core import World, make_patient


def _admit(session: Session, world: World, days_ago: int, *, given: str = "Kadi") -> uuid.UUID:
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        child = make_patient(session, place, given=given, birth=today() - timedelta(days=500))
        child.phone = "+223 70 00 00 01"
        child.caregiver_name = "Oumou"
        child_id = child.id
    return service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child_id,
            admitted_on=today() - timedelta(days=days_ago),
            muac_mm=110,
            weight_kg=8.0,
            height_cm=75.0,
            appetite_test_passed=True,
        ),
        actor=world.actors["clinician_a"],
    ).episode_id


def _listed(session: Session, world: World) -> dict[uuid.UUID, str]:
    rows = service.children_to_trace(session, actor=world.actors["clinician_a"])
    return {r.episode_id: r.state for r in rows}


def test_missed_and_defaulted_children_are_listed_as_of_today(
    session: Session, world: World
) -> None:
    on_time = _admit(session, world, 3, given="Awa")
    missed = _admit(session, world, 10, given="Bintou")
    listed = _listed(session, world)
    assert on_time not in listed
    assert listed[missed] == "missed"
    defaulted = _admit(session, world, 20, given="Coumba")
    rows = {
        r.episode_id: r
        for r in service.children_to_trace(session, actor=world.actors["clinician_a"])
    }
    # Weekly visits, defaulted after 2 missed: due 13 days ago, defaulted 5 days ago.
    default_day = today() - timedelta(days=5)
    if default_day >= today().replace(day=1):
        assert rows[defaulted].state == "defaulted"
        assert rows[defaulted].defaulted_on == default_day
    else:
        assert defaulted not in rows
    assert rows[missed].phone == "+223 70 00 00 01"
    assert rows[missed].caregiver_name == "Oumou"


def test_partner_without_patient_reads_gets_no_list(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        service.children_to_trace(session, actor=world.actors["partner_viewer"])


@pytest.mark.parametrize(
    "case",
    [
        (TracingOutcome.FOUND_BACK, False, "open", None),
        (TracingOutcome.DIED, False, "closed", "died"),
        (TracingOutcome.REFUSED, False, "closed", "defaulted"),
        (TracingOutcome.MOVED, False, "closed", "defaulted"),
        (TracingOutcome.MOVED, True, "closed", "transfer_out"),
    ],
)
def test_tracing_outcome_feeds_the_exit(
    session: Session, world: World, case: tuple[TracingOutcome, bool, str, str | None]
) -> None:
    outcome, place, status, exit_outcome = case
    episode_id = _admit(session, world, 10)
    data = TracingCreate(
        outcome=outcome,
        confirm_death=outcome is TracingOutcome.DIED,
        transfer_place_code=world.facility_b.code if place else None,
        note="visite à domicile",
    )
    traced = service.record_tracing(session, episode_id, data, actor=world.actors["clinician_a"])
    assert traced.outcome is outcome and traced.visited_on == today()
    episode = service.get_episode(session, episode_id, actor=world.actors["clinician_a"])
    assert (episode.status, episode.outcome) == (status, exit_outcome)
    if exit_outcome:
        assert episode.closed_on == today()
    rows = service.children_to_trace(session, actor=world.actors["clinician_a"])
    listed = {r.episode_id: r for r in rows}
    if status == "open":
        assert listed[episode_id].last_tracing is not None


def test_death_needs_confirmation_and_writers_in_scope(session: Session, world: World) -> None:
    episode_id = _admit(session, world, 10)
    with pytest.raises(RuleViolation):
        service.record_tracing(
            session,
            episode_id,
            TracingCreate(outcome=TracingOutcome.DIED),
            actor=world.actors["clinician_a"],
        )
    with pytest.raises(NotFound):
        service.record_tracing(
            session,
            episode_id,
            TracingCreate(outcome=TracingOutcome.FOUND_BACK),
            actor=world.actors["clinician_b"],
        )
    episode = service.get_episode(session, episode_id, actor=world.actors["clinician_a"])
    assert episode.status == "open"


def test_a_defaulted_child_found_dead_exits_as_died_on_the_default_day(
    session: Session, world: World
) -> None:
    episode_id = _admit(session, world, 20)
    default_day = today() - timedelta(days=5)
    service.record_tracing(
        session,
        episode_id,
        TracingCreate(outcome=TracingOutcome.DIED, confirm_death=True),
        actor=world.actors["clinician_a"],
    )
    episode = service.get_episode(session, episode_id, actor=world.actors["clinician_a"])
    assert (episode.status, episode.outcome, episode.closed_on) == ("closed", "died", default_day)
