"""A NUL byte anywhere in a query, path or form is a clear 400, before any route runs."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.core import PASSWORD, World, bearer, csrf, sign_in

MESSAGE_FR = "ne peuvent pas être enregistrés"


def test_nul_on_the_sign_in_form_unauthenticated(client: TestClient, world: World) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": "clin\x00", "password": PASSWORD, "csrf_token": csrf(client)},
    )
    assert response.status_code == 400
    assert MESSAGE_FR in response.text


def test_nul_in_searches_filters_and_paths(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["administrator"].username)
    for url in ("/patients?q=a%00b", "/audit/reads?username=%00", "/countries/a%00b"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert MESSAGE_FR in response.text
    client.cookies.set("alima_locale", "en")
    assert "cannot be recorded" in client.get("/patients?q=a%00b").text
    api = client.get(
        "/api/v1/patients?q=a%00b", headers=bearer(session, world.users["administrator"].username)
    )
    assert api.status_code == 400
    assert api.json()["code"] == "CORE_021"


def test_dates_before_2000_are_refused_not_crashed(client: TestClient, world: World) -> None:
    sign_in(client, world.users["administrator"].username)
    for url in (
        "/care/surgeries?start=1999-12-31",
        "/care/surgeries?end=0001-01-01",
        "/community/statistics?start=1900-01-01",
        "/community/statistics?end=9999-12-31",
    ):
        assert client.get(url).status_code == 422, url
