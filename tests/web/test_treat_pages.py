"""Community, care and impact pages: light, self-contained, labelled, bilingual; record routes
keyed by an id hide other facilities' records (and the attempt is audited)."""

import gzip
import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import Role
from alima.core.models import AuditEvent
from alima.core.service import auth
from alima.web.inventory import iter_routes
from tests.factories.core import World, csrf, make_patient, make_place, make_user, sign_in
from tests.factories.treat import treat_page_values
from tests.web.test_pages import MAX_COMPRESSED, external_references

PARAM = re.compile(r"\{(\w+)\}")
MINE = ("community:", "care:", "impact:")
RECORD_PARAMS = ("screening_id", "referral_id", "consultation_id")


def my_get_pages(app: FastAPI) -> list[str]:
    return sorted(
        route.path
        for route in iter_routes(app.routes)
        if "GET" in route.methods and route.name.startswith(MINE)
    )


def test_every_page_is_light_labelled_and_self_contained(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    values = {"patient_id": str(world.patient_a.id), **treat_page_values(session, world)}
    pages = [PARAM.sub(lambda m: values[m.group(1)], p) for p in my_get_pages(app)]
    assert len(pages) >= 20
    checked = 0
    for username in ("clinician_a", "data_manager", "administrator"):
        sign_in(client, world.users[username].username)
        for locale in ("fr", "en"):
            client.cookies.set("alima_locale", locale)
            for page in pages:
                response = client.get(page)
                expected = {200, 404} if page.endswith("/context") else {200}
                assert response.status_code in expected, (username, page, response.status_code)
                body = response.text
                assert len(gzip.compress(body.encode("utf-8"))) < MAX_COMPRESSED, page
                assert external_references(body) == [], page
                assert "<script" not in body and " style=" not in body, page
                tree = HTMLParser(body)
                html = tree.css_first("html")
                assert html is not None and html.attributes["lang"] == locale
                for field in tree.css("input, select, textarea"):
                    kind = field.attributes.get("type")
                    if kind in {"hidden", "submit"}:
                        continue
                    ident = field.attributes.get("id")
                    wrapped = field.parent is not None and field.parent.tag == "label"
                    labelled = ident and tree.css_first(f'label[for="{ident}"]') is not None
                    assert wrapped or labelled or field.attributes.get("name") == "q", (
                        page,
                        field.html,
                    )
                assert not tree.css("[tabindex]"), page
                assert len(tree.css("[autofocus]")) <= 1, page
                checked += 1
    assert checked >= 100


def test_impact_page_is_public(client: TestClient, world: World) -> None:
    response = client.get(f"/impact/{world.country.code}")
    assert response.status_code == 200
    assert client.get("/impact").status_code == 200
    assert client.get("/impact/NOWHERE").status_code == 404
    assert client.get(f"/api/v1/impact/{world.country.code}").status_code == 200
    assert client.get("/api/v1/impact/NOWHERE").json()["code"] == "IND_001"
    context = client.get(f"/impact/{world.country.code}/context", follow_redirects=False)
    assert context.status_code == 303  # sign in first


def test_public_impact_and_sign_in_pages_link_to_each_other(
    client: TestClient, world: World
) -> None:
    for locale, sign_in_text, impact_text in (
        ("fr", "Connexion", "Notre impact"),
        ("en", "Sign in", "Our impact"),
    ):
        client.cookies.set("alima_locale", locale)
        for public in ("/impact", f"/impact/{world.country.code}"):
            link = HTMLParser(client.get(public).text).css_first('main a[href="/login"]')
            assert link is not None and link.text() == sign_in_text, (locale, public)
        link = HTMLParser(client.get("/login").text).css_first('main a[href="/impact"]')
        assert link is not None and link.text() == impact_text, locale


def test_a_signed_in_user_keeps_the_menu_on_the_public_impact_pages(
    client: TestClient, world: World
) -> None:
    user = world.users["clinician_a"]
    sign_in(client, user.username)
    for public in ("/impact", f"/impact/{world.country.code}"):
        tree = HTMLParser(client.get(public).text)
        assert tree.css_first('header nav a[href="/patients"]') is not None, public
        who = tree.css_first("header .who")
        assert who is not None and who.text() == user.full_name, public
        assert tree.css_first('main a[href="/login"]') is None, public  # already signed in


def test_community_recording_is_offered_only_with_a_place_to_record_at(
    client: TestClient, session: Session, world: World
) -> None:
    with session.begin():  # a clinician who may write, in a district without any place yet
        empty = make_place(session, f"{world.country.code}-E", "district", world.country)
        nowhere = make_user(session, f"clin_e_{uuid.uuid4().hex[:4]}", Role.CLINICIAN, empty)
    for username, has_place in (
        (world.users["clinician_a"].username, True),
        (nowhere.username, False),
    ):
        sign_in(client, username)
        overview = HTMLParser(client.get("/community").text)
        for form in ("/community/screenings/new", "/community/trainings/new"):
            offered = overview.css_first(f'a[href="{form}"]') is not None
            assert offered == has_place, (username, form)
            page = HTMLParser(client.get(form).text)
            assert (page.css_first(f'form[action="{form}"]') is not None) == has_place, form
            notice = page.css_first("#no-place")
            assert (notice is None) == has_place, (username, form)
            assert notice is None or notice.text().startswith("Aucune "), form


def record_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in iter_routes(app.routes)
        if any(f"{{{p}}}" in route.path for p in RECORD_PARAMS)
        for method in route.methods
        if method != "HEAD"
    )


BODIES: dict[str, object] = {
    "arrival": {"muac_mm": 112, "admitted": True},
}


def test_every_record_route_hides_other_facilities(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    values = treat_page_values(session, world)
    routes = record_routes(app)
    assert ("GET", "/care/consultations/{consultation_id}") in routes
    assert ("POST", "/api/v1/community/referrals/{referral_id}/arrival") in routes
    assert ("DELETE", "/api/v1/community/screenings/{screening_id}") in routes
    intruder = world.users["clinician_b"]
    token = auth.create_api_token(session, username=intruder.username, name="t", days=1).token
    sign_in(client, intruder.username)
    for method, path in routes:
        url = PARAM.sub(lambda m: values[m.group(1)], path)
        if path.startswith("/api/"):
            response = client.request(
                method,
                url,
                headers={"Authorization": f"Bearer {token}"},
                params={"reason": "test de portée"} if method == "DELETE" else None,
                json=BODIES["arrival"] if method == "POST" else None,
            )
        else:
            data = {"csrf_token": csrf(client), "muac_mm": "112", "admitted": "yes"}
            response = client.request(method, url, data=data if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.status_code)
    with session.begin():
        attempts = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.actor_id == intruder.id,
                    AuditEvent.action.not_in(["sign_in", "token_created"]),
                )
            )
        )
    assert len(attempts) == len(routes)
    assert {a.action for a in attempts} <= {"read_denied", "write_denied"}
    assert {a.channel for a in attempts} == {"web", "api"}


@pytest.mark.parametrize("role", ["partner_viewer", "researcher"])
def test_aggregate_roles_see_statistics_but_no_child(
    client: TestClient, session: Session, world: World, role: str
) -> None:
    values = treat_page_values(session, world)
    sign_in(client, world.users[role].username)
    assert client.get(f"/community/screenings/{values['screening_id']}").status_code == 404
    assert client.get(f"/care/consultations/{values['consultation_id']}").status_code == 404
    stats = client.get("/community/statistics")
    assert stats.status_code == 200
    assert "Awa" not in stats.text


def test_unknown_ids_are_404(client: TestClient, session: Session, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    assert client.get(f"/care/consultations/{uuid.uuid4()}").status_code == 404
    assert client.get("/care/consultations/not-a-uuid").status_code in {404, 422}
    with session.begin():
        other = make_patient(session, world.facility_b, given="Moussa")
    assert client.get(f"/patients/{other.id}/care").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"breaths_per_minute": "300"}, "breaths_per_minute", "This value is too large."),
        ({"temperature_c": "trente-huit"}, "temperature_c", "Give a number."),
        ({"muac_mm": ""}, "muac_mm", "Measure the MUAC: it is required for every child"),
        ({"diagnosis_1": "Z99.9"}, "diagnosis_1", "Z99.9 is not in the list of diagnoses."),
        ({"referred": "yes"}, "referred_to", "Say where the patient is referred to."),
        ({"consulted_on": "2999-01-01"}, "consulted_on", "The date cannot be in the future."),
    ],
    ids=["rate-too-high", "not-a-number", "muac-missing", "unknown-code", "referral", "future"],
)
def test_bad_consultation_input_is_refused_next_to_its_field(
    client: TestClient,
    session: Session,
    world: World,
    *,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    client.cookies.set("alima_locale", "en")
    form = {
        "csrf_token": csrf(client),
        "temperature_c": "38.2",
        "cough": "yes",
        "breaths_per_minute": "44",
        "muac_mm": "131",
        "rdt_result": "rdt_positive",
        "malaria_treatment": "act",
        "diagnosis_1": "B54",
        **changes,
    }
    url = f"/patients/{world.patient_a.id}/consultations/new"
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 422
    tree = HTMLParser(response.text)
    error = tree.css_first(f"#{field}-error")
    assert error is not None and error.text().startswith(message), response.text[-3000:]
    assert tree.css_first("#form-errors") is not None
    widget = tree.css_first(f"#{field}")
    assert widget is not None and widget.attributes.get("aria-invalid") == "true"
    temperature = tree.css_first("#temperature_c")
    assert temperature is not None
    assert temperature.attributes["value"] == changes.get("temperature_c", "38.2")
    with session.begin():
        saved = session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_type == "consultation", AuditEvent.action == "create"
            )
        )
    assert saved is None  # nothing half-saved
    good = form | {
        "breaths_per_minute": "44",
        "temperature_c": "38.2",
        "muac_mm": "131",
        "diagnosis_1": "B54",
        "referred": "",
        "consulted_on": "",
    }
    done = client.post(url, data=good, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith("/care/consultations/")


def test_a_moderate_muac_links_to_the_nutrition_admission(
    client: TestClient, session: Session, world: World
) -> None:
    values = treat_page_values(session, world)  # the consultation has a MUAC of 118 mm
    sign_in(client, world.users["clinician_a"].username)
    page = HTMLParser(client.get(f"/care/consultations/{values['consultation_id']}").text)
    link = page.css_first("#admit-link")
    assert link is not None
    assert link.attributes["href"] == f"/patients/{world.patient_a.id}/nutrition/admit"
    assert client.get(str(link.attributes["href"])).status_code == 200
