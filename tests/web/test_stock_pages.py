"""The RUTF stock pages in French: forms save through the services, the site page shows the
balance, batches and the alert, the home page warns, and the monthly report is a page, a CSV
(French spreadsheet) and a workbook with the same figures."""

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
from tests.factories.nutrition import admit_sam_child


def one(tree: HTMLParser, selector: str) -> LexborNode:
    node = tree.css_first(selector)
    assert node is not None, selector
    return node


def post(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    response = client.post(path, data=data | {"csrf_token": csrf(client)}, follow_redirects=False)
    return response.status_code, response.headers.get("location", response.text)


def test_a_nurse_receives_counts_and_sees_the_alert(
    client: TestClient, session: Session, world: World
) -> None:
    admitted = admit_sam_child(session, world, admitted_on=today() - timedelta(days=2))
    weekly = admitted.rutf_sachets_per_week
    given = admitted.visit.sachets_given
    sign_in(client, world.users["clinician_a"].username)
    form = client.get("/stock/movements/receipt/new")
    assert form.status_code == 200
    page = HTMLParser(form.text)
    # One site: chosen for the nurse; the carton's size comes from the settings.
    assert one(page, "input[name=place_code]").attributes["value"] == world.facility_a.code
    assert one(page, "#sachets_per_carton").attributes["value"] == "150"

    status, where = post(
        client,
        "/stock/movements/receipt/new",
        {
            "quantity": "1",
            "unit": "carton",
            "sachets_per_carton": "150",
            "batch": "LOT-A",
            "expires_on": (today() + timedelta(days=300)).isoformat(),
            "moved_on": (today() - timedelta(days=5)).isoformat(),
            "place_code": world.facility_a.code,
        },
    )
    assert status == 303, where
    assert where == f"/stock/sites/{world.facility_a.code}?saved=receipt"
    site = HTMLParser(client.get(where).text)
    assert one(site, "#saved").text() == "Enregistré : Réception."
    assert one(site, "#usable").text() == str(150 - given)
    assert "LOT-A" in one(site, "#batches").text()

    # A loss bigger than the stock comes back on the form, in French, nothing saved.
    status, body = post(
        client,
        "/stock/movements/loss/new",
        {"quantity": "999", "unit": "sachet", "reason": "stolen"},
    )
    assert status == 422
    assert "ne peuvent pas être retirés" in body

    # The count finds fewer sachets than a week's need: the alert shows here and on the home.
    status, where = post(
        client,
        "/stock/movements/stock_count/new",
        {"quantity": str(weekly), "unit": "sachet", "place_code": world.facility_a.code},
    )
    assert status == 303, where
    site = HTMLParser(client.get(where).text)
    assert one(site, "#usable").text() == str(weekly)
    assert "Alerte stock d’ATPE" in one(site, "#stock-alert").text()
    assert f"écart {weekly - (150 - given)}" in one(site, "#movements").text()
    home = HTMLParser(client.get("/").text)
    alerts = one(home, "#stock-alerts")
    assert world.facility_a.name in alerts.text()

    # The monthly report: page, CSV and workbook agree with the recount.
    query = {"place": world.facility_a.code, "month": f"{today():%Y-%m}"}
    report = HTMLParser(client.get("/stock/reports/monthly", params=query).text)
    closing = one(report, "#stock-report dd.closing").text()
    assert closing == str(weekly)
    french = client.get("/stock/reports/monthly.csv", params=query)
    text = french.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert table[0][:3] == ["Site", "Solde initial", "Reçus"]
    line = dict(zip(table[0], table[1], strict=True))
    if (today() - timedelta(days=5)).month == today().month:
        assert line["Reçus"] == "150"
        assert line["Solde initial"] == "0"
    assert line["Solde final"] == str(weekly)
    assert line["Inventaire physique"] == str(weekly)
    assert line["Semaines de stock restantes"] == "1"
    book = load_workbook(
        io.BytesIO(client.get("/stock/reports/monthly.xlsx", params=query).content)
    )
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[2]][6] == weekly


def test_another_sites_stock_page_is_not_found(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["clinician_b"].username)
    assert client.get(f"/stock/sites/{world.facility_a.code}").status_code == 404
    assert client.get(f"/stock/sites/{world.facility_b.code}").status_code == 200
    status, body = post(
        client,
        "/stock/movements/receipt/new",
        {
            "quantity": "10",
            "unit": "sachet",
            "batch": "X",
            "expires_on": (today() + timedelta(days=30)).isoformat(),
            "place_code": world.facility_a.code,
        },
    )
    # Another site's code is refused on the form as an unknown place (nothing said about it).
    assert status == 404
    assert "Aucun lieu n&#39;a le code" in body, body


def test_the_correct_link_opens_the_form_filled_and_the_correction_counts_instead(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    expiry = (today() + timedelta(days=100)).isoformat()
    status, where = post(
        client,
        "/stock/movements/receipt/new",
        {"quantity": "100", "unit": "sachet", "batch": "LOT-C", "expires_on": expiry},
    )
    assert status == 303, where
    site = HTMLParser(client.get(where).text)
    link = one(site, "#movements a").attributes["href"]
    assert link is not None
    form = HTMLParser(client.get(link).text)
    assert one(form, "#correcting") is not None
    assert one(form, "#quantity").attributes["value"] == "100"
    assert one(form, "#batch").attributes["value"] == "LOT-C"
    corrects = one(form, "input[name=corrects_id]").attributes["value"]
    assert corrects
    status, where = post(
        client,
        link.split("?")[0],
        {
            "quantity": "120",
            "unit": "sachet",
            "batch": "LOT-C",
            "expires_on": expiry,
            "corrects_id": corrects,
        },
    )
    assert status == 303, where
    site = HTMLParser(client.get(where).text)
    assert one(site, "#usable").text() == "120"
    assert "corrigé" in one(site, "#movements").text()
