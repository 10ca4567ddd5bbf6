"""Sync with real processes: a hub served by ``alima serve`` on PostgreSQL, laptops on SQLite
files driven by the ``alima`` command line over HTTP, and ``kill -9`` in the middle.

The nurse's work on a laptop is done through the same services the laptop's pages call (in
this process, on the laptop's file); everything between laptop and hub goes through the CLI
and HTTP, as in a health centre.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from alima.community import service as community
from alima.community.enums import ScreenerType
from alima.community.schemas import ScreeningCreate
from alima.core.changelog import Change
from alima.core.db import make_engine, make_sessionmaker
from alima.core.models import Patient, User
from alima.core.text import fold
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.models import ProtocolOverride
from alima.sync.hub import UNUSABLE_PASSWORD
from alima.sync.models import SyncNode, SyncPeer
from tests.integration.sync.harness import Hub, Node, make_hub
from tests.integration.sync.throttle import Throttle

pytestmark = pytest.mark.postgresql

ALIMA = [sys.executable, "-m", "alima"]
PASSWORD = "sync-nurse-password-2026"


def _cli(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*ALIMA, *args],
        env={**os.environ, "ALIMA_DATABASE_URL": database_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``alima serve`` for the hub, one process (so ``kill -9`` hits the server itself)."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.database_url, self.log, self.port = database_url, log, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*ALIMA, "serve", "--port", str(self.port), "--workers", "1"],
                env={**os.environ, "ALIMA_DATABASE_URL": self.database_url},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        msg = f"the hub did not start: {self.log.read_text()[-2000:]}"
        raise AssertionError(msg)

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, Server]]:
    hub = make_hub("postgresql", tmp_path)
    server = Server(_hub_url(hub), tmp_path / "hub.log")
    server.start()
    yield hub, server
    server.stop()


def _hub_url(hub: Hub) -> str:
    return str(hub.factory.kw["bind"].url.render_as_string(hide_password=False))


def _laptop(hub: Hub, site: Any, tmp_path: Path, name: str, hub_address: str) -> Node:
    url = f"sqlite:///{tmp_path / name}.db"
    _cli(url, "db", "upgrade")
    invited = _cli(_hub_url(hub), "node", "invite", "--site", site.code).stdout
    code = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", invited)
    assert code is not None, invited
    _cli(url, "node", "enrol", "--hub", hub_address, "--code", code.group(0), "--name", name)
    return Node(make_sessionmaker(make_engine(url)), transport=None, site=site)  # type: ignore[arg-type]


def _url(node: Node) -> str:
    return str(node.factory.kw["bind"].url.render_as_string(hide_password=False))


def _count(factory: Any, model: type, *where: Any) -> int:
    with factory() as session, session.begin():
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_two_laptops_and_the_hub_over_http(hub: tuple[Hub, Server], tmp_path: Path) -> None:
    central, server = hub
    world = central.world
    address = f"http://127.0.0.1:{server.port}"
    laptop_a = _laptop(central, world.facility_a, tmp_path, "laptop-a", address)
    laptop_b = _laptop(central, world.facility_b, tmp_path, "laptop-b", address)
    nurse_a, nurse_b = world.users["clinician_a"].username, world.users["clinician_b"].username

    # Offline work at both sites.
    on = today() - timedelta(days=10)
    kept = laptop_a.register(nurse_a, "Awa")
    referred = laptop_a.register(nurse_a, "Fanta", age_days=500)
    episode = laptop_a.admit(nurse_a, kept.id, on)
    laptop_a.visit(nurse_a, episode.episode_id, on + timedelta(days=7))
    at_b = laptop_b.register(nurse_b, "Kadiatou")
    laptop_b.admit(nurse_b, at_b.id, on)
    with laptop_a.factory() as session:
        community.record_screening(
            session,
            ScreeningCreate(
                place_code=world.facility_a.code,
                referral_place_code=world.facility_b.code,
                screened_on=on,
                screener_type=ScreenerType.CHW,
                child_given_name="Fanta",
                child_age_months=16,
                village="Molodo",
                patient_id=referred.id,
                muac_mm=110,
            ),
            # Referring to another facility takes a user of the district (today's rule).
            actor=laptop_a.actor(world.users["data_manager"].username),
        )
    # Decisions on the hub: a new nurse for B, a national adaptation of the protocol.
    _cli(
        _hub_url(central),
        "user",
        "create",
        "infirmiere_b2",
        "--role",
        "clinician",
        "--place",
        world.facility_b.code,
        "--password",
        PASSWORD,
    )
    override = tmp_path / "override.json"
    override.write_text(json.dumps({"exit": {"default_after_missed_visits": 3}}))
    _cli(
        _hub_url(central),
        "nutrition",
        "override",
        world.country.code,
        "optima",
        "--file",
        str(override),
        "--from",
        f"{today() - timedelta(days=30):%Y-%m-%d}",
        "--reason",
        "table nationale 2026",
    )
    for laptop in (laptop_a, laptop_b, laptop_a):
        _cli(_url(laptop), "sync")

    # The country's report on the hub is the sum of the two sites' reports.
    month = f"{on:%Y-%m}"
    with central.factory() as session:
        country = nutrition.monthly_report(
            session, month=month, place_code=world.country.code, actor=world.actors["coordinator"]
        )
    sites = []
    for laptop, nurse in ((laptop_a, nurse_a), (laptop_b, nurse_b)):
        with laptop.factory() as session:
            sites.append(
                nutrition.monthly_report(
                    session, month=month, place_code=laptop.site.code, actor=laptop.actor(nurse)
                )
            )
    assert country.total_admissions == sum(s.total_admissions for s in sites) == 2
    assert country.rutf_sachets_given == sum(s.rutf_sachets_given for s in sites) > 0
    # The referred child is visible at B, the other children stay at their site.
    assert _count(laptop_b.factory, Patient, Patient.id == referred.id) == 1
    assert _count(laptop_b.factory, Patient, Patient.id == kept.id) == 0
    assert _count(laptop_a.factory, Patient, Patient.id == at_b.id) == 0
    # The new nurse can sign in at B only; the override reached both laptops.
    for laptop, usable in ((laptop_b, True), (laptop_a, False)):
        with laptop.factory() as session, session.begin():
            hashed = session.scalar(
                select(User.password_hash).where(User.username == "infirmiere_b2")
            )
        assert hashed is not None
        assert (hashed != UNUSABLE_PASSWORD) is usable
        assert _count(laptop.factory, ProtocolOverride) == 1


def _many_patients(factory: Any, site: Any, count: int, prefix: str) -> None:
    with factory() as session, session.begin():
        session.add_all(
            Patient(
                identifier=f"{site.code}-{prefix}{i:05d}",
                given_name=f"Enfant{i}",
                family_name="Diarra",
                sex="F",
                birth_date=today() - timedelta(days=400),
                place_id=site.id,
                search_name=fold(f"Enfant{i} Diarra"),
                search_village="molodo",
            )
            for i in range(count)
        )


def _wait_for(check: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    msg = "timed out"
    raise AssertionError(msg)


def test_kill_9_of_the_hub_during_a_push_and_of_a_laptop_during_a_pull(
    hub: tuple[Hub, Server], tmp_path: Path
) -> None:
    central, server = hub
    site = central.world.facility_a
    link = Throttle(server.port, bytes_per_s=60_000)
    laptop = _laptop(central, site, tmp_path, "laptop", f"http://127.0.0.1:{link.start()}")

    # The hub dies while the laptop pushes 1,500 registrations (3 batches).
    _many_patients(laptop.factory, site, 1500, "N")
    with laptop.factory() as session, session.begin():
        node_id = session.scalars(select(SyncPeer)).one().node_id
    sync = subprocess.Popen(
        [*ALIMA, "sync"],
        env={**os.environ, "ALIMA_DATABASE_URL": _url(laptop)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def first_batch_landed() -> bool:
        with central.factory() as session, session.begin():
            return int(session.get_one(SyncNode, node_id).pushed_seq) > 0

    _wait_for(first_batch_landed)
    server.kill9()
    assert sync.wait(180) != 0
    server.start()
    _cli(_url(laptop), "sync")
    mine = Patient.place_id == site.id
    assert _count(central.factory, Patient, mine) == _count(laptop.factory, Patient, mine) == 1501
    pushed = Change.origin_node_id == node_id
    assert _count(central.factory, Change, pushed, Change.entity == "core_patient") == 1500

    # The laptop dies while it pulls 2,500 children registered on the hub (3 pages).
    _many_patients(central.factory, site, 2500, "H")
    with laptop.factory() as session, session.begin():
        start = session.scalars(select(SyncPeer)).one().pull_cursor
    pull = subprocess.Popen(
        [*ALIMA, "sync"],
        env={**os.environ, "ALIMA_DATABASE_URL": _url(laptop)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def a_page_applied() -> bool:
        with laptop.factory() as session, session.begin():
            return session.scalars(select(SyncPeer)).one().pull_cursor != start

    _wait_for(a_page_applied)
    os.kill(pull.pid, signal.SIGKILL)
    pull.wait(30)
    assert _count(laptop.factory, Patient, mine) < 4001
    _cli(_url(laptop), "sync")
    assert _count(laptop.factory, Patient, mine) == _count(central.factory, Patient, mine) == 4001
