"""The SMC pages in French: a data manager sets up a campaign, a distributor records a
household's children one after the other (registered through the patient register), the
campaign page, CSV and workbook show the same coverage, the door-to-door list the children."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode
from sqlalchemy.orm import Session

from alima.core.time import today
from tests.factories.core import World, csrf, sign_in
from tests.factories.smc import make_campaign


def one(node: HTMLParser | LexborNode, selector: str) -> LexborNode:
    found = node.css_first(selector)
    assert found is not None, selector
    return found


def post(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    response = client.post(path, data=data | {"csrf_token": csrf(client)}, follow_redirects=False)
    return response.status_code, response.headers.get("location", response.text)


def test_setup_a_campaign(client: TestClient, world: World) -> None:
    sign_in(client, world.users["data_manager"].username)
    page = client.get("/smc/campaigns/new")
    assert page.status_code == 200
    assert world.area_a.code in page.text
    start = today() - timedelta(days=10)
    data = {
        "name": "CPS 2026",
        "season": str(start.year),
        "target_source": "census",
        "areas_text": f"{world.area_a.code} 120\n{world.area_b.code} 80",
        **{f"cycle_{n}": (start + timedelta(days=30 * (n - 1))).isoformat() for n in range(1, 5)},
    }
    status, where = post(client, "/smc/campaigns/new", data)
    assert status == 303, where
    campaign = HTMLParser(client.get(where).text)
    assert one(campaign, "#target").text() == "200"
    # A census campaign without the figures is refused on the form, in French.
    status, body = post(client, "/smc/campaigns/new", data | {"areas_text": world.area_a.code})
    assert status == 422
    assert "Donnez le nombre d’enfants" in body
    # A clinician may not set up a campaign.
    sign_in(client, world.users["clinician_a"].username)
    status, _ = post(client, "/smc/campaigns/new", data)
    assert status == 403


def test_a_household_recorded_child_after_child(
    client: TestClient, session: Session, world: World
) -> None:
    start = today() - timedelta(days=5)
    campaign = make_campaign(
        session, world, census=(50, 50), starts=[start + timedelta(days=30 * i) for i in range(4)]
    )
    cycle = campaign.cycles[0]
    sign_in(client, world.users["clinician_a"].username)
    base = f"/smc/cycles/{cycle.id}/household"
    house = client.get(base, params={"village": "Kolongo", "caregiver": "Mariam Sangaré"})
    assert house.status_code == 200
    assert HTMLParser(house.text).css_first("#no-child") is not None
    children = [("Awa", "F", 20), ("Issa", "M", 40)]
    for given, sex, months in children:
        status, where = post(
            client,
            f"{base}/children",
            {
                "given_name": given,
                "family_name": "Sangaré",
                "sex": sex,
                "estimated_age_months": str(months),
                "village": "Kolongo",
                "caregiver_name": "Mariam Sangaré",
                "place_code": world.facility_a.code,
            },
        )
        assert status == 303, where
        page = HTMLParser(client.get(where).text)
        form = page.css_first("#dose-form")
        assert form is not None
        patient_id = one(form, "input[name=patient_id]").attributes["value"]
        action = form.attributes["action"]
        assert action is not None
        findings = {"sick": "yes"} if given == "Issa" else {}
        status, where = post(
            client,
            action,
            {
                "patient_id": str(patient_id),
                "village": "Kolongo",
                "caregiver": "Mariam Sangaré",
                "place_code": world.facility_a.code,
                "day1_observed": "yes",
                **findings,
            },
        )
        assert status == 303, where
        # A second dose of the same cycle is refused with a clear message.
        if given == "Awa":
            again, body = post(
                client,
                action,
                {
                    "patient_id": str(patient_id),
                    "village": "Kolongo",
                    "caregiver": "Mariam Sangaré",
                    "day1_observed": "yes",
                },
            )
            assert again == 409
            assert "deuxième dose est refusée" in body, body[body.find("<main") :][:3000]
    done = HTMLParser(client.get(where).text)
    statuses = {
        one(li, "strong").text(): one(li, ".status").text() for li in done.css("#children li")
    }
    assert statuses["Awa Sangaré"] == "Donné: SPAQ 12-59 mois (AQ 153 mg + SP 500/25 mg)"
    assert statuses["Issa Sangaré"].startswith("Non donné: Fièvre ou malade")
    assert done.css_first("#household-done") is not None

    sign_in(client, world.users["data_manager"].username)
    page = HTMLParser(client.get(f"/smc/campaigns/{campaign.id}").text)
    assert one(page, "#figures-1 .treated").text() == "1"
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/smc/campaigns/{campaign.id}/report.csv").text.lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[1][3] == "1"
    book = load_workbook(
        io.BytesIO(client.get(f"/smc/campaigns/{campaign.id}/report.xlsx").content)
    )
    sheet = book.active
    assert sheet is not None
    assert sheet.cell(row=2, column=4).value == 1
    listing = client.get(f"/smc/cycles/{cycle.id}/list")
    assert listing.status_code == 200
