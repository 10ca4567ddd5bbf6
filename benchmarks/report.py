"""The monthly CMAM report over a country's data on PostgreSQL.

Target (docs/design.md, issue 4): 1 million episodes and 8 million visits, the monthly report of
the whole country (and of a project) in under 5 seconds. The data set is generated in the
database with ``generate_series`` (a few minutes, once): a country of 12 regions, 96 districts
and 1,920 sites; two years of admissions; 8 visits per episode, 7 days apart; outcomes in the
proportions of the OptiMA Burkina pilot. The report is the service the page and the API call.

    .venv/bin/python benchmarks/report.py                 # build if missing, then time
    .venv/bin/python benchmarks/report.py --rebuild       # regenerate the data set
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
import uuid

from benchmarks.dataset import SCALES, Scale, create_database, generate, url
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from alima.core.access import Actor, Grant
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Role
from alima.core.models import Place
from alima.nutrition import service
from alima.nutrition.models import Episode, Visit

SCALE = SCALES["national"]


def administrator(*country_paths: str) -> Actor:
    return Actor(
        id=uuid.uuid4(),
        username="bench",
        full_name="Bench",
        grants=(Grant(Role.ADMINISTRATOR, tuple(country_paths)),),
    )


def cold_session(scale: Scale) -> tuple[Engine, Session]:
    """A new server process with empty caches of its own (the OS page cache is not dropped)."""
    engine = make_engine(url(scale), poolclass=NullPool)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("DISCARD ALL")
    return engine, make_sessionmaker(engine)()


def time_report(
    scale: Scale, month: str, *, place: str | None, project: str | None, repeat: int
) -> tuple[float, float]:
    engine, session = cold_session(scale)
    with session.begin():
        paths = session.scalars(select(Place.path).where(Place.depth == 0)).all()
    actor = administrator(*paths)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        report = service.monthly_report(
            session, month=month, place_code=place, project_code=project, actor=actor
        )
        times.append(time.perf_counter() - began)
    print(
        f"    {report.scope_name} {month}: at start {report.at_start}, admissions {report.total_admissions}, "
        f"exits {report.total_exits}, cure {report.rates[0].rate} %, sachets {report.rutf_sachets_given}"
    )
    session.close()
    engine.dispose()
    return times[0], statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scale = SCALES[args.scale]
    print("command:", "python " + " ".join(shlex.quote(a) for a in sys.argv), flush=True)
    if create_database(scale, args.rebuild):
        print(f"generating {scale.episodes:,} episodes x {scale.visits_per_episode} visits ...")
        generate(scale)
    if args.generate_only:
        return
    engine = make_engine(url(scale))
    with make_sessionmaker(engine)() as session, session.begin():
        episodes = session.scalar(select(func.count()).select_from(Episode))
        visits = session.scalar(select(func.count()).select_from(Visit))
    engine.dispose()
    print(
        f"data set: {episodes:,} episodes, {visits:,} visits (PostgreSQL database {scale.database})"
    )
    country = scale.countries[0]
    for label, place, project in (
        ("country", country, None),
        ("project (half the districts)", None, f"{country}-NUT"),
        ("one district", f"{country}-R03-D04", None),
    ):
        first, median = time_report(
            scale, "2026-09", place=place, project=project, repeat=args.repeat
        )
        print(
            f"  monthly report, {label}: first {first:.2f} s, median of {args.repeat} {median:.2f} s"
        )


if __name__ == "__main__":
    main()
