"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), sessions, app, clients.

Every DB test runs once per backend. The schema is built by the Alembic migrations, never by
``create_all()``. Each test runs inside an outer transaction that is rolled back; services'
``session.begin()`` become savepoints.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alima.api.deps import get_session
from alima.core.config import Settings
from alima.core.db import make_engine
from alima.core.i18n import DEFAULT_LOCALE, reset_locale, set_locale
from alima.core.migrate import upgrade
from alima.main import create_app
from tests.factories.core import World, build_world

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def worker_database_url(url: str, worker: str | None) -> str:
    """The PostgreSQL database of one pytest-xdist worker: ``<name>_<worker>``, created if missing.

    Workers reset their database's schema, build hubs beside it and race registrations in it;
    each needs a database of its own. Without xdist the configured database is used as is.
    """
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = worker_database_url(
    os.environ.get("ALIMA_TEST_DATABASE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER")
)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def travel_to_test_day() -> None:
    """``ALIMA_TEST_TODAY=YYYY-MM-DD``: the whole run lives on that day (10:00 UTC, clock ticking).

    Rules of time (epi weeks, months, defaulting, expiries) must hold whatever the day; this
    runs the suite on a Sunday, a year's end or a 29 February without waiting for it.
    """
    day = os.environ.get("ALIMA_TEST_TODAY", "")
    if not day:
        return
    try:
        at = datetime.combine(date.fromisoformat(day), time(10), tzinfo=UTC)
    except ValueError:
        raise pytest.UsageError(f"ALIMA_TEST_TODAY is a date (YYYY-MM-DD), not {day!r}") from None
    time_machine.travel(at, tick=True).start()


def pytest_configure(config: pytest.Config) -> None:
    travel_to_test_day()
    config.addinivalue_line("markers", "postgresql: runs against PostgreSQL")
    config.addinivalue_line("markers", "xdist_group(name): tests that run on one xdist worker")
    if IN_CI and not PG_URL:
        raise pytest.UsageError(
            "CI must set ALIMA_TEST_DATABASE_URL: PostgreSQL tests are required"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With ``pytest -n N --dist loadgroup`` (``make test``) a test file runs whole on one worker.

    Module fixtures (a node_modules install, a demo database) are then built once, and the
    browser files share one worker, hence one demo server and one Chromium.
    """
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = "browser" if path.startswith("tests/browser/") else path
        item.add_marker(pytest.mark.xdist_group(group))


def reset_postgresql(engine: Engine) -> None:
    """Drop everything in the public schema."""
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def fresh_database_url(backend: str, tmp_dir: Path, name: str = "alima") -> str:
    """URL of an empty database of ``backend``."""
    if backend == "sqlite":
        path = tmp_dir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if not PG_URL:
        pytest.skip("ALIMA_TEST_DATABASE_URL is not set")
    engine = make_engine(PG_URL)
    reset_postgresql(engine)
    engine.dispose()
    return PG_URL


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database per backend, shared by the session's tests."""
    url = fresh_database_url(request.param, tmp_path_factory.mktemp(request.param))
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    db_session = Session(
        bind=connection,
        join_transaction_mode="create_savepoint",
        autobegin=False,
        expire_on_commit=False,
    )
    yield db_session
    db_session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def world(session: Session) -> World:
    """Two facilities (A, B) under one district, with users of each role."""
    return build_world(session)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Every request re-reads its token: tests change roles and revoke tokens between calls.
    return Settings(env="test", database_url=database_url, api_actor_cache_seconds=0)


@pytest.fixture
def app(settings: Settings, session: Session) -> Iterator[FastAPI]:
    application = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session

    application.dependency_overrides[get_session] = _session
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _default_locale() -> Iterator[None]:
    """Every test starts in the default language, whatever an earlier test of its worker set.

    Tests that call ``set_locale("en")`` without resetting it would otherwise leave English
    behind for the next test run in the same thread (a French label read as "Month 1").
    """
    token = set_locale(DEFAULT_LOCALE)
    yield
    reset_locale(token)
