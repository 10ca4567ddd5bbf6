"""A hub and laptops in one test: real databases, the real protocol, an in-process link.

The hub is a database of the test's backend (SQLite, or PostgreSQL when configured) with the
small world of ``tests.factories.core``; each laptop is its own SQLite file. Requests go
through the wire format (gzip JSON) by ``alima.sync.node.local_transport``, or through a link
that a test makes faulty.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from alima.core.access import Actor
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Sex
from alima.core.migrate import upgrade
from alima.core.models import Place, User
from alima.core.schemas import PatientCreate, PatientUpdate
from alima.core.service import patients
from alima.core.service.auth import actor_for
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.schemas import AdmissionCreate, VisitCreate
from alima.sync import hub as hub_service
from alima.sync import node as node_service
from alima.sync.node import Transport
from tests.conftest import PG_URL, fresh_database_url, reset_postgresql
from tests.factories.core import World, build_world

_TEMPLATE: list[Path] = []


def migrated(url: str) -> sessionmaker[Session]:
    """A session factory on a database brought to the latest schema.

    SQLite files are copies of one file migrated once per test process (the migrations take
    a second or two; tests make many laptops).
    """
    if url.startswith("sqlite:///"):
        if not _TEMPLATE:
            template = Path(tempfile.mkdtemp(prefix="alima-sync-")) / "template.db"
            upgrade(f"sqlite:///{template}")
            _TEMPLATE.append(template)
        shutil.copy(_TEMPLATE[0], url.removeprefix("sqlite:///"))
    else:
        upgrade(url)
    return make_sessionmaker(make_engine(url))


@dataclass
class Hub:
    """The country server."""

    factory: sessionmaker[Session]
    world: World

    def update(self, patient_id: Any, **fields: Any) -> None:
        """The district's data manager corrects a child on the hub."""
        with self.factory() as session:
            patients.update_patient(
                session,
                patient_id,
                PatientUpdate(**fields),
                actor=self.world.actors["data_manager"],
            )

    def invite(self, place: Place) -> str:
        """A one-time enrolment code for a site."""
        with self.factory() as session:
            return hub_service.invite(session, place.code).code


def hub_database_url(backend: str, tmp_path: Path) -> str:
    """An empty database for a hub: a file, or a PostgreSQL database of its own.

    Not the PostgreSQL database the other tests share: a hub is built from scratch each time.
    """
    if backend == "sqlite" or not PG_URL:
        return fresh_database_url(backend, tmp_path, "hub")
    url = make_url(PG_URL)
    name = f"{url.database}_sync_hub"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    hub_url = url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(hub_url)
    reset_postgresql(engine)
    engine.dispose()
    return hub_url


def make_hub(backend: str, tmp_path: Path) -> Hub:
    """A hub of ``backend`` holding the test world."""
    factory = migrated(hub_database_url(backend, tmp_path))
    with factory() as session:
        world = build_world(session)
    return Hub(factory, world)


@dataclass
class Node:
    """A health-centre laptop."""

    factory: sessionmaker[Session]
    transport: Transport
    site: Place

    def sync(self) -> node_service.Summary:
        """Push then pull; fails the test on a link or hub error."""
        summary = node_service.sync(self.factory, self.transport)
        assert summary.error is None, summary.error
        return summary

    def actor(self, username: str) -> Actor:
        """The actor of a user as this laptop knows them."""
        with self.factory() as session, session.begin():
            user = session.scalars(select(User).where(User.username == username)).one()
            return actor_for(session, user, channel="web", ip=None)

    def register(self, username: str, given: str, *, age_days: int = 400) -> Any:
        """Register a child at this site."""
        with self.factory() as session:
            return patients.register_patient(
                session,
                PatientCreate(
                    given_name=given,
                    family_name="Traoré",
                    sex=Sex.FEMALE,
                    birth_date=today() - timedelta(days=age_days),
                    village="Molodo",
                    place_code=self.site.code,
                    confirm_not_duplicate=True,
                ),
                actor=self.actor(username),
            )

    def admit(self, username: str, patient_id: Any, on: date) -> Any:
        """Admit a child with a red MUAC."""
        with self.factory() as session:
            return nutrition.admit_child(
                session,
                AdmissionCreate(
                    patient_id=patient_id,
                    admitted_on=on,
                    weight_kg=6.0,
                    height_cm=67.5,
                    muac_mm=113,
                    appetite_test_passed=True,
                ),
                actor=self.actor(username),
            )

    def visit(self, username: str, episode_id: Any, on: date) -> Any:
        """A follow-up visit."""
        with self.factory() as session:
            return nutrition.record_visit(
                session,
                episode_id,
                VisitCreate(visit_on=on, weight_kg=6.3, height_cm=67.8, muac_mm=116),
                actor=self.actor(username),
            )

    def update(self, username: str, patient_id: Any, **fields: Any) -> Any:
        """Change a patient's demographics."""
        with self.factory() as session:
            return patients.update_patient(
                session, patient_id, PatientUpdate(**fields), actor=self.actor(username)
            )


def make_node(
    hub: Hub, site: Place, tmp_path: Path, name: str, transport: Transport | None = None
) -> Node:
    """A fresh laptop enrolled for ``site`` and synced once."""
    path = tmp_path / f"{name}.db"
    factory = migrated(f"sqlite:///{path}")
    link = transport or node_service.local_transport(hub.factory)
    node_service.enrol(factory, link, "local", hub.invite(site), name)
    laptop = Node(factory, link, site)
    laptop.sync()
    return laptop


def a_case_from_a_retired_laptop(
    hub: Hub, tmp_path: Path, *, admitted_on: date, visits_after: tuple[int, ...]
) -> Any:
    """A child of site A admitted on ``admitted_on`` and visited ``visits_after`` days later.

    Written on a laptop that syncs after each visit, then is retired: the site waits for a
    replacement laptop's first pull. Returns the episode's id.
    """
    site = hub.world.facility_a
    laptop = make_node(hub, site, tmp_path, "laptop")
    username = hub.world.users["clinician_a"].username
    child = laptop.register(username, "Awa")
    episode = laptop.admit(username, child.id, admitted_on).episode_id
    for days in visits_after:
        laptop.visit(username, episode, admitted_on + timedelta(days=days))
        laptop.sync()
    with hub.factory() as session:
        hub_service.retire(session, site.code, "a replacement laptop")
    return episode
