"""The CMAM API: admission, visits with band/dose/next date/status, exit, episode, monthly report."""

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.models import AuditEvent
from alima.core.time import today
from alima.web.inventory import iter_routes
from tests.factories.core import World, bearer, csrf, sign_in
from tests.factories.nutrition import make_child


def test_admission_visits_exit_and_report(
    client: TestClient, session: Session, world: World
) -> None:
    headers = bearer(session, world.users["clinician_a"].username)
    child = make_child(session, world.facility_a, age_days=400)
    start = today() - timedelta(days=21)
    admitted = client.post(
        "/api/v1/nutrition/admissions",
        json={
            "patient_id": str(child.id),
            "admitted_on": start.isoformat(),
            "weight_kg": 6.0,
            "muac_mm": 113,
            "height_cm": 67.5,
            "appetite_test_passed": True,
        },
        headers=headers,
    )
    assert admitted.status_code == 201, admitted.text
    body = admitted.json()
    assert (body["band"], body["rutf_sachets_per_week"], body["status"]) == ("severe", 18, "open")
    assert body["next_visit_on"] == (start + timedelta(days=7)).isoformat()
    episode_id = body["episode_id"]
    visit = client.post(
        f"/api/v1/nutrition/episodes/{episode_id}/visits",
        json={
            "visit_on": (start + timedelta(days=7)).isoformat(),
            "weight_kg": 6.2,
            "muac_mm": 116,
        },
        headers=headers,
    )
    assert visit.status_code == 201, visit.text
    assert {k: visit.json()[k] for k in ("band", "rutf_sachets_per_week", "status", "outcome")} == {
        "band": "moderate_low",
        "rutf_sachets_per_week": 14,
        "status": "open",
        "outcome": None,
    }
    implausible = client.post(
        f"/api/v1/nutrition/episodes/{episode_id}/visits",
        json={
            "visit_on": (start + timedelta(days=14)).isoformat(),
            "weight_kg": 6.3,
            "muac_mm": 40,
        },
        headers={**headers, "Accept-Language": "fr"},
    )
    assert implausible.status_code == 422
    assert implausible.json()["code"] == "NUT_006"
    assert (
        implausible.json()["message"]
        == "Un PB de 40 mm n'est pas possible. Veuillez mesurer le bras à nouveau."
    )
    closed = client.post(
        f"/api/v1/nutrition/episodes/{episode_id}/exit",
        json={
            "outcome": "died",
            "confirm_death": True,
            "closed_on": (start + timedelta(days=10)).isoformat(),
        },
        headers=headers,
    )
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "died")
    again = client.post(
        f"/api/v1/nutrition/episodes/{episode_id}/visits",
        json={"weight_kg": 6.3, "muac_mm": 117},
        headers=headers,
    )
    assert again.status_code == 409
    episode = client.get(f"/api/v1/nutrition/episodes/{episode_id}", headers=headers).json()
    assert [v["muac_mm"] for v in episode["visits"]] == [113, 116]
    report = client.get(
        "/api/v1/nutrition/reports/monthly",
        params={"place": world.facility_a.code, "month": f"{start:%Y-%m}"},
        headers=bearer(session, world.users["data_manager"].username),
    )
    assert report.status_code == 200
    # One new admission (MUAC 113 mm) this month at facility A; the death ten days later falls
    # in the same month or the next one, and the child is counted open at the end if not.
    closed_on = start + timedelta(days=10)
    died_this_month = (closed_on.year, closed_on.month) == (start.year, start.month)
    figures = report.json()
    assert {
        k: figures[k]
        for k in ("at_start", "new_admissions", "relapses", "transfers_in", "total_admissions")
    } == {
        "at_start": 0,
        "new_admissions": 1,
        "relapses": 0,
        "transfers_in": 0,
        "total_admissions": 1,
    }
    assert figures["admissions_by_criterion"] == {"muac": 1, "whz": 0, "oedema": 0}
    assert figures["total_exits"] == int(died_this_month)
    assert figures["exits_by_outcome"]["died"] == int(died_this_month)
    assert sum(figures["exits_by_outcome"].values()) == int(died_this_month)
    assert figures["at_end"] == int(not died_this_month)
    bad_month = client.get(
        "/api/v1/nutrition/reports/monthly",
        params={"place": world.facility_a.code, "month": "2026-13"},
        headers=headers,
    )
    assert bad_month.status_code == 422


def test_every_episode_route_hides_other_facilities(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    """Clinician B gets 404 on every route keyed by an episode of facility A, HTML and API."""
    child = make_child(session, world.facility_a, age_days=400)
    owner = bearer(session, world.users["clinician_a"].username)
    episode_id = client.post(
        "/api/v1/nutrition/admissions",
        json={
            "patient_id": str(child.id),
            "weight_kg": 6.0,
            "muac_mm": 113,
            "appetite_test_passed": True,
        },
        headers=owner,
    ).json()["episode_id"]
    routes = sorted(
        (method, route.path)
        for route in iter_routes(app.routes)
        if "{episode_id}" in route.path
        for method in route.methods
        if method != "HEAD"
    )
    assert len(routes) >= 6
    intruder = world.users["clinician_b"]
    token = bearer(session, intruder.username)
    sign_in(client, intruder.username)
    for method, path in routes:
        url = re.sub(r"\{episode_id\}", episode_id, path)
        if path.startswith("/api/"):
            body = (
                {"outcome": "died"}
                if path.endswith("/exit")
                else {"decision": "transfer"}
                if path.endswith("/referral")
                else {"weight_kg": 6.1, "muac_mm": 114}
            )
            response = client.request(
                method, url, headers=token, json=body if method == "POST" else None
            )
        else:
            data = {
                "csrf_token": csrf(client),
                "weight_kg": "6.1",
                "muac_mm": "114",
                "outcome": "died",
                "decision": "transfer",
            }
            response = client.request(method, url, data=data if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.status_code)
    with session.begin():
        denied = list(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.actor_id == intruder.id,
                    AuditEvent.action.in_(["read_denied", "write_denied"]),
                )
            )
        )
    assert len(denied) == len(routes)
