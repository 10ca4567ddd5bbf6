"""Simultaneous registrations at one facility all succeed, with distinct identifiers.

PostgreSQL only (SQLite's single writer already queues them): ten threads, each with its own
session and connection, register a child at the same facility at the same moment. The test
runs in a schema of its own, migrated for it and dropped afterwards, because the threads
commit.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Sex
from alima.core.migrate import upgrade
from alima.core.schemas import PatientCreate, PatientRead
from alima.core.service import patients
from alima.core.time import today
from tests.conftest import PG_URL
from tests.factories.core import World, build_world

THREADS = 10


@pytest.fixture
def own_schema() -> Iterator[sessionmaker[Session]]:
    if not PG_URL:
        pytest.skip("ALIMA_TEST_DATABASE_URL is not set")
    schema = f"race_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        engine = make_engine(url, pool_size=THREADS + 2)
        yield make_sessionmaker(engine)
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.mark.postgresql
def test_ten_simultaneous_registrations_give_ten_patients(
    own_schema: sessionmaker[Session],
) -> None:
    with own_schema() as session:
        world: World = build_world(session)
    actor = world.actors["clinician_a"]
    start = threading.Barrier(THREADS)
    results: list[PatientRead] = []
    errors: list[BaseException] = []

    def register(index: int) -> None:
        data = PatientCreate(
            given_name=f"Enfant{index}",
            family_name="Diarra",
            sex=Sex.FEMALE,
            birth_date=today() - timedelta(days=400 + index),
            village="Pogo",
            place_code=world.facility_a.code,
        )
        with own_schema() as session:
            start.wait()
            try:
                results.append(patients.register_patient(session, data, actor=actor))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == THREADS
    identifiers = {r.identifier for r in results}
    assert len(identifiers) == THREADS
    assert all(i.startswith(f"{world.facility_a.code}-") for i in identifiers)
