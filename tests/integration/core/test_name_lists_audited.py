"""Every list that shows patients' names is audited with the patients read, every refusal too.

Through the web and the API as a user would: a patient search, the pending referrals (API and
page), the community page, and a search at a place code outside the user's scope.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.community import service as community
from alima.community.schemas import ScreeningCreate
from alima.core.errors import NotFound
from alima.core.models import AuditEvent
from alima.core.schemas import PatientFilter
from alima.core.service import patients
from alima.core.time import utcnow
from tests.factories.core import World, bearer, sign_in


def reads_since(session: Session, since: datetime, actor_id: uuid.UUID) -> list[AuditEvent]:
    with session.begin():
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.at >= since, AuditEvent.actor_id == actor_id)
            )
        )


def test_search_results_are_audited_per_patient(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    since = utcnow()
    page = patients.search_patients(session, PatientFilter(q="Aïssata"), actor=actor)
    assert [p.id for p in page.items] == [world.patient_a.id]
    events = reads_since(session, since, actor.id)
    assert {(e.action, e.patient_id) for e in events} == {("read", world.patient_a.id)}


def test_a_place_code_out_of_scope_is_refused_and_audited(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    since = utcnow()
    with pytest.raises(NotFound):
        patients.search_patients(
            session, PatientFilter(q="Moussa", place_code=world.facility_b.code), actor=actor
        )
    events = reads_since(session, since, actor.id)
    assert [(e.action, e.place_id) for e in events] == [("read_denied", world.facility_b.id)]


def test_referral_lists_are_audited(session: Session, world: World, client: TestClient) -> None:
    clinician = world.actors["clinician_a"]
    screened = community.record_screening(
        session,
        ScreeningCreate.model_validate(
            {
                "place_code": world.facility_a.code,
                "screener_type": "mother",
                "child_given_name": "Mariam",
                "child_age_months": 20,
                "village": "Pogo",
                "muac_mm": 108,
            }
        ),
        actor=clinician,
    )
    assert screened.referral is not None
    referral_id = screened.referral.id
    headers = bearer(session, world.users["clinician_a"].username)
    for url, kwargs in (
        ("/api/v1/community/referrals", {"headers": headers}),
        ("/community/referrals", {}),
        ("/community", {}),
    ):
        since = utcnow()
        sign_in(client, world.users["clinician_a"].username)
        response = client.get(url, **kwargs)
        assert response.status_code == 200
        assert "Mariam" in response.text
        events = reads_since(session, since, world.users["clinician_a"].id)
        assert referral_id in {e.entity_id for e in events if e.action == "read"}


def test_a_403_is_audited(session: Session, world: World, client: TestClient) -> None:
    researcher = world.users["researcher"]
    since = utcnow()
    response = client.post(
        "/api/v1/patients",
        json={"given_name": "Awa", "family_name": "Diarra", "sex": "F", "birth_date": "2024-01-01"},
        headers=bearer(session, researcher.username),
    )
    assert response.status_code == 403
    events = reads_since(session, since, researcher.id)
    assert [(e.action, e.detail) for e in events] == [("write_denied", "POST /api/v1/patients")]


def test_a_place_code_out_of_scope_in_any_page_is_audited(
    session: Session, world: World, client: TestClient
) -> None:
    clinician = world.users["clinician_a"]
    sign_in(client, clinician.username)
    since = utcnow()
    response = client.get(f"/nutrition?site={world.facility_b.code}")
    assert response.status_code == 404
    events = reads_since(session, since, clinician.id)
    assert ("read_denied", "GET /nutrition") in [(e.action, e.detail) for e in events]
