"""Visits saved through the HTTP API by concurrent clients: latency percentiles.

Target (docs/design.md, issue 4): 10,000 visits from 20 concurrent clients, p95 under 50 ms on
SQLite, with the PostgreSQL figure beside it. The server runs in its own process (uvicorn,
``alima serve`` with its default number of
workers unless ``--workers`` is given) on a fresh database; each client owns a set of episodes and records their visits
in date order, as nurses at a busy site would. Every request goes through the whole stack:
JSON validation, token check, z-scores, protocol rules, one transaction with its audit event.

    .venv/bin/python benchmarks/visits.py --database sqlite
    .venv/bin/python benchmarks/visits.py --database postgresql
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import select

from alima.core.config import Settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Sex
from alima.core.migrate import upgrade
from alima.core.models import Place, User
from alima.core.schemas import PatientCreate
from alima.core.service import auth, patients
from alima.core.time import today
from alima.demo import core as demo
from alima.nutrition import service
from alima.nutrition.schemas import AdmissionCreate

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_visits"
VISIT_SPACING_DAYS = 5


def fresh_database(kind: str, workdir: Path) -> str:
    """An empty, migrated database of ``kind``."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        url = f"{PG_SERVER}/{PG_DATABASE}"
    upgrade(url)
    return url


def prepare(url: str, episodes: int, visits_per_episode: int) -> tuple[str, list[str]]:
    """Demo places and users, ``episodes`` admitted children, and an API token."""
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    demo.load(session, today=today(), patient_count=10)
    settings = Settings(database_url=url)
    with session.begin():
        user = session.scalars(select(User).where(User.username == "clinicien")).one()
        site = session.scalars(select(Place).where(Place.code == "ML-SEG-NIO-NC-CS")).one()
        actor = auth.actor_for(session, user, channel="api", ip=None)
        site_code = site.code
    admitted_on = today() - timedelta(days=VISIT_SPACING_DAYS * (visits_per_episode + 1))
    ids = []
    for index in range(episodes):
        child = patients.register_patient(
            session,
            PatientCreate(
                given_name=f"Enfant{index}",
                family_name="Banc",
                sex=Sex.FEMALE if index % 2 else Sex.MALE,
                birth_date=admitted_on - timedelta(days=300 + index % 120),
                village=f"Village {index}",
                place_code=site_code,
                confirm_not_duplicate=True,
            ),
            actor=actor,
        )
        result = service.admit_child(
            session,
            AdmissionCreate(
                patient_id=child.id,
                admitted_on=admitted_on,
                weight_kg=6.2 + (index % 10) / 10,
                height_cm=66.0 + index % 5,
                muac_mm=112 + index % 8,
                appetite_test_passed=True,
            ),
            actor=actor,
        )
        ids.append(str(result.episode_id))
    token = auth.create_api_token(session, username="clinicien", name="bench", days=1).token
    session.close()
    engine.dispose()
    del settings
    return token, ids


#: CPU seconds the server's processes may use in half a second and still count as idle.
SETTLED_CPU_S = 0.05


def serve(
    url: str, port: int, workers: int | None, *, plain: bool = False
) -> subprocess.Popen[bytes]:
    """The platform in its own process, started as ``alima serve`` (its default workers).

    ``plain``: plain uvicorn (its defaults, no access log, one worker unless ``workers``), for
    code from before ``alima serve`` chose its workers, such as the baseline of issue 10.
    """
    env = {**os.environ, "ALIMA_DATABASE_URL": url, "ALIMA_ENV": "test"}
    if plain:
        command = [sys.executable, "-m", "uvicorn", "alima.main:create_app", "--factory"]
        command += ["--no-access-log", "--workers", str(workers or 1)]
    else:
        command = [sys.executable, "-c", "from alima.cli.commands import app; app()", "serve"]
        command += ["--workers", str(workers)] if workers is not None else []
    command += ["--host", "127.0.0.1", "--port", str(port)]
    # Its own process group: stopping the benchmark stops every worker process with it.
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                settle(process.pid, deadline)
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


def settle(pid: int, deadline: float) -> None:
    """Wait until the server's processes are idle: every worker has finished starting.

    The first worker to answer does not mean the others are ready: with several workers
    (``alima serve`` on PostgreSQL), the rest may still be importing the application, seconds
    of CPU that would otherwise be counted as the visits' server time.
    """
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < SETTLED_CPU_S:
            return
        before = now


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def run(
    kind: str,
    visits: int,
    clients: int,
    port: int,
    interval: float,
    workers: int | None,
    *,
    plain: bool = False,
) -> dict[str, float]:
    per_episode = 10
    episodes = visits // per_episode
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(kind, Path(tmp))
        token, ids = prepare(url, episodes, per_episode)
        server = serve(url, port, workers, plain=plain)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        start_day = today() - timedelta(days=VISIT_SPACING_DAYS * (per_episode + 1))

        def client(mine: list[str]) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30
            ) as http:
                next_send = time.perf_counter()
                for step in range(1, per_episode + 1):
                    for n, episode_id in enumerate(mine):
                        body = {
                            "visit_on": (
                                start_day + timedelta(days=VISIT_SPACING_DAYS * step)
                            ).isoformat(),
                            "weight_kg": round(6.4 + step / 20 + (n % 5) / 10, 2),
                            "muac_mm": 116 + (step % 3),
                        }
                        if interval:
                            next_send += interval
                            pause = next_send - time.perf_counter()
                            if pause > 0:
                                time.sleep(pause)
                        began = time.perf_counter()
                        response = http.post(
                            f"/api/v1/nutrition/episodes/{episode_id}/visits", json=body
                        )
                        elapsed = (time.perf_counter() - began) * 1000
                        with lock:
                            latencies.append(elapsed)
                            if response.status_code != 201:
                                errors.append(f"{response.status_code} {response.text[:200]}")

        shares = [ids[i::clients] for i in range(clients)]
        threads = [threading.Thread(target=client, args=(share,)) for share in shares]
        cpu_before = cpu_seconds(server.pid)
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        cpu = cpu_seconds(server.pid) - cpu_before
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if errors:
        print(f"  {len(errors)} errors, first: {errors[0]}")
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * len(ordered)) - 1],
        "p99": ordered[int(0.99 * len(ordered)) - 1],
        "throughput": len(latencies) / wall,
        "cpu_ms": 1000 * cpu / max(len(latencies), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--interval",
        type=float,
        default=0.25,
        help="seconds between one client's visits (0: back to back, to measure capacity)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="server processes (default: alima serve's own)"
    )
    parser.add_argument(
        "--plain-uvicorn",
        action="store_true",
        help="start plain uvicorn instead of alima serve (for code older than alima serve's "
        "choice of workers, e.g. the baseline exported with git archive)",
    )
    args = parser.parse_args()
    print("command:", "python " + " ".join(shlex.quote(a) for a in sys.argv))
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.visits} visits, "
        f"{args.clients} concurrent clients, "
        + (f"one visit every {args.interval:g} s per client" if args.interval else "back to back")
        + f", workers: {args.workers or ('1' if args.plain_uvicorn else 'alima serve default')}"
        + f"{' (plain uvicorn)' if args.plain_uvicorn else ''}; load {os.getloadavg()}"
    )
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        figures = run(
            kind,
            args.visits,
            args.clients,
            args.port,
            args.interval,
            args.workers,
            plain=args.plain_uvicorn,
        )
        print(
            f"  {kind:<10} {figures['requests']:>6.0f} visits, {figures['errors']:.0f} errors, "
            f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"{figures['throughput']:.0f} visits/s, server CPU {figures['cpu_ms']:.2f} ms/visit; "
            f"load {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
