"""A partner whose agreement says "aggregates only" gets no patient-level data, anywhere.

Its coordinator's role would show patients; the agreement withholds it. Every route of the
application (pages, API, exports) is called with in-scope targets as that coordinator, and no
response may contain anything that identifies the patients of the project: their ids,
identifiers or names, in HTML, JSON, CSV or XLSX. The same calls as the co-lead's coordinator
(patient-level agreement) do show them, so the markers are real.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update
from sqlalchemy.orm import Session

from alima.alliance.models import Agreement
from alima.core.access import Permission
from alima.core.models import Place, User
from alima.core.service import auth
from alima.core.service import patients as patient_service
from alima.core.service.auth import actor_for
from alima.core.time import today
from tests.factories.alliance import Alliance
from tests.factories.core import World, make_patient, sign_in
from tests.security.permission_matrix import MATRIX, Rule, Targets
from tests.security.routes import PARAM, app_routes, call, cookies_kept, rolled_back

GIVEN, FAMILY = "Zoubeirou", "Quénardelle"


@pytest.fixture
def marked(
    session: Session, world: World, alliance: Alliance, targets: dict[str, Targets]
) -> list[str]:
    """A patient with unmistakable names at facility A, opened by the clinician (audit rows)."""
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        patient = make_patient(session, place, given=GIVEN, family=FAMILY)
        markers = [str(patient.id), patient.identifier, patient.id.hex, GIVEN, FAMILY]
    session.expunge_all()
    patient_service.get_patient(session, patient.id, actor=world.actors["clinician_a"])
    patient_service.get_patient(session, world.patient_a.id, actor=world.actors["clinician_a"])
    patient_a = world.patient_a
    return [*markers, str(patient_a.id), patient_a.identifier, patient_a.id.hex]


def _text(response: Response) -> str:
    """The body as text, without the echo of the requested URL.

    An error page's language switch links back to the page asked for: what the caller sent
    is not a leak.
    """
    if response.content[:2] == b"PK":  # an XLSX workbook: read every part
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            return "\n".join(
                workbook.read(n).decode("utf-8", "replace") for n in workbook.namelist()
            )
    url = response.request.url
    requested = url.path + (f"?{url.query.decode()}" if url.query else "")
    text = response.text
    for echo in {requested, quote(requested, safe=""), quote(requested, safe="/")}:
        text = text.replace(echo, "")
    return text


def _everything(
    app: FastAPI, session: Session, client: TestClient, *, token: str, targets: Targets
) -> dict[str, str]:
    """Every route called once (and searches for the marked patient).

    Routes of the matrix with its data; any other GET route whose path parameters the targets
    can fill, without data (a page not yet in the matrix is still swept for leaks).
    """
    seen: dict[str, str] = {}
    routes = sorted(
        (method, path)
        for method, path in app_routes(app)
        if (method, path) in MATRIX
        or (method == "GET" and all(p in targets for p in PARAM.findall(path)))
    )
    for method, path in routes:
        rule = MATRIX.get((method, path), Rule(frozenset()))
        with cookies_kept(client), rolled_back(session):
            response = call(
                client, token=token, method=method, path=path, rule=rule, targets=targets
            )
        seen[f"{method} {path}"] = _text(response)
    for url in (f"/patients?q={GIVEN[:6]}", "/nutrition", "/audit/reads", "/audit/reads.csv"):
        seen[f"GET {url}"] = _text(client.get(url))
    for url in (f"/api/v1/patients?q={GIVEN[:6]}", "/api/v1/alliance/read-audit"):
        seen[f"GET {url}"] = _text(client.get(url, headers={"Authorization": f"Bearer {token}"}))
    return seen


def _leaks(seen: dict[str, str], markers: list[str]) -> list[str]:
    return sorted(
        f"{route}: {marker}"
        for route, body in seen.items()
        for marker in markers
        if marker.lower() in body.lower()
    )


def test_aggregates_only_partner_sees_no_patient(  # noqa: PLR0917 - pytest passes fixtures by position
    app: FastAPI,
    session: Session,
    world: World,
    alliance: Alliance,
    targets: dict[str, Targets],
    marked: list[str],
) -> None:
    partner = alliance.actors["partner_coordinator"]
    assert partner.can(Permission.AGGREGATE_READ)
    assert not partner.can(Permission.PATIENT_READ)
    assert not partner.can(Permission.PATIENT_EXPORT)
    client = TestClient(app, raise_server_exceptions=False)
    sign_in(client, alliance.partner_coordinator.username)
    token = auth.create_api_token(
        session, username=alliance.partner_coordinator.username, name="t", days=1
    ).token
    seen = _everything(app, session, client, token=token, targets=targets["in"])
    assert len(seen) >= len(MATRIX)
    assert _leaks(seen, marked) == []
    # It does see the aggregates: the project page and its trainings.
    assert alliance.project.name in seen["GET /projects/{project_code}"]
    client.close()


def test_the_same_calls_show_patients_to_a_patient_level_partner(
    app: FastAPI,
    session: Session,
    alliance: Alliance,
    targets: dict[str, Targets],
    marked: list[str],
) -> None:
    coordinator = alliance.actors["colead_coordinator"]
    assert coordinator.can(Permission.PATIENT_READ)
    client = TestClient(app, raise_server_exceptions=False)
    sign_in(client, alliance.colead_coordinator.username)
    token = auth.create_api_token(
        session, username=alliance.colead_coordinator.username, name="t", days=1
    ).token
    leaks = _leaks(_everything(app, session, client, token=token, targets=targets["in"]), marked)
    assert any(GIVEN in leak for leak in leaks)
    assert any(leak.startswith("GET /api/v1/patients/{patient_id}") for leak in leaks)
    assert any(leak.startswith("GET /audit/reads.csv") for leak in leaks)
    client.close()


def test_agreement_ending_withdraws_patient_access(
    session: Session, world: World, alliance: Alliance
) -> None:
    """The co-lead's agreement ended yesterday: its coordinator falls back to aggregates."""
    with session.begin():
        session.execute(
            update(Agreement)
            .where(Agreement.organisation_id == alliance.colead.id)
            .values(effective_to=today() - timedelta(days=1))
        )
        user = session.get(User, alliance.colead_coordinator.id)
        assert user is not None
        actor = actor_for(session, user, channel="web", ip=None)
    assert actor.can(Permission.AGGREGATE_READ)
    assert not actor.can(Permission.PATIENT_READ)
    assert not actor.can(Permission.DATA_APPROVE)
