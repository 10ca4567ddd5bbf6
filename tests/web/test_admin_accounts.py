"""An administrator manages users in the web as on the command line: create a user, give and
take back roles, set a new password, create an API token; each step audited, in scope only."""

import uuid

from fastapi.testclient import TestClient
from httpx import Response
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.models import AuditEvent, RoleAssignment, User
from tests.factories.core import World, csrf, sign_in
from tests.web.test_stock_pages import one

PASSWORD = "une phrase de passe longue"


def post(client: TestClient, path: str, data: dict[str, str]) -> Response:
    response: Response = client.post(
        path, data=data | {"csrf_token": csrf(client)}, follow_redirects=False
    )
    return response


def audit(session: Session, entity_id: object) -> list[tuple[str, str | None]]:
    with session.begin():
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.at)
        ).all()
    return [(str(a), d) for a, d in rows]


def test_an_administrator_creates_a_user_gives_roles_and_a_token(
    client: TestClient, session: Session, world: World
) -> None:
    admin = world.users["administrator"]
    sign_in(client, admin.username)
    form = HTMLParser(client.get("/admin/users/new").text)
    places = [o.attributes["value"] for o in form.css("select#place_code option")]
    assert world.facility_a.code in places
    assert "new-user" in client.get("/admin/users").text

    # A weak password, an existing name: the form comes back with the message at the field.
    weak = post(
        client,
        "/admin/users/new",
        {
            "username": "awa.diarra",
            "full_name": "Awa Diarra",
            "password": "court",
            "role": "clinician",
            "place_code": world.facility_a.code,
        },
    )
    assert weak.status_code == 400
    page = HTMLParser(weak.text)
    assert "caractères" in one(page, "#password-error").text()
    assert one(page, "#password").attributes.get("value") is None  # never shown again
    assert one(page, "#username").attributes["value"] == "awa.diarra"
    taken = post(
        client,
        "/admin/users/new",
        {
            "username": world.users["clinician_b"].username,
            "full_name": "X",
            "password": PASSWORD,
            "role": "clinician",
            "place_code": world.facility_a.code,
        },
    )
    assert taken.status_code == 409
    assert "existe déjà" in one(HTMLParser(taken.text), "#username-error").text()

    created = post(
        client,
        "/admin/users/new",
        {
            "username": "awa.diarra",
            "full_name": "Awa Diarra",
            "password": PASSWORD,
            "role": "clinician",
            "place_code": world.facility_a.code,
        },
    )
    assert created.status_code == 303
    location = created.headers["location"]
    with session.begin():
        user = session.scalars(select(User).where(User.username == "awa.diarra")).one()
        user_id = user.id
    assert location == f"/admin/users/{user_id}"
    assert audit(session, user_id)[0][0] == "create"


def new_user(client: TestClient, session: Session, world: World) -> uuid.UUID:
    """A clinician of facility A created by the administrator (signed in), through the form."""
    sign_in(client, world.users["administrator"].username)
    created = post(
        client,
        "/admin/users/new",
        {
            "username": "awa.diarra",
            "full_name": "Awa Diarra",
            "password": PASSWORD,
            "role": "clinician",
            "place_code": world.facility_a.code,
        },
    )
    assert created.status_code == 303
    with session.begin():
        return session.scalars(select(User.id).where(User.username == "awa.diarra")).one()


def test_roles_are_given_and_taken_back_but_never_the_last(
    client: TestClient, session: Session, world: World
) -> None:
    user_id = new_user(client, session, world)
    # A second role; the same role at the same place twice is refused.
    granted = post(
        client,
        f"/admin/users/{user_id}/roles/new",
        {"role": "data_manager", "place_code": world.facility_a.code},
    )
    assert granted.status_code == 303
    again = post(
        client,
        f"/admin/users/{user_id}/roles/new",
        {"role": "data_manager", "place_code": world.facility_a.code},
    )
    assert again.status_code == 409
    assert "déjà ce rôle" in again.text
    shown = HTMLParser(client.get(f"/admin/users/{user_id}").text)
    roles = [row.text() for row in shown.css("#roles tbody tr")]
    assert len(roles) == 2 and "Gestionnaire de données" in roles[1], roles

    # Take back the second role; the last one stays (deactivate instead).
    with session.begin():
        assignments = session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.user_id == user_id)
            .order_by(RoleAssignment.created_at)
        ).all()
        first, second = (a.id for a in assignments)
    assert post(client, f"/admin/roles/{second}/withdraw", {"reason": ""}).status_code == 422
    taken_back = post(client, f"/admin/roles/{second}/withdraw", {"reason": "a changé de poste"})
    assert taken_back.status_code == 303
    last = post(client, f"/admin/roles/{first}/withdraw", {"reason": "essai"})
    assert last.status_code == 400
    assert "au moins un rôle" in last.text
    assert ("update", "a changé de poste") in audit(session, second)
    with session.begin():
        assert session.get_one(RoleAssignment, second).active is False  # kept, not deleted


def test_a_new_password_and_an_api_token_from_the_web(
    client: TestClient, session: Session, world: World
) -> None:
    user_id = new_user(client, session, world)
    # The new user signs in; a new password ends their session.
    other = TestClient(client.app)
    sign_in(other, "awa.diarra", PASSWORD)
    assert other.get("/patients").status_code == 200
    reset = post(client, f"/admin/users/{user_id}/password", {"password": "autre phrase secrète"})
    assert reset.status_code == 303
    assert reset.headers["location"].endswith("?saved=password")
    assert other.get("/patients", follow_redirects=False).status_code in {303, 307}
    assert ("update", "password reset") in audit(session, user_id)

    # An API token, shown once, works at once.
    token_page = post(
        client, f"/admin/users/{user_id}/tokens/new", {"name": "tableau", "days": "30"}
    )
    assert token_page.status_code == 200
    token = one(HTMLParser(token_page.text), "#token").text()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/places", headers=bearer).status_code == 200
    assert "tableau" in client.get(f"/admin/users/{user_id}").text
    bad_days = post(client, f"/admin/users/{user_id}/tokens/new", {"name": "x", "days": "9999"})
    assert bad_days.status_code == 422


def test_a_place_outside_the_administrators_places_is_refused(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["administrator"].username)
    refused = post(
        client,
        "/admin/users/new",
        {
            "username": "hors.zone",
            "full_name": "Hors Zone",
            "password": PASSWORD,
            "role": "administrator",
            "place_code": "NOWHERE",
        },
    )
    assert refused.status_code == 404
    assert HTMLParser(refused.text).css_first("#place_code-error") is not None
    with session.begin():
        assert session.scalars(select(User).where(User.username == "hors.zone")).first() is None
