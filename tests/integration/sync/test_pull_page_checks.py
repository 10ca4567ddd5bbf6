"""A pull page's foreign keys, checked by the laptop itself, fail a page as SQLite would.

On SQLite a page whose every table goes through the driver is written with the connection's
foreign keys off; the names its rows hold are checked before the commit, once each
(``alima.sync.pages.Checked``). A page naming a row the laptop does not have must still fail
whole at its commit, leaving the cursor where it was; a row before its parent in the same page
is still written; and the connection goes back to the pool with its foreign keys on and its
usual page cache.
"""

from __future__ import annotations

import gc
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from alima.core.time import today
from alima.nutrition.models import Episode, Visit
from alima.sync import node as node_service
from alima.sync import wire
from alima.sync.models import SyncPeer
from tests.conftest import BACKENDS
from tests.integration.sync.harness import (
    Hub,
    Node,
    a_case_from_a_retired_laptop,
    make_hub,
    migrated,
)


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


def _site_with_a_case(hub: Hub, tmp_path: Path) -> Any:
    """A child, its episode and two visits on the hub; the laptop that wrote them retired."""
    return a_case_from_a_retired_laptop(
        hub, tmp_path, admitted_on=today() - timedelta(days=14), visits_after=(7,)
    )


def _fresh(hub: Hub, tmp_path: Path, edit: Any) -> Node:
    """A replacement laptop, enrolled, whose pull pages pass through ``edit`` (not pulled)."""
    factory = migrated(f"sqlite:///{tmp_path / 'fresh.db'}")
    local = node_service.local_transport(hub.factory)

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = local(path, credential, payload)
        if path == wire.PULL:
            answer["changes"] = edit(answer["changes"])
        return answer

    node_service.enrol(factory, link, "local", hub.invite(hub.world.facility_a), "fresh")
    return Node(factory, link, hub.world.facility_a)


def _connection_settings(laptop: Node) -> tuple[int, int]:
    with laptop.factory() as session, session.begin():
        connection = session.connection()
        keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    return int(keys or 0), int(cache or 0)


def _counts(laptop: Node) -> tuple[int, int, str]:
    with laptop.factory() as session, session.begin():
        return (
            int(session.scalar(select(func.count()).select_from(Episode)) or 0),
            int(session.scalar(select(func.count()).select_from(Visit)) or 0),
            session.scalars(select(SyncPeer)).one().pull_cursor,
        )


def test_a_page_naming_a_row_the_laptop_lacks_fails_whole_and_keeps_the_cursor(
    hub: Hub, tmp_path: Path
) -> None:
    _site_with_a_case(hub, tmp_path)
    laptop = _fresh(
        hub,
        tmp_path,
        lambda changes: [c for c in changes if c["entity"] != "nutrition_episode"],
    )
    before = _connection_settings(laptop)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        node_service.pull(laptop.factory, laptop.transport, node_service.Summary())
    assert _counts(laptop) == (0, 0, "0")
    assert _connection_settings(laptop) == before
    assert before[0] == 1


def test_a_visit_before_its_episode_in_a_page_is_written(hub: Hub, tmp_path: Path) -> None:
    episode = _site_with_a_case(hub, tmp_path)

    def parents_last(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(changes, key=lambda c: c["entity"] in {"nutrition_episode", "core_patient"})

    laptop = _fresh(hub, tmp_path, parents_last)
    before = _connection_settings(laptop)
    summary = node_service.Summary()
    node_service.pull(laptop.factory, laptop.transport, summary)
    assert summary.error is None
    episodes, visits, cursor = _counts(laptop)
    assert (episodes, visits) == (1, 2)
    assert cursor != "0"
    with laptop.factory() as session, session.begin():
        assert session.get(Episode, episode) is not None
    assert _connection_settings(laptop) == before


def test_pages_are_written_and_batches_read_without_the_cycle_collector(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of thousands of fresh rows costs no cycle collection (``core.collector``)."""
    _site_with_a_case(hub, tmp_path)
    laptop = _fresh(hub, tmp_path, lambda changes: changes)
    seen: list[bool] = []
    apply_page, peer = node_service._apply_page, node_service._peer

    def page(*args: Any) -> None:
        seen.append(gc.isenabled())
        apply_page(*args)

    monkeypatch.setattr(node_service, "_apply_page", page)
    gc.enable()
    node_service.pull(laptop.factory, laptop.transport, node_service.Summary())
    assert seen
    assert not any(seen)
    seen.clear()

    def peer_seen(session: Any) -> Any:
        seen.append(gc.isenabled())
        return peer(session)

    monkeypatch.setattr(node_service, "_peer", peer_seen)
    node_service._batch(laptop.factory, 0, 10)  # the laptop's changes, read to be pushed
    assert seen == [False]
    assert gc.isenabled()
