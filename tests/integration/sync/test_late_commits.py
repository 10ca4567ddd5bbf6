"""On PostgreSQL, a change that commits late is still pulled (no cursor skips it).

A sequence number is taken when a row is written and becomes visible when its transaction
commits, so with two writers a reader can see number 11 before number 10: paging by number
would then skip 10 for ever. The change log numbers changes under a transaction-level lock
(``alima.core.changelog``): a writer that numbers later commits later. Here a slow writer holds
its change uncommitted while a fast writer tries to commit one and a laptop pulls meanwhile;
the laptop must end up with both.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alima.core.changelog import Change
from alima.sync.repository import changes_for
from tests.factories.core import make_patient
from tests.integration.sync.harness import make_hub

pytestmark = pytest.mark.postgresql


def _pull(
    factory: sessionmaker[Session], site_path: str, cursor: int
) -> tuple[list[uuid.UUID], int]:
    """Everything a laptop of the site would pull after ``cursor``, and the new cursor."""
    seen: list[uuid.UUID] = []
    while True:
        with factory() as session, session.begin():
            page, scanned = changes_for(session, uuid.uuid4(), site_path, cursor, 100)
        seen.extend(uuid.UUID(c.row_id) for c in page)
        if scanned == cursor:
            return seen, cursor
        cursor = scanned


def test_a_change_committed_late_is_still_pulled(tmp_path: Path) -> None:
    hub = make_hub("postgresql", tmp_path)
    site = hub.world.facility_a
    with hub.factory() as session, session.begin():
        cursor = int(session.scalar(select(func.max(Change.seq))) or 0)

    slow = hub.factory()
    slow.begin()
    late = make_patient(slow, site, given="Tard").id  # numbered first, committed last

    fast_id: list[uuid.UUID] = []

    def fast_writer() -> None:
        with hub.factory() as session, session.begin():
            fast_id.append(make_patient(session, site, given="Vite").id)

    writer = threading.Thread(target=fast_writer)
    writer.start()
    time.sleep(1.0)  # the fast writer is waiting, or (without the lock) has committed
    seen_first, cursor = _pull(hub.factory, site.path, cursor)
    slow.commit()
    slow.close()
    writer.join(timeout=30)
    seen_then, _ = _pull(hub.factory, site.path, cursor)
    pulled = set(seen_first) | set(seen_then)
    assert late in pulled, "the change committed late was skipped"
    assert fast_id
    assert fast_id[0] in pulled
