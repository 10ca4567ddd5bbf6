"""The migrations build both databases from empty, go down and up again, and match the models."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from alima.all_models import Base
from alima.core.db import make_engine
from alima.core.migrate import alembic_config, downgrade, upgrade
from tests.conftest import BACKENDS, fresh_database_url


def test_single_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_downgrade_upgrade_and_models_agree(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, tmp_path, "migrations")
    upgrade(url)
    downgrade(url, "base")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert [t for t in inspect(conn).get_table_names() if t != "alembic_version"] == []
    upgrade(url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        assert diff == []
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO core_audit_event (id, at, action, entity_type, channel) "
                "VALUES (:id, CURRENT_TIMESTAMP, 'read', 'test', 'web')"
            ),
            {"id": "0" * 32 if backend == "sqlite" else "00000000-0000-0000-0000-000000000000"},
        )
    for statement in ("UPDATE core_audit_event SET detail = 'x'", "DELETE FROM core_audit_event"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
