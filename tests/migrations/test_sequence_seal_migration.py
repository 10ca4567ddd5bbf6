"""The migration that seals the sequence: on a hub the arms move to the seal, on a laptop
they are erased, and the change log keeps no arm of an unused position."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import downgrade, upgrade
from tests.conftest import BACKENDS, fresh_database_url
from tests.factories.core import build_world
from tests.factories.research import make_study

BEFORE = "e6fced60ec95"


def _old_style(url: str, *, laptop: bool) -> str:
    """A database at the revision before, whose sequence and change log carry the arms."""
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with factory() as session:
        code = make_study(session, build_world(session))
    downgrade(url, BEFORE)
    engine = make_engine(url)
    with engine.begin() as conn:
        arms: dict[object, object] = dict(
            conn.execute(text("SELECT id, arm_id FROM research_sequence_entry")).all()
        )
        assert arms and all(arms.values())  # the downgrade put every arm back
        for seq, row_id, row in conn.execute(
            text(
                "SELECT seq, row_id, row FROM sync_change WHERE entity = 'research_sequence_entry'"
            )
        ).all():
            data = json.loads(row) if isinstance(row, str) else dict(row)
            data["arm_id"] = str(arms[row_id])  # as the old code wrote it
            conn.execute(
                text("UPDATE sync_change SET row = :row WHERE seq = :seq"),
                {"row": json.dumps(data), "seq": seq},
            )
        if laptop:
            conn.execute(
                text(
                    "INSERT INTO sync_peer (id, hub_url, node_id, site_code, credential, "
                    "pull_cursor, pushed_seq, conflicts, quarantined) "
                    "VALUES (:id, 'x', :id, 'X', 'x', '', 0, 0, 0)"
                ),
                {"id": "1" * 32},
            )
    engine.dispose()
    return code


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("laptop", [False, True], ids=["hub", "laptop"])
def test_the_upgrade_seals_or_erases_the_arms_to_come(
    backend: str, laptop: bool, tmp_path: Path
) -> None:
    url = fresh_database_url(backend, tmp_path, "seal")
    _old_style(url, laptop=laptop)
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        readable = conn.scalar(
            text("SELECT count(*) FROM research_sequence_entry WHERE arm_id IS NOT NULL")
        )
        sealed = conn.scalar(text("SELECT count(*) FROM research_sequence_seal"))
        entries = conn.scalar(text("SELECT count(*) FROM research_sequence_entry"))
        logged = [
            json.loads(r) if isinstance(r, str) else r
            for r in conn.scalars(
                text("SELECT row FROM sync_change WHERE entity = 'research_sequence_entry'")
            )
        ]
    engine.dispose()
    assert readable == 0  # no position was used
    assert sealed == (0 if laptop else entries)
    assert logged and all(r.get("arm_id") is None for r in logged)
