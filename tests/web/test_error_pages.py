"""Error pages keep the site's header for a signed-in user, and stay small and discreet."""

import uuid

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.service import patients as patient_service
from tests.factories.core import World, sign_in
from tests.web.test_pages import page_walk_values


def header(response: Response) -> tuple[bool, str | None]:
    """Whether the page shows the main menu, and whose name it shows."""
    tree = HTMLParser(response.text)
    menu = tree.css_first('header nav a[href="/patients"]')
    who = tree.css_first("header .who")
    return menu is not None, who.text() if who is not None else None


def broken_home(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("secret-detail-of-the-failure")


def test_error_pages_keep_the_signed_in_header(
    client: TestClient,
    session: Session,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = page_walk_values(client, session, world)
    monkeypatch.setattr(patient_service, "home", broken_home)
    user = world.users["clinician_a"]
    sign_in(client, user.username)
    cases = [
        (client.get(f"/patients/{uuid.uuid4()}"), 404),
        (client.get("/approvals"), 403),
        (client.get(f"/impact/{values['country_code']}/context"), 404),
        (client.get("/"), 500),
    ]
    for response, status in cases:
        assert response.status_code == status, response.request.url
        assert header(response) == (True, user.full_name), response.request.url
        assert "secret-detail" not in response.text
    manager = world.users["data_manager"]
    sign_in(client, manager.username)
    month = {"month": "2026-13", "place": values["facility_a_code"]}
    invalid = client.get("/nutrition/reports/monthly", params=month)
    assert invalid.status_code == 422
    assert header(invalid) == (True, manager.full_name)
    client.cookies.clear()
    for path, status in (("/does-not-exist", 404), ("/impact/NOWHERE", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert header(response) == (False, None), path


def test_a_stale_session_cookie_leaves_the_error_page_anonymous(client: TestClient) -> None:
    client.cookies.set("alima_session", "not-a-live-session")
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert header(response) == (False, None)
