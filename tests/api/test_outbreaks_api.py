"""The outbreaks API: a weekly report raises the alert, the duplicate is refused in French,
the district user verifies the alert, the dashboard and the thresholds in force read back."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.core import World, bearer
from tests.factories.outbreaks import meningitis_world, weeks_ago


def test_report_alert_action_dashboard(client: TestClient, session: Session, world: World) -> None:
    week = weeks_ago(1)
    meningitis_world(session, world, week.year)
    nurse = bearer(session, world.users["clinician_a"].username)
    body = {
        "epi_year": week.year,
        "epi_week": week.week,
        "lines": [{"disease": "meningitis", "age_group": "5-14y", "cases": 2}],
    }
    sent = client.post("/api/v1/outbreaks/reports", json=body, headers=nurse)
    assert sent.status_code == 201, sent.text
    raised = {(a["place_code"], a["level"]) for a in sent.json()["raised"]}
    assert (world.district.code, "alert") in raised
    again = client.post("/api/v1/outbreaks/reports", json=body, headers=nurse)
    assert again.status_code == 409
    assert again.json()["code"] == "OUTBREAKS_001"
    assert "déjà" in again.json()["message"]
    bad = client.post(
        "/api/v1/outbreaks/reports",
        json=body | {"lines": [{"disease": "flu", "age_group": "5-14y", "cases": 1}]},
        headers=nurse,
    )
    assert bad.status_code == 422

    manager = bearer(session, world.users["data_manager"].username)
    alert = next(a for a in sent.json()["raised"] if a["place_code"] == world.district.code)
    verified = client.post(
        f"/api/v1/outbreaks/alerts/{alert['id']}/actions",
        json={"action": "verify", "note": "confirmé par téléphone"},
        headers=manager,
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    assert verified.json()["allowed"] == ["investigate", "declare", "discard"]
    refused = client.post(
        f"/api/v1/outbreaks/alerts/{alert['id']}/actions",
        json={"action": "verify"},
        headers=manager,
    )
    assert refused.status_code == 409

    board = client.get(
        f"/api/v1/outbreaks/districts/{world.district.code}/dashboard", headers=manager
    ).json()
    curve = next(c for c in board["curves"] if c["disease"] == "meningitis")
    assert curve["points"][-1]["rate"] == 3.33
    assert (curve["alert_rate"], curve["epidemic_rate"]) == (3.0, 10.0)
    rules = client.get(f"/api/v1/outbreaks/thresholds/{world.country.code}", headers=manager)
    assert rules.status_code == 200
    assert {r["disease"] for r in rules.json()} >= {"meningitis", "cholera", "measles"}
