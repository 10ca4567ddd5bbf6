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
import os
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable

import psycopg
from benchmarks.dataset import SCALES, Scale, create_database, generate, url
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from alima.core.access import Actor, Grant
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Role
from alima.core.migrate import upgrade
from alima.core.models import Place
from alima.core.time import today
from alima.indicators import service as indicators
from alima.interop.dhis2 import demo as dhis2_demo
from alima.interop.dhis2.models import Dhis2Mapping
from alima.interop.dhis2.service.exchange import build_export
from alima.interop.dhis2.service.mapping import import_mapping
from alima.nutrition import service, summary
from alima.nutrition.models import Episode, MonthSummaryState, Visit

SCALE = SCALES["national"]


def administrator(*country_paths: str) -> Actor:
    return Actor(
        id=uuid.uuid4(),
        username="bench",
        full_name="Bench",
        grants=(Grant(Role.ADMINISTRATOR, tuple(country_paths)),),
    )


#: A shell command run before each timed figure (``--before-each``), e.g. one that restarts
#: PostgreSQL and drops the operating system's page cache: cold for the server and the disk.
BEFORE_EACH: list[str] = []


def cold_session(scale: Scale) -> tuple[Engine, Session]:
    """A new server process with empty caches of its own.

    The OS page cache is dropped only by a ``--before-each`` command that does it.
    """
    for command in BEFORE_EACH:
        subprocess.run(command, shell=True, check=True)  # noqa: S602 - the operator's own command
        for _ in range(100):  # the restarted server accepts connections again
            try:
                psycopg.connect(url(scale).replace("+psycopg", "")).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
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


def timed(scale: Scale, label: str, call: Callable[[Session], str]) -> float:
    """Run ``call`` once on a cold session; print and return its wall time."""
    engine, session = cold_session(scale)
    began = time.perf_counter()
    cpu = time.process_time()
    what = call(session)
    elapsed = time.perf_counter() - began
    print(
        f"  {label}: {elapsed:.2f} s cold (client CPU {time.process_time() - cpu:.2f} s) - {what}",
        flush=True,
    )
    session.close()
    engine.dispose()
    return elapsed


def refresh_summary(scale: Scale) -> None:
    """Bring the monthly summary up to date (what ``alima nutrition refresh-summary`` runs)."""
    engine = make_engine(url(scale))
    session = make_sessionmaker(engine)()
    began = time.perf_counter()
    with session.begin():
        count, through = summary.refresh(session, today=today())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE nutrition_month_figure")
    print(
        f"summary refreshed: {count:,} (site, month) pairs through {through} in "
        f"{time.perf_counter() - began:.0f} s",
        flush=True,
    )
    session.close()
    engine.dispose()


def map_dhis2(scale: Scale, country: str) -> None:
    """The demo's DHIS2 mapping (every figure at every site) over the country's sites."""
    engine = make_engine(url(scale))
    session = make_sessionmaker(engine)()
    with session.begin():
        codes = list(
            session.scalars(
                select(Place.code)
                .where(Place.code.startswith(f"{country}-"), Place.kind == "facility")
                .order_by(Place.code)
            )
        )
    mapping = dhis2_demo.demo_mapping(codes).model_copy(update={"country": country})
    import_mapping(session, mapping, actor=None)
    session.close()
    engine.dispose()


def check_recount(scale: Scale, months: list[str]) -> None:
    """Every report read from the summary equals the same report recounted from the tables."""
    engine = make_engine(url(scale))
    session = make_sessionmaker(engine)()
    with session.begin():
        paths = session.scalars(select(Place.path).where(Place.depth == 0)).all()
        kept = summary.through(session)
    actor = administrator(*paths)
    country = scale.countries[0]
    scopes = [(country, None), (None, f"{country}-NUT"), (f"{country}-R03-D04", None)]
    sites = [f"{country}-R03-D04-S{s:02d}" for s in range(20)]
    compared = 0
    for month in months:
        read = [
            service.monthly_report(session, month=month, place_code=p, project_code=j, actor=actor)
            for p, j in scopes
        ]
        batch = service.monthly_reports(session, month=month, place_codes=sites, actor=actor)
        with session.begin():
            session.get(MonthSummaryState, summary.STATE_ID).through = None  # type: ignore[union-attr]
        try:
            recounted = [
                service.monthly_report(
                    session, month=month, place_code=p, project_code=j, actor=actor
                )
                for p, j in scopes
            ]
            recounted_sites = [
                service.monthly_report(session, month=month, place_code=c, actor=actor)
                for c in sites
            ]
        finally:
            with session.begin():
                session.get(MonthSummaryState, summary.STATE_ID).through = kept  # type: ignore[union-attr]
        if read != recounted or [batch[c] for c in sites] != recounted_sites:
            raise SystemExit(f"{month}: the summary and the recount differ")
        compared += len(read) + len(sites)
    print(f"recount: {compared} reports from the summary equal the recount ({', '.join(months)})")
    session.close()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--refresh", action="store_true", help="refresh the monthly summary first")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", default="2026-09")
    parser.add_argument(
        "--before-each",
        metavar="COMMAND",
        help="shell command run before each timed figure (restart the server, drop caches)",
    )
    parser.add_argument(
        "--check", nargs="*", metavar="MONTH", help="compare summary and recount for these months"
    )
    args = parser.parse_args()
    scale = SCALES[args.scale]
    if args.before_each:
        BEFORE_EACH.append(args.before_each)
    print("command:", "python " + " ".join(shlex.quote(a) for a in sys.argv), flush=True)
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    if create_database(scale, args.rebuild):
        print(f"generating {scale.episodes:,} episodes x {scale.visits_per_episode} visits ...")
        generate(scale)
    if args.generate_only:
        return
    upgrade(url(scale))
    if args.refresh:
        refresh_summary(scale)
    engine = make_engine(url(scale))
    with make_sessionmaker(engine)() as session, session.begin():
        episodes = session.scalar(select(func.count()).select_from(Episode))
        visits = session.scalar(select(func.count()).select_from(Visit))
        mapped = session.scalar(select(func.count()).select_from(Dhis2Mapping))
    engine.dispose()
    print(
        f"data set: {episodes:,} episodes, {visits:,} visits (PostgreSQL database {scale.database})"
    )
    if args.check is not None:
        check_recount(scale, args.check or [args.month])
        return
    country = scale.countries[0]
    if not mapped:
        map_dhis2(scale, country)
    month = args.month
    for label, place, project in (
        ("country", country, None),
        ("project (half the districts)", None, f"{country}-NUT"),
        ("one district", f"{country}-R03-D04", None),
    ):
        first, median = time_report(scale, month, place=place, project=project, repeat=args.repeat)
        print(
            f"  monthly report, {label}: first {first:.2f} s, median of {args.repeat} {median:.2f} s",
            flush=True,
        )
    year = int(month[:4]) - 1

    def impact(session: Session) -> str:
        read = indicators.impact(session, country, year=year)
        return ", ".join(f"{a.code} {a.value}" for a in read.activity[:3])

    def dhis2(session: Session) -> str:
        export = build_export(session, month=month, country_code=country)
        return f"{len(export.values):,} values"

    timed(scale, f"impact page {country} {year}", impact)
    timed(scale, f"DHIS2 export {country} {month} (every site)", dhis2)
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)


if __name__ == "__main__":
    main()
