"""``alima serve`` on an enrolled laptop syncs by itself, and a failing hub never stops it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from alima.core.config import Settings
from alima.core.models import Patient
from alima.main import create_app
from alima.sync import node as node_service
from alima.sync.models import SyncPeer
from alima.sync.node import LinkError, Transport
from tests.conftest import BACKENDS
from tests.factories.core import csrf, sign_in
from tests.integration.sync.harness import Hub, Node, make_hub, make_node

#: A tenth of a second between background syncs.
TINY = 0.1 / 60


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


@pytest.fixture
def node_a(hub: Hub, tmp_path: Path) -> Node:
    return make_node(hub, hub.world.facility_a, tmp_path, "laptop-a")


def _laptop_app(node: Node, minutes: float, transport: Transport) -> FastAPI:
    url = node.factory.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app(Settings(env="test", database_url=url, sync_interval_minutes=minutes))
    app.state.sync_transport = lambda _hub_url: transport
    return app


def _wait(condition: Any, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_an_enrolled_laptop_syncs_without_a_request(hub: Hub, node_a: Node) -> None:
    child = node_a.register(hub.world.users["clinician_a"].username, "Awa")

    def on_hub() -> bool:
        with hub.factory() as session, session.begin():
            return session.get(Patient, child.id) is not None

    assert not on_hub()
    app = _laptop_app(node_a, TINY, node_a.transport)
    with TestClient(app):
        assert _wait(on_hub)
    with node_a.factory() as session:
        status = node_service.status(session)
    assert status.pending == 0 and status.last_success_at is not None
    app.state.engine.dispose()


def test_a_hub_out_of_reach_is_recorded_and_the_server_keeps_serving(
    hub: Hub, node_a: Node
) -> None:
    def recorded() -> bool:
        with node_a.factory() as session, session.begin():
            peer = session.scalars(select(SyncPeer)).one()
            return peer.last_error == "ConnectError: no route to host"

    app = _laptop_app(node_a, TINY, _unreachable)
    with TestClient(app) as client:
        assert _wait(recorded)
        time.sleep(0.3)  # more rounds fail; the server still answers
        assert client.get("/login").status_code == 200
    app.state.engine.dispose()


def test_zero_turns_the_background_sync_off(hub: Hub, node_a: Node) -> None:
    child = node_a.register(hub.world.users["clinician_a"].username, "Awa")
    app = _laptop_app(node_a, 0, node_a.transport)
    with TestClient(app):
        time.sleep(0.5)
    with hub.factory() as session, session.begin():
        assert session.get(Patient, child.id) is None
    app.state.engine.dispose()


def test_the_laptops_sync_page_syncs_now_and_shows_the_outcome(hub: Hub, node_a: Node) -> None:
    username = hub.world.users["clinician_a"].username
    child = node_a.register(username, "Awa")
    app = _laptop_app(node_a, 0, node_a.transport)
    client = TestClient(app)
    sign_in(client, username)
    before = client.get("/sync")
    assert before.status_code == 200
    assert "Modifications en attente d'envoi" in before.text
    posted = client.post("/sync", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert posted.status_code == 303
    # At least the child (what signing in wrote on the laptop may go up too).
    assert posted.headers["location"].startswith("/sync?result=ok&pushed=")
    after = client.get(posted.headers["location"])
    assert "Synchronisation faite :" in after.text
    with hub.factory() as session, session.begin():
        assert session.get(Patient, child.id) is not None
    # The hub out of reach: the page says so and keeps the error.
    app.state.sync_transport = lambda _hub_url: _unreachable
    failed = client.post("/sync", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert failed.headers["location"] == "/sync?result=error"
    page = client.get("/sync?result=error")
    assert "La synchronisation n'a pas abouti" in page.text
    assert "no route to host" in page.text
    app.state.engine.dispose()


def _unreachable(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
    raise LinkError("ConnectError: no route to host")
