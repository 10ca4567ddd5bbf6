"""A user changes their own password: the current one first, the policy, other sessions end.

A wrong current password counts as a failed sign-in (audited, throttled), so a session left
open on a shared laptop cannot be used to guess it.
"""

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.models import AuditEvent, User
from tests.factories.core import PASSWORD, World, sign_in
from tests.web.test_admin_accounts import post
from tests.web.test_stock_pages import one

NEW = "le baobab du village fleurit"


def _audit(session: Session, user: User) -> list[tuple[str, str | None]]:
    with session.begin():
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.entity_id == user.id)
            .order_by(AuditEvent.at)
        ).all()
    return [(str(action), detail) for action, detail in rows]


def test_a_nurse_changes_her_password_and_her_other_sessions_end(
    client: TestClient, session: Session, world: World
) -> None:
    nurse = world.users["clinician_a"]
    sign_in(client, nurse.username)
    elsewhere = TestClient(client.app)
    sign_in(elsewhere, nurse.username)
    form = HTMLParser(client.get("/account/password").text)
    assert one(form, "#current_password").attributes["autocomplete"] == "current-password"
    assert 'href="/account/password"' in client.get("/").text

    wrong = post(client, "/account/password", {"current_password": "pas le bon", "password": NEW})
    assert wrong.status_code == 400
    page = HTMLParser(wrong.text)
    assert "mot de passe actuel" in one(page, "#current_password-error").text()
    assert one(page, "#password").attributes.get("value") in {None, ""}  # never written back
    assert ("sign_in_failed", nurse.username) in _audit(session, nurse)

    weak = post(client, "/account/password", {"current_password": PASSWORD, "password": "court"})
    assert weak.status_code == 400
    assert "caractères" in one(HTMLParser(weak.text), "#password-error").text()
    same = post(client, "/account/password", {"current_password": PASSWORD, "password": PASSWORD})
    assert same.status_code == 400
    assert "différent" in one(HTMLParser(same.text), "#password-error").text()

    done = post(client, "/account/password", {"current_password": PASSWORD, "password": NEW})
    assert done.status_code == 303
    assert done.headers["location"] == "/account/password?saved=yes"
    assert "sessions sont fermées" in client.get(done.headers["location"]).text
    # This session stays, the other one ends; the new password signs in, the old one not.
    assert client.get("/patients").status_code == 200
    assert elsewhere.get("/patients", follow_redirects=False).status_code in {303, 307}
    sign_in(TestClient(client.app), nurse.username, NEW)
    old = TestClient(client.app)
    old.get("/login")
    assert old.post(
        "/login",
        data={"username": nurse.username, "password": PASSWORD, "csrf_token": "x"},
        follow_redirects=False,
    ).status_code in {400, 401, 403}
    events = _audit(session, nurse)
    assert ("update", "own password changed") in events
    assert not any(NEW in (detail or "") for _, detail in events)


def test_guessing_the_current_password_is_throttled_like_a_sign_in(
    client: TestClient, session: Session, world: World
) -> None:
    nurse = world.users["clinician_a"]
    sign_in(client, nurse.username)
    limit = client.app.state.settings.login_max_failures  # type: ignore[attr-defined]
    for attempt in range(limit):
        guess = post(
            client, "/account/password", {"current_password": f"essai {attempt}", "password": NEW}
        )
        assert guess.status_code == 400
    # Even the right password now waits: the guesses made this client wait.
    blocked = post(client, "/account/password", {"current_password": PASSWORD, "password": NEW})
    assert blocked.status_code == 429
    assert "Veuillez patienter" in blocked.text
    with session.begin():
        stored = session.get_one(User, nurse.id)
        session.refresh(stored)
    assert stored.password_hash == nurse.password_hash
