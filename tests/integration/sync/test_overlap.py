"""Push and pull overlap the laptop's work with the hub's, and keep their guarantees.

The laptop reads its next batch while the hub applies the one sent, and asks for the next page
while it applies the one received (``alima.sync.node.push`` and ``pull``). What is read ahead
is used only when it is still right: a batch only if the hub acknowledged the whole batch
before it, a page only if the cursor saved is still the one it was asked from.
"""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from alima.core.changelog import Change
from alima.core.models import Patient
from alima.core.time import today
from alima.sync import node as node_service
from alima.sync.models import SyncPeer
from tests.conftest import BACKENDS
from tests.factories.core import make_patient
from tests.integration.sync.harness import Hub, Node, make_hub, make_node


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


@pytest.fixture
def laptop(hub: Hub, tmp_path: Path) -> Node:
    return make_node(hub, hub.world.facility_a, tmp_path, "laptop")


def _patients(factory: Any, site_id: Any) -> int:
    with factory() as session, session.begin():
        return int(session.scalar(select(func.count()).where(Patient.place_id == site_id)) or 0)


def _register(laptop: Node, hub: Hub, count: int) -> None:
    username = hub.world.users["clinician_a"].username
    for i in range(count):
        laptop.register(username, f"Enfant{i}")


def test_batches_read_ahead_follow_each_other_without_gap_or_overlap(
    hub: Hub, laptop: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(node_service, "PUSH_BATCH", 3)
    monkeypatch.setattr(node_service, "PUSH_BATCH_MAX", 3)
    _register(laptop, hub, 5)  # a patient and its audit event each: 10 changes, 4 batches
    sent: list[tuple[int, list[int]]] = []

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        if path.endswith("/push"):
            sent.append((payload["since"], [int(c["seq"]) for c in payload["changes"]]))
        return laptop.transport(path, credential, payload)

    summary = node_service.sync(laptop.factory, link)
    assert summary.error is None
    assert [len(seqs) for _, seqs in sent] == [3, 3, 3, 1]
    for (_, seqs), (next_since, next_seqs) in itertools.pairwise(sent):
        assert next_since == seqs[-1]  # the acknowledgement of the batch before
        assert next_seqs[0] > seqs[-1]
    flat = [seq for _, seqs in sent for seq in seqs]
    assert flat == sorted(set(flat))
    assert _patients(hub.factory, hub.world.facility_a.id) == _patients(
        laptop.factory, hub.world.facility_a.id
    )


def test_a_batch_read_ahead_is_dropped_when_the_hub_acknowledged_less(
    hub: Hub, laptop: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(node_service, "PUSH_BATCH", 4)
    monkeypatch.setattr(node_service, "PUSH_BATCH_MAX", 4)
    _register(laptop, hub, 4)  # 8 changes
    sent: list[tuple[int, list[int]]] = []

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = laptop.transport(path, credential, payload)
        if path.endswith("/push"):
            seqs = [int(c["seq"]) for c in payload["changes"]]
            sent.append((payload["since"], seqs))
            if len(sent) == 1:
                # As if the hub had kept only the first two changes of the batch.
                answer = {**answer, "acked": seqs[1]}
        return answer

    summary = node_service.sync(laptop.factory, link)
    assert summary.error is None
    first = sent[0][1]
    # The next batch starts after what the hub acknowledged, not after what was read ahead.
    assert sent[1] == (first[1], [*first[2:], *sent[1][1][2:]])
    assert sent[1][1][:2] == first[2:]
    with laptop.factory() as session, session.begin():
        assert session.scalars(select(SyncPeer)).one().pushed_seq == sent[-1][1][-1]


@pytest.mark.parametrize(("fast_s", "sizes"), [(60.0, [2, 2, 4, 2]), (0.0, [2, 2, 2, 2, 2])])
def test_batches_grow_on_a_fast_link_only(
    hub: Hub,
    laptop: Node,
    monkeypatch: pytest.MonkeyPatch,
    fast_s: float,
    sizes: list[int],
) -> None:
    monkeypatch.setattr(node_service, "PUSH_BATCH", 2)
    monkeypatch.setattr(node_service, "PUSH_BATCH_MAX", 8)
    monkeypatch.setattr(node_service, "FAST_BATCH_S", fast_s)
    _register(laptop, hub, 5)  # 10 changes
    sent: list[int] = []

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        if path.endswith("/push"):
            sent.append(len(payload["changes"]))
        return laptop.transport(path, credential, payload)

    assert node_service.sync(laptop.factory, link).error is None
    # The batch read ahead while the first one travels still has the first one's size.
    assert sent == sizes
    assert _patients(hub.factory, hub.world.facility_a.id) == _patients(
        laptop.factory, hub.world.facility_a.id
    )


def test_the_next_page_is_asked_for_before_this_one_is_applied(
    hub: Hub, laptop: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(node_service, "PULL_PAGE", 2)
    fresh_hub_rows = 7
    with hub.factory() as session, session.begin():
        for i in range(fresh_hub_rows):
            make_patient(
                session,
                hub.world.facility_a,
                identifier=f"{hub.world.facility_a.code}-H{i:04d}",
                given=f"Hub{i}",
                family="Diarra",
                sex="F",
                birth=hub.world.patient_a.birth_date,
            )
    asks: list[int] = []
    second_asked = threading.Event()
    overlapped: list[bool] = []

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        if path.endswith("/pull"):
            asks.append(int(payload["cursor"]))
            if len(asks) == 2:  # the second page
                second_asked.set()
        return laptop.transport(path, credential, payload)

    def after_page() -> None:
        if not overlapped:  # the first page is applied: was the second asked for meanwhile?
            overlapped.append(second_asked.wait(10))

    summary = node_service.sync(laptop.factory, link, after_page=after_page)
    assert summary.error is None
    assert summary.pulled == fresh_hub_rows
    assert len(asks) == 4  # 7 rows, 2 a page
    assert overlapped == [True]
    assert _patients(laptop.factory, hub.world.facility_a.id) == _patients(
        hub.factory, hub.world.facility_a.id
    )


def test_a_page_is_not_applied_when_another_sync_moved_the_cursor_meanwhile(
    hub: Hub, laptop: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(node_service, "PULL_PAGE", 2)
    with hub.factory() as session, session.begin():
        for i in range(5):
            make_patient(
                session,
                hub.world.facility_a,
                identifier=f"{hub.world.facility_a.code}-M{i:04d}",
                given=f"Moved{i}",
                family="Diarra",
                sex="M",
                birth=hub.world.patient_a.birth_date,
            )
    with laptop.factory() as session, session.begin():
        start = int(session.scalars(select(SyncPeer)).one().pull_cursor or 0)
    asked: list[int] = []

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = laptop.transport(path, credential, payload)
        if path.endswith("/pull"):
            asked.append(int(payload["cursor"]))
            if len(asked) == 1:
                # Another sync applied this very page meanwhile and saved its cursor.
                with laptop.factory() as session, session.begin():
                    session.execute(update(SyncPeer).values(pull_cursor=str(answer["cursor"])))
                moved_to.append(int(answer["cursor"]))
        return answer

    moved_to: list[int] = []
    applied: list[int] = []
    summary = node_service.Summary()
    node_service.pull(laptop.factory, link, summary, after_page=lambda: applied.append(1))
    assert asked[0] == start
    # The page asked from the old cursor was not applied; the laptop asked again from where
    # the other sync left the cursor.
    assert moved_to and moved_to[0] in asked[1:]
    assert asked.count(start) == 1
    assert summary.pulled == 3  # the first page's 2 rows were the other sync's


def test_the_hub_logs_a_batch_parents_first_whatever_order_the_laptop_wrote_it(
    hub: Hub, laptop: Node
) -> None:
    """A visit of an older episode, then a new child, its episode and its visit, in one batch.

    The hub writes new rows table by table; its change log must list them parents first too,
    or a laptop pulling them in pages may get a visit in one page and its episode in the next
    (a foreign key failing at the page's commit).
    """
    username = hub.world.users["clinician_a"].username
    on = today() - timedelta(days=14)
    older = laptop.register(username, "Awa")
    older_episode = laptop.admit(username, older.id, on).episode_id
    laptop.sync()
    laptop.visit(username, older_episode, on + timedelta(days=7))
    child = laptop.register(username, "Fanta")
    episode = laptop.admit(username, child.id, on).episode_id
    visit = laptop.visit(username, episode, on + timedelta(days=7)).visit
    laptop.sync()
    with hub.factory() as session, session.begin():
        seq = dict(
            session.execute(
                select(Change.row_id, func.min(Change.seq))
                .where(Change.row_id.in_([child.id, episode, visit.id]))
                .group_by(Change.row_id)
            ).all()
        )
    assert seq[child.id] < seq[episode] < seq[visit.id]
