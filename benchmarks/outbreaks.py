"""Threshold evaluation for a whole country: 1,000 health areas, 5 years of weekly reports.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/outbreaks.py                 # SQLite: var/bench-outbreaks.db
    .venv/bin/python benchmarks/outbreaks.py --url postgresql+psycopg://.../bench_outbreaks

The data is built once and kept (``--rebuild`` to build it again).

Builds a country of 20 districts of 50 health areas (one health centre each, populations
from 8,000 to 40,000), then 5 years (261 ISO weeks) of weekly IDSR reports of every
facility, with cases of 15 priority diseases drawn around a weekly mean per disease (a
line is stored when the count is not zero; a week with nothing is a report without lines).
The data is loaded in bulk (Core inserts), as the demo does.

Then it times ``alima.outbreaks.service.evaluate_country`` for the last week: every health
area and district, every rule of the default threshold set (counts, rates, clusters over 4
weeks, increases against the previous week and against the same weeks of 5 previous years),
the queries included, alerts written and committed. Each run deletes the alerts, evaluates
the week (every alert is new and written), evaluates it again (every alert is open: nothing
new), then times the evaluation one report triggers (a health area and its district). Each
timing is one transaction; wall time and the process's CPU time are printed (on PostgreSQL
the server's CPU is not in the second), with the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from alima.core.access import Actor, Grant, child_path
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Role
from alima.core.migrate import upgrade
from alima.core.models import Place, PlacePopulation, User
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance
from alima.outbreaks.models import Alert, AlertActionLog, WeeklyCount, WeeklyReport
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.service.evaluation import evaluate_for

DISTRICTS = 20
AREAS_PER_DISTRICT = 50
YEARS = 5
#: Weekly mean cases per facility of the 15 diseases (most weeks most are zero).
MEANS = {
    "malaria": 25.0,
    "ili": 4.0,
    "severe_pneumonia": 2.0,
    "bloody_diarrhoea": 1.0,
    "measles": 0.2,
    "meningitis": 0.15,
    "cholera": 0.02,
    "yellow_fever": 0.005,
    "dengue": 0.01,
    "afp": 0.005,
    "neonatal_tetanus": 0.005,
    "maternal_death": 0.01,
    "lassa": 0.002,
    "cchf": 0.002,
    "covid19": 0.05,
}
AGE_GROUPS = ("0-11m", "1-4y", "5-14y", "15y+")


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth for small means, normal approximation above 30)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def build(session: Session, config: Surveillance, last: EpiWeek, seed: int) -> Place:
    """The country, its places and populations, and 5 years of reports up to ``last``."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    places: list[dict[str, object]] = []
    populations: list[dict[str, object]] = []

    def place(code: str, kind: str, parent: dict[str, object] | None) -> dict[str, object]:
        pid = uuid.uuid4()
        row = {
            "id": pid,
            "code": code,
            "name": code,
            "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": child_path(str(parent["path"]) if parent else None, pid),
            "depth": int(parent["depth"]) + 1 if parent else 0,  # type: ignore[call-overload]
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        places.append(row)
        return row

    country = place("BENCH", "country", None)
    region = place("BENCH-R", "region", country)
    facilities = []
    for d in range(DISTRICTS):
        district = place(f"BENCH-D{d:02d}", "district", region)
        total = 0
        for a in range(AREAS_PER_DISTRICT):
            area = place(f"BENCH-D{d:02d}-A{a:02d}", "health_area", district)
            facilities.append(place(f"BENCH-D{d:02d}-A{a:02d}-CS", "facility", area))
            people = rng.randrange(8_000, 40_000)
            total += people
            populations.extend(
                {"id": uuid.uuid4(), "place_id": area["id"], "year": y, "population": people}
                for y in range(last.year - YEARS, last.year + 1)
            )
        populations.extend(
            {"id": uuid.uuid4(), "place_id": district["id"], "year": y, "population": total}
            for y in range(last.year - YEARS, last.year + 1)
        )
    with session.begin():
        session.execute(insert(Place), places)
        session.execute(insert(PlacePopulation), populations)
    calendar = config.calendar
    weeks = [calendar.shift(last, -back) for back in range(YEARS * 52, -1, -1)]
    for week in weeks:
        start = calendar.start(week)
        reports, lines = [], []
        for facility in facilities:
            rid = uuid.uuid4()
            reports.append(
                {
                    "id": rid,
                    "place_id": facility["id"],
                    "epi_year": week.year,
                    "epi_week": week.week,
                    "week_start": start,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for disease, mean in MEANS.items():
                cases = poisson(rng, mean)
                if cases:
                    lines.append(
                        {
                            "id": uuid.uuid4(),
                            "report_id": rid,
                            "disease": disease,
                            "age_group": rng.choice(AGE_GROUPS),
                            "cases": cases,
                            "deaths": 0,
                        }
                    )
        with session.begin():
            session.execute(insert(WeeklyReport), reports)
            session.execute(insert(WeeklyCount), lines)
    with session.begin():
        return session.get(Place, country["id"]) or sys.exit("no country")


def main() -> None:  # noqa: PLR0915 - one straight run, printed as it goes
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a database URL (default: SQLite in a temporary dir)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    args = parser.parse_args()
    path = Path(__file__).resolve().parent.parent / "var" / "bench-outbreaks.db"
    if args.url is None and args.rebuild:
        path.unlink(missing_ok=True)
    path.parent.mkdir(exist_ok=True)
    url = args.url or f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    config = Surveillance()
    last = config.calendar.shift(config.calendar.week_of(datetime.now(UTC).date()), -1)
    started = time.perf_counter()
    with sessions() as session:
        with session.begin():
            country = session.scalars(select(Place).where(Place.code == "BENCH")).one_or_none()
        if country is None:
            country = build(session, config, last, args.seed)
        if engine.dialect.name == "postgresql":
            # The planner's statistics, as autovacuum keeps them on a server (a test server may
            # run without it): without them PostgreSQL guesses one row per table.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
                raw.execute(text("ANALYZE"))
        with session.begin():
            reports = session.scalar(select(func.count()).select_from(WeeklyReport))
            lines = session.scalar(select(func.count()).select_from(WeeklyCount))
            latest = session.execute(
                select(WeeklyReport.epi_year, WeeklyReport.epi_week)
                .order_by(WeeklyReport.week_start.desc())
                .limit(1)
            ).one()
            last = EpiWeek(*latest)
            code, path = country.code, country.path
            user = session.scalars(select(User).where(User.username == "bench")).one_or_none()
            if user is None:
                user = User(username="bench", full_name="Bench", password_hash="!")  # noqa: S106 - no password: the account cannot sign in
                session.add(user)
                session.flush()
            user_id = user.id
        actor = Actor(
            id=user_id,
            username="bench",
            full_name="Bench",
            grants=(Grant(Role.ADMINISTRATOR, (path,)),),
        )
    print(f"database: {engine.dialect.name}; ready in {time.perf_counter() - started:.0f} s")
    print(
        f"{DISTRICTS * AREAS_PER_DISTRICT} health areas, {DISTRICTS} districts, "
        f"{reports:,} weekly reports, {lines:,} lines, {len(MEANS)} diseases"
    )
    new: list[tuple[float, float]] = []
    again: list[tuple[float, float]] = []
    one: list[tuple[float, float]] = []
    for run in range(args.repeat):
        with sessions() as session:
            # Every run starts without alerts (the benchmark's own database), so the first
            # evaluation writes every alert of the week, and the second finds them all open.
            with session.begin():
                session.execute(delete(AlertActionLog))
                session.execute(delete(Alert))
            for label, runs in (("every alert new", new), ("the same week again", again)):
                t0, c0 = time.perf_counter(), time.process_time()
                raised = service.evaluate_country(session, code, last, actor=actor, config=config)
                runs.append((time.perf_counter() - t0, time.process_time() - c0))
                print(
                    f"evaluate_country {last}, run {run + 1}, {label}: {runs[-1][0]:.3f} s wall, "
                    f"{runs[-1][1]:.3f} s CPU, {len(raised)} alerts raised and written"
                )
        with sessions() as session, session.begin():
            facility = session.scalars(
                select(Place).where(Place.kind == "facility", Place.code.like("BENCH-%")).limit(1)
            ).one()
            t0, c0 = time.perf_counter(), time.process_time()
            evaluate_for(session, actor, facility, last, config)
            one.append((time.perf_counter() - t0, time.process_time() - c0))
    for label, runs in (
        ("country's week, every alert new", new),
        ("country's week again, nothing new", again),
        ("one report (its health area and district)", one),
    ):
        print(
            f"best of {len(runs)}, {label}: {min(r[0] for r in runs):.3f} s wall, "
            f"{min(r[1] for r in runs):.3f} s CPU"
        )
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    engine.dispose()


if __name__ == "__main__":
    main()
