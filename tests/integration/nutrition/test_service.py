"""CMAM use cases on both databases: admission rules, visits, cure, default, relapse, refusals."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.errors import Conflict, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import Oedema, Outcome
from alima.nutrition.models import Episode, Visit
from alima.nutrition.schemas import AdmissionCreate, ExitCreate, VisitCreate
from tests.factories.core import World
from tests.factories.nutrition import make_child


def counts(session: Session) -> tuple[int, int, int]:
    with session.begin():
        return (
            session.scalar(select(func.count()).select_from(Episode)) or 0,
            session.scalar(select(func.count()).select_from(Visit)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def admission(patient_id: object, **overrides: object) -> AdmissionCreate:
    data: dict[str, object] = {
        "patient_id": patient_id,
        "admitted_on": today() - timedelta(days=35),
        "weight_kg": 6.0,
        "height_cm": 67.5,
        "muac_mm": 113,
        "appetite_test_passed": True,
    }
    data.update(overrides)
    return AdmissionCreate.model_validate(data)


def test_optima_walk_through_until_cured(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=400)
    start = today() - timedelta(days=35)
    admitted = service.admit_child(session, admission(child.id, admitted_on=start), actor=actor)
    assert admitted.band == "severe"
    assert admitted.ration is not None
    assert admitted.ration.kcal_per_kg_day == 170
    assert admitted.ration.sachets_per_day == 2.5
    assert admitted.rutf_sachets_per_week == 18
    assert admitted.next_visit_on == start + timedelta(days=7)
    expected = [
        (6.2, 116, "moderate_low", 2.0),
        (6.4, 121, "moderate_high", 1.0),
        (6.6, 125, "moderate_high", 1.0),
    ]
    for week, (weight, muac, band, per_day) in enumerate(expected, start=1):
        result = service.record_visit(
            session,
            admitted.episode_id,
            VisitCreate(visit_on=start + timedelta(days=7 * week), weight_kg=weight, muac_mm=muac),
            actor=actor,
        )
        assert (result.band, result.ration.sachets_per_day if result.ration else None) == (
            band,
            per_day,
        )
        assert result.status == "open"
    cured = service.record_visit(
        session,
        admitted.episode_id,
        VisitCreate(visit_on=start + timedelta(days=28), weight_kg=6.7, muac_mm=126),
        actor=actor,
    )
    assert (cured.status, cured.outcome, cured.ration, cured.next_visit_on) == (
        "closed",
        "cured",
        None,
        None,
    )
    episode = service.get_episode(session, admitted.episode_id, actor=actor)
    assert episode.sachets_total == 18 + 14 + 7 + 7
    assert [v.zwfl is not None for v in episode.visits] == [True] * 5
    with pytest.raises(Conflict):
        service.record_visit(
            session, admitted.episode_id, VisitCreate(weight_kg=7.0, muac_mm=127), actor=actor
        )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"muac_mm": 126}, "NUT_003"),
        ({"oedema": Oedema.PLUS3}, "NUT_023"),
        ({"appetite_test_passed": False}, "NUT_023"),
        ({"complications": True}, "NUT_023"),
        ({"appetite_test_passed": None}, "NUT_024"),
        ({"muac_mm": None}, "NUT_004"),
        ({"muac_mm": 40}, "NUT_006"),
        ({"protocol_code": "unknown"}, "NUT_017"),
    ],
    ids=[
        "muac-125",
        "oedema-+++",
        "appetite-failed",
        "complications",
        "appetite-missing",
        "no-muac",
        "muac-40",
        "no-protocol",
    ],
)
def test_refused_admissions_write_nothing(
    session: Session, world: World, overrides: dict[str, object], code: str
) -> None:
    child = make_child(session, world.facility_a, age_days=400)
    before = counts(session)
    with pytest.raises((RuleViolation, NotFound)) as caught:
        service.admit_child(
            session, admission(child.id, **overrides), actor=world.actors["clinician_a"]
        )
    assert caught.value.code.name == code
    assert counts(session) == before


def test_age_limits(session: Session, world: World) -> None:
    too_young = make_child(session, world.facility_a, age_days=150)
    with pytest.raises(RuleViolation) as caught:
        service.admit_child(
            session, admission(too_young.id, admitted_on=today()), actor=world.actors["clinician_a"]
        )
    assert caught.value.code.name == "NUT_002"


def test_implausible_weight_is_held_for_confirmation(session: Session, world: World) -> None:
    """30 kg at 11 months: WHO flags weight-for-age; saved only once the nurse confirms."""
    child = make_child(session, world.facility_a, age_days=335)
    before = counts(session)
    held = admission(child.id, admitted_on=today(), weight_kg=30.0, height_cm=72.0, muac_mm=112)
    with pytest.raises(RuleViolation) as caught:
        service.admit_child(session, held, actor=world.actors["clinician_a"])
    assert caught.value.code.name == "NUT_016"
    assert "weight_kg" in caught.value.context["fields"]
    assert counts(session) == before
    confirmed = held.model_copy(update={"confirm_unusual": True})
    result = service.admit_child(session, confirmed, actor=world.actors["clinician_a"])
    assert "fwei" in result.visit.who_flags


def test_one_open_episode_per_child_and_relapse(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=500)
    start = today() - timedelta(days=70)
    first = service.admit_child(
        session, admission(child.id, admitted_on=start, muac_mm=122, weight_kg=7.5), actor=actor
    )
    with pytest.raises(Conflict):
        service.admit_child(
            session, admission(child.id, admitted_on=start + timedelta(days=1)), actor=actor
        )
    for week, muac in ((1, 125), (2, 126)):
        last = service.record_visit(
            session,
            first.episode_id,
            VisitCreate(visit_on=start + timedelta(days=7 * week), weight_kg=7.7, muac_mm=muac),
            actor=actor,
        )
    assert last.status == "open"  # the 28-day minimum stay is not over
    for week, muac in ((3, 126), (4, 127)):
        last = service.record_visit(
            session,
            first.episode_id,
            VisitCreate(visit_on=start + timedelta(days=7 * week), weight_kg=7.8, muac_mm=muac),
            actor=actor,
        )
    assert last.outcome == "cured"
    again = service.admit_child(
        session,
        admission(child.id, admitted_on=start + timedelta(days=60), muac_mm=118, weight_kg=7.4),
        actor=actor,
    )
    with session.begin():
        episode = session.get(Episode, again.episode_id)
        assert episode is not None
        assert episode.admission_type == "relapse"
        assert episode.previous_episode_id == first.episode_id


def test_defaulters_are_closed_after_two_missed_visits(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=400)
    start = today() - timedelta(days=30)
    admitted = service.admit_child(session, admission(child.id, admitted_on=start), actor=actor)
    # The card reads the default before any caseload is opened.
    episode = service.get_episode(session, admitted.episode_id, actor=actor)
    # due on day 7, weekly: the second missed visit is day 14, so default from day 15
    assert (episode.status, episode.outcome, episode.closed_on) == (
        "closed",
        "defaulted",
        start + timedelta(days=15),
    )
    load = service.caseload(session, world.facility_a.code, actor=actor)
    assert all(
        e.episode_id != admitted.episode_id
        for e in load.due + load.missed + load.overdue + load.upcoming
    )
    on_the_day = service.caseload(
        session, world.facility_a.code, actor=actor, on=start + timedelta(days=15)
    )
    assert on_the_day.defaulted_now == 1


def test_caseload_lists_due_and_missed(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    due_child = make_child(session, world.facility_a, age_days=400)
    late_child = make_child(session, world.facility_a, age_days=420)
    due = service.admit_child(
        session, admission(due_child.id, admitted_on=today() - timedelta(days=7)), actor=actor
    )
    late = service.admit_child(
        session, admission(late_child.id, admitted_on=today() - timedelta(days=10)), actor=actor
    )
    load = service.caseload(session, world.facility_a.code, actor=actor)
    assert [e.episode_id for e in load.due] == [due.episode_id]
    # OptiMA defaults at 2 missed visits: one missed is already overdue (trace the child now).
    assert load.missed == []
    assert [(e.episode_id, e.days_late, e.missed_visits) for e in load.overdue] == [
        (late.episode_id, 3, 1)
    ]


def test_exit_by_a_person(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=400)
    admitted = service.admit_child(
        session, admission(child.id, admitted_on=today() - timedelta(days=3)), actor=actor
    )
    with pytest.raises(RuleViolation) as caught:
        service.exit_episode(
            session, admitted.episode_id, ExitCreate(outcome=Outcome.TRANSFER_OUT), actor=actor
        )
    assert caught.value.code.name == "NUT_027"
    closed = service.exit_episode(
        session,
        admitted.episode_id,
        ExitCreate(outcome=Outcome.TRANSFER_OUT, transfer_place_code=world.facility_b.code),
        actor=actor,
    )
    assert (closed.status, closed.outcome) == ("closed", "transfer_out")


def test_other_facility_gets_404_and_the_attempt_is_audited(session: Session, world: World) -> None:
    child = make_child(session, world.facility_a, age_days=400)
    admitted = service.admit_child(
        session, admission(child.id, admitted_on=today()), actor=world.actors["clinician_a"]
    )
    intruder = world.actors["clinician_b"]
    with pytest.raises(NotFound):
        service.get_episode(session, admitted.episode_id, actor=intruder)
    with pytest.raises(NotFound):
        service.record_visit(
            session, admitted.episode_id, VisitCreate(weight_kg=6.1, muac_mm=114), actor=intruder
        )
    with pytest.raises(NotFound):
        service.admit_child(session, admission(child.id), actor=intruder)
    with session.begin():
        actions = sorted(
            session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == intruder.id))
        )
    assert actions == ["read_denied", "write_denied", "write_denied"]


def test_country_override_governs_new_admissions(session: Session, world: World) -> None:
    """A country waits for 3 missed visits before default: 2 missed is overdue, not defaulted."""
    with pytest.raises(RuleViolation) as caught:
        service.set_protocol_override(
            session,
            country_code=world.country.code,
            protocol_code="optima",
            overrides={"exit": {"default_after_missed_visits": 0}},
            effective_from=today(),
            reason="x",
            actor=None,
        )
    assert caught.value.code.name == "NUT_018"
    fingerprint = service.set_protocol_override(
        session,
        country_code=world.country.code,
        protocol_code="optima",
        overrides={"exit": {"default_after_missed_visits": 3}},
        effective_from=today() - timedelta(days=60),
        reason="PCIMA national",
        actor=None,
    )
    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=400)
    start = today() - timedelta(days=16)
    admitted = service.admit_child(session, admission(child.id, admitted_on=start), actor=actor)
    with session.begin():
        episode = session.get(Episode, admitted.episode_id)
        assert episode is not None
        assert episode.protocol_fingerprint == fingerprint
        assert episode.protocol_overrides == {"exit": {"default_after_missed_visits": 3}}
    load = service.caseload(session, world.facility_a.code, actor=actor)
    assert load.defaulted_now == 0
    assert [(e.episode_id, e.missed_visits) for e in load.overdue] == [(admitted.episode_id, 2)]
