"""A GET changes nothing: every GET route, as every role that may call it, with data present.

Reads are audited and a signed-in session is refreshed, so the audit log and the session tables
(browser session, API token last used) are the only tables a GET may write. Anything else (a defaulter closed because someone opened
the caseload, a counter bumped by a page view) means that what a page shows depends on who
looked first. Every statement sent to the database during the calls is recorded; an INSERT,
UPDATE or DELETE on any other table fails the test, naming the route and the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from alima.core.service import auth
from alima.core.time import today
from alima.nutrition import service as nutrition_service
from alima.nutrition.schemas import AdmissionCreate
from tests.factories.alliance import Alliance
from tests.factories.core import World, make_patient, sign_in
from tests.security.permission_matrix import ANONYMOUS, MATRIX, ROLES, Targets
from tests.security.routes import app_routes, call, cookies_kept, rolled_back

#: Tables a read may write: its audit event, and the refreshed session of the signed-in user
#: (a browser session, or an API token's last use).
READ_MAY_WRITE = frozenset(
    {"core_audit_event", "core_user_session", "core_api_token", "sync_change"}
)
DML = re.compile(
    r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE | re.DOTALL
)


@pytest.fixture
def absent_child(session: Session, world: World) -> str:
    """A child admitted seven weeks ago at facility A and never seen again (long defaulted)."""
    with session.begin():
        patient = make_patient(session, world.facility_a, given="Fanta", family="Diarra")
        patient_id = str(patient.id)
    session.expunge_all()
    admitted = nutrition_service.admit_child(
        session,
        AdmissionCreate.model_validate(
            {
                "patient_id": patient_id,
                "admitted_on": (today() - timedelta(days=49)).isoformat(),
                "muac_mm": 110,
                "weight_kg": 7.0,
                "height_cm": 70.0,
                "appetite_test_passed": True,
            }
        ),
        actor=world.actors["clinician_a"],
    )
    return str(admitted.episode_id)


@pytest.fixture
def role_clients(
    app: FastAPI, session: Session, world: World, alliance: Alliance
) -> Iterator[dict[str, tuple[TestClient, str | None]]]:
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
        if role == ANONYMOUS:
            continue
        client = TestClient(app, raise_server_exceptions=False)
        sign_in(client, usernames[role])
        token = auth.create_api_token(session, username=usernames[role], name="g", days=1).token
        result[role] = (client, token)
    yield result
    for client, _ in result.values():
        client.close()


def test_no_get_writes(
    app: FastAPI,
    session: Session,
    role_clients: dict[str, tuple[TestClient, str | None]],
    targets: dict[str, Targets],
    absent_child: str,
) -> None:
    connection = session.bind
    assert isinstance(connection, Connection)
    written: list[str] = []
    ever: set[str] = set()

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = DML.match(statement)
        if match is not None:
            written.append(match.group(1).lower())
            ever.add(match.group(1).lower())

    routes = sorted(r for r in app_routes(app) if r[0] == "GET")
    failures: list[str] = []
    calls = 0
    event.listen(connection, "after_cursor_execute", watch)
    try:
        for method, path in routes:
            rule = MATRIX[(method, path)]
            for role in sorted(rule.allowed - {ANONYMOUS}):
                client, token = role_clients[role]
                written.clear()
                with cookies_kept(client), rolled_back(session):
                    response = call(
                        client,
                        token=token,
                        method=method,
                        path=path,
                        rule=rule,
                        targets=targets["in"],
                    )
                calls += 1
                assert response.status_code < 500, f"{path} as {role}: {response.status_code}"
                tables = sorted(set(written) - READ_MAY_WRITE)
                if tables:
                    failures.append(f"GET {path} as {role} wrote to {', '.join(tables)}")
    finally:
        event.remove(connection, "after_cursor_execute", watch)
    assert failures == [], "\n".join(failures)
    assert calls > len(routes)
    # The watch sees the writes a read does make: the audit events of the reads.
    assert "core_audit_event" in ever


def test_the_watch_sees_a_write(session: Session, world: World) -> None:
    """The pattern recognises the statements SQLAlchemy sends on both databases."""
    connection = session.bind
    assert isinstance(connection, Connection)
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        match = DML.match(statement)
        if match is not None:
            seen.append(match.group(1).lower())

    event.listen(connection, "after_cursor_execute", watch)
    try:
        with session.begin():
            make_patient(session, world.facility_a)
    finally:
        event.remove(connection, "after_cursor_execute", watch)
    assert "core_patient" in seen
