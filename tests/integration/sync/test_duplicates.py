"""Duplicates across sites: the same child registered at two laptops, found, merged, synced."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from alima.care.models import Consultation
from alima.care.schemas import ConsultationCreate
from alima.care.service import consultations
from alima.core.errors import BadRequest, Conflict, NotFound
from alima.core.models import AuditEvent, Patient
from alima.core.time import today
from alima.nutrition.models import Episode, Visit
from alima.sync import duplicates
from alima.sync.errors import SyncError
from alima.sync.models import SyncDuplicate, SyncQuarantine
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


def _user(hub: Hub, key: str) -> str:
    return hub.world.users[key].username


def _count(where: Hub | Node, model: type, *conditions: Any) -> int:
    with where.factory() as session, session.begin():
        return int(session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def _visits_of(where: Hub | Node, patient_id: uuid.UUID) -> int:
    with where.factory() as session, session.begin():
        query = (
            select(func.count())
            .select_from(Visit)
            .join(Episode, Episode.id == Visit.episode_id)
            .where(Episode.patient_id == patient_id)
        )
        return int(session.scalar(query) or 0)


def _pairs(hub: Hub) -> list[SyncDuplicate]:
    with hub.factory() as session, session.begin():
        return list(session.scalars(select(SyncDuplicate)))


def _same_child_at_two_sites(hub: Hub, node_a: Node, node_b: Node) -> tuple[Any, Any, Any]:
    """Awa registered, admitted and seen at A, and again at B (plus Fanta at B); both sync."""
    on = today() - timedelta(days=30)
    clin_a, clin_b = _user(hub, "clinician_a"), _user(hub, "clinician_b")
    kept = node_a.register(clin_a, "Awa")
    node_a.visit(clin_a, node_a.admit(clin_a, kept.id, on).episode_id, on + timedelta(days=7))
    other = node_b.register(clin_b, "Awa")
    episode_b = node_b.admit(clin_b, other.id, on + timedelta(days=1)).episode_id
    for days in (8, 15):
        node_b.visit(clin_b, episode_b, on + timedelta(days=days))
    node_b.register(clin_b, "Fanta")  # another child: not a candidate
    node_a.sync()
    node_b.sync()
    return kept, other, episode_b


def _review(hub: Hub, pair: SyncDuplicate, kept_id: uuid.UUID, other_id: uuid.UUID) -> None:
    """The pair side by side: sites, visits (admission included) and open episodes."""
    with hub.factory() as session:
        view = duplicates.get_duplicate(session, pair.id, actor=hub.world.actors["data_manager"])
    sides = {side.id: side for side in view.sides}
    assert (sides[kept_id].site_code, sides[other_id].site_code) == (
        hub.world.facility_a.code,
        hub.world.facility_b.code,
    )
    assert (sides[kept_id].visits, sides[other_id].visits) == (2, 3)
    assert (sides[kept_id].open_episodes, sides[other_id].open_episodes) == (1, 1)


def _tombstone_on_hub(hub: Hub, pair: SyncDuplicate, kept_id: uuid.UUID, other_id: Any) -> None:
    with hub.factory() as session, session.begin():
        tombstone = session.get_one(Patient, other_id)
        assert tombstone.merged_into_id == kept_id
        assert tombstone.deleted_at is not None
        assert tombstone.deleted_reason is not None
        assert session.get_one(SyncDuplicate, pair.id).status == "merged"
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.patient_id == other_id, AuditEvent.action == "delete")
        )
        assert audited == 1


def test_the_same_child_at_two_sites_is_merged_and_both_laptops_converge(
    hub: Hub, node_a: Node, node_b: Node
) -> None:
    kept, other, episode_b = _same_child_at_two_sites(hub, node_a, node_b)
    clin_b = _user(hub, "clinician_b")

    # The hub found the pair when B's child arrived, once.
    (pair,) = _pairs(hub)
    assert (pair.status, pair.found_by) == ("open", "sync")
    assert {pair.low_id, pair.high_id} == {kept.id, other.id}
    node_a.sync()
    node_b.sync()
    dm = hub.world.actors["data_manager"]
    with hub.factory() as session:
        assert duplicates.scan(session, actor=dm) == 0  # never proposed twice
    assert len(_pairs(hub)) == 1
    _review(hub, pair, kept.id, other.id)

    visits_before = _count(hub, Visit)
    episodes_before = _count(hub, Episode)
    with hub.factory() as session, pytest.raises(BadRequest):
        duplicates.merge(session, pair.id, hub.world.patient_a.id, actor=dm)
    with hub.factory() as session:
        merged = duplicates.merge(session, pair.id, kept.id, actor=dm)
    assert merged.moved == {"nutrition_episode.patient_id": 1}
    assert merged.open_episodes == 2  # both open episodes are kept, and flagged on the pair
    with hub.factory() as session, pytest.raises(Conflict):
        duplicates.merge(session, pair.id, kept.id, actor=dm)

    # Nothing lost: every visit and episode is still there, all on the kept child.
    assert (_count(hub, Visit), _count(hub, Episode)) == (visits_before, episodes_before)
    assert _visits_of(hub, kept.id) == 5
    assert _count(hub, Episode, Episode.patient_id == other.id) == 0
    _tombstone_on_hub(hub, pair, kept.id, other.id)

    # B has not heard of the merge: it records care for the child it knows (the old id).
    with node_b.factory() as session:
        consultation = consultations.record_consultation(
            session,
            ConsultationCreate(patient_id=other.id, weight_kg=8.9, muac_mm=128),
            actor=node_b.actor(clin_b),
        )
    node_b.visit(clin_b, episode_b, today() - timedelta(days=8))
    node_b.sync()
    node_a.sync()
    node_b.sync()

    # The later push landed on the kept child, and was neither quarantined nor lost.
    assert _count(hub, SyncQuarantine) == 0
    for where in (hub, node_a, node_b):
        assert _count(where, Patient, Patient.id == kept.id, Patient.deleted_at.is_(None)) == 1
        assert _count(where, Episode, Episode.patient_id == kept.id) == 2
        assert _count(where, Episode, Episode.patient_id == other.id) == 0
        assert _visits_of(where, kept.id) == 6
        assert _count(where, Consultation, Consultation.id == consultation.id) == 1
        assert _count(where, Consultation, Consultation.patient_id == kept.id) == 1
    with node_b.factory() as session, session.begin():
        assert session.get_one(Patient, other.id).merged_into_id == kept.id
    # A never received B's other children.
    assert _count(node_a, Patient, Patient.place_id == hub.world.facility_b.id) == 0

    # Replaying changes nothing.
    before = (_count(node_a, Visit), _count(node_b, Visit), _count(hub, Visit))
    node_a.sync()
    node_b.sync()
    assert (_count(node_a, Visit), _count(node_b, Visit), _count(hub, Visit)) == before
    assert len(_pairs(hub)) == 1


def test_not_the_same_child_is_never_proposed_again(hub: Hub, node_a: Node, node_b: Node) -> None:
    a = node_a.register(_user(hub, "clinician_a"), "Mariam")
    node_b.register(_user(hub, "clinician_b"), "Mariam")
    node_a.sync()
    node_b.sync()
    (pair,) = _pairs(hub)
    dm = hub.world.actors["data_manager"]
    with hub.factory() as session, pytest.raises(BadRequest):
        duplicates.mark_distinct(session, pair.id, " ", actor=dm)
    with hub.factory() as session:
        duplicates.mark_distinct(session, pair.id, "jumelles, mères différentes", actor=dm)
    with hub.factory() as session:
        assert duplicates.scan(session, actor=dm) == 0
    node_a.update(_user(hub, "clinician_a"), a.id, phone="+22370000011")
    node_a.sync()
    (pair,) = _pairs(hub)
    assert pair.status == "distinct"
    assert pair.note == "jumelles, mères différentes"
    with hub.factory() as session, pytest.raises(Conflict):
        duplicates.merge(session, pair.id, a.id, actor=dm)
    with hub.factory() as session, pytest.raises(NotFound):
        duplicates.get_duplicate(session, uuid.uuid4(), actor=dm)
    # A laptop holds one site: pairs are found and decided on the hub only.
    with node_a.factory() as session, pytest.raises(Conflict) as refused:
        duplicates.scan(session, actor=node_a.actor(_user(hub, "data_manager")))
    assert refused.value.code is SyncError.SYNC_019
