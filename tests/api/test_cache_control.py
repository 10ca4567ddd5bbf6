"""No API response may be kept by a browser or a proxy: they carry patient data."""

import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.service import auth
from alima.web.inventory import iter_routes
from tests.factories.core import World


def test_every_api_response_is_no_store(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    token = auth.create_api_token(
        session, username=world.users["administrator"].username, name="cache", days=1
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    routes = [r for r in iter_routes(app.routes) if r.path.startswith("/api/")]
    assert len(routes) > 20
    checked = 0
    for route in routes:
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
        for method in sorted(route.methods - {"HEAD"}):
            for sent in (headers, {}):  # signed in, and refused
                response = client.request(method, path, headers=sent)
                assert "no-store" in response.headers.get("cache-control", ""), (
                    method,
                    route.path,
                    response.status_code,
                )
                checked += 1
    # A patient read that succeeds, with real data.
    response = client.get(f"/api/v1/patients/{world.patient_a.id}", headers=headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert checked >= 2 * len(routes)
