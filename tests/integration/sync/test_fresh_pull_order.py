"""A replacement laptop pulls a site whose episodes changed after their visits were logged.

The hub once skipped every change superseded by a later change of the same row, so that an
episode came at its last change, after its visits. When a page ended between the visits and
that last change, the laptop committed visits whose episode it did not have and the page
failed on the foreign key, at every try: the fresh laptop never finished its first pull.
A page now holds each row at the place of its first change in the page
(``alima.sync.repository.changes_for``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alima.core.time import today
from alima.nutrition.models import Episode
from alima.sync import hub as hub_service
from alima.sync import node as node_service
from tests.conftest import BACKENDS
from tests.integration.sync.harness import Hub, make_hub, make_node


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


def test_a_fresh_laptop_pulls_a_site_whose_episode_changed_after_its_visits(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = hub.world.facility_a
    laptop = make_node(hub, site, tmp_path, "laptop")
    username = hub.world.users["clinician_a"].username
    on = today() - timedelta(days=21)
    child = laptop.register(username, "Awa")
    episode = laptop.admit(username, child.id, on).episode_id
    laptop.visit(username, episode, on + timedelta(days=7))
    laptop.sync()
    laptop.visit(username, episode, on + timedelta(days=14))  # the episode changes again
    laptop.sync()
    with hub.factory() as session:
        hub_service.retire(session, site.code, "a replacement laptop")
    monkeypatch.setattr(node_service, "PULL_PAGE", 2)
    replacement = make_node(hub, site, tmp_path, "replacement")  # its first sync must not fail
    for factory in (hub.factory, replacement.factory):
        with factory() as session, session.begin():
            held = session.get(Episode, episode)
            assert held is not None
            assert [v.visit_on for v in sorted(held.visits, key=lambda v: v.visit_on)] == [
                on,
                on + timedelta(days=7),
                on + timedelta(days=14),
            ]
