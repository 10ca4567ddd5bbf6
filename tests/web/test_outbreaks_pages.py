"""Outbreak pages in French and English: the weekly report form, the line list, an alert and
its actions, a district's dashboard with its thresholds drawn (inline SVG, no JavaScript)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.outbreaks import service
from tests.factories.core import World, csrf, sign_in
from tests.factories.outbreaks import meningitis_world, send_report, weeks_ago

MAX_PAGE = 60_000


def test_weekly_report_through_the_form_raises_the_district_alert(
    client: TestClient, session: Session, world: World
) -> None:
    week = weeks_ago(1)
    meningitis_world(session, world, week.year)
    sign_in(client, world.users["clinician_a"].username)
    page = client.get("/outbreaks/reports/new")
    assert page.status_code == 200
    assert len(page.content) < MAX_PAGE
    assert 'name="c_meningitis_1"' in page.text and "<script" not in page.text
    form = {
        "csrf_token": csrf(client),
        "place_code": world.facility_a.code,
        "epi_year": str(week.year),
        "epi_week": str(week.week),
        "c_meningitis_1": "2",
        "d_meningitis_1": "",
    }
    saved = client.post("/outbreaks/reports/new", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    again = client.post("/outbreaks/reports/new", data=form | {"csrf_token": csrf(client)})
    assert again.status_code == 409
    assert "déjà" in again.text  # the duplicate refused with a clear message, in French
    alerts = service.list_alerts(session, actor=world.actors["data_manager"])
    assert {(a.place_code, a.level.value) for a in alerts} == {
        (world.district.code, "alert"),
        (world.area_a.code, "alert"),
    }


def test_district_user_verifies_an_alert_and_sees_the_dashboard(
    client: TestClient, session: Session, world: World
) -> None:
    week = weeks_ago(1)
    meningitis_world(session, world, week.year)
    report = send_report(
        session, world.actors["clinician_a"], world.facility_a.code, week, {"meningitis": 2}
    )
    alert = next(a for a in report.raised if a.place_code == world.district.code)
    sign_in(client, world.users["data_manager"].username)
    home = client.get("/outbreaks")
    assert f"/outbreaks/alerts/{alert.id}" in home.text
    page = client.get(f"/outbreaks/alerts/{alert.id}")
    assert page.status_code == 200 and 'value="verify"' in page.text
    assert "3,33" in page.text or "3.33" in page.text
    done = client.post(
        f"/outbreaks/alerts/{alert.id}/actions",
        data={"csrf_token": csrf(client), "action": "verify", "note": "appel au CSCom"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "Vérifiée" in done.text and "appel au CSCom" in done.text
    refused = client.post(
        f"/outbreaks/alerts/{alert.id}/actions",
        data={"csrf_token": csrf(client), "action": "discard", "note": ""},
    )
    assert refused.status_code == 422
    board = client.get(f"/outbreaks/districts/{world.district.code}")
    assert board.status_code == 200 and len(board.content) < MAX_PAGE
    assert "<svg" in board.text and board.text.count('class="guide-') >= 2
    assert re.search(r"<td[^>]*>2</td>", board.text)
    client.get("/lang/en?next=/")
    english = client.get(f"/outbreaks/districts/{world.district.code}")
    assert "Meningitis" in english.text and "Reports received" in english.text


def test_line_list_through_the_form(client: TestClient, session: Session, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    assert client.get("/outbreaks/cases/new").status_code == 200
    saved = client.post(
        "/outbreaks/cases/new",
        data={
            "csrf_token": csrf(client),
            "place_code": world.facility_a.code,
            "disease": "measles",
            "onset_on": (today() - timedelta(days=4)).isoformat(),
            "age_years": "3",
            "sex": "F",
            "vaccination": "not_vaccinated",
            "sample_taken": "yes",
            "lab_result": "awaiting",
            "outcome": "alive",
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Rougeole" in saved.text and "Non vacciné" in saved.text
