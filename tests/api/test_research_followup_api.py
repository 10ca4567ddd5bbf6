"""The follow-up API: a child's schedule, a study visit, an SAE, the study's lists (issue 15)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.core import World, bearer
from tests.factories.research import make_study
from tests.integration.research.test_followup import SCHEDULE, ago, include, included


def test_follow_up_over_the_api(client: TestClient, session: Session, world: World) -> None:
    code = make_study(session, world, schedule=SCHEDULE)
    child, _ = include(session, world, code)
    included(session, child, 24)  # month 1 opened yesterday, after the admission
    nurse = bearer(session, world.users["clinician_a"].username)
    url = f"/api/v1/research/studies/{code}/patients/{child}"
    follow = client.get(f"{url}/follow-up", headers=nurse)
    assert follow.status_code == 200, follow.text
    events = {e["code"]: e for e in follow.json()["events"]}
    assert (events["M1"]["status"], events["M1"]["may_record"]) == ("due", True)
    visit = {"event_code": "M1", "weight_kg": 6.4, "muac_mm": 118}
    outside = client.post(
        f"{url}/study-visits", json=visit | {"visit_on": ago(3).isoformat()}, headers=nurse
    )
    assert outside.status_code == 422
    assert outside.json()["code"] == "RES_051"
    saved = client.post(f"{url}/study-visits", json=visit, headers=nurse)
    assert saved.status_code == 201, saved.text
    assert saved.json()["events"][0]["status"] == "study_visit"
    sae = client.post(
        f"{url}/adverse-events",
        json={
            "onset_on": ago(6).isoformat(),
            "aware_on": ago(5).isoformat(),
            "category": "hospitalisation",
            "outcome": "recovered",
            "relatedness": "not_related",
        },
        headers=nurse,
    )
    assert sae.status_code == 201, sae.text
    assert sae.json()["report_status"] == "overdue"
    listed = client.get(f"/api/v1/research/studies/{code}/adverse-events", headers=nurse)
    assert [a["id"] for a in listed.json()["adverse_events"]] == [sae.json()["id"]]
    assert client.get(f"/api/v1/research/studies/{code}/missed", headers=nurse).json() == []
    reported = client.post(
        f"/api/v1/research/studies/{code}/adverse-events/{sae.json()['id']}/reported",
        headers=nurse,
    )
    assert reported.json()["report_status"] == "late"
    elsewhere = bearer(session, world.users["clinician_b"].username)
    assert client.get(f"{url}/follow-up", headers=elsewhere).status_code == 404
    assert client.post(f"{url}/study-visits", json=visit, headers=elsewhere).status_code == 404
