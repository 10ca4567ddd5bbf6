"""Revoking a token and deactivating a user, from the command line: effective at once."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import alima.cli.commands
from alima.core.access import Actor, Grant
from alima.core.enums import AuditAction, Role
from alima.core.errors import BadRequest, Forbidden, NotFound, Unauthenticated
from alima.core.models import AuditEvent
from alima.core.service import accounts, auth
from tests.factories.core import World, sign_in


@pytest.fixture
def cli(session: Session, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line, on the test's rolled-back session."""
    monkeypatch.setattr(alima.cli.commands, "_sessionmaker", lambda: lambda: session)
    return CliRunner()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_cli_token_revoke_is_effective_at_once(
    cli: CliRunner, session: Session, world: World, client: TestClient
) -> None:
    name = world.users["data_manager"].username
    created = auth.create_api_token(session, username=name, name="dhis2", days=30)
    assert client.get("/api/v1/places", headers=_bearer(created.token)).status_code == 200
    listed = cli.invoke(alima.cli.commands.app, ["token", "list", name])
    assert listed.exit_code == 0, listed.output
    assert "dhis2" in listed.output and "live" in listed.output
    token_id = accounts.list_tokens(session, name)[0].id
    result = cli.invoke(alima.cli.commands.app, ["token", "revoke", token_id.hex[:12]])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/places", headers=_bearer(created.token)).status_code == 401
    with session.begin():
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == token_id)
        ).all()
    assert AuditAction.TOKEN_REVOKED.value in actions
    assert cli.invoke(alima.cli.commands.app, ["token", "revoke", "0000"]).exit_code == 1


def test_cli_user_deactivate_ends_sessions_and_tokens(
    cli: CliRunner, session: Session, world: World, client: TestClient
) -> None:
    user = world.users["clinician_a"]
    created = auth.create_api_token(session, username=user.username, name="tablet", days=30)
    sign_in(client, user.username)
    assert client.get("/", follow_redirects=False).status_code == 200
    result = cli.invoke(
        alima.cli.commands.app,
        ["user", "deactivate", user.username, "--reason", "left the project"],
    )
    assert result.exit_code == 0, result.output
    assert client.get("/", follow_redirects=False).status_code == 303  # back to sign-in
    assert client.get("/api/v1/places", headers=_bearer(created.token)).status_code == 401
    with pytest.raises(Unauthenticated):
        auth.actor_from_api_token(session, created.token, ip=None)
    # Reactivated, the old token stays revoked.
    result = cli.invoke(
        alima.cli.commands.app, ["user", "activate", user.username, "--reason", "back"]
    )
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/places", headers=_bearer(created.token)).status_code == 401
    assert cli.invoke(
        alima.cli.commands.app, ["user", "deactivate", "nobody", "--reason", "x"]
    ).exit_code


def test_deactivation_needs_a_reason(session: Session, world: World) -> None:
    user_id = world.users["clinician_a"].id
    with pytest.raises(BadRequest):
        accounts.set_active(session, user_id, active=False, reason=" ", actor=None)


def test_an_administrator_acts_only_in_scope(session: Session, world: World) -> None:
    admin = world.actors["administrator"]
    names = {a.username for a in accounts.list_accounts(session, actor=admin)}
    assert world.users["clinician_a"].username in names
    with pytest.raises(BadRequest):  # not oneself
        accounts.set_active(session, admin.id, active=False, reason="oops", actor=admin)
    clinician = world.actors["clinician_a"]
    with pytest.raises(Forbidden):
        accounts.list_accounts(session, actor=clinician)
    with pytest.raises(NotFound):
        accounts.get_account(session, world.users["clinician_a"].id, actor=_facility_admin(world))


def _facility_admin(world: World) -> Actor:
    return Actor(
        id=world.users["administrator"].id,
        username="facility-admin",
        full_name="Facility admin",
        grants=(Grant(Role.ADMINISTRATOR, (world.facility_b.path,)),),
    )
