"""What users of the most trusted systems expect: passwords, sessions, headers, escaping, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alima.core.config import Settings
from alima.core.enums import Role
from alima.core.errors import BadRequest, CoreError
from alima.core.models import UserSession
from alima.core.security import hash_password, is_common_password
from alima.core.service import auth
from alima.core.time import utcnow
from alima.main import create_app
from alima.web.middleware import CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY
from alima.web.templating import TEMPLATE_DIR, make_templates
from tests.factories.core import PASSWORD, World, csrf, sign_in
from tests.security.permission_matrix import MATRIX, Targets
from tests.security.routes import app_routes, call, cookies_kept, rolled_back

SRC = Path(__file__).resolve().parents[2] / "src" / "alima"

# --- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("court", CoreError.CORE_015),
        ("aminata.coulibaly-2026", CoreError.CORE_018),  # contains the user name
        ("motdepasse2026!", CoreError.CORE_019),
        ("Azerty123456", CoreError.CORE_019),
        ("PASSWORD1234", CoreError.CORE_019),
        ("correct horse battery staple", CoreError.CORE_019),
        ("aaaaaaaaaaaaaa", CoreError.CORE_019),
        ("abababababab", CoreError.CORE_019),
    ],
)
def test_password_policy_refuses(password: str, code: CoreError) -> None:
    settings = Settings(env="test")
    with pytest.raises(BadRequest) as refused:
        auth.check_password_policy(password, settings, username="Aminata.Coulibaly")
    assert refused.value.code is code


@pytest.mark.parametrize(
    "password", ["le fleuve Niger à Mopti", "kankou-moussa-1324", "Sévaré, 14 h 30, pluie"]
)
def test_password_policy_accepts_long_phrases(password: str) -> None:
    auth.check_password_policy(password, Settings(env="test"), username="aminata")


def test_common_password_list_is_loaded() -> None:
    assert is_common_password("123456789")
    assert is_common_password("Bienvenue2024")
    assert not is_common_password("le fleuve Niger à Mopti")


def test_create_user_applies_the_policy(session: Session, world: World) -> None:
    settings = Settings(env="test")
    with pytest.raises(BadRequest):
        auth.create_user(
            session,
            username="nouvelle",
            full_name="Nouvelle",
            password="nouvelle-2026-ok",
            role=Role.CLINICIAN,
            place_code=world.facility_a.code,
            project_code=None,
            organisation_code=None,
            settings=settings,
        )


def test_passwords_are_hashed_with_argon2id() -> None:
    assert hash_password("le fleuve Niger").startswith("$argon2id$")


# --- sessions --------------------------------------------------------------------------------


def test_session_has_an_absolute_lifetime(session: Session, world: World) -> None:
    settings = Settings(env="test", session_hours=12, session_absolute_hours=24)
    user = world.users["clinician_a"]
    signed = auth.sign_in(
        session, username=user.username, password=PASSWORD, ip=None, settings=settings
    )
    assert auth.actor_from_session(session, signed.token, ip=None, settings=settings)
    with session.begin():
        live = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
        # Busy all along (idle expiry still ahead), but signed in 25 hours ago.
        live.created_at = utcnow() - timedelta(hours=25)
        live.expires_at = utcnow() + timedelta(hours=6)
    assert auth.actor_from_session(session, signed.token, ip=None, settings=settings) is None
    with session.begin():
        revoked = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
        assert revoked.revoked_at is not None


def test_sliding_expiry_stops_at_the_absolute_limit(session: Session, world: World) -> None:
    settings = Settings(env="test", session_hours=12, session_absolute_hours=13)
    user = world.users["clinician_a"]
    signed = auth.sign_in(
        session, username=user.username, password=PASSWORD, ip=None, settings=settings
    )
    with session.begin():
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id)
            .values(created_at=utcnow() - timedelta(hours=10))
        )
    assert auth.actor_from_session(session, signed.token, ip=None, settings=settings)
    with session.begin():
        live = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
        assert live.expires_at <= live.created_at + timedelta(hours=13)


def test_sign_in_rotates_the_session_and_csrf_tokens(client: TestClient, world: World) -> None:
    planted = "planted-by-an-attacker-" + "x" * 20
    client.cookies.set("alima_session", planted)  # in the browser when it opens /login
    client.get("/login")
    before = csrf(client)
    nonce = client.cookies.get("alima_csrf")
    response = client.post(
        "/login",
        data={
            "username": world.users["clinician_a"].username,
            "password": PASSWORD,
            "csrf_token": before,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.cookies["alima_session"] not in {planted, ""}
    assert response.cookies["alima_csrf"] not in {nonce, ""}
    assert client.get("/", follow_redirects=False).status_code == 200


def test_failed_sign_ins_are_throttled_on_the_page(client: TestClient, world: World) -> None:
    client.get("/login")
    name = world.users["clinician_b"].username
    statuses = [
        client.post(
            "/login", data={"username": name, "password": "faux", "csrf_token": csrf(client)}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]


# --- headers ---------------------------------------------------------------------------------


def test_security_headers_on_every_kind_of_response(client: TestClient, world: World) -> None:
    sign_in(client, world.users["coordinator"].username)
    for url in ("/", "/login", "/static/alima.css", "/api/v1/places", "/nope", "/projects"):
        headers = client.get(url).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers  # plain HTTP on a laptop
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["frame-ancestors"] == "'none'"


def test_hsts_when_cookies_are_secure(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"secure_cookies": True}))
    with TestClient(app) as secure:
        response = secure.get("/login")
    assert response.headers["strict-transport-security"] == STRICT_TRANSPORT_SECURITY
    assert "Secure" in response.headers["set-cookie"]
    app.state.engine.dispose()


# --- templates: escaped, no inline script, CSRF in every form --------------------------------


def templates() -> list[Path]:
    return sorted(TEMPLATE_DIR.rglob("*.html"))


#: ``|safe`` uses read and accepted: attributes a template passes to a macro as literal text
#: (never data). Better removed (unquoted attribute values need no ``|safe``).
REVIEWED_SAFE = {"care/_forms.html": 2}


def test_every_template_is_escaped_and_scriptless() -> None:
    assert make_templates().env.autoescape is True
    assert len(templates()) > 10
    for path in templates():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATE_DIR).as_posix()
        assert text.replace(" ", "").count("|safe") == REVIEWED_SAFE.get(name, 0), path
        assert "autoescape false" not in text, path
        assert "<script" not in text.lower(), path
        assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE), path  # onclick=...
        assert "javascript:" not in text.lower(), path
        assert "style=" not in text, path  # CSP forbids inline styles too
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "Markup(" not in text, path
        assert "markupsafe" not in text, path


CSRF_INPUT = '<input type="hidden" name="csrf_token" value="{{ csrf_token }}">'


def test_every_post_form_carries_the_csrf_token() -> None:
    texts = [path.read_text(encoding="utf-8") for path in templates()]
    # Macros that write the token (a form may call one instead of writing it).
    writers = {
        name
        for text in texts
        for name, body in re.findall(
            r"{%-?\s*macro\s+(\w+)\(.*?%}(.*?){%-?\s*endmacro", text, re.DOTALL
        )
        if CSRF_INPUT in body
    }
    forms = 0
    for path, text in zip(templates(), texts, strict=True):
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, re.DOTALL | re.IGNORECASE):
            if 'method="post"' in form.lower():
                forms += 1
                assert CSRF_INPUT in form or any(f"{w}(" in form for w in writers), path
    assert forms >= 10


def test_every_form_route_refuses_a_post_without_the_token(
    app: FastAPI,
    session: Session,
    world: World,
    targets: dict[str, Targets],
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    sign_in(client, world.users["administrator"].username)
    posts = sorted(
        (m, p)
        for m, p in app_routes(app) & MATRIX.keys()
        if m != "GET" and not p.startswith("/api/")
    )
    assert len(posts) >= 10
    for method, path in posts:
        rule = MATRIX[(method, path)]
        with cookies_kept(client), rolled_back(session):
            response = call(
                client,
                token=None,
                method=method,
                path=path,
                rule=rule,
                targets=targets["in"],
                with_csrf=False,
            )
        assert response.status_code == 403, (method, path, response.status_code)
    client.close()
