"""CSV files in the reader's language: a French spreadsheet opens them cleanly, and so does an
English one; the figures are those of the page and of the workbook."""

import csv
import io
import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.web.inventory import iter_routes
from alima.web.spreadsheet import cell_text, csv_text, separator
from tests.factories.core import World, sign_in
from tests.factories.nutrition import make_child, make_episode
from tests.factories.smc import smc_targets

URL = "/nutrition/reports/monthly"


def two_cured(session: Session, world: World) -> None:
    """Two children cured today after 10 and 15 days: 12.5 days on average."""
    for days in (10, 15):
        child = make_child(session, world.facility_a)
        with session.begin():
            make_episode(
                session,
                child,
                world.facility_a,
                admitted_on=today() - timedelta(days=days),
                closed_on=today(),
            )


def rows(response_content: bytes, delimiter: str) -> dict[str, str]:
    text = response_content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
    assert all(len(row) == 2 for row in table), table
    return dict(table)


def test_the_report_csv_is_written_for_the_readers_spreadsheet(
    client: TestClient, session: Session, world: World
) -> None:
    two_cured(session, world)
    sign_in(client, world.users["clinician_a"].username)
    query = {"place": world.facility_a.code, "month": f"{today():%Y-%m}"}

    page = HTMLParser(client.get(URL, params=query).text)
    stay = page.css("dl.facts dd")[0].text()
    assert stay == "12,5"
    french = client.get(f"{URL}.csv", params=query)
    assert french.status_code == 200
    assert french.headers["content-type"].startswith("text/csv")
    cells = rows(french.content, ";")
    assert cells["Indicateur"] == "Valeur"
    assert cells["Durée moyenne de séjour (jours)"] == stay
    assert cells["Sorties : Guéri"] == "2"

    client.cookies.set("alima_locale", "en")
    english = client.get(f"{URL}.csv", params=query)
    cells = rows(english.content, ",")
    assert cells["Indicator"] == "Value"
    assert cells["Average length of stay (days)"] == "12.5"

    book = client.get(f"{URL}.xlsx", params=query)
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert values["Average length of stay (days)"] == 12.5  # a number
    assert values["Exits: Cured"] == 2


def test_numbers_and_separators_follow_the_locale() -> None:
    assert (separator("fr"), separator("en")) == (";", ",")
    assert cell_text(1234.567, "fr") == "1234,57"  # no grouping a spreadsheet would misread
    assert cell_text(1234.5, "en") == "1234.5"
    assert (cell_text(None, "fr"), cell_text(7, "fr"), cell_text("a;b", "fr")) == ("", "7", "a;b")
    assert csv_text([["a;b", 2.5]], "fr") == '"a;b";2,5\r\n'
    assert csv_text([["a,b", 2.5]], "en") == '"a,b",2.5\r\n'


def test_the_read_audit_csv_follows_the_same_rule(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["coordinator"].username)
    french = client.get("/audit/reads.csv")
    assert french.status_code == 200
    header = french.content.decode("utf-8").splitlines()[0]
    assert header.startswith("\ufeff") and ";" in header and "," not in header
    client.cookies.set("alima_locale", "en")
    header = client.get("/audit/reads.csv").content.decode("utf-8").splitlines()[0]
    assert header.startswith("\ufeff") and "," in header and ";" not in header


#: Every CSV export of the application, with the query of a month of facility A.
CSV_EXPORTS = (
    "/audit/reads.csv",
    "/nutrition/reports/monthly.csv",
    "/stock/reports/monthly.csv",
    "/smc/campaigns/{smc_campaign_id}/report.csv",
)
#: A number with the other locale's decimal mark.
WRONG_DECIMAL = {"fr": re.compile(r"-?\d+\.\d+"), "en": re.compile(r"-?\d+,\d+")}


def test_every_csv_export_is_written_for_the_readers_spreadsheet(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    """UTF-8 with a byte-order mark; ``;`` and decimal commas in French, ``,`` and points in
    English; every export of the application is in the list (a new one is checked too)."""
    exported = {r.path for r in iter_routes(app.routes) if r.path.endswith(".csv")}
    assert exported == set(CSV_EXPORTS)
    two_cured(session, world)  # 12.5 days: a decimal number in the nutrition report
    campaign = smc_targets(
        session,
        world.actors["data_manager"],
        area_code=world.area_a.code,
        site=world.facility_a,
        writer=world.actors["clinician_a"],
    )["smc_campaign_id"]
    sign_in(client, world.users["coordinator"].username)
    query = {"place": world.facility_a.code, "month": f"{today():%Y-%m}"}
    for template in CSV_EXPORTS:
        path = template.format(smc_campaign_id=campaign)
        for locale, delimiter in (("fr", ";"), ("en", ",")):
            client.cookies.set("alima_locale", locale)
            response = client.get(path, params=query if "monthly" in path else None)
            assert response.status_code == 200, (path, locale)
            assert response.headers["content-type"] == "text/csv; charset=utf-8"
            text = response.content.decode("utf-8")
            assert text.startswith("\ufeff"), path
            table = list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))
            assert len(table[0]) > 1, (path, locale, table[0])  # the delimiter splits cells
            if "/smc/" not in path:  # the campaign's figures come in titled sections
                assert len({len(row) for row in table}) == 1, (path, locale)
            cells = [cell for row in table[1:] for cell in row]
            assert not [c for c in cells if WRONG_DECIMAL[locale].fullmatch(c)], (path, locale)
    client.cookies.set("alima_locale", "fr")
    nutrition = client.get(CSV_EXPORTS[1], params=query).content.decode("utf-8")
    assert "12,5" in nutrition
    client.cookies.set("alima_locale", "en")
    assert "12.5" in client.get(CSV_EXPORTS[1], params=query).content.decode("utf-8")


def test_the_read_audit_csv_shows_labels_not_codes(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    assert client.get(f"/patients/{world.patient_a.id}").status_code == 200  # an audited read
    sign_in(client, world.users["coordinator"].username)
    text = client.get("/audit/reads.csv").content.decode("utf-8")
    table = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert rows, table
    assert {row["Action"] for row in rows} <= {"Consultée", "Accès refusé"}, rows
    assert "web" not in {row["Canal"] for row in rows}
    assert "Pages web" in {row["Canal"] for row in rows}
