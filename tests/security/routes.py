"""Calling every route as a role would: URL from targets, form or JSON body, CSRF, token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route

from alima.web.inventory import iter_routes
from tests.factories.core import csrf
from tests.security.permission_matrix import Rule, Targets

PARAM = re.compile(r"\{(\w+)\}")
ALLOW, DENY = "allow", "deny"


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the application answers: its API routes, and also the routes and
    mounts that are not ``APIRoute``s (the OpenAPI schema, the static files). A mount is listed
    as ``GET <mount path>/{path}``. A route of any other kind fails here, so that it cannot be
    served without an entry in the matrix."""
    found = {
        (method, route.path)
        for route in iter_routes(app.routes)
        for method in route.methods
        if method != "HEAD"
    }
    for route in app.routes:
        if isinstance(route, APIRoute) or hasattr(route, "effective_route_contexts"):
            continue  # listed by iter_routes (an included router holds only API routes)
        if isinstance(route, Mount):
            found.add(("GET", f"{route.path}/{{path}}"))
        elif isinstance(route, Route):
            found |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
        else:
            raise TypeError(f"a route the matrix cannot list: {route!r}")
    for route in app.routes:
        for context in getattr(route, "effective_route_contexts", lambda: [])():
            original = context.original_route
            assert isinstance(original, APIRoute), f"not an API route: {context.path}"
    return found


def outcome(response: Response) -> str:
    """Refused (401, 403, 404, or sent to sign in) or let through (anything else below 500)."""
    assert response.status_code < 500, response.text[:300]
    if response.status_code in {401, 403, 404}:
        return DENY
    location = response.headers.get("location", "")
    if response.status_code in {302, 303, 307} and location.startswith("/login?next="):
        return DENY
    return ALLOW


def expected_status(method: str, path: str, rule: Rule) -> frozenset[int]:
    """The status an allowed call must get: the rule's own, or the success of its kind
    (a page or a read: 200; an API write: 200, 201 or 204; a form post: a 303 redirect)."""
    if rule.expect is not None:
        return frozenset({rule.expect})
    if method == "GET":
        return frozenset({200})
    if path.startswith(("/api/", "/fhir/")):
        return frozenset({200, 201, 204})
    return frozenset({303})


def allowed_failure(
    client: TestClient, method: str, path: str, rule: Rule, response: Response
) -> str | None:
    """Why an allowed call did not succeed as it should (None when it did).

    A redirect must stay in the application, not lead to the sign-in page (unless the rule
    says so), and lead to a page that renders for the same user."""
    expected = expected_status(method, path, rule)
    if response.status_code not in expected:
        return f"expected {sorted(expected)}, got {response.status_code}: {response.text[:160]!r}"
    if rule.expect is not None and rule.expect >= 400 and rule.code not in response.text:
        return f"expected the refusal {rule.code}, got {response.text[:160]!r}"
    if response.status_code in {302, 303, 307}:
        location = response.headers.get("location", "")
        if not location.startswith("/") or location.startswith("//"):
            return f"redirect outside the application: {location!r}"
        if location.startswith("/login") and not rule.to_sign_in:
            return f"sent to the sign-in page: {location!r}"
        landing = client.get(location, follow_redirects=False)
        if landing.status_code != 200:
            return f"redirect to {location!r}, which gives {landing.status_code}"
    return None


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
    if path.startswith(("/api/", "/fhir/")):
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
