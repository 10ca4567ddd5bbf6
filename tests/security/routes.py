"""Calling every route as a role would: URL from targets, form or JSON body, CSRF, token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from alima.web.inventory import iter_routes
from tests.factories.core import csrf
from tests.security.permission_matrix import Rule, Targets

PARAM = re.compile(r"\{(\w+)\}")
ALLOW, DENY = "allow", "deny"


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in iter_routes(app.routes)
        for method in route.methods
        if method != "HEAD"
    }


def outcome(response: Response) -> str:
    """Refused (401, 403, 404, or sent to sign in) or let through (anything else below 500)."""
    assert response.status_code < 500, response.text[:300]
    if response.status_code in {401, 403, 404}:
        return DENY
    location = response.headers.get("location", "")
    if response.status_code in {302, 303, 307} and location.startswith("/login?next="):
        return DENY
    return ALLOW


@contextmanager
def rolled_back(session: Session) -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back (the services nest inside)."""
    connection = session.bind
    assert isinstance(connection, Connection)
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        session.expunge_all()


def url_for(path: str, rule: Rule, targets: Targets) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        literal = rule.values.get(name)
        if literal is not None:
            return targets.get(literal, literal)
        assert name in targets, f"give the matrix targets a value for {{{name}}} ({path})"
        return targets[name]

    return PARAM.sub(value, path)


@contextmanager
def cookies_kept(client: TestClient) -> Iterator[None]:
    """Restore the client's cookies afterwards (a rolled-back sign-in or sign-out)."""
    saved = dict(client.cookies.items())
    try:
        yield
    finally:
        client.cookies.clear()
        for name, value in saved.items():
            client.cookies.set(name, value)


def call(
    client: TestClient,
    *,
    token: str | None,
    method: str,
    path: str,
    rule: Rule,
    targets: Targets,
    with_csrf: bool = True,
) -> Response:
    """Call ``method path`` as the client (web) or with the token (API), data from ``rule``.

    Form posts carry the CSRF token of the client's cookie, as the pages do (unless
    ``with_csrf`` is false).
    """
    url = url_for(path, rule, targets)
    params = {k: str(v) for k, v in rule.query(targets).items()} if rule.query else None
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = rule.json(targets) if rule.json else None
        response: Response = client.request(method, url, params=params, json=body, headers=headers)
        return response
    data = {k: str(v) for k, v in rule.form(targets).items()} if rule.form else {}
    if method != "GET" and with_csrf:
        data["csrf_token"] = csrf(client) if client.cookies.get("alima_csrf") else ""
    sent: Response = client.request(
        method, url, params=params, data=data or None, follow_redirects=False
    )
    return sent
