"""A soft-deleted patient is listed nowhere and counted nowhere, in every domain's queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from alima.care import repository as care_repository
from alima.community import repository as community_repository
from alima.core.models import Patient
from alima.core.time import utcnow
from tests.factories.core import World
from tests.factories.treat import make_consultation, make_screening, make_surgery

ON = date(2026, 3, 10)


def _delete(session: Session, world: World) -> None:
    patient = session.get_one(Patient, world.patient_a.id)
    patient.deleted_at = utcnow()
    patient.deleted_reason = "doublon vérifié"
    session.flush()


def test_care_lists_and_counts_leave_out_a_deleted_patient(session: Session, world: World) -> None:
    with session.begin():
        _care(session, world)


def _care(session: Session, world: World) -> None:
    paths = [world.district.path]
    make_surgery(session, world.patient_a, world.facility_a, on=ON)
    make_consultation(session, world.patient_a, world.facility_a, on=ON)
    make_consultation(session, world.patient_b, world.facility_b, on=ON)

    def figures() -> tuple[int, int, int]:
        surgeries = care_repository.list_surgeries(session, paths, ON, ON)
        consulted = care_repository.count_consultations(session, paths, ON, ON)
        monthly = care_repository.monthly_consultations(session, paths, ON, ON)
        return len(surgeries), consulted, monthly[date(2026, 3, 1)]

    assert figures() == (1, 2, 2)
    _delete(session, world)
    assert figures() == (0, 1, 1)


def test_community_lists_leave_out_a_deleted_patient(session: Session, world: World) -> None:
    with session.begin():
        _community(session, world)


def _community(session: Session, world: World) -> None:
    paths = [world.district.path]
    screening = make_screening(session, world.facility_a, screened_on=ON, muac_mm=110)
    screening.patient_id = world.patient_a.id
    assert screening.referral is not None
    screening.referral.patient_id = world.patient_a.id
    session.flush()

    def listed() -> tuple[int, int]:
        return (
            len(community_repository.list_recent_screenings(session, paths)),
            len(community_repository.list_pending_referrals(session, paths)),
        )

    assert listed() == (1, 1)
    _delete(session, world)
    assert listed() == (0, 0)
