"""Every web form field, query parameter and path parameter fed hostile values: no 5xx.

The pages' counterpart of ``tests/api/test_fuzz.py``. Routes come from
``alima.web.inventory`` and their parameters from FastAPI's own description of each route
(query parameters, form fields, the fields of form and query models), so a new page or field
is fuzzed without editing this file. Each field is sent alone with a hostile value while the
others keep the valid data of the permission matrix, signed in as an administrator with a
valid CSRF token, each request in a rolled-back savepoint; on SQLite and on PostgreSQL.
A fixed hostile list (no random generation) keeps it bounded and reproducible.
"""

from __future__ import annotations

import types
import typing
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.web.forms import WebForm
from tests.factories.alliance import Alliance
from tests.factories.core import World, csrf, sign_in
from tests.security.permission_matrix import MATRIX, Targets
from tests.security.routes import PARAM, cookies_kept, rolled_back, url_for

NUL = "a\x00b"
SURROGATE = "x\ud800y"
HUGE = "99999999999999999999999999"
#: Long, and shaped like SQL and HTML injection (parameterised queries, escaped templates).
LONG_INJECTION = "'; DROP TABLE core_patient; -- <script>alert(1)</script> Aïssata " * 120
TEXT_VALUES = (NUL, SURROGATE, LONG_INJECTION)
DATE_VALUES = ("0001-01-01", "1999-12-31", "9999-12-31")
NUMBER_VALUES = (HUGE, "-1", "1e309")
OTHER_VALUES = (NUL, SURROGATE, HUGE)
PATH_VALUES = ("a%00b", "%ED%A0%80", HUGE)
#: Forms that end the session; their sign-out is rolled back with the rest, but skip churn.
SKIPPED = {("POST", "/logout")}


def _web_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    def walk(routes: Any) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:
                for context in contexts():
                    if isinstance(context.original_route, APIRoute):
                        yield context.path, context.original_route
            elif isinstance(route, APIRoute):
                yield route.path, route

    for path, route in walk(app.routes):
        if path.startswith("/api/"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            yield method, path, route


def _fields(dependant: Dependant) -> dict[str, Any]:
    """Query parameters and form fields (model fields expanded), with their annotations."""
    found: dict[str, Any] = {}
    for param in [*dependant.query_params, *dependant.body_params]:
        annotation = param.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for name, info in annotation.model_fields.items():
                found[info.alias or name] = info.annotation
        else:
            found[param.alias] = annotation
    for sub in dependant.dependencies:
        found |= _fields(sub)
    return found


def _base_types(annotation: Any) -> set[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_base_types(a) for a in typing.get_args(annotation)))
    if origin in (list, set, tuple, frozenset):
        return _base_types(typing.get_args(annotation)[0]) if typing.get_args(annotation) else set()
    return {annotation}


def _hostile_values(annotation: Any) -> tuple[str, ...]:
    kinds = _base_types(annotation) - {type(None)}
    if kinds & {date, datetime}:
        return DATE_VALUES
    if kinds & {int, float}:
        return NUMBER_VALUES
    if kinds <= {str} and kinds:
        return TEXT_VALUES
    if any(isinstance(k, type) and issubclass(k, (Enum, uuid.UUID, bool)) for k in kinds):
        return OTHER_VALUES
    return TEXT_VALUES


def _encode(values: dict[str, str]) -> str:
    # What a hostile client can send: unpaired surrogates as their raw UTF-8 bytes.
    return urlencode(values, encoding="utf-8", errors="surrogatepass")


def _declared(dependant: Dependant) -> set[str]:
    """The fields of the ``alima.web.forms.WebForm`` declarations a route depends on."""
    found = set(dependant.call.fields) if isinstance(dependant.call, WebForm) else set()
    for sub in dependant.dependencies:
        found |= _declared(sub)
    return found


def _undiscovered(method: str, path: str, route: APIRoute, form: dict[str, str]) -> list[str]:
    """A form post whose fields are not all in the route's description would go unfuzzed."""
    if method != "POST":
        return []
    fields = _fields(route.dependant)
    hidden = (set(form) | _declared(route.dependant)) - set(fields)
    if hidden or (form and not fields):
        return [f"{method} {path}: {sorted(hidden) or 'no fields'}"]
    return []


def _send(
    client: TestClient,
    method: str,
    url: str,
    query: dict[str, str],
    form: dict[str, str],
) -> int:
    target = f"{url}?{_encode(query)}" if query else url
    if method == "GET":
        status: int = client.get(target, follow_redirects=False).status_code
        return status
    body = _encode({**form, "csrf_token": csrf(client)})
    status = client.request(
        method,
        target,
        content=body.encode("ascii"),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    ).status_code
    return status


def test_no_page_answers_hostile_input_with_a_server_error(
    app: FastAPI,
    session: Session,
    world: World,
    alliance: Alliance,
    targets: dict[str, Targets],
) -> None:
    t = targets["in"]
    failures: list[str] = []
    undiscovered: list[str] = []
    sent = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, world.users["administrator"].username)
        for method, path, route in _web_routes(app):
            if (method, path) in SKIPPED:
                continue
            rule = MATRIX[(method, path)]
            url = url_for(path, rule, t)
            base_query = {k: str(v) for k, v in rule.query(t).items()} if rule.query else {}
            base_form = {k: str(v) for k, v in rule.form(t).items()} if rule.form else {}
            fields = _fields(route.dependant)
            undiscovered += _undiscovered(method, path, route, base_form)
            cases: list[tuple[str, dict[str, str], dict[str, str]]] = []
            for name, annotation in fields.items():
                in_query = method == "GET" or name in base_query
                for value in _hostile_values(annotation):
                    if in_query:
                        cases.append((url, {**base_query, name: value}, base_form))
                    else:
                        cases.append((url, base_query, {**base_form, name: value}))
            if fields:  # every field hostile at once
                everything = dict.fromkeys(fields, NUL)
                cases.append((url, everything, {}) if method == "GET" else (url, {}, everything))
            for param in PARAM.findall(path):
                for value in PATH_VALUES:
                    hostile_url = url_for(path, rule, {**t, param: quote(value, safe="%")})
                    cases.append((hostile_url, base_query, base_form))
            for target, query, form in cases:
                with rolled_back(session), cookies_kept(client):
                    status = _send(client, method, target, query, form)
                sent += 1
                if status >= 500:
                    shown = {k: v[:40] for k, v in {**query, **form}.items()}
                    failures.append(f"{method} {target[:120]} {shown} -> {status}")
    assert sent > 700, sent
    assert not undiscovered, "form fields not discoverable:\n" + "\n".join(undiscovered)
    assert not failures, "\n".join(failures[:40])
