"""Property: the monthly report equals an independent recount, for any journeys and any later day.

Children are admitted, seen at irregular dates, lost, exited by a person or soft-deleted, all
through the services (as a nurse would), and no page is ever opened. For a "today" after every
event, each month's report must equal a recount written here from the protocol's definitions
(docs/clinical-rules.md §4: default after ``default_after_missed_visits`` missed weekly visits, counted
on the day after the last one; non-response at the first visit after ``non_responder_weeks``),
not from the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alima.core.errors import Conflict
from alima.core.schemas import PatientDelete
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.protocol import load_protocol
from alima.nutrition.schemas import AdmissionCreate, ExitCreate, VisitCreate
from tests.factories.core import World
from tests.factories.nutrition import make_child
from tests.security.routes import rolled_back

P = load_protocol("optima")
WEEK = 7
ORIGIN = today() - timedelta(days=200)


@dataclass(frozen=True)
class Journey:
    admitted_after: int  # days after ORIGIN
    visit_gaps: tuple[tuple[int, int], ...]  # (days after the previous point, MUAC mm)
    exit_gap: int | None
    exit_outcome: str
    deleted: bool


journeys = st.lists(
    st.builds(
        Journey,
        admitted_after=st.integers(0, 90),
        visit_gaps=st.lists(st.tuples(st.integers(1, 20), st.integers(110, 122)), max_size=6).map(
            tuple
        ),
        exit_gap=st.none() | st.integers(0, 20),
        exit_outcome=st.sampled_from(["died", "medical_transfer", "defaulted"]),
        deleted=st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


@dataclass
class Expected:
    """One episode as the protocol says it stands, from the events alone."""

    admitted_on: date
    deleted: bool
    closed_on: date | None = None
    outcome: str | None = None
    default_on: date | None = None

    def exit_as_of(self, day: date) -> tuple[date | None, str | None]:
        if self.closed_on is not None:
            return self.closed_on, self.outcome
        if self.default_on is not None and self.default_on <= day:
            return self.default_on, "defaulted"
        return None, None


def _defaults(due: date) -> date:
    # The last counted missed visit is due + (N - 1) weeks; the child defaults the day after.
    return due + timedelta(days=(P.exit.default_after_missed_visits - 1) * WEEK + 1)


def _play(session: Session, world: World, journey: Journey) -> tuple[Expected, date]:
    """Write the journey through the services and follow it by hand; the last event's date."""
    actor = world.actors["clinician_a"]
    admitted_on = ORIGIN + timedelta(days=journey.admitted_after)
    child = make_child(session, world.facility_a, age_days=700)
    admitted = service.admit_child(
        session,
        AdmissionCreate.model_validate(
            {
                "patient_id": child.id,
                "admitted_on": admitted_on,
                "weight_kg": 7.0,
                "height_cm": 72.0,
                "muac_mm": 112,
                "appetite_test_passed": True,
            }
        ),
        actor=actor,
    )
    expected = Expected(admitted_on, journey.deleted)
    due = admitted_on + timedelta(days=WEEK)
    last = admitted_on
    closed = False
    for gap, muac in journey.visit_gaps:
        on = last + timedelta(days=gap)
        if on >= today():
            break
        data = VisitCreate(visit_on=on, weight_kg=7.0, muac_mm=muac)
        if on >= _defaults(due):
            try:
                service.record_visit(session, admitted.episode_id, data, actor=actor)
            except Conflict:
                break
            raise AssertionError(f"a visit on {on} after the default on {_defaults(due)}")
        service.record_visit(session, admitted.episode_id, data, actor=actor)
        last = on
        if (on - admitted_on).days >= P.exit.non_responder_weeks * WEEK:
            expected.closed_on, expected.outcome = on, "non_responder"
            closed = True
            break
        due = on + timedelta(days=WEEK)
    if not closed:
        expected.default_on = _defaults(due)
    if not closed and journey.exit_gap is not None:
        on = last + timedelta(days=journey.exit_gap)
        if on < today() and on < _defaults(due):
            service.exit_episode(
                session,
                admitted.episode_id,
                ExitCreate.model_validate(
                    {
                        "outcome": journey.exit_outcome,
                        "closed_on": on,
                        "confirm_death": journey.exit_outcome == "died",
                    }
                ),
                actor=actor,
            )
            expected.closed_on, expected.outcome, expected.default_on = (
                on,
                journey.exit_outcome,
                None,
            )
            last = on
    if journey.deleted:
        patient_service.delete_patient(
            session,
            child.id,
            PatientDelete(reason="doublon vérifié"),
            actor=world.actors["data_manager"],
        )
    return expected, last


def _months(first: date, last: date) -> list[date]:
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _recount(episodes: list[Expected], month: date, as_of: date) -> dict[str, object]:
    start = month
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    live = [e for e in episodes if not e.deleted]
    exits: dict[str, int] = {}
    at_start = at_end = admissions = 0
    for e in live:
        closed_on, outcome = e.exit_as_of(as_of)
        if e.admitted_on < start and (closed_on is None or closed_on >= start):
            at_start += 1
        if e.admitted_on <= end and (closed_on is None or closed_on > end):
            at_end += 1
        if start <= e.admitted_on <= end:
            admissions += 1
        if closed_on is not None and outcome is not None and start <= closed_on <= end:
            exits[outcome] = exits.get(outcome, 0) + 1
    return {"at_start": at_start, "admissions": admissions, "exits": exits, "at_end": at_end}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(journeys=journeys, later=st.integers(0, 90))
def test_monthly_report_equals_a_recount(
    session: Session, world: World, journeys: list[Journey], later: int
) -> None:
    assert {band.visit_interval_days for band in P.bands} == {WEEK}  # the recount's premise
    with rolled_back(session):
        played = [_play(session, world, j) for j in journeys]
        episodes = [e for e, _ in played]
        as_of = max(last for _, last in played) + timedelta(days=later)
        for month in _months(ORIGIN, as_of):
            report = service.monthly_report(
                session,
                month=f"{month:%Y-%m}",
                place_code=world.facility_a.code,
                actor=world.actors["data_manager"],
                today=as_of,
            )
            got = {
                "at_start": report.at_start,
                "admissions": report.total_admissions,
                "exits": {o: n for o, n in report.exits_by_outcome.items() if n},
                "at_end": report.at_end,
            }
            assert got == _recount(episodes, month, as_of), (month, as_of)
