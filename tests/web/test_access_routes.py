"""Every route that takes a patient: a clinician of facility A gets 404 for a patient of B.

The routes are read from the application, so a new patient route is covered the day it is
added; the attempt must be in the audit log.
"""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.models import AuditEvent
from alima.core.service import auth
from alima.web.inventory import iter_routes
from tests.factories.core import World, csrf, sign_in

PATIENT_PARAM = re.compile(r"\{patient_id\}")


def patient_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in iter_routes(app.routes)
        if PATIENT_PARAM.search(route.path)
        for method in route.methods
        if method != "HEAD"
    )


def test_every_patient_route_hides_other_facilities(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    routes = patient_routes(app)
    assert ("GET", "/patients/{patient_id}") in routes
    assert ("GET", "/api/v1/patients/{patient_id}") in routes
    assert ("DELETE", "/api/v1/patients/{patient_id}") in routes
    clinician = world.users["clinician_a"]
    token = auth.create_api_token(session, username=clinician.username, name="t", days=1).token
    sign_in(client, clinician.username)
    target = world.patient_b.id
    for method, path in routes:
        url = PATIENT_PARAM.sub(str(target), path)
        if path.startswith(("/api/", "/fhir/")):
            response = client.request(
                method,
                url,
                headers={"Authorization": f"Bearer {token}"},
                params={"reason": "test de portée"} if method == "DELETE" else None,
                json={"village": "X"} if method == "PATCH" else None,
            )
        else:
            data = {"csrf_token": csrf(client)} if method == "POST" else None
            response = client.request(method, url, data=data)
        assert response.status_code == 404, (method, path, response.status_code)
        if not path.startswith(("/api/", "/fhir/")):
            assert "text/html" in response.headers["content-type"]
    with session.begin():
        attempts = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.patient_id == target, AuditEvent.actor_id == clinician.id
                )
            )
        )
    assert len(attempts) == len(routes)
    assert {a.action for a in attempts} <= {"read_denied", "write_denied"}
    assert {a.channel for a in attempts} == {"web", "api"}


@pytest.mark.parametrize("role", ["partner_viewer", "researcher"])
def test_aggregate_roles_never_open_a_patient(
    client: TestClient, session: Session, world: World, role: str
) -> None:
    sign_in(client, world.users[role].username)
    assert client.get(f"/patients/{world.patient_a.id}").status_code == 404
    token = auth.create_api_token(
        session, username=world.users[role].username, name="t", days=1
    ).token
    response = client.get(
        f"/api/v1/patients/{world.patient_a.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404
