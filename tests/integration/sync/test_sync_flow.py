"""Sync end to end in one process: two laptops and the hub, real databases and protocol."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from alima.core.changelog import Change
from alima.core.enums import AuditAction
from alima.core.errors import Conflict
from alima.core.models import AuditEvent, Patient, User
from alima.core.time import today
from alima.nutrition.models import Episode, Visit
from alima.sync import hub as hub_service
from alima.sync import node as node_service
from alima.sync.errors import SyncError
from alima.sync.models import SyncConflict, SyncPeer, SyncQuarantine
from tests.conftest import BACKENDS
from tests.integration.sync.harness import Hub, Node, make_hub, make_node


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


@pytest.fixture
def node_a(hub: Hub, tmp_path: Path) -> Node:
    return make_node(hub, hub.world.facility_a, tmp_path, "laptop-a")


@pytest.fixture
def node_b(hub: Hub, tmp_path: Path) -> Node:
    return make_node(hub, hub.world.facility_b, tmp_path, "laptop-b")


def _count(node_or_hub: Hub | Node, model: type, *where: Any) -> int:
    with node_or_hub.factory() as session, session.begin():
        count = session.scalar(select(func.count()).select_from(model).where(*where))
        return int(count or 0)


def _username(hub: Hub, key: str) -> str:
    return hub.world.users[key].username


def test_first_sync_brings_the_site_and_nothing_of_another(hub: Hub, node_a: Node) -> None:
    world = hub.world
    assert _count(node_a, Patient, Patient.id == world.patient_a.id) == 1
    assert _count(node_a, Patient, Patient.id == world.patient_b.id) == 0
    with node_a.factory() as session, session.begin():
        hashes = dict(session.execute(select(User.username, User.password_hash)).all())
    assert hashes[_username(hub, "clinician_a")] == world.users["clinician_a"].password_hash
    # Known (records name them) but unable to sign in on this laptop.
    assert hashes[_username(hub, "clinician_b")] == hub_service.UNUSABLE_PASSWORD


def test_offline_care_reaches_the_hub_and_the_country_report_adds_up(
    hub: Hub, node_a: Node, node_b: Node
) -> None:
    on = today() - timedelta(days=7)
    for node, key in ((node_a, "clinician_a"), (node_b, "clinician_b")):
        for name in ("Awa", "Fanta"):
            child = node.register(_username(hub, key), name)
            episode = node.admit(_username(hub, key), child.id, on)
            node.visit(_username(hub, key), episode.episode_id, on + timedelta(days=7))
    node_a.sync()
    node_b.sync()
    assert _count(hub, Episode) == 4
    assert _count(hub, Visit) == 8
    month = f"{on:%Y-%m}"
    from alima.nutrition import service as nutrition

    coordinator = hub.world.actors["coordinator"]
    with hub.factory() as session:
        country = nutrition.monthly_report(
            session, month=month, place_code=hub.world.country.code, actor=coordinator
        )
    sites = []
    for node, site in ((node_a, hub.world.facility_a), (node_b, hub.world.facility_b)):
        with node.factory() as session:
            sites.append(
                nutrition.monthly_report(
                    session,
                    month=month,
                    place_code=site.code,
                    actor=node.actor(
                        _username(hub, "clinician_a" if node is node_a else "clinician_b")
                    ),
                )
            )
    assert country.total_admissions == sum(s.total_admissions for s in sites) == 4
    assert country.rutf_sachets_given == sum(s.rutf_sachets_given for s in sites) > 0
    assert country.at_end == sum(s.at_end for s in sites)
    # Nothing pending; a second sync sends and receives nothing new.
    again = node_a.sync()
    assert (again.pushed, again.pulled) == (0, 0)


def test_replaying_a_batch_changes_nothing(hub: Hub, node_a: Node) -> None:
    node_a.register(_username(hub, "clinician_a"), "Awa")
    with node_a.factory() as session, session.begin():
        batch = [
            {"seq": c.seq, "entity": c.entity, "row": c.row, "base": c.base, "hlc": c.hlc}
            for c in node_service.iter_pending(session)
        ]
        credential = session.scalars(select(SyncPeer)).one().credential
    first = node_a.transport("/api/sync/v1/push", credential, {"since": 0, "changes": batch})
    before = _count(hub, Change)
    second = node_a.transport("/api/sync/v1/push", credential, {"since": 0, "changes": batch})
    assert first["applied"] == len(batch)
    assert second["applied"] == 0
    assert second["skipped"] == len(batch)
    assert _count(hub, Change) == before


def test_another_sites_record_is_refused_quarantined_and_audited(
    hub: Hub, node_a: Node, node_b: Node
) -> None:
    # Laptop B forges a patient of site A (a changed laptop, or a bug): the hub refuses it.
    child = node_b.register(_username(hub, "clinician_b"), "Awa")
    with node_b.factory() as session, session.begin():
        session.execute(
            update(Patient).where(Patient.id == child.id).values(place_id=hub.world.facility_a.id)
        )
        session.execute(
            update(Change)
            .where(Change.row_id == child.id)
            .values(row=Change.row)  # keep the row; patch its place below
        )
        change = session.scalars(select(Change).where(Change.row_id == child.id)).one()
        row = dict(change.row)
        row["place_id"] = str(hub.world.facility_a.id)
        change.row = row
    summary = node_b.sync()
    assert [q["reason"] for q in summary.quarantined] == ["outside this laptop's site"]
    assert _count(hub, Patient, Patient.id == child.id) == 0
    assert _count(hub, SyncQuarantine) == 1
    assert _count(hub, AuditEvent, AuditEvent.action == AuditAction.WRITE_DENIED.value) == 1
    assert _count(node_a, Patient, Patient.id == child.id) == 0


def test_a_bad_record_is_quarantined_and_the_rest_lands(hub: Hub, node_a: Node) -> None:
    good = node_a.register(_username(hub, "clinician_a"), "Awa")
    bad = node_a.register(_username(hub, "clinician_a"), "Fanta")
    with node_a.factory() as session, session.begin():
        change = session.scalars(select(Change).where(Change.row_id == bad.id)).one()
        row = dict(change.row)
        row["sex"] = "X"  # breaks the hub's check constraint
        change.row = row
    summary = node_a.sync()
    assert len(summary.quarantined) == 1
    assert _count(hub, Patient, Patient.id == good.id) == 1
    assert _count(hub, Patient, Patient.id == bad.id) == 0
    with hub.factory() as session, session.begin():
        kept = session.scalars(select(SyncQuarantine)).one()
        assert kept.row is not None
        assert kept.row["id"] == str(bad.id)
    assert node_service.status(node_a.factory()).pending == 0


def test_same_field_on_two_sides_gives_one_conflict_won_by_the_owning_site(
    hub: Hub, node_a: Node, node_b: Node
) -> None:
    patient = hub.world.patient_a.id
    _share_with_b(hub, patient)
    node_b.sync()
    assert _count(node_b, Patient, Patient.id == patient) == 1
    hub.update(patient, phone="+22370000009")
    node_a.update(_username(hub, "clinician_a"), patient, phone="+22370000001")
    for node in (node_a, node_b, node_a, node_b):
        node.sync()
    with hub.factory() as session, session.begin():
        conflicts = list(session.scalars(select(SyncConflict).where(SyncConflict.kind == "field")))
        phone = session.get_one(Patient, patient).phone
    assert len(conflicts) == 1
    assert conflicts[0].fields == ["phone"]
    assert conflicts[0].winner == "theirs"  # laptop A's, the owning site's, until reviewed
    assert (conflicts[0].ours["phone"], conflicts[0].theirs["phone"]) == (
        "+22370000009",
        "+22370000001",
    )
    assert phone == "+22370000001"
    for node in (node_a, node_b):
        with node.factory() as session, session.begin():
            assert session.get_one(Patient, patient).phone == "+22370000001"


def test_different_fields_merge_and_every_side_converges(
    hub: Hub, node_a: Node, node_b: Node
) -> None:
    patient = hub.world.patient_a.id
    _share_with_b(hub, patient)
    node_b.sync()
    hub.update(patient, village="Niono")
    node_a.update(_username(hub, "clinician_a"), patient, phone="+22370000002")
    for node in (node_a, node_b, node_a, node_b):
        node.sync()
    with hub.factory() as session, session.begin():
        merged = session.scalars(select(SyncConflict)).all()
        assert [c.kind for c in merged] == ["merged"]
    for side in (hub, node_a, node_b):
        with side.factory() as session, session.begin():
            row = session.get_one(Patient, patient)
            assert (row.village, row.phone) == ("Niono", "+22370000002")


def test_a_second_laptop_for_a_site_is_refused_until_the_first_is_retired(
    hub: Hub, node_a: Node, tmp_path: Path
) -> None:
    with pytest.raises(node_service.HubError) as refused:
        make_node(hub, hub.world.facility_a, tmp_path, "laptop-a2")
    assert refused.value.code == SyncError.SYNC_002.name
    with hub.factory() as session:
        hub_service.retire(session, hub.world.facility_a.code, "stolen")
    # The retired laptop is refused at its next request...
    summary = node_service.sync(node_a.factory, node_a.transport)
    assert summary.error is not None
    # ...and a replacement, after one sync, has the site again.
    replacement = make_node(hub, hub.world.facility_a, tmp_path, "laptop-a3")
    assert _count(replacement, Patient, Patient.id == hub.world.patient_a.id) == 1


def test_a_laptop_of_another_schema_is_told_before_anything_is_written(
    hub: Hub, node_a: Node
) -> None:
    with node_a.factory() as session, session.begin():
        credential = session.scalars(select(SyncPeer)).one().credential
    with hub.factory() as session, pytest.raises(Conflict) as refused:
        hub_service.receive(session, credential, "0000deadbeef", 0, [{"seq": 1}])
    assert refused.value.code is SyncError.SYNC_005
    assert "Nothing was sent" in refused.value.message or "Rien" in refused.value.message
    assert _count(hub, Change, Change.origin_node_id.is_not(None)) == 0


def _share_with_b(hub: Hub, patient_id: object) -> None:
    """A referral of the child to B, as the hub would record it (gives B the child)."""
    from alima.sync.apply import _share

    with hub.factory() as session, session.begin():
        _share(
            session,
            "nutrition_episode",
            {"patient_id": str(patient_id), "transfer_place_id": str(hub.world.facility_b.id)},
        )


def test_a_record_dated_in_a_month_approved_on_the_hub_is_refused_and_the_rest_lands(
    hub: Hub, node_a: Node
) -> None:
    """The approval lock holds for what laptops push, through the hub's bulk path too."""
    from alima.alliance.models import DataPeriod
    from tests.factories.alliance import build_alliance

    world = hub.world
    on = today().replace(day=1) - timedelta(days=40)
    month = on.replace(day=1)
    late = node_a.register(_username(hub, "clinician_a"), "Kadiatou")
    episode = node_a.admit(_username(hub, "clinician_a"), late.id, on)
    node_a.visit(_username(hub, "clinician_a"), episode.episode_id, on + timedelta(days=7))
    fine = node_a.register(_username(hub, "clinician_a"), "Oumou")
    with hub.factory() as session:
        alliance = build_alliance(session, world)
        with session.begin():
            session.add(
                DataPeriod(
                    project_id=alliance.project.id,
                    place_id=world.district.id,
                    starts_on=month,
                    status="approved",
                    submitted_by_id=world.users["data_manager"].id,
                )
            )
    summary = node_a.sync()
    assert _count(hub, Patient, Patient.id.in_([late.id, fine.id])) == 2
    assert _count(hub, Episode, Episode.id == episode.episode_id) == 0
    assert _count(hub, Visit, Visit.episode_id == episode.episode_id) == 0
    with hub.factory() as session, session.begin():
        refused = list(session.scalars(select(SyncQuarantine)))
    entities = {q.entity for q in refused}
    assert {"nutrition_episode", "nutrition_visit"} <= entities
    assert any(month.strftime("%Y-%m") in q.reason for q in refused)
    assert len(summary.quarantined) == len(refused)


def test_new_records_land_in_one_bulk_write_not_change_by_change(
    hub: Hub, node_a: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop's new rows (even written then changed) take the bulk path: a bug in it that
    made every batch fall back to the slow path would pass every other test."""

    def one_by_one(*_args: Any) -> None:
        pytest.fail("a batch of new rows was applied change by change")

    monkeypatch.setattr(hub_service, "apply_one", one_by_one)
    child = node_a.register(_username(hub, "clinician_a"), "Kadiatou")
    episode = node_a.admit(_username(hub, "clinician_a"), child.id, today() - timedelta(days=7))
    node_a.visit(_username(hub, "clinician_a"), episode.episode_id, today())
    summary = node_a.sync()
    assert summary.quarantined == []
    assert _count(hub, Visit, Visit.episode_id == episode.episode_id) == 2
    with hub.factory() as session, session.begin():
        logged = session.scalar(
            select(func.count()).select_from(Change).where(Change.row_id == episode.episode_id)
        )
    assert logged == 1  # inserted as it is now, once
