"""The permission matrix: every route, every role, in scope and out of scope, HTML and API.

The routes come from the application itself, so a route without an entry in
``permission_matrix.MATRIX`` fails the test the day it is added. Each request runs in its own
savepoint, rolled back afterwards: no call changes what the next one sees, whatever the order.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.service import auth
from tests.factories.alliance import Alliance
from tests.factories.core import World, sign_in
from tests.security.permission_matrix import ANONYMOUS, MATRIX, ROLES, Targets
from tests.security.routes import (
    ALLOW,
    DENY,
    allowed_failure,
    app_routes,
    call,
    cookies_kept,
    outcome,
    rolled_back,
)


def test_every_route_has_an_entry(app: FastAPI) -> None:
    routes = app_routes(app)
    # Not only the API routes: the schema and the static files are served too.
    assert {("GET", "/api/v1/openapi.json"), ("GET", "/static/{path}")} <= routes
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert missing == [], f"add these routes to tests/security/permission_matrix.py: {missing}"
    assert stale == [], f"these entries name no route any more: {stale}"


@pytest.fixture
def clients(
    app: FastAPI, session: Session, world: World, alliance: Alliance
) -> Iterator[dict[str, tuple[TestClient, str | None]]]:
    """A signed-in browser and an API token per role (anonymous: neither)."""
    usernames = {
        "clinician": world.users["clinician_a"].username,
        "data_manager": world.users["data_manager"].username,
        "coordinator": world.users["coordinator"].username,
        "researcher": world.users["researcher"].username,
        "partner_viewer": world.users["partner_viewer"].username,
        "administrator": world.users["administrator"].username,
        "partner_coordinator": alliance.partner_coordinator.username,
        "monitor": world.users["monitor"].username,
    }
    result: dict[str, tuple[TestClient, str | None]] = {}
    for role in ROLES:
        client = TestClient(app, raise_server_exceptions=False)
        client.get("/login")
        token = None
        if role != ANONYMOUS:
            sign_in(client, usernames[role])
            token = auth.create_api_token(session, username=usernames[role], name="m", days=1).token
        result[role] = (client, token)
    yield result
    for client, _ in result.values():
        client.close()


def test_permission_matrix(
    app: FastAPI,
    session: Session,
    clients: dict[str, tuple[TestClient, str | None]],
    targets: dict[str, Targets],
) -> None:
    routes = sorted(app_routes(app) & MATRIX.keys())
    failures: list[str] = []
    checked = 0
    for method, path in routes:
        rule = MATRIX[(method, path)]
        for scope in ("in", "out") if rule.scoped else ("in",):
            for role in ROLES:
                client, token = clients[role]
                expected = ALLOW if scope == "in" and role in rule.allowed else DENY
                with cookies_kept(client), rolled_back(session):
                    response = call(
                        client,
                        token=token,
                        method=method,
                        path=path,
                        rule=rule,
                        targets=targets[scope],
                    )
                    why = (
                        allowed_failure(client, method, path, rule, response)
                        if expected == ALLOW
                        else None
                        if outcome(response) == DENY
                        else f"expected a refusal, got {response.status_code}"
                    )
                checked += 1
                if why is not None:
                    failures.append(f"{method} {path} [{scope}] as {role}: {why}")
    assert failures == [], "\n".join(failures)
    assert checked >= len(routes) * len(ROLES)
