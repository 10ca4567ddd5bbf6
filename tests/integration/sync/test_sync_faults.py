"""Sync under faults, as properties: whatever the link does, nothing is lost or doubled.

A faulty link between each laptop and the hub drops a request before or after the hub acts
on it, delivers it twice, delivers an old push again late (reordered), cuts a page in half,
garbles an answer; a laptop crashes between applying a page and saving its cursor; laptops'
clocks are days apart; pages are a few rows long, so that a row and the rows it names often
come in different pages. Hypothesis draws the work and the faults; after the faults stop and
everyone syncs, every laptop holds the hub's rows of its scope, every acknowledged change is
on the hub, replaying everything changes nothing, the same field changed on the hub and on a
laptop gave exactly one conflict, and no laptop holds another site's patient. Last, a
replacement laptop for one site gets the same rows from its first sync.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from alima.core.changelog import CAPTURE, Change
from alima.core.models import Patient
from alima.core.time import today
from alima.nutrition.models import Episode, Visit
from alima.sync import hub as hub_service
from alima.sync import node as node_service
from alima.sync.models import SyncConflict, SyncPeer, SyncQuarantine
from alima.sync.node import LinkError, Transport
from tests.integration.sync.harness import Hub, Node, make_hub, make_node

FAULTS = ("none", "drop_before", "drop_after", "duplicate", "stale_push", "half_page", "garble")


@dataclass
class FaultyLink:
    """Carries requests to the hub, doing to each what ``faults`` says (then nothing)."""

    inner: Transport
    faults: list[str] = field(default_factory=list)
    skew_ms: int = 0
    old_pushes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        fault = self.faults.pop(0) if self.faults else "none"
        if path.endswith("/push"):
            for change in payload.get("changes", []):
                change["hlc"] = int(change.get("hlc") or 0) + self.skew_ms
            self.old_pushes.append((credential, payload))
        if fault == "drop_before":
            raise LinkError("dropped before the hub")
        if fault == "stale_push" and self.old_pushes:
            stale_credential, stale = self.old_pushes[0]
            self.inner(path.replace("pull", "push"), stale_credential, stale)
        answer = self.inner(path, credential, payload)
        if fault == "duplicate":
            answer = self.inner(path, credential, payload)
        if fault in {"drop_after", "garble"}:
            raise LinkError("the answer was lost")
        if fault == "half_page" and path.endswith("/pull") and len(answer["changes"]) > 1:
            half = answer["changes"][: len(answer["changes"]) // 2]
            answer = {"changes": half, "cursor": half[-1]["seq"], "more": True}
        return answer


@dataclass(eq=False)
class Crash:
    """Makes the laptop's next page fail to commit (a crash between apply and cursor)."""

    armed: bool = False

    def __call__(self, session: Session) -> None:
        if self.armed and session.info.get(CAPTURE) is False:
            self.armed = False
            msg = "laptop crashed before saving the cursor"
            raise RuntimeError(msg)


operations = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["register", "admit", "visit", "phone", "hub_phone", "sync", "crash"]),
        st.sampled_from(FAULTS),
    ),
    min_size=3,
    max_size=14,
)


@given(
    ops=operations,
    skew_days=st.integers(min_value=-3, max_value=3),
    page=st.sampled_from([1, 2, 3, 5, node_service.PULL_PAGE]),
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_laptop_converges_and_nothing_is_lost(
    ops: list[tuple[str, str, str]],
    skew_days: int,
    page: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    default_page = node_service.PULL_PAGE
    node_service.PULL_PAGE = page
    try:
        _converges(ops, skew_days, tmp_path_factory)
    finally:
        node_service.PULL_PAGE = default_page


def _converges(
    ops: list[tuple[str, str, str]], skew_days: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("faults")
    hub = make_hub("sqlite", directory)
    world = hub.world
    links = {
        "a": FaultyLink(node_service.local_transport(hub.factory)),
        "b": FaultyLink(node_service.local_transport(hub.factory), skew_ms=skew_days * 86_400_000),
    }
    nodes = {
        "a": make_node(hub, world.facility_a, directory, "a", links["a"]),
        "b": make_node(hub, world.facility_b, directory, "b", links["b"]),
    }
    crashes = {key: Crash() for key in nodes}
    for key, node in nodes.items():
        event.listen(node.factory, "before_commit", crashes[key])
    users = {"a": world.users["clinician_a"].username, "b": world.users["clinician_b"].username}
    shared_edits = 0
    work = {key: Work(users[key], nodes[key].site.id == world.facility_a.id) for key in nodes}
    for key, op, fault in ops:
        shared_edits += _do(
            hub,
            nodes[key],
            links[key],
            crashes[key],
            op=op,
            fault=fault,
            edits=shared_edits,
            work=work[key],
        )
    # The faults stop; everyone syncs until nothing moves.
    for link in links.values():
        link.faults = []
    for crash in crashes.values():
        crash.armed = False
    for _ in range(3):
        for node in nodes.values():
            node.sync()
    _assert_converged(hub, nodes)
    _assert_nothing_lost(
        hub,
        nodes,
        {k: w.children for k, w in work.items()},
        {k: w.episodes for k, w in work.items()},
    )
    _assert_replay_changes_nothing(hub, nodes)
    with hub.factory() as session, session.begin():
        field_conflicts = session.scalar(
            select(func.count()).select_from(SyncConflict).where(SyncConflict.kind == "field")
        )
    assert field_conflicts == shared_edits
    _assert_scope(world, nodes)
    with hub.factory() as session:
        hub_service.retire(session, world.facility_a.code, "a replacement laptop")
    replacement = make_node(hub, world.facility_a, directory, "a2")
    _assert_converged(hub, {"a": replacement})


@dataclass
class Work:
    """What a laptop's user did so far."""

    username: str
    at_a: bool
    children: list[uuid.UUID] = field(default_factory=list)
    episodes: list[uuid.UUID] = field(default_factory=list)
    visits: int = 0


def _do(
    hub: Hub,
    node: Node,
    link: FaultyLink,
    crash: Crash,
    *,
    op: str,
    fault: str,
    edits: int,
    work: Work,
) -> int:
    """Do one drawn operation; returns 1 for a disagreement made on purpose, else 0."""
    on = today() - timedelta(days=120)
    own = hub.world.patient_a.id if work.at_a else hub.world.patient_b.id
    if op == "register":
        work.children.append(node.register(work.username, f"Enfant{len(work.children)}").id)
    elif op == "admit" and len(work.episodes) < len(work.children):
        child = work.children[len(work.episodes)]
        work.episodes.append(node.admit(work.username, child, on).episode_id)
        work.visits = 0
    elif op == "visit" and work.episodes and work.visits < 8:
        # Weekly visits of the latest episode, one date after the other (never the same day).
        work.visits += 1
        node.visit(work.username, work.episodes[-1], on + timedelta(days=7 * work.visits))
    elif op == "phone":
        node.update(work.username, own, phone=f"+2237{uuid.uuid4().int % 10**7:07d}")
    elif op == "hub_phone":
        # The same field changed on the hub and at the owning laptop.
        node.update(work.username, own, phone=f"+22371{edits:06d}")
        hub.update(own, phone=f"+22372{edits:06d}")
        link.faults = []
        node.sync()  # each disagreement reaches the hub on its own
        return 1
    elif op == "crash":
        link.faults = []
        crash.armed = True
        with contextlib.suppress(RuntimeError):  # the laptop dies; it is started again
            node_service.sync(node.factory, node.transport)
        crash.armed = False
    elif op == "sync":
        link.faults = [fault, fault]
        node_service.sync(node.factory, node.transport)
    return 0


def _rows(factory: Any, model: type, where: Any) -> dict[uuid.UUID, dict[str, Any]]:
    from alima.core.changelog import row_of

    with factory() as session, session.begin():
        return {
            row.id: {k: v for k, v in row_of(row).items() if k != "updated_at"}
            for row in session.scalars(select(model).where(where))
        }


def _assert_converged(hub: Hub, nodes: dict[str, Node]) -> None:
    for node in nodes.values():
        site = node.site.id
        for model, where in (
            (Patient, Patient.place_id == site),
            (Episode, Episode.place_id == site),
            (Visit, Visit.place_id == site),
        ):
            ours, theirs = _rows(node.factory, model, where), _rows(hub.factory, model, where)
            assert ours.keys() == theirs.keys(), model.__tablename__
            differ = {
                (model.__tablename__, k): (ours[i][k], theirs[i][k])
                for i in ours
                for k in ours[i]
                if ours[i][k] != theirs[i][k]
            }
            assert not differ


def _assert_nothing_lost(
    hub: Hub,
    nodes: dict[str, Node],
    children: dict[str, list[uuid.UUID]],
    episodes: dict[str, list[uuid.UUID]],
) -> None:
    with hub.factory() as session, session.begin():
        quarantined = session.scalar(select(func.count()).select_from(SyncQuarantine))
        assert quarantined == 0
        for key in nodes:
            for child in children[key]:
                assert session.get(Patient, child) is not None
            for episode in episodes[key]:
                assert session.get(Episode, episode) is not None
    for node in nodes.values():
        assert node_service.status(node.factory()).pending == 0


def _assert_replay_changes_nothing(hub: Hub, nodes: dict[str, Node]) -> None:
    before = _hub_state(hub)
    for node in nodes.values():
        with node.factory() as session, session.begin():
            credential = session.scalars(select(SyncPeer)).one().credential
            everything = [
                {"seq": c.seq, "entity": c.entity, "row": c.row, "base": c.base, "hlc": c.hlc}
                for c in session.scalars(select(Change).order_by(Change.seq))
            ]
        inner = node.transport.inner if isinstance(node.transport, FaultyLink) else node.transport
        answer = inner("/api/sync/v1/push", credential, {"since": 0, "changes": everything})
        assert answer["applied"] == 0
    assert _hub_state(hub) == before


def _hub_state(hub: Hub) -> tuple[Any, ...]:
    with hub.factory() as session, session.begin():
        changes = session.scalar(select(func.max(Change.seq)))
    return (
        changes,
        _rows(hub.factory, Patient, Patient.id.is_not(None)),
        _rows(hub.factory, Episode, Episode.id.is_not(None)),
        _rows(hub.factory, Visit, Visit.id.is_not(None)),
    )


def _assert_scope(world: Any, nodes: dict[str, Node]) -> None:
    with nodes["a"].factory() as session, session.begin():
        assert (
            session.scalar(
                select(func.count())
                .select_from(Patient)
                .where(Patient.place_id == world.facility_b.id)
            )
            == 0
        )
    with nodes["b"].factory() as session, session.begin():
        assert (
            session.scalar(
                select(func.count())
                .select_from(Patient)
                .where(Patient.place_id == world.facility_a.id)
            )
            == 0
        )
