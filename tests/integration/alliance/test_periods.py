"""Monthly approval and locking, on SQLite and on PostgreSQL.

A month is submitted by a data manager, approved by the lead and co-lead partners'
coordinators, then locked (edits refused with a clear message) until a coordinator unlocks it
with a reason; the unlock is audited.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.alliance import repository
from alima.alliance.errors import AllianceError
from alima.alliance.rules import month_key, months_before
from alima.alliance.schemas import ParticipantCreate, PeriodSubmit, UnlockRequest
from alima.alliance.service import periods, trainings
from alima.core.enums import Sex
from alima.core.errors import AlimaError, Conflict, Forbidden, RuleViolation
from alima.core.i18n import set_locale
from alima.core.models import AuditEvent, Patient, Place
from alima.core.schemas import PatientDelete, PatientUpdate
from alima.core.service import auth
from alima.core.service import patients as patient_service
from alima.core.time import today
from tests.factories.alliance import Alliance, build_alliance, last_month
from tests.factories.core import World, make_patient


@pytest.fixture
def alliance(session: Session, world: World) -> Alliance:
    return build_alliance(session, world)


def registered_last_month(session: Session, world: World) -> Patient:
    """A patient of facility A whose registration falls in last month."""
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        patient = make_patient(session, place, given="Hawa", family="Sangaré")
        patient.created_at = datetime.combine(last_month() + timedelta(days=9), time(9), tzinfo=UTC)
    session.expunge_all()
    return patient


def approve_fully(session: Session, world: World, alliance: Alliance) -> None:
    lead = periods.approve_period(session, alliance.period.id, actor=world.actors["coordinator"])
    assert lead.status == "submitted" and not lead.locked
    assert lead.awaiting == [alliance.colead.code]
    colead = periods.approve_period(
        session, alliance.period.id, actor=alliance.actors["colead_coordinator"]
    )
    assert colead.status == "approved" and colead.locked
    assert {a.organisation_code for a in colead.approvals} == {
        alliance.lead.code,
        alliance.colead.code,
    }


def test_approved_month_is_locked_until_unlocked_with_a_reason(
    session: Session, world: World, alliance: Alliance
) -> None:
    patient = registered_last_month(session, world)
    clinician = world.actors["clinician_a"]
    change = PatientUpdate(village="Siribala")
    patient_service.update_patient(session, patient.id, change, actor=clinician)  # open: fine

    approve_fully(session, world, alliance)

    # Locked: the change is refused with the month and the place, in the reader's language
    # (the French text comes from the catalog: tests/test_translations.py checks it exists).
    with pytest.raises(Conflict) as refused:
        patient_service.update_patient(session, patient.id, change, actor=clinician)
    assert refused.value.code is AllianceError.ALLIANCE_005
    for locale in ("fr", "en"):
        set_locale(locale)
        assert month_key(last_month()) in refused.value.message
        assert world.facility_a.code in refused.value.message
    assert "approved and locked" in refused.value.message
    set_locale("fr")
    with pytest.raises(Conflict):
        patient_service.delete_patient(
            session, patient.id, PatientDelete(reason="doublon"), actor=world.actors["data_manager"]
        )
    # Another month, or another facility, is not locked.
    with session.begin():
        repository.ensure_period_open(session, place_id=world.facility_a.id, on=today())
        repository.ensure_period_open(session, place_id=world.facility_b.id, on=last_month())

    # Only a coordinator unlocks, and only with a reason.
    with pytest.raises(Forbidden):
        periods.unlock_period(
            session,
            alliance.period.id,
            UnlockRequest(reason="correction"),
            actor=world.actors["data_manager"],
        )
    with pytest.raises(ValueError, match="at least 3"):
        UnlockRequest(reason="  ")
    reason = "Pesée mal saisie le 12, à corriger"
    unlocked = periods.unlock_period(
        session, alliance.period.id, UnlockRequest(reason=reason), actor=world.actors["coordinator"]
    )
    assert unlocked.status == "reopened" and not unlocked.locked
    with session.begin():
        events = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_id == alliance.period.id, AuditEvent.action == "unlock"
                )
            )
        )
    assert len(events) == 1
    assert events[0].actor_id == world.users["coordinator"].id
    assert events[0].detail == reason
    assert events[0].before == {"status": "approved"}
    assert events[0].after == {"status": "reopened"}

    # Open again: the change goes through.
    changed = patient_service.update_patient(session, patient.id, change, actor=clinician)
    assert changed.village == "Siribala"


def test_a_district_approval_locks_its_facilities_and_trainings(
    session: Session, world: World, alliance: Alliance
) -> None:
    month = months_before(today(), 2)
    # A training that ended in that month, recorded before the month is approved.
    with session.begin():
        training = session.get(type(alliance.training), alliance.training.id)
        assert training is not None
        training.ended_on = month + timedelta(days=3)
        training.started_on = month + timedelta(days=1)
    submitted = periods.submit_period(
        session,
        PeriodSubmit(place_code=world.district.code, month=month_key(month)),
        actor=world.actors["data_manager"],
    )
    periods.approve_period(session, submitted.id, actor=world.actors["coordinator"])
    periods.approve_period(session, submitted.id, actor=alliance.actors["colead_coordinator"])
    with session.begin(), pytest.raises(Conflict):
        repository.ensure_period_open(session, place_id=world.facility_b.id, on=month)
    with session.begin():  # the district's other months stay open
        repository.ensure_period_open(session, place_id=world.facility_b.id, on=last_month())
    # It takes no new participant, and its dates cannot move out of the locked month.
    with pytest.raises(Conflict):
        trainings.add_participant(
            session,
            alliance.training.id,
            ParticipantCreate(full_name="Nouvelle Personne", cadre="Matrone"),
            actor=world.actors["data_manager"],
        )
    with session.begin():
        moved = session.get(type(alliance.training), alliance.training.id)
        assert moved is not None
        moved.ended_on = today()
        with pytest.raises(Conflict):
            session.flush()
        session.rollback()


def test_workflow_refusals(session: Session, world: World, alliance: Alliance) -> None:
    manager, coordinator = world.actors["data_manager"], world.actors["coordinator"]
    with pytest.raises(RuleViolation) as not_ended:
        periods.submit_period(
            session,
            PeriodSubmit(place_code=world.facility_a.code, month=month_key(today())),
            actor=manager,
        )
    assert not_ended.value.code is AllianceError.ALLIANCE_006
    with pytest.raises(Conflict) as twice:
        periods.submit_period(
            session,
            PeriodSubmit(place_code=world.facility_a.code, month=month_key(last_month())),
            actor=manager,
        )
    assert twice.value.code is AllianceError.ALLIANCE_007
    with pytest.raises(Forbidden):  # coordinators approve, they do not submit
        periods.submit_period(
            session,
            PeriodSubmit(
                place_code=world.facility_a.code, month=month_key(months_before(today(), 3))
            ),
            actor=coordinator,
        )
    with pytest.raises(Forbidden):  # data managers submit, they do not approve
        periods.approve_period(session, alliance.period.id, actor=manager)
    periods.approve_period(session, alliance.period.id, actor=coordinator)
    with pytest.raises(Conflict) as again:  # one approval per organisation
        periods.approve_period(session, alliance.period.id, actor=world.actors["administrator"])
    assert again.value.code is AllianceError.ALLIANCE_008
    with pytest.raises(Conflict) as not_approved:
        periods.unlock_period(
            session, alliance.period.id, UnlockRequest(reason="trop tôt"), actor=coordinator
        )
    assert not_approved.value.code is AllianceError.ALLIANCE_009
    with pytest.raises(AlimaError):
        periods.approve_period(
            session, alliance.period.id, actor=alliance.actors["partner_coordinator"]
        )


def test_resubmission_needs_new_approvals(
    session: Session, world: World, alliance: Alliance
) -> None:
    approve_fully(session, world, alliance)
    periods.unlock_period(
        session,
        alliance.period.id,
        UnlockRequest(reason="données de mars incomplètes"),
        actor=alliance.actors["colead_coordinator"],
    )
    again = periods.submit_period(
        session,
        PeriodSubmit(place_code=world.facility_a.code, month=month_key(last_month())),
        actor=world.actors["data_manager"],
    )
    assert again.round == 2 and again.status == "submitted" and again.approvals == []
    assert sorted(again.awaiting) == sorted([alliance.lead.code, alliance.colead.code])
    approve_fully(session, world, alliance)


def test_lock_reaches_the_api_and_the_pages(
    client: TestClient, session: Session, world: World, alliance: Alliance
) -> None:
    patient = registered_last_month(session, world)
    approve_fully(session, world, alliance)
    token = auth.create_api_token(
        session, username=world.users["clinician_a"].username, name="t", days=1
    ).token
    response = client.patch(
        f"/api/v1/patients/{patient.id}",
        json={"village": "Pogo"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "ALLIANCE_005"
    assert "approved and locked" in response.json()["message"]
    # Registering today is not affected (this month is open).
    created = client.post(
        "/api/v1/patients",
        json={
            "given_name": "Fanta",
            "family_name": "Koné",
            "sex": Sex.FEMALE.value,
            "estimated_age_months": 12,
            "place_code": world.facility_a.code,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text


def test_nutrition_writes_are_refused_in_a_locked_month(
    session: Session, world: World, alliance: Alliance
) -> None:
    """Admissions, visits and exits dated in an approved month are refused with the month named."""
    from alima.nutrition import service as nutrition_service
    from alima.nutrition.enums import Outcome
    from alima.nutrition.schemas import AdmissionCreate, ExitCreate, VisitCreate
    from tests.factories.nutrition import make_child

    actor = world.actors["clinician_a"]
    child = make_child(session, world.facility_a, age_days=500)
    locked_day = last_month() + timedelta(days=3)
    admitted = nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child.id,
            admitted_on=locked_day,
            weight_kg=7.0,
            height_cm=70.0,
            muac_mm=113,
            appetite_test_passed=True,
        ),
        actor=actor,
    )
    approve_fully(session, world, alliance)
    other = make_child(session, world.facility_a, age_days=520)
    with pytest.raises(Conflict) as caught:
        nutrition_service.admit_child(
            session,
            AdmissionCreate(
                patient_id=other.id,
                admitted_on=locked_day + timedelta(days=1),
                weight_kg=7.0,
                height_cm=70.0,
                muac_mm=113,
                appetite_test_passed=True,
            ),
            actor=actor,
        )
    assert caught.value.code is AllianceError.ALLIANCE_005
    with pytest.raises(Conflict):
        nutrition_service.record_visit(
            session,
            admitted.episode_id,
            VisitCreate(visit_on=locked_day + timedelta(days=7), weight_kg=7.1, muac_mm=115),
            actor=actor,
        )
    with pytest.raises(Conflict):
        nutrition_service.exit_episode(
            session,
            admitted.episode_id,
            ExitCreate(
                outcome=Outcome.DIED,
                closed_on=locked_day + timedelta(days=8),
                confirm_death=True,
            ),
            actor=actor,
        )
    # Weeks later the child has defaulted (read from the schedule, in the locked month, as the
    # approved report already counted it); admitting the child again today is accepted.
    again = nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child.id,
            weight_kg=7.2,
            height_cm=70.0,
            muac_mm=113,
            appetite_test_passed=True,
        ),
        actor=actor,
    )
    assert again.status == "open"
