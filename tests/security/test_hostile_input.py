"""Hostile names and notes round-trip through the forms and the API unharmed.

Hypothesis writes HTML, script, SQL fragments, template syntax, very long, right-to-left and
emoji text into patient names (registration form and API), training titles and participants
(form and API), emergency-access reasons and unlock reasons; each comes back byte for byte,
shown as text (never markup) on the page. Chromium executes none of it:
``tests/browser/test_hostile_input.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.alliance.rules import month_key
from alima.alliance.schemas import PeriodSubmit, UnlockRequest
from alima.alliance.service import periods
from alima.core.service import auth
from alima.core.time import today
from tests.factories.alliance import Alliance, last_month
from tests.factories.core import World, csrf, sign_in
from tests.security.hostile import SAMPLES, names, notes

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def text_of(html: str, selector: str) -> str:
    node = HTMLParser(html).css_first(selector)
    assert node is not None, selector
    return node.text(deep=True)


def assert_inert(html: str) -> None:
    """The page holds no markup but ours: no script element, no event handler attribute."""
    tree = HTMLParser(html)
    assert tree.css("script") == []
    for node in tree.css("*"):
        assert not any(name.startswith("on") for name in node.attributes), node.html


@pytest.fixture
def web(app: FastAPI, world: World) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    sign_in(client, world.users["data_manager"].username)
    return client


@pytest.fixture
def bearer(session: Session, world: World) -> dict[str, str]:
    token = auth.create_api_token(
        session, username=world.users["data_manager"].username, name="t", days=1
    ).token
    return {"Authorization": f"Bearer {token}"}


def test_the_samples_are_all_valid_names() -> None:
    assert all(0 < len(s) <= 100 and s == s.strip() for s in SAMPLES)


@EXAMPLES
@given(given_name=names(), family_name=names(), village=names(200))
def test_patient_names_through_the_registration_form(
    web: TestClient, world: World, given_name: str, family_name: str, village: str
) -> None:
    form = {
        "csrf_token": csrf(web),
        "given_name": given_name,
        "family_name": family_name,
        "sex": "F",
        "estimated_age_months": "20",
        "village": village,
        "caregiver_name": family_name,
        "place_code": world.facility_a.code,
        "confirm_not_duplicate": "yes",
    }
    saved = web.post("/patients/new", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    page = web.get(saved.headers["location"])
    assert page.status_code == 200
    assert_inert(page.text)
    facts = HTMLParser(page.text).css("dl.facts dd")
    shown = [dd.text() for dd in facts]
    assert village in shown
    assert family_name in shown  # the caregiver
    assert text_of(page.text, "h1").startswith(f"{given_name} {family_name}")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


@EXAMPLES
@given(given_name=names(), family_name=names(), village=names(200))
def test_patient_names_through_the_api(  # noqa: PLR0917 - pytest passes fixtures by position
    client: TestClient,
    world: World,
    bearer: dict[str, str],
    given_name: str,
    family_name: str,
    village: str,
) -> None:
    body = {
        "given_name": given_name,
        "family_name": family_name,
        "sex": "M",
        "birth_date": (today() - timedelta(days=600)).isoformat(),
        "village": village,
        "place_code": world.facility_a.code,
        "confirm_not_duplicate": True,
    }
    created = client.post("/api/v1/patients", json=body, headers=bearer)
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/patients/{created.json()['id']}", headers=bearer).json()
    assert (read["given_name"], read["family_name"], read["village"]) == (
        given_name,
        family_name,
        village,
    )
    changed = client.patch(
        f"/api/v1/patients/{read['id']}", json={"caregiver_name": village}, headers=bearer
    )
    assert changed.status_code == 200 and changed.json()["caregiver_name"] == village


@EXAMPLES
@given(title=names(200), trainer=names(200), participant=names(200), cadre=names(200))
def test_training_texts_through_the_forms(  # noqa: PLR0917 - pytest passes fixtures by position
    web: TestClient,
    world: World,
    alliance: Alliance,
    title: str,
    trainer: str,
    participant: str,
    cadre: str,
) -> None:
    day = (today() - timedelta(days=2)).isoformat()
    saved = web.post(
        "/trainings/new",
        data={
            "csrf_token": csrf(web),
            "title": title,
            "topic": "IPC",
            "organisation_code": alliance.colead.code,
            "place_code": world.facility_a.code,
            "started_on": day,
            "ended_on": day,
            "trainer": trainer,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:500]
    url = saved.headers["location"]
    added = web.post(
        f"{url}/participants",
        data={"csrf_token": csrf(web), "full_name": participant, "cadre": cadre, "sex": "F"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text[:500]
    page = web.get(url).text
    assert_inert(page)
    assert text_of(page, "#training-title") == title
    assert text_of(page, "#training-trainer") == trainer
    assert text_of(page, "#participant-list td.participant-name") == participant


@EXAMPLES
@given(title=names(200), participant=names(200))
def test_training_texts_through_the_api(  # noqa: PLR0917 - pytest passes fixtures by position
    client: TestClient,
    world: World,
    alliance: Alliance,
    bearer: dict[str, str],
    title: str,
    participant: str,
) -> None:
    day = (today() - timedelta(days=2)).isoformat()
    created = client.post(
        "/api/v1/alliance/trainings",
        json={
            "title": title,
            "topic": "MUAC",
            "organisation_code": alliance.colead.code,
            "place_code": world.facility_a.code,
            "started_on": day,
            "ended_on": day,
            "trainer": participant,
            "participants": [{"full_name": participant, "cadre": title}],
        },
        headers=bearer,
    )
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/alliance/trainings/{created.json()['id']}", headers=bearer).json()
    assert read["title"] == title and read["trainer"] == participant
    assert read["participants"][0]["full_name"] == participant
    assert read["participants_by_cadre"] == {title: 1}


@EXAMPLES
@given(reason=notes())
def test_emergency_reasons_through_the_form_and_the_api(
    app: FastAPI, session: Session, world: World, alliance: Alliance, reason: str
) -> None:
    # Hostile text inside a real sentence (filler alone is refused), and a cap that lets
    # every generated example open its access.
    reason = f"Enfant inconscient, transfert urgent depuis l'aire B. {reason}"
    app.state.settings = app.state.settings.model_copy(update={"break_glass_max_per_day": 1000})
    clinician = TestClient(app, raise_server_exceptions=False)
    sign_in(clinician, world.users["clinician_a"].username)
    opened = clinician.post(
        "/break-glass",
        data={
            "csrf_token": csrf(clinician),
            "identifier": world.patient_b.identifier,
            "reason": reason,
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text[:500]
    page = clinician.get("/break-glass").text
    assert_inert(page)
    assert reason in [td.text() for td in HTMLParser(page).css("td.reason")]
    token = auth.create_api_token(
        session, username=world.users["coordinator"].username, name="t", days=1
    ).token
    listed = clinician.get(
        "/api/v1/alliance/emergency-access", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert reason in [a["reason"] for a in listed]
    clinician.close()


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(reason=st.one_of(notes(3), st.sampled_from(SAMPLES)))
def test_unlock_reasons_are_stored_as_written(
    client: TestClient, session: Session, world: World, alliance: Alliance, reason: str
) -> None:
    periods.approve_period(session, alliance.period.id, actor=world.actors["coordinator"])
    periods.approve_period(session, alliance.period.id, actor=alliance.actors["colead_coordinator"])
    unlocked = periods.unlock_period(
        session, alliance.period.id, UnlockRequest(reason=reason), actor=world.actors["coordinator"]
    )
    assert unlocked.unlock_reason == reason
    sign_in(client, world.users["coordinator"].username)
    page = client.get("/approvals").text
    assert_inert(page)
    assert reason in text_of(page, f"#period-{alliance.period.id}")
    # Submit again for the next example.
    periods.submit_period(
        session,
        PeriodSubmit(place_code=world.facility_a.code, month=month_key(last_month())),
        actor=world.actors["data_manager"],
    )
