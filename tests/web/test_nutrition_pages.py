"""Nutrition pages: refusals and confirmations in the nurse's language, nothing half-written."""

from datetime import timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.nutrition.models import Episode
from tests.factories.core import World, csrf, sign_in
from tests.factories.nutrition import make_child


def episodes(session: Session) -> int:
    with session.begin():
        return session.scalar(select(func.count()).select_from(Episode)) or 0


def test_admission_form_refuses_and_confirms(
    client: TestClient, session: Session, world: World
) -> None:
    child = make_child(session, world.facility_a, age_days=335)
    sign_in(client, world.users["clinician_a"].username)
    url = f"/patients/{child.id}/nutrition/admit"
    form = {
        "csrf_token": csrf(client),
        "admitted_on": today().isoformat(),
        "protocol_code": "optima",
        "weight_kg": "7,1",
        "height_cm": "70",
        "muac_mm": "40",
        "oedema": "none",
        "appetite_test_passed": "true",
    }
    before = episodes(session)
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    page = HTMLParser(refused.text)
    error, muac = page.css_first("#muac_mm-error"), page.css_first("#muac_mm")
    assert error is not None
    assert muac is not None
    assert error.text() == "Un PB de 40 mm n'est pas possible. Veuillez mesurer le bras à nouveau."
    assert muac.attributes["value"] == "40"
    form |= {"muac_mm": "112", "weight_kg": "30"}
    held = client.post(url, data=form)
    assert held.status_code == 422
    held_page = HTMLParser(held.text)
    top = held_page.css_first("#form-errors")
    assert top is not None
    assert top.text().startswith("Certaines mesures sont inhabituelles")
    assert held_page.css_first("#confirm_unusual") is not None
    assert episodes(session) == before
    form["confirm_unusual"] = "yes"
    saved = client.post(url, data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert episodes(session) == before + 1
    card = client.get(saved.headers["location"])
    assert "Tranche sévère" in card.text


def test_visit_form_shows_dose_and_next_date(
    client: TestClient, session: Session, world: World
) -> None:
    child = make_child(session, world.facility_a, age_days=400)
    sign_in(client, world.users["clinician_a"].username)
    start = today() - timedelta(days=7)
    admitted = client.post(
        f"/patients/{child.id}/nutrition/admit",
        data={
            "csrf_token": csrf(client),
            "admitted_on": start.isoformat(),
            "protocol_code": "optima",
            "weight_kg": "6.0",
            "height_cm": "67.5",
            "muac_mm": "113",
            "oedema": "none",
            "appetite_test_passed": "true",
        },
        follow_redirects=False,
    )
    episode_url = admitted.headers["location"].split("?")[0]
    saved = client.post(
        f"{episode_url}/visits",
        data={
            "csrf_token": csrf(client),
            "visit_on": today().isoformat(),
            "weight_kg": "6.2",
            "muac_mm": "116",
            "oedema": "none",
        },
    )
    page = HTMLParser(saved.text)
    band, arithmetic, period = (
        page.css_first(s) for s in ("#band", "#arithmetic", "#sachets-period")
    )
    assert page.css_first("#saved") is not None
    assert band is not None
    assert arithmetic is not None
    assert period is not None
    assert band.text() == "Tranche modérée, PB bas"
    assert "125 kcal/kg/jour" in arithmetic.text()
    assert period.text() == "14"
