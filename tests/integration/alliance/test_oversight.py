"""Break-the-glass and the read audit: time-limited, audited, listed, exported."""

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alima.alliance.models import BreakGlassGrant
from alima.alliance.schemas import EmergencyAccessCreate, ReadAuditFilter
from alima.alliance.service import oversight
from alima.core.config import Settings
from alima.core.errors import Forbidden, NotFound
from alima.core.models import AuditEvent, Patient, User
from alima.core.schemas import PatientUpdate
from alima.core.service import patients as patient_service
from alima.core.service.auth import actor_for
from alima.core.time import today, utcnow
from tests.factories.alliance import Alliance, build_alliance
from tests.factories.core import World, csrf, sign_in

REASON = "Enfant référé en urgence depuis l'aire B, convulsions"


@pytest.fixture
def alliance(session: Session, world: World) -> Alliance:
    return build_alliance(session, world)


def fresh_actor(session: Session, world: World, key: str):  # type: ignore[no-untyped-def]
    with session.begin():
        user = session.get(User, world.users[key].id)
        assert user is not None
        return actor_for(session, user, channel="web", ip=None)


def test_break_the_glass_opens_for_a_limited_time_and_is_audited(
    session: Session, world: World, alliance: Alliance, settings: Settings
) -> None:
    clinician = world.actors["clinician_a"]
    target = world.patient_b  # facility B: outside the clinician's scope
    with pytest.raises(NotFound):
        patient_service.get_patient(session, target.id, actor=clinician)
    opened = oversight.open_emergency_access(
        session,
        EmergencyAccessCreate(identifier=target.identifier.lower(), reason=REASON),
        actor=clinician,
        settings=settings,
    )
    assert opened.patient_id == target.id and opened.access is not None
    assert opened.access.expires_at - opened.access.created_at == timedelta(
        hours=settings.break_glass_hours
    )
    # The next request's actor carries the access: the record opens, and the read is marked.
    actor = fresh_actor(session, world, "clinician_a")
    assert target.id in actor.emergency_patient_ids
    assert patient_service.get_patient(session, target.id, actor=actor).id == target.id
    with session.begin():
        reads = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.patient_id == target.id, AuditEvent.actor_id == clinician.id
                )
            )
        )
    assert {(e.action, e.detail) for e in reads} >= {
        ("break_glass", REASON),
        ("read", "break_glass"),
        ("read_denied", None),
    }
    # Read only: no change through an emergency access.
    with pytest.raises(NotFound):
        patient_service.update_patient(session, target.id, PatientUpdate(village="X"), actor=actor)
    # Coordinators see it, with the reads made under it.
    listed = oversight.emergency_accesses(session, actor=world.actors["coordinator"])
    assert [(a.patient_identifier, a.reason, a.reads, a.active) for a in listed] == [
        (target.identifier, REASON, 1, True)
    ]
    # Once expired, the record is closed again.
    with session.begin():
        session.execute(update(BreakGlassGrant).values(expires_at=utcnow() - timedelta(minutes=1)))
    later = fresh_actor(session, world, "clinician_a")
    assert later.emergency_patient_ids == frozenset()
    with pytest.raises(NotFound):
        patient_service.get_patient(session, target.id, actor=later)


def test_break_the_glass_refusals(
    session: Session, world: World, alliance: Alliance, settings: Settings
) -> None:
    with pytest.raises(ValueError, match="at least 15"):
        EmergencyAccessCreate(identifier=world.patient_b.identifier, reason="urgence")
    data = EmergencyAccessCreate(identifier=world.patient_b.identifier, reason=REASON)
    for role in ("coordinator", "partner_viewer"):
        with pytest.raises(Forbidden):
            oversight.open_emergency_access(
                session, data, actor=world.actors[role], settings=settings
            )
    with pytest.raises(Forbidden):  # an aggregates-only partner's clinician cannot either
        oversight.open_emergency_access(
            session, data, actor=alliance.actors["partner_coordinator"], settings=settings
        )
    with pytest.raises(NotFound):
        oversight.open_emergency_access(
            session,
            EmergencyAccessCreate(identifier="NOPE-00001", reason=REASON),
            actor=world.actors["clinician_a"],
            settings=settings,
        )
    in_scope = oversight.open_emergency_access(
        session,
        EmergencyAccessCreate(identifier=world.patient_a.identifier, reason=REASON),
        actor=world.actors["clinician_a"],
        settings=settings,
    )
    assert in_scope.access is None  # nothing to open: the patient is already in scope


def test_read_audit_lists_filters_and_exports(
    client: TestClient, session: Session, world: World, alliance: Alliance
) -> None:
    with session.begin():
        patient = session.get(Patient, world.patient_a.id)
        assert patient is not None
        patient.identifier = "=HYPERLINK(1)"  # a formula must not survive into a spreadsheet
    patient_service.get_patient(session, world.patient_a.id, actor=world.actors["clinician_a"])
    patient_service.get_patient(session, world.patient_a.id, actor=world.actors["data_manager"])
    with pytest.raises(NotFound):
        patient_service.get_patient(session, world.patient_b.id, actor=world.actors["clinician_a"])
    coordinator = world.actors["coordinator"]
    page = oversight.read_audit(session, ReadAuditFilter(), actor=coordinator)
    seen = {(e.username, e.patient_identifier, e.action) for e in page.items}
    assert (world.users["clinician_a"].username, "=HYPERLINK(1)", "read") in seen
    assert (world.users["data_manager"].username, "=HYPERLINK(1)", "read") in seen
    assert (world.users["clinician_a"].username, world.patient_b.identifier, "read_denied") in seen
    only = oversight.read_audit(
        session,
        ReadAuditFilter(username=world.users["data_manager"].username, since=today()),
        actor=coordinator,
    )
    assert {e.username for e in only.items} == {world.users["data_manager"].username}
    with pytest.raises(Forbidden):
        oversight.read_audit(session, ReadAuditFilter(), actor=world.actors["clinician_a"])
    with pytest.raises(Forbidden):  # sees the audit, may not export patient-level data
        oversight.export_read_audit(session, ReadAuditFilter(), actor=world.actors["data_manager"])

    sign_in(client, world.users["coordinator"].username)
    assert world.users["clinician_a"].username in client.get("/audit/reads").text
    export = client.get("/audit/reads.csv", params={"identifier": "=HYPERLINK(1)"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3  # header and the two reads of that patient
    assert all(row[3] == "'=HYPERLINK(1)" for row in rows[1:])
    with session.begin():
        exports = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "export", AuditEvent.actor_id == coordinator.id
                )
            )
        )
    assert len(exports) == 1 and exports[0].detail and "rows=2" in exports[0].detail
    # Coordinators review emergency accesses; they do not open any (refused before validation).
    assert client.post("/break-glass", data={"csrf_token": csrf(client)}).status_code == 403
