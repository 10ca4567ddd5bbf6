"""The research pages: the eligibility notice on the card, consent, randomisation, dashboard."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import today
from tests.factories.core import World, csrf, sign_in
from tests.factories.nutrition import make_child
from tests.factories.research import make_study
from tests.integration.research.test_exports import enrol
from tests.unit.research.odm_schema import odm_errors


def admit(client: TestClient, session: Session, world: World, muac: str = "112") -> str:
    child = make_child(session, world.facility_a, age_days=400)
    saved = client.post(
        f"/patients/{child.id}/nutrition/admit",
        data={
            "csrf_token": csrf(client),
            "admitted_on": today().isoformat(),
            "protocol_code": "optima",
            "weight_kg": "6,0",
            "height_cm": "67,5",
            "muac_mm": muac,
            "oedema": "none",
            "appetite_test_passed": "true",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    return str(saved.headers["location"]).split("?")[0]


def test_a_nurse_sees_the_notice_records_consent_and_randomises(
    client: TestClient, session: Session, world: World
) -> None:
    code = make_study(session, world)
    sign_in(client, world.users["clinician_a"].username)
    card_url = admit(client, session, world)
    card = HTMLParser(client.get(card_url).text)
    notice = card.css_first(f"#study-{code}")
    assert notice is not None
    assert f"Éligible pour {code} : demander le consentement" in notice.text()
    link = card.css_first("#study-consent")
    assert link is not None
    child_url = str(link.attributes["href"])
    page = HTMLParser(client.get(child_url).text)
    assert page.css_first("#consent-form") is not None
    assert page.css_first("#randomise-form") is None
    form_id = page.css_first("#form_id option")
    assert form_id is not None
    consent = {
        "csrf_token": csrf(client),
        "form_id": str(form_id.attributes["value"]),
        "caregiver_name": "Mariam Diarra",
        "caregiver_relation": "mère",
        "method": "thumbprint",
        "consented_on": today().isoformat(),
    }
    refused = client.post(f"{child_url}/consent", data=consent)
    assert refused.status_code == 422
    assert "témoin" in refused.text
    saved = client.post(
        f"{child_url}/consent",
        data=consent | {"witness_name": "Oumar Sanogo"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    randomised = client.post(
        f"{child_url}/randomisation", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert randomised.status_code == 303
    page = HTMLParser(client.get(randomised.headers["location"]).text)
    arm = page.css_first("#arm")
    assert arm is not None
    assert arm.text() in {"OptiMA", "Standard"}
    card = HTMLParser(client.get(card_url).text)
    shown = card.css_first("#study-arm")
    assert shown is not None and shown.text() == arm.text()
    title = "OptiMA" if arm.text() == "OptiMA" else "OMS"
    assert title in card.css_first("h1 + p.muted").text()  # type: ignore[union-attr]
    again = client.post(
        f"{child_url}/randomisation", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert again.status_code == 422


def test_the_dashboard_counts_without_naming_a_child(
    client: TestClient, session: Session, world: World
) -> None:
    code = make_study(session, world)
    sign_in(client, world.users["clinician_a"].username)
    admit(client, session, world)
    admit(client, session, world, muac="122")
    sign_in(client, world.users["researcher"].username)
    studies = client.get("/research")
    assert code in studies.text
    board = HTMLParser(client.get(f"/research/studies/{code}").text)
    consort = board.css_first("#consort")
    assert consort is not None
    assert [td.text() for td in consort.css("tbody td:nth-child(2)")][:2] == ["2", "1"]
    assert "Safiatou" not in board.html  # type: ignore[operator]
    # The researcher does not see the child's study page.
    child_page = client.get(f"/research/studies/{code}/patients/{world.patient_a.id}")
    assert child_page.status_code == 404


def test_a_researcher_downloads_the_exports_from_the_study_page(
    client: TestClient, session: Session, world: World
) -> None:
    code = make_study(session, world)
    enrol(session, world, code, 70)
    sign_in(client, world.users["clinician_a"].username)
    assert HTMLParser(client.get(f"/research/studies/{code}").text).css_first("#exports") is None
    assert client.get(f"/research/studies/{code}/export.zip").status_code == 403
    client.cookies.clear()
    sign_in(client, world.users["researcher"].username)
    page = HTMLParser(client.get(f"/research/studies/{code}").text)
    links = [str(a.attributes["href"]) for a in page.css("#exports a")]
    assert links == [
        f"/research/studies/{code}/participants",
        f"/research/studies/{code}/export.zip",
        f"/research/studies/{code}/export.xml",
    ]
    zipped = client.get(links[1])
    assert zipped.headers["content-type"] == "application/zip"
    assert f'filename="{code}-' in zipped.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert sorted(archive.namelist()) == ["dictionary.csv", "subjects.csv", "visits.csv"]
        assert len(archive.read("subjects.csv").decode().splitlines()) == 2
    odm = client.get(links[2])
    assert odm.headers["content-type"].startswith("application/xml")
    assert odm_errors(odm.content) == []
    listed = HTMLParser(client.get(links[0]).text)
    assert len(listed.css("#participants tbody tr")) == 1
