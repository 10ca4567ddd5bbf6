"""CSRF: the token is bound to the session and the server's secret; other sites are refused."""

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.api.deps import get_session
from alima.core.config import Settings
from alima.core.security import csrf_form_token
from alima.main import create_app
from tests.factories.core import PASSWORD, World, csrf, sign_in


def _sign_out(client: TestClient, token: str, **headers: str) -> int:
    """A signed-in form post: signing out (303 when accepted, 403 when refused)."""
    status: int = client.post(
        "/logout", data={"csrf_token": token}, headers=headers, follow_redirects=False
    ).status_code
    return status


def _plant(client: TestClient, name: str, value: str) -> None:
    client.cookies.delete(name)
    client.cookies.set(name, value)


def test_a_cookie_value_chosen_by_an_attacker_does_not_pass(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    chosen = "a" * 43
    _plant(client, "alima_csrf", chosen)  # from a sibling subdomain, say
    assert _sign_out(client, chosen) == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    # Anonymous forms too: the sign-in form is no exception.
    anonymous = TestClient(client.app)
    anonymous.cookies.set("alima_csrf", chosen)
    response = anonymous.post(
        "/login",
        data={
            "username": world.users["clinician_a"].username,
            "password": PASSWORD,
            "csrf_token": chosen,
        },
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_a_token_from_another_session_does_not_pass(app: FastAPI, world: World) -> None:
    with TestClient(app) as attacker, TestClient(app) as victim:
        sign_in(attacker, world.users["clinician_b"].username)
        sign_in(victim, world.users["clinician_a"].username)
        stolen_nonce = attacker.cookies.get("alima_csrf")
        assert stolen_nonce is not None
        _plant(victim, "alima_csrf", stolen_nonce)
        assert _sign_out(victim, csrf(attacker)) == 403
        assert _sign_out(victim, csrf(victim)) == 303


def test_origin_and_referer_of_another_site_are_refused(client: TestClient, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    token = csrf(client)
    assert _sign_out(client, token, origin="https://evil.example") == 403
    assert _sign_out(client, token, origin="null") == 403
    assert _sign_out(client, token, referer="https://evil.example/x") == 403
    # Same origin, or neither header (the token alone then decides): accepted.
    assert _sign_out(client, token, origin="http://testserver") == 303


def test_no_origin_header_still_needs_the_token(client: TestClient, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    assert _sign_out(client, "") == 403
    assert _sign_out(client, csrf(client)) == 303


def test_host_prefixed_cookies_behind_tls(
    settings: Settings, world: World, session: Session
) -> None:
    secure = settings.model_copy(update={"secure_cookies": True})
    application = create_app(secure)

    def _session() -> Iterator[Session]:
        yield session

    application.dependency_overrides[get_session] = _session
    with TestClient(application, base_url="https://testserver") as client:
        page = client.get("/login")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-alima_csrf=")
        assert "Secure" in cookie and "Path=/" in cookie and "domain" not in cookie.lower()
        nonce = client.cookies.get("__Host-alima_csrf")
        assert nonce
        secret = secure.secret_key.get_secret_value()
        response = client.post(
            "/login",
            data={
                "username": world.users["clinician_a"].username,
                "password": PASSWORD,
                "csrf_token": csrf_form_token(secret, nonce, ""),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        set_cookies = response.headers.get_list("set-cookie")
        session_cookie = next(c for c in set_cookies if c.startswith("__Host-alima_session="))
        assert "Secure" in session_cookie and "Path=/" in session_cookie
        assert client.get("/", follow_redirects=False).status_code == 200
    application.state.engine.dispose()
