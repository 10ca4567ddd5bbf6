"""The migration that gives open episodes their default day, and frozen migrations in general.

A migration runs years after it was written, against whatever the application has become: it
must not import the application (docs/style.md). Its backfill is checked here against days
worked out by hand from the rule as it stood then (two missed visits, or a country's own
number; the day after the last missed visit).
"""

from __future__ import annotations

import ast
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import downgrade, upgrade
from tests.conftest import BACKENDS, fresh_database_url
from tests.factories.core import build_world
from tests.factories.nutrition import make_child, make_episode

BEFORE, REVISION = "872544d9faee", "5d1c2b7e9a40"
VERSIONS = Path(__file__).resolve().parents[2] / "src" / "alima" / "migrations" / "versions"

#: (protocol, version, stored overrides, next visit, interval, status) -> expected default day.
CASES = [
    (("optima", "1.0", None, date(2026, 11, 10), 7, "open"), date(2026, 11, 18)),
    # A version no longer packaged: the backfill must not need it.
    (("standard-who-2013", "1.0", None, date(2026, 11, 10), 14, "open"), date(2026, 11, 25)),
    (
        (
            "compas",
            "1.0",
            {"exit": {"default_after_missed_visits": 3}},
            date(2026, 11, 10),
            7,
            "open",
        ),
        date(2026, 11, 25),
    ),
    (("optima", "1.0", None, date(2026, 11, 10), 0, "open"), date(2026, 11, 18)),
    (("optima", "1.0", None, None, 7, "open"), None),
    (("optima", "1.0", None, date(2026, 11, 10), 7, "closed"), None),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_open_episodes_get_the_day_they_default(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, tmp_path, "defaults-on")
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    ids: list[uuid.UUID] = []
    with factory() as session:
        world = build_world(session)
        for (*_, status), _expected in CASES:
            child = make_child(session, world.facility_a)
            with session.begin():
                episode = make_episode(
                    session,
                    child,
                    world.facility_a,
                    admitted_on=date(2026, 11, 3),
                    closed_on=date(2026, 11, 20) if status == "closed" else None,
                )
                ids.append(episode.id)
    downgrade(url, BEFORE)
    engine = make_engine(url)
    with engine.begin() as conn:
        for episode_id, ((code, version, overrides, next_on, every, _status), _) in zip(
            ids, CASES, strict=True
        ):
            conn.execute(
                text(
                    "UPDATE nutrition_episode SET protocol_code = :code, protocol_version = "
                    ":version, protocol_overrides = :overrides, next_visit_on = :next_on, "
                    "visit_interval_days = :every WHERE id = :id"
                ),
                {
                    "code": code,
                    "version": version,
                    "overrides": None if overrides is None else json.dumps(overrides),
                    "next_on": next_on,
                    "every": every,
                    "id": episode_id.hex if backend == "sqlite" else episode_id,
                },
            )
    upgrade(url, REVISION)
    with engine.connect() as conn:
        found = [
            conn.scalar(
                text("SELECT defaults_on FROM nutrition_episode WHERE id = :id"),
                {"id": episode_id.hex if backend == "sqlite" else episode_id},
            )
            for episode_id in ids
        ]
    engine.dispose()
    upgrade(url)
    assert [None if d is None else date.fromisoformat(str(d)) for d in found] == [
        expected for _, expected in CASES
    ]


def test_no_migration_imports_the_application() -> None:
    offenders = []
    for path in sorted(VERSIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] == "alima" and not name.startswith("alima.migrations")
            ]
    assert offenders == []
