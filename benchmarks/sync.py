"""Sync between a laptop and the hub: first push, fresh pull, a day's work, bytes, a 2G link.

The hub is ``alima serve`` on PostgreSQL (one process); laptops are SQLite files talking to it
over HTTP (gzip JSON), as in a health centre. Cases are a child, an open CMAM episode and 8
visits, written on the laptop through the ORM (so the change log is filled as by the
services); the day's work is 200 visits recorded through the visit service (with its audit
events, which travel too).

    PYTHONPATH=src:. .venv/bin/python benchmarks/sync.py --cases 10000
    PYTHONPATH=src:. .venv/bin/python benchmarks/sync.py --cases 1000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_sync
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.factories.core import World, build_world
from tests.integration.sync.throttle import Throttle

from alima.core.changelog import Change
from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.models import Patient, User
from alima.core.service.auth import actor_for
from alima.core.text import fold
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.models import Episode, Visit
from alima.nutrition.protocol.loading import load_protocol
from alima.nutrition.schemas import VisitCreate
from alima.sync import hub as hub_service
from alima.sync import node as node_service
from alima.sync.http import http_transport

ALIMA = [sys.executable, "-m", "alima"]
OPTIMA = load_protocol("optima", "1.0")


def _fresh_pg(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*ALIMA, "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "ALIMA_DATABASE_URL": url},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
        except httpx.HTTPError:
            time.sleep(0.2)
        else:
            return process
    raise SystemExit(log.read_text()[-2000:])


class Counting:
    """A transport over HTTP that counts the compressed bytes it sends and receives."""

    def __init__(self, hub_url: str) -> None:
        self.sent, self.received = 0, 0
        self.inner = http_transport(hub_url, meter=self.count)

    def count(self, sent: int, received: int) -> None:
        self.sent += sent
        self.received += received

    def __call__(self, path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.inner(path, credential, payload)


def _laptop(
    directory: Path, name: str, hub_url: str, code: str
) -> tuple[sessionmaker[Session], Counting]:
    url = f"sqlite:///{directory / name}.db"
    upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    link = Counting(hub_url)
    node_service.enrol(factory, link, hub_url, code, name)
    return factory, link


def _synced_laptop(
    directory: Path, name: str, hub_url: str, code: str
) -> tuple[sessionmaker[Session], Counting]:
    factory, link = _laptop(directory, name, hub_url, code)
    node_service.pull(factory, link, node_service.Summary())
    return factory, link


def _cases(factory: sessionmaker[Session], world: World, count: int) -> None:
    """``count`` children with an open episode and 8 weekly visits, written on the laptop."""
    site, nurse = world.facility_a, world.users["clinician_a"]
    start = today() - timedelta(days=60)
    for chunk in range(0, count, 500):
        with factory() as session, session.begin():
            for i in range(chunk, min(count, chunk + 500)):
                child = Patient(
                    identifier=f"{site.code}-B{i:06d}",
                    given_name=f"Enfant{i}",
                    family_name="Coulibaly",
                    sex="F" if i % 2 else "M",
                    birth_date=start - timedelta(days=300 + i % 600),
                    place_id=site.id,
                    search_name=fold(f"Enfant{i} Coulibaly"),
                    search_village="molodo",
                    village="Molodo",
                    created_by_id=nurse.id,
                )
                episode = Episode(
                    patient=child,
                    place_id=site.id,
                    protocol_code="optima",
                    protocol_version="1.0",
                    protocol_fingerprint=OPTIMA.fingerprint(),
                    admitted_on=start,
                    admission_type="new",
                    admission_criteria=["muac"],
                    main_criterion="muac",
                    severity="severe",
                    age_months_at_admission=12.0,
                    status="open",
                    band="severe",
                    last_visit_on=start + timedelta(days=49),
                    next_visit_on=start + timedelta(days=56),
                    visits_count=8,
                    sachets_total=8 * 14,
                    sachets_per_week=14,
                    created_by_id=nurse.id,
                )
                session.add_all([child, episode])
                for week in range(8):
                    session.add(
                        Visit(
                            episode=episode,
                            place_id=site.id,
                            is_admission=week == 0,
                            visit_on=start + timedelta(days=7 * week),
                            weight_kg=6.0 + week * 0.1,
                            height_cm=68.0,
                            muac_mm=112 + week,
                            oedema="none",
                            age_days=400 + 7 * week,
                            zwfl=-3.1 + week * 0.1,
                            sachets_given=14,
                            band="severe",
                            ration_days=7,
                            created_by_id=nurse.id,
                        )
                    )


def _visits(factory: sessionmaker[Session], world: World, count: int, skip: int = 0) -> None:
    with factory() as session, session.begin():
        user = session.scalars(
            select(User).where(User.username == world.users["clinician_a"].username)
        ).one()
        actor = actor_for(session, user, channel="web", ip=None)
        episodes = list(
            session.scalars(
                select(Episode.id)
                .where(Episode.status == "open")
                .order_by(Episode.id)
                .offset(skip)
                .limit(count)
            )
        )
    for episode_id in episodes:
        with factory() as session:
            nutrition.record_visit(
                session,
                episode_id,
                VisitCreate(
                    visit_on=today(),
                    weight_kg=6.9,
                    height_cm=68.5,
                    muac_mm=121,
                    confirm_unusual=True,
                ),
                actor=actor,
            )


def _cpu(pid: int) -> float:
    """CPU seconds a process has used (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: The hub's process, whose CPU time is reported beside the laptop's.
HUB: list[int] = []
#: The hub's database URL: the CPU of its PostgreSQL backends is reported too.
DATABASE: list[str] = []


def _backends() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the hub's database (same machine only)."""
    if not DATABASE:
        return {}
    engine = create_engine(DATABASE[0])
    with engine.connect() as connection:
        pids = connection.scalars(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    engine.dispose()
    return {pid: _cpu(pid) for pid in pids}


def _timed(label: str, action: Any) -> float:
    hub, backends = [_cpu(pid) for pid in HUB], _backends()
    cpu, began = time.process_time(), time.perf_counter()
    action()
    elapsed = time.perf_counter() - began
    laptop = time.process_time() - cpu
    hub = [_cpu(pid) - before for pid, before in zip(HUB, hub, strict=True)]
    # The hub's pooled connections outlive the action; one opened during it counts whole.
    database = sum(used - backends.get(pid, 0.0) for pid, used in _backends().items())
    # Wall time waits for the CPU when the machine is shared; the CPU times say what the
    # work itself cost (PostgreSQL's shared processes, its WAL writer, are not counted).
    print(
        f"{label}: {elapsed:.2f} s (CPU: laptop {laptop:.2f} s, hub {sum(hub):.2f} s,"
        f" PostgreSQL {database:.2f} s)",
        flush=True,
    )
    return elapsed


def _hub(database_url: str) -> tuple[sessionmaker[Session], World]:
    """An empty PostgreSQL database of its own for the hub, migrated, with a small world."""
    admin = create_engine(
        database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    name = database_url.rsplit("/", 1)[1]
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _fresh_pg(database_url)
    upgrade(database_url)
    hub = make_sessionmaker(make_engine(database_url))
    with hub() as session:
        world = build_world(session)
    return hub, world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--day", type=int, default=200, help="visits of the day's work")
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_sync"
    )
    parser.add_argument("--port", type=int, default=8391)
    args = parser.parse_args()
    hub, world = _hub(args.database_url)
    directory = Path(tempfile.mkdtemp(prefix="alima-sync-bench-"))
    server = _serve(args.database_url, args.port, directory / "hub.log")
    HUB.append(server.pid)
    DATABASE.append(args.database_url)
    hub_url = f"http://127.0.0.1:{args.port}"
    try:
        with hub() as session:
            code = hub_service.invite(session, world.facility_a.code).code
        laptop, link = _synced_laptop(directory, "laptop", hub_url, code)
        print(f"writing {args.cases} cases on the laptop…", flush=True)
        _cases(laptop, world, args.cases)
        with laptop() as session, session.begin():
            pending = session.scalar(select(func.count()).select_from(Change))
        print(f"{pending} changes to send ({args.cases * 10} rows)")
        summary = node_service.Summary()
        _timed(
            f"first push of {args.cases} cases", lambda: node_service.push(laptop, link, summary)
        )
        print(f"  sent {link.sent / 1e6:.1f} MB compressed, {summary.pushed} applied")
        with hub() as session:
            hub_service.retire(session, world.facility_a.code, "benchmark: a replacement laptop")
            code = hub_service.invite(session, world.facility_a.code).code
        fresh, fresh_link = _laptop(directory, "fresh", hub_url, code)
        pulled = node_service.Summary()
        _timed(
            f"a fresh laptop pulling its site ({args.cases} cases)",
            lambda: node_service.pull(fresh, fresh_link, pulled),
        )
        print(f"  received {fresh_link.received / 1e6:.1f} MB compressed, {pulled.pulled} rows")
        _visits(fresh, world, args.day)
        before = fresh_link.sent
        _timed(
            f"a day's work ({args.day} visits) pushed and pulled",
            lambda: node_service.sync(fresh, fresh_link),
        )
        per_visit = (fresh_link.sent - before) / args.day
        print(
            f"  {per_visit:.0f} bytes on the wire per visit (compressed, with its episode and audit)"
        )
        # The same day's work behind a 2G-like link: 300 ms round trip, 100 kbit/s, a cut.
        slow = Throttle(args.port, delay_s=0.3, bytes_per_s=12_500, cut_after=30_000)
        slow_link = http_transport(f"http://127.0.0.1:{slow.start()}")
        _visits(fresh, world, args.day, skip=args.day)

        def over_2g() -> None:
            for _ in range(10):
                if node_service.sync(fresh, slow_link).error is None:
                    return

        _timed(f"the same day's work behind a 2G-like link (cut {slow.cuts or 1}x)", over_2g)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
