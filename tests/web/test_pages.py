"""Pages: every page light (< 60 KB compressed), self-contained, French by default, CSRF-protected."""

import gzip
import io
import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.enums import OrganisationKind, PartnerRole
from alima.core.time import today
from alima.interop.dhis2 import service as dhis2_service
from alima.interop.dhis2.schemas import MappingFile
from alima.nutrition import service as nutrition_service
from alima.nutrition.schemas import AdmissionCreate
from alima.web.inventory import iter_routes
from alima.web.static import STATIC_DIR
from tests.factories.alliance import alliance_page_values, make_organisation, make_project
from tests.factories.core import World, csrf, sign_in
from tests.factories.dhis2_server import small_mapping
from tests.factories.openrosa import refused_submission
from tests.factories.outbreaks import cholera_case
from tests.factories.research import research_targets
from tests.factories.smc import smc_targets
from tests.factories.stock import make_receipt
from tests.factories.sync import sync_targets
from tests.factories.treat import treat_page_values

MAX_COMPRESSED = 60 * 1024
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
PARAM = re.compile(r"\{(\w+)\}")


def html_get_routes(app: FastAPI) -> list[str]:
    return sorted(
        route.path
        for route in iter_routes(app.routes)
        # The JSON API and FHIR (alima.interop.fhir) are not pages.
        if "GET" in route.methods and not route.path.startswith(("/api/", "/fhir/"))
    )


def external_references(html: str) -> list[str]:
    tree = HTMLParser(html)
    found = []
    for node in tree.css("[src], [href], [action], [srcset], [poster], [data]"):
        for attr in ("src", "href", "action", "srcset", "poster", "data"):
            value = node.attributes.get(attr)
            if value and EXTERNAL.match(value):
                found.append(value)
    for style in tree.css("style"):
        found += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", style.text())
    return found


def test_static_files_reference_nothing_outside() -> None:
    for path in STATIC_DIR.rglob("*"):
        if path.suffix in {".css", ".js", ".svg"}:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path
            assert "@import" not in text, path


@dataclass(frozen=True)
class Page:
    """A page of the walk: who should see it, with which query, and the data it must show."""

    viewer: str
    shows: tuple[str, ...]
    query: str = ""
    media_type: str = "text/html"
    #: Path parameters taken from another of the walk's values (``{"patient_id": "x"}``).
    values: tuple[tuple[str, str], ...] = ()


#: Every GET page of the web app: it renders (200) for `viewer` with the records of the walk.
#: `{...}` in the query and in `shows` are filled from the walk's values.
PAGES: dict[str, Page] = {
    "/": Page("clinician_a", ("{patient_identifier}",)),
    "/account/password": Page("clinician_a", ('name="current_password"', 'name="password"')),
    "/admin/users": Page("administrator", ("{clinician_a}", 'href="/admin/users/{user_id}"')),
    "/admin/users/{user_id}": Page("administrator", ("{clinician_a}", 'id="roles"')),
    "/admin/users/new": Page("administrator", ('action="/admin/users/new"', "{facility_a_code}")),
    "/admin/users/{user_id}/roles/new": Page(
        "administrator", ("{clinician_a}", 'action="/admin/users/{user_id}/roles/new"')
    ),
    "/admin/users/{user_id}/password": Page("administrator", ("{clinician_a}", 'type="password"')),
    "/admin/users/{user_id}/tokens/new": Page(
        "administrator", ("{clinician_a}", 'action="/admin/users/{user_id}/tokens/new"')
    ),
    "/dhis2": Page("administrator", ("ouSITE00001", "{facility_a_code}")),
    "/approvals": Page("data_manager", ("{project_code}", "{facility_a_name}")),
    "/audit/reads": Page("data_manager", ("{patient_identifier}", "{clinician_a}")),
    "/audit/reads.csv": Page(
        "coordinator", ("{patient_identifier}", "{clinician_a}"), media_type="text/csv"
    ),
    "/break-glass": Page("clinician_a", ('action="/break-glass"',)),
    "/care": Page("clinician_a", ("{patient_identifier}",), query="q=Coulibaly"),
    "/care/consultations/{consultation_id}": Page(
        "clinician_a", ("{patient_identifier}", "B54", "118")
    ),
    "/care/mobile": Page("clinician_a", ('href="/care/mobile/sessions/new"',)),
    "/care/mobile/population/new": Page("clinician_a", ('action="/care/mobile/population/new"',)),
    "/care/mobile/sessions/new": Page("clinician_a", ('action="/care/mobile/sessions/new"',)),
    "/care/surgeries": Page("clinician_a", ('action="/care/surgeries"',)),
    "/community": Page("clinician_a", ("Awa", "Pogo", "109")),
    "/community/referrals": Page("clinician_a", ("Awa", "Pogo", "{facility_a_name}")),
    "/community/referrals/{referral_id}/arrival": Page("clinician_a", ("Awa", "Pogo", "109")),
    "/community/referrals/{referral_id}/register": Page("clinician_a", ("Awa", "Pogo")),
    "/community/referrals/{referral_id}/admit": Page("clinician_a", ("{patient_identifier}",)),
    "/community/screenings/new": Page("clinician_a", ("{facility_a_name}",)),
    "/community/screenings/{screening_id}": Page("clinician_a", ("Awa", "Pogo", "109")),
    "/community/statistics": Page("clinician_a", ("{facility_a_name}",)),
    "/community/trainings/new": Page("clinician_a", ("{facility_a_name}",)),
    "/countries/{country_code}": Page("data_manager", ("{country_name}", "Projet co-géré")),
    "/impact": Page("clinician_a", ("{country_name}", 'href="/impact/{country_code}"')),
    "/impact/{country_code}": Page("clinician_a", ("{country_name}",)),
    "/impact/{country_code}/context": Page("coordinator", ("{country_name}",)),
    "/login": Page("clinician_a", ('name="username"', 'name="password"')),
    "/nutrition": Page("clinician_a", ("{patient_identifier}",), query="site={facility_a_code}"),
    "/nutrition/episodes/{episode_id}": Page("clinician_a", ("{patient_identifier}", "18")),
    "/nutrition/episodes/{episode_id}/tracing": Page("clinician_a", ("{patient_identifier}",)),
    "/nutrition/tracing": Page("clinician_a", ()),
    "/nutrition/episodes/{episode_id}/exit": Page("clinician_a", ("{patient_given_name}",)),
    "/nutrition/reports/monthly": Page(
        "clinician_a",
        ("{facility_a_name}", "{month}"),
        query="place={facility_a_code}&month={month}",
    ),
    "/nutrition/reports/monthly.csv": Page(
        "clinician_a",
        ("{facility_a_name}", "{month}"),
        query="place={facility_a_code}&month={month}",
        media_type="text/csv",
    ),
    "/nutrition/reports/monthly.xlsx": Page(
        "clinician_a",
        (),
        query="place={facility_a_code}&month={month}",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "/openrosa/review": Page("data_manager", ("Dépistage PB communautaire", "{facility_a_name}")),
    "/openrosa/review/{submission_id}": Page(
        "data_manager", ("Dépistage PB communautaire", "Pogo")
    ),
    "/patients": Page("clinician_a", ("{patient_identifier}",), query="q=Coulibaly"),
    "/patients/new": Page("clinician_a", ("{facility_a_name}",)),
    "/patients/{patient_id}": Page("clinician_a", ("{patient_identifier}", "Molodo")),
    "/patients/{patient_id}/antenatal/new": Page("clinician_a", ("{patient_identifier}",)),
    "/patients/{patient_id}/audit": Page("data_manager", ("{patient_identifier}", "{clinician_a}")),
    "/patients/{patient_id}/care": Page("clinician_a", ("{patient_identifier}",)),
    "/patients/{patient_id}/consultations/new": Page("clinician_a", ("{patient_identifier}",)),
    "/patients/{patient_id}/deliveries/new": Page("clinician_a", ("{patient_identifier}",)),
    "/patients/{patient_id}/nutrition/admit": Page("clinician_a", ("{patient_identifier}",)),
    "/patients/{patient_id}/postnatal/new": Page("clinician_a", ("{patient_identifier}",)),
    "/patients/{patient_id}/surgeries/new": Page("clinician_a", ("{patient_identifier}",)),
    "/projects": Page("data_manager", ("{project_code}", "Projet co-géré")),
    "/projects/{project_code}": Page("data_manager", ("{project_code}", "Projet co-géré")),
    "/projects/{project_code}/agreements/new": Page("administrator", ("Projet co-géré",)),
    "/projects/{project_code}/grants/new": Page("coordinator", ("Projet co-géré",)),
    "/stock": Page("clinician_a", ("{facility_a_name}",)),
    "/stock/sites/{place_code}": Page("clinician_a", ("{facility_a_name}", "LOT-PAGES", "150")),
    "/stock/movements/receipt/new": Page("clinician_a", ("{facility_a_name}",)),
    "/stock/movements/loss/new": Page("clinician_a", ("{facility_a_name}",)),
    "/stock/movements/adjustment/new": Page("clinician_a", ("{facility_a_name}",)),
    "/stock/movements/stock_count/new": Page("clinician_a", ("{facility_a_name}",)),
    "/stock/reports/monthly": Page(
        "clinician_a",
        ("{facility_a_name}", "{month}"),
        query="place={facility_a_code}&month={month}",
    ),
    "/stock/reports/monthly.csv": Page(
        "clinician_a",
        ("{facility_a_name}",),
        query="place={facility_a_code}&month={month}",
        media_type="text/csv",
    ),
    "/stock/reports/monthly.xlsx": Page(
        "clinician_a",
        (),
        query="place={facility_a_code}&month={month}",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "/outbreaks": Page("data_manager", ('id="alerts"',)),
    "/outbreaks/reports/new": Page("clinician_a", ("{facility_a_name}",)),
    "/outbreaks/cases/new": Page("clinician_a", ("{facility_a_name}",)),
    "/outbreaks/cases": Page("clinician_a", ("{facility_a_name}",)),
    "/outbreaks/alerts/{alert_id}": Page("data_manager", ('id="alert-figures"',)),
    "/outbreaks/districts/{district_code}": Page("data_manager", ('id="completeness"',)),
    "/research": Page("researcher", ("{study_code}",)),
    "/research/studies/{study_code}": Page("researcher", ("{study_code}", 'id="consort"')),
    "/research/studies/{study_code}/participants": Page(
        "researcher", ("{study_code}", 'id="included"')
    ),
    "/research/studies/{study_code}/export.zip": Page(
        "researcher", (), media_type="application/zip"
    ),
    "/research/studies/{study_code}/export.xml": Page(
        "researcher",
        ("http://www.cdisc.org/ns/odm/v1.3", "{study_code}"),
        media_type="application/xml",
    ),
    "/research/studies/{study_code}/patients/{patient_id}": Page(
        "clinician_a", ("{study_code}", 'id="randomise-form"', 'id="withdrawal-form"')
    ),
    "/research/studies/{study_code}/missed": Page(
        "clinician_a", ('id="missed"', "Kadiatou Suivie")
    ),
    "/research/studies/{study_code}/safety": Page(
        "clinician_a", ('id="adverse-events"', "Kadiatou Suivie", 'class="report-overdue"')
    ),
    "/research/studies/new": Page("administrator", ('id="study-form"', 'name="arm3_code"')),
    "/research/studies/{study_code}/setup": Page(
        "administrator",
        ("{study_code}", 'id="ethics-form"', 'id="form-version-form"', 'id="forms"'),
    ),
    "/research/studies/{study_code}/monitoring": Page(
        "monitor",
        ('href="/research/studies/{monitored_study_code}/patients/{included_patient_id}/source"',),
        values=(("study_code", "monitored_study_code"),),
    ),
    "/research/studies/{study_code}/patients/{patient_id}/source": Page(
        "monitor",
        ('id="queries"', 'id="query-form"', "Corrigé."),
        values=(("study_code", "monitored_study_code"), ("patient_id", "included_patient_id")),
    ),
    "/smc": Page("clinician_a", ("CPS matrice",)),
    "/smc/campaigns/new": Page("data_manager", ("{smc_area_code}",)),
    "/smc/campaigns/{smc_campaign_id}": Page("clinician_a", ("CPS matrice", 'id="figures-1"')),
    "/smc/campaigns/{smc_campaign_id}/report.csv": Page(
        "clinician_a", ("SPAQ",), media_type="text/csv"
    ),
    "/smc/campaigns/{smc_campaign_id}/report.xlsx": Page(
        "clinician_a",
        (),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "/smc/cycles/{smc_cycle_id}/list": Page("clinician_a", ("CPS matrice",)),
    "/smc/cycles/{smc_cycle_id}/household": Page(
        "clinician_a", ("Donnée Traoré",), query="village=Molodo&caregiver=Fatoumata%20Diarra"
    ),
    "/trainings": Page("data_manager", ("Formation PCI", "{facility_a_name}")),
    "/trainings/new": Page("data_manager", ("{facility_a_name}",)),
    "/trainings/{training_id}": Page("data_manager", ("Formation PCI", "Moussa Sidibé")),
    "/sync": Page("clinician_a", ('id="sync-status"',)),
    "/sync/nodes": Page("coordinator", ("laptop-{facility_a_code}", "{facility_a_name}")),
    "/sync/conflicts": Page("data_manager", ('href="/sync/conflicts/{conflict_id}"',)),
    "/sync/conflicts/{conflict_id}": Page("data_manager", ("+22370000009", "+22370000001")),
    "/sync/quarantine": Page("data_manager", ("laptop-{facility_a_code}", "no row")),
    "/sync/duplicates": Page("data_manager", ('href="/sync/duplicates/{duplicate_id}"',)),
    "/sync/duplicates/{duplicate_id}": Page("data_manager", ("Awa Doumbia", "{facility_a_name}")),
}

#: Pages that are not rendered: each with its own expectation, tested below.
NOT_PAGES = {
    "/lang/{code}",
    # The OpenRosa server: XML for ODK devices, tested in tests/integration/openrosa.
    "/openrosa/formList",
    "/openrosa/forms/{form_id}/form.xml",
    "/openrosa/forms/{form_id}/manifest",
}

#: Refusals met by the walk's users: the page exists, the user may not see it (`Permission`).
REFUSED: list[tuple[str, str, int]] = [
    ("clinician_a", "/approvals", 403),
    ("clinician_a", "/dhis2", 403),
    ("clinician_a", "/sync/conflicts", 403),
    ("clinician_a", "/sync/duplicates", 403),
    ("clinician_a", "/sync/nodes", 403),
    ("clinician_a", "/admin/users", 403),
    ("clinician_a", "/admin/users/{user_id}", 403),
    ("clinician_a", "/admin/users/new", 403),
    ("clinician_a", "/admin/users/{user_id}/password", 403),
    ("clinician_a", "/audit/reads", 403),
    ("clinician_a", "/audit/reads.csv", 403),
    ("clinician_a", "/countries/{country_code}", 404),
    ("clinician_a", "/impact/{country_code}/context", 404),
    ("clinician_a", "/patients/{patient_id}/audit", 404),
    ("clinician_a", "/projects", 403),
    ("clinician_a", "/projects/{project_code}", 404),
    ("clinician_a", "/projects/{project_code}/agreements/new", 404),
    ("clinician_a", "/projects/{project_code}/grants/new", 404),
    ("clinician_a", "/trainings", 403),
    ("clinician_a", "/trainings/new", 403),
    ("clinician_a", "/trainings/{training_id}", 404),
    ("data_manager", "/audit/reads.csv", 403),
    ("data_manager", "/impact/{country_code}/context", 404),
    ("data_manager", "/projects/{project_code}/agreements/new", 403),
    ("data_manager", "/projects/{project_code}/grants/new", 403),
    ("clinician_b", "/patients/{patient_id}", 404),
    ("clinician_b", "/nutrition/episodes/{episode_id}", 404),
    ("clinician_b", "/care/consultations/{consultation_id}", 404),
    ("data_manager", "/nutrition/reports/monthly?month=2026-13&place={facility_a_code}", 422),
]


def page_walk_values(client: TestClient, session: Session, world: World) -> dict[str, str]:
    """Records for every page of the walk, made through the services, and their path values."""
    episode = nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=world.patient_a.id,
            muac_mm=112,
            weight_kg=7.0,
            height_cm=70.0,
            appetite_test_passed=True,
        ),
        actor=world.actors["clinician_a"],
    )
    values = {
        "patient_id": str(world.patient_a.id),
        "patient_identifier": world.patient_a.identifier,
        "patient_given_name": world.patient_a.given_name,
        "episode_id": str(episode.episode_id),
        "facility_a_code": world.facility_a.code,
        "facility_a_name": world.facility_a.name,
        "country_name": world.country.name,
        "clinician_a": world.users["clinician_a"].username,
        "month": f"{today():%Y-%m}",
        "code": "en",
        "user_id": str(world.users["clinician_a"].id),
    }
    values["submission_id"] = refused_submission(
        session, world.actors["clinician_a"], world.facility_a.code
    )
    make_receipt(
        session, world.actors["clinician_a"], world.facility_a.code, 150, batch="LOT-PAGES"
    )
    values["place_code"] = world.facility_a.code
    values |= treat_page_values(session, world)
    dhis2_service.import_mapping(
        session,
        MappingFile.model_validate(small_mapping(world.country.code, world.facility_a.code)),
        actor=world.actors["administrator"],
    )
    values |= alliance_page_values(session, world)
    values |= sync_targets(session, world.facility_a, world.patient_a.id)
    values |= cholera_case(session, world.actors["clinician_a"], world.facility_a)
    values |= smc_targets(
        session,
        world.actors["data_manager"],
        area_code=world.area_a.code,
        site=world.facility_a,
        writer=world.actors["clinician_a"],
    )
    with session.begin():
        sponsor = make_organisation(
            session, f"PAGES-{uuid.uuid4().hex[:6]}", OrganisationKind.RESEARCH_INSTITUTE
        )
        project = make_project(
            session, world.country, [world.facility_a], [(sponsor, PartnerRole.LEAD)]
        )
        study_owner = {"project_code": project.code, "sponsor_code": sponsor.code}
    values |= research_targets(
        session,
        world.actors["administrator"],
        **study_owner,
        site=world.facility_a,
        patient_id=world.patient_a.id,
        episode_id=values["episode_id"],
    )
    # A read of the record, so that the read audit has a line to show.
    sign_in(client, world.users["clinician_a"].username)
    assert client.get(f"/patients/{world.patient_a.id}").status_code == 200
    return values


def fill(template: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], template)


def assert_light_and_self_contained(page: str, response: Response) -> None:
    body = response.text
    assert len(gzip.compress(body.encode("utf-8"))) < MAX_COMPRESSED, page
    assert external_references(body) == [], page
    assert "<script" not in body, page
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_every_page_has_an_entry(app: FastAPI) -> None:
    routes = set(html_get_routes(app))
    assert routes - NOT_PAGES - set(PAGES) == set(), "give each new page an entry in PAGES"
    assert set(PAGES) - routes == set(), "PAGES lists a page the app no longer serves"
    assert routes >= NOT_PAGES


def test_every_page_renders_its_data_light_and_self_contained(
    client: TestClient, session: Session, world: World
) -> None:
    values = page_walk_values(client, session, world)
    for viewer in sorted({p.viewer for p in PAGES.values()}):
        sign_in(client, world.users[viewer].username)
        for locale in ("fr", "en"):
            client.cookies.set("alima_locale", locale)
            for path, expected in PAGES.items():
                if expected.viewer != viewer:
                    continue
                page = fill(path, values | {k: values[v] for k, v in expected.values}) + (
                    f"?{fill(expected.query, values)}" if expected.query else ""
                )
                response = client.get(page, headers={"Accept-Encoding": "gzip"})
                assert response.status_code == 200, (viewer, page, response.status_code)
                media_type = response.headers["content-type"].split(";")[0]
                assert media_type == expected.media_type, page
                for shown in expected.shows:
                    assert fill(shown, values) in response.text, (page, locale, shown)
                if media_type == "text/html":
                    assert_light_and_self_contained(page, response)
                    html = HTMLParser(response.text).css_first("html")
                    assert html is not None
                    assert html.attributes["lang"] == locale


def test_the_report_workbook_holds_the_month(
    client: TestClient, session: Session, world: World
) -> None:
    values = page_walk_values(client, session, world)
    query = fill(PAGES["/nutrition/reports/monthly.xlsx"].query, values)
    response = client.get(f"/nutrition/reports/monthly.xlsx?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.title == values["month"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert values["facility_a_name"] in cells


def test_refusals_and_unknown_pages_are_light_error_pages(
    client: TestClient, session: Session, world: World
) -> None:
    values = page_walk_values(client, session, world)
    refused = [*REFUSED, ("clinician_a", "/does-not-exist", 404)]
    for username, path, status in refused:
        sign_in(client, world.users[username].username)
        page = fill(path, values)
        response = client.get(page, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == status, (username, page, response.status_code)
        if response.headers["content-type"].startswith("text/html"):
            assert_light_and_self_contained(page, response)
    sign_in(client, world.users["clinician_a"].username)
    empty = client.get("/patients", params={"q": "zzzz"})
    assert empty.status_code == 200
    assert world.patient_a.identifier not in empty.text


def test_language_switch_sets_the_cookie_and_goes_back(client: TestClient) -> None:
    response = client.get("/lang/en", params={"next": "/patients"}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/patients")
    assert "alima_locale=en" in response.headers["set-cookie"]
    unknown = client.get("/lang/xx", params={"next": "/patients"}, follow_redirects=False)
    assert "alima_locale=xx" not in unknown.headers.get("set-cookie", "")


def test_sign_in_page_is_french_by_default(client: TestClient) -> None:
    page = HTMLParser(client.get("/login").text)
    html, heading = page.css_first("html"), page.css_first("h1")
    assert html is not None
    assert heading is not None
    assert html.attributes["lang"] == "fr"
    assert heading.text() == "Connexion"


def test_pages_require_sign_in(client: TestClient, world: World) -> None:
    response = client.get(f"/patients/{world.patient_a.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_forms_require_the_csrf_token(client: TestClient, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    response = client.post("/patients/new", data={"given_name": "X"})
    assert response.status_code == 403
    assert "formulaire a expiré" in response.text
    login = client.post(
        "/login", data={"username": "a", "password": "b", "csrf_token": "forged-token-123456789"}
    )
    assert login.status_code == 403


def test_register_shows_errors_then_duplicate_then_registers(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    form = {
        "csrf_token": csrf(client),
        "given_name": "Aissata",
        "family_name": "COULIBALY",
        "sex": "F",
        "birth_date": "",
        "estimated_age_months": "",
        "village": "Molodo",
        "place_code": world.facility_a.code,
    }
    missing_age = client.post("/patients/new", data=form)
    assert missing_age.status_code == 422
    assert "Indiquez une date de naissance ou un âge estimé." in missing_age.text
    form["estimated_age_months"] = "13"
    duplicate = client.post("/patients/new", data=form)
    assert duplicate.status_code == 409
    tree = HTMLParser(duplicate.text)
    assert tree.css_first("#duplicate-warning") is not None
    given = tree.css_first("#given_name")
    assert given is not None
    assert given.attributes["value"] == "Aissata"
    form["confirm_not_duplicate"] = "yes"
    done = client.post("/patients/new", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "Patient enregistré." in client.get(done.headers["location"]).text


def test_sign_out_ends_the_session(client: TestClient, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    assert client.get("/", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client)})
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/patients", "/patients"), ("https://evil.example", "/"), ("//evil", "/")],
)
def test_language_switch_never_redirects_outside(
    client: TestClient, target: str, expected: str
) -> None:
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == expected
    assert "alima_locale=en" in response.headers["set-cookie"]
