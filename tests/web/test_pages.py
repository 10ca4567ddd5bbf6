"""Pages: every page light (< 60 KB compressed), self-contained, French by default, CSRF-protected."""

import gzip
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.main import STATIC_DIR
from alima.nutrition import service as nutrition_service
from alima.nutrition.schemas import AdmissionCreate
from alima.web.inventory import iter_routes
from tests.factories.alliance import alliance_page_values
from tests.factories.core import World, csrf, sign_in
from tests.factories.treat import treat_page_values

MAX_COMPRESSED = 60 * 1024
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
PARAM = re.compile(r"\{(\w+)\}")


def html_get_routes(app: FastAPI) -> list[str]:
    return sorted(
        route.path
        for route in iter_routes(app.routes)
        if "GET" in route.methods and not route.path.startswith("/api/")
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


def test_every_page_is_light_and_self_contained(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
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
        "episode_id": str(episode.episode_id),
        "code": "en",
        "user_id": str(world.users["clinician_a"].id),
    }
    values |= treat_page_values(session, world)
    values |= alliance_page_values(session, world)
    pages = set()
    for path in html_get_routes(app):
        missing = [p for p in PARAM.findall(path) if p not in values]
        assert not missing, f"give the page walk a value for {missing} in {path}"
        pages.add(PARAM.sub(lambda m: values[m.group(1)], path))
    pages |= {"/patients?q=a", "/patients?q=zzzz", "/does-not-exist"}
    pages |= {
        f"/nutrition?site={world.facility_a.code}",
        f"/nutrition/reports/monthly?place={world.facility_a.code}&month={today():%Y-%m}",
    }
    checked = 0
    for username in ("data_manager", "clinician_a"):
        sign_in(client, world.users[username].username)
        for locale in ("fr", "en"):
            client.cookies.set("alima_locale", locale)
            for page in sorted(pages):
                response = client.get(page, headers={"Accept-Encoding": "gzip"})
                body = response.text
                assert response.status_code in {200, 400, 403, 404, 422}, (
                    page,
                    response.status_code,
                )
                if "text/html" not in response.headers.get("content-type", ""):
                    continue
                assert len(gzip.compress(body.encode("utf-8"))) < MAX_COMPRESSED, page
                assert external_references(body) == [], page
                assert "<script" not in body, page
                assert response.headers["content-security-policy"].startswith("default-src 'self'")
                checked += 1
    assert checked >= 20


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
