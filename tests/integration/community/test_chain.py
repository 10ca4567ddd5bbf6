"""One chain from the community to the card: a referral registers or links its child, admits
it with the arm measured at arrival, and keeps both links; a child who never comes is closed
as "did not arrive" once the set days have passed, as of the day it is read."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.community import service
from alima.community.enums import ReferralStatus
from alima.community.errors import CommunityError
from alima.community.models import Referral
from alima.community.schemas import (
    ArrivalCreate,
    PatientLink,
    ReferralClose,
    ScreeningCreate,
)
from alima.core.errors import NotFound, RuleViolation
from alima.core.models import AuditEvent, Patient, Place
from alima.core.schemas import PatientCreate
from alima.core.time import today
from alima.nutrition.schemas import AdmissionCreate
from tests.factories.core import World, make_patient

CLOSE_AFTER = 14


def _screen(session: Session, world: World, muac: int, *, days_ago: int = 0) -> uuid.UUID | None:
    screened = service.record_screening(
        session,
        ScreeningCreate.model_validate(
            {
                "place_code": world.facility_a.code,
                "screener_type": "mother",
                "child_given_name": "Fanta",
                "child_family_name": "Chaîne",
                "child_sex": "F",
                "child_age_months": 18,
                "caregiver_name": "Oumou Kanté",
                "village": "Bankass",
                "muac_mm": muac,
                "screened_on": (today() - timedelta(days=days_ago)).isoformat(),
            }
        ),
        actor=world.actors["clinician_a"],
    )
    return screened.referral.id if screened.referral else None


@pytest.mark.parametrize(("muac", "urgency"), [(109, "urgent"), (120, "routine"), (130, None)])
def test_red_and_yellow_muac_issue_the_referral(
    session: Session, world: World, muac: int, urgency: str | None
) -> None:
    referral_id = _screen(session, world, muac)
    if urgency is None:
        assert referral_id is None
        return
    assert referral_id is not None
    referral = service.get_referral(session, referral_id, actor=world.actors["clinician_a"])
    assert (referral.urgency.value, referral.status) == (urgency, ReferralStatus.PENDING)


def test_referral_registers_admits_and_keeps_child_and_episode(
    session: Session, world: World
) -> None:
    clinician = world.actors["clinician_a"]
    referral_id = _screen(session, world, 109, days_ago=7)
    assert referral_id is not None
    arrived_on = today() - timedelta(days=7)
    service.record_arrival(
        session,
        referral_id,
        ArrivalCreate(muac_mm=111, admitted=True, arrived_on=arrived_on),
        actor=clinician,
    )
    _, values = service.register_form_values(session, referral_id, actor=clinician)
    assert values["given_name"] == "Fanta"
    assert values["family_name"] == "Chaîne"
    assert values["sex"] == "F"
    assert values["village"] == "Bankass"
    assert values["caregiver_name"] == "Oumou Kanté"
    assert values["place_code"] == world.facility_a.code
    assert values["estimated_age_months"] == "18"
    patient = service.register_referred_child(
        session, referral_id, PatientCreate.model_validate(values), actor=clinician
    )
    referral = service.get_referral(session, referral_id, actor=clinician)
    assert referral.patient_id == patient.id
    result = service.admit_referred_child(
        session,
        referral_id,
        AdmissionCreate(
            patient_id=patient.id,
            admitted_on=arrived_on,
            muac_mm=111,
            weight_kg=8.1,
            height_cm=76.0,
            appetite_test_passed=True,
        ),
        actor=clinician,
    )
    referral = service.get_referral(session, referral_id, actor=clinician)
    assert referral.nutrition_episode_id == result.episode_id
    assert referral.admitted is True
    with session.begin():
        row = session.get(Referral, referral_id)
        assert row is not None and row.screening.patient_id == patient.id
        details = set(
            session.scalars(select(AuditEvent.detail).where(AuditEvent.entity_id == referral_id))
        )
    assert {"child linked", "admitted"} <= details


def test_admission_through_a_referral_needs_the_arrival_and_the_same_child(
    session: Session, world: World
) -> None:
    clinician = world.actors["clinician_a"]
    referral_id = _screen(session, world, 109)
    assert referral_id is not None
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        child = make_patient(session, place, birth=today() - timedelta(days=400)).id
    service.link_patient(session, referral_id, PatientLink(patient_id=child), actor=clinician)
    admission = AdmissionCreate(
        patient_id=child, muac_mm=111, weight_kg=8.1, height_cm=76.0, appetite_test_passed=True
    )
    with pytest.raises(RuleViolation) as refused:
        service.admit_referred_child(session, referral_id, admission, actor=clinician)
    assert refused.value.code is CommunityError.COM_012
    # Nothing was admitted: the admission and the link are one transaction.
    with session.begin():
        assert session.get(Referral, referral_id).nutrition_episode_id is None  # type: ignore[union-attr]


def test_link_keeps_one_child_in_scope(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    referral_id = _screen(session, world, 109)
    assert referral_id is not None
    with pytest.raises(RuleViolation) as outside:
        service.link_patient(
            session, referral_id, PatientLink(patient_id=world.patient_b.id), actor=clinician
        )
    assert outside.value.code is CommunityError.COM_008
    service.link_patient(
        session, referral_id, PatientLink(patient_id=world.patient_a.id), actor=clinician
    )
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        other = make_patient(session, place, given="Awa").id
    with pytest.raises(RuleViolation) as second:
        service.link_patient(session, referral_id, PatientLink(patient_id=other), actor=clinician)
    assert second.value.code is CommunityError.COM_011
    with pytest.raises(NotFound):
        service.link_patient(
            session,
            referral_id,
            PatientLink(patient_id=world.patient_a.id),
            actor=world.actors["clinician_b"],
        )


@pytest.mark.parametrize(("days_ago", "closable"), [(CLOSE_AFTER - 1, False), (CLOSE_AFTER, True)])
def test_not_arrived_after_the_set_days_as_of_the_reading_day(
    session: Session, world: World, days_ago: int, closable: bool
) -> None:
    clinician = world.actors["clinician_a"]
    referral_id = _screen(session, world, 109, days_ago=days_ago)
    assert referral_id is not None
    read = service.arrival_form(session, referral_id, actor=clinician, close_after_days=CLOSE_AFTER)
    assert read.closable is closable
    waiting = service.pending_referrals(session, actor=clinician, close_after_days=CLOSE_AFTER)
    assert [r.closable for r in waiting if r.id == referral_id] == [closable]
    close = ReferralClose(reason="famille partie au Mali")
    if not closable:
        with pytest.raises(RuleViolation) as early:
            service.close_not_arrived(
                session, referral_id, close, actor=clinician, after_days=CLOSE_AFTER
            )
        assert early.value.code is CommunityError.COM_009
        return
    closed = service.close_not_arrived(
        session, referral_id, close, actor=clinician, after_days=CLOSE_AFTER
    )
    assert (closed.status, closed.closed_on, closed.closed_reason) == (
        ReferralStatus.NOT_ARRIVED,
        today(),
        "famille partie au Mali",
    )
    waiting = service.pending_referrals(session, actor=clinician)
    assert referral_id not in {r.id for r in waiting}
    # A state, not a deletion: the referral still opens, and its closing is audited.
    assert service.get_referral(session, referral_id, actor=clinician).closed_on == today()
    with session.begin():
        assert session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.entity_id == referral_id, AuditEvent.detail == "not arrived"
            )
        ).one()
    with pytest.raises(RuleViolation) as again:
        service.close_not_arrived(
            session, referral_id, close, actor=clinician, after_days=CLOSE_AFTER
        )
    assert again.value.code is CommunityError.COM_010


def test_registration_refused_by_the_link_registers_nobody(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    referral_id = _screen(session, world, 109)
    assert referral_id is not None
    service.link_patient(
        session, referral_id, PatientLink(patient_id=world.patient_a.id), actor=clinician
    )
    _, values = service.register_form_values(session, referral_id, actor=clinician)
    with session.begin():
        before = len(session.scalars(select(Patient.id)).all())
    with pytest.raises(RuleViolation) as refused:
        service.register_referred_child(
            session, referral_id, PatientCreate.model_validate(values), actor=clinician
        )
    assert refused.value.code is CommunityError.COM_011
    with session.begin():
        assert len(session.scalars(select(Patient.id)).all()) == before
