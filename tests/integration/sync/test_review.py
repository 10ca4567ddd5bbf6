"""A data manager on the hub decides conflicts, acknowledges merges, retries or rejects records."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from alima.core.access import Actor, Grant
from alima.core.changelog import Change
from alima.core.enums import AuditAction, Role
from alima.core.errors import BadRequest, Conflict, Forbidden, NotFound
from alima.core.models import AuditEvent, Patient
from alima.core.schemas import RecordDelete
from alima.core.service import patients
from alima.sync import review
from alima.sync.errors import SyncError
from alima.sync.models import SyncConflict, SyncQuarantine
from tests.conftest import BACKENDS
from tests.integration.sync.harness import Hub, Node, make_hub, make_node


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


@pytest.fixture
def node_a(hub: Hub, tmp_path: Path) -> Node:
    return make_node(hub, hub.world.facility_a, tmp_path, "laptop-a")


def _manager(hub: Hub) -> Actor:
    return hub.world.actors["data_manager"]


def _conflict(hub: Hub, node_a: Node, **changes: tuple[Any, Any]) -> uuid.UUID:
    """The same fields changed on the hub and on laptop A: one field conflict on the hub."""
    patient = hub.world.patient_a.id
    hub.update(patient, **{k: v[0] for k, v in changes.items()})
    node_a.update(
        hub.world.users["clinician_a"].username, patient, **{k: v[1] for k, v in changes.items()}
    )
    node_a.sync()
    with hub.factory() as session, session.begin():
        return session.scalars(select(SyncConflict.id).where(SyncConflict.kind == "field")).one()


def _audits(hub: Hub, action: AuditAction, entity: str) -> int:
    with hub.factory() as session, session.begin():
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == action.value, AuditEvent.entity_type == entity)
            )
            or 0
        )


def _phone(side: Hub | Node, hub: Hub) -> str | None:
    with side.factory() as session, session.begin():
        return session.get_one(Patient, hub.world.patient_a.id).phone


def test_keeping_the_hubs_value_writes_it_everywhere_once(hub: Hub, node_a: Node) -> None:
    conflict_id = _conflict(hub, node_a, phone=("+22370000009", "+22370000001"))
    assert _phone(hub, hub) == "+22370000001"  # the owning site's value until a person decides
    with hub.factory() as session:
        listed = review.list_conflicts(session, actor=_manager(hub))
        view = review.get_conflict(session, conflict_id, actor=_manager(hub))
    assert [c.id for c in listed] == [conflict_id]
    assert [(f.name, f.ours, f.theirs, f.now) for f in view.fields] == [
        ("phone", "+22370000009", "+22370000001", "+22370000001")
    ]
    with hub.factory() as session:
        review.decide(session, conflict_id, choices={"phone": "ours"}, actor=_manager(hub))
    assert _phone(hub, hub) == "+22370000009"
    with hub.factory() as session, session.begin():
        conflict = session.get_one(SyncConflict, conflict_id)
        assert (conflict.status, conflict.resolved_by_id) == ("resolved", _manager(hub).id)
        assert conflict.resolution == {
            "fields": {"phone": "ours"},
            "values": {"phone": "+22370000009"},
        }
        # The decision is in the change log for every laptop (no origin: sent back to A too).
        last = session.scalars(
            select(Change)
            .where(Change.row_id == hub.world.patient_a.id)
            .order_by(Change.seq.desc())
        ).first()
        assert last is not None and last.origin_node_id is None
    assert _audits(hub, AuditAction.UPDATE, "core_patient") >= 1
    node_a.sync()
    assert _phone(node_a, hub) == "+22370000009"
    with hub.factory() as session, pytest.raises(Conflict) as twice:
        review.decide(session, conflict_id, choices={"phone": "theirs"}, actor=_manager(hub))
    assert twice.value.code is SyncError.SYNC_011
    assert _phone(hub, hub) == "+22370000009"


def test_a_merged_value_is_typed_and_a_missing_choice_refused(hub: Hub, node_a: Node) -> None:
    conflict_id = _conflict(hub, node_a, phone=("+22370000009", "+22370000001"))
    with hub.factory() as session, pytest.raises(BadRequest) as missing:
        review.decide(session, conflict_id, choices={}, actor=_manager(hub))
    assert missing.value.code is SyncError.SYNC_013
    with hub.factory() as session:
        review.decide(
            session,
            conflict_id,
            choices={"phone": "merged"},
            merged={"phone": "+22370000555"},
            actor=_manager(hub),
        )
    assert _phone(hub, hub) == "+22370000555"


def test_only_data_managers_of_the_rows_place_decide(hub: Hub, node_a: Node) -> None:
    conflict_id = _conflict(hub, node_a, phone=("+22370000009", "+22370000001"))
    other_site = Actor(
        id=_manager(hub).id,
        username="dm-b",
        full_name="DM B",
        grants=(Grant(Role.DATA_MANAGER, (hub.world.facility_b.path,)),),
    )
    with hub.factory() as session:
        assert review.list_conflicts(session, actor=other_site) == []
        with pytest.raises(NotFound):
            review.decide(session, conflict_id, choices={"phone": "ours"}, actor=other_site)
        with pytest.raises(Forbidden):
            review.list_conflicts(session, actor=hub.world.actors["clinician_a"])
    assert _phone(hub, hub) == "+22370000001"


def test_an_automatic_merge_is_acknowledged_once(hub: Hub, node_a: Node) -> None:
    patient = hub.world.patient_a.id
    hub.update(patient, village="Niono")
    node_a.update(hub.world.users["clinician_a"].username, patient, phone="+22370000002")
    node_a.sync()
    with hub.factory() as session, session.begin():
        merged = session.scalars(select(SyncConflict)).one()
        assert (merged.kind, merged.status) == ("merged", "auto")
    with hub.factory() as session, pytest.raises(Conflict) as not_a_decision:
        review.decide(session, merged.id, choices={"village": "ours"}, actor=_manager(hub))
    assert not_a_decision.value.code is SyncError.SYNC_015
    with hub.factory() as session:
        review.acknowledge(session, merged.id, actor=_manager(hub))
    with hub.factory() as session, session.begin():
        assert session.get_one(SyncConflict, merged.id).status == "seen"
    with hub.factory() as session, pytest.raises(Conflict) as twice:
        review.acknowledge(session, merged.id, actor=_manager(hub))
    assert twice.value.code is SyncError.SYNC_011
    assert _audits(hub, AuditAction.UPDATE, "sync_conflict") == 1


def _quarantined(hub: Hub, node_a: Node) -> tuple[uuid.UUID, uuid.UUID]:
    """A patient whose sex breaks the hub's check: refused and kept."""
    bad = node_a.register(hub.world.users["clinician_a"].username, "Fanta")
    with node_a.factory() as session, session.begin():
        change = session.scalars(select(Change).where(Change.row_id == bad.id)).one()
        change.row = {**change.row, "sex": "X"}
    node_a.sync()
    with hub.factory() as session, session.begin():
        return session.scalars(select(SyncQuarantine.id)).one(), bad.id


def test_retry_keeps_a_record_still_refused_then_applies_it_once_fixed(
    hub: Hub, node_a: Node
) -> None:
    item_id, patient_id = _quarantined(hub, node_a)
    with hub.factory() as session:
        listed = review.list_quarantine(session, actor=_manager(hub))
        assert [(q.id, q.row["sex"]) for q in listed] == [(item_id, "X")]
        again = review.retry(session, item_id, actor=_manager(hub))
    assert again.applied is False and again.reason
    with hub.factory() as session, session.begin():
        item = session.get_one(SyncQuarantine, item_id)
        assert item.status == "open"
        item.row = {**(item.row or {}), "sex": "F"}  # the cause fixed (a corrected record)
        assert session.get(Patient, patient_id) is None
    with hub.factory() as session:
        done = review.retry(session, item_id, actor=_manager(hub))
    assert done.applied is True
    with hub.factory() as session, session.begin():
        assert session.get_one(Patient, patient_id).sex == "F"
        assert session.get_one(SyncQuarantine, item_id).status == "applied"
    with hub.factory() as session, pytest.raises(Conflict) as twice:
        review.retry(session, item_id, actor=_manager(hub))
    assert twice.value.code is SyncError.SYNC_011
    assert _audits(hub, AuditAction.UPDATE, "sync_quarantine") == 2


def test_reject_needs_a_reason_and_closes_the_record(hub: Hub, node_a: Node) -> None:
    item_id, patient_id = _quarantined(hub, node_a)
    with hub.factory() as session, pytest.raises(BadRequest):
        review.reject(session, item_id, " ", actor=_manager(hub))
    with hub.factory() as session:
        review.reject(session, item_id, "doublon saisi par erreur", actor=_manager(hub))
    with hub.factory() as session, session.begin():
        item = session.get_one(SyncQuarantine, item_id)
        assert (item.status, item.note) == ("rejected", "doublon saisi par erreur")
        assert session.get(Patient, patient_id) is None
    with hub.factory() as session, pytest.raises(Conflict):
        review.reject(session, item_id, "encore", actor=_manager(hub))
    assert _audits(hub, AuditAction.UPDATE, "sync_quarantine") == 1


def test_the_nodes_page_lists_the_laptops_of_ones_places(hub: Hub, node_a: Node) -> None:
    with hub.factory() as session:
        seen = review.nodes(session, actor=hub.world.actors["coordinator"])
        assert [n.name for n in seen] == ["laptop-a"]
        with pytest.raises(Forbidden):
            review.nodes(session, actor=hub.world.actors["clinician_a"])


@pytest.mark.parametrize("decision", ["deleted", "restore"])
def test_a_change_against_a_deletion_is_kept_deleted_or_restored(
    hub: Hub, node_a: Node, decision: str
) -> None:
    patient = hub.world.patient_a.id
    with hub.factory() as session:
        patients.delete_patient(
            session, patient, RecordDelete(reason="doublon"), actor=_manager(hub)
        )
    node_a.update(hub.world.users["clinician_a"].username, patient, phone="+22370000001")
    node_a.sync()
    with hub.factory() as session, session.begin():
        conflict = session.scalars(select(SyncConflict)).one()
        assert (conflict.kind, conflict.status) == ("delete", "open")
    with hub.factory() as session, pytest.raises(BadRequest):
        review.decide(session, conflict.id, choices={}, actor=_manager(hub))
    with hub.factory() as session:
        review.decide(session, conflict.id, choices={"": decision}, actor=_manager(hub))
    with hub.factory() as session, session.begin():
        row = session.get_one(Patient, patient)
        closed = session.get_one(SyncConflict, conflict.id)
        assert closed.resolution is not None and closed.resolution["delete"] == decision
        if decision == "restore":
            assert (row.deleted_at, row.phone) == (None, "+22370000001")
        else:
            assert row.deleted_at is not None
    node_a.sync()
    with node_a.factory() as session, session.begin():
        assert (session.get_one(Patient, patient).deleted_at is None) is (decision == "restore")


def test_a_merged_value_the_column_refuses_is_a_clear_refusal(hub: Hub, node_a: Node) -> None:
    conflict_id = _conflict(hub, node_a, phone=("+22370000009", "+22370000001"))
    with hub.factory() as session, pytest.raises(BadRequest) as too_long:
        review.decide(
            session,
            conflict_id,
            choices={"phone": "merged"},
            merged={"phone": "9" * 5000},
            actor=_manager(hub),
        )
    assert too_long.value.code is SyncError.SYNC_014
    with hub.factory() as session, session.begin():
        assert session.get_one(SyncConflict, conflict_id).status == "open"
    assert _phone(hub, hub) == "+22370000001"
