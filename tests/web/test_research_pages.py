"""The research pages: the eligibility notice on the card, consent, randomisation, dashboard."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import update
from sqlalchemy.orm import Session

from alima.core.enums import OrganisationKind, PartnerRole
from alima.core.time import today
from alima.research.models import Allocation
from alima.research.schemas import StudyEventIn
from tests.factories.alliance import make_organisation, make_project
from tests.factories.core import World, csrf, sign_in
from tests.factories.nutrition import make_child
from tests.factories.research import make_study
from tests.integration.research.test_exports import enrol
from tests.unit.research.odm_schema import odm_errors


def admit(
    client: TestClient, session: Session, world: World, muac: str = "112", on: date | None = None
) -> str:
    child = make_child(session, world.facility_a, age_days=400)
    saved = client.post(
        f"/patients/{child.id}/nutrition/admit",
        data={
            "csrf_token": csrf(client),
            "admitted_on": (on or today()).isoformat(),
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


def test_the_child_page_shows_the_schedule_takes_a_study_visit_and_an_sae(
    client: TestClient, session: Session, world: World
) -> None:
    schedule = [
        StudyEventIn(
            code="M1",
            label_fr="Mois 1",
            label_en="Month 1",
            day_offset=30,
            window_before_days=7,
            window_after_days=14,
        )
    ]
    code = make_study(session, world, schedule=schedule)
    sign_in(client, world.users["clinician_a"].username)
    card_url = admit(client, session, world, on=today() - timedelta(10))
    child_url = str(
        HTMLParser(client.get(card_url).text).css_first("#study-consent").attributes["href"]  # type: ignore[union-attr]
    )
    page = HTMLParser(client.get(child_url).text)
    form_id = page.css_first("#form_id option").attributes["value"]  # type: ignore[union-attr]
    client.post(
        f"{child_url}/consent",
        data={
            "csrf_token": csrf(client),
            "form_id": str(form_id),
            "caregiver_name": "Mariam Diarra",
            "caregiver_relation": "mère",
            "method": "signed",
            "consented_on": today().isoformat(),
        },
    )
    client.post(f"{child_url}/randomisation", data={"csrf_token": csrf(client)})
    page = HTMLParser(client.get(child_url).text)
    status = page.css_first("#event-M1 td:last-child")
    assert status is not None and status.text() == "À venir"
    assert page.css_first("#study-visit-form") is None
    patient_id = child_url.rsplit("/", 1)[1]
    with session.begin():  # month 1 opened 7 days ago, after the admission: no routine data
        session.execute(
            update(Allocation)
            .where(Allocation.patient_id == uuid.UUID(patient_id))
            .values(revealed_at=datetime.combine(today() - timedelta(30), time(9), tzinfo=UTC)),
            execution_options={"synchronize_session": False},
        )
    page = HTMLParser(client.get(child_url).text)
    assert page.css_first("#event-M1 td:last-child").text() == "À faire : fenêtre ouverte"  # type: ignore[union-attr]
    assert page.css_first("#study-visit-form") is not None
    visit = {
        "csrf_token": csrf(client),
        "event_code": "M1",
        "visit_on": today().isoformat(),
        "weight_kg": "6,4",
        "muac_mm": "118",
        "oedema": "none",
    }
    saved = client.post(f"{child_url}/study-visit", data=visit, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = HTMLParser(client.get(saved.headers["location"]).text)
    filled = page.css_first("#event-M1 td:last-child").text()  # type: ignore[union-attr]
    assert filled.startswith("Rempli par une visite d'étude")
    sae = {
        "csrf_token": csrf(client),
        "onset_on": today().isoformat(),
        "aware_on": (today() - timedelta(1)).isoformat(),
        "category": "hospitalisation",
        "outcome": "recovering",
        "relatedness": "not_related",
    }
    refused = client.post(f"{child_url}/adverse-events", data=sae)
    assert refused.status_code == 422
    assert "avant son début" in refused.text
    saved = client.post(
        f"{child_url}/adverse-events",
        data=sae | {"aware_on": today().isoformat()},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    listed = HTMLParser(client.get(f"/research/studies/{code}/safety").text)
    row = listed.css_first("#adverse-events tbody tr")
    assert row is not None and "À déclarer" in row.text()
    button = row.css_first("form")
    assert button is not None
    done = client.post(
        str(button.attributes["action"]),
        data={"csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    listed = HTMLParser(client.get(done.headers["location"]).text)
    row = listed.css_first("#adverse-events tbody tr")
    assert row is not None and "Déclaré dans le délai" in row.text()
    assert row.css_first("form") is None


def test_an_administrator_sets_a_study_up_then_adds_a_form_version(
    client: TestClient, session: Session, world: World
) -> None:
    with session.begin():
        sponsor = make_organisation(session, "WEB-SPONSOR", OrganisationKind.RESEARCH_INSTITUTE)
        project = make_project(
            session, world.country, [world.facility_a], [(sponsor, PartnerRole.LEAD)]
        )
        project_code = project.code
    sign_in(client, world.users["administrator"].username)
    form = {
        "csrf_token": csrf(client),
        "code": "WEB-STUDY",
        "title": "Étude web",
        "project_code": project_code,
        "sponsor_code": "WEB-SPONSOR",
        "starts_on": today().isoformat(),
        "target_size": "40",
        "site_list": world.facility_a.code,
        "blinded": "yes",
        "arm1_code": "optima",
        "arm1_label": "OptiMA",
        "arm1_protocol": "optima",
        "arm2_code": "standard",
        "arm2_label": "Standard",
        "age_min_months": "6",
        "age_max_months": "59",
        "no_complication": "yes",
        "form_version": "1.0",
        "form_language": "fr",
    }
    saved = client.post("/research/studies/new", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/research/studies/WEB-STUDY/setup"
    setup = HTMLParser(client.get("/research/studies/WEB-STUDY/setup").text)
    assert setup.css_first("#setup-arms") is not None and "OptiMA" in setup.text()
    again = client.post("/research/studies/new", data=form, follow_redirects=False)
    assert again.status_code == 422 and "déjà ce code" in again.text
    added = client.post(
        "/research/studies/WEB-STUDY/forms",
        data={
            "csrf_token": csrf(client),
            "kind": "consent",
            "version": "2.0",
            "language": "fr",
            "approved_on": today().isoformat(),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    rows = HTMLParser(client.get("/research/studies/WEB-STUDY/setup").text).css("#forms tbody tr")
    in_force = {r.css("td")[2].text(): r.css("td")[4].text() for r in rows}
    assert in_force == {"2.0": "oui", "1.0": "non"}
    sign_in(client, world.users["clinician_a"].username)
    assert client.get("/research/studies/new").status_code == 403


def test_a_monitor_queries_the_site_answers_and_the_monitor_closes(
    client: TestClient, session: Session, world: World
) -> None:
    from tests.factories.research import monitored_targets

    with session.begin():
        sponsor = make_organisation(session, "WEB-MON", OrganisationKind.RESEARCH_INSTITUTE)
        project = make_project(
            session, world.country, [world.facility_a], [(sponsor, PartnerRole.LEAD)]
        )
        owner = {"project_code": project.code, "sponsor_code": "WEB-MON"}
    t = monitored_targets(session, world.actors["administrator"], **owner, site=world.facility_a)
    code, child = t["monitored_study_code"], t["included_patient_id"]
    sign_in(client, world.users["monitor"].username)
    listed = HTMLParser(client.get(f"/research/studies/{code}/monitoring").text)
    link = listed.css_first("#included a")
    assert link is not None
    source_url = str(link.attributes["href"])
    assert client.get(f"/patients/{child}").status_code == 404  # the care card: not a monitor's
    raised = client.post(
        source_url.replace("/source", "/queries"),
        data={"csrf_token": csrf(client), "reference": "admission : PB", "text": "112 mm ?"},
        follow_redirects=False,
    )
    assert raised.status_code == 303, raised.text
    sign_in(client, world.users["clinician_a"].username)
    child_page = HTMLParser(client.get(f"/research/studies/{code}/patients/{child}").text)
    forms = [f for f in child_page.css("form") if "/answer" in str(f.attributes.get("action"))]
    assert len(forms) == 2  # the factory's answered query, and the new one
    answered = client.post(
        str(forms[-1].attributes["action"]),
        data={"csrf_token": csrf(client), "answer": "Corrigé dans le registre."},
        follow_redirects=False,
    )
    assert answered.status_code == 303, answered.text
    sign_in(client, world.users["monitor"].username)
    page = HTMLParser(client.get(source_url).text)
    closes = [f for f in page.css("form") if "/close" in str(f.attributes.get("action"))]
    assert len(closes) == 2
    for form in closes:
        token = form.css_first('input[name="csrf_token"]')
        assert token is not None
        closed = client.post(
            str(form.attributes["action"]),
            data={"csrf_token": str(token.attributes["value"])},
            follow_redirects=False,
        )
        assert closed.status_code == 303, closed.text
    final = HTMLParser(client.get(source_url).text)
    assert not [f for f in final.css("form") if "/close" in str(f.attributes.get("action"))]
    statuses = [r.css("td")[3].text() for r in final.css("#queries tbody tr")]
    assert statuses == ["Clôturé", "Clôturé"]
