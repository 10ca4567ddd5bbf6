"""An administrator deactivates an account and revokes a token from the web: at once."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.models import AuditEvent
from alima.core.service import accounts, auth
from tests.factories.core import World, csrf, sign_in


def test_administrator_deactivates_and_revokes_from_the_web(
    app: object, client: TestClient, session: Session, world: World
) -> None:
    target = world.users["clinician_a"]
    token = auth.create_api_token(session, username=target.username, name="tablet", days=30)
    other = auth.create_api_token(session, username=target.username, name="phone", days=30)
    bearer = {"Authorization": f"Bearer {token.token}"}
    assert client.get("/api/v1/places", headers=bearer).status_code == 200

    sign_in(client, world.users["administrator"].username)
    listing = client.get("/admin/users")
    assert listing.status_code == 200 and target.username in listing.text
    page = client.get(f"/admin/users/{target.id}")
    assert page.status_code == 200 and "tablet" in page.text

    token_id = next(
        t.id for t in accounts.list_tokens(session, target.username) if t.name == "tablet"
    )
    # Without the form's CSRF token, nothing happens.
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 403
    assert client.get("/api/v1/places", headers=bearer).status_code == 200
    revoked = client.post(
        f"/admin/tokens/{token_id}/revoke",
        data={"csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/places", headers=bearer).status_code == 401

    # Deactivation needs a reason; then sessions and the other token stop at once.
    refused = client.post(
        f"/admin/users/{target.id}/active",
        data={"active": "false", "reason": "", "csrf_token": csrf(client)},
    )
    assert refused.status_code == 400
    done = client.post(
        f"/admin/users/{target.id}/active",
        data={"active": "false", "reason": "a quitté le projet", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    headers = {"Authorization": f"Bearer {other.token}"}
    assert client.get("/api/v1/places", headers=headers).status_code == 401
    with session.begin():
        details = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.entity_id == target.id)
        ).all()
    assert "a quitté le projet" in details
    client.get("/lang/en")
    assert "This account is deactivated." in client.get(f"/admin/users/{target.id}").text
    client.get("/lang/fr")
    assert "Ce compte est désactivé." in client.get(f"/admin/users/{target.id}").text


def test_other_roles_do_not_see_accounts(client: TestClient, world: World) -> None:
    sign_in(client, world.users["coordinator"].username)
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{world.users['clinician_a'].id}").status_code == 403
