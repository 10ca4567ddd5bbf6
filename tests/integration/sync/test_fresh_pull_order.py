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
from alima.sync import node as node_service
from tests.conftest import BACKENDS
from tests.integration.sync.harness import Hub, a_case_from_a_retired_laptop, make_hub, make_node


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


def test_a_fresh_laptop_pulls_a_site_whose_episode_changed_after_its_visits(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on = today() - timedelta(days=21)
    # The episode changes again at the second visit, after the first one was logged.
    episode = a_case_from_a_retired_laptop(hub, tmp_path, admitted_on=on, visits_after=(7, 14))
    monkeypatch.setattr(node_service, "PULL_PAGE", 2)
    replacement = make_node(
        hub, hub.world.facility_a, tmp_path, "replacement"
    )  # its first sync must not fail
    for factory in (hub.factory, replacement.factory):
        with factory() as session, session.begin():
            held = session.get(Episode, episode)
            assert held is not None
            assert [v.visit_on for v in sorted(held.visits, key=lambda v: v.visit_on)] == [
                on,
                on + timedelta(days=7),
                on + timedelta(days=14),
            ]
